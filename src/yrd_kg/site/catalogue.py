"""The saved queries: the question each answers (``#+ summary``), its text, a run link, its results.

With an endpoint given at build time (e.g. ``/sparql``) each query page links "run this query"
to ``<endpoint>?query=<text>`` (SPARQL 1.1 Protocol, GET), with ``?_lang`` bound to the page's
language and defaulted parameters bound; without one, the page shows the text and says how to run
it. Reports that need no parameter also show their rows as computed at build time.
"""

from __future__ import annotations

from urllib.parse import quote

from .adapters import Cell, QueryInfo, bind_for_endpoint
from .render import Context, Page, esc
from .text import lang_of

KINDS = ("report", "construct", "violation")
MAX_ROWS = 60


def run_link(ctx: Context, q: QueryInfo) -> str:
    """The "run" link to the endpoint, or the note that there is none."""
    if not ctx.endpoint:
        return f'<p class="note" id="no-endpoint">{esc(ctx.t("no_endpoint"))}</p>'
    text = bind_for_endpoint(q, ctx.lang)
    url = f"{ctx.endpoint}?query={quote(text, safe='')}"
    opened = ""
    if q.open_params:
        opened = f' <span class="small">({esc(ctx.t("open_params"))}: {esc(", ".join(q.open_params))})</span>'
    return f'<p><a class="run" id="run" href="{esc(url)}">{esc(ctx.t("run"))}</a>{opened}</p>'


def _cell(ctx: Context, page: str, c: Cell) -> str:
    kind, value = c
    if kind == "iri":
        return ctx.link(page, value)
    if kind == "lit":
        return f'<span lang="{lang_of(value)}">{esc(value)}</span>' if lang_of(value) != ctx.lang else esc(value)
    return ""


def results_table(ctx: Context, page: str, cols: tuple[str, ...], rows: list[tuple[Cell, ...]], truncated: bool) -> str:
    """The rows of a report, IRIs linked to their pages."""
    head = "".join(f"<th>{esc(c)}</th>" for c in cols)
    body = "".join("<tr>" + "".join(f"<td>{_cell(ctx, page, c)}</td>" for c in row) + "</tr>" for row in rows)
    more = f'<p class="small">{esc(ctx.t("truncated"))} ({MAX_ROWS})</p>' if truncated else ""
    return (f'<section id="results"><h2>{esc(ctx.t("results"))} ({len(rows)}{"+" if truncated else ""})</h2>'
            f'<div class="scroll"><table class="results"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'
            f"{more}</section>")


def query_page(ctx: Context, q: QueryInfo, results: tuple[tuple[str, ...], list[tuple[Cell, ...]], bool] | None) -> Page:
    """The page of one saved query."""
    path = f"{ctx.lang}/queries/{q.name}.html"
    other = "en" if ctx.lang == "zh" else "zh"
    main = (q.summary_zh or q.summary_en) if ctx.lang == "zh" else (q.summary_en or q.summary_zh)
    second = q.summary_en if ctx.lang == "zh" else q.summary_zh
    params = ""
    if q.params:
        items = "".join(f"<li><code>?{esc(v)}</code> ({esc(t)}{', ' + esc(str(d)) if d is not None else ''})</li>"
                        for v, t, d in q.params)
        params = f"<h2>{esc(ctx.t('params'))}</h2><ul>{items}</ul>"
    tags = " ".join(f'<span class="tag">{esc(t)}</span>' for t in q.tags)
    res = results_table(ctx, path, *results) if results is not None else ""
    body = (f'<article class="query"><p class="small">{esc(ctx.t("question"))}</p><h1>{esc(main)}</h1>'
            f'<p class="otherlabel" lang="{other}">{esc(second)}</p><p><code>{esc(q.name)}</code> {tags}</p>'
            f'<p lang="en">{esc(q.description)}</p>{run_link(ctx, q)}{params}'
            f'<h2>{esc(ctx.t("query_text"))}</h2><pre class="sparql" lang="en"><code>{esc(q.text)}</code></pre>{res}</article>')
    return Page(path, ctx.lang, main or q.name, body)


def queries_index(ctx: Context, queries: list[QueryInfo]) -> Page:
    """Every saved query by kind, with its question."""
    path = f"{ctx.lang}/queries/index.html"
    secs = []
    for kind in KINDS:
        qs = [q for q in queries if q.kind == kind]
        if not qs:
            continue
        rows = "".join(
            f'<tr><td><a href="{esc(q.name)}.html">{esc(q.name)}</a></td>'
            f"<td>{esc((q.summary_zh or q.summary_en) if ctx.lang == 'zh' else (q.summary_en or q.summary_zh))}</td></tr>"
            for q in qs)
        secs.append(f'<section id="{kind}"><h2>{esc(ctx.t("kind_" + kind))} ({len(qs)})</h2>'
                    f'<table class="queries"><tbody>{rows}</tbody></table></section>')
    note = "" if ctx.endpoint else f'<p class="note">{esc(ctx.t("no_endpoint"))}</p>'
    body = f'<h1>{esc(ctx.t("queries"))} ({len(queries)})</h1>{note}{"".join(secs)}'
    return Page(path, ctx.lang, ctx.t("queries"), body)
