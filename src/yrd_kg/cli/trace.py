"""``yrd-kg trace``, ``yrd-kg explain`` and ``yrd-kg diagrams``: causal chains (see docs/CHAINS.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from yrd_kg.cli.errors import PolicyCommand

_FORMATS = ("text", "json", "mermaid", "dot", "svg", "png")
_EXT = {"svg": "svg", "png": "png", "mermaid": "mmd", "dot": "dot", "json": "json", "text": "txt"}

_build_dir = click.option("--build-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
                          help="Build folder to read (default: ./build or $YRD_KG_BUILD).")
_lang = click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="Label language.")
_engine = click.option("--engine", type=click.Choice(["auto", "graphviz", "python"]), default="auto", show_default=True,
                       help="SVG/PNG: Graphviz dot (auto: when installed) or the built-in layout.")


def _strength(f: Any) -> Any:
    f = click.option("--min-strength", type=click.Choice(["stated", "echoed", "interpreted"]), default="interpreted",
                     show_default=True, help="Keep links of this strength or stronger: stated (原文明说), echoed "
                     "(措辞呼应, with stated), interpreted (图谱解读: all).")(f)
    return click.option("--only-stated", is_flag=True, help="Keep only what the paper states in one passage "
                        "(= --min-strength stated).")(f)


def _resolve(cg: Any, query: str, prefer: tuple[str, ...], lang: str) -> str:
    from yrd_kg.chains.model import AmbiguousNodeError
    from yrd_kg.errors import InputError

    try:
        return str(cg.resolve(query, prefer))
    except AmbiguousNodeError as exc:
        raise InputError(exc.message(lang)) from exc


def _write(data: bytes, output: Path | None, binary: bool) -> None:
    from yrd_kg.dataset.build import write_atomic

    if output is not None:
        write_atomic(output, data)
        click.echo(f"wrote {output}", err=True)
        return
    if binary:
        raise click.UsageError("--format png writes binary data: give --output FILE")
    click.echo(data.decode("utf-8"), nl=False)


@click.command("trace", cls=PolicyCommand)
@click.argument("problem", required=False)
@click.option("--reverse", is_flag=True, help="Start from a remedy (R2.3, B1.1, R1), an instrument, actor, document "
              "or exemplar and find the problems it helps remedy.")
@_strength
@click.option("--depth", type=click.IntRange(0, 50), default=3, show_default=True, help="Hops from the start node.")
@_lang
@click.option("--format", "fmt", type=click.Choice(_FORMATS), default="text", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write to FILE.")
@click.option("--analysis", is_flag=True, help="Instead of a trace: the graph-wide analyses (text or json).")
@_engine
@_build_dir
def trace(problem: str | None, reverse: bool, only_stated: bool, min_strength: str, depth: int, lang: str, fmt: str,
          output: Path | None, analysis: bool, engine: str, build_dir: Path | None) -> None:
    """Trace the causal neighbourhood of PROBLEM: causes → problem → effects, and remedies → instruments, actors.

    PROBLEM is an IRI (problem:P1.1), a number (P1.1, or 3.1.1 = section 三, subsection 1, point 1)
    or a fragment of its zh/en label. With --reverse it is a remedy (R2.3, 5.2.3, B1.1, R1), an instrument,
    an actor, a document or an exemplar. Each link shows its strength in words. An ambiguous name prints
    the matches and exits with status 2.
    """
    from yrd_kg.chains.analysis import analyse
    from yrd_kg.chains.graph import load_chain_graph
    from yrd_kg.chains.render import render_trace
    from yrd_kg.chains.text import render_analysis
    from yrd_kg.chains.trace import trace as run_trace

    strength = "stated" if only_stated else min_strength
    cg = load_chain_graph(build_dir)
    if analysis:
        if fmt not in ("text", "json"):
            raise click.UsageError("--analysis writes text or json")
        _write(render_analysis(cg, analyse(cg, min_strength=strength), fmt, lang).encode("utf-8"), output, False)
        return
    if not problem:
        raise click.UsageError("give a PROBLEM (e.g. P1.1) or --analysis")
    prefer = ("measure", "recommendation", "action", "path") if reverse else ("problem",)
    res = run_trace(cg, _resolve(cg, problem, prefer, lang), depth=depth, min_strength=strength, reverse=reverse)
    _write(render_trace(res, fmt, lang, engine=engine), output, fmt == "png")


@click.command("explain", cls=PolicyCommand)
@click.argument("a")
@click.argument("b")
@click.option("--directed", is_flag=True, help="Follow edge directions only (default: the undirected view).")
@_strength
@click.option("--max", "limit", type=click.IntRange(1, 1000), default=20, show_default=True, help="At most this many chains.")
@_lang
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_build_dir
def explain(a: str, b: str, directed: bool, only_stated: bool, min_strength: str, limit: int, lang: str, fmt: str,
            build_dir: Path | None) -> None:
    """The shortest chains between A and B, with relation, strength, quote and locator at each hop.

    A and B are IRIs, numbers (P1.1, R2.3, B1.1, 3.1.1) or label fragments. Paths are the networkx
    all_shortest_paths over the undirected view of the chain graph (--directed: directed). Exit 1
    when there is no chain.
    """
    from yrd_kg.chains.graph import load_chain_graph
    from yrd_kg.chains.text import render_explain
    from yrd_kg.chains.trace import explain as run_explain
    from yrd_kg.cli.errors import found_wanting

    cg = load_chain_graph(build_dir)
    ia, ib = _resolve(cg, a, (), lang), _resolve(cg, b, (), lang)
    strength = "stated" if only_stated else min_strength
    chains = run_explain(cg, ia, ib, directed=directed, min_strength=strength, limit=limit)
    click.echo(render_explain(cg, ia, ib, chains, fmt, lang, directed=directed), nl=False)
    if not chains:
        raise found_wanting()


@click.command("diagrams", cls=PolicyCommand)
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("build/diagrams"),
              show_default=True, help="Folder for the pictures.")
@click.option("--format", "fmt", type=click.Choice(["svg", "png", "mermaid", "dot"]), default="svg", show_default=True)
@click.option("--depth", type=click.IntRange(0, 50), default=2, show_default=True, help="Hops from each problem.")
@_strength
@_lang
@_engine
@_build_dir
def diagrams(out_dir: Path, fmt: str, depth: int, only_stated: bool, min_strength: str, lang: str, engine: str,
             build_dir: Path | None) -> None:
    """One chain picture per problem sub-point (P1.1 … P4.3) and per shortcoming (P1 … P4)."""
    from yrd_kg.chains.graph import load_chain_graph
    from yrd_kg.chains.render import render_trace
    from yrd_kg.chains.trace import trace as run_trace
    from yrd_kg.dataset.build import write_atomic

    cg = load_chain_graph(build_dir)
    problems = cg.subpoints() + cg.shortcomings()
    for n in problems:
        res = run_trace(cg, n.iri, depth=depth, min_strength="stated" if only_stated else min_strength)
        path = out_dir / f"{n.notation or n.curie.replace(':', '-')}.{_EXT[fmt]}"
        write_atomic(path, render_trace(res, fmt, lang, engine=engine))
        click.echo(f"{path}  ({len(res.nodes)} nodes, {len(res.edges)} edges)")
    click.echo(f"{len(problems)} {fmt} file(s) in {out_dir}")
