"""The site and the query page through `yrd-kg serve`, in a real browser (Debian chromium driven by Playwright).

The server runs on 127.0.0.1 (a free port) in this process. A test fails on any console error,
uncaught exception, failed request, HTTP error or request that leaves the server. Screenshots of the
query page are kept in ``build/screenshots/``.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from serve_support import ROOT, served

pytestmark = [pytest.mark.browser, pytest.mark.server,
              pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods")]

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
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ARGS, "headless": True}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": {"width": 1400, "height": 900}, "locale": "en-GB"}


@pytest.fixture(scope="module")
def base(store: Any) -> Iterator[str]:
    with served(store) as run:
        yield run.url


@pytest.fixture
def watched(page: Page, base: str) -> Iterator[Page]:
    """The page, failing the test on console errors, page errors, failed, refused or off-server requests."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url} {r.failure}"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    page.on("request", lambda r: None if r.url.startswith((base, "data:")) else problems.append(f"off-server request: {r.url}"))

    def stay_local(route: Any) -> None:
        if route.request.url.startswith((base, "data:")):
            route.continue_()
        else:
            route.abort()

    page.route("**/*", stay_local)
    yield page
    assert not problems, problems


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def test_query_page_runs_the_example_and_a_saved_query(watched: Page, base: str) -> None:
    page = watched
    page.goto(base + "sparql")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#query")).to_have_value(re.compile(r"^PREFIX yrd: <https://w3id.org/yrd-kg/ontology#>"))
    page.locator("#run").click()
    rows = page.locator("#results table.results tbody tr")
    expect(rows).to_have_count(4)  # the four shortcomings
    expect(rows.first).to_contain_text("problem:P1")
    expect(rows.first).to_contain_text("集群同质化竞争态势严重")
    expect(page.locator("#status")).to_contain_text("4 rows")
    shot(page, "sparql-example")
    # a saved query with a parameter: through /api/, the parameter bound as `yrd-kg query -p` binds it
    page.locator("#saved").select_option("measures-for-problem")
    expect(page.locator("#query")).to_have_value(re.compile(r"\?_problem_iri"))
    page.locator("#param-problem_iri").fill("problem:P1.1")
    expect(page.locator("#mode")).to_contain_text("/api/measures-for-problem")
    page.locator("#query").press("Control+Enter")
    expect(page.locator("#status")).to_contain_text("rows")
    assert page.locator("#results table.results tbody tr").count() > 0
    shot(page, "sparql-saved")


def test_switch_language_and_dataset(watched: Page, base: str) -> None:
    page = watched
    page.goto(base + "sparql?lang=zh")
    expect(page.locator("#run")).to_have_text("运行")
    page.locator("#langswitch").click()
    expect(page.locator("#run")).to_have_text("Run")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator("#query").fill("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    page.locator("details.dataset summary").click()
    page.locator("#default-graphs").select_option("https://w3id.org/yrd-kg/graph/data/actors")
    page.locator("#run").click()
    expect(page.locator("#results td").nth(1)).to_have_text(re.compile(r"^660"))
    page.locator("#format").select_option("csv")
    page.locator("#run").click()
    expect(page.locator("#results pre.raw")).to_have_text("n\n660\n")


def test_run_link_of_the_site_and_iri_to_its_page(watched: Page, base: str) -> None:
    page = watched
    page.goto(base + "en/queries/problems-and-sub-points.html")
    page.locator("a#run").click()
    expect(page).to_have_url(re.compile(r"/sparql\?(lang=\w+&)?query="))
    rows = page.locator("#results table.results tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() > 10
    # an IRI in the answer dereferences to the site's page (303 by content negotiation)
    link = page.locator("#results a[href='/id/problem/P1.1']").first
    link.click()
    expect(page).to_have_url(re.compile(r"/en/id/problem/P1\.1\.html$"))
    expect(page.locator("h1")).to_contain_text("P1.1")
    shot(page, "served-entity")


def test_error_is_shown_not_thrown(page: Page, base: str) -> None:
    """A refused query: the 400 and its message on the page, no exception, nothing off the server."""
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.on("request", lambda r: None if r.url.startswith((base, "data:")) else errors.append(f"off-server: {r.url}"))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "400" not in m.text else None)
    page.goto(base + "sparql")
    page.locator("#query").fill("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    page.locator("#run").click()
    expect(page.locator("#results pre.error")).to_contain_text("400 refused: SERVICE http://example.org/sparql")
    expect(page.locator("#status")).to_contain_text("400")
    assert errors == []
