"""The chain graph: expected chains from the paper, cycles, SPARQL/networkx agreement, reverse, filters, speed."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from yrd_kg.chains.analysis import analyse, find_cycles
from yrd_kg.chains.graph import ChainGraph, chain_graph_from_store
from yrd_kg.chains.model import AmbiguousNodeError, ChainEdge, ChainNode, NodeNotFoundError
from yrd_kg.chains.trace import explain, remedies_of, trace
from yrd_kg.namespaces import ID

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "chains"
P = str(ID) + "problem/"
F = str(ID) + "factor/"
R = str(ID) + "recommendation/"
B = str(ID) + "path/"
I = str(ID) + "instrument/"  # noqa: E741


@pytest.fixture(scope="module")
def cg(store) -> ChainGraph:  # type: ignore[no-untyped-def]
    return chain_graph_from_store(store)


@pytest.fixture(scope="module")
def cycle_cg() -> ChainGraph:
    import pyoxigraph as ox

    from yrd_kg.dataset.store import add_file

    st = ox.Store()
    add_file(st, FIXTURES / "cycle.ttl")
    return chain_graph_from_store(st)


def _edge(cg: ChainGraph, s: str, rel: str, o: str) -> ChainEdge:
    found = [e for e in cg.out_edges(s) if e.target == o and e.relation == rel]
    assert found, f"no {rel} edge {s} -> {o}"
    return found[0]


def _nows(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --------------------------------------------------------------------------- the graph


def test_graph_is_typed(cg: ChainGraph) -> None:
    kinds = {n.kind for n in cg.nodes.values()}
    assert {"cause", "problem", "effect", "path", "action", "recommendation", "measure", "instrument", "actor"} <= kinds
    assert len(cg.subpoints()) == 12
    assert len(cg.shortcomings()) == 4
    rels = {e.relation for e in cg.edges()}
    assert rels == {"causes", "contributesTo", "addresses", "supports", "uses", "involves", "partOf", "cites",
                    "exemplifiedBy"}
    for e in cg.edges():
        assert e.status in ("stated", "echoed", "interpreted")
        if e.relation != "partOf":
            assert e.evidence, f"{e.link} has no evidence"
        if e.status == "interpreted":
            assert e.rationale_zh and e.rationale_en, f"{e.link} is interpreted without a rationale"
    # every measure reaches its recommendation and every action its path
    for n in cg.of_kind("measure", "action"):
        assert any(e.relation == "partOf" for e in cg.out_edges(n.iri)), n.iri
    # labels in both languages
    for n in cg.of_kind("problem", "measure", "action"):
        assert n.label_zh and n.label_en and n.notation


def test_factor_with_both_types_records_both(cg: ChainGraph) -> None:
    both = [n for n in cg.nodes.values() if {"cause", "effect"} <= set(n.kinds)]
    assert both, "expected at least one factor typed both yrd:Cause and yrd:Effect"
    assert all(n.kind == "cause" for n in both)


# --------------------------------------------------------------------------- expected chains (one per shortcoming)

EXPECTED = [
    # (problem traced, the node the chain ends or starts at, section, hops). Since issue 18 a factor that a
    # sub-point's passage lists as a part is yrd:partOf it (a root of its trace), not its cause.
    # P1: MNC-led legacy clusters → firms going it alone → no chain-wide joint force → P1.3 (三.1.3)
    ("P1.3", P + "P1.3", "causes",
     [(F + "firms-going-it-alone", "causes", F + "no-chain-wide-synergy", "难以形成产业链整体合力", "s3.1.3"),
      (F + "no-chain-wide-synergy", "contributesTo", P + "P1.3", "集群产业生态体系有待优化", "s3.1.3")]),
    # P2: complex administrative affiliations → P2.2 obstacles to flows (stated: 由于…)
    ("P2.2", P + "P2.2", "causes",
     [(F + "complex-administrative-affiliations", "causes", P + "P2.2", "由于诸多城市间行政隶属关系复杂", "s3.2.2"),
      (P + "P2.2", "causes", F + "no-cross-regional-iur-integration",
       "跨行政区域的产学研一体化格局尚未普遍形成", "s3.2.2")]),
    # P3: no top-level design → no inter-city interaction, a part of P3.2 (stated: 由于…)
    ("P3.2", F + "lack-of-inter-city-interaction", "causes",
     [(F + "lack-of-top-level-design", "causes", F + "lack-of-inter-city-interaction", "但由于缺乏顶层设计", "s3.3.2")]),
    # P3: P3.1 weak interconnection → fragmentation (interpreted; the introduction's word)
    ("P3.1", P + "P3.1", "effects",
     [(P + "P3.1", "contributesTo", F + "fragmentation", "有助于缓解区域产业发展碎片化", "s1")]),
    # P4: administrative barriers → P4.1 restricted factor flow → weak basis for division of labour (stated: 使得)
    ("P4.1", P + "P4.1", "causes",
     [(F + "administrative-barriers", "causes", P + "P4.1", "要素自由流动遭遇行政壁垒", "s3.4"),
      (P + "P4.1", "causes", F + "weak-basis-for-division-of-labour",
       "要素自由流动受限使得产业分工协作基础不牢", "s3.4.1")]),
]


@pytest.mark.parametrize(("problem", "end", "section", "hops"), EXPECTED, ids=[f"{e[0]}-{e[2]}" for e in EXPECTED])
def test_expected_chain(cg: ChainGraph, source_text: str, problem: str, end: str, section: str,
                        hops: list[tuple[str, str, str, str, str]]) -> None:
    res = trace(cg, cg.resolve(problem), depth=3)
    nows = _nows(source_text)
    visited = {(e.source, e.relation, e.target) for e in res.edges}
    for s, rel, o, quote, locator in hops:
        assert (s, rel, o) in visited, f"{problem}: missing {s} {rel} {o}"
        e = _edge(cg, s, rel, o)
        ev = [x for x in e.evidence if quote in x.quote]
        assert ev, f"{s} {rel} {o}: no evidence quoting {quote!r}"
        assert ev[0].locator == locator
        # the quote is verbatim in the paper, at its anchored offsets (whitespace-free text)
        assert _nows(ev[0].quote) in nows
        if ev[0].start is not None:
            assert nows[ev[0].start:ev[0].end] == _nows(ev[0].quote)
    # the chain runs cause → problem (or its part) → effect in one of the enumerated chains
    assert end == P + problem or end in cg.parts(P + problem)
    if section == "causes":
        up = [c for c in res.chains if c.section == "causes" and hops[0][0] in c.nodes]
        assert up and up[0].nodes[-1] == end
    else:
        down = [c for c in res.chains if c.section == "effects" and hops[-1][2] in c.nodes]
        assert down and down[0].nodes[0] == end


def test_remedy_chain_reaches_recommendation_and_instrument(cg: ChainGraph, source_text: str) -> None:
    res = trace(cg, P + "P1.1", depth=3)
    chain = [c for c in res.chains if c.section == "remedies" and c.nodes[:2] == (P + "P1.1", R + "R2.3")]
    ends = {c.nodes[-1] for c in chain}
    assert R + "R2" in ends
    assert I + "industry-alliance" in ends
    e = _edge(cg, R + "R2.3", "addresses", P + "P1.1")
    assert e.stated
    assert any("严惩各地区低层次重复建设和过度同质竞争" in x.quote and x.locator == "s5.2.3" for x in e.evidence)
    assert "严惩各地区低层次重复建设和过度同质竞争" in _nows(source_text)


def test_shortcoming_trace_includes_subpoints(cg: ChainGraph) -> None:
    res = trace(cg, P + "P1", depth=1)
    assert res.roots == [P + "P1", P + "P1.1", P + "P1.2", P + "P1.3"]
    sub = trace(cg, P + "P1.2", depth=1)
    # a sub-point traced on its own also roots its parts (the factors its passage lists, issue 18)
    parts = set(cg.parts(P + "P1.2"))
    assert parts == {F + "chain-master-insufficient-coordination", F + "poor-embedding-of-supporting-firms",
                     F + "spillovers-not-released", F + "weak-chain-aggregation-capacity"}
    assert set(sub.roots) == {P + "P1.2"} | parts
    assert set(sub.nodes) - parts <= set(res.nodes)


# --------------------------------------------------------------------------- cycles


def test_cycle_fixture_is_reported_and_trace_terminates(cycle_cg: ChainGraph) -> None:
    cycles, truncated = find_cycles(cycle_cg)
    assert not truncated
    assert cycles == [[F + "cyc-a", F + "cyc-b", P + "P9.1", F + "cyc-c"]]
    t0 = time.perf_counter()
    res = trace(cycle_cg, P + "P9.1", depth=50)
    assert time.perf_counter() - t0 < 1.0
    assert set(res.nodes) >= {F + "cyc-a", F + "cyc-b", F + "cyc-c"}
    # each node once per section, each edge once
    assert len(res.sections["causes"]) == 4  # b→P, a→b, c→a, P→c (the cycle closes)
    keys = [e.key for e in res.sections["causes"]]
    assert len(keys) == len(set(keys))
    an = analyse(cycle_cg)
    assert an.cycles == cycles
    assert an.remedies_addressing_nothing == [R + "R9.2"]
    assert an.problems_unreached == []


def test_cycle_fixture_text_marks_repeats(cycle_cg: ChainGraph) -> None:
    from yrd_kg.chains.text import trace_text

    text = trace_text(trace(cycle_cg, P + "P9.1", depth=50), "en")
    assert "(see above)" in text
    assert text.count("[problem] P9.1 Test sub-point") <= 4


def test_real_causal_graph_cycles_agree_with_networkx(cg: ChainGraph) -> None:
    import networkx as nx

    from yrd_kg.chains.analysis import causal_subgraph

    cycles, _ = find_cycles(cg)
    assert len(cycles) == len(list(nx.simple_cycles(causal_subgraph(cg))))


# --------------------------------------------------------------------------- SPARQL and networkx agree

REMEDIES_SPARQL = """
PREFIX yrd: <https://w3id.org/yrd-kg/ontology#>
SELECT DISTINCT ?r WHERE { ?r (yrd:addresses|yrd:supports/yrd:addresses) ?p }
"""


def test_remedy_sets_agree_with_sparql(cg: ChainGraph, store) -> None:  # type: ignore[no-untyped-def]
    import pyoxigraph as ox

    assert len(cg.subpoints()) == 12
    for n in cg.subpoints():
        q = REMEDIES_SPARQL.replace("?p }", f"<{n.iri}> }}")
        sparql = {row["r"].value for row in store.query(q, use_default_graph_as_union=True)
                  if isinstance(row["r"], ox.NamedNode)}
        assert sparql, f"{n.notation}: no remedy in SPARQL"
        assert remedies_of(cg, n.iri) == sparql, n.notation


def test_reverse_problems_agree_with_sparql(cg: ChainGraph, store) -> None:  # type: ignore[no-untyped-def]
    q = """PREFIX yrd: <https://w3id.org/yrd-kg/ontology#>
    SELECT DISTINCT ?p WHERE { <%s> (yrd:addresses|yrd:supports/yrd:addresses) ?p }"""
    for m in cg.of_kind("measure"):
        sparql = {row["p"].value for row in store.query(q % m.iri, use_default_graph_as_union=True)}
        res = trace(cg, m.iri, reverse=True, depth=2)
        got = {n.iri for n in res.problems() if not n.is_shortcoming}
        assert got == sparql, m.notation


# --------------------------------------------------------------------------- reverse, filters, explain


def test_reverse_finds_problems_of_a_measure(cg: ChainGraph) -> None:
    res = trace(cg, cg.resolve("R2.3"), reverse=True)
    probs = {n.notation for n in res.problems()}
    assert {"P1.1", "P3.2", "P3.3", "P4.1"} <= probs
    assert {"P1", "P3", "P4"} <= probs  # up to the shortcoming
    rec = trace(cg, cg.resolve("R2"), reverse=True)
    assert probs <= {n.notation for n in rec.problems()}


def test_only_stated_drops_interpreted(cg: ChainGraph) -> None:
    full = trace(cg, P + "P1.1")
    stated = trace(cg, P + "P1.1", only_stated=True)
    assert any(not e.stated for e in full.edges)
    assert all(e.stated for e in stated.edges)
    assert len(stated.edges) < len(full.edges)
    assert F + "industrial-isomorphism" in full.nodes  # reached by an interpreted link only
    assert F + "industrial-isomorphism" not in stated.nodes
    assert remedies_of(cg, P + "P1.1", only_stated=True) < remedies_of(cg, P + "P1.1")


def test_depth_limits(cg: ChainGraph) -> None:
    d0 = trace(cg, P + "P1.1", depth=0)
    # depth 0: the sub-point and its one part (三.1.1's overlapping priority industries), joined by partOf only
    assert list(d0.nodes) == [P + "P1.1", F + "overlapping-priority-industries"]
    assert [e.relation for e in d0.edges] == ["partOf"]
    d1 = trace(cg, P + "P1.1", depth=1)
    assert max(d1.hops.values()) == 1
    d3 = trace(cg, P + "P1.1", depth=3)
    assert set(d1.nodes) < set(d3.nodes)


def test_explain_shortest_chain_with_evidence(cg: ChainGraph) -> None:
    chains = explain(cg, P + "P1.1", I + "industry-alliance")
    assert chains
    assert all(len(c) == 2 for c in chains)
    c = next(c for c in chains if c.nodes[1] == R + "R2.3")
    assert [e.relation for e in c.edges] == ["addresses", "uses"]
    assert all(e.evidence for e in c.edges)
    assert not explain(cg, P + "P1.1", I + "industry-alliance", directed=True)  # no directed path problem → remedy
    directed = explain(cg, R + "R2.3", P + "P1", directed=True)
    assert directed and [e.relation for e in directed[0].edges] == ["addresses", "partOf"]


# --------------------------------------------------------------------------- resolving names


def test_resolve_numbers_iris_and_labels(cg: ChainGraph) -> None:
    assert cg.resolve("P1.1") == P + "P1.1"
    assert cg.resolve("p1.1") == P + "P1.1"
    assert cg.resolve("3.1.1") == P + "P1.1"
    assert cg.resolve("3.4") == P + "P4"
    assert cg.resolve("5.2.3") == R + "R2.3"
    assert cg.resolve("4.1.1") == B + "B1.1"
    assert cg.resolve("problem:P1.1") == P + "P1.1"
    assert cg.resolve(P + "P4.3") == P + "P4.3"
    assert cg.resolve("同质化竞争比较明显") == P + "P1.1"
    assert cg.resolve("fairly evident") == P + "P1.1"
    with pytest.raises(NodeNotFoundError):
        cg.resolve("no such thing at all")


def test_ambiguous_label_lists_matches(cg: ChainGraph) -> None:
    with pytest.raises(AmbiguousNodeError) as info:
        cg.resolve("集群", prefer=("problem",))
    matches = {n.notation for n in info.value.matches}
    assert {"P1.1", "P1.3", "P3.1", "P3.2"} <= matches
    msg = info.value.message("zh")
    assert msg.startswith("ambiguous:") and "problem:P1.1" in msg


# --------------------------------------------------------------------------- analyses


def test_analysis(cg: ChainGraph) -> None:
    an = analyse(cg)
    assert an.problems_unreached == []
    assert an.remedies_addressing_nothing == []
    _top, direct, total = an.remedy_reach[0]
    assert total >= direct >= 1
    assert total == max(t for _, _, t in an.remedy_reach)
    assert set(an.stated_counts) == {n.iri for n in cg.subpoints()}
    assert an.instrument_indegree[0][1] >= an.instrument_indegree[-1][1]
    assert len(an.instrument_betweenness) == len(cg.of_kind("instrument"))
    d = an.as_dict()
    assert {"remedy_reach", "cycles", "problems_no_remedy_reaches", "instrument_betweenness"} <= set(d)


# --------------------------------------------------------------------------- performance


def _synthetic(n_problems: int = 10_000) -> ChainGraph:
    """About 100k nodes: per problem 3 causes (chained), 2 effects, 3 remedies, 1 instrument, 1 actor."""
    nodes: list[ChainNode] = []
    edges: list[ChainEdge] = []
    for i in range(n_problems):
        p = f"urn:p{i}"
        nodes.append(ChainNode(p, ("problem",), f"P{i}.1", f"问题{i}", f"problem {i}"))
        prev = p
        for j in range(3):
            c = f"urn:c{i}.{j}"
            nodes.append(ChainNode(c, ("cause",), "", f"原因{i}.{j}", f"cause {i}.{j}"))
            edges.append(ChainEdge(c, prev, "causes", "stated", link=f"urn:l:c{i}.{j}"))
            prev = c
        for j in range(2):
            e = f"urn:e{i}.{j}"
            nodes.append(ChainNode(e, ("effect",), "", f"后果{i}.{j}", f"effect {i}.{j}"))
            edges.append(ChainEdge(p, e, "causes", "interpreted", link=f"urn:l:e{i}.{j}"))
        # effects feed the next problem: one connected causal graph
        edges.append(ChainEdge(f"urn:e{i}.1", f"urn:p{(i + 1) % n_problems}", "contributesTo", "interpreted",
                               link=f"urn:l:x{i}"))
        for j in range(2):
            r = f"urn:r{i}.{j}"
            nodes.append(ChainNode(r, ("measure",), f"R{i}.{j}", f"措施{i}.{j}", f"measure {i}.{j}"))
            edges.append(ChainEdge(r, p, "addresses", "stated", link=f"urn:l:r{i}.{j}"))
            edges.append(ChainEdge(r, f"urn:t{i}", "uses", "stated", link=f"urn:l:t{i}.{j}"))
        nodes.append(ChainNode(f"urn:t{i}", ("instrument",), "", f"工具{i}", f"tool {i}"))
        nodes.append(ChainNode(f"urn:a{i}", ("actor",), "", f"主体{i}", f"actor {i}"))
        edges.append(ChainEdge(f"urn:r{i}.0", f"urn:a{i}", "involves", "stated", link=f"urn:l:a{i}"))
    return ChainGraph(nodes, edges)


@pytest.mark.slow
def test_trace_is_fast_on_100k_nodes() -> None:
    big = _synthetic()
    assert len(big) >= 100_000
    best = min(_time(lambda: trace(big, "urn:p5000", depth=3)) for _ in range(3))
    assert best <= 0.1, f"trace took {best:.3f}s"
    best = min(_time(lambda: remedies_of(big, "urn:p42")) for _ in range(3))
    assert best <= 0.01


def _time(fn) -> float:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


# ----------------------------------------------------------- issues 16 and 18: strengths, neighbourhood, parts, reverse


def test_min_strength_keeps_stated_and_echoed(cg: ChainGraph) -> None:
    full = trace(cg, P + "P1.2")
    echoed = trace(cg, P + "P1.2", min_strength="echoed")
    stated = trace(cg, P + "P1.2", min_strength="stated")
    strengths = [{e.status for e in t.edges if e.relation != "partOf"} for t in (full, echoed, stated)]
    assert strengths[0] == {"stated", "echoed", "interpreted"}
    assert strengths[1] == {"stated", "echoed"} and strengths[2] == {"stated"}
    assert B + "B1.3" in echoed.nodes and B + "B1.3" not in stated.nodes  # 链长制: an echo, not a statement
    assert stated.min_strength == "stated" and stated.only_stated
    assert trace(cg, P + "P1.2", only_stated=True).edges == stated.edges
    with pytest.raises(Exception, match="unknown strength"):
        trace(cg, P + "P1.2", min_strength="strong")


def test_causal_factor_parts_appear_in_the_sub_points_trace(cg: ChainGraph) -> None:
    """Factors typed only yrd:CausalFactor (parts since issue 18) are nodes of the graph and roots of the trace."""
    parts = set(cg.parts(P + "P3.3"))
    only_parts = {F + "local-government-reluctance-to-coordinate", F + "localised-cluster-promotion-agencies",
                  F + "lack-of-major-public-service-platforms", F + "shortage-of-cross-regional-industry-funds",
                  F + "limited-role-of-industry-alliances", F + "lagging-industrial-coordination-mechanisms"}
    assert parts == only_parts
    assert all(cg.nodes[p].kinds == ("factor",) and cg.nodes[p].kind == "other" for p in parts)
    res = trace(cg, P + "P3.3", depth=1)
    assert set(res.roots) == {P + "P3.3"} | parts
    assert {e.source for e in res.sections["structure"]} == parts


def test_causal_neighbourhood(cg: ChainGraph) -> None:
    """The causes' other effects and the effects' other causes, within the depth."""
    res = trace(cg, P + "P1.1", depth=2)
    side = {(e.source, e.target) for e in res.sections["neighbourhood"]}
    # 一: the sprawl of development zones also leads to duplicate construction, an effect of P1.1
    assert (F + "development-zone-sprawl", F + "duplicate-construction-and-resource-dispersion") in side
    assert res.hops[F + "development-zone-sprawl"] == 2
    assert "neighbourhood" not in trace(cg, P + "P1.1", depth=1).sections  # that effect is 1 hop out: no room
    assert len(trace(cg, P + "P1.1", depth=3).sections["neighbourhood"]) >= len(side)


REVERSE_SPARQL = """PREFIX yrd: <https://w3id.org/yrd-kg/ontology#>
SELECT DISTINCT ?p WHERE {
  ?l yrd:linkPredicate ?pred ; yrd:linkObject <%s> ; yrd:linkSubject ?r .
  FILTER(?pred IN (yrd:involvesActor, yrd:usesInstrument, yrd:citesDocument, yrd:exemplifiedBy))
  ?r a ?c . FILTER(?c IN (yrd:PathAction, yrd:PolicyMeasure))
  ?r (yrd:addresses|yrd:supports/yrd:addresses) ?p .
}"""


@pytest.mark.parametrize("start", ["actor/central-government", "instrument/chain-chief-system",
                                   "document/yrd-market-regulation-14fyp", "exemplar/suzhou-industrial-park"])
def test_reverse_from_actor_instrument_document_exemplar(cg: ChainGraph, store, start: str) -> None:  # type: ignore[no-untyped-def]
    """From what a remedy acts with to the problems it helps remedy; the same set as a SPARQL path."""
    iri = str(ID) + start
    res = trace(cg, iri, reverse=True, depth=3)
    got = {n.iri for n in res.problems() if not n.is_shortcoming}
    sparql = {row["p"].value for row in store.query(REVERSE_SPARQL % iri, use_default_graph_as_union=True)}
    assert got == sparql and got, start
    # a problem that names the instrument is not a remedy of anything
    assert all(e.source not in {P + "P1.2"} for e in res.edges if e.relation == "uses")


def test_reverse_from_central_government(cg: ChainGraph) -> None:
    res = trace(cg, str(ID) + "actor/central-government", reverse=True)
    assert {n.notation for n in res.problems()} == {"P1", "P1.1", "P3", "P3.2", "P3.3", "P4", "P4.2", "P4.3"}


def test_analysis_counts_per_strength(cg: ChainGraph) -> None:
    an = analyse(cg)
    # docs/ARGUMENT.md, "Counts": causal 27/4/25, remedy 4/24/54, support 0/9/8
    assert an.links_by_strength == {"causal": (28, 5, 23), "remedy": (4, 26, 52), "support": (0, 10, 7)}
    assert an.stated_counts[P + "P1.1"] == (2, 0, 4)
    assert sum(sum(v) for v in an.stated_counts.values()) == 82
    assert P + "P1.2" in an.no_stated and an.only_interpreted == []
    stated = analyse(cg, min_strength="stated")
    assert stated.links_by_strength == an.links_by_strength  # the counts always count all three
    assert len(stated.problems_unreached) > 0  # 9 sub-points have no stated remedy


def test_trace_text_words(cg: ChainGraph) -> None:
    from yrd_kg.chains.text import trace_text

    zh = trace_text(trace(cg, P + "P1.2", depth=1), "zh")
    assert "├─ 组成部分\n│  ├─ ← 包含 [组成部分] “链主”尚未充分协调产业链各节点" in zh
    assert "→ 文中点名 (原文明说) [政策工具] 链长制" in zh  # not "uses": the problem's passage names it
    assert "← 得到回应 (措辞呼应) [路径行动] B1.3" in zh
    assert "图谱解读" in zh and "原文明说" in zh
    en = trace_text(trace(cg, P + "P1.2", depth=1), "en")
    assert "← is addressed by (echoed) [action] B1.3" in en and "→ names (stated) [instrument] Chain-chief system" in en
    rev = trace_text(trace(cg, I + "chain-chief-system", reverse=True), "en")
    assert "← is used by (stated) [action] B1.3" in rev
