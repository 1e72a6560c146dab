"""``yrd-kg describe NAME`` and ``yrd-kg mentions TERM``: what a thing is, and where the paper talks about it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from yrd_kg.cli.errors import PolicyCommand


def _common(f: Any) -> Any:
    f = click.option("--build-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
                     help="Build folder to read (default: ./build or $YRD_KG_BUILD).")(f)
    f = click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
                     help="Language of labels, relations and headings.")(f)
    return click.option("--format", "fmt", type=click.Choice(["text", "json", "md"]), default="text",
                        show_default=True, help="text for the terminal, md (Markdown) or json.")(f)


def _dataset(build_dir: Path | None) -> Any:
    from yrd_kg.dataset.store import open_dataset

    return open_dataset(build_dir)


@click.command("describe", cls=PolicyCommand)
@click.argument("name")
@_common
def describe(name: str, lang: str, fmt: str, build_dir: Path | None) -> None:
    """Everything the graph says about NAME, with the paper's own words.

    NAME is a short id (P1.1, B2.3, R4.2, or 3.1.1 = section 三, subsection 1, point 1), a CURIE
    (instrument:chain-chief-system), an IRI, or a fragment of a zh/en label (链长制, "chain-chief").
    Prints what it is (classes, labels, definition), every quote with its document part and position,
    every link in and out with its strength (原文明说 / 措辞呼应 / 图谱解读) and rationale, its other
    relations, the figures and table cells that belong to it, and its external identifiers. An
    ambiguous name lists the candidates and exits with status 2.
    """
    from yrd_kg.answers.describe import describe as run_describe
    from yrd_kg.answers.render import render
    from yrd_kg.errors import InputError
    from yrd_kg.sparql.resolve import AmbiguousNodeError

    try:
        found = run_describe(name, dataset=_dataset(build_dir))
    except AmbiguousNodeError as exc:  # the candidates in the language asked for
        raise InputError(exc.message(lang)) from exc
    click.echo(render(found, fmt, lang), nl=False)


@click.command("mentions", cls=PolicyCommand)
@click.argument("term")
@click.option("--text", "as_text", is_flag=True, help="Search TERM as a plain string even when it names a node.")
@_common
def mentions(term: str, as_text: bool, lang: str, fmt: str, build_dir: Path | None) -> None:
    """Where the paper talks about TERM: every passage, grouped by section, with what it supports.

    TERM is a node (short id, CURIE, IRI or a whole label: all its zh and en labels are searched) or a
    plain string in zh or en. Every quote that contains it is listed once, in reading order under the
    part of the paper it stands in, with the sections, shortcomings, paths, measures, instruments, actors,
    findings and links it supports; nodes whose labels contain it follow.
    """
    from yrd_kg.answers.mentions import mentions as run_mentions
    from yrd_kg.answers.render import render

    click.echo(render(run_mentions(term, dataset=_dataset(build_dir), as_text=as_text), fmt, lang), nl=False)
