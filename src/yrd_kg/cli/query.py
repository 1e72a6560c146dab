"""``yrd-kg queries``, ``yrd-kg query NAME`` and ``yrd-kg sparql FILE``: thin wrappers over :mod:`yrd_kg.sparql`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from yrd_kg.cli.errors import PolicyCommand
from yrd_kg.errors import InputError

FORMATS = ("table", "csv", "tsv", "json", "xml", "md", "ttl", "nt", "jsonld")
LANGS = ("zh", "en")


def _parse_params(pairs: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--param {pair!r}: expected KEY=VALUE")
        out[key.strip()] = value
    return out


def _common(f: Any) -> Any:
    f = click.option("--with", "with_files", multiple=True, type=click.Path(path_type=Path),
                     help="Add an RDF file to the dataset for this run (repeatable).")(f)
    f = click.option("--lang", type=click.Choice(LANGS), default="en", show_default=True,
                     help="Language of the label columns (binds ?_lang).")(f)
    f = click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
                     help="table, csv, tsv, json / xml (SPARQL 1.1 results), md; ttl, nt, jsonld (CONSTRUCT).")(f)
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
    f = click.option("--raw", is_flag=True, help="table, csv, tsv, md: RDF terms (full IRIs, quoted literals with "
                     "language tags and datatypes) instead of plain values.")(f)
    f = click.option("--wide", is_flag=True, help="table: one line per row (long text is wrapped by default).")(f)
    f = click.option("--memory", type=click.IntRange(min=0), default=None, metavar="MB",
                     help="Memory cap of the worker in MB (default: $YRD_KG_MEMORY_MB or 4096; 0: none).")(f)
    return f


def _run(kind: str, text: str, values: dict[str, str], *, fmt: str, lang: str, with_files: tuple[Path, ...],
         endpoint: str | None, default_graphs: tuple[str, ...], allow: tuple[str, ...], timeout: float,
         max_rows: int, raw: bool, wide: bool, memory: int | None) -> None:
    """The whole run in a killable worker (:mod:`yrd_kg.sparql.limited`): locally with no network, or remotely."""
    from yrd_kg.dataset.loader import check_file
    from yrd_kg.sparql import limited

    for f in with_files:
        check_file(f)
    if endpoint is None and default_graphs:
        raise InputError("--default-graph needs --endpoint (the local build's default graph is the union of its graphs)")
    if endpoint is not None and with_files:
        raise InputError("--with adds local files to the local dataset; it cannot be used with --endpoint "
                               "(push them to the store and name their graph with --default-graph)")
    limited_run = limited.run_query if kind == "query" else limited.run_sparql
    res = limited_run(text, timeout=timeout, max_rows=max_rows, lang=lang, with_files=with_files, params=values,
                      endpoint=endpoint, default_graphs=default_graphs, allow_endpoints=allow, memory_mb=memory)
    if res.notice():
        click.echo(res.notice(), err=True)
    table = res.table
    if fmt in ("ttl", "nt", "jsonld") and table.kind != "construct":
        raise InputError(f"--format {fmt} needs a CONSTRUCT or DESCRIBE query; use table, csv, tsv, json, xml or md")
    out = table.format(fmt, plain_values=not raw, max_width=None if wide else 60)
    click.echo(out, nl=not out.endswith("\n"))


class _Command(PolicyCommand):
    """A query command whose help ends with the network protection active on this machine."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Say what keeps untrusted queries off the network here."""
        from yrd_kg.worker import protection

        formatter.write_paragraph()
        formatter.write_text(f"Network: {protection()}.")


@click.command(name="queries", cls=PolicyCommand)
@click.option("--lang", type=click.Choice(LANGS), default="en", show_default=True, help="Language of the summaries.")
@click.option("--kind", type=click.Choice(("report", "construct", "violation")), default=None,
              help="Only this kind of query.")
def queries(lang: str, kind: str | None) -> None:
    """List the saved queries with their summaries and parameters."""
    from yrd_kg.sparql.catalogue import list_queries

    qs = list_queries(kind=kind)  # type: ignore[arg-type]
    width = max((len(q.name) for q in qs), default=0)
    for q in qs:
        ps = " ".join(f"{p.name}={p.type}" for p in q.params if p.name != "lang")
        click.echo(f"{q.name:<{width}}  {q.summary(lang)}" + (f"  [{ps}]" if ps else ""))


@click.command(name="query", cls=_Command)
@click.argument("name")
@_common
def query(name: str, params: tuple[str, ...], fmt: str, lang: str, with_files: tuple[Path, ...],
          endpoint: str | None, default_graphs: tuple[str, ...], allow: tuple[str, ...], timeout: float,
          max_rows: int, raw: bool, wide: bool, memory: int | None) -> None:
    """Run the saved query NAME (see ``yrd-kg queries``), locally or against --endpoint.

    A node parameter takes a short id, a section number or a label as well as an IRI: -p problem_iri=P4.3.
    """
    _run("query", name, _parse_params(params), fmt=fmt, lang=lang, with_files=with_files, endpoint=endpoint,
         default_graphs=default_graphs, allow=allow, timeout=timeout, max_rows=max_rows, raw=raw, wide=wide,
         memory=memory)


@click.command(name="sparql", cls=_Command)
@click.argument("file", type=str)
@_common
def sparql(file: str, params: tuple[str, ...], fmt: str, lang: str, with_files: tuple[Path, ...],
           endpoint: str | None, default_graphs: tuple[str, ...], allow: tuple[str, ...], timeout: float,
           max_rows: int, raw: bool, wide: bool, memory: int | None) -> None:
    """Run an ad hoc read-only query from FILE (``-`` reads standard input), locally or against --endpoint."""
    from yrd_kg.dataset.loader import read_text
    from yrd_kg.sparql.errors import QueryError

    text = sys.stdin.read() if file == "-" else read_text(file, max_bytes=10 * 1024 * 1024)
    try:
        _run("sparql", text, _parse_params(params), fmt=fmt, lang=lang, with_files=with_files, endpoint=endpoint,
             default_graphs=default_graphs, allow=allow, timeout=timeout, max_rows=max_rows, raw=raw, wide=wide,
             memory=memory)
    except QueryError as exc:
        raise QueryError(f"{file}: {exc}") from exc
