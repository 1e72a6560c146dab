"""``yrd-kg demo``: the main job in one command."""

from __future__ import annotations

from pathlib import Path

import click

from yrd_kg.cli.errors import PolicyCommand

#: the saved questions the demo answers: (query name, parameters, what it shows)
DEMO_QUESTIONS: tuple[tuple[str, dict[str, str], str, str], ...] = (
    ("table1-leading-province", {}, "表1：各产业利润最高的省份", "Table 1: the leading province per industry"),
    ("measures-for-problem", {"problem_iri": "P4.2"},
     "哪些路径行动与建议措施回应短板 P4.2（地方招商引资政策）",
     "Which actions and measures address bottleneck P4.2 (local investment-attraction policies)"),
    ("table-inconsistencies", {}, "论文自身的表格不一致", "The paper's own table inconsistencies"),
)


@click.command("demo", cls=PolicyCommand)
@click.option("--lang", type=click.Choice(["zh", "en"]), default="en", show_default=True, help="Label and message language.")
@click.option("--source", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The paper's text for evidence anchoring (default: $YRD_KG_SOURCE or ../shared/source/paper.zh.txt).")
def demo(lang: str, source: Path | None) -> None:
    """Build, validate and answer a few saved questions, printing the evidence."""
    import yrd_kg.resources as resources
    from yrd_kg.cli.errors import found_wanting
    from yrd_kg.dataset.build import build
    from yrd_kg.sparql.run import run_query
    from yrd_kg.validate.report import Severity
    from yrd_kg.validate.run import validate

    if source is not None:  # an explicit source must be a readable file (a FIFO or a folder is named as such)
        from yrd_kg.dataset.loader import check_file

        check_file(source)

    def head(zh: str, en: str) -> None:
        click.secho(f"\n== {zh if lang == 'zh' else en}", bold=True)

    head("1. 构建", "1. Build")
    res = build()
    click.echo(f"{res.triples} triples in {len(res.graphs)} named graphs ({res.out_dir})")

    head("2. 校验", "2. Validate")
    src = source or resources.default_source()
    report = validate(source=src if src.is_file() else None, lang=lang)
    counts = ", ".join(f"{k}: {v}" for k, v in report.counts.items())
    note = "" if src.is_file() else f"; no source at {src}, evidence not re-anchored"
    click.echo(f"conforms: {report.conforms} ({counts}){note}")
    for r in report.of(Severity.WARNING):
        click.echo(f"  Warning · {r.focus_label}: {r.message(lang)}")

    for i, (name, params, zh, en) in enumerate(DEMO_QUESTIONS, start=3):
        head(f"{i}. {zh}", f"{i}. {en}")
        lang_opt = " --lang zh" if lang == "zh" else ""
        click.echo(f"$ yrd-kg query {name}" + "".join(f" --param {k}={v}" for k, v in params.items()) + lang_opt)
        table = run_query(name, lang=lang, params=params)
        click.echo(table.to_text_table(max_width=48))
    if not report.conforms:
        raise found_wanting()
