"""Entailment before validation: the inferred triples, computed once per dataset and cached by its checksum.

- ``rdfs``: the RDFS rules that give types and properties (rdfs2, rdfs3, rdfs5, rdfs7, rdfs9, rdfs11), as
  four SPARQL queries on the store (subproperties first, then domains and ranges, then superclasses);
- ``owlrl`` / ``rl``: the OWL 2 RL closure of the Rust ``reasonable`` reasoner (:func:`yrd_kg.reason.rl.materialise_rl`).

The inferred triples go to their own graph (:data:`INFERRED`) of a copy of the store; a closure of the built
dataset is kept in ``build/inference/<mode>-<checksum>.nq`` so the next process only loads it.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pyoxigraph as ox
from rdflib.namespace import RDF, RDFS

from yrd_kg.dataset.build import write_atomic
from yrd_kg.dataset.store import Dataset
from yrd_kg.dataset.terms import from_graph
from yrd_kg.errors import EnvironmentFault, InputError
from yrd_kg.namespaces import GRAPH

MODES = ("none", "rdfs", "owlrl", "rl")
INFERRED = ox.NamedNode(str(GRAPH["derived/inferred"]))

_RDFS_STEPS = (
    f"CONSTRUCT {{ ?a <{RDFS.subClassOf}> ?c }} WHERE {{ ?a <{RDFS.subClassOf}>+ ?c }}",
    f"CONSTRUCT {{ ?a <{RDFS.subPropertyOf}> ?c }} WHERE {{ ?a <{RDFS.subPropertyOf}>+ ?c }}",
    f"CONSTRUCT {{ ?s ?q ?o }} WHERE {{ ?p <{RDFS.subPropertyOf}>+ ?q . ?s ?p ?o }}",
    f"CONSTRUCT {{ ?s <{RDF.type}> ?c }} WHERE {{ ?p <{RDFS.domain}> ?c . ?s ?p ?o }}",
    f"CONSTRUCT {{ ?o <{RDF.type}> ?c }} WHERE {{ ?p <{RDFS.range}> ?c . ?s ?p ?o FILTER(!isLiteral(?o)) }}",
    f"CONSTRUCT {{ ?x <{RDF.type}> ?d }} WHERE {{ ?x <{RDF.type}> ?c . ?c <{RDFS.subClassOf}>+ ?d }}",
)


def _rdfs(store: ox.Store) -> list[ox.Triple]:
    scratch = ox.Store()
    scratch.bulk_extend(store)
    out: list[ox.Triple] = []
    for q in _RDFS_STEPS:
        new = list(scratch.query(q, use_default_graph_as_union=True))  # type: ignore[arg-type]
        scratch.extend(ox.Quad(t.subject, t.predicate, t.object, INFERRED) for t in new)
        out += new
    return out


def _rl(ds: Dataset) -> list[ox.Triple]:
    from yrd_kg.reason.rl import materialise_rl

    g = ds.rdflib_graph()
    closed = materialise_rl(g)
    return [ox.Triple(q.subject, q.predicate, q.object) for q in from_graph(closed - g)]


_MEMO: dict[tuple[str, str], list[ox.Triple]] = {}


def inferred(ds: Dataset, mode: str) -> list[ox.Triple]:
    """The triples ``mode`` entails from ``ds`` (empty for ``none``), cached per process and, for a build, on disk."""
    if mode not in MODES:
        raise InputError(f"unknown inference {mode!r}; expected one of {', '.join(MODES)}")
    if mode == "none":
        return []
    kind = "rdfs" if mode == "rdfs" else "rl"
    key = (kind, ds.checksum or str(id(ds)))
    if key in _MEMO:
        return _MEMO[key]
    cache = Path(ds.source) / "inference" / f"{kind}-{ds.checksum[:16]}.nq" if ds.checksum else None
    if cache is not None and cache.is_file():
        triples = [ox.Triple(q.subject, q.predicate, q.object)
                   for q in ox.parse(path=str(cache), format=ox.RdfFormat.N_QUADS)]
    else:
        triples = _rdfs(ds.store) if kind == "rdfs" else _rl(ds)
        if cache is not None:
            lines = sorted({f"{ox.Quad(t.subject, t.predicate, t.object, INFERRED)} ." for t in triples})
            with contextlib.suppress(OSError, EnvironmentFault):  # a read-only build folder: computed again next time
                write_atomic(cache, ("\n".join(lines) + "\n").encode("utf-8"))
    _MEMO[key] = triples
    return triples


def with_inferences(ds: Dataset, mode: str) -> Dataset:
    """``ds`` itself for ``none``; else a copy whose store also holds the entailed triples in :data:`INFERRED`."""
    triples = inferred(ds, mode)
    if not triples:
        return ds
    out = ds.copy()
    out.store.extend(ox.Quad(t.subject, t.predicate, t.object, INFERRED) for t in triples)
    out.nq_file = None
    return out
