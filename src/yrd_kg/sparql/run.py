"""Running queries: a saved query by name or an ad hoc text, checked, bound, on the engine of choice.

>>> from yrd_kg.dataset.store import dataset_from_files
>>> run_sparql("ASK { ?s ?p ?o }", store=dataset_from_files([])).boolean
False
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from yrd_kg.sparql.binding import bind_parameters
from yrd_kg.sparql.catalogue import DEFAULT_LANG, Param, get_query, params_of, parse_header
from yrd_kg.sparql.engines import Engine, OxigraphEngine
from yrd_kg.sparql.errors import QueryError
from yrd_kg.sparql.guard import checked, normalise
from yrd_kg.sparql.resolve import resolve_parameters
from yrd_kg.sparql.results import ResultTable

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph as ox

    from yrd_kg.dataset.store import Dataset


def make_engine(*, store: ox.Store | Dataset | None = None, with_files: Iterable[Path | str] = (),
                endpoint: str | None = None, default_graphs: Iterable[str] = (), timeout: float | None = None) -> Engine:
    """The engine for a run: pyoxigraph over ``store`` (default: the built dataset, plus ``with_files``).

    ``endpoint``: a SPARQL 1.1 endpoint instead (:class:`yrd_kg.sparql.remote.RemoteEngine`).
    """
    if endpoint is not None:
        from yrd_kg.sparql.remote import RemoteEngine

        kw: dict[str, Any] = {"default_graphs": default_graphs}
        if timeout is not None:
            kw["timeout"] = timeout
        return RemoteEngine(endpoint, **kw)
    from yrd_kg.dataset.loader import LoadError, check_file
    from yrd_kg.dataset.store import add_file, open_dataset

    files = [Path(f) for f in with_files]
    for f in files:
        try:
            check_file(f)
        except LoadError as exc:
            raise QueryError(f"--with {exc}") from exc
    if store is None:
        return OxigraphEngine(open_dataset(extra=files))
    engine = OxigraphEngine(store)
    for f in files:
        add_file(engine.store, f)  # the caller's store must be writable
    return engine


def execute(engine: Engine, text: str, form: str, name: str | None = None) -> ResultTable:
    """Run a checked and bound text on ``engine`` as the query ``form`` it is."""
    if form in ("CONSTRUCT", "DESCRIBE"):
        return ResultTable.from_triples(engine.construct(text), name)
    table = engine.select(text).ordered_as_written(text)  # SELECT *: the text's order, not the engine's
    table.name = name
    return table


def prepare(text: str, params: Sequence[Param], values: Mapping[str, Any], lang: str | None,
            allow_endpoints: Iterable[str], name: str, *, strict: bool = False,
            recheck: bool = False) -> tuple[str, str]:
    """(bound text, query form): the guard first, then the parameters bound as terms.

    The text that runs is the text :func:`yrd_kg.sparql.guard.checked` checked; ``recheck`` runs the guard
    again on the bound text (for ad hoc texts, whose lexing the binder must not be trusted with).
    """
    allow = tuple(allow_endpoints)
    chk = checked(text, allow_endpoints=allow, strict=strict)
    bound = bind_parameters(chk.text, params, values, lang=lang, name=name)
    if recheck and bound != chk.text:
        checked(bound, allow_endpoints=allow, strict=strict)
    return bound, chk.form


def run_query(name: str, *, lang: str = DEFAULT_LANG, store: ox.Store | Dataset | None = None,
              with_files: Iterable[Path | str] = (), engine: Engine | None = None,
              allow_endpoints: Iterable[str] = (), directory: Path | None = None,
              params: Mapping[str, Any] | None = None, strict: bool = False, **kwparams: Any) -> ResultTable:
    """Run the saved query ``name`` with its parameters (keyword per parameter, e.g. ``problem_iri=…``).

    ``params`` (a mapping) is merged with the keyword parameters; use it for names that clash with this
    function's own arguments. An ``_iri`` parameter may be a name (``P4.3``, ``3.4.3``, a label): it is
    resolved to a node of the graph, and an IRI the graph does not have is an error naming the parameter.
    ``lang`` fills ``?_lang`` (label language). The engine is pyoxigraph over ``store`` (default: the
    built dataset, plus ``with_files``) unless ``engine`` is given.
    """
    q = get_query(name, directory)
    checked(q.text, allow_endpoints=tuple(allow_endpoints), strict=strict)  # refuse before any store is opened
    eng = engine if engine is not None else make_engine(store=store, with_files=with_files)
    values = resolve_parameters(q.params, {**(params or {}), **kwparams}, eng)
    text, form = prepare(q.text, q.params, values, lang, allow_endpoints, q.name, strict=strict)
    return execute(eng, text, form, q.name)


def run_sparql(text: str, *, lang: str = DEFAULT_LANG, store: ox.Store | Dataset | None = None,
               with_files: Iterable[Path | str] = (), engine: Engine | None = None,
               allow_endpoints: Iterable[str] = (), params: Mapping[str, Any] | None = None,
               strict: bool = False, **kwparams: Any) -> ResultTable:
    """Run an ad hoc read-only query (``?_name`` variables are parameters, as in saved queries).

    ``strict``: the textual fallback of :mod:`yrd_kg.sparql.guard` (any ``service`` refused), for a text
    that runs where no network namespace is available.
    """
    norm = normalise(text)
    ps = params_of(norm, parse_header(norm))
    checked(norm, allow_endpoints=tuple(allow_endpoints), strict=strict)  # refuse before any store is opened
    eng = engine if engine is not None else make_engine(store=store, with_files=with_files)
    values = resolve_parameters(ps, {**(params or {}), **kwparams}, eng)
    bound, form = prepare(norm, ps, values, lang, allow_endpoints, "query", strict=strict, recheck=True)
    return execute(eng, bound, form, None)


def run_remote_query(name: str, endpoint: str, *, lang: str = "zh", engine: Engine | None = None,
                     timeout: float | None = None, **params: Any) -> ResultTable:
    """Run the saved query ``name`` on ``endpoint``: same checks, parameter binding and typed rows as locally."""
    eng = engine if engine is not None else make_engine(endpoint=endpoint, timeout=timeout)
    return run_query(name, lang=lang or DEFAULT_LANG, engine=eng, params=params)
