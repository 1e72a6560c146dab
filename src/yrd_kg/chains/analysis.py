"""Graph-wide answers over the chain graph (see ``docs/CHAINS.md``).

Reach of remedies, problems with only interpreted remedies, central instruments, causal cycles, gaps.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from yrd_kg.chains.graph import ChainGraph
from yrd_kg.chains.model import REMEDY_KINDS, natural_key
from yrd_kg.chains.trace import _ok, remedies_of
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
    """sub-points every remedy link of which is interpreted"""
    stated_counts: dict[str, tuple[int, int]]
    """sub-point → (stated remedy links, interpreted remedy links)"""
    instrument_indegree: list[tuple[str, int]]
    instrument_betweenness: list[tuple[str, float]]
    cycles: list[list[str]]
    cycles_truncated: bool
    remedies_addressing_nothing: list[str]
    problems_unreached: list[str]
    instruments_unused: list[str]
    factors_disconnected: list[str]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        c = compact
        return {
            "remedy_reach": [{"remedy": c(r), "direct": d, "with_support": t} for r, d, t in self.remedy_reach],
            "recommendation_reach": [{"node": c(r), "problems": n} for r, n in self.recommendation_reach],
            "only_interpreted_remedies": [c(p) for p in self.only_interpreted],
            "remedy_links_by_status": {c(p): {"stated": s, "interpreted": i} for p, (s, i) in self.stated_counts.items()},
            "instrument_indegree": [{"instrument": c(i), "in_degree": n} for i, n in self.instrument_indegree],
            "instrument_betweenness": [{"instrument": c(i), "betweenness": round(b, 6)} for i, b in self.instrument_betweenness],
            "cycles": [[c(n) for n in cyc] for cyc in self.cycles],
            "cycles_truncated": self.cycles_truncated,
            "remedies_addressing_nothing": [c(r) for r in self.remedies_addressing_nothing],
            "problems_no_remedy_reaches": [c(p) for p in self.problems_unreached],
            "instruments_unused": [c(i) for i in self.instruments_unused],
            "factors_disconnected_from_problems": [c(f) for f in self.factors_disconnected],
        }


def causal_subgraph(cg: ChainGraph, *, only_stated: bool = False) -> nx.DiGraph:
    """The causes/contributesTo edges as a simple DiGraph."""
    import networkx as nx

    dg = nx.DiGraph()
    for e in cg.edges("causes", "contributesTo"):
        if _ok(e, only_stated):
            dg.add_edge(e.source, e.target)
    return dg


def find_cycles(cg: ChainGraph, *, only_stated: bool = False, limit: int = 1000) -> tuple[list[list[str]], bool]:
    """Simple cycles of the causal subgraph (``nx.simple_cycles``), at most ``limit``; (cycles, truncated)."""
    import networkx as nx

    out: list[list[str]] = []
    for cyc in nx.simple_cycles(causal_subgraph(cg, only_stated=only_stated)):
        if len(out) >= limit:
            return sorted(out, key=lambda c: (len(c), c)), True
        i = cyc.index(min(cyc))
        out.append(cyc[i:] + cyc[:i])
    return sorted(out, key=lambda c: (len(c), c)), False


def analyse(cg: ChainGraph, *, only_stated: bool = False, cycle_limit: int = 1000) -> Analysis:
    """Reach of remedies, problems with only interpreted remedies, central instruments, cycles, gaps."""
    import networkx as nx

    subpoints = [n.iri for n in cg.subpoints()]
    remedies = [n.iri for n in cg.of_kind("action", "measure")]
    reach_direct: dict[str, set[str]] = {r: set() for r in remedies}
    reach_all: dict[str, set[str]] = {r: set() for r in remedies}
    for p in subpoints:
        for e in cg.in_edges(p):
            if e.relation == "addresses" and _ok(e, only_stated) and e.source in reach_direct:
                reach_direct[e.source].add(p)
        for r in remedies_of(cg, p, only_stated=only_stated):
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

    stated_counts: dict[str, tuple[int, int]] = {}
    only_interp: list[str] = []
    for p in subpoints:
        links = [e for e in cg.in_edges(p) if e.relation == "addresses"]
        s = sum(e.stated for e in links)
        stated_counts[p] = (s, len(links) - s)
        if links and s == 0:
            only_interp.append(p)

    instruments = [n.iri for n in cg.of_kind("instrument")]
    indeg = Counter(dict.fromkeys(instruments, 0))
    for e in cg.edges("uses"):
        if _ok(e, only_stated) and cg.nodes[e.source].kind in REMEDY_KINDS:
            indeg[e.target] += 1
    instrument_indegree = sorted(indeg.items(), key=lambda t: (-t[1], t[0]))
    simple = nx.Graph()
    simple.add_nodes_from(cg.nodes)
    for e in cg.edges():
        if _ok(e, only_stated):
            simple.add_edge(e.source, e.target)
    bc = nx.betweenness_centrality(simple)
    instrument_betweenness = sorted(((i, bc.get(i, 0.0)) for i in instruments), key=lambda t: (-t[1], t[0]))

    cycles, truncated = find_cycles(cg, only_stated=only_stated, limit=cycle_limit)

    nothing = [r for r in remedies if not reach_all.get(r)]
    unreached = [p for p in subpoints if not remedies_of(cg, p, only_stated=only_stated)]
    unused = [i for i, n in indeg.items() if n == 0]
    causal = causal_subgraph(cg, only_stated=only_stated).to_undirected()
    problems = set(subpoints) | {n.iri for n in cg.shortcomings()}
    disconnected: list[str] = []
    for f in cg.of_kind("cause", "effect"):
        if f.kind == "problem":
            continue
        if f.iri not in causal or not (nx.node_connected_component(causal, f.iri) & problems):
            disconnected.append(f.iri)
    return Analysis(remedy_reach, recommendation_reach, only_interp, stated_counts, instrument_indegree,
                    instrument_betweenness, cycles, truncated, nothing, unreached, unused, disconnected)
