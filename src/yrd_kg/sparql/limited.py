"""Queries run under limits: the whole job in a killable worker, with no network, a memory cap and a row cap.

Everything a run does with the user's input happens in the worker, inside the wall-clock limit:
reading the YAML header, the read-only check (rdflib's parser), binding the parameters, loading the
``--with`` files, evaluating (and, with ``endpoint``, the remote call). The worker of a local run enters an
empty network namespace first (:func:`yrd_kg.worker.network_isolation`), so the engine cannot federate
whatever the text says; where the OS grants none, the guard's strict textual fallback refuses every text
holding ``SERVICE``. ``allow_endpoints`` keeps the network for a run whose every ``SERVICE`` names one of
them in full (see ``docs/SECURITY.md`` for what that leaves open).

:class:`~yrd_kg.sparql.engines.OxigraphEngine` with ``max_rows`` stops reading pyoxigraph's lazy results
after ``max_rows``; :func:`run_query` / :func:`run_sparql` return a :class:`Limited` that says whether
rows were cut (``truncated``), with :meth:`Limited.notice` as the line a command prints: never silently.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from yrd_kg.sparql.engines import OxigraphEngine
from yrd_kg.sparql.results import ResultTable
from yrd_kg.worker import DEFAULT_TIMEOUT, network_isolation, run_with_timeout

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph as ox

#: default row cap of a query run from the command line
DEFAULT_MAX_ROWS = 100_000


@dataclass
class Limited:
    """A query result run under limits: the table, whether rows were cut, and the limits used."""

    table: ResultTable
    truncated: bool
    max_rows: int | None
    timeout: float
    seconds: float

    def notice(self) -> str | None:
        """The line to print when rows were cut (None otherwise)."""
        if not self.truncated:
            return None
        return (f"truncated: only the first {self.max_rows} rows are shown; the query has more "
                f"(raise the cap with --max-rows)")


@dataclass(frozen=True)
class _Job:
    kind: str
    text: str
    store: Any
    with_files: tuple[Path, ...]
    endpoint: str | None
    default_graphs: tuple[str, ...]
    allow: tuple[str, ...]
    max_rows: int | None
    lang: str
    params: dict[str, Any]
    directory: Path | None
    strict: bool
    timeout: float


def _cut(table: ResultTable, max_rows: int | None) -> bool:
    if max_rows is None or len(table.rows) <= max_rows:
        return False
    del table.rows[max_rows:]
    if table.triples is not None:
        del table.triples[max_rows:]
    return True


def _evaluate(job: _Job) -> tuple[ResultTable, bool]:
    """In the worker: header, guard, binding, ``--with`` loading and evaluation."""
    from yrd_kg.sparql import run

    engine: Any
    if job.endpoint is not None:
        engine = run.make_engine(endpoint=job.endpoint, default_graphs=job.default_graphs, timeout=job.timeout)
    else:
        engine = OxigraphEngine(run.make_engine(store=job.store, with_files=job.with_files).store,  # type: ignore[attr-defined]
                                job.max_rows)
    if job.kind == "query":
        table = run.run_query(job.text, lang=job.lang, engine=engine, allow_endpoints=job.allow,
                              directory=job.directory, params=job.params, strict=job.strict)
    else:
        table = run.run_sparql(job.text, lang=job.lang, engine=engine, allow_endpoints=job.allow,
                               params=job.params, strict=job.strict)
    truncated = getattr(engine, "truncated", False)
    return table, _cut(table, job.max_rows) or truncated


def _limited(kind: str, text: str, *, timeout: float, max_rows: int | None, store: ox.Store | None,
             with_files: Iterable[Path | str], lang: str, params: dict[str, Any], directory: Path | None = None,
             memory_mb: int | None = None, endpoint: str | None = None, default_graphs: Iterable[str] = (),
             allow_endpoints: Iterable[str] = ()) -> Limited:
    files = tuple(Path(f) for f in with_files)
    allow = tuple(allow_endpoints)
    network = endpoint is not None or bool(allow)
    if store is None and endpoint is None and not files:
        from yrd_kg.dataset.store import open_dataset

        store = open_dataset().store  # the trusted build, opened (and cached) here; user input stays in the worker
    job = _Job(kind, text, store, files, endpoint, tuple(default_graphs), allow, max_rows, lang, params, directory,
               strict=not network and network_isolation() is None, timeout=timeout)
    what = f"query {text!r}" if kind == "query" else "the query"
    t0 = time.monotonic()
    table, truncated = run_with_timeout(_evaluate, job, timeout=timeout, memory_mb=memory_mb, what=what,
                                        network=network)
    return Limited(table, truncated, max_rows, timeout, time.monotonic() - t0)


def run_query(name: str, *, timeout: float = DEFAULT_TIMEOUT, max_rows: int | None = DEFAULT_MAX_ROWS,
              store: ox.Store | None = None, with_files: Iterable[Path | str] = (), lang: str = "en",
              directory: Path | None = None, memory_mb: int | None = None, params: Mapping[str, Any] | None = None,
              endpoint: str | None = None, default_graphs: Iterable[str] = (), allow_endpoints: Iterable[str] = (),
              **kwparams: Any) -> Limited:
    """:func:`yrd_kg.sparql.run.run_query` in a killable worker, with a wall-clock limit and a row cap."""
    return _limited("query", name, timeout=timeout, max_rows=max_rows, store=store, with_files=with_files,
                    lang=lang, params={**(params or {}), **kwparams}, directory=directory, memory_mb=memory_mb,
                    endpoint=endpoint, default_graphs=default_graphs, allow_endpoints=allow_endpoints)


def run_sparql(text: str, *, timeout: float = DEFAULT_TIMEOUT, max_rows: int | None = DEFAULT_MAX_ROWS,
               store: ox.Store | None = None, with_files: Iterable[Path | str] = (), lang: str = "en",
               memory_mb: int | None = None, params: Mapping[str, Any] | None = None, endpoint: str | None = None,
               default_graphs: Iterable[str] = (), allow_endpoints: Iterable[str] = (), **kwparams: Any) -> Limited:
    """:func:`yrd_kg.sparql.run.run_sparql` in a killable worker, with a wall-clock limit and a row cap."""
    return _limited("sparql", text, timeout=timeout, max_rows=max_rows, store=store, with_files=with_files,
                    lang=lang, params={**(params or {}), **kwparams}, memory_mb=memory_mb, endpoint=endpoint,
                    default_graphs=default_graphs, allow_endpoints=allow_endpoints)
