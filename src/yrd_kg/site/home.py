"""The home page of each language, the search page and the bilingual landing page at the root."""

from __future__ import annotations

import json

from .model import QB, Y
from .pages import list_path
from .render import UI, Context, Page, esc

#: the kinds of entity the home page lists, grouped (headings are interface strings, names from the graph)
GROUPS: tuple[tuple[tuple[str, str], tuple[str, ...]], ...] = (
    (("论证", "The argument"), ("Shortcoming", "ProblemSubPoint", "Cause", "Effect", "BreakthroughPath", "PathAction",
                               "PolicyRecommendation", "PolicyMeasure", "Argument", "AttributedPosition", "Finding")),
    (("工具与主体", "Instruments and actors"), ("PolicyInstrument", "InstrumentType", "Actor", "Organisation", "ActorRole")),
    (("地点与产业", "Places and industries"), ("Region", "ProvinceLevelDivision", "City", "MacroRegion", "CrossBoundaryArea",
                                           "Country", "ForeignLocation", "Industry", "IndustrialCluster",
                                           "IndustryClassificationCode")),
    (("文献与理论", "Documents, theories, references"), ("PolicyDocument", "Exemplar", "TheoryOrConcept", "Reference",
                                                     "CitedWork", "Citation", "Person", "Journal", "Grant")),
    (("统计表", "Statistics"), (QB + "DataSet", QB + "Observation", "Indicator")),
    (("论文结构", "The paper's parts"), ("Paper", "Section", "Subsection", "SubPoint", "Table", "Note", "DocumentPart")),
)


def _cls(name: str) -> str:
    return name if name.startswith("http") else Y + name


def home_page(ctx: Context, members: dict[str, list[str]], anchored: int) -> Page:
    """The home page: what this is, where to go, every kind of entity with its count."""
    m = ctx.model
    path = f"{ctx.lang}/index.html"
    papers = m.instances(Y + "Paper")
    paper = papers[0] if papers else ""
    other = "en" if ctx.lang == "zh" else "zh"
    lab = m.labels.get(paper)
    title = (f'<p class="papertitle" lang="zh">{esc(lab.zh)}</p><p class="papertitle otherlang" lang="en">{esc(lab.en)}</p>'
             if lab else "")
    status = " · ".join(f"{ctx.link(path, st)} {sum(1 for lk in m.links if lk.status == st)}" for st in m.statuses())
    figures = (f'<ul class="figures"><li><b>{len(m.entities())}</b> {esc(ctx.t("entities"))}</li>'
               f'<li><b>{anchored}</b> {esc(ctx.t("quotes"))}</li>'
               f'<li><b>{len(m.links)}</b> {ctx.link(path, Y + "Link")}: {status}</li></ul>')
    nav = [("paper.html", "paper"), ("explorer.html", "explorer"), ("charts.html", "charts"), ("ontology/index.html", "ontology"),
           ("shapes.html", "shapes"), ("queries/index.html", "queries"), ("search.html", "search")]
    cards = "".join(f'<a class="card" href="{esc(p)}">{esc(ctx.t(k))}</a>' for p, k in nav)
    secs = []
    for (zh, en), names in GROUPS:
        items = []
        for name in names:
            c = _cls(name)
            if c in members:
                href = esc(ctx.to(path, list_path(c)))
                items.append(f'<li><a href="{href}">{esc(ctx.label(c))}</a> <span class="count">{len(members[c])}</span></li>')
        if items:
            heading = esc(zh if ctx.lang == "zh" else en)
            secs.append(f'<section class="group"><h2>{heading}</h2><ul>{"".join(items)}</ul></section>')
    allc = f'<p><a href="list/index.html">{esc(ctx.t("all_classes"))}</a> ({len(members)})</p>'
    site_other = UI["site"][1 if other == "en" else 0]
    body = (f'<h1>{esc(ctx.t("site"))}</h1>{title}<p class="otherlabel" lang="{other}">{esc(site_other)}</p>'
            f'{figures}<nav class="cards">{cards}</nav><div class="groups">{"".join(secs)}</div>{allc}')
    return Page(path, ctx.lang, ctx.t("site"), body)


def search_page(ctx: Context) -> Page:
    """The search page (the index is prebuilt; ``assets/search.js`` runs the query in the browser)."""
    path = f"{ctx.lang}/search.html"
    ui = {k: ctx.t(k) for k in ("results_n", "no_results", "quotes", "entities", "ontology", "queries", "paper")}
    body = (f'<h1>{esc(ctx.t("search"))}</h1>'
            f'<form id="searchform" class="bigsearch" role="search" onsubmit="return false">'
            f'<input id="q" type="search" name="q" autocomplete="off" placeholder="{esc(ctx.t("search_placeholder"))}" '
            f'aria-label="{esc(ctx.t("search"))}"></form>'
            f'<div id="results" data-ui="{esc(json.dumps(ui, ensure_ascii=False, sort_keys=True))}" aria-live="polite"></div>'
            f'<noscript><p>{esc(ctx.t("no_js"))}</p></noscript>')
    return Page(path, ctx.lang, ctx.t("search"), body, scripts=("data/search-index.js", "assets/search.js"))


def landing_html() -> str:
    """``index.html`` at the root: both languages, one link each."""
    zh, en = UI["site"]
    return ('<!DOCTYPE html>\n<html lang="zh">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<title>yrd-kg · {esc(zh)}</title>\n<link rel="stylesheet" href="assets/site.css">\n'
            '<link rel="icon" href="data:,">\n'
            '<link rel="alternate" hreflang="zh" href="zh/index.html">\n'
            '<link rel="alternate" hreflang="en" href="en/index.html">\n'
            '</head>\n<body class="landing">\n<main>\n'
            f'<h1>{esc(zh)}</h1>\n<p lang="en" class="otherlabel">{esc(en)}</p>\n'
            '<nav class="cards"><a class="card" href="zh/index.html" hreflang="zh">中文</a>'
            '<a class="card" href="en/index.html" hreflang="en" lang="en">English</a></nav>\n'
            '</main>\n</body>\n</html>\n')
