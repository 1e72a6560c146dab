"""``yrd-kg verify-evidence``."""

from __future__ import annotations

from pathlib import Path

import click

from yrd_kg.cli.errors import PolicyCommand


@click.command("verify-evidence", cls=PolicyCommand)
@click.option("--source", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The source text (default: $YRD_KG_SOURCE or ../shared/source/paper.zh.txt).")
def verify_evidence(source: Path | None) -> None:
    """Re-anchor every evidence quote in the source text.

    Exit 0 when every quote anchors, 1 when some do not (each is listed), 2 when the source is
    missing or is not the paper (checksum) or the data cannot be loaded.
    """
    from yrd_kg.cli.errors import found_wanting
    from yrd_kg.resources import default_source
    from yrd_kg.validate.evidence import verify_evidence as run

    path = source if source is not None else default_source()
    rep = run(path)
    for m in rep.span_mismatches:
        click.echo(f"PART   {m.part} ({m.notation}): {m.reason}")
    for o in rep.orphans:
        click.echo(f"ORPHAN {o.node}")
        click.echo(f"       quote:    {o.quote}")
        click.echo(f"       locator:  {o.locator}")
        if o.supports:
            click.echo(f"       supports: {o.supports}")
        click.echo(f"       why:      {o.reason}")
    click.echo(f"{rep.checked} evidence quote(s) checked against {path}: {rep.anchored} anchored, "
               f"{len(rep.orphans)} orphan(s), {len(rep.span_mismatches)} part span mismatch(es)")
    if not rep.ok:
        raise found_wanting()
