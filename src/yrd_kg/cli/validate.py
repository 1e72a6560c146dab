"""``yrd-kg validate``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from yrd_kg.cli.errors import PolicyCommand


@click.command("validate", cls=PolicyCommand)
@click.option("--lang", type=click.Choice(["zh", "en"]), default="en", show_default=True,
              help="Language of messages and labels.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "ttl"]), default="text", show_default=True,
              help="text (grouped by severity), json (typed results) or ttl (an sh:ValidationReport).")
@click.option("--source", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Source text for evidence anchoring (default: $YRD_KG_SOURCE or ../shared/source/paper.zh.txt).")
@click.option("--no-source", is_flag=True, help="Skip evidence anchoring.")
@click.option("--engine", type=click.Choice(["sets", "pyshacl"]), default="sets", show_default=True,
              help="sets: every constraint one SPARQL query on pyoxigraph; pyshacl: the reference engine (slow).")
@click.option("--inference", type=click.Choice(["none", "rdfs", "owlrl", "rl"]), default="none", show_default=True,
              help="Entailment before SHACL (see docs/VALIDATION.md).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=600.0, show_default=True,
              help="Wall-clock limit in seconds; past it validation stops and reports 'incomplete' (exit 2), never 'conforms'.")
def validate(lang: str, fmt: str, source: Path | None, no_source: bool, engine: str, inference: str,
             timeout: float) -> None:
    """SHACL shapes, violation queries and evidence checks.

    Exit 0 when the data conforms (warnings allowed), 1 on any violation, 2 on an error
    (unreadable data, shapes or queries; missing source or wrong checksum).
    """
    from yrd_kg.cli.errors import found_wanting
    from yrd_kg.resources import default_source
    from yrd_kg.validate.run import validate_limited

    src = None if no_source else (source if source is not None else default_source())
    rep = validate_limited(timeout=timeout, source=src, lang=lang, inference=inference, engine=engine)
    if fmt == "json":
        click.echo(json.dumps(rep.to_dict(), ensure_ascii=False, indent=1))
    elif fmt == "ttl":
        click.echo(rep.to_graph().serialize(format="turtle"))
    else:
        click.echo(render_text(rep, lang))
    if not rep.conforms:
        raise found_wanting()


def render_text(rep: object, lang: str) -> str:
    """The report as text: by severity, then by shape or query, one block per result."""
    from yrd_kg.validate.report import Severity, ValidationReport, ValidationResult

    assert isinstance(rep, ValidationReport)
    zh = lang == "zh"
    heads = {Severity.VIOLATION: ("违规", "Violations"), Severity.WARNING: ("警告", "Warnings"),
             Severity.INFO: ("提示", "Info")}
    out: list[str] = []
    for sev in Severity:
        results = rep.of(sev)
        if not results:
            continue
        out.append(f"== {heads[sev][0 if zh else 1]} ({len(results)}) ==")
        groups: dict[str, list[ValidationResult]] = {}
        for r in results:
            groups.setdefault(r.source_shape or "?", []).append(r)
        for shape, rs in groups.items():
            out.append(f"-- {_short(shape)} ({len(rs)})")
            for r in rs:
                out.append(f"  * {r.focus_label}  <{r.focus_node}>")
                if r.path:
                    out.append(f"      {'路径' if zh else 'path'}: {r.path}")
                if r.value is not None:
                    out.append(f"      {'值' if zh else 'value'}: {r.value}")
                out.append(f"      {r.message(lang)}")
                if r.evidence_quote:
                    out.append(f"      {'证据' if zh else 'evidence'}: “{r.evidence_quote}”")
        out.append("")
    c = rep.counts
    verdict = ("符合" if zh else "conforms") if rep.conforms else ("不符合" if zh else "does not conform")
    out.append(f"{verdict}: {c.get('Violation', 0)} violation(s), {c.get('Warning', 0)} warning(s), "
               f"{c.get('Info', 0)} info  [{rep.engine.get('triples', '?')} triples; {rep.engine.get('seconds', '')}]")
    return "\n".join(out)


def _short(iri: str) -> str:
    from yrd_kg.namespaces import compact

    return compact(iri)
