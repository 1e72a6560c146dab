"""``yrd-kg stats``."""

from __future__ import annotations

import click

from yrd_kg.cli.errors import PolicyCommand


@click.command("stats", cls=PolicyCommand)
@click.option("--lang", type=click.Choice(["zh", "en"]), default="en", show_default=True, help="Label language.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True,
              help="text for people; json or csv (kind,id,iri,label,count) for scripts.")
def stats(lang: str, fmt: str) -> None:
    """Counts per class and per property, with their labels."""
    from yrd_kg.dataset.stats import stats as run_stats
    from yrd_kg.namespaces import compact

    def short(iri: str) -> str:
        return compact(iri, brackets=True)

    res = run_stats(lang)
    if fmt != "text":
        click.echo(res.to_json() if fmt == "json" else res.to_csv(), nl=False)
        return
    click.echo(f"{res.triples} quads")
    click.echo("classes (instances):")
    for c in res.classes:
        click.echo(f"  {c.count:>6}  {short(c.iri)}" + (f"  {c.label}" if c.label else ""))
    click.echo("properties (triples):")
    for p in res.properties:
        click.echo(f"  {p.count:>6}  {short(p.iri)}" + (f"  {p.label}" if p.label else ""))
