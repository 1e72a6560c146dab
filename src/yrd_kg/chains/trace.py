"""Walking the chain graph: :func:`trace`, :func:`remedies_of` and :func:`explain`.

:func:`trace` is breadth first with a depth limit (linear in what it visits); :func:`explain` finds the
shortest chains between two nodes.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterator, Sequence
from typing import Any

from yrd_kg.chains.graph import ChainGraph
from yrd_kg.chains.model import CAUSAL, Chain, ChainEdge, TraceResult, natural_key
from yrd_kg.namespaces import compact

#: which edges a forward trace follows from a remedy-side node: (node kind, direction, relation)
_REMEDY_STEPS = frozenset({
    ("action", "in", "supports"),
    *((k, "out", r) for k in ("action", "measure") for r in ("partOf", "uses", "involves")),
    *((k, "out", r) for k in ("path", "recommendation") for r in ("uses", "involves")),
})
#: which edges a reverse trace follows: from remedies to the problems they answer
_REVERSE_STEPS = frozenset({
    ("measure", "out", "addresses"), ("measure", "out", "supports"), ("action", "out", "addresses"),
    ("path", "out", "addresses"), ("recommendation", "out", "addresses"), ("problem", "out", "partOf"),
})


def _ok(e: ChainEdge, only_stated: bool) -> bool:
    return e.stated or not only_stated


class _Walker:
    """Breadth-first search with a depth limit that records edges and the BFS tree per section."""

    def __init__(self, cg: ChainGraph, res: TraceResult) -> None:
        self.cg = cg
        self.res = res
        self.parent: dict[str, dict[str, tuple[str, ChainEdge]]] = {}

    def visit(self, section: str, iri: str, role: str, hop: int) -> None:
        self.res.nodes.setdefault(iri, self.cg.nodes[iri])
        self.res.roles.setdefault(iri, role)
        self.res.hops.setdefault(iri, hop)

    def walk(self, section: str, roots: Sequence[str], step: Any, max_depth: int) -> None:
        """``step(node) -> iterable of (neighbour, edge, role)``."""
        edges = self.res.sections.setdefault(section, [])
        steps = self.res.steps.setdefault(section, [])
        parents = self.parent.setdefault(section, {})
        seen = set(roots)
        seen_edges: set[str] = set()
        frontier = deque((r, 0) for r in roots)
        while frontier:
            n, d = frontier.popleft()
            if d >= max_depth:
                continue
            for nb, e, role in step(n):
                if e.key not in seen_edges:
                    seen_edges.add(e.key)
                    edges.append(e)
                    steps.append((n, nb, e))
                if nb not in seen:
                    seen.add(nb)
                    parents[nb] = (n, e)
                    self.visit(section, nb, role, d + 1)
                    frontier.append((nb, d + 1))

    def chains(self, section: str, roots: Sequence[str], *, backwards: bool = False) -> list[Chain]:
        """Root-to-leaf paths of the section's BFS tree (reversed for upstream chains)."""
        parents = self.parent.get(section, {})
        has_child = {p for p, _ in parents.values()}
        out: list[Chain] = []
        for leaf in parents:
            if leaf in has_child:
                continue
            nodes, edges = [leaf], []
            cur = leaf
            while cur in parents:
                p, e = parents[cur]
                edges.append(e)
                nodes.append(p)
                cur = p
            if not backwards:
                nodes.reverse()
                edges.reverse()
            out.append(Chain(section, tuple(nodes), tuple(edges)))
        out.sort(key=lambda c: [natural_key(self.cg.nodes[n].notation or compact(n)) for n in c.nodes])
        return out


def trace(cg: ChainGraph, start: str, *, depth: int = 3, only_stated: bool = False, reverse: bool = False) -> TraceResult:
    """Every chain around ``start`` (an IRI of ``cg``), up to ``depth`` hops from it.

    Forward (a problem): sections ``causes`` (upstream along causes/contributesTo), ``effects``
    (downstream), ``remedies`` (what addresses it, the measures supporting those actions, and their
    path/recommendation, instruments and actors) and ``mentions`` (instruments and actors the problem
    text itself names). A shortcoming is traced together with its sub-points (all at hop 0).
    Reverse (a remedy): the problems it addresses, directly or through the actions it supports, up to
    their shortcoming. The walk is breadth first and visits each node once per section, so it ends on
    cycles and costs O(visited edges).
    """
    if depth < 0:
        raise ValueError("depth must be >= 0")
    root = cg.nodes[start]
    res = TraceResult(start, [start], reverse, depth, only_stated)
    w = _Walker(cg, res)
    roots = [start]
    if root.kind in ("problem", "path", "recommendation"):
        for part in cg.parts(start):
            roots.append(part)
            for e in cg.out_edges(part):
                if e.relation == "partOf" and e.target == start:
                    res.sections.setdefault("structure", []).append(e)
                    res.steps.setdefault("structure", []).append((start, part, e))
    res.roots = roots
    for r in roots:
        w.visit("root", r, cg.nodes[r].kind, 0)

    def kind_of(iri: str) -> str:
        return cg.nodes[iri].kind

    if reverse:
        def rev_step(n: str) -> Iterator[tuple[str, ChainEdge, str]]:
            k = kind_of(n)
            for e in cg.out_edges(n):
                if (k, "out", e.relation) in _REVERSE_STEPS and _ok(e, only_stated):
                    yield e.target, e, kind_of(e.target)
        w.walk("answers", roots, rev_step, depth)
        res.chains = w.chains("answers", roots)
        return res

    def up(n: str) -> Iterator[tuple[str, ChainEdge, str]]:
        for e in cg.in_edges(n):
            if e.relation in CAUSAL and _ok(e, only_stated):
                yield e.source, e, "cause"

    def down(n: str) -> Iterator[tuple[str, ChainEdge, str]]:
        for e in cg.out_edges(n):
            if e.relation in CAUSAL and _ok(e, only_stated):
                yield e.target, e, "effect"

    rootset = set(roots)

    def remedy(n: str) -> Iterator[tuple[str, ChainEdge, str]]:
        if n in rootset:
            for e in cg.in_edges(n):
                if e.relation == "addresses" and _ok(e, only_stated):
                    yield e.source, e, kind_of(e.source)
            return
        k = kind_of(n)
        for e in cg.in_edges(n):
            if (k, "in", e.relation) in _REMEDY_STEPS and _ok(e, only_stated):
                yield e.source, e, kind_of(e.source)
        for e in cg.out_edges(n):
            if (k, "out", e.relation) in _REMEDY_STEPS and _ok(e, only_stated):
                yield e.target, e, kind_of(e.target)

    def mention(n: str) -> Iterator[tuple[str, ChainEdge, str]]:
        if n not in rootset:
            return
        for e in cg.out_edges(n):
            if e.relation in ("uses", "involves") and _ok(e, only_stated):
                yield e.target, e, kind_of(e.target)

    w.walk("causes", roots, up, depth)
    w.walk("effects", roots, down, depth)
    w.walk("remedies", roots, remedy, depth)
    w.walk("mentions", roots, mention, min(depth, 1))
    res.chains = (w.chains("causes", roots, backwards=True) + w.chains("effects", roots)
                  + w.chains("remedies", roots) + w.chains("mentions", roots))
    return res


def remedies_of(cg: ChainGraph, problem: str, *, only_stated: bool = False) -> set[str]:
    """Remedies of a problem sub-point: what ``addresses`` it, and the measures that ``supports`` those.

    The networkx side of the SPARQL property path ``?r (yrd:addresses|yrd:supports/yrd:addresses) ?p``.
    """
    direct = {e.source for e in cg.in_edges(problem) if e.relation == "addresses" and _ok(e, only_stated)}
    support = {e.source for r in direct for e in cg.in_edges(r) if e.relation == "supports" and _ok(e, only_stated)}
    return direct | support


# --------------------------------------------------------------------------- explain


def explain(cg: ChainGraph, a: str, b: str, *, directed: bool = False, only_stated: bool = False,
            limit: int = 20) -> list[Chain]:
    """The shortest chains between ``a`` and ``b`` (IRIs of ``cg``).

    By default over the *undirected* view (so cause → problem ← remedy → instrument is a chain);
    ``directed=True`` follows the edges' own direction only. Every edge between two consecutive nodes
    (either direction, all relations) gives its own chain; at most ``limit`` chains.
    """
    import networkx as nx

    g: Any = cg.g
    if only_stated:
        g = nx.subgraph_view(cg.g, filter_edge=lambda u, v, k: cg.g.edges[u, v, k]["edge"].stated)
    view = g if directed else g.to_undirected(as_view=True)
    try:
        paths = nx.all_shortest_paths(view, a, b)
        out: list[Chain] = []
        for path in paths:
            hop_choices: list[list[ChainEdge]] = []
            for u, v in itertools.pairwise(path):
                es = [e for e in cg.out_edges(u) if e.target == v and _ok(e, only_stated)]
                if not directed:
                    es += [e for e in cg.out_edges(v) if e.target == u and _ok(e, only_stated)]
                hop_choices.append(sorted(es, key=lambda e: (not e.stated, e.relation, e.key)))
            for combo in _product(hop_choices):
                out.append(Chain("explain", tuple(path), tuple(combo)))
                if len(out) >= limit:
                    return out
        return out
    except nx.NetworkXNoPath:
        return []


def _product(choices: list[list[ChainEdge]]) -> Iterator[list[ChainEdge]]:
    if not choices:
        yield []
        return
    for first in choices[0]:
        for rest in _product(choices[1:]):
            yield [first, *rest]
