"""The saved-query catalogue: headers, expected rows from the paper, safe parameters, read-only guard, engines."""

from __future__ import annotations

import re
import warnings
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import yaml
from rdflib import BNode, Literal, URIRef
from rdflib.compare import isomorphic

import yrd_kg.resources as resources
from yrd_kg.dataset.terms import from_ox, to_graph
from yrd_kg.namespaces import PREFIXES
from yrd_kg.sparql.binding import bind_parameters, expand_curie, inline_terms
from yrd_kg.sparql.catalogue import SavedQuery, get_query, list_queries, param_type, params_of
from yrd_kg.sparql.engines import Engine, OxigraphEngine, RdflibEngine
from yrd_kg.sparql.errors import ParameterError, QueryError, ReadOnlyError, UnknownQueryError
from yrd_kg.sparql.guard import check_read_only
from yrd_kg.sparql.results import ResultTable
from yrd_kg.sparql.run import make_engine, run_query, run_sparql

ID = "https://w3id.org/yrd-kg/id/"
ALL = list_queries()
OWN = [q for q in ALL if q.kind != "violation"]
REPORTS = [q for q in ALL if q.kind == "report"]
CONSTRUCTS = [q for q in ALL if q.kind == "construct"]
#: a sample value for every parameter name used by the catalogue
SAMPLE = {"problem_iri": "problem:P4.2", "remedy_iri": "recommendation:R2.1", "node_iri": "instrument:chain-chief-system"}


def iri(curie: str) -> URIRef:
    pfx, local = curie.split(":", 1)
    return URIRef(PREFIXES[pfx] + local)


@pytest.fixture(scope="module")
def dataset():  # type: ignore[no-untyped-def]
    from yrd_kg.dataset.store import open_dataset

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return open_dataset().rdflib_dataset()


def run(store: ox.Store, name: str, **kw: Any) -> ResultTable:
    return run_query(name, store=store, **kw)


def params_for(q: SavedQuery) -> dict[str, str]:
    return {p.name: SAMPLE[p.name] for p in q.params if p.required}


# --------------------------------------------------------------------------- catalogue


def test_catalogue_size() -> None:
    assert len(REPORTS) >= 25
    names = {q.name for q in CONSTRUCTS}
    assert {"construct-chain-graph", "construct-glossary", "construct-problem-subgraph",
            "construct-web-annotation"} <= names


@pytest.mark.parametrize("q", ALL, ids=lambda q: q.name)
def test_every_query_parses_and_has_summary(q: SavedQuery) -> None:
    ox.Store().query(q.text)  # raises SyntaxError when pyoxigraph cannot parse it
    assert q.summary_en or q.summary_zh, f"{q.path}: no '#+ summary:' header"


@pytest.mark.parametrize("q", OWN, ids=lambda q: q.name)
def test_header_is_strict_yaml_with_both_languages(q: SavedQuery) -> None:
    lines = [ln[3:] for ln in q.text.splitlines() if ln.startswith("#+ ")]
    header = yaml.safe_load("\n".join(lines))
    assert isinstance(header, dict)
    for key in ("summary", "description", "tags"):
        assert header.get(key), f"{q.name}: header lacks {key}"
    assert q.summary_zh and q.summary_en, f"{q.name}: summary needs 'zh / en'"
    if q.kind == "report":
        assert q.columns, f"{q.name}: report needs '#+ columns:'"
    for p in q.params:
        if p.name != "lang":
            assert p.description, f"{q.name}: parameter {p.name} undocumented in '#+ params:'"


@pytest.mark.parametrize("q", ALL, ids=lambda q: q.name)
def test_each_summary_half_is_in_its_own_language(q: SavedQuery) -> None:
    """The zh half has CJK characters, the en half none, whichever order the header writes them in."""
    cjk = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
    assert cjk.search(q.summary("zh")), f"{q.name}: zh summary {q.summary('zh')!r}"
    assert not cjk.search(q.summary("en")), f"{q.name}: en summary {q.summary('en')!r}"


def test_violation_summaries_list_in_english_with_lang_en() -> None:
    from click.testing import CliRunner

    from yrd_kg.cli.main import main

    out = CliRunner().invoke(main, ["queries", "--kind", "violation", "--lang", "en"])
    assert out.exit_code == 0 and out.output.count("\n") == len(list_queries(kind="violation"))
    assert not re.search(r"[\u3000-\u9fff]", out.output), out.output
    assert "Orphan instances that nothing points to" in out.output


def test_readme_lists_every_query() -> None:
    readme = (Path(resources.queries_dir()) / "README.md").read_text(encoding="utf-8")
    for q in OWN:
        assert f"`{q.name}`" in readme, f"queries/README.md does not list {q.name}"


def test_param_types_from_names() -> None:
    assert param_type("_problem_iri") == "iri"
    assert param_type("_lang") == "lang"
    assert param_type("_n_int") == "int"
    assert param_type("_x_num") == "num"
    assert param_type("_region") == "literal"
    q = get_query("measures-for-problem")
    assert [(p.name, p.type, p.required) for p in q.params] == [("problem_iri", "iri", True), ("lang", "lang", False)]


@pytest.mark.parametrize("q", REPORTS, ids=lambda q: q.name)
def test_report_columns_match_header(store: ox.Store, q: SavedQuery) -> None:
    res = run(store, q.name, **params_for(q))
    assert res.columns == q.columns


# --------------------------------------------------------------------------- expected rows from the paper


def rows(store: ox.Store, name: str, **kw: Any) -> list[dict[str, Any]]:
    return run(store, name, **kw).records()


def by(recs: list[dict[str, Any]], key: str) -> dict[Any, dict[str, Any]]:
    return {r[key]: r for r in recs}


def test_table1_leading_province(store: ox.Store) -> None:
    recs = by(rows(store, "table1-leading-province", lang="zh"), "industry_label")
    assert len(recs) == 9
    assert (recs["装备制造业"]["region_label"], recs["装备制造业"]["profit"]) == ("江苏", Decimal("1442.14"))
    assert (recs["汽车制造业"]["region_label"], recs["汽车制造业"]["profit"]) == ("上海", Decimal("594.34"))
    assert (recs["非金属矿物制品业"]["region_label"], recs["非金属矿物制品业"]["profit"]) == ("安徽", Decimal("488"))
    assert (recs["纺织服装产业"]["region_label"], recs["纺织服装产业"]["profit"]) == ("浙江", Decimal("318.75"))
    assert recs["食品加工制造业"]["region_label"] == "上海"


def test_table1_profit(store: ox.Store) -> None:
    recs = rows(store, "table1-profit", lang="zh")
    assert len(recs) == 54  # 9 industries x 6 profit columns
    cell = {(r["industry_label"], r["region_label"]): r["profit"] for r in recs}
    assert cell[("电子信息制造业", "江苏")] == Decimal("1147.58")
    assert cell[("石化产业", "中国")] == Decimal("13482.3")
    assert cell[("医药制造业", "长三角")] == Decimal("1280.15")


def test_table1_share_ranking(store: ox.Store) -> None:
    recs = rows(store, "table1-share-ranking", lang="zh")
    assert [r["industry_label"] for r in recs[:2]] == ["装备制造业", "石化产业"]
    assert recs[-1]["industry_label"] == "食品加工制造业"
    share = {r["industry_label"]: r["share"] for r in recs}
    assert share["电子信息制造业"] == "0.2502"
    assert share["装备制造业"] == "0.4508"
    assert share["医药制造业"] == "0.1990"  # the printed form: the store's decimal reads 0.199


def test_table2_counts(store: ox.Store) -> None:
    recs = rows(store, "table2-counts")
    assert len(recs) == 30
    cell = {(r["region"], r["indicator"]): r["count"] for r in recs}
    assert cell[(iri("place:china"), iri("indicator:national-advanced-manufacturing-clusters"))] == 45
    assert cell[(iri("place:yrd"), iri("indicator:national-advanced-manufacturing-clusters"))] == 18
    assert cell[(iri("place:jiangsu"), iri("indicator:china-top-100-industrial-clusters"))] == 18
    assert cell[(iri("place:china"), iri("indicator:national-high-tech-parks"))] == 177


def test_table2_yrd_share_is_computed(store: ox.Store) -> None:
    recs = by(rows(store, "table2-yrd-share"), "indicator")
    amc = recs[iri("indicator:national-advanced-manufacturing-clusters")]
    assert (amc["yrd_count"], amc["national_count"], amc["share_computed"]) == (18, 45, Decimal("0.4"))
    assert recs[iri("indicator:china-top-100-industrial-clusters")]["share_computed"] == Decimal("0.47")
    assert recs[iri("indicator:national-innovative-industrial-clusters")]["share_computed"] == Decimal("0.1852")
    assert all(r["derivation"].startswith("computed") for r in recs.values())


def test_table_inconsistencies(store: ox.Store) -> None:
    recs = rows(store, "table-inconsistencies")
    got = {(r["table"], r["row_item"]): (r["printed"], r["computed"]) for r in recs}
    assert got == {
        (iri("dataset:table1"), iri("industry:pharmaceutical")): ("0.1990", Decimal("0.1991")),
        (iri("dataset:table2"), iri("indicator:national-high-tech-parks")): ("32", 36),
    }


def test_paper_structure(store: ox.Store) -> None:
    recs = rows(store, "paper-structure")
    assert [(r["order"], r["subsections"], r["sub_points"]) for r in recs] == [
        (1, 0, 0), (2, 3, 0), (3, 4, 12), (4, 5, 15), (5, 4, 12)]


def test_paper_counts(store: ox.Store) -> None:
    counts = {r["item"]: r["count"] for r in rows(store, "paper-counts")}
    assert counts == {"sections": 5, "subsections": 16, "sub-points": 39, "tables": 2, "table1 cells": 63,
                      "table2 cells": 30, "references": 16, "notes": 2, "citations": 18}


def test_measures_for_problem(store: ox.Store) -> None:
    recs = rows(store, "measures-for-problem", problem_iri="problem:P4.2")
    remedies = {r["remedy"] for r in recs}
    # 五.2.1 abolishes the investment-attraction subsidies that 三.4.2 blames
    assert iri("recommendation:R2.1") in remedies
    assert all(r["problem"] == iri("problem:P4.2") for r in recs)
    assert {r["status"] for r in recs} <= {iri("yrd:Stated"), iri("yrd:Echoed"), iri("yrd:Interpreted")}
    assert all(r["quote"] and r["locator"] for r in recs)
    r21 = [r for r in recs if r["remedy"] == iri("recommendation:R2.1")]
    assert any("取消各地招商引资竞争中的各类减免和财政补贴政策" in r["quote"] for r in r21)
    # a shortcoming gathers its sub-points
    whole = {r["problem"] for r in rows(store, "measures-for-problem", problem_iri="problem:P4")}
    assert whole == {iri("problem:P4.1"), iri("problem:P4.2"), iri("problem:P4.3")}


def test_problems_addressed_by_is_the_reverse(store: ox.Store) -> None:
    recs = rows(store, "problems-addressed-by", remedy_iri="recommendation:R2.1")
    assert iri("problem:P4.2") in {r["problem"] for r in recs}
    fwd = {(r["remedy"], r["problem"], r["status"]) for r in rows(store, "measures-for-problem",
                                                                   problem_iri="problem:P4.2")}
    rev = {(r["remedy"], r["problem"], r["status"]) for r in recs if r["problem"] == iri("problem:P4.2")}
    assert rev <= fwd


def test_remedies_per_problem(store: ox.Store) -> None:
    recs = by(rows(store, "remedies-per-problem"), "notation")
    assert len(recs) == 16  # 4 shortcomings + 12 sub-points
    for n in ("P1.1", "P2.2", "P3.3", "P4.2"):
        assert recs[n]["total"] == recs[n]["stated"] + recs[n]["echoed"] + recs[n]["interpreted"] > 0


def test_links_by_status(store: ox.Store) -> None:
    recs = rows(store, "links-by-status")
    statuses = {r["status"] for r in recs}
    assert statuses == {iri("yrd:Stated"), iri("yrd:Echoed"), iri("yrd:Interpreted")}
    preds = {r["predicate"] for r in recs}
    assert {iri("yrd:causes"), iri("yrd:addresses"), iri("yrd:usesInstrument")} <= preds


def test_interpreted_links_have_rationale(store: ox.Store) -> None:
    for lang in ("en", "zh"):
        recs = rows(store, "interpreted-links", lang=lang)
        assert recs and all(r["rationale"] for r in recs), f"interpreted link without a {lang} rationale"


def test_problem_chain(store: ox.Store) -> None:
    recs = rows(store, "problem-chain", problem_iri="problem:P1")
    hops = {r["hop"] for r in recs}
    assert {"cause", "remedy", "instrument", "actor"} <= hops
    assert all(r["status"] in (iri("yrd:Stated"), iri("yrd:Echoed"), iri("yrd:Interpreted")) for r in recs)
    # 三.1.2: the chain master (链主) under the chain-chief system (链长制) -> P1.2; 四.1.3 builds on 链长制
    assert any(r["hop"] == "instrument" and r["target"] == iri("instrument:chain-chief-system") for r in recs)


def test_instrument_usage(store: ox.Store) -> None:
    recs = rows(store, "instrument-usage")
    users = {(r["instrument"], r["user"]) for r in recs}
    assert (iri("instrument:chain-chief-system"), iri("path:B1.3")) in users
    assert (iri("instrument:industrial-map"), iri("recommendation:R1.2")) in users
    assert (iri("instrument:open-competition"), iri("path:B3.2")) in users
    assert {r["section"] for r in recs} == {"四", "五"}


def test_instruments_recurring(store: ox.Store) -> None:
    recs = rows(store, "instruments-recurring")
    assert recs and all(r["path_users"] >= 1 and r["recommendation_users"] >= 1 for r in recs)
    usage = rows(store, "instrument-usage")
    for r in recs:
        sections = {u["section"] for u in usage if u["instrument"] == r["instrument"]}
        assert sections == {"四", "五"}


def test_instruments_by_type(store: ox.Store) -> None:
    recs = rows(store, "instruments-by-type")
    pairs = {(r["type"], r["instrument"]) for r in recs}
    assert (iri("itype:nato-treasure"), iri("instrument:innovation-voucher")) in pairs
    assert (iri("itype:nato-organisation"), iri("instrument:chain-chief-system")) in pairs
    counts = by(rows(store, "instrument-type-counts"), "type")
    assert counts[iri("itype:nato-treasure")]["instruments"] == len(
        {r["instrument"] for r in recs if r["type"] == iri("itype:nato-treasure")})


def test_actor_tasks(store: ox.Store) -> None:
    recs = rows(store, "actor-tasks")
    pairs = {(r["actor"], r["remedy"]) for r in recs}
    assert (iri("actor:central-government"), iri("recommendation:R3.1")) in pairs  # 由中央牵头或授权
    assert (iri("actor:most"), iri("recommendation:R4.1")) in pairs  # 由科技部牵头
    assert (iri("actor:yrd-cooperation-office"), iri("recommendation:R1.1")) in pairs


def test_central_vs_local(store: ox.Store) -> None:
    recs = rows(store, "central-vs-local")
    central = {r["remedy"] for r in recs if r["level"] == "central"}
    local = {r["remedy"] for r in recs if r["level"] == "local"}
    assert central == {iri("recommendation:R3.1"), iri("recommendation:R4.1")}
    assert iri("recommendation:R3.2") in local  # 地方政府要充当好集群“织网人”


def test_city_mentions(store: ox.Store) -> None:
    recs = rows(store, "city-mentions", lang="zh")
    suzhou = [r for r in recs if r["city"] == iri("place:suzhou")]
    assert any("经济强市" in r["quote"] and r["how"] == "named" for r in suzhou)  # 三.2.1
    assert any("创新券通用通兑" in r["quote"] for r in suzhou)  # 五.4.2
    # P2.1 (三.2.1) points to Suzhou with a qualified yrd:targetsRegion link
    assert any(r["how"] == "targetsRegion" and r["context"] == iri("problem:P2.1") for r in suzhou)
    assert all(r["context"] is not None for r in recs)
    assert {r["how"] for r in recs} <= {"named", "targetsRegion", "locatedIn", "involvesActor"}
    with pytest.raises(UnknownQueryError, match="renamed to 'city-mentions'"):
        run(store, "place-roles")


def test_places_by_section(store: ox.Store) -> None:
    recs = rows(store, "places-by-section")
    named = {(r["section"], r["place"]) for r in recs}
    assert (iri("part:s3"), iri("place:nanjing")) in named
    assert (iri("part:s4"), iri("place:shanghai")) in named
    assert (iri("part:s2"), iri("place:silicon-valley")) in named
    assert (iri("part:s5"), iri("place:jiaxing")) in named


def test_figures_in_text(store: ox.Store) -> None:
    recs = rows(store, "figures-in-text")
    printed = {r["printed"] for r in recs}
    assert {"41%", "27%", "45%", "28%"} <= printed
    shares = {r["industry"]: r["value"] for r in recs if r["unit"] == "%"}
    assert shares[iri("industry:integrated-circuit")] == Decimal("41")
    assert shares[iri("industry:new-energy-vehicle")] == Decimal("45")


def test_documents_named(store: ox.Store) -> None:
    recs = rows(store, "documents-named")
    years = {r["document"]: r["year"] for r in recs}
    assert iri("document:yrd-integration-outline") in years
    assert str(years[iri("document:yrd-sci-tech-community-plan-2022")])[:4] == "2022"
    assert str(years[iri("document:shanghai-metropolitan-spatial-plan")])[:4] == "2022"
    assert iri("document:yrd-market-regulation-14fyp") in years


def test_references_by_section(store: ox.Store) -> None:
    recs = rows(store, "references-by-section")
    assert len(recs) == 18
    s1 = [r["ref_number"] for r in recs if r["section"] == iri("part:s1")]
    assert s1 == list(range(1, 14))  # [1]–[13] in section 一, in reading order
    s2 = {r["ref_number"] for r in recs if r["section"] == iri("part:s2")}
    assert s2 == {14, 15}
    counts = by(rows(store, "reference-counts-by-section"), "section")
    assert counts[iri("part:s1")]["citations"] == 13
    assert counts[iri("part:notes")]["citations"] == 3


def test_cited_author_positions(store: ox.Store) -> None:
    recs = rows(store, "cited-author-positions", lang="zh")
    by_ref = {r["cited"]: r for r in recs}
    assert "松散蔓延式的制造业布局" in by_ref[iri("ref:r1")]["statement"]
    assert by_ref[iri("ref:r2")]["authors"] == "Meijers E. J."
    assert iri("ref:r13") in by_ref  # 吴松强等, 2021: cross-boundary cooperation helps innovation


def test_lists_of_paths_recommendations_problems(store: ox.Store) -> None:
    assert len(rows(store, "paths-and-actions")) == 15
    assert len(rows(store, "recommendations-and-measures")) == 12
    assert len(rows(store, "problems-and-sub-points")) == 12
    first = rows(store, "paths-and-actions", lang="zh")[0]
    assert (first["path_notation"], first["action_notation"]) == ("B1", "B1.1")


def test_measures_supporting_paths(store: ox.Store) -> None:
    recs = rows(store, "measures-supporting-paths")
    assert recs
    assert all(str(r["measure"]).startswith(ID + "recommendation/") for r in recs)
    assert all(str(r["path"]).startswith(ID + "path/") for r in recs)


def test_unaddressed_problems(store: ox.Store) -> None:
    recs = rows(store, "unaddressed-problems")
    counts = by(rows(store, "remedies-per-problem"), "problem")
    for r in recs:
        c = counts[r["problem"]]
        assert (c["total"] == 0) if r["gap"] == "no remedy" else (c["stated"] == 0 < c["total"])


def test_evidence_for_node(store: ox.Store) -> None:
    recs = rows(store, "evidence-for-node", node_iri="instrument:chain-chief-system")
    quotes = {r["quote"] for r in recs}
    assert "在“链长制”改革基础上" in quotes
    assert {r["via"] for r in recs} >= {"node", "link (object)"}


# --------------------------------------------------------------------------- label language


def test_lang_picks_label_columns(store: ox.Store) -> None:
    zh = rows(store, "table1-leading-province", lang="zh")
    en = rows(store, "table1-leading-province", lang="en")
    assert "装备制造业" in {r["industry_label"] for r in zh}
    assert "Equipment manufacturing" in {r["industry_label"] for r in en}
    assert all(str(r["region_label"]).isascii() for r in en)


# --------------------------------------------------------------------------- constructs


def test_construct_chain_graph(store: ox.Store) -> None:
    res = run(store, "construct-chain-graph")
    g = res.graph
    assert g is not None and res.kind == "construct"
    yrd = PREFIXES["yrd"]
    links = set(g.subjects(URIRef(yrd + "linkPredicate"), None))
    assert len(links) > 100
    for link in list(links)[:50]:
        assert g.value(link, URIRef(yrd + "assertionStatus")) is not None
        assert g.value(link, URIRef(yrd + "linkSubject")) is not None
    kinds = {str(o) for o in g.objects(None, URIRef(PREFIXES["dcterms"] + "type"))}
    assert {"cause", "problem", "action", "measure", "instrument", "actor"} <= kinds
    assert "@prefix yrd:" in res.to_turtle()


def test_construct_problem_subgraph(store: ox.Store) -> None:
    g = run(store, "construct-problem-subgraph", problem_iri="problem:P4.2").graph
    assert g is not None
    objs = set(g.objects(None, URIRef(PREFIXES["yrd"] + "linkObject")))
    assert iri("problem:P4.2") in objs
    assert iri("problem:P1.1") not in objs


def test_construct_glossary(store: ox.Store) -> None:
    g = run(store, "construct-glossary").graph
    assert g is not None
    pref = URIRef(PREFIXES["skos"] + "prefLabel")
    labels = set(g.objects(iri("instrument:chain-chief-system"), pref))
    assert Literal("链长制", lang="zh") in labels and Literal("Chain-chief system", lang="en") in labels


def test_construct_web_annotation(store: ox.Store) -> None:
    g = run(store, "construct-web-annotation").graph
    assert g is not None
    oa = PREFIXES["oa"]
    anns = set(g.subjects(URIRef(PREFIXES["rdf"] + "type"), URIRef(oa + "Annotation")))
    assert len(anns) > 500
    ann = next(iter(anns))
    target = g.value(ann, URIRef(oa + "hasTarget"))
    assert g.value(target, URIRef(oa + "hasSource")) == iri("source:paper-zh-txt")
    sels = set(g.objects(target, URIRef(oa + "hasSelector")))
    types = {g.value(s, URIRef(PREFIXES["rdf"] + "type")) for s in sels}
    assert types == {URIRef(oa + "TextQuoteSelector"), URIRef(oa + "TextPositionSelector")}


# --------------------------------------------------------------------------- safe parameters


PARAMETERISED = [q for q in OWN if any(p.required for p in q.params)]


#: queries that name the parameter in a BIND inside a UNION branch: a VALUES block at the top would not reach it
#: (a nested group is evaluated on its own), so only the in-place constant gives their meaning
BIND_IN_BRANCH = {"problem-chain", "construct-problem-subgraph"}
_ONE_LEVEL = re.compile(r"\{ BIND\((<[^>]+>) AS \?problem\) \} UNION \{ \?problem yrd:partOf (<[^>]+>) \}"
                        r" UNION \{ \?problem yrd:partOf/yrd:partOf (<[^>]+>) \}")


def _same_answer(eng: OxigraphEngine, q: SavedQuery, bound: ResultTable, text: str) -> None:
    if q.kind == "construct":
        assert bound.graph is not None and isomorphic(bound.graph, to_graph(eng.construct(text)))
    else:
        assert Counter(bound.rows) == Counter(eng.select(text).rows)


@pytest.mark.parametrize("q", [q for q in PARAMETERISED if q.name not in BIND_IN_BRANCH], ids=lambda q: q.name)
def test_bound_parameter_equals_inline_values(store: ox.Store, q: SavedQuery) -> None:
    values = params_for(q)
    bound = run(store, q.name, **values)
    heads, terms = [], []
    for p in q.params:
        heads.append(f"?{p.var}")
        terms.append(f"<{expand_curie(values[p.name])}>" if p.name in values else '"en"')
    inline = q.text.replace("WHERE {", f"WHERE {{ VALUES ({' '.join(heads)}) {{ ({' '.join(terms)}) }}", 1)
    _same_answer(OxigraphEngine(store), q, bound, inline)
    assert len(bound) > 0


@pytest.mark.parametrize("name", sorted(BIND_IN_BRANCH))
@pytest.mark.parametrize("problem", ["problem:P1", "problem:P4", "problem:P2.3"])
def test_one_level_problem_pattern_equals_part_of_star(store: ox.Store, name: str, problem: str) -> None:
    """The portable "the problem, its sub-points or their parts" gives what ``?problem yrd:partOf* <P>`` gives."""
    q = get_query(name)
    bound = run(store, name, problem_iri=problem)
    text = bind_parameters(q.text, q.params, {"problem_iri": problem}, lang="en")
    star, n = _ONE_LEVEL.subn(lambda m: f"?problem yrd:partOf* {m.group(2)} .", text)
    assert n >= 5
    _same_answer(OxigraphEngine(store), q, bound, star)
    assert len(bound) > 0


def test_parameters_bind_as_constants_in_place() -> None:
    text = ('SELECT ?x WHERE { ?x ?p $_problem_iri . # ?_lang in a comment\n'
            '  OPTIONAL { ?x skos:prefLabel ?l FILTER(LANG(?l) = ?_lang) } FILTER(?l != "?_lang <?_lang>") }')
    params = params_of(text, {})
    bound = bind_parameters(text, params, {"problem_iri": "problem:P1"}, lang="zh")
    assert "VALUES" not in bound
    assert "?x ?p <https://w3id.org/yrd-kg/id/problem/P1> ." in bound
    assert 'FILTER(LANG(?l) = "zh")' in bound
    assert '# ?_lang in a comment' in bound and '"?_lang <?_lang>"' in bound  # strings and comments untouched


@pytest.mark.parametrize("text", [
    "SELECT ?_lang WHERE { ?s ?p ?o FILTER(LANG(?o) = ?_lang) }",
    'SELECT ?s WHERE { ?s ?p ?o BIND("zh" AS ?_lang) }',
    "SELECT ?s WHERE { ?s ?p ?o FILTER(LANG(?o) = ?_lang) } GROUP BY ?s ?_lang",
    "SELECT ?s WHERE { VALUES ?_lang { \"zh\" } ?s ?p ?o FILTER(LANG(?o) = ?_lang) }",
    "SELECT ?s WHERE { { SELECT ?s ?_lang WHERE { ?s ?p ?o } } }",
])
def test_parameter_where_no_constant_may_stand_binds_with_values(text: str) -> None:
    params = params_of(text, {})
    assert inline_terms(text, {"_lang": '"en"'}) is None
    bound = bind_parameters(text, params, {}, lang="en")
    assert 'VALUES (?_lang) { ("en") }' in bound
    assert bound.replace('\n  VALUES (?_lang) { ("en") }\n', "") == text


def test_iri_injection_is_refused(store: ox.Store) -> None:
    evil = "https://w3id.org/yrd-kg/id/problem/P1.1> } UNION { ?s ?p ?o"
    with pytest.raises(ParameterError) as exc:
        run(store, "measures-for-problem", problem_iri=evil)
    assert exc.value.param == "problem_iri" and "problem_iri" in str(exc.value)
    for bad in ("not an iri", "ftp://x/y", "javascript:alert(1)", "http://x/<y>", 'http://x/"', "http://x/{y}",
                "http://x/a b", "http://x/`", "http://x/\\", "http://x/^", "http://x/|"):
        with pytest.raises(ParameterError):
            run(store, "measures-for-problem", problem_iri=bad)


def test_literal_with_quotes_stays_a_literal(store: ox.Store) -> None:
    text = ('PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n'
            'SELECT ?x WHERE { ?x skos:prefLabel ?l FILTER(STR(?l) = ?_label) }')
    evil = 'x" || true) } UNION { ?x ?p ?o } #'
    assert len(run_sparql(text, store=store, label=evil)) == 0
    assert len(run_sparql(text, store=store, label="链长制")) == 1
    bound = bind_parameters(text, params_of(text, {}), {"label": evil})
    assert '"x\\" || true) } UNION { ?x ?p ?o } #"' in bound


def test_wrong_types_name_the_parameter(store: ox.Store) -> None:
    text = "SELECT ?n WHERE { BIND(?_n_int + 1 AS ?n) }"
    assert run_sparql(text, store=store, n_int="41").values() == [(42,)]
    for bad in ("4.5", "x", "1; DROP"):
        with pytest.raises(ParameterError, match="n_int"):
            run_sparql(text, store=store, n_int=bad)
    numtext = "SELECT ?n WHERE { BIND(?_x_num * 2 AS ?n) }"
    assert run_sparql(numtext, store=store, x_num="0.25").values() == [(Decimal("0.50"),)]
    with pytest.raises(ParameterError, match="x_num"):
        run_sparql(numtext, store=store, x_num="NaN")
    with pytest.raises(ParameterError, match="lang"):
        run(store, "table1-profit", lang='en") } #')
    with pytest.raises(ParameterError, match="problem_iri"):
        run(store, "measures-for-problem", problem_iri=42)


def test_unknown_and_missing_parameters_list_valid_ones(store: ox.Store) -> None:
    with pytest.raises(ParameterError, match="valid: problem_iri, lang") as exc:
        run(store, "measures-for-problem", problem="problem:P1")
    assert exc.value.param == "problem"
    with pytest.raises(ParameterError, match=r"missing parameter.*problem_iri"):
        run(store, "measures-for-problem")
    with pytest.raises(UnknownQueryError, match="no saved query"):
        run(store, "no-such-query")
    with pytest.raises(UnknownQueryError):
        run(store, "../pyproject")


def test_curie_and_full_iri_agree(store: ox.Store) -> None:
    a = run(store, "measures-for-problem", problem_iri="problem:P3.2")
    b = run(store, "measures-for-problem", problem_iri=ID + "problem/P3.2")
    assert a.rows == b.rows and len(a) > 0


# --------------------------------------------------------------------------- read-only guard


@pytest.mark.parametrize("text", [
    "INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
    "LOAD <http://example.org/data.ttl>",
    "CLEAR ALL", "DROP GRAPH <http://x/g>", "CREATE GRAPH <http://x/g>",
    "ADD <http://x/a> TO <http://x/b>", "MOVE DEFAULT TO <http://x/b>", "COPY <http://x/a> TO DEFAULT",
    "SELECT * WHERE { ?s ?p ?o } ; INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }",
])
def test_updates_are_refused(store: ox.Store, text: str) -> None:
    before = len(store)
    with pytest.raises(QueryError):
        run_sparql(text, store=store)
    assert len(store) == before


def test_update_message(store: ox.Store) -> None:
    with pytest.raises(ReadOnlyError, match="Update"):
        run_sparql("DROP ALL", store=store)


def test_service_and_remote_from_are_refused(store: ox.Store) -> None:
    svc = "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"
    with pytest.raises(ReadOnlyError, match="SERVICE"):
        run_sparql(svc, store=store)
    with pytest.raises(ReadOnlyError, match="SERVICE"):
        run_sparql("SELECT * WHERE { SERVICE SILENT ?e { ?s ?p ?o } }", store=store)
    with pytest.raises(ReadOnlyError, match="FROM"):
        run_sparql("SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }", store=store)
    with pytest.raises(ReadOnlyError, match="FROM"):
        run_sparql("SELECT * FROM NAMED <http://example.org/g> WHERE { ?s ?p ?o }", store=store)
    # allow-listed endpoints pass the guard
    assert check_read_only(svc, allow_endpoints=["http://example.org/sparql"]) == "SELECT"
    # a local graph is fine
    local = "SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/yrd-kg/graph/data/structure> WHERE { ?s ?p ?o }"
    assert check_read_only(local) == "SELECT"


def test_syntax_error_is_a_query_error(store: ox.Store) -> None:
    with pytest.raises(QueryError, match="syntax"):
        run_sparql("SELEKT * WHERE { ?s ?p ?o }", store=store)


# --------------------------------------------------------------------------- results


def test_result_formats(store: ox.Store) -> None:
    import json

    res = run(store, "table1-leading-province", lang="zh")
    data = json.loads(res.to_json())
    assert data["head"]["vars"] == list(res.columns)
    b0 = data["results"]["bindings"][0]
    assert b0["industry"]["type"] == "uri"
    assert b0["profit"] == {"type": "literal", "value": "1816.98",
                            "datatype": "http://www.w3.org/2001/XMLSchema#decimal"}
    assert b0["region_label"] == {"type": "literal", "value": "江苏", "xml:lang": "zh"}
    assert res.to_csv().splitlines()[0] == ",".join(res.columns)
    assert res.to_tsv().splitlines()[0].startswith("?industry\t")
    assert '"江苏"@zh' in res.to_tsv()
    assert res.to_markdown().startswith("| industry |")
    assert "industry:equipment" in res.to_text_table()
    with pytest.raises(QueryError):
        res.to_turtle()


def test_ask_and_describe(store: ox.Store) -> None:
    assert run_sparql("ASK { ?s ?p ?o }", store=store).boolean is True
    d = run_sparql("DESCRIBE <https://w3id.org/yrd-kg/id/problem/P1>", store=store)
    assert d.kind == "construct" and d.graph is not None and len(d.graph) > 0


def test_with_files_adds_data(store: ox.Store, tmp_path: Path) -> None:
    extra = tmp_path / "extra.ttl"
    extra.write_text('<https://example.org/x> <http://www.w3.org/2004/02/skos/core#prefLabel> "额外"@zh .\n',
                     encoding="utf-8")
    text = 'SELECT ?x WHERE { ?x <http://www.w3.org/2004/02/skos/core#prefLabel> "额外"@zh }'
    eng = OxigraphEngine(ox.Store())
    assert len(run_sparql(text, engine=eng)) == 0
    fresh = ox.Store()
    fresh.extend(store)  # a copy, so the session store is untouched
    assert len(run_sparql(text, store=fresh, with_files=[extra])) == 1
    with pytest.raises(QueryError, match="no such file"):
        run_sparql(text, store=fresh, with_files=[tmp_path / "missing.ttl"])


def test_engine_protocol() -> None:
    assert isinstance(OxigraphEngine(ox.Store()), Engine)
    remote = make_engine(endpoint="http://127.0.0.1:9/sparql")  # constructing contacts nothing
    assert isinstance(remote, Engine) and type(remote).__name__ == "RemoteEngine"
    with pytest.raises(Exception, match="only http and https"):
        make_engine(endpoint="file:///etc/passwd")


# --------------------------------------------------------------------------- both engines


def _norm(t: Any) -> Any:
    if isinstance(t, ox.NamedNode | ox.BlankNode | ox.Literal):
        t = from_ox(t)
    if isinstance(t, Literal):
        v = t.toPython()
        if isinstance(v, Decimal):
            v = v.normalize()
        return (type(v).__name__, v, t.language)
    return t


def _graph_key(g: Any) -> Counter[tuple[Any, ...]]:
    return Counter(tuple("_:" if isinstance(x, BNode) else _norm(x) for x in tr) for tr in g)




@pytest.mark.slow
@pytest.mark.parametrize("q", OWN, ids=lambda q: q.name)
def test_engines_agree(store: ox.Store, dataset: Any, q: SavedQuery) -> None:
    values = params_for(q)
    a = run_query(q.name, store=store, **values)
    b = run_query(q.name, engine=RdflibEngine(dataset), params=values)
    if q.kind == "construct":
        assert a.graph is not None and b.graph is not None
        # blank nodes collapsed (full isomorphism is too slow for ~8000 blank selector nodes)
        assert _graph_key(a.graph) == _graph_key(b.graph)
    else:
        assert a.columns == b.columns
        assert Counter(tuple(map(_norm, r)) for r in a.rows) == Counter(tuple(map(_norm, r)) for r in b.rows)


# --------------------------------------------------------------------------- catalogue queries for every kind of thing (issue 16)


def _cells(table: ResultTable) -> set[str]:
    return {c.value for row in table.rows for c in row if isinstance(c, ox.NamedNode)}


def test_every_class_with_instances_is_listed_by_a_saved_query(store: ox.Store) -> None:
    """For every class with (IRI) instances in the data graphs, one saved report lists all of them."""
    q = ('SELECT DISTINCT ?c ?x WHERE { GRAPH ?g { ?x a ?c } '
         'FILTER(STRSTARTS(STR(?g), "https://w3id.org/yrd-kg/graph/data/") && isIRI(?x)) }')
    instances: dict[str, set[str]] = {}
    for sol in store.query(q):
        instances.setdefault(sol[0].value, set()).add(sol[1].value)
    assert len(instances) >= 50
    listed = {r.name: _cells(run(store, r.name, lang="en", **params_for(r))) for r in REPORTS}
    missing = {}
    for cls, xs in instances.items():
        best = max(listed, key=lambda n: len(xs & listed[n]))
        if not xs <= listed[best]:
            missing[cls] = f"{len(xs - listed[best])} of {len(xs)} not in {best}"
    assert missing == {}
    # the test can fail: a class no report lists
    assert not any({"https://w3id.org/yrd-kg/id/none"} <= cells for cells in listed.values())


def test_exemplars_and_cases(store: ox.Store) -> None:
    recs = rows(store, "exemplars-and-cases", lang="zh")
    assert len({r["exemplar"] for r in recs}) == 8
    cited = {(r["exemplar"], r["cited_by"], r["strength"]) for r in recs}
    assert (iri("exemplar:suzhou-industrial-park"), iri("path:B2.3"), iri("yrd:Stated")) in cited  # 四.2.3 借鉴
    assert (iri("exemplar:shanghai-industrial-map"), iri("recommendation:R1.2"), iri("yrd:Stated")) in cited  # 五.1.2
    # named, not cited as a model
    assert {r["cited_by"] for r in recs if r["exemplar"] == iri("exemplar:boundary-spanning-world-clusters")} == {None}
    sip = [r for r in recs if r["exemplar"] == iri("exemplar:suzhou-industrial-park")]
    assert sip[0]["quote"] == "借鉴中新苏州工业园区开发集团股份有限公司经验,启动长三角各城市间联合开发运营"
    assert sip[0]["cited_by_notation"] == "B2.3"


def test_theories_and_concepts(store: ox.Store) -> None:
    recs = rows(store, "theories-and-concepts", lang="zh")
    assert len({r["concept"] for r in recs}) == 75
    by_concept = {(r["concept"], r["used_by"]): r for r in recs}
    marshall = by_concept[(iri("concept:marshall-industrial-district"), iri("concept:industrial-cluster"))]
    assert marshall["period"] == "19世纪末" and marshall["section"] == iri("part:s1")
    agg = by_concept[(iri("concept:agglomeration-economies"), iri("position:meijers-2015"))]
    assert agg["credited_to"] == iri("ref:r2") and agg["relation"] == "drawsOn"  # (Meijers, 2015)
    assert (iri("concept:path-dependence"), iri("paper:chen-zhang-2023")) in by_concept  # the abstract's own
    assert {r["relation"] for r in recs} == {"drawsOn", "restsOn", None}
    en = rows(store, "theories-and-concepts", lang="en")
    assert any(r["period"] == "late 19th century" for r in en)


def test_funding_and_grants(store: ox.Store) -> None:
    recs = rows(store, "funding-and-grants", lang="zh")
    assert [(r["grant_number"], r["programme"]) for r in recs] == [
        ("21BJY152", "国家社会科学基金一般项目"), ("22ZDA054", "国家社会科学基金重大项目")]
    assert all(r["locator"] == iri("part:funding") and r["grant_number"] in r["quote"] for r in recs)


def test_example_clusters(store: ox.Store) -> None:
    recs = rows(store, "example-clusters", lang="zh")
    assert len({r["cluster"] for r in recs}) == 10
    credit = {(r["cluster"], r["credited_to"], r["basis"]) for r in recs}
    for c in ("silicon-valley-internet", "seattle-aviation", "hsinchu-ic", "shenzhen-dongguan-communications"):
        assert (iri(f"cluster:{c}"), iri("ref:r14"), "cited in the same passage") in credit  # (刘志彪等, 2022)
    assert (iri("cluster:jia-kun-tai-automotive"), iri("ref:r12"), "the reference it stands in") in credit
    assert {r["credited_to"] for r in recs if r["cluster"] == iri("cluster:yrd-integrated-circuit")} == {None}
    places = {r["place"] for r in recs if r["cluster"] == iri("cluster:shenzhen-dongguan-communications")}
    assert places == {iri("place:shenzhen"), iri("place:dongguan"), iri("place:prd")}


def test_indicators_and_figures(store: ox.Store) -> None:
    recs = rows(store, "indicators-and-figures", lang="zh")
    obs = {r["observation"] for r in recs if r["observation"] is not None}
    assert len(obs) == 124  # every observation of the four data sets
    printed = {r["observation"]: r["printed"] for r in recs if r["observation"] is not None}
    assert printed[iri("obs:t1-pharmaceutical-yrd-share")] == "0.1990"
    assert printed[iri("obs:fig-four-provinces-similar-industries")] == "四地"
    parks = [r for r in recs if r["indicator"] == iri("indicator:national-high-tech-parks")]
    assert len(parks) == 6 and {r["dataset"] for r in parks} == {iri("dataset:table2")}  # 4 provinces, 长三角, 全国
    assert {r["kind"] for r in recs} == {"indicator", "measure"}


def test_datasets(store: ox.Store) -> None:
    recs = rows(store, "datasets")
    counts = {r["dataset"]: r["observations"] for r in recs}
    assert counts == {iri("dataset:table1"): 63, iri("dataset:table2"): 30, iri("dataset:text-figures"): 27,
                      iri("dataset:text-figure-shares"): 4}
    t1 = {(r["component"], r["component_kind"]) for r in recs if r["dataset"] == iri("dataset:table1")}
    assert {(iri("yrd:refIndustry"), "dimension"), (iri("yrd:profit"), "measure")} <= t1


def test_table1_province_totals(store: ox.Store) -> None:
    recs = by(rows(store, "table1-province-totals", lang="zh"), "region")
    cells = rows(store, "table1-profit")
    for region in ("place:china", "place:yrd", "place:jiangsu", "place:anhui"):
        expected = sum(r["profit"] for r in cells if r["region"] == iri(region))
        assert recs[iri(region)]["total_computed"] == expected
        assert recs[iri(region)]["industries"] == 9
    assert recs[iri("place:china")]["total_computed"] == Decimal("59216.68")
    assert recs[iri("place:yrd")]["share_of_national_computed"] == Decimal("0.2723")
    assert all(r["derivation"].startswith("computed") for r in recs.values())


def test_table1_shares_printed_beside_recomputed(store: ox.Store) -> None:
    recs = by(rows(store, "table1-shares", lang="zh"), "industry_label")
    assert len(recs) == 9
    pharma = recs["医药制造业"]
    assert (pharma["share_printed"], pharma["share_recomputed"], pharma["agrees"]) == ("0.1990", Decimal("0.1991"), "no")
    assert (pharma["yrd_printed"], pharma["national_printed"]) == ("1280.15", "6430.68")
    assert all(r["agrees"] == "yes" for k, r in recs.items() if k != "医药制造业")
    assert all(Decimal(r["yrd_printed"]) == r["yrd_recomputed"] for r in recs.values())  # Table 1's sums hold


def test_table2_leading_province(store: ox.Store) -> None:
    recs = by(rows(store, "table2-leading-province", lang="zh"), "indicator")
    assert len(recs) == 5
    parks = recs[iri("indicator:national-high-tech-parks")]
    assert (parks["region_label"], parks["count"], parks["yrd_printed"], parks["yrd_recomputed"]) == ("江苏", 18, "32", 36)
    sei = recs[iri("indicator:national-strategic-emerging-industry-clusters")]
    assert (sei["region_label"], sei["count"]) == ("上海", 4)
    amc = recs[iri("indicator:national-advanced-manufacturing-clusters")]
    assert (amc["count"], amc["yrd_printed"], amc["national_printed"]) == (10, "18", "45")


def test_instrument_families(store: ox.Store) -> None:
    recs = rows(store, "instrument-families", lang="zh")
    same = {r["path_instrument"] for r in recs if r["basis"] == "same instrument"}
    assert same == {r["instrument"] for r in rows(store, "instruments-recurring")}
    linked = [r for r in recs if r["basis"] == "supporting link"]
    assert linked and all(r["path_instrument"] != r["recommendation_instrument"] for r in linked)
    # 四.1.3 builds on the chain-chief system; 五.1.2's linkage mechanism supports it (echoed: 各方利益, 引导功能)
    chain = {(r["recommendation_instrument"], r["strength"], r["shared_wording"]) for r in linked
             if r["path_instrument"] == iri("instrument:chain-chief-system")}
    assert chain == {(iri("instrument:linkage-mechanism"), iri("yrd:Echoed"), "各方利益"),
                     (iri("instrument:linkage-mechanism"), iri("yrd:Echoed"), "引导功能")}
    # every supporting row rests on a real supports link and a NATO type both instruments have
    ask = ("PREFIX yrd: <https://w3id.org/yrd-kg/ontology#> ASK {{ ?l yrd:linkPredicate yrd:supports ; "
           "yrd:linkSubject <{m}> ; yrd:linkObject <{a}> ; yrd:assertionStatus <{s}> . "
           "<{p}> yrd:hasInstrumentType <{t}> . <{r}> yrd:hasInstrumentType <{t}> }}")
    for r in linked[:40]:
        assert run_sparql(ask.format(m=r["measure"], a=r["action"], s=r["strength"], p=r["path_instrument"],
                                     r=r["recommendation_instrument"], t=r["family_type"]), store=store).boolean


def test_quotes_in_reading_order(store: ox.Store) -> None:
    recs = rows(store, "quotes-in-reading-order")
    n = next(iter(store.query("PREFIX yrd: <https://w3id.org/yrd-kg/ontology#> "
                              "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a yrd:Evidence }",
                              use_default_graph_as_union=True)))[0]
    assert len({r["evidence"] for r in recs}) == int(n.value) == 1463
    starts = [r["start"] for r in recs if r["start"] is not None]
    assert starts == sorted(starts)
    assert recs[0]["quote"] == "【区域格局与产业发展】"


def test_argument_links(store: ox.Store) -> None:
    recs = rows(store, "argument-links")
    assert len(recs) == 462
    strength = Counter(r["strength"] for r in recs if r["predicate"] == iri("yrd:addresses"))
    assert strength == {iri("yrd:Stated"): 4, iri("yrd:Echoed"): 26, iri("yrd:Interpreted"): 52}  # docs/ARGUMENT.md
    assert all(r["rationale"] for r in recs if r["strength"] == iri("yrd:Interpreted"))


def test_causal_factors(store: ox.Store) -> None:
    recs = rows(store, "causal-factors", lang="zh")
    roles = Counter(r["role"] for r in recs)
    assert roles == {"cause": 45, "effect": 36, "part": 25}
    parts = [r for r in recs if r["role"] == "part"]
    assert all(r["part_of"] is not None and r["links_out"] == r["links_in"] == 0 for r in parts)
    assert {r["part_of_notation"] for r in parts} >= {"P3.3", "P4.3"}
    sprawl = [r for r in recs if r["factor"] == iri("factor:development-zone-sprawl")]
    assert sprawl and sprawl[0]["links_out"] >= 1


def test_industry_codes(store: ox.Store) -> None:
    recs = rows(store, "industry-codes", lang="zh")
    assert len({r["code"] for r in recs if r["code"] is not None}) == 23
    exact = {(r["industry"], r["notation"]) for r in recs if r["match"] == "exactMatch"}
    assert (iri("industry:pharmaceutical"), "27") in exact  # 医药制造业 = GB/T 4754 C27
    uncoded = {r["industry"] for r in recs if r["code"] is None}
    assert iri("industry:integrated-circuit") in uncoded


def test_actors_and_organisations(store: ox.Store) -> None:
    recs = by(rows(store, "actors-and-organisations", lang="zh"), "actor")
    assert len(recs) == 43
    nt = recs[URIRef(ID + "org/nantong-university")]
    assert (nt["kind"], nt["tasks"]) == ("organisation", 0)
    assert recs[iri("actor:central-government")]["tasks"] >= 1
    assert recs[iri("actor:local-government")]["kind"] == "role"


def test_paper_parts(store: ox.Store) -> None:
    recs = rows(store, "paper-parts", lang="zh")
    assert len(recs) == 98
    part = by(recs, "part")[iri("part:s3.1.1")]
    assert (part["kind"], part["parent"], part["span_start"], part["span_end"]) == (
        "SubPoint", iri("part:s3.1"), 4252, 4389)
    assert [r["span_start"] for r in recs] == sorted(r["span_start"] for r in recs)


def test_vocabularies(store: ox.Store) -> None:
    recs = rows(store, "vocabularies")
    per = Counter(r["scheme"] for r in recs)
    assert per[iri("scheme:instruments")] == 99 and per[iri("scheme:indicators")] == 33
    paths = [r["notation"] for r in recs if r["kind"] == "collection"]
    assert sorted(paths) == ["B1", "B2", "B3", "B4", "B5"]


def test_findings(store: ox.Store) -> None:
    recs = rows(store, "findings", lang="en")
    assert len({r["finding"] for r in recs}) == 13
    ref16 = [r for r in recs if r["finding"] == iri("finding:ref16-not-cited")]
    assert ref16 and ref16[0]["quote"].startswith("[16]潘彪,黄征学")
    assert all(r["statement"] for r in recs)


def test_reference_list(store: ox.Store) -> None:
    recs = rows(store, "reference-list")
    numbered = {r["ref_number"]: r for r in recs if r["ref_number"] is not None}
    assert sorted(numbered) == list(range(1, 17))
    assert numbered[16]["citations"] == 0 and numbered[14]["citations"] == 1  # [16] never cited
    assert numbered[14]["authors"] == "刘志彪,凌永辉,孔令池" and numbered[14]["type_code"] == "M"
    assert len(recs) == 19  # and the three works cited only in the notes


def test_paper_record(store: ox.Store) -> None:
    from yrd_kg.namespaces import SOURCE_SHA256

    recs = rows(store, "paper-record", lang="zh")
    items = {(r["item"], r["entity_label"]) for r in recs}
    assert {("author 1", "陈晓峰"), ("author 2", "张其松"), ("editor", "柳阳"), ("journal (ISSN)", "区域经济评论")} <= items
    value = {r["item"]: r["value"] for r in recs if r["item"] not in ("author 1", "grant")}
    assert value["source text (SHA-256)"] == SOURCE_SHA256
    assert (value["issue"], value["first page"], value["pages"], value["received"]) == ("6", "48", "8", "2023-08-06")
    assert {r["value"] for r in recs if r["item"] == "grant"} == {"21BJY152", "22ZDA054"}


def test_construct_chain_context(store: ox.Store) -> None:
    g = run(store, "construct-chain-context").graph
    assert g is not None
    y = PREFIXES["yrd"]
    preds = set(g.objects(None, URIRef(y + "linkPredicate")))
    assert preds == {URIRef(y + "citesDocument"), URIRef(y + "exemplifiedBy")}
    subjects = set(g.subjects(URIRef(y + "linkObject"), iri("exemplar:suzhou-industrial-park")))
    assert any(g.value(s, URIRef(y + "linkSubject")) == iri("path:B2.3") for s in subjects)
