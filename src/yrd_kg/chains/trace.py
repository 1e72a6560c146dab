"""Walking the chain graph: :func:`trace`, :func:`remedies_of` and :func:`explain`.

:func:`trace` is breadth first with a depth limit (linear in what it visits); :func:`explain` finds the
shortest chains between two nodes. Every walk can keep only the links of a given strength or stronger
(``min_strength``: ``stated``, ``echoed`` or ``interpreted``; docs/ARGUMENT.md).
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterator, Sequence
from typing import Any

from yrd_kg.chains.graph import ChainGraph
from yrd_kg.chains.model import CAUSAL, REMEDY_KINDS, Chain, ChainEdge, TraceResult, natural_key, strengths_from
from yrd_kg.namespaces import compact

#: which edges a forward trace follows from a remedy-side node: (node kind, direction, relation)
_REMEDY_STEPS = frozenset({
    ("action", "in", "supports"),
    *((k, "out", r) for k in ("action", "measure") for r in ("partOf", "uses", "involves")),
    *((k, "out", r) for k in ("path", "recommendation") for r in ("uses", "involves")),
})
#: which edges a reverse trace follows: from remedies to the problems they answer, and from what a remedy
#: uses, involves, cites or follows (an instrument, an actor, a document, an exemplar) to that remedy
_REVERSE_STEPS = frozenset({
    ("measure", "out", "addresses"), ("measure", "out", "supports"), ("action", "out", "addresses"),
    ("path", "out", "addresses"), ("recommendation", "out", "addresses"), ("problem", "out", "partOf"),
    ("path", "in", "partOf"), ("recommendation", "in", "partOf"),
})
#: relations from a remedy to what it acts with (followed backwards by a reverse trace)
_TOOL_RELATIONS = frozenset({"uses", "involves", "cites", "exemplifiedBy"})


def _ok(e: ChainEdge, keep: frozenset[str]) -> bool:
    return e.kept(keep)


def _keep(only_stated: bool, min_strength: str | None) -> tuple[frozenset[str], str]:
    """The strengths a walk keeps, and the weakest of them, from ``--only-stated`` / ``--min-strength``."""
    weakest = "stated" if only_stated else (min_strength or "interpreted")
    return strengths_from(weakest), weakest


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


def trace(cg: ChainGraph, start: str, *, depth: int = 3, only_stated: bool = False, reverse: bool = False,
          min_strength: str | None = None) -> TraceResult:
    """Every chain around ``start`` (an IRI of ``cg``), up to ``depth`` hops from it.

    Forward (a problem): sections ``causes`` (upstream along causes/contributesTo), ``effects``
    (downstream), ``neighbourhood`` (the causes' other effects and the effects' other causes, so the
    whole causal neighbourhood within ``depth``), ``remedies`` (what addresses it, the measures supporting
    those actions, and their path/recommendation, instruments and actors) and ``mentions`` (instruments
    and actors the problem text itself names). A problem is traced together with its parts (a shortcoming
    with its sub-points, a sub-point with the factors its passage lists), all at hop 0.
    Reverse (a remedy, or an instrument, actor, document or exemplar): the problems it helps remedy,
    directly, through the actions it supports, or through the remedies that use, involve, cite or follow
    it, up to their shortcoming. ``only_stated`` / ``min_strength`` keep only links of that strength or
    stronger. The walk is breadth first and visits each node once per section, so it ends on cycles and
    costs O(visited edges).
    """
    if depth < 0:
        raise ValueError("depth must be >= 0")
    keep, weakest = _keep(only_stated, min_strength)
    res = TraceResult(start, [start], reverse, depth, weakest == "stated", weakest)
    w = _Walker(cg, res)
    roots = [start]
    if cg.nodes[start].kind in ("problem", "path", "recommendation"):
        frontier = [start]
        while frontier:  # the parts, and for a sub-point the factors its passage lists (not a shortcoming's)
            whole = frontier.pop(0)
            for part in cg.parts(whole):
                if part in roots:
                    continue
                roots.append(part)
                e = next(e for e in cg.out_edges(part) if e.relation == "partOf" and e.target == whole)
                res.sections.setdefault("structure", []).append(e)
                res.steps.setdefault("structure", []).append((whole, part, e))
                if whole == start and not cg.nodes[start].is_shortcoming:
                    frontier.append(part)
    res.roots = roots
    for r in roots:
        w.visit("root", r, cg.nodes[r].kind, 0)

    def kind_of(iri: str) -> str:
        return cg.nodes[iri].kind

    if reverse:
        def rev_step(n: str) -> Iterator[tuple[str, ChainEdge, str]]:
            k = kind_of(n)
            for e in cg.out_edges(n):
                if (k, "out", e.relation) in _REVERSE_STEPS and _ok(e, keep):
                    yield e.target, e, kind_of(e.target)
            for e in cg.in_edges(n):
                if n in rootset:  # from what a remedy acts with to the remedy (not a problem that names it)
                    step = e.relation in _TOOL_RELATIONS and kind_of(e.source) in REMEDY_KINDS
                else:  # from a path or recommendation to its actions or measures
                    step = (k, "in", e.relation) in _REVERSE_STEPS
                if step and _ok(e, keep):
                    yield e.source, e, kind_of(e.source)
        rootset = set(roots)
        w.walk("answers", roots, rev_step, depth)
        res.chains = w.chains("answers", roots)
        return res

    def up(n: str) -> Iterator[tuple[str, ChainEdge, str]]:
        for e in cg.in_edges(n):
            if e.relation in CAUSAL and _ok(e, keep):
                yield e.source, e, "cause"

    def down(n: str) -> Iterator[tuple[str, ChainEdge, str]]:
        for e in cg.out_edges(n):
            if e.relation in CAUSAL and _ok(e, keep):
                yield e.target, e, "effect"

    rootset = set(roots)

    def remedy(n: str) -> Iterator[tuple[str, ChainEdge, str]]:
        if n in rootset:
            for e in cg.in_edges(n):
                if e.relation == "addresses" and _ok(e, keep):
                    yield e.source, e, kind_of(e.source)
            return
        k = kind_of(n)
        for e in cg.in_edges(n):
            if (k, "in", e.relation) in _REMEDY_STEPS and _ok(e, keep):
                yield e.source, e, kind_of(e.source)
        for e in cg.out_edges(n):
            if (k, "out", e.relation) in _REMEDY_STEPS and _ok(e, keep):
                yield e.target, e, kind_of(e.target)

    def mention(n: str) -> Iterator[tuple[str, ChainEdge, str]]:
        if n not in rootset:
            return
        for e in cg.out_edges(n):
            if e.relation in ("uses", "involves") and _ok(e, keep):
                yield e.target, e, kind_of(e.target)

    w.walk("causes", roots, up, depth)
    w.walk("effects", roots, down, depth)
    _neighbourhood(cg, res, w, keep, depth)
    w.walk("remedies", roots, remedy, depth)
    w.walk("mentions", roots, mention, min(depth, 1))
    res.chains = (w.chains("causes", roots, backwards=True) + w.chains("effects", roots)
                  + w.chains("neighbourhood", roots) + w.chains("remedies", roots) + w.chains("mentions", roots))
    return res


def _neighbourhood(cg: ChainGraph, res: TraceResult, w: _Walker, keep: frozenset[str], depth: int) -> None:
    """The causes' other effects and the effects' other causes: causal edges sideways from the chains, within ``depth``.

    Starts from every node the causes and effects sections reached (at their hop) and follows causal edges
    in either direction to nodes neither section has, breadth first; each new node is one hop further.
    """
    chained = set(res.roots)
    for sec in ("causes", "effects"):
        for a, b, _ in res.steps.get(sec, []):
            chained.update((a, b))
    hop = {n: res.hops.get(n, 0) for n in chained}
    seen_edges = {e.key for sec in ("causes", "effects") for e in res.sections.get(sec, [])}
    edges = res.sections.setdefault("neighbourhood", [])
    steps = res.steps.setdefault("neighbourhood", [])
    parents = w.parent.setdefault("neighbourhood", {})
    frontier = deque(sorted((n for n in chained if hop[n] < depth), key=lambda n: (hop[n], n)))
    while frontier:
        n = frontier.popleft()
        for e, nb in [(e, e.target) for e in cg.out_edges(n)] + [(e, e.source) for e in cg.in_edges(n)]:
            if e.relation not in CAUSAL or not _ok(e, keep) or e.key in seen_edges:
                continue
            seen_edges.add(e.key)
            edges.append(e)
            steps.append((n, nb, e))
            if nb not in hop:
                hop[nb] = hop[n] + 1
                parents[nb] = (n, e)
                w.visit("neighbourhood", nb, "effect" if e.source == n else "cause", hop[nb])
                if hop[nb] < depth:
                    frontier.append(nb)
    if not edges:
        del res.sections["neighbourhood"], res.steps["neighbourhood"]


def remedies_of(cg: ChainGraph, problem: str, *, only_stated: bool = False, min_strength: str | None = None) -> set[str]:
    """Remedies of a problem sub-point: what ``addresses`` it, and the measures that ``supports`` those.

    The networkx side of the SPARQL property path ``?r (yrd:addresses|yrd:supports/yrd:addresses) ?p``.
    """
    keep, _ = _keep(only_stated, min_strength)
    direct = {e.source for e in cg.in_edges(problem) if e.relation == "addresses" and _ok(e, keep)}
    support = {e.source for r in direct for e in cg.in_edges(r) if e.relation == "supports" and _ok(e, keep)}
    return direct | support


# --------------------------------------------------------------------------- explain


def explain(cg: ChainGraph, a: str, b: str, *, directed: bool = False, only_stated: bool = False,
            limit: int = 20, min_strength: str | None = None) -> list[Chain]:
    """The shortest chains between ``a`` and ``b`` (IRIs of ``cg``).

    By default over the *undirected* view (so cause → problem ← remedy → instrument is a chain);
    ``directed=True`` follows the edges' own direction only. Every edge between two consecutive nodes
    (either direction, all relations) gives its own chain; at most ``limit`` chains.
    """
    import networkx as nx

    keep, weakest = _keep(only_stated, min_strength)
    g: Any = cg.g
    if weakest != "interpreted":
        g = nx.subgraph_view(cg.g, filter_edge=lambda u, v, k: _ok(cg.g.edges[u, v, k]["edge"], keep))
    view = g if directed else g.to_undirected(as_view=True)
    try:
        paths = nx.all_shortest_paths(view, a, b)
        out: list[Chain] = []
        for path in paths:
            hop_choices: list[list[ChainEdge]] = []
            for u, v in itertools.pairwise(path):
                es = [e for e in cg.out_edges(u) if e.target == v and _ok(e, keep)]
                if not directed:
                    es += [e for e in cg.out_edges(v) if e.target == u and _ok(e, keep)]
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
