"""The chain explorer: its data (from the saved CONSTRUCTs ``yrd-kg trace`` uses) and its page.

The data is one script, ``data/explorer.js``, setting ``window.YRD_EXPLORER`` (a script, not a
JSON fetch, so the page works from ``file://``): nodes (kind, notation, zh/en labels, page path),
edges (relation, status, zh/en rationale, quotes with their paper anchors) and the assertion
statuses found, each labelled from the graph. ``assets/explorer.js`` draws the chain of one
problem with Cytoscape.js: causes → problem → effects → remedies → instruments and actors.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from typing import Any

from .model import SKOS, Term, Y, compact, term
from .render import Context, Page, esc

DCT_TYPE = "http://purl.org/dc/terms/type"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#: chain class → node kind (as in yrd_kg.chains)
CLASS_KIND = {
    Y + "Cause": "cause", Y + "Effect": "effect", Y + "Shortcoming": "problem", Y + "ProblemSubPoint": "problem",
    Y + "BreakthroughPath": "path", Y + "PathAction": "action", Y + "PolicyRecommendation": "recommendation",
    Y + "PolicyMeasure": "measure", Y + "PolicyInstrument": "instrument", Y + "Actor": "actor",
}
KIND_ORDER = ("problem", "cause", "effect", "action", "measure", "path", "recommendation", "instrument", "actor")
#: the class whose graph label names a kind
KIND_CLASS = {"cause": Y + "Cause", "effect": Y + "Effect", "problem": Y + "Problem", "path": Y + "BreakthroughPath",
              "action": Y + "PathAction", "recommendation": Y + "PolicyRecommendation", "measure": Y + "PolicyMeasure",
              "instrument": Y + "PolicyInstrument", "actor": Y + "Actor"}
RELATION = {Y + "causes": "causes", Y + "contributesTo": "contributesTo", Y + "addresses": "addresses",
            Y + "supports": "supports", Y + "usesInstrument": "uses", Y + "involvesActor": "involves", Y + "partOf": "partOf"}


def _natural(s: str) -> list[Any]:
    return [(0, int(x)) if x.isdigit() else (1, x) for x in re.split(r"(\d+)", s) if x]


def explorer_data(ctx: Context, triples: list[tuple[Any, Any, Any]]) -> dict[str, Any]:
    """Nodes, edges, statuses and kinds of the chain graph, ready for JSON."""
    m = ctx.model
    props: dict[str, dict[str, list[Term]]] = defaultdict(lambda: defaultdict(list))
    for s, p, o in triples:
        props[term(s).value][term(p).value].append(term(o))

    def one(d: dict[str, list[Term]], p: str) -> str:
        vals = sorted(v.value for v in d.get(p, []))
        return vals[0] if vals else ""

    def lang(d: dict[str, list[Term]], p: str, la: str) -> str:
        vals = sorted(v.value for v in d.get(p, []) if v.lang == la)
        return vals[0] if vals else ""

    nodes: dict[str, dict[str, Any]] = {}
    for iri, d in props.items():
        kinds = sorted({CLASS_KIND[t.value] for t in d.get(RDF_TYPE, []) if t.value in CLASS_KIND}, key=KIND_ORDER.index)
        if not kinds:
            continue
        nodes[iri] = {"id": compact(iri), "kind": kinds[0], "kinds": kinds, "n": one(d, SKOS + "notation"),
                      "zh": lang(d, SKOS + "prefLabel", "zh"), "en": lang(d, SKOS + "prefLabel", "en"),
                      "url": ctx.path_of(iri) or ""}
    edges: list[dict[str, Any]] = []
    status_iri: dict[str, str] = {}
    for iri, d in props.items():
        pred = one(d, Y + "linkPredicate")
        if pred:
            s, o = one(d, Y + "linkSubject"), one(d, Y + "linkObject")
            if pred not in RELATION or s not in nodes or o not in nodes:
                continue
            evs = []
            for ev in sorted(d.get(Y + "hasEvidence", [])):
                ed = props.get(ev.value, {})
                quote = one(ed, Y + "quote")
                if quote:
                    start = one(ed, Y + "start")
                    evs.append({"q": quote, "loc": m.notation(one(ed, Y + "locator")) or compact(one(ed, Y + "locator")),
                                "ev": "ev-" + ev.value.rsplit("/", 1)[-1], "start": int(start) if start else None})
            evs.sort(key=lambda e: (e["start"] if e["start"] is not None else 1 << 30, e["q"]))
            status = one(d, Y + "assertionStatus")
            if status:
                status_iri["link-" + iri.rsplit("/", 1)[-1]] = status
            edges.append({"id": "link-" + iri.rsplit("/", 1)[-1], "s": nodes[s]["id"], "t": nodes[o]["id"],
                          "rel": RELATION[pred], "status": _local(status),
                          "rzh": lang(d, Y + "rationale", "zh"), "ren": lang(d, Y + "rationale", "en"), "ev": evs})
        for parent in d.get(Y + "partOf", []):
            if iri in nodes and parent.value in nodes:
                edges.append({"id": f"part-{nodes[iri]['id']}>{nodes[parent.value]['id']}", "s": nodes[iri]["id"],
                              "t": nodes[parent.value]["id"], "rel": "partOf", "status": "", "rzh": "", "ren": "", "ev": []})
    edges.sort(key=lambda e: (e["s"], e["rel"], e["t"], e["id"]))
    found = {status_iri[e["id"]] for e in edges if e["id"] in status_iri}
    order = [Y + "Stated", Y + "Interpreted"]
    statuses = [st for st in order if st in found] + sorted(found - set(order))
    rel_labels = {r: {"zh": m.label(p, "zh"), "en": m.label(p, "en")} for p, r in RELATION.items()}
    return {
        "nodes": sorted(nodes.values(), key=lambda n: (KIND_ORDER.index(n["kind"]), _natural(n["n"]), n["id"])),
        "edges": edges,
        "statuses": [{"key": _local(s), "zh": m.label(s, "zh"), "en": m.label(s, "en")} for s in statuses],
        "kinds": [{"key": k, "zh": m.label(KIND_CLASS[k], "zh"), "en": m.label(KIND_CLASS[k], "en")} for k in KIND_ORDER],
        "relations": rel_labels,
    }


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1] if iri else ""


def explorer_script(data: dict[str, Any]) -> str:
    """``data/explorer.js``: the data as a script (works from file://)."""
    return "window.YRD_EXPLORER = " + json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + ";\n"


def explorer_page(ctx: Context, data: dict[str, Any]) -> Page:
    """The explorer page: controls, the graph, the chain as a list and the detail panel."""
    path = f"{ctx.lang}/explorer.html"
    problems = [n for n in data["nodes"] if n["kind"] == "problem"]
    opts = "".join(f'<option value="{esc(n["n"] or n["id"])}">{esc(n["n"])} {esc(n[ctx.lang] or n["zh"])}</option>'
                   for n in problems)
    sts = "".join(f'<label class="st-{esc(s["key"])}"><input type="checkbox" name="status" value="{esc(s["key"])}" checked> '
                  f'{esc(s[ctx.lang])}</label>' for s in data["statuses"])
    groups = (("causes", "causes"), ("effects", "effects"), ("remedies", "remedies"), ("instruments_actors", "tools"))
    kinds = "".join(f'<label><input type="checkbox" name="group" value="{g}" checked> {esc(ctx.t(key))}</label>'
                    for key, g in groups)
    ui = {k: ctx.t(k) for k in ("focus", "open_page", "rationale", "in_paper", "causes", "effects", "remedies",
                                "instruments_actors", "no_quote", "pick_edge", "status")}
    body = (f'<h1>{esc(ctx.t("explorer"))}</h1>'
            f'<div id="explorer" class="explorer" data-ui="{esc(json.dumps(ui, ensure_ascii=False, sort_keys=True))}">'
            f'<form class="controls" id="xcontrols" onsubmit="return false">'
            f'<label>{esc(ctx.t("problem"))} <select id="xproblem">{opts}</select></label>'
            f'<fieldset><legend>{esc(ctx.t("status"))}</legend>{sts}</fieldset>'
            f'<fieldset><legend>{esc(ctx.t("kinds"))}</legend>{kinds}</fieldset>'
            f'<label>depth <select id="xdepth"><option>1</option><option selected>2</option><option>3</option></select></label>'
            f'</form><div id="xlegend" class="xlegend" aria-hidden="true"></div>'
            f'<div class="xmain"><div id="cy" class="cy" role="img" aria-label="{esc(ctx.t("explorer"))}"></div>'
            f'<aside class="xside"><div id="xdetail" class="xdetail"><p>{esc(ctx.t("pick_edge"))}</p></div>'
            f'<div id="xlist" class="xlist"></div></aside></div>'
            f'<noscript><p>{esc(ctx.t("no_js"))}</p></noscript></div>')
    scripts = ("assets/vendor/cytoscape/cytoscape.min.js", "data/explorer.js", "assets/explorer.js")
    return Page(path, ctx.lang, ctx.t("explorer"), body, scripts=scripts, wide=True)
