"""``yrd-kg reason``: HermiT over the ontology and the data (exit 0 consistent, 1 inconsistent, 2 error)."""

from __future__ import annotations

from pathlib import Path

import click

from yrd_kg.cli.errors import PolicyCommand


def _short(iri: str) -> str:
    from yrd_kg.namespaces import compact

    return compact(iri, brackets=True)


def _shorten_all(text: str) -> str:
    """Replace every IRI in a message by its prefixed name."""
    import re

    return re.sub(r"https?://[^\s,<>\"]+", lambda m: _short(m.group(0)), text)


@click.command("reason", cls=PolicyCommand)
@click.option("--ontology-only", is_flag=True, help="Reason over the ontology alone (no data).")
@click.option(
    "--data",
    "files",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Data file(s) to reason over instead of the built data (repeatable; read by the safe loader).",
)
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=120.0, show_default=True,
              help="Seconds before the run (loading --data, then HermiT) is stopped.")
@click.option("--memory", type=int, default=2000, show_default=True, help="Java heap for HermiT, in MB.")
@click.option(
    "--property-values/--no-property-values",
    default=True,
    show_default=True,
    help="Also infer object-property assertions (slower).",
)
@click.option("--explain/--no-explain", default=True, show_default=True, help="On inconsistency, list OWL-RL clashes.")
@click.option("-n", "--show", type=int, default=10, show_default=True, help="How many inferences of each kind to print.")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the inferred triples as Turtle to this file.",
)
def reason(
    ontology_only: bool,
    files: tuple[Path, ...],
    timeout: float,
    memory: int,
    property_values: bool,
    explain: bool,
    show: int,
    output: Path | None,
) -> None:
    """OWL reasoning with HermiT (owlready2): consistency, unsatisfiable classes and inferences.

    Reasons over the built ontology plus the built data and the triples derived from yrd:Link nodes,
    in a scratch folder (sources are never written). Exit 0 when consistent and coherent, 1 when
    inconsistent or a class is unsatisfiable, 2 when the reasoner cannot answer (no Java, out of
    memory, timeout).
    """
    import yrd_kg.reason.hermit as lib
    from yrd_kg.cli.errors import found_wanting

    report = lib.reason(include_data=not ontology_only, files=list(files) or None, timeout=timeout,
                        memory_mb=memory, property_values=property_values, explain=explain)

    for iri in report.ignored_imports:
        click.echo(f"note: owl:imports <{iri}> not followed (the reasoner reads only the given graph)", err=True)
    click.echo(report.summary())
    if not report.consistent:
        if report.explanations:
            click.echo(f"OWL-RL clashes ({len(report.explanations)}):")
            for msg in report.explanations[:show]:
                click.echo(f"  - {_shorten_all(msg)}")
        elif explain:
            click.echo("(the OWL-RL closure finds no clash: the inconsistency needs full OWL 2 DL reasoning)")
        raise found_wanting()

    if report.unsatisfiable:
        click.echo(f"unsatisfiable classes ({len(report.unsatisfiable)}):")
        for c in report.unsatisfiable:
            click.echo(f"  - {_short(c)}")
    click.echo(f"inferred types: {len(report.inferred_types)}")
    for s, c in report.inferred_types[:show]:
        click.echo(f"  {_short(s)} a {_short(c)}")
    click.echo(f"inferred property assertions: {len(report.inferred_properties)}")
    for s, p, o in report.inferred_properties[:show]:
        click.echo(f"  {_short(s)} {_short(p)} {_short(o)}")
    if report.inferred_axioms:
        click.echo(f"inferred class/property axioms: {len(report.inferred_axioms)}")
        for s, p, o in report.inferred_axioms[:show]:
            click.echo(f"  {_short(s)} {_short(p)} {_short(o)}")
    if output is not None:
        from yrd_kg.dataset.build import write_atomic
        from yrd_kg.dataset.store import bind_prefixes

        bind_prefixes(report.inferred)
        write_atomic(output, report.inferred.serialize(format="turtle").encode("utf-8"))
        click.echo(f"wrote {len(report.inferred)} inferred triple(s) to {output}")
    if not report.coherent:
        raise found_wanting()
