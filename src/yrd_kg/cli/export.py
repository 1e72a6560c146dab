"""``yrd-kg export``."""

from __future__ import annotations

import click

from yrd_kg.cli.errors import PolicyCommand
from yrd_kg.dataset.export import EXPORT_FORMATS


@click.command("export", cls=PolicyCommand)
@click.option("--format", "fmt", type=click.Choice(list(EXPORT_FORMATS)), default="ttl", show_default=True,
              help="RDF format; nq, trig and jsonld keep the named graphs.")
@click.option("--output", "-o", default="-", show_default=True, help="File to write, or - for standard output.")
def export(fmt: str, output: str) -> None:
    """Export the whole built graph (JSON-LD with the shipped @context)."""
    from pathlib import Path

    from yrd_kg.dataset.export import export as run_export

    text = run_export(fmt)
    if output == "-":
        click.echo(text, nl=False)
    else:
        from yrd_kg.dataset.build import write_atomic

        write_atomic(Path(output), text.encode("utf-8"))
        click.echo(f"wrote {output} ({fmt})", err=True)
