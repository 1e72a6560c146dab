"""The static site without a browser: pages for every kind, links that resolve, every quote highlighted,
the paper's slips marked, search, atomic and byte-identical builds."""

from __future__ import annotations

import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pyoxigraph as ox
import pytest

from site_support import SOURCE, BuiltSite, built_site

Y = "https://w3id.org/yrd-kg/ontology#"
ID = "https://w3id.org/yrd-kg/id/"


@pytest.fixture(scope="module")
def site(store: ox.Store) -> BuiltSite:
    return built_site(store)


def count(store: ox.Store, where: str) -> int:
    q = f"PREFIX yrd: <{Y}> PREFIX qb: <http://purl.org/linked-data/cube#> SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {where} }}"
    return int(next(iter(store.query(q, use_default_graph_as_union=True)))["n"].value)


class Links(HTMLParser):
    """Every href/src and id of a page, and the html lang."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str, dict[str, str | None]]] = []
        self.ids: set[str] = set()
        self.lang = ""
        self.classes: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang") or ""
        if a.get("id"):
            self.ids.add(str(a["id"]))
        if a.get("class"):
            self.classes.append(str(a["class"]))
        for k in ("href", "src"):
            if a.get(k) is not None:
                self.refs.append((tag, str(a[k]), a))


_PARSED: dict[Path, Links] = {}


def parsed(path: Path) -> Links:
    if path not in _PARSED:
        p = Links()
        p.feed(path.read_text(encoding="utf-8"))
        _PARSED[path] = p
    return _PARSED[path]


def html_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.html"))


# ------------------------------------------------------------------------------------------ pages


def test_build_figures(site: BuiltSite, store: ox.Store) -> None:
    r = site.result
    assert r.entities == count(store, f'?x ?p ?o FILTER(isIRI(?x) && STRSTARTS(STR(?x), "{ID}") '
                                      f'&& !STRSTARTS(STR(?x), "{ID}evidence/") && !STRSTARTS(STR(?x), "{ID}link/"))')
    assert r.evidence == count(store, "?x a yrd:Evidence") == 1463
    assert r.links == count(store, "?x a yrd:Link") == 462
    assert r.terms == count(store, f'?x ?p ?o FILTER(STRSTARTS(STR(?x), "{Y}") && STR(?x) != "{Y}")')
    # every page exists once in each language, plus the root landing page
    pages = [p.relative_to(site.path).as_posix() for p in html_files(site.path)]
    zh = {p[3:] for p in pages if p.startswith("zh/")}
    en = {p[3:] for p in pages if p.startswith("en/")}
    assert zh == en
    assert r.pages == len(pages) == 2 * len(zh) + 1


@pytest.mark.parametrize(("cls", "expected"), [
    ("Shortcoming", 4), ("ProblemSubPoint", 12), ("BreakthroughPath", 5), ("PathAction", 15),
    ("PolicyRecommendation", 4), ("PolicyMeasure", 12), ("Finding", 13), ("Reference", 16),
])
def test_paper_counts_in_listings(site: BuiltSite, cls: str, expected: int) -> None:
    """The listing of each kind names as many entities as the paper has (4 shortcomings, 12 sub-points …)."""
    for lang in ("zh", "en"):
        page = site.path / lang / "list" / f"yrd-{cls}.html"
        links = [h for t, h, a in parsed(page).refs if t == "a" and h.startswith("../id/")]
        assert len(links) == expected, (lang, cls)


KINDS = ["Shortcoming", "ProblemSubPoint", "BreakthroughPath", "PathAction", "PolicyRecommendation", "PolicyMeasure",
         "PolicyInstrument", "Actor", "Region", "PolicyDocument", "Industry", "Exemplar", "TheoryOrConcept", "Reference",
         "Finding"]


@pytest.mark.parametrize("cls", KINDS)
def test_every_entity_of_every_kind_has_pages(site: BuiltSite, store: ox.Store, cls: str) -> None:
    q = f"PREFIX yrd: <{Y}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> " \
        f"SELECT DISTINCT ?x WHERE {{ ?x a/rdfs:subClassOf* yrd:{cls} }}"
    iris = sorted(r["x"].value for r in store.query(q, use_default_graph_as_union=True))
    assert iris, cls
    for iri in iris:
        assert iri.startswith(ID)
        for lang in ("zh", "en"):
            page = site.path / lang / "id" / f"{iri[len(ID):]}.html"
            assert page.is_file(), page
            assert f"<code>{iri}</code>" in page.read_text(encoding="utf-8")


def test_table_cells_and_ontology_terms_have_pages(site: BuiltSite, store: ox.Store) -> None:
    obs = count(store, "?x a qb:Observation")
    assert obs == 124
    for lang in ("zh", "en"):
        assert len(list((site.path / lang / "id" / "obs").glob("*.html"))) == obs
        terms = list((site.path / lang / "ontology").rglob("*.html"))
        assert len(terms) == site.result.terms + 1  # + the index
    assert (site.path / "zh" / "ontology" / "classes" / "Problem.html").is_file()
    # yrd:AssertionStatus (class) and yrd:assertionStatus (property) differ only in case: separate folders
    assert (site.path / "en" / "ontology" / "classes" / "AssertionStatus.html").is_file()
    assert (site.path / "en" / "ontology" / "properties" / "assertionStatus.html").is_file()


def test_lang_attributes_and_switch(site: BuiltSite) -> None:
    for page in html_files(site.path):
        rel = page.relative_to(site.path).as_posix()
        p = parsed(page)
        if rel == "index.html":
            assert p.lang == "zh"
            continue
        lang = rel.split("/", 1)[0]
        assert p.lang == lang, rel
        switch = [h for t, h, a in p.refs if a.get("id") == "langswitch"]
        assert len(switch) == 1, rel
        other = "en" if lang == "zh" else "zh"
        assert (page.parent / switch[0]).resolve() == (site.path / other / rel[3:]).resolve()


def test_links_resolve_and_nothing_is_fetched(site: BuiltSite) -> None:
    """Every relative link and resource exists (and its #fragment too); no resource comes from the network."""
    missing, fragments, remote = [], [], []
    for page in html_files(site.path):
        for tag, ref, _attrs in parsed(page).refs:
            parts = urlsplit(ref)
            if ref == "data:,":  # the empty icon (stops the browser asking for /favicon.ico)
                continue
            if parts.scheme in ("http", "https"):
                if tag != "a":
                    remote.append((page, ref))
                continue
            assert not parts.scheme and not ref.startswith("/"), (page, ref)  # relative only (no endpoint given)
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if not target.is_file():
                missing.append((page, ref))
                continue
            if parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in parsed(target).ids:
                fragments.append((page, ref))
    assert not missing, missing[:5]
    assert not fragments, fragments[:5]
    assert not remote, remote[:5]
    for js in (site.path / "assets").rglob("*.js"):
        text = js.read_text(encoding="utf-8")
        assert "fetch(" not in text or js.name == "cytoscape.min.js"
        assert "XMLHttpRequest" not in text or js.name == "cytoscape.min.js"


def test_vendored_library_has_licence(site: BuiltSite) -> None:
    lic = site.path / "assets" / "vendor" / "cytoscape" / "LICENSE"
    assert "The Cytoscape Consortium" in lic.read_text(encoding="utf-8")
    readme = (site.path / "assets" / "vendor" / "README.md").read_text(encoding="utf-8")
    assert "3.35.0" in readme and "MIT" in readme
    digest = hashlib.sha256((site.path / "assets" / "vendor" / "cytoscape" / "cytoscape.min.js").read_bytes()).hexdigest()
    assert digest in readme


# ------------------------------------------------------------------------------------------ the paper


def test_every_anchored_quote_is_highlighted(site: BuiltSite, store: ox.Store) -> None:
    if not site.has_source:
        pytest.skip(f"source text not found at {SOURCE}")
    anchored = count(store, "?x a yrd:Evidence ; yrd:start ?s ; yrd:end ?e")
    assert site.result.quotes_highlighted == anchored == 1463
    for lang in ("zh", "en"):
        page = site.path / lang / "paper.html"
        text = page.read_text(encoding="utf-8")
        anchors = re.findall(r'<span class="ev-anchor" id="(ev-[0-9a-f]+)" data-s="(\d+)"></span>', text)
        assert len(anchors) == len({a for a, _ in anchors}) == anchored
        spans = {s for _, s in anchors}
        assert len(spans) == site.result.spans
        # every span is highlighted and has its note
        marked = set(" ".join(re.findall(r'<mark class="q d\d" data-s="([\d ]+)">', text)).split())
        assert marked == spans
        assert len(re.findall(r'<li class="note" id="s-\d+"', text)) == len(spans)
        assert f'data-n="{anchored}"' in text
    # the page break inside 比比皆 / 是 is joined again, and the whole text is there
    text = (site.path / "zh" / "paper.html").read_text(encoding="utf-8")
    plain = re.sub(r"<[^>]+>", "", text)
    assert "比比皆" in plain and "⁞" in plain


def test_quote_links_land_on_their_anchor(site: BuiltSite) -> None:
    page = site.path / "en" / "id" / "problem" / "P1.1.html"
    evs = [h for t, h, a in parsed(page).refs if "paper.html#ev-" in h]
    assert evs
    paper_ids = parsed(site.path / "en" / "paper.html").ids
    assert all(h.split("#", 1)[1] in paper_ids for h in evs)


def test_paper_without_source_lists_the_quotes_and_says_why(store: ox.Store, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from yrd_kg.site.build import render_site

    monkeypatch.setenv("YRD_KG_SOURCE", str(tmp_path / "absent.txt"))
    r = render_site(store)
    text = r.files["zh/paper.html"].decode()
    assert 'id="no-source"' in text and "absent.txt" in text and "source text not found" in text
    assert text.count('class="ev-anchor"') == 1463
    assert r.source is None and "absent.txt" in r.problem


def test_explicit_source_must_match_the_checksum(store: ox.Store, tmp_path: Path) -> None:
    from yrd_kg.site.build import SiteError, build_site

    bad = tmp_path / "paper.txt"
    bad.write_text("not the paper\n", encoding="utf-8")
    with pytest.raises(SiteError, match="SHA-256"):
        build_site(store, tmp_path / "out", source=bad)
    assert not (tmp_path / "out").exists()


def test_cube_tables_mark_the_papers_slips(site: BuiltSite) -> None:
    """Table 1's pharmaceutical share (printed 0.1990, 0.1991 computed) and Table 2's high-tech-park total (32 vs 36)."""
    for lang in ("zh", "en"):
        text = (site.path / lang / "charts.html").read_text(encoding="utf-8")
        slips = re.findall(r'<td class="num slip" data-obs="([^"]+)"><a [^>]*>([^<]+)</a>', text)
        assert sorted(slips) == [(ID + "obs/t1-pharmaceutical-yrd-share", "0.1990"),
                                 (ID + "obs/t2-national-high-tech-parks-yrd", "32")]
        assert "<b>0.1990</b>" in text and "<b>0.1991</b>" in text and "<b>32</b>" in text and "<b>36</b>" in text
        # the printed values, not recomputed ones, in the cells and on the bars
        assert ">1147.58</a>" in text and ">1147.58</text>" in text
        assert text.count('class="num"') + len(slips) == 63 + 30
    paper = (site.path / "zh" / "paper.html").read_text(encoding="utf-8")
    assert 'id="cube-table1"' in paper and 'id="cube-table2"' in paper


def test_status_labels_come_from_the_graph(store: ox.Store) -> None:
    """A third status (as yrd:Echoed will be) is shown with its own label, on pages and in the explorer."""
    from yrd_kg.site.build import render_site

    copy = ox.Store()
    copy.extend(store)
    q = f"PREFIX yrd: <{Y}> SELECT ?l WHERE {{ ?l a yrd:Link ; yrd:linkSubject <{ID}problem/P1.1> ; " \
        f"yrd:linkPredicate yrd:causes ; yrd:assertionStatus ?s }}"
    link = next(iter(copy.query(q, use_default_graph_as_union=True)))["l"]
    g = ox.NamedNode("urn:test:echo")
    status, echoed = ox.NamedNode(Y + "assertionStatus"), ox.NamedNode(Y + "Echoed")
    for quad in list(copy.quads_for_pattern(link, status, None)):
        copy.remove(quad)
    copy.add(ox.Quad(link, status, echoed, g))
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    copy.add(ox.Quad(echoed, label, ox.Literal("原文呼应", language="zh"), g))
    copy.add(ox.Quad(echoed, label, ox.Literal("echoed", language="en"), g))
    r = render_site(copy)
    page = r.files["en/id/problem/P1.1.html"].decode()
    assert 'class="status st-Echoed" data-status="Echoed"' in page and ">echoed<" in page
    assert ">原文呼应<" in r.files["zh/id/problem/P1.1.html"].decode()
    data = r.files["data/explorer.js"].decode()
    assert '{"en":"echoed","key":"Echoed","zh":"原文呼应"}' in data
    assert 'value="Echoed" checked' in r.files["zh/explorer.html"].decode()


# ------------------------------------------------------------------------------------------ queries, search


def test_query_pages(site: BuiltSite, store: ox.Store) -> None:
    from yrd_kg.site.build import render_site

    qdir = site.path / "zh" / "queries"
    from yrd_kg.sparql.catalogue import list_queries

    assert len(list(qdir.glob("*.html"))) == len(list_queries()) + 1 == 71 + 1  # 62 reports and CONSTRUCTs, 9 gates
    text = (qdir / "table1-leading-province.html").read_text(encoding="utf-8")
    assert "表1:每个产业利润最高的省市" in text and 'id="no-endpoint"' in text
    assert "1816.98" in text  # the rows at build time
    r = render_site(store, endpoint="/sparql")
    page = r.files["en/queries/table1-leading-province.html"].decode()
    m = re.search(r'<a class="run" id="run" href="([^"]+)"', page)
    assert m is not None and m.group(1).startswith("/sparql?query=")
    sent = unquote(m.group(1).split("=", 1)[1].replace("&amp;", "&"))
    assert '"en"' in sent and "?_lang" not in sent.split("WHERE", 1)[1]


def test_search_index_finds_chinese_and_english(site: BuiltSite) -> None:
    import json

    from yrd_kg.site.search import search

    raw = (site.path / "data" / "search-index.js").read_text(encoding="utf-8")
    index = json.loads(raw[raw.index("=") + 1:].rstrip().rstrip(";"))
    docs = index["docs"]

    def urls(q: str) -> list[str]:
        return [docs[i]["u"] for i in search(index, q)]

    assert "id/problem/P1.1.html" in urls("同质化竞争")       # bigrams
    assert "id/problem/P1.1.html" in urls("homogeneous competition")  # words, any order
    assert "id/place/jiangsu.html" in urls("Jiangs")           # prefix
    assert any(u.startswith("paper.html#ev-") for u in urls("逐底竞争"))  # quotes
    assert urls("链") and all("链" in (docs[i]["zh"] + docs[i].get("x", "")) for i in search(index, "链"))
    assert urls("同质化竞争比较明显不存在的词") == []             # bigram candidates are confirmed by substring
    # summaries written "English / 中文" are put back in their languages
    q = next(d for d in docs if d["u"] == "queries/claims-without-evidence-violation.html")
    assert q["zh"] == "没有证据的论证链接和论断节点" and q["en"] == "Links and claim nodes without evidence"


# ------------------------------------------------------------------------------------------ writing


def tree_digest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_byte_identical_rebuild(site: BuiltSite, store: ox.Store, tmp_path: Path) -> None:
    from yrd_kg.site.build import build_site

    again = build_site(store, tmp_path / "again", source=SOURCE if site.has_source else None)
    assert again.files == site.result.files
    assert tree_digest(tmp_path / "again") == tree_digest(site.path)


def test_atomic_replace_and_refusal(store: ox.Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from yrd_kg.site import build as b

    out = tmp_path / "site"
    b.write_atomically({"a.html": b"1", b.MARKER: b"x"}, out)
    b.write_atomically({"b.html": b"2", b.MARKER: b"x"}, out)
    assert sorted(p.name for p in out.iterdir()) == [b.MARKER, "b.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no temporary folder left beside it
    # a failure half-way leaves the old site in place
    monkeypatch.setattr(Path, "write_bytes", lambda self, data: (_ for _ in ()).throw(OSError("disk full")))
    with pytest.raises(OSError, match="disk full"):
        b.write_atomically({"c.html": b"3", b.MARKER: b"x"}, out)
    monkeypatch.undo()
    assert sorted(p.name for p in out.iterdir()) == [b.MARKER, "b.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    # a folder that is not a site is never replaced
    other = tmp_path / "mine"
    other.mkdir()
    (other / "thesis.tex").write_text("keep me", encoding="utf-8")
    with pytest.raises(b.SiteError, match="not a yrd-kg site"):
        b.write_atomically({"a.html": b"1"}, other)
    assert (other / "thesis.tex").read_text(encoding="utf-8") == "keep me"


def test_site_command_refuses_a_missing_source(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from yrd_kg.cli.main import main

    out = CliRunner().invoke(main, ["site", "--output", str(tmp_path / "s"), "--source", str(tmp_path / "none.txt")])
    assert out.exit_code == 2, out.output
    assert out.stderr.strip() == f"error: {tmp_path / 'none.txt'}: source text not found"
    assert not (tmp_path / "s").exists()


@pytest.mark.slow
def test_byte_identical_in_another_process(site: BuiltSite, tmp_path: Path) -> None:
    """Another interpreter with another hash seed writes the same bytes (no set or dict order leaks out)."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONHASHSEED": "4242"}
    if site.has_source:
        env["YRD_KG_SOURCE"] = str(SOURCE)
    out = tmp_path / "other"
    subprocess.run([sys.executable, "-m", "yrd_kg", "site", "--output", str(out)], check=True, env=env,
                   capture_output=True, timeout=600)
    assert tree_digest(out) == tree_digest(site.path)
