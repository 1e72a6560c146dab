"""``yrd-kg build``."""

from __future__ import annotations

from pathlib import Path

import click

from yrd_kg.cli.errors import PolicyCommand


@click.command("build", cls=PolicyCommand)
@click.option("--force", is_flag=True, help="Rebuild even when no source changed.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: ./build or $YRD_KG_BUILD).")
def build(force: bool, out_dir: Path | None) -> None:
    """Load ontology/ and data/ into one dataset and write build/ artefacts (deterministic)."""
    from yrd_kg.dataset.build import build as run_build

    res = run_build(force=force, out_dir=out_dir)
    state = "built" if res.rebuilt else "up to date (no source changed; --force to rebuild)"
    click.echo(f"{res.out_dir}: {state}")
    click.echo(f"{res.triples} triples in {len(res.graphs)} named graphs")
    for gid, n in res.graphs.items():
        click.echo(f"  {n:>6}  {gid.rsplit('/graph/', 1)[-1]}")
    click.echo("entities per class:")
    for cls, n in sorted(res.classes.items(), key=lambda kv: (-kv[1], kv[0])):
        click.echo(f"  {n:>6}  {cls}")
