"""Causal chains: the argument of the paper as a typed networkx graph, traced from a problem to its remedies.

The chain graph is built once per process from three saved CONSTRUCT queries on the store
(:func:`yrd_kg.store.open_store`):

- ``queries/construct-chain-graph.rq``: every qualified ``yrd:Link`` of the chain (``causes``,
  ``contributesTo``, ``addresses``, ``supports``, ``usesInstrument``, ``involvesActor``) with its status,
  rationale and evidence, and the types, notation and labels of its endpoints;
- ``queries/construct-trace-graph.rq``: every node of the chain classes with its labels, and the
  ``yrd:partOf`` hierarchy (sub-point → shortcoming, action → path, measure → recommendation, a factor
  that is only a part (``yrd:CausalFactor``) → its sub-point);
- ``queries/construct-chain-context.rq``: the policy documents (``yrd:citesDocument``) and exemplars
  (``yrd:exemplifiedBy``) the nodes build on, as qualified links, with the documents and exemplars.

All are merged into a :class:`networkx.MultiDiGraph` whose edges point as the RDF does (subject →
object): cause → problem → effect, remedy → problem (``addresses``), measure → action (``supports``),
remedy → instrument (``uses``), remedy → actor (``involves``), part → whole (``partOf``), remedy →
document (``cites``), remedy → exemplar (``exemplifiedBy``).

:mod:`yrd_kg.chains.trace` walks it; :mod:`yrd_kg.chains.analysis` answers the graph-wide questions.
See ``docs/CHAINS.md``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from yrd_kg.chains.model import (
    CLASS_KIND,
    EXTRA_KINDS,
    KINDS,
    PREDICATE_RELATION,
    RDF_TYPE,
    SKOS_ALT_LABEL,
    SKOS_NOTATION,
    SKOS_PREF_LABEL,
    STATUS,
    ChainEdge,
    ChainEvidence,
    ChainNode,
    natural_key,
)
from yrd_kg.namespaces import YRD, compact
from yrd_kg.sparql.resolve import resolve_name

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx

    from yrd_kg.dataset.store import Dataset

LINKS_QUERY = "construct-chain-graph"
STRUCTURE_QUERY = "construct-trace-graph"
#: the policy documents and exemplars the argument's nodes cite or follow, as qualified links
CONTEXT_QUERY = "construct-chain-context"


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
        """The IRI of the node ``query`` names (:func:`yrd_kg.sparql.resolve.resolve_name` over the chain's nodes).

        ``query`` is an IRI, a compact IRI, a notation (``P1.1``), a section number (``3.1.1`` → P1.1,
        ``4.2`` → B2, ``5.2.3`` → R2.3) or a label fragment in zh or en.
        ``prefer``: kinds searched first for a label fragment (all kinds when none of them matches).
        Raises :class:`NodeNotFoundError` or :class:`AmbiguousNodeError`.
        """
        return resolve_name(query, self.nodes.values(), prefer or (), rank=_kind_rank)


def _kind_rank(n: Any) -> int:
    order = KINDS + EXTRA_KINDS
    return order.index(n.what) if n.what in order else len(order)


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
        kinds = sorted({CLASS_KIND[_term_value(t)] for t in d.get(RDF_TYPE, ()) if _term_value(t) in CLASS_KIND},
                       key=(KINDS + EXTRA_KINDS).index)
        if not kinds:
            continue
        notations = sorted(_term_value(v) for v in d.get(SKOS_NOTATION, ()))
        alts = tuple(sorted({_term_value(v) for v in d.get(SKOS_ALT_LABEL, ())}))
        nodes.append(ChainNode(subj, tuple(kinds), notations[0] if notations else "",
                               lang_value(d, SKOS_PREF_LABEL, "zh"), lang_value(d, SKOS_PREF_LABEL, "en"), alts))
    node_ids = {n.iri for n in nodes}

    edges: list[ChainEdge] = []
    for subj, d in props.items():
        pred = one(d, str(YRD.linkPredicate))
        if pred:
            relation = PREDICATE_RELATION.get(pred)
            s, o = one(d, str(YRD.linkSubject)), one(d, str(YRD.linkObject))
            if relation is None or s not in node_ids or o not in node_ids:
                continue
            evs: list[ChainEvidence] = []
            for ev in d.get(str(YRD.hasEvidence), ()):
                ed = props.get(_term_value(ev), {})
                quote = one(ed, str(YRD.quote))
                if not quote:
                    continue
                start, end = one(ed, str(YRD.start)), one(ed, str(YRD.end))
                evs.append(ChainEvidence(quote, _locator_notation(one(ed, str(YRD.locator))),
                                         int(start) if start else None, int(end) if end else None))
            evs.sort(key=lambda e: (e.start if e.start is not None else 1 << 30, e.quote))
            status = STATUS.get(one(d, str(YRD.assertionStatus)), "interpreted")
            link = subj if subj.startswith(("http://", "https://")) else ""
            if not link:  # a blank node (fixtures): a stable key from the triple
                link = f"urn:yrd-kg:link:{relation}:{s}>{o}"
            edges.append(ChainEdge(s, o, relation, status, lang_value(d, str(YRD.rationale), "zh"),
                                   lang_value(d, str(YRD.rationale), "en"), tuple(evs), link))
        for parent in d.get(str(YRD.partOf), ()):
            pv = _term_value(parent)
            if subj in node_ids and pv in node_ids:
                edges.append(ChainEdge(subj, pv, "partOf", "stated"))
    edges.sort(key=lambda e: (e.source, e.relation, e.target, e.link))
    nodes.sort(key=lambda n: n.iri)
    return ChainGraph(nodes, edges)


def construct_triples(store: Any, queries_dir: Path | None = None) -> list[tuple[Any, Any, Any]]:
    """Run the three saved CONSTRUCT queries on ``store`` (a Dataset or a pyoxigraph store) and return their triples."""
    from yrd_kg.sparql.catalogue import get_query

    out: list[tuple[Any, Any, Any]] = []
    for name in (LINKS_QUERY, STRUCTURE_QUERY, CONTEXT_QUERY):
        text = get_query(name, queries_dir).text
        result: Any = store.query(text) if hasattr(store, "checksum") else store.query(text, use_default_graph_as_union=True)
        for t in result:
            out.append((t.subject, t.predicate, t.object))
    return out


def chain_graph_from_store(store: Any) -> ChainGraph:
    """The chain graph of whatever ``store`` holds (a Dataset, or a pyoxigraph store of a fixture)."""
    return build_chain_graph(construct_triples(store))


_CACHE: dict[str, ChainGraph] = {}
_LOCK = threading.Lock()


def load_chain_graph(build_dir: Path | None = None, *, extra: Sequence[Path] = (), refresh: bool = False) -> ChainGraph:
    """The chain graph of the build (built once per process and cached; ``extra`` RDF files are added)."""
    from yrd_kg.dataset.store import open_dataset

    ds: Dataset = open_dataset(build_dir, extra=extra)
    key = f"{ds.source}|{ds.checksum}|{'|'.join(str(Path(p).resolve()) for p in extra)}"
    with _LOCK:
        if refresh or key not in _CACHE:
            _CACHE[key] = chain_graph_from_store(ds)
        return _CACHE[key]
