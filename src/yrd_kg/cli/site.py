"""``yrd-kg site``: the static bilingual site of the graph (see docs/SITE.md)."""

from __future__ import annotations

from pathlib import Path

import click

from yrd_kg.cli.errors import PolicyCommand


@click.command("site", cls=PolicyCommand)
@click.option("--output", "-o", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder to write (replaced atomically; refused when it holds something else).")
@click.option("--source", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The paper's text for the hypertext page (default: $YRD_KG_SOURCE or ../shared/source/paper.zh.txt).")
@click.option("--endpoint", default=None, metavar="URL",
              help="SPARQL endpoint the query pages link to (e.g. /sparql when served by `yrd-kg serve`).")
def site(output: Path, source: Path | None, endpoint: str | None) -> None:
    """Build the static site: a page per entity, the paper as hypertext, the chain explorer, search, charts."""
    from yrd_kg.site.build import build_site

    result = build_site(None, output, source=source, endpoint=endpoint)
    if result.source_problem:
        click.echo(f"warning: the paper page lists the quotes only: {result.source_problem}", err=True)
    click.echo(result.summary())
