"""``yrd-kg queries``, ``yrd-kg query NAME`` and ``yrd-kg sparql FILE``: thin wrappers over :mod:`yrd_kg.queries`.

Exit codes: 0 success; 2 usage or query error (one line naming the parameter, file or query).
A later ``--endpoint URL`` option only has to pass a remote :class:`yrd_kg.queries.Engine` as ``engine=``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

FORMATS = ("table", "csv", "tsv", "json", "md", "ttl")
LANGS = ("zh", "en")


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(2)


def _parse_params(pairs: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            _fail(f"--param {pair!r}: expected KEY=VALUE")
        out[key.strip()] = value
    return out


def _emit(result: Any, fmt: str) -> None:
    from yrd_kg.sparql.queries import QueryError

    if fmt == "ttl" and result.kind != "construct":
        _fail("--format ttl needs a CONSTRUCT or DESCRIBE query; use table, csv, tsv, json or md")
    try:
        text = result.format(fmt)
    except QueryError as exc:
        _fail(str(exc))
    click.echo(text, nl=not text.endswith("\n"))


def _common(f: Any) -> Any:
    f = click.option("--with", "with_files", multiple=True, type=click.Path(path_type=Path),
                     help="Add an RDF file to the dataset for this run (repeatable).")(f)
    f = click.option("--lang", type=click.Choice(LANGS), default="en", show_default=True,
                     help="Language of the label columns (binds ?_lang).")(f)
    f = click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
                     help="table, csv, tsv, json (SPARQL 1.1 results JSON), md, ttl (CONSTRUCT only).")(f)
    f = click.option("--param", "-p", "params", multiple=True, metavar="KEY=VALUE",
                     help="Bind a parameter, e.g. -p problem_iri=problem:P1.1 (repeatable).")(f)
    f = click.option("--endpoint", default=None, metavar="URL",
                     help="Run against this SPARQL 1.1 endpoint instead of the local build (SPARQLWrapper).")(f)
    f = click.option("--default-graph", "default_graphs", multiple=True, metavar="IRI",
                     help="With --endpoint: query the merge of these graphs as the default graph "
                          "(default-graph-uri; repeatable).")(f)
    f = click.option("--allow-endpoint", "allow", multiple=True, metavar="URL",
                     help="Allow SERVICE calls to this endpoint (repeatable; nothing else is ever contacted).")(f)
    f = click.option("--timeout", type=click.FloatRange(min=0.1), default=60.0, show_default=True,
                     help="Wall-clock limit in seconds; the query runs in a worker that is killed past it.")(f)
    f = click.option("--max-rows", type=click.IntRange(min=1), default=100_000, show_default=True,
                     help="Row cap; a cut result is reported on standard error, never silently.")(f)
    return f


def _check_remote_options(endpoint: str | None, with_files: tuple[Path, ...], default_graphs: tuple[str, ...]) -> None:
    if endpoint is None and default_graphs:
        _fail("--default-graph needs --endpoint (the local build's default graph is the union of its graphs)")
    if endpoint is not None and with_files:
        _fail("--with adds local files to the local dataset; it cannot be used with --endpoint "
              "(push them to the store and name their graph with --default-graph)")


def _run(kind: str, text: str, *, lang: str, with_files: tuple[Path, ...], values: dict[str, str],
         endpoint: str | None, allow: tuple[str, ...], timeout: float, max_rows: int,
         default_graphs: tuple[str, ...] = ()) -> Any:
    """Run locally in a killable worker (limits), remotely with the endpoint's timeouts, or in-process with SERVICE allowed."""
    import yrd_kg.sparql.queries as queries
    import yrd_kg.worker as sandbox

    if endpoint is not None:
        from yrd_kg.sparql.remote import RemoteEngine

        engine = RemoteEngine(endpoint, timeout=timeout, default_graphs=default_graphs)
        run = queries.run_query if kind == "query" else queries.run_sparql
        return run(text, lang=lang, engine=engine, allow_endpoints=allow, params=values)
    if allow:  # SERVICE to an allow-listed endpoint: in-process (the network call has its own timeout)
        run = queries.run_query if kind == "query" else queries.run_sparql
        return run(text, lang=lang, with_files=with_files, allow_endpoints=allow, params=values)
    limited_run = sandbox.run_query if kind == "query" else sandbox.run_sparql
    bound: dict[str, Any] = dict(values)
    limited = limited_run(text, timeout=timeout, max_rows=max_rows, lang=lang, with_files=with_files, **bound)
    notice = limited.notice()
    if notice:
        click.echo(notice, err=True)
    return limited.table


def _errors() -> tuple[type[BaseException], ...]:
    from yrd_kg.dataset.loader import LoadError
    from yrd_kg.sparql.queries import QueryError
    from yrd_kg.sparql.remote import RemoteError
    from yrd_kg.worker import SandboxError

    return (QueryError, LoadError, RemoteError, SandboxError, ValueError)


@click.command(name="queries")
@click.option("--lang", type=click.Choice(LANGS), default="en", show_default=True, help="Language of the summaries.")
@click.option("--kind", type=click.Choice(("report", "construct", "violation")), default=None,
              help="Only this kind of query.")
def queries(lang: str, kind: str | None) -> None:
    """List the saved queries with their summaries and parameters."""
    from yrd_kg.sparql.queries import list_queries

    qs = list_queries(kind=kind)  # type: ignore[arg-type]
    width = max((len(q.name) for q in qs), default=0)
    for q in qs:
        ps = " ".join(f"{p.name}={p.type}" for p in q.params if p.name != "lang")
        extra = f"  [{ps}]" if ps else ""
        click.echo(f"{q.name:<{width}}  {q.summary(lang)}{extra}")


def _with_files(files: tuple[Path, ...]) -> None:
    for f in files:
        if not f.is_file():
            _fail(f"--with {f}: no such file")


def _run_and_emit(kind: str, text: str, label: str, params: tuple[str, ...], fmt: str, lang: str,
                  with_files: tuple[Path, ...], endpoint: str | None, default_graphs: tuple[str, ...],
                  allow: tuple[str, ...], timeout: float, max_rows: int) -> None:
    """Check the options, run (``kind`` = query: ``text`` is a name; sparql: the text) and print; errors exit 2."""
    values = _parse_params(params)
    _with_files(with_files)
    _check_remote_options(endpoint, with_files, default_graphs)
    try:
        result = _run(kind, text, lang=lang, with_files=with_files, values=values, endpoint=endpoint,
                      allow=allow, timeout=timeout, max_rows=max_rows, default_graphs=default_graphs)
    except _errors() as exc:
        _fail(str(exc) if kind == "query" else f"{label}: {exc}")
    except SyntaxError as exc:
        _fail(f"{label}: SPARQL syntax error: {exc}")
    _emit(result, fmt)


@click.command(name="query")
@click.argument("name")
@_common
def query(name: str, params: tuple[str, ...], fmt: str, lang: str, with_files: tuple[Path, ...],
          endpoint: str | None, default_graphs: tuple[str, ...], allow: tuple[str, ...], timeout: float,
          max_rows: int) -> None:
    """Run the saved query NAME (see ``yrd-kg queries``), locally or against --endpoint."""
    _run_and_emit("query", name, name, params, fmt, lang, with_files, endpoint, default_graphs, allow, timeout,
                   max_rows)


@click.command(name="sparql")
@click.argument("file", type=str)
@_common
def sparql(file: str, params: tuple[str, ...], fmt: str, lang: str, with_files: tuple[Path, ...],
          endpoint: str | None, default_graphs: tuple[str, ...], allow: tuple[str, ...], timeout: float,
          max_rows: int) -> None:
    """Run an ad hoc read-only query from FILE (``-`` reads standard input), locally or against --endpoint."""
    if file == "-":
        text = sys.stdin.read()
    else:
        p = Path(file)
        if not p.is_file():
            _fail(f"{file}: no such file")
        text = p.read_text(encoding="utf-8")
    _run_and_emit("sparql", text, file, params, fmt, lang, with_files, endpoint, default_graphs, allow, timeout,
                   max_rows)
