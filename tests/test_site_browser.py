"""The static site in a real browser: Debian's chromium driven by Playwright (pytest-playwright).

Each test runs twice: with the site served by a local http.server on 127.0.0.1 and opened from
``file://``. A test fails on any console error, uncaught exception, failed request, HTTP error or
request that leaves the site (no CDN, no web font, nothing remote). Playwright's own browser
download is never used: ``executable_path`` is the Debian binary (``$YRD_KG_CHROMIUM`` or
``chromium`` on the PATH). Screenshots of the paper page, an entity page and the explorer are kept
in ``build/screenshots/``.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from site_support import ROOT, BuiltSite, built_site

pytestmark = [
    pytest.mark.browser,
    # pytest-playwright's own base_url fixture, not ours
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]

CHROMIUM = os.environ.get("YRD_KG_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).is_file():
    pytest.skip(f"chromium not found ({CHROMIUM}; apt-get install chromium, or set YRD_KG_CHROMIUM)", allow_module_level=True)
pytest.importorskip("playwright", reason="playwright is not installed (pip install -e '.[browser]')")
pytest.importorskip("pytest_playwright", reason="pytest-playwright is not installed (pip install -e '.[browser]')")

from playwright.sync_api import Page, expect  # noqa: E402

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
SHOTS = ROOT / "build" / "screenshots"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright launches the Debian chromium, headless, with no background networking."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ARGS, "headless": True}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": {"width": 1400, "height": 900}, "locale": "zh-CN"}


@pytest.fixture(scope="module")
def site(store: Any) -> BuiltSite:
    return built_site(store)


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def server(site: BuiltSite) -> Iterator[str]:
    """The built site over HTTP on 127.0.0.1 (a static host, as a server will mount it at /)."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site.path)))
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(params=["http", "file"])
def base(request: pytest.FixtureRequest, site: BuiltSite) -> str:
    if request.param == "http":
        return str(request.getfixturevalue("server"))
    return site.path.as_uri() + "/"


@pytest.fixture
def watched(page: Page, base: str) -> Iterator[Page]:
    """The page, failing the test on console errors, page errors, failed or off-site requests."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url} {r.failure}"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    page.on("request", lambda r: None if r.url.startswith((base, "data:")) else problems.append(f"off-site request: {r.url}"))

    def stay_local(route: Any) -> None:  # never let a request leave the machine (it is recorded above)
        if route.request.url.startswith((base, "data:")):
            route.continue_()
        else:
            route.abort()

    page.route("**/*", stay_local)
    yield page
    assert not problems, problems


def shot(page: Page, base: str, name: str) -> None:
    if base.startswith("http"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"))


def test_index_and_language_switch(watched: Page, base: str) -> None:
    page = watched
    page.goto(base + "index.html")
    expect(page.locator("html")).to_have_attribute("lang", "zh")
    page.get_by_role("link", name="English").click()
    expect(page).to_have_url(re.compile(r"en/index\.html$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_contain_text("Knowledge graph")
    page.locator("#langswitch").click()
    expect(page).to_have_url(re.compile(r"zh/index\.html$"))
    expect(page.locator("html")).to_have_attribute("lang", "zh")
    expect(page.locator("h1")).to_contain_text("知识图谱")
    # the home page lists every kind with its count: 4 shortcomings
    expect(page.locator("a[href='list/yrd-Shortcoming.html'] + .count")).to_have_text("4")


def test_paper_page(watched: Page, base: str, site: BuiltSite) -> None:
    page = watched
    page.goto(base + "zh/paper.html")
    n = site.result.quotes_highlighted
    expect(page.locator("#anchored-count")).to_have_attribute("data-n", str(n))
    assert page.locator("span.ev-anchor").count() == n
    if site.has_source:
        assert page.locator("mark.q").count() >= site.result.spans
        # a click on a highlighted quote lists what it supports in the side panel
        page.locator("#part-s3\\.1\\.1 ~ mark.q").first.click()
        panel = page.locator("#qpanel")
        expect(panel).to_be_visible()
        expect(panel.locator("li.note").first).to_be_visible()
        assert panel.locator("a").count() >= 1
        # section navigation
        page.locator("nav.toc a[href='#part-s4']").click()
        expect(page).to_have_url(re.compile(r"#part-s4$"))
        expect(page.locator("#part-s4")).to_be_in_viewport()


def test_entity_page_to_paper_and_back_in_the_other_language(watched: Page, base: str, site: BuiltSite) -> None:
    page = watched
    page.goto(base + "en/id/problem/P1.1.html")
    expect(page.locator("h1")).to_contain_text("P1.1")
    expect(page.locator("section#links-out li.link").first).to_be_visible()
    expect(page.locator("section#links-out .status").first).to_have_text(re.compile("stated|interpreted"))
    shot(page, base, "entity")
    first = page.locator("#quotes a.inpaper").first
    target = first.get_attribute("href") or ""
    first.click()
    expect(page).to_have_url(re.compile(r"paper\.html#ev-[0-9a-f]+$"))
    if site.has_source:
        anchor = target.split("#", 1)[1]
        expect(page.locator(f"#{anchor}")).to_be_attached()
        expect(page.locator("mark.q.on").first).to_be_in_viewport()
        expect(page.locator("#qpanel li.note").first).to_contain_text("P1.1")
        shot(page, base, "paper")
    # the language switch keeps the place in the paper
    page.locator("#langswitch").click()
    expect(page).to_have_url(re.compile(r"zh/paper\.html#ev-[0-9a-f]+$"))
    expect(page.locator("html")).to_have_attribute("lang", "zh")


def test_explorer_click_through_a_chain(watched: Page, base: str) -> None:
    page = watched
    page.goto(base + "zh/explorer.html?problem=P1.1")
    page.wait_for_function("window.yrdExplorer && window.yrdExplorer.cy.nodes().length > 5")
    expect(page.locator("#xproblem")).to_have_value("P1.1")
    edges = page.locator("#xlist button.edge")
    total = edges.count()
    assert total > 10
    assert page.evaluate("window.yrdExplorer.cy.edges().not('.partOf').length") == total
    # an edge: its quote, its status, the pages at both ends
    edges.first.click()
    detail = page.locator("#xdetail")
    expect(detail.locator("q").first).to_be_visible()
    expect(detail.locator("a.inpaper").first).to_have_attribute("href", re.compile(r"^paper\.html#ev-"))
    expect(detail.locator(".st")).to_have_count(1)
    shot(page, base, "explorer")
    # a node, clicked on the canvas
    pos = page.evaluate("""() => { const n = window.yrdExplorer.cy.getElementById('problem:P1.1');
                                   const p = n.renderedPosition(); return [p.x, p.y]; }""")
    box = page.locator("#cy").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + pos[0], box["y"] + pos[1])
    expect(detail.locator("a.page")).to_contain_text("P1.1")
    # only what the text states
    for status in ("Interpreted", "Echoed"):
        page.locator(f"input[name=status][value={status}]").uncheck()
    stated = edges.count()
    assert 0 < stated < total
    assert page.evaluate("window.yrdExplorer.cy.edges().not('.partOf').not('.st-Stated').length") == 0
    # follow the chain: from the remedy list to a remedy's page, and from a problem page back to its chain
    remedy = page.locator("#xlist button.edge", has_text="回应").first
    if remedy.count() == 0:
        remedy = edges.first
    remedy.click()
    detail.locator("a.page").first.click()
    expect(page).to_have_url(re.compile(r"zh/id/\w+/[\w.\-]+\.html$"))
    expect(page.locator("article.entity")).to_be_visible()
    page.goto(base + "zh/id/problem/P4.2.html")
    page.locator("a.explore").click()
    page.wait_for_function("window.yrdExplorer && window.yrdExplorer.cy.nodes().length > 5")
    expect(page.locator("#xproblem")).to_have_value("P4.2")
    expect(page.locator("#xdetail a.page")).to_contain_text("P4.2")


def test_search_chinese_and_english(watched: Page, base: str) -> None:
    page = watched
    page.goto(base + "zh/search.html?q=" + "同质化")
    count = page.locator("#result-count")
    expect(count).not_to_have_attribute("data-n", "0")
    expect(page.locator("#results a", has_text="P1.1").first).to_be_visible()
    expect(page.locator("#results li.r-p").first).to_be_visible()  # quotes too
    # the search box of any page
    page.goto(base + "en/id/problem/P1.1.html")
    page.locator("header input[name=q]").fill("Jiangs")
    page.locator("header input[name=q]").press("Enter")
    expect(page).to_have_url(re.compile(r"en/search\.html\?q=Jiangs$"))
    hit = page.locator("#results > ol > li > a[href='id/place/jiangsu.html']")
    expect(hit).to_be_visible()
    page.locator("#q").fill("链长制")
    first = page.locator("#results > ol > li > a").first
    expect(first).to_have_attribute("href", "id/instrument/chain-chief-system.html")
    first.click()
    expect(page.locator("h1")).to_have_text("Chain-chief system")


def test_charts_and_tables(watched: Page, base: str) -> None:
    page = watched
    page.goto(base + "en/charts.html")
    expect(page.locator("svg.chart")).to_have_count(3)
    expect(page.locator("td.slip")).to_have_count(2)
    expect(page.locator("#cube-table1 td.slip a")).to_have_text("0.1990")
    expect(page.locator("#cube-table2 td.slip a")).to_have_text("32")
    expect(page.locator("svg.chart text.val.slip")).to_have_count(2)
