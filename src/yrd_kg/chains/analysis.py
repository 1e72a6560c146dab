"""Graph-wide answers over the chain graph (see ``docs/CHAINS.md``).

Links per strength (stated, echoed, interpreted), reach of remedies, problems with only interpreted
remedies, central instruments, causal cycles, gaps.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from yrd_kg.chains.graph import ChainGraph
from yrd_kg.chains.model import CAUSAL, REMEDY_KINDS, STRENGTHS, natural_key
from yrd_kg.chains.trace import _keep, _ok, remedies_of
from yrd_kg.namespaces import compact

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx


@dataclass
class Analysis:
    """Graph-wide answers (see ``docs/CHAINS.md``)."""

    remedy_reach: list[tuple[str, int, int]]
    """(remedy, problems addressed directly, problems addressed directly or through supported actions)"""
    recommendation_reach: list[tuple[str, int]]
    """(path or recommendation, distinct sub-points its parts reach)"""
    only_interpreted: list[str]
    """sub-points every remedy link of which is interpreted (none stated, none echoed)"""
    stated_counts: dict[str, tuple[int, int, int]]
    """sub-point → remedy links (stated, echoed, interpreted)"""
    instrument_indegree: list[tuple[str, int]]
    instrument_betweenness: list[tuple[str, float]]
    cycles: list[list[str]]
    cycles_truncated: bool
    remedies_addressing_nothing: list[str]
    problems_unreached: list[str]
    instruments_unused: list[str]
    factors_disconnected: list[str]
    links_by_strength: dict[str, tuple[int, int, int]]
    """kind of link (causal, remedy, support) → links (stated, echoed, interpreted), each link once"""
    no_stated: list[str]
    """sub-points no remedy link of which is stated"""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        c = compact
        return {
            "remedy_reach": [{"remedy": c(r), "direct": d, "with_support": t} for r, d, t in self.remedy_reach],
            "recommendation_reach": [{"node": c(r), "problems": n} for r, n in self.recommendation_reach],
            "links_by_strength": {k: dict(zip(STRENGTHS, v, strict=True)) for k, v in self.links_by_strength.items()},
            "only_interpreted_remedies": [c(p) for p in self.only_interpreted],
            "no_stated_remedy": [c(p) for p in self.no_stated],
            "remedy_links_by_strength": {c(p): dict(zip(STRENGTHS, v, strict=True)) for p, v in self.stated_counts.items()},
            "instrument_indegree": [{"instrument": c(i), "in_degree": n} for i, n in self.instrument_indegree],
            "instrument_betweenness": [{"instrument": c(i), "betweenness": round(b, 6)} for i, b in self.instrument_betweenness],
            "cycles": [[c(n) for n in cyc] for cyc in self.cycles],
            "cycles_truncated": self.cycles_truncated,
            "remedies_addressing_nothing": [c(r) for r in self.remedies_addressing_nothing],
            "problems_no_remedy_reaches": [c(p) for p in self.problems_unreached],
            "instruments_unused": [c(i) for i in self.instruments_unused],
            "factors_disconnected_from_problems": [c(f) for f in self.factors_disconnected],
        }


def causal_subgraph(cg: ChainGraph, *, only_stated: bool = False, min_strength: str | None = None) -> nx.DiGraph:
    """The causes/contributesTo edges (of ``min_strength`` or stronger) as a simple DiGraph."""
    import networkx as nx

    keep, _ = _keep(only_stated, min_strength)
    dg = nx.DiGraph()
    for e in cg.edges("causes", "contributesTo"):
        if _ok(e, keep):
            dg.add_edge(e.source, e.target)
    return dg


def find_cycles(cg: ChainGraph, *, only_stated: bool = False, limit: int = 1000,
                min_strength: str | None = None) -> tuple[list[list[str]], bool]:
    """Simple cycles of the causal subgraph (``nx.simple_cycles``), at most ``limit``; (cycles, truncated)."""
    import networkx as nx

    out: list[list[str]] = []
    for cyc in nx.simple_cycles(causal_subgraph(cg, only_stated=only_stated, min_strength=min_strength)):
        if len(out) >= limit:
            return sorted(out, key=lambda c: (len(c), c)), True
        i = cyc.index(min(cyc))
        out.append(cyc[i:] + cyc[:i])
    return sorted(out, key=lambda c: (len(c), c)), False


def links_by_strength(cg: ChainGraph) -> dict[str, tuple[int, int, int]]:
    """Causal, remedy and support links per strength (stated, echoed, interpreted), each link counted once."""
    kinds = {"causal": CAUSAL, "remedy": frozenset({"addresses"}), "support": frozenset({"supports"})}
    out: dict[str, tuple[int, int, int]] = {}
    for kind, rels in kinds.items():
        es = [e for e in cg.edges() if e.relation in rels]
        out[kind] = tuple(sum(1 for e in es if e.status == s) for s in STRENGTHS)  # type: ignore[assignment]
    return out


def analyse(cg: ChainGraph, *, only_stated: bool = False, cycle_limit: int = 1000,
            min_strength: str | None = None) -> Analysis:
    """Links per strength, reach of remedies, problems with only interpreted remedies, central instruments, cycles, gaps.

    ``only_stated`` / ``min_strength`` keep links of that strength or stronger for every answer but the
    counts per strength, which always count all three.
    """
    import networkx as nx

    keep, weakest = _keep(only_stated, min_strength)

    subpoints = [n.iri for n in cg.subpoints()]
    remedies = [n.iri for n in cg.of_kind("action", "measure")]
    reach_direct: dict[str, set[str]] = {r: set() for r in remedies}
    reach_all: dict[str, set[str]] = {r: set() for r in remedies}
    for p in subpoints:
        for e in cg.in_edges(p):
            if e.relation == "addresses" and _ok(e, keep) and e.source in reach_direct:
                reach_direct[e.source].add(p)
        for r in remedies_of(cg, p, min_strength=weakest):
            reach_all.setdefault(r, set()).add(p)
    remedy_reach = sorted(((r, len(reach_direct.get(r, ())), len(reach_all[r])) for r in reach_all),
                          key=lambda t: (-t[2], -t[1], natural_key(cg.nodes[t[0]].notation or t[0])))
    parents: dict[str, set[str]] = {}
    for r, ps in reach_all.items():
        for e in cg.out_edges(r):
            if e.relation == "partOf":
                parents.setdefault(e.target, set()).update(ps)
    for n in cg.of_kind("path", "recommendation"):
        parents.setdefault(n.iri, set())
    recommendation_reach = sorted(((k, len(v)) for k, v in parents.items()),
                                  key=lambda t: (-t[1], natural_key(cg.nodes[t[0]].notation or t[0])))

    stated_counts: dict[str, tuple[int, int, int]] = {}
    only_interp: list[str] = []
    no_stated: list[str] = []
    for p in subpoints:
        links = [e for e in cg.in_edges(p) if e.relation == "addresses"]
        counts = tuple(sum(1 for e in links if e.status == st) for st in STRENGTHS)
        stated_counts[p] = counts  # type: ignore[assignment]
        if links and counts[0] == 0:
            no_stated.append(p)
        if links and counts[0] == counts[1] == 0:
            only_interp.append(p)

    instruments = [n.iri for n in cg.of_kind("instrument")]
    indeg = Counter(dict.fromkeys(instruments, 0))
    for e in cg.edges("uses"):
        if _ok(e, keep) and cg.nodes[e.source].kind in REMEDY_KINDS:
            indeg[e.target] += 1
    instrument_indegree = sorted(indeg.items(), key=lambda t: (-t[1], t[0]))
    simple = nx.Graph()
    simple.add_nodes_from(cg.nodes)
    for e in cg.edges():
        if _ok(e, keep):
            simple.add_edge(e.source, e.target)
    bc = nx.betweenness_centrality(simple)
    instrument_betweenness = sorted(((i, bc.get(i, 0.0)) for i in instruments), key=lambda t: (-t[1], t[0]))

    cycles, truncated = find_cycles(cg, min_strength=weakest, limit=cycle_limit)

    nothing = [r for r in remedies if not reach_all.get(r)]
    unreached = [p for p in subpoints if not remedies_of(cg, p, min_strength=weakest)]
    unused = [i for i, n in indeg.items() if n == 0]
    causal = causal_subgraph(cg, min_strength=weakest).to_undirected()
    problems = set(subpoints) | {n.iri for n in cg.shortcomings()}
    disconnected: list[str] = []
    for f in cg.of_kind("cause", "effect"):
        if f.kind == "problem":
            continue
        if f.iri not in causal or not (nx.node_connected_component(causal, f.iri) & problems):
            disconnected.append(f.iri)
    return Analysis(remedy_reach, recommendation_reach, only_interp, stated_counts, instrument_indegree,
                    instrument_betweenness, cycles, truncated, nothing, unreached, unused, disconnected,
                    links_by_strength(cg), no_stated)
