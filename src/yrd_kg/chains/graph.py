"""Causal chains: the argument of the paper as a typed networkx graph, traced from a problem to its remedies.

The chain graph is built once per process from two saved CONSTRUCT queries on the store
(:func:`yrd_kg.store.open_store`):

- ``queries/construct-chain-graph.rq``: every qualified ``yrd:Link`` of the chain (``causes``,
  ``contributesTo``, ``addresses``, ``supports``, ``usesInstrument``, ``involvesActor``) with its status,
  rationale and evidence, and the types, notation and labels of its endpoints;
- ``queries/construct-trace-graph.rq``: every node of the chain classes with its labels, and the
  ``yrd:partOf`` hierarchy (sub-point → shortcoming, action → path, measure → recommendation).

Both are merged into a :class:`networkx.MultiDiGraph` whose edges point as the RDF does (subject →
object): cause → problem → effect, remedy → problem (``addresses``), measure → action (``supports``),
remedy → instrument (``uses``), remedy → actor (``involves``), part → whole (``partOf``).

:func:`trace` walks it breadth first with a depth limit (linear in what it visits),
:func:`explain` finds the shortest chains between two nodes, :func:`analyse` answers the
graph-wide questions. See ``docs/CHAINS.md``.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from yrd_kg.namespaces import PREFIXES, YRD

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx
    import pyoxigraph as ox

__all__ = [
    "CAUSAL",
    "KINDS",
    "REMEDY_KINDS",
    "AmbiguousNodeError",
    "Analysis",
    "Chain",
    "ChainEdge",
    "ChainEvidence",
    "ChainGraph",
    "ChainNode",
    "NodeNotFoundError",
    "TraceResult",
    "analyse",
    "build_chain_graph",
    "explain",
    "load_chain_graph",
    "remedies_of",
    "trace",
]

Kind = Literal["cause", "problem", "effect", "path", "action", "recommendation", "measure", "instrument", "actor"]
Relation = Literal["causes", "contributesTo", "addresses", "supports", "uses", "involves", "partOf"]
Status = Literal["stated", "interpreted"]

#: node kinds, in the left-to-right order of the pictures
KINDS: tuple[str, ...] = ("cause", "problem", "effect", "action", "measure", "path", "recommendation", "instrument", "actor")
REMEDY_KINDS = frozenset({"action", "measure", "path", "recommendation"})
PROBLEM_KINDS = frozenset({"problem"})
CAUSAL = frozenset({"causes", "contributesTo"})

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_Y = str(YRD._NS)

#: rdf:type → kind (a factor typed both Cause and Effect gets both; see :meth:`ChainNode.kind`)
CLASS_KIND: dict[str, str] = {
    _Y + "Cause": "cause",
    _Y + "Effect": "effect",
    _Y + "Shortcoming": "problem",
    _Y + "ProblemSubPoint": "problem",
    _Y + "BreakthroughPath": "path",
    _Y + "PathAction": "action",
    _Y + "PolicyRecommendation": "recommendation",
    _Y + "PolicyMeasure": "measure",
    _Y + "PolicyInstrument": "instrument",
    _Y + "Actor": "actor",
}
PREDICATE_RELATION: dict[str, str] = {
    _Y + "causes": "causes",
    _Y + "contributesTo": "contributesTo",
    _Y + "addresses": "addresses",
    _Y + "supports": "supports",
    _Y + "usesInstrument": "uses",
    _Y + "involvesActor": "involves",
    _Y + "partOf": "partOf",
}
_STATUS = {_Y + "Stated": "stated", _Y + "Interpreted": "interpreted"}

#: section (first digit of a "3.1.1"-style number) → notation letter
SECTION_LETTER = {"3": "P", "4": "B", "5": "R"}

LINKS_QUERY = "construct-chain-graph"
STRUCTURE_QUERY = "construct-trace-graph"


# --------------------------------------------------------------------------- data classes


@dataclass(frozen=True)
class ChainEvidence:
    """One verbatim quote backing an edge, with the document part it stands in."""

    quote: str
    locator: str
    start: int | None = None
    end: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"quote": self.quote, "locator": self.locator, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class ChainNode:
    """A node of the chain graph: IRI, kinds from its rdf:types, notation and labels."""

    iri: str
    kinds: tuple[str, ...]
    notation: str = ""
    label_zh: str = ""
    label_en: str = ""
    alt_labels: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        """The main kind (a factor typed Cause and Effect reports ``cause``; traces pick by edge role)."""
        for k in KINDS:
            if k in self.kinds:
                return k
        return "other"

    @property
    def curie(self) -> str:
        """Compact IRI (``problem:P1.1``, ``factor:…``)."""
        return compact(self.iri)

    @property
    def is_shortcoming(self) -> bool:
        """A problem without a dot in its notation (P1…P4)."""
        return self.kind == "problem" and "." not in self.notation

    def label(self, lang: str = "zh") -> str:
        """The label in ``lang`` (falling back to the other language, then the compact IRI)."""
        first, second = (self.label_zh, self.label_en) if lang == "zh" else (self.label_en, self.label_zh)
        return first or second or self.curie

    def title(self, lang: str = "zh") -> str:
        """``notation label`` (or the label alone)."""
        return f"{self.notation} {self.label(lang)}" if self.notation else self.label(lang)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"iri": self.iri, "id": self.curie, "kind": self.kind, "kinds": list(self.kinds),
                "notation": self.notation or None, "label": {"zh": self.label_zh, "en": self.label_en}}


@dataclass(frozen=True)
class ChainEdge:
    """A typed edge (subject → object as in RDF) with its status, rationale and evidence."""

    source: str
    target: str
    relation: str
    status: str = "stated"
    rationale_zh: str = ""
    rationale_en: str = ""
    evidence: tuple[ChainEvidence, ...] = ()
    link: str = ""

    @property
    def stated(self) -> bool:
        """True when the text itself makes the link."""
        return self.status == "stated"

    @property
    def key(self) -> str:
        """Key of the edge in the MultiDiGraph (the Link IRI, or a structural key)."""
        return self.link or f"{self.relation}:{self.source}>{self.target}"

    def rationale(self, lang: str = "zh") -> str:
        """The rationale in ``lang`` (interpreted links only)."""
        first, second = (self.rationale_zh, self.rationale_en) if lang == "zh" else (self.rationale_en, self.rationale_zh)
        return first or second

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"source": compact(self.source), "target": compact(self.target), "relation": self.relation,
                "status": self.status, "link": compact(self.link) if self.link else None,
                "rationale": {"zh": self.rationale_zh, "en": self.rationale_en} if self.rationale_zh or self.rationale_en
                else None,
                "evidence": [e.as_dict() for e in self.evidence]}


@dataclass(frozen=True)
class Chain:
    """One chain: nodes in reading order and the edge between each consecutive pair."""

    section: str
    nodes: tuple[str, ...]
    edges: tuple[ChainEdge, ...]

    def __len__(self) -> int:
        return len(self.edges)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"section": self.section, "nodes": [compact(n) for n in self.nodes],
                "edges": [e.as_dict() for e in self.edges]}


@dataclass
class TraceResult:
    """What :func:`trace` found: the nodes and edges it visited, per section, and the chains."""

    start: str
    roots: list[str]
    reverse: bool
    depth: int
    only_stated: bool
    nodes: dict[str, ChainNode] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)
    hops: dict[str, int] = field(default_factory=dict)
    sections: dict[str, list[ChainEdge]] = field(default_factory=dict)
    chains: list[Chain] = field(default_factory=list)
    steps: dict[str, list[tuple[str, str, ChainEdge]]] = field(default_factory=dict)
    """per section, each edge as walked: (from node, to node, edge)"""

    @property
    def edges(self) -> list[ChainEdge]:
        """Every edge visited, in section order, without duplicates."""
        seen: set[tuple[str, str]] = set()
        out: list[ChainEdge] = []
        for sec in self.sections.values():
            for e in sec:
                k = (e.key, e.relation)
                if k not in seen:
                    seen.add(k)
                    out.append(e)
        return out

    def nodes_of(self, *kinds: str) -> list[ChainNode]:
        """The visited nodes whose role is one of ``kinds``."""
        return [n for i, n in self.nodes.items() if self.roles.get(i) in kinds]

    def problems(self) -> list[ChainNode]:
        """For a reverse trace: the problems reached."""
        return [n for n in self.nodes.values() if n.kind == "problem" and n.iri not in self.roots]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "start": compact(self.start),
            "roots": [compact(r) for r in self.roots],
            "reverse": self.reverse,
            "depth": self.depth,
            "only_stated": self.only_stated,
            "nodes": [{**n.as_dict(), "role": self.roles.get(i), "hop": self.hops.get(i)} for i, n in self.nodes.items()],
            "sections": {s: [e.as_dict() for e in es] for s, es in self.sections.items()},
            "chains": [c.as_dict() for c in self.chains],
        }


class NodeNotFoundError(LookupError):
    """No node matches the query."""


class AmbiguousNodeError(LookupError):
    """Several nodes match the query; :attr:`matches` lists them."""

    def __init__(self, query: str, matches: Sequence[ChainNode]) -> None:
        self.query = query
        self.matches = list(matches)
        super().__init__(f"{query!r} matches {len(self.matches)} nodes")

    def message(self, lang: str = "zh") -> str:
        """The list of matches, one per line."""
        lines = [f"ambiguous: {self.query!r} matches {len(self.matches)} nodes; give a number, an IRI or a longer label:"]
        for n in self.matches:
            lines.append(f"  {n.curie:<44} {n.kind:<14} {n.label(lang)}")
        return "\n".join(lines)


# --------------------------------------------------------------------------- IRIs

_PREFIX_ITEMS = sorted(((v, k) for k, v in PREFIXES.items()), key=lambda kv: -len(kv[0]))


def compact(iri: str) -> str:
    """``https://w3id.org/yrd-kg/id/problem/P1.1`` → ``problem:P1.1`` (unchanged when no prefix fits)."""
    for ns, prefix in _PREFIX_ITEMS:
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def expand(curie: str) -> str | None:
    """``problem:P1.1`` → the full IRI (``None`` when the prefix is unknown)."""
    if curie.startswith(("http://", "https://", "urn:")):
        return curie
    prefix, sep, local = curie.partition(":")
    if sep and prefix in PREFIXES and local:
        return PREFIXES[prefix] + local
    return None


def _locator_notation(iri: str) -> str:
    """``…/id/part/s3.1.1`` → ``s3.1.1``."""
    return iri.rsplit("/", 1)[-1] if "/id/part/" in iri else compact(iri)


# --------------------------------------------------------------------------- the graph


class ChainGraph:
    """The typed chain graph: a networkx MultiDiGraph plus node and edge records."""

    def __init__(self, nodes: Iterable[ChainNode], edges: Iterable[ChainEdge]) -> None:
        import networkx as nx

        self.g: nx.MultiDiGraph = nx.MultiDiGraph()
        self.nodes: dict[str, ChainNode] = {}
        for n in nodes:
            self.nodes[n.iri] = n
            self.g.add_node(n.iri)
        for e in edges:
            if e.source in self.nodes and e.target in self.nodes:
                self.g.add_edge(e.source, e.target, key=e.key, edge=e)
        self._by_notation: dict[str, list[str]] = {}
        for n in self.nodes.values():
            if n.notation:
                self._by_notation.setdefault(n.notation.casefold(), []).append(n.iri)

    def __len__(self) -> int:
        return len(self.nodes)

    def node(self, iri: str) -> ChainNode:
        """The node record of ``iri``."""
        return self.nodes[iri]

    def edges(self, *relations: str) -> Iterator[ChainEdge]:
        """Every edge (of the given relations)."""
        for _, _, e in self.g.edges(data="edge"):
            if not relations or e.relation in relations:
                yield e

    def out_edges(self, iri: str) -> Iterator[ChainEdge]:
        """Edges leaving ``iri``."""
        for _, _, e in self.g.out_edges(iri, data="edge"):
            yield e

    def in_edges(self, iri: str) -> Iterator[ChainEdge]:
        """Edges entering ``iri``."""
        for _, _, e in self.g.in_edges(iri, data="edge"):
            yield e

    def parts(self, iri: str) -> list[str]:
        """The nodes that are ``partOf`` ``iri`` (sub-points, actions, measures), by notation."""
        out = [e.source for e in self.in_edges(iri) if e.relation == "partOf"]
        return sorted(out, key=lambda i: natural_key(self.nodes[i].notation or i))

    def of_kind(self, *kinds: str) -> list[ChainNode]:
        """Nodes whose kinds include any of ``kinds``, sorted by notation then IRI."""
        out = [n for n in self.nodes.values() if any(k in n.kinds for k in kinds)]
        return sorted(out, key=lambda n: (natural_key(n.notation) if n.notation else [(1, "")], n.iri))

    def subpoints(self) -> list[ChainNode]:
        """The twelve problem sub-points (P1.1 … P4.3)."""
        return [n for n in self.of_kind("problem") if not n.is_shortcoming]

    def shortcomings(self) -> list[ChainNode]:
        """The four shortcomings (P1 … P4)."""
        return [n for n in self.of_kind("problem") if n.is_shortcoming]

    # ---------------------------------------------------------------- resolving user input

    def resolve(self, query: str, prefer: Iterable[str] | None = None) -> str:
        """The IRI of the node ``query`` names.

        ``query`` is an IRI, a compact IRI, a notation (``P1.1``), a section number (``3.1.1`` → P1.1,
        ``4.2`` → B2, ``5.2.3`` → R2.3) or a label fragment in zh or en.
        ``prefer``: kinds searched first for a label fragment (all kinds when none of them matches).
        Raises :class:`NodeNotFoundError` or :class:`AmbiguousNodeError`.
        """
        q = query.strip()
        if not q:
            raise NodeNotFoundError("empty node name")
        iri = expand(q)
        if iri is not None and iri in self.nodes:
            return iri
        m = re.fullmatch(r"([345])\.(\d+)(?:\.(\d+))?", q)
        if m:
            q = SECTION_LETTER[m.group(1)] + m.group(2) + (f".{m.group(3)}" if m.group(3) else "")
        hits = self._by_notation.get(q.casefold(), [])
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            raise AmbiguousNodeError(query, [self.nodes[h] for h in hits])
        needle = _norm(q)
        pref = set(prefer or ())
        groups = [[n for n in self.nodes.values() if pref & set(n.kinds)]] if pref else []
        groups.append(list(self.nodes.values()))
        for group in groups:
            exact = [n for n in group if needle in {_norm(n.label_zh), _norm(n.label_en)}]
            if len(exact) == 1:
                return exact[0].iri
            found = [n for n in group
                     if any(needle in _norm(t) for t in (n.label_zh, n.label_en, *n.alt_labels) if t)]
            if len(found) == 1:
                return found[0].iri
            if found:
                found.sort(key=lambda n: (KINDS.index(n.kind) if n.kind in KINDS else 99,
                                          natural_key(n.notation) if n.notation else [(1, "")], n.iri))
                raise AmbiguousNodeError(query, found)
        raise NodeNotFoundError(f"no node matches {query!r} (try a number like P1.1 / 3.1.1 / R2.3, an IRI or a label)")


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def natural_key(text: str) -> list[tuple[int, Any]]:
    """Sort key that orders ``P1.2`` before ``P1.10``."""
    return [(0, int(t)) if t.isdigit() else (1, t) for t in re.split(r"(\d+)", text) if t]


# --------------------------------------------------------------------------- building


def _term_value(term: Any) -> str:
    return str(term.value) if hasattr(term, "value") else str(term)


def build_chain_graph(triples: Iterable[tuple[Any, Any, Any]]) -> ChainGraph:
    """The chain graph from CONSTRUCT triples (pyoxigraph or rdflib terms; see the two queries).

    A subject with ``yrd:linkSubject`` is a Link (one edge); a subject with ``yrd:quote`` an Evidence;
    anything with a chain rdf:type a node; ``yrd:partOf`` between two chain nodes a structural edge.
    """
    props: dict[str, dict[str, list[Any]]] = {}
    for s, p, o in triples:
        props.setdefault(_term_value(s), {}).setdefault(_term_value(p), []).append(o)

    def one(d: dict[str, list[Any]], p: str) -> str:
        vals = d.get(p)
        return _term_value(vals[0]) if vals else ""

    def lang_value(d: dict[str, list[Any]], p: str, lang: str) -> str:
        vals = sorted(_term_value(v) for v in d.get(p, ()) if getattr(v, "language", None) == lang)
        return vals[0] if vals else ""

    nodes: list[ChainNode] = []
    for subj, d in props.items():
        kinds = sorted({CLASS_KIND[_term_value(t)] for t in d.get(_RDF_TYPE, ()) if _term_value(t) in CLASS_KIND},
                       key=KINDS.index)
        if not kinds:
            continue
        notations = sorted(_term_value(v) for v in d.get(_SKOS + "notation", ()))
        alts = tuple(sorted({_term_value(v) for v in d.get(_SKOS + "altLabel", ())}))
        nodes.append(ChainNode(subj, tuple(kinds), notations[0] if notations else "",
                               lang_value(d, _SKOS + "prefLabel", "zh"), lang_value(d, _SKOS + "prefLabel", "en"), alts))
    node_ids = {n.iri for n in nodes}

    edges: list[ChainEdge] = []
    for subj, d in props.items():
        pred = one(d, _Y + "linkPredicate")
        if pred:
            relation = PREDICATE_RELATION.get(pred)
            s, o = one(d, _Y + "linkSubject"), one(d, _Y + "linkObject")
            if relation is None or s not in node_ids or o not in node_ids:
                continue
            evs: list[ChainEvidence] = []
            for ev in d.get(_Y + "hasEvidence", ()):
                ed = props.get(_term_value(ev), {})
                quote = one(ed, _Y + "quote")
                if not quote:
                    continue
                start, end = one(ed, _Y + "start"), one(ed, _Y + "end")
                evs.append(ChainEvidence(quote, _locator_notation(one(ed, _Y + "locator")),
                                         int(start) if start else None, int(end) if end else None))
            evs.sort(key=lambda e: (e.start if e.start is not None else 1 << 30, e.quote))
            status = _STATUS.get(one(d, _Y + "assertionStatus"), "interpreted")
            link = subj if subj.startswith(("http://", "https://")) else ""
            if not link:  # a blank node (fixtures): a stable key from the triple
                link = f"urn:yrd-kg:link:{relation}:{s}>{o}"
            edges.append(ChainEdge(s, o, relation, status, lang_value(d, _Y + "rationale", "zh"),
                                   lang_value(d, _Y + "rationale", "en"), tuple(evs), link))
        for parent in d.get(_Y + "partOf", ()):
            pv = _term_value(parent)
            if subj in node_ids and pv in node_ids:
                edges.append(ChainEdge(subj, pv, "partOf", "stated"))
    edges.sort(key=lambda e: (e.source, e.relation, e.target, e.link))
    nodes.sort(key=lambda n: n.iri)
    return ChainGraph(nodes, edges)


def construct_triples(store: ox.Store, queries_dir: Path | None = None) -> list[tuple[Any, Any, Any]]:
    """Run the two CONSTRUCT queries on ``store`` and return their triples."""
    import yrd_kg.resources as resources

    folder = queries_dir or resources.queries_dir()
    out: list[tuple[Any, Any, Any]] = []
    for name in (LINKS_QUERY, STRUCTURE_QUERY):
        path = folder / f"{name}.rq"
        if not path.is_file():
            raise FileNotFoundError(f"saved query {path} is missing (the chain graph needs it)")
        text = path.read_text(encoding="utf-8")
        result: Any = store.query(text, use_default_graph_as_union=True)
        for t in result:
            out.append((t.subject, t.predicate, t.object))
    return out


def chain_graph_from_store(store: ox.Store) -> ChainGraph:
    """The chain graph of whatever ``store`` holds (the build, or a fixture)."""
    return build_chain_graph(construct_triples(store))


_CACHE: dict[str, ChainGraph] = {}
_LOCK = threading.Lock()


def load_chain_graph(build_dir: Path | None = None, *, extra: Sequence[Path] = (), refresh: bool = False) -> ChainGraph:
    """The chain graph of the build (built once per process and cached; ``extra`` RDF files are added)."""
    from yrd_kg.dataset.store import default_build_dir, open_store

    key = f"{Path(build_dir or default_build_dir()).resolve()}|{'|'.join(str(Path(p).resolve()) for p in extra)}"
    with _LOCK:
        if refresh or key not in _CACHE:
            _CACHE[key] = chain_graph_from_store(open_store(build_dir, extra=extra))
        return _CACHE[key]


# --------------------------------------------------------------------------- tracing

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


# --------------------------------------------------------------------------- analyses


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
