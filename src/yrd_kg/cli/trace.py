"""``yrd-kg trace``, ``yrd-kg explain`` and ``yrd-kg diagrams``: causal chains (see docs/CHAINS.md)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:  # pragma: no cover
    from yrd_kg.chains.graph import ChainGraph

_FORMATS = ("text", "json", "mermaid", "dot", "svg", "png")
_EXT = {"svg": "svg", "png": "png", "mermaid": "mmd", "dot": "dot", "json": "json", "text": "txt"}

_build_dir = click.option("--build-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
                          help="Build folder to read (default: ./build or $YRD_KG_BUILD).")
_lang = click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="Label language.")
_only_stated = click.option("--only-stated", is_flag=True, help="Drop interpreted links (keep what the text states).")
_engine = click.option("--engine", type=click.Choice(["auto", "graphviz", "python"]), default="auto", show_default=True,
                       help="SVG/PNG: Graphviz dot (auto: when installed) or the built-in layout.")


def _graph(build_dir: Path | None) -> ChainGraph:
    from yrd_kg.chains.graph import load_chain_graph
    from yrd_kg.dataset.loader import LoadError

    try:
        return load_chain_graph(build_dir)
    except (LoadError, FileNotFoundError) as exc:
        raise click.ClickException(str(exc)) from exc


def _resolve(cg: ChainGraph, query: str, prefer: tuple[str, ...], lang: str) -> str:
    from yrd_kg.chains.graph import AmbiguousNodeError, NodeNotFoundError

    try:
        return cg.resolve(query, prefer)
    except AmbiguousNodeError as exc:
        click.echo(exc.message(lang), err=True)
        sys.exit(2)
    except NodeNotFoundError as exc:
        raise click.ClickException(str(exc)) from exc


def _write(data: bytes, output: Path | None, binary: bool) -> None:
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(data)
        click.echo(f"wrote {output}", err=True)
        return
    if binary:
        raise click.UsageError("--format png writes binary data: give --output FILE")
    click.echo(data.decode("utf-8"), nl=False)


@click.command("trace")
@click.argument("problem", required=False)
@click.option("--reverse", is_flag=True, help="Start from a remedy (R1, R2.3, B1.1, a label) and find the problems it answers.")
@_only_stated
@click.option("--depth", type=click.IntRange(0, 50), default=3, show_default=True, help="Hops from the start node.")
@_lang
@click.option("--format", "fmt", type=click.Choice(_FORMATS), default="text", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write to FILE.")
@click.option("--analysis", is_flag=True, help="Instead of a trace: the graph-wide analyses (text or json).")
@_engine
@_build_dir
def trace(problem: str | None, reverse: bool, only_stated: bool, depth: int, lang: str, fmt: str, output: Path | None,
          analysis: bool, engine: str, build_dir: Path | None) -> None:
    """Trace the causal chains of PROBLEM: causes → problem → effects, and remedies → instruments, actors.

    PROBLEM is an IRI (problem:P1.1), a number (P1.1, or 3.1.1 = section 三, subsection 1, point 1)
    or a fragment of its zh/en label. With --reverse it is a remedy (R2.3, 5.2.3, B1.1, R1, label).
    An ambiguous name prints the matches and exits with status 2.
    """
    from yrd_kg.chains.draw import RenderError, render_analysis, render_trace
    from yrd_kg.chains.graph import analyse
    from yrd_kg.chains.graph import trace as run_trace

    cg = _graph(build_dir)
    if analysis:
        if fmt not in ("text", "json"):
            raise click.UsageError("--analysis writes text or json")
        text = render_analysis(cg, analyse(cg, only_stated=only_stated), fmt, lang)
        _write(text.encode("utf-8"), output, False)
        return
    if not problem:
        raise click.UsageError("give a PROBLEM (e.g. P1.1) or --analysis")
    prefer = ("measure", "recommendation", "action", "path") if reverse else ("problem",)
    start = _resolve(cg, problem, prefer, lang)
    res = run_trace(cg, start, depth=depth, only_stated=only_stated, reverse=reverse)
    try:
        data = render_trace(res, fmt, lang, engine=engine)
    except RenderError as exc:
        raise click.ClickException(str(exc)) from exc
    _write(data, output, fmt == "png")


@click.command("explain")
@click.argument("a")
@click.argument("b")
@click.option("--directed", is_flag=True, help="Follow edge directions only (default: the undirected view).")
@_only_stated
@click.option("--max", "limit", type=click.IntRange(1, 1000), default=20, show_default=True, help="At most this many chains.")
@_lang
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_build_dir
def explain(a: str, b: str, directed: bool, only_stated: bool, limit: int, lang: str, fmt: str, build_dir: Path | None) -> None:
    """The shortest chains between A and B, with relation, status, quote and locator at each hop.

    A and B are IRIs, numbers (P1.1, R2.3, B1.1, 3.1.1) or label fragments. Paths are the
    networkx all_shortest_paths over the undirected view of the chain graph (--directed: directed).
    """
    from yrd_kg.chains.draw import render_explain
    from yrd_kg.chains.graph import explain as run_explain

    cg = _graph(build_dir)
    ia, ib = _resolve(cg, a, (), lang), _resolve(cg, b, (), lang)
    chains = run_explain(cg, ia, ib, directed=directed, only_stated=only_stated, limit=limit)
    click.echo(render_explain(cg, ia, ib, chains, fmt, lang, directed=directed), nl=False)
    if not chains:
        sys.exit(1)


@click.command("diagrams")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("build/diagrams"),
              show_default=True, help="Folder for the pictures.")
@click.option("--format", "fmt", type=click.Choice(["svg", "png", "mermaid", "dot"]), default="svg", show_default=True)
@click.option("--depth", type=click.IntRange(0, 50), default=2, show_default=True, help="Hops from each problem.")
@_only_stated
@_lang
@_engine
@_build_dir
def diagrams(out_dir: Path, fmt: str, depth: int, only_stated: bool, lang: str, engine: str, build_dir: Path | None) -> None:
    """One chain picture per problem sub-point (P1.1 … P4.3) and per shortcoming (P1 … P4)."""
    from yrd_kg.chains.draw import RenderError, render_trace
    from yrd_kg.chains.graph import trace as run_trace

    cg = _graph(build_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    problems = cg.subpoints() + cg.shortcomings()
    for n in problems:
        res = run_trace(cg, n.iri, depth=depth, only_stated=only_stated)
        try:
            data = render_trace(res, fmt, lang, engine=engine)
        except RenderError as exc:
            raise click.ClickException(str(exc)) from exc
        path = out_dir / f"{n.notation or n.curie.replace(':', '-')}.{_EXT[fmt]}"
        path.write_bytes(data)
        click.echo(f"{path}  ({len(res.nodes)} nodes, {len(res.edges)} edges)")
    click.echo(f"{len(problems)} {fmt} file(s) in {out_dir}")
