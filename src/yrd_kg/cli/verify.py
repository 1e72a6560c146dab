"""``yrd-kg verify-evidence``."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command("verify-evidence")
@click.option("--source", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The source text (default: $YRD_KG_SOURCE or ../shared/source/paper.zh.txt).")
def verify_evidence(source: Path | None) -> None:
    """Re-anchor every evidence quote in the source text.

    Exit 0 when every quote anchors, 1 when some do not (each is listed), 2 when the source is
    missing or is not the paper (checksum) or the data cannot be loaded.
    """
    from yrd_kg.dataset.loader import LoadError
    from yrd_kg.resources import default_source
    from yrd_kg.validate.anchoring import SourceError
    from yrd_kg.validate.evidence import verify_evidence as run

    path = source if source is not None else default_source()
    try:
        rep = run(path)
    except (SourceError, LoadError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
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
    sys.exit(0 if rep.ok else 1)
