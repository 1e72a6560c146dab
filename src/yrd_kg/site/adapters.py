"""The site's only imports from the rest of yrd_kg (re-point them here when modules move).

Everything else in ``yrd_kg.site`` imports from this module or from its own siblings.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph as ox

T = TypeVar("T")

#: saved CONSTRUCT queries the chain explorer runs (the same ones ``yrd-kg trace`` uses)
CHAIN_QUERIES = ("construct-chain-graph", "construct-trace-graph")


def track(items: Iterable[T], description: str) -> Iterator[T]:
    """A progress bar over ``items`` (:func:`yrd_kg.progress.track`: quiet off a terminal and with --quiet)."""
    from yrd_kg.progress import track as _track

    return _track(items, description)


def source_sha256() -> str:
    """The SHA-256 the evidence offsets were anchored against."""
    from yrd_kg.namespaces import SOURCE_SHA256

    return SOURCE_SHA256


def prefixes() -> dict[str, str]:
    """The project's prefix → namespace map (for compact IRIs)."""
    from yrd_kg.namespaces import PREFIXES

    return dict(PREFIXES)


def compact(iri: str) -> str:
    """``prefix:local`` for the project's prefixes and the shapes namespace (longest wins), else the IRI."""
    from yrd_kg.namespaces import compact as _compact

    return _compact(iri)


def default_source() -> Path:
    """Where the paper's text is looked up by default."""
    from yrd_kg.resources import default_source as _default

    return _default()


def read_source_text(path: Path) -> str:
    """The paper's raw text, checksum-checked exactly as ``verify-evidence`` does.

    Raises :class:`SourceUnavailable` with the reason when the file is missing or is another text.
    """
    from yrd_kg.validate.anchoring import SourceError, read_source

    try:
        return read_source(Path(path))
    except SourceError as exc:
        raise SourceUnavailable(str(exc)) from exc


class SourceUnavailable(Exception):
    """The source text cannot be used (missing, or its checksum is not the paper's)."""


def canonical(text: str) -> str:
    """The canonical form the evidence offsets count in (every whitespace character removed)."""
    from yrd_kg.validate.anchoring import canonical as _canonical

    return _canonical(text)


@dataclass(frozen=True)
class QueryInfo:
    """A saved query as the site shows it."""

    name: str
    kind: str
    summary_zh: str
    summary_en: str
    description: str
    tags: tuple[str, ...]
    params: tuple[tuple[str, str, str | None], ...]  # (variable as written, e.g. ``_lang``; type; default)
    text: str

    @property
    def open_params(self) -> tuple[str, ...]:
        """Parameters (without ``_``) that have no default and are not the label language."""
        return tuple(v[1:] for v, _t, d in self.params if d is None and v != "_lang")


def saved_queries() -> list[QueryInfo]:
    """Every saved query (``queries/*.rq``) with its ``#+`` header, sorted by name."""
    from yrd_kg.sparql.catalogue import list_queries

    return [QueryInfo(q.name, q.kind, q.summary_zh, q.summary_en, q.description, q.tags,
                      tuple((p.var, p.type, p.default) for p in q.params), q.text) for q in list_queries()]


def bind_for_endpoint(q: QueryInfo, lang: str) -> str:
    """The query text with ``?_lang`` and every defaulted parameter bound (open ones stay variables)."""
    from yrd_kg.sparql.binding import bind_parameters
    from yrd_kg.sparql.catalogue import Param

    bindable = [Param(v, t, d) for v, t, d in q.params if d is not None or v == "_lang"]  # type: ignore[arg-type]
    return bind_parameters(q.text, bindable, {}, lang=lang, name=q.name)


#: a result cell: ("iri", IRI), ("lit", text) or ("", "") when unbound
Cell = tuple[str, str]


Report = tuple[tuple[str, ...], list[tuple[Cell, ...]], bool]


def run_saved_report(store: ox.Store, name: str, lang: str, max_rows: int) -> Report:
    """Run a saved report query on ``store`` (labels in ``lang``): columns, cells, truncated."""
    import pyoxigraph as ox

    from yrd_kg.sparql.engines import OxigraphEngine
    from yrd_kg.sparql.run import run_query

    engine = OxigraphEngine(store, max_rows=max_rows)
    table = run_query(name, lang=lang, engine=engine)
    rows = [tuple(("", "") if c is None else ("iri", c.value) if isinstance(c, ox.NamedNode) else ("lit", c.value)
                  for c in row) for row in table.rows]
    return tuple(table.columns), rows, engine.truncated


def chain_triples(store: ox.Store) -> list[tuple[Any, Any, Any]]:
    """The triples of the chain graph: the saved CONSTRUCTs ``yrd-kg trace`` builds its graph from."""
    from yrd_kg.chains.graph import construct_triples

    return construct_triples(store)


def shapes_store(store: ox.Store) -> ox.Store:
    """A store holding the SHACL shapes: ``store`` itself when it has them, else the shipped shapes files."""
    import pyoxigraph as ox

    ask = "ASK { ?s a <http://www.w3.org/ns/shacl#NodeShape> }"
    if bool(store.query(ask, use_default_graph_as_union=True)):
        return store
    from yrd_kg.dataset.terms import from_graph
    from yrd_kg.validate.shapes import load_shapes

    out = ox.Store()
    out.extend(from_graph(load_shapes()))
    return out


def wikidata_iri(qid: str) -> str:
    """The Wikidata entity IRI of ``qid`` (the project's ``wd:`` namespace)."""
    from yrd_kg.namespaces import WD

    return f"{WD}{qid}"


def geonames_iri(geonames_id: str) -> str:
    """The GeoNames feature IRI of ``geonames_id``."""
    from yrd_kg.namespaces import geonames_feature

    return str(geonames_feature(geonames_id))
