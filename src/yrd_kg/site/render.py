"""HTML writing: the page shell (navigation, language switch, search box), links and terms.

Every page lives under ``zh/`` or ``en/`` at the same relative path, so the language switch is
``../en/<same path>``. All links are relative (the site works from ``file://`` and under any
prefix, e.g. a server mounting it at ``/``). An IRI of the project maps to a page path by
:meth:`Context.path_of`; anything else is an external link.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from .adapters import geonames_iri, wikidata_iri
from .model import ID, OWL, RDF_TYPE, SiteModel, Term, Text, Y, compact
from .text import lang_of

LANGS = ("zh", "en")
OTHER = {"zh": "en", "en": "zh"}
LANG_NAME = {"zh": "中文", "en": "English"}

#: interface strings (the graph's own labels are used for classes, properties and statuses)
UI: dict[str, tuple[str, str]] = {
    "site": ("长三角世界级先进制造业集群知识图谱", "Knowledge graph of the YRD world-class manufacturing clusters paper"),
    "home": ("首页", "Home"),
    "paper": ("论文", "Paper"),
    "explorer": ("链条探索", "Chain explorer"),
    "charts": ("图表", "Charts"),
    "ontology": ("本体", "Ontology"),
    "shapes": ("约束", "Shapes"),
    "queries": ("查询", "Queries"),
    "search": ("搜索", "Search"),
    "search_placeholder": ("搜索标签与引文…", "Search labels and quotes…"),
    "entities": ("实体", "Entities"),
    "iri": ("IRI", "IRI"),
    "types": ("类型", "Types"),
    "quotes": ("原文引文", "Quotes from the paper"),
    "in_paper": ("在论文中查看", "see in the paper"),
    "links_out": ("由此出发的链接", "Links from here"),
    "links_in": ("指向此处的链接", "Links to here"),
    "relations_out": ("其他关系", "Other relations"),
    "relations_in": ("被引用于", "Referred to by"),
    "properties": ("属性", "Properties"),
    "figures": ("数字", "Figures"),
    "external": ("外部标识符", "External identifiers"),
    "rationale": ("理由", "Rationale"),
    "status": ("性质", "Status"),
    "no_quote": ("（无引文）", "(no quote)"),
    "instances": ("实例", "Instances"),
    "count": ("数目", "Count"),
    "all_classes": ("全部类", "All classes"),
    "classes": ("类", "Classes"),
    "object_properties": ("对象属性", "Object properties"),
    "datatype_properties": ("数据属性", "Datatype properties"),
    "annotation_properties": ("注释属性", "Annotation properties"),
    "individuals": ("个体", "Individuals"),
    "superclasses": ("上位类", "Superclasses"),
    "subclasses": ("下位类", "Subclasses"),
    "superproperties": ("上位属性", "Super-properties"),
    "domain": ("定义域", "Domain"),
    "range": ("值域", "Range"),
    "alignments": ("对齐", "Alignments"),
    "definition": ("定义", "Definition"),
    "statement": ("陈述", "Statement"),
    "comment": ("注释", "Comment"),
    "alt_labels": ("别名", "Other names"),
    "explore_chain": ("在链条探索中查看", "Explore its chain"),
    "panel_hint": ("点击高亮的引文，查看它所支持的实体与链接。",
                   "Click a highlighted quote to see the entities and links it supports."),
    "used_by_shapes": ("检查它的约束", "Shapes that check it"),
    "more": ("更多", "more"),
    "language": ("语言", "Language"),
    "paper_intro": ("论文全文，每条锚定的引文都高亮并链接到它所支持的实体。",
                    "The whole text of the paper; every anchored quote is highlighted and linked to what it supports."),
    "sections": ("章节", "Sections"),
    "notes_n": ("条引文", "quote(s)"),
    "not_anchored": ("未锚定的引文", "Quotes without offsets"),
    "page_break": ("原文抽取中的分页处", "page break in the text extraction"),
    "from_cube": ("由数据立方体生成", "rendered from the data cube"),
    "slip": ("论文自身的不一致（照印记录，未更正）", "the paper's own inconsistency (recorded as printed, not corrected)"),
    "printed": ("印出", "printed"),
    "computed": ("计算", "computed"),
    "check_sum": ("四省市之和", "sum of the four provinces"),
    "check_share": ("长三角(合)/全国，四位小数", "长三角(合) / 全国, 4 decimal places"),
    "finding": ("发现", "finding"),
    "run": ("在端点运行", "Run at the endpoint"),
    "no_endpoint": ("此站点构建时未指定 SPARQL 端点：请复制查询文本，用 yrd-kg query 或任一 SPARQL 端点运行。",
                    "This site was built without a SPARQL endpoint: copy the query text and run it with "
                    "`yrd-kg query` or at any SPARQL endpoint."),
    "open_params": ("须提供参数", "Parameters to supply"),
    "params": ("参数", "Parameters"),
    "results": ("构建时的结果", "Results at build time"),
    "truncated": ("仅显示前若干行", "only the first rows are shown"),
    "question": ("问题", "Question"),
    "tags": ("标签", "Tags"),
    "query_text": ("查询文本", "Query text"),
    "kind_report": ("报表", "Reports"),
    "kind_construct": ("构造图", "CONSTRUCT queries"),
    "kind_violation": ("违例检查", "Violation checks"),
    "target": ("目标", "Target"),
    "severity": ("严重程度", "Severity"),
    "constraints": ("约束条件", "Constraints"),
    "message": ("说明", "Message"),
    "path": ("路径", "Path"),
    "problem": ("短板", "Problem"),
    "filter": ("筛选", "Filter"),
    "kinds": ("节点类型", "Node kinds"),
    "causes": ("成因", "Causes"),
    "effects": ("后果", "Effects"),
    "remedies": ("回应", "Remedies"),
    "instruments_actors": ("工具与主体", "Instruments and actors"),
    "focus": ("以此为中心", "Focus here"),
    "open_page": ("打开页面", "Open page"),
    "pick_edge": ("点击图中的边或右侧列表查看其引文。", "Click an edge in the graph or in the list to see its quotes."),
    "results_n": ("条结果", "results"),
    "no_results": ("没有结果", "No results"),
    "source_missing": ("未能读取论文原文，故此页按顺序列出锚定的引文",
                       "The paper's text could not be read, so this page lists the anchored quotes in order"),
    "table1": ("表1", "Table 1"),
    "table2": ("表2", "Table 2"),
    "other_lang": ("English", "中文"),
    "no_js": ("此页需要 JavaScript。", "This page needs JavaScript."),
    "generated": ("由 yrd-kg 从构建的数据集生成；链接均为相对链接，可离线使用。",
                  "Generated by yrd-kg from the built dataset; all links are relative and work offline."),
}


#: names for external classes the graph gives no label (used only when it has none)
FALLBACK_LABELS: dict[str, tuple[str, str]] = {
    "http://purl.org/linked-data/cube#Observation": ("表格单元格（qb:Observation）", "Table cells (qb:Observation)"),
    "http://purl.org/linked-data/cube#DataSet": ("数据集（qb:DataSet）", "Data sets (qb:DataSet)"),
    "http://purl.org/linked-data/cube#DataStructureDefinition": ("数据结构定义", "Data structure definitions"),
    "http://www.w3.org/2004/02/skos/core#Concept": ("概念（skos:Concept）", "Concepts (skos:Concept)"),
    "http://www.w3.org/2004/02/skos/core#ConceptScheme": ("概念体系", "Concept schemes"),
    "http://www.w3.org/ns/org#Organization": ("组织（org:Organization）", "Organisations (org:Organization)"),
}


def esc(s: str) -> str:
    """HTML-escape text and attribute values."""
    return html.escape(s, quote=True)


def rel(from_page: str, to: str) -> str:
    """The relative URL from page ``from_page`` to site path ``to`` (both from the site root, no ``..``)."""
    target, _, frag = to.partition("#")
    here = from_page.split("/")[:-1]
    if not target:
        out = from_page.rsplit("/", 1)[-1]
    else:
        there = target.split("/")
        common = 0
        while common < len(here) and common < len(there) - 1 and here[common] == there[common]:
            common += 1
        out = "../" * (len(here) - common) + "/".join(there[common:])
    return f"{out}#{frag}" if frag else out


@dataclass
class Page:
    """A page to write: its path from the site root (``zh/paper.html``), title and body HTML."""

    path: str
    lang: str
    title: str
    body: str
    scripts: tuple[str, ...] = ()
    nav: str = ""
    wide: bool = False


@dataclass
class Context:
    """What a page module needs: the model, the language, the page paths of IRIs, the endpoint."""

    model: SiteModel
    lang: str
    endpoint: str | None = None
    paths: dict[str, str] = field(default_factory=dict)

    def t(self, key: str) -> str:
        """An interface string in this language."""
        zh, en = UI[key]
        return zh if self.lang == "zh" else en

    def label(self, iri: str) -> str:
        """The graph's label of ``iri`` in this language (an interface name for an unlabelled external class)."""
        if iri not in self.model.labels and iri in FALLBACK_LABELS:
            zh, en = FALLBACK_LABELS[iri]
            return zh if self.lang == "zh" else en
        return self.model.label(iri, self.lang)

    def path_of(self, iri: str) -> str | None:
        """The page (site path without the language folder) of ``iri``, or None."""
        return self.paths.get(iri)

    def href(self, from_page: str, iri: str) -> str | None:
        """Relative URL of ``iri``'s page from ``from_page``, or None."""
        p = self.paths.get(iri)
        return rel(from_page, f"{self.lang}/{p}") if p else None

    def to(self, from_page: str, path: str) -> str:
        """Relative URL from ``from_page`` to ``path`` inside this language's folder."""
        return rel(from_page, f"{self.lang}/{path}")

    def link(self, from_page: str, iri: str, text: str | None = None, cls: str = "") -> str:
        """An ``<a>`` to ``iri``'s page (or the external IRI), labelled from the graph."""
        label = text if text is not None else self.title(iri)
        c = f' class="{cls}"' if cls else ""
        h = self.href(from_page, iri)
        if h is not None:
            return f'<a{c} href="{esc(h)}">{span_lang(label, self.lang, self.model.labels.get(iri))}</a>'
        if iri.startswith(("http://", "https://")):
            return f'<a class="ext{" " + cls if cls else ""}" href="{esc(iri)}" rel="external noopener">{esc(compact(iri))}</a>'
        return esc(label)

    def title(self, iri: str) -> str:
        """``notation label`` (the notation only when the label does not start with it)."""
        label = self.label(iri)
        n = self.model.notation(iri)
        if not n or label.startswith(n) or iri.startswith(ID + "part/") or len(n) > 12:
            return label
        return f"{n} {label}"

    def term(self, from_page: str, t: Term) -> str:
        """An object of a statement as HTML: a link for an IRI, a literal with its language."""
        if t.kind == "iri":
            return self.link(from_page, t.value)
        if t.kind == "bnode":
            return '<span class="bnode">[…]</span>'
        la = f' lang="{esc(t.lang)}"' if t.lang else ""
        dt = f' <span class="dt">{esc(compact(t.datatype))}</span>' if t.datatype else ""
        return f"<span{la}>{esc(t.value)}</span>{dt}"


def span_lang(text: str, lang: str, labels: object = None) -> str:
    """``text`` escaped, wrapped in a ``lang`` span when it is not in the page's language."""
    if isinstance(labels, Text) and labels and not labels.has(lang):
        return f'<span lang="{OTHER[lang]}">{esc(text)}</span>'
    if lang == "en" and lang_of(text) == "zh" and not isinstance(labels, Text):
        return f'<span lang="zh">{esc(text)}</span>'
    return esc(text)


def quote_html(q: str) -> str:
    """A verbatim quote with its language (tabs of table rows shown as spaces)."""
    return f'<q lang="{lang_of(q)}">{esc(" ".join(q.split()) if chr(9) in q else q)}</q>'


def external_ids(ctx: Context, iri: str) -> list[tuple[str, str]]:
    """(label, URL) of the external identifiers of ``iri``: Wikidata, GeoNames and skos:*Match IRIs.

    One entry per URL: an identifier given as ``yrd:wikidataId``/``yrd:geonamesId`` and also as a
    ``skos:*Match`` IRI is shown once, with the match relation.
    """
    m = ctx.model
    ids: dict[str, str] = {}
    for t in m.values(iri, Y + "wikidataId"):
        ids[wikidata_iri(t.value)] = f"Wikidata {t.value}"
    for t in m.values(iri, Y + "geonamesId"):
        ids[geonames_iri(t.value)] = f"GeoNames {t.value}"
    rel: dict[str, list[str]] = {}
    for p in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch"):
        for t in m.values(iri, "http://www.w3.org/2004/02/skos/core#" + p):
            if t.is_iri and not t.value.startswith(ID):
                rel.setdefault(t.value, []).append(f"skos:{p}")
    for t in m.values(iri, OWL + "sameAs"):
        if t.is_iri:
            rel.setdefault(t.value, []).append("owl:sameAs")
    out = []
    for url in sorted(set(ids) | set(rel)):
        how = ", ".join(rel.get(url, []))
        label = ids.get(url) or compact(url)
        out.append((f"{label} ({how})" if how else label, url))
    return sorted(out)


def nav_html(ctx: Context, page: str) -> str:
    """The top navigation of a page."""
    items = [("index.html", "home"), ("paper.html", "paper"), ("explorer.html", "explorer"), ("charts.html", "charts"),
             ("ontology/index.html", "ontology"), ("shapes.html", "shapes"), ("queries/index.html", "queries")]
    links = "".join(f'<a href="{esc(ctx.to(page, p))}">{esc(ctx.t(k))}</a>' for p, k in items)
    other = OTHER[ctx.lang]
    switch = rel(page, other + page[len(ctx.lang):])
    search = esc(ctx.to(page, "search.html"))
    return (f'<header class="top"><nav class="main">{links}</nav>'
            f'<form class="searchbox" action="{search}" method="get" role="search">'
            f'<input type="search" name="q" placeholder="{esc(ctx.t("search_placeholder"))}" aria-label="{esc(ctx.t("search"))}">'
            f'<button type="submit">{esc(ctx.t("search"))}</button></form>'
            f'<a class="langswitch" id="langswitch" href="{esc(switch)}" hreflang="{other}" lang="{other}">'
            f'{esc(LANG_NAME[other])}</a></header>')


def page_html(ctx: Context, page: Page) -> str:
    """The whole HTML document of ``page``."""
    css = rel(page.path, "assets/site.css")
    other = OTHER[page.lang]
    alt = rel(page.path, other + page.path[len(page.lang):])
    scripts = "".join(f'<script src="{esc(rel(page.path, s))}"></script>' for s in ("assets/site.js", *page.scripts))
    wide = ' class="wide"' if page.wide else ""
    return (f'<!DOCTYPE html>\n<html lang="{page.lang}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{esc(page.title)} · yrd-kg</title>\n"
            f'<link rel="stylesheet" href="{esc(css)}">\n<link rel="icon" href="data:,">\n'
            f'<link rel="alternate" hreflang="{other}" href="{esc(alt)}">\n</head>\n'
            f'<body data-lang="{page.lang}">\n{nav_html(ctx, page.path)}\n'
            f"<main{wide}>\n{page.body}\n</main>\n"
            f'<footer><p>{esc(ctx.t("generated"))}</p></footer>\n{scripts}\n</body>\n</html>\n')


def is_class(m: SiteModel, iri: str) -> bool:
    """Whether ``iri`` is declared an ``owl:Class`` (or ``rdfs:Class``)."""
    types = set(m.types(iri))
    return bool(types & {OWL + "Class", "http://www.w3.org/2000/01/rdf-schema#Class"})


def term_folder(m: SiteModel, iri: str) -> str:
    """``classes``, ``properties`` or ``individuals``: where an ontology term's page lives."""
    if is_class(m, iri):
        return "classes"
    if any(t.endswith("Property") for t in m.types(iri)):
        return "properties"
    return "individuals"


def page_paths(m: SiteModel) -> dict[str, str]:
    """The page of every IRI that has one (entities, ontology terms, the ontology itself)."""
    paths = {iri: "id/" + iri[len(ID):] + ".html" for iri in m.entities()}
    for iri in m.terms():
        paths[iri] = f"ontology/{term_folder(m, iri)}/{iri[len(Y):]}.html"
    paths[Y[:-1]] = "ontology/index.html"
    return paths


def heading_types(ctx: Context, page: str, iri: str) -> str:
    """The rdf:types of ``iri`` as links to their class pages."""
    return ", ".join(ctx.link(page, t) for t in ctx.model.types(iri)) or "—"


__all__ = ["LANGS", "OTHER", "RDF_TYPE", "UI", "Context", "Page", "esc", "page_html", "page_paths", "rel"]
