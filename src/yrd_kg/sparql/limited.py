"""Queries run under limits: a killable worker with a wall-clock limit, a memory cap and a row cap.

:class:`~yrd_kg.sparql.engines.OxigraphEngine` with ``max_rows`` stops reading pyoxigraph's lazy results
after ``max_rows``; :func:`run_query` / :func:`run_sparql` return a :class:`Limited` that says whether
rows were cut (``truncated``), with :meth:`Limited.notice` as the line a command prints: never silently.
The text is refused or bound in the caller first, so a refused text never starts a worker.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from yrd_kg.sparql.binding import bind_parameters
from yrd_kg.sparql.catalogue import get_query, params_of, parse_header
from yrd_kg.sparql.engines import OxigraphEngine
from yrd_kg.sparql.guard import check_read_only
from yrd_kg.sparql.results import ResultTable
from yrd_kg.sparql.run import make_engine
from yrd_kg.sparql.run import run_query as _run_query
from yrd_kg.sparql.run import run_sparql as _run_sparql
from yrd_kg.worker import DEFAULT_TIMEOUT, run_with_timeout

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


def _evaluate(kind: str, text: str, store: ox.Store, max_rows: int | None, lang: str,
              params: dict[str, Any], directory: Path | None) -> tuple[ResultTable, bool]:
    engine = OxigraphEngine(store, max_rows)
    if kind == "query":
        table = _run_query(text, lang=lang, engine=engine, directory=directory, params=params)
    else:
        table = _run_sparql(text, lang=lang, engine=engine, params=params)
    return table, engine.truncated


def _limited(kind: str, text: str, *, timeout: float, max_rows: int | None, store: ox.Store | None,
             with_files: Iterable[Path | str], lang: str, params: dict[str, Any],
             directory: Path | None = None, memory_mb: int | None = None) -> Limited:
    # refuse and bind in this process first: a refused text never starts a worker or reaches a store
    if kind == "query":
        q = get_query(text, directory)
        check_read_only(q.text)
        bind_parameters(q.text, q.params, params, lang=lang, name=q.name)
        what = f"query {q.name!r}"
    else:
        check_read_only(text)
        bind_parameters(text, params_of(text, parse_header(text)), params, lang=lang)
        what = "the query"
    eng = make_engine(store=store, with_files=with_files)
    st = getattr(eng, "store", None)
    assert st is not None  # make_engine without an endpoint gives an Oxigraph engine
    t0 = time.monotonic()
    table, truncated = run_with_timeout(_evaluate, kind, text, st, max_rows, lang, params, directory,
                                        timeout=timeout, memory_mb=memory_mb, what=what)
    return Limited(table, truncated, max_rows, timeout, time.monotonic() - t0)


def run_query(name: str, *, timeout: float = DEFAULT_TIMEOUT, max_rows: int | None = DEFAULT_MAX_ROWS,
              store: ox.Store | None = None, with_files: Iterable[Path | str] = (), lang: str = "en",
              directory: Path | None = None, memory_mb: int | None = None, params: Mapping[str, Any] | None = None,
              **kwparams: Any) -> Limited:
    """:func:`yrd_kg.sparql.run.run_query` in a killable worker, with a wall-clock limit and a row cap."""
    return _limited("query", name, timeout=timeout, max_rows=max_rows, store=store, with_files=with_files,
                    lang=lang, params={**(params or {}), **kwparams}, directory=directory, memory_mb=memory_mb)


def run_sparql(text: str, *, timeout: float = DEFAULT_TIMEOUT, max_rows: int | None = DEFAULT_MAX_ROWS,
               store: ox.Store | None = None, with_files: Iterable[Path | str] = (), lang: str = "en",
               memory_mb: int | None = None, params: Mapping[str, Any] | None = None, **kwparams: Any) -> Limited:
    """:func:`yrd_kg.sparql.run.run_sparql` in a killable worker, with a wall-clock limit and a row cap."""
    return _limited("sparql", text, timeout=timeout, max_rows=max_rows, store=store, with_files=with_files,
                    lang=lang, params={**(params or {}), **kwparams}, memory_mb=memory_mb)
