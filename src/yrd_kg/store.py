"""The query engine: the built dataset in a pyoxigraph store (rdflib stays the API for building).

The store is loaded from ``build/yrd-kg.nq`` (building first when a source changed). Queries see
the union of all named graphs as their default graph.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from . import resources


def open_store(build_dir: Path | None = None, *, extra: Iterable[Path] = ()) -> ox.Store:
    """An in-memory store holding the built dataset (and ``extra`` RDF files, each in its own graph)."""
    from .build import build

    result = build(out_dir=build_dir)
    store = ox.Store()
    store.bulk_load(path=str(result.out_dir / "yrd-kg.nq"), format=ox.RdfFormat.N_QUADS)
    for f in extra:
        add_file(store, Path(f))
    return store


def add_file(store: ox.Store, path: Path) -> ox.NamedNode:
    """Parse ``path`` safely (scratch graph first) and add it to ``store`` in graph ``…/graph/extra/<name>``."""
    from .loader import parse_file
    from .namespaces import GRAPH

    loaded = parse_file(path)
    gid = ox.NamedNode(str(GRAPH[f"extra/{path.name}"]))
    nt = loaded.graph.serialize(format="nt")
    store.load(nt.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES, to_graph=gid)
    return gid


def default_build_dir() -> Path:
    """Where the built artefacts are read from."""
    return resources.default_build_dir()
