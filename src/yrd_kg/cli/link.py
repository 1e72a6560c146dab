"""``yrd-kg link`` and ``yrd-kg mappings``: propose/accept mappings to another ontology; export the crosswalks."""

from __future__ import annotations

import json
from pathlib import Path

import click

from yrd_kg.cli.errors import PolicyCommand


@click.command("link", cls=PolicyCommand)
@click.argument("file")  # a str: a Path would fold "https://" into "https:/" (a URL gets "download it first")
@click.option("--format", "fmt", default=None,
              help="RDF format (turtle, xml, json-ld, nt, manchester, functional); default: from the extension.")
@click.option("--min-score", type=float, default=0.5, show_default=True, help="Lowest score of a proposed mapping.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the candidates (SSSOM/TSV) here; default: standard output.")
@click.option("--accept", "reviewed", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="A reviewed SSSOM/TSV file: add its accepted rows to mappings/accepted/<name>.ttl.")
@click.option("--name", default=None, help="Name of the linked graph (default: from the file name).")
@click.option("--accepted-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder of the accepted mappings (default: mappings/accepted).")
def link(file: str, fmt: str | None, min_score: float, output: Path | None, reviewed: Path | None,
         name: str | None, accepted_dir: Path | None) -> None:
    """Load FILE (another ontology or thesaurus) beside the graph and propose mappings by label and code.

    The file goes into its own named graph …/graph/linked/<name>; data/ is never changed. With
    --accept, the reviewed candidates (rows not rejected, see docs/LINKING.md) are written as
    Turtle to mappings/accepted/<name>.ttl.
    """
    from yrd_kg.linking.propose import accept, graph_name, link_file, summary

    if reviewed is not None:
        res = accept(reviewed, name or graph_name(file), accepted_dir=accepted_dir)
        click.echo(f"accepted {res.accepted} mapping(s), rejected {res.rejected} row(s) → {res.path} "
                   f"(graph {res.graph_iri})", err=True)
        return
    result = link_file(file, fmt=fmt, min_score=min_score)
    if output is not None:
        from yrd_kg.dataset.build import write_atomic

        write_atomic(output, result.sssom.encode("utf-8"))
    else:
        click.echo(result.sssom, nl=False)
    click.echo(json.dumps(summary(result), ensure_ascii=False), err=True)


@click.command("mappings", cls=PolicyCommand)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the SSSOM/TSV mapping set here; default: standard output.")
def mappings(output: Path | None) -> None:
    """Export every crosswalk the graph ships as one SSSOM/TSV mapping set."""
    from yrd_kg.linking.sssom import export_mappings, read_sssom

    text = export_mappings(output)
    if output is None:
        click.echo(text, nl=False)
    else:
        click.echo(f"{len(read_sssom(text).rows)} mappings → {output}", err=True)
