"""The query page: a small SPARQL editor in the browser, written for this project (no third-party script).

The page (``/sparql`` for a browser) holds the editor prefilled with the project's prefixes and an example
(or the ``?query=`` of the link that led here, run at once), the saved queries with their summaries and
parameter fields, the dataset choice (``default-graph-uri`` / ``named-graph-uri`` over the build's
graphs) and the answer as a table or as text. Its script and style are served from ``/ui/``; its
settings travel in a JSON block of the page; a Content-Security-Policy keeps every request on this server.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from yrd_kg.namespaces import PREFIXES
from yrd_kg.sparql.binding import bind_parameters
from yrd_kg.sparql.catalogue import Param, SavedQuery

STATIC = Path(__file__).resolve().parent / "static"
#: what the page may load: this server only
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
EXAMPLE = """SELECT ?problem ?notation ?label WHERE {
  ?problem a yrd:Shortcoming ;
           skos:notation ?notation ;
           skos:prefLabel ?label .
  FILTER(LANG(?label) = "zh")
}
ORDER BY ?notation"""
#: prefixes the editor starts with (the rest are listed in the page's settings for compacting IRIs)
EDITOR_PREFIXES = ("yrd", "problem", "path", "instrument", "actor", "place", "skos", "rdf", "rdfs", "xsd", "dcterms", "prov")
TITLE = {"zh": "SPARQL 查询 · yrd-kg", "en": "SPARQL query · yrd-kg"}


def prefix_block() -> str:
    """The ``PREFIX`` lines the editor starts with."""
    return "\n".join(f"PREFIX {p}: <{PREFIXES[p]}>" for p in EDITOR_PREFIXES if p in PREFIXES)


def bound_text(q: SavedQuery, lang: str) -> str:
    """A saved query's text with ``?_lang`` and every defaulted parameter bound; parameters without a default stay."""
    bindable = [Param(p.var, p.type, p.default) for p in q.params if p.default is not None or p.var == "_lang"]
    return bind_parameters(q.text, bindable, {}, lang=lang, name=q.name)


def settings(queries: Sequence[SavedQuery], graphs: Sequence[str], lang: str) -> dict[str, Any]:
    """What the page's script needs: endpoints, prefixes, the example, the graphs and the saved queries."""
    return {
        "lang": lang, "endpoint": "/sparql", "api": "/api/",
        "prefixes": {k: v for k, v in PREFIXES.items() if k != "yid"},
        "example": prefix_block() + "\n\n" + EXAMPLE + "\n",
        "graphs": list(graphs),
        "queries": [{"name": q.name, "kind": q.kind, "summary": {"zh": q.summary("zh"), "en": q.summary("en")},
                     "description": q.description, "columns": list(q.columns),
                     "params": [{"name": p.name, "type": p.type, "default": p.default, "required": p.required,
                                 "description": p.description} for p in q.params if p.name != "lang"]}
                    for q in queries],
    }


def page(config: dict[str, Any], lang: str) -> str:
    """The query page in ``lang`` (its script switches language in place)."""
    data = json.dumps(config, ensure_ascii=False).replace("</", "<\\/")
    other = "en" if lang == "zh" else "zh"

    def t(zh: str, en: str) -> str:
        return zh if lang == "zh" else en

    switch = "English" if lang == "zh" else "中文"
    note = t("不选择时默认图为所有命名图的并集。", "With nothing chosen the default graph is the union of every named graph.")
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(TITLE[lang])}</title>
<link rel="stylesheet" href="/assets/site.css">
<link rel="stylesheet" href="/ui/query.css">
<link rel="icon" href="data:,">
</head>
<body data-lang="{lang}">
<header class="top"><nav class="main">
<a href="/{lang}/index.html" data-t="home">{t("首页", "Home")}</a>
<a href="/{lang}/queries/index.html" data-t="saved_pages">{t("查询目录", "Saved queries")}</a>
<a href="/sparql?lang={lang}" aria-current="page">SPARQL</a>
<a href="/api/openapi.json" data-t="api">{t("API（OpenAPI）", "API (OpenAPI)")}</a>
<a href="/sparql?format=ttl" data-t="sd">{t("服务描述", "Service description")}</a>
</nav><a class="langswitch" id="langswitch" href="/sparql?lang={other}" hreflang="{other}" lang="{other}">{switch}</a>
</header>
<main class="wide sparql-ui">
<aside class="saved">
<label for="saved" data-t="saved">{t("已存查询", "Saved queries")}</label>
<select id="saved"><option value="" data-t="adhoc">{t("（自由查询）", "(ad hoc query)")}</option></select>
<div id="saved-info" class="small"></div>
<form id="params" class="params" autocomplete="off"></form>
<details class="dataset"><summary data-t="dataset">{t("数据集", "Dataset")}</summary>
<p class="small" data-t="dataset_note">{note}</p>
<label for="default-graphs">default-graph-uri</label><select id="default-graphs" multiple size="6"></select>
<label for="named-graphs">named-graph-uri</label><select id="named-graphs" multiple size="6"></select>
</details>
</aside>
<section class="work">
<label for="query" class="visually-hidden">SPARQL</label>
<textarea id="query" spellcheck="false" autocapitalize="off" autocomplete="off" rows="18"></textarea>
<div class="bar">
<button id="run" type="button" data-t="run">{t("运行", "Run")}</button>
<span class="small" data-t="hint">{t("Ctrl+Enter 运行", "Ctrl+Enter runs")}</span>
<label for="format" data-t="format">{t("格式", "Format")}</label>
<select id="format"><option value="table" data-t="table">{t("表格", "Table")}</option><option value="json">JSON</option>
<option value="xml">XML</option><option value="csv">CSV</option><option value="tsv">TSV</option>
<option value="ttl">Turtle</option><option value="nt">N-Triples</option><option value="jsonld">JSON-LD</option></select>
<a id="download" href="#" hidden data-t="link">{t("链接", "Link")}</a>
<span id="status" role="status"></span>
</div>
<div id="results" class="results"></div>
</section>
</main>
<script type="application/json" id="config">{data}</script>
<script src="/ui/query.js"></script>
</body>
</html>
"""


def asset(name: str) -> bytes | None:
    """A file of the page (``query.js``, ``query.css``), or None."""
    if name not in ("query.js", "query.css"):
        return None
    return (STATIC / name).read_bytes()
