"""Entity pages and per-class listings.

An entity page says what a node is, its quotes, its qualified links (status, rationale, evidence),
its other relations, figures and external identifiers.

One page per IRI under ``id/`` (but evidence and link nodes, which are shown where they belong),
at ``<lang>/id/<kind>/<slug>.html``.
"""

from __future__ import annotations

import re
from collections import defaultdict

from .model import ID, QB, RDF_TYPE, RDFS, SKOS, Evidence, Link, Text, Y, compact
from .render import Context, Page, esc, external_ids, quote_html, span_lang

#: predicates shown in the head of the page or in their own section (not in the property table)
_SHOWN = {
    RDF_TYPE, SKOS + "prefLabel", SKOS + "altLabel", SKOS + "definition", Y + "statement", RDFS + "comment",
    Y + "hasEvidence", SKOS + "notation", Y + "wikidataId", Y + "geonamesId", RDFS + "label",
}
_MATCH = {SKOS + p for p in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")}
#: measures of an observation, in display order
MEASURES = (Y + "profit", Y + "nationalShare", Y + "count", Y + "share", Y + "amount", Y + "printedValue")
DIMENSIONS = (Y + "refIndustry", Y + "refIndicator", Y + "refRegion", Y + "refPeriod")
#: incoming relations shown open; longer lists are folded
FOLD_AT = 24


def paper_anchor(ctx: Context, page: str, ev: Evidence) -> str:
    """Link to the place of ``ev`` in the paper page."""
    return esc(ctx.to(page, f"paper.html#{ev.key}"))


def part_anchor(ctx: Context, page: str, part_iri: str) -> str:
    """Link to a document part in the paper page (``paper.html#part-s3.1.2``)."""
    return esc(ctx.to(page, f"paper.html#part-{part_iri.rsplit('/', 1)[-1]}"))


def evidence_list(ctx: Context, page: str, evs: list[Evidence] | tuple[Evidence, ...]) -> str:
    """The quotes of a node or link, each with its locator and a link to its place in the paper."""
    if not evs:
        return ""
    items = []
    for ev in evs:
        loc = ctx.model.notation(ev.locator) or ev.locator.rsplit("/", 1)[-1]
        where = (f'<a class="inpaper" href="{paper_anchor(ctx, page, ev)}">{esc(ctx.t("in_paper"))}</a>'
                 if ev.anchored else "")
        items.append(f'<li class="ev" data-ev="{esc(ev.key)}">{quote_html(ev.quote)} '
                     f'<span class="loc">— <a href="{part_anchor(ctx, page, ev.locator)}">{esc(loc)}</a></span> {where}</li>')
    return f'<ul class="quotes">{"".join(items)}</ul>'


def status_badge(ctx: Context, page: str, status: str) -> str:
    """The assertion status of a link, labelled from the graph (any status value)."""
    if not status:
        return ""
    local = status.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    label = ctx.label(status)
    h = ctx.href(page, status)
    inner = f'<a href="{esc(h)}">{esc(label)}</a>' if h else esc(label)
    return f'<span class="status st-{esc(local)}" data-status="{esc(local)}">{inner}</span>'


def link_item(ctx: Context, page: str, lk: Link, other: str, outgoing: bool) -> str:
    """One qualified link: predicate, the node at the other end, status, rationale, quotes."""
    arrow = "→" if outgoing else "←"
    rationale = ""
    if lk.rationale:
        r = lk.rationale.get(ctx.lang)
        la = "" if lk.rationale.has(ctx.lang) else f' lang="{"en" if ctx.lang == "zh" else "zh"}"'
        rationale = f'<p class="rationale"><b>{esc(ctx.t("rationale"))}</b>: <span{la}>{esc(r)}</span></p>'
    return (f'<li class="link" id="{esc(lk.key)}"><div class="lhead">{arrow} '
            f'<span class="pred">{ctx.link(page, lk.predicate)}</span> {ctx.link(page, other)} '
            f"{status_badge(ctx, page, lk.status)}</div>{rationale}{evidence_list(ctx, page, lk.evidence)}</li>")


def links_section(ctx: Context, page: str, iri: str) -> str:
    """The qualified links from and to ``iri``."""
    out = []
    lo = ctx.model.links_out.get(iri, [])
    li = ctx.model.links_in.get(iri, [])
    if lo:
        items = "".join(link_item(ctx, page, lk, lk.object, True) for lk in lo)
        out.append(f'<section class="links" id="links-out"><h2>{esc(ctx.t("links_out"))} ({len(lo)})</h2>'
                   f"<ul>{items}</ul></section>")
    if li:
        items = "".join(link_item(ctx, page, lk, lk.subject, False) for lk in li)
        out.append(f'<section class="links" id="links-in"><h2>{esc(ctx.t("links_in"))} ({len(li)})</h2>'
                   f"<ul>{items}</ul></section>")
    return "".join(out)


def _qualified(ctx: Context, iri: str) -> set[tuple[str, str, str]]:
    m = ctx.model
    return {(lk.subject, lk.predicate, lk.object) for lk in m.links_out.get(iri, []) + m.links_in.get(iri, [])}


def properties_section(ctx: Context, page: str, iri: str) -> str:
    """Every other statement about ``iri`` (predicate → values), and the statements pointing to it."""
    m = ctx.model
    qualified = _qualified(ctx, iri)
    by_pred: dict[str, list[str]] = defaultdict(list)
    for p, o in m.out.get(iri, []):
        if p in _SHOWN or (p in _MATCH and o.is_iri and not o.value.startswith(ID)):
            continue
        if o.is_iri and (iri, p, o.value) in qualified:
            continue
        by_pred[p].append(ctx.term(page, o))
    parts = []
    if by_pred:
        rows = "".join(f'<tr><th>{ctx.link(page, p)}</th><td>{"<br>".join(vs)}</td></tr>' for p, vs in sorted(by_pred.items()))
        parts.append(f'<section id="properties"><h2>{esc(ctx.t("relations_out"))}</h2>'
                     f'<table class="props">{rows}</table></section>')
    inc: dict[str, list[str]] = defaultdict(list)
    for s, p in m.inc.get(iri, []):
        if (s, p, iri) in qualified or s == iri:
            continue
        inc[p].append(s)
    if inc:
        inc_rows = []
        for p, subjects in sorted(inc.items()):
            ordered = sorted(subjects, key=lambda s: (m.notation(s), ctx.label(s), s))
            cells = ", ".join(ctx.link(page, s) for s in ordered)
            if len(ordered) > FOLD_AT:
                cells = f"<details><summary>{len(ordered)}</summary>{cells}</details>"
            inc_rows.append(f"<tr><th>{ctx.link(page, p)}</th><td>{cells}</td></tr>")
        parts.append(f'<section id="incoming"><h2>{esc(ctx.t("relations_in"))}</h2>'
                     f'<table class="props">{"".join(inc_rows)}</table></section>')
    return "".join(parts)


def figures_section(ctx: Context, page: str, iri: str) -> str:
    """The table cells that have ``iri`` as a dimension value, with their printed values."""
    m = ctx.model
    obs = sorted({s for s, p in m.inc.get(iri, []) if p in DIMENSIONS and QB + "Observation" in m.types(s)})
    if not obs:
        return ""
    rows = []
    for o in obs:
        pf = m.value(o, Y + "printedForm")
        unit = m.value(o, Y + "unit")
        ds = m.value(o, QB + "dataSet")
        rows.append(f'<tr><td>{ctx.link(page, o)}</td><td class="num">{esc(pf.value if pf else "")}</td>'
                    f'<td>{esc(unit.value if unit else "")}</td><td>{ctx.link(page, ds.value) if ds else ""}</td></tr>')
    return (f'<section id="figures"><h2>{esc(ctx.t("figures"))} ({len(obs)})</h2>'
            f'<table class="figs"><tbody>{"".join(rows)}</tbody></table></section>')


def observation_box(ctx: Context, page: str, iri: str) -> str:
    """For a table cell: its printed value, measure, dimensions and any slip of the paper."""
    m = ctx.model
    if QB + "Observation" not in m.types(iri):
        return ""
    pf = m.value(iri, Y + "printedForm")
    bits = [f'<p class="bigfig">{esc(ctx.t("printed"))}: <span class="num">{esc(pf.value if pf else "")}</span></p>']
    for slip in m.slips:
        if slip.obs == iri:
            check = ctx.t("check_sum" if slip.check == "sum" else "check_share")
            bits.append(f'<p class="slip" role="note">⚠ {esc(ctx.t("slip"))}: {esc(ctx.t("printed"))} {esc(slip.printed)}, '
                        f'{esc(ctx.t("computed"))} ({esc(check)}) {esc(slip.computed)}</p>')
    for f in m.cell_findings.get(iri, []):
        bits.append(f'<p class="slip">⚠ {esc(ctx.t("finding"))}: {ctx.link(page, f)}</p>')
    return f'<div class="obsbox">{"".join(bits)}</div>'


def _text_row(ctx: Context, key: str, t: Text, cls: str = "") -> str:
    if not t:
        return ""
    other = "en" if ctx.lang == "zh" else "zh"
    main = t.get(ctx.lang)
    la = "" if t.has(ctx.lang) else f' lang="{other}"'
    both = t.has(ctx.lang) and t.has(other) and t.get(other) != main
    alt = f'<div class="otherlang" lang="{other}">{esc(t.get(other))}</div>' if both else ""
    return f'<tr class="{cls}"><th>{key}</th><td><div{la}>{esc(main)}</div>{alt}</td></tr>'


def type_link(ctx: Context, page: str, cls: str) -> str:
    """A class of the entity: its ontology page, or (an external class) the listing of its members."""
    if ctx.href(page, cls) is not None:
        return ctx.link(page, cls)
    return f'<a href="{esc(ctx.to(page, list_path(cls)))}">{esc(ctx.label(cls))}</a>'


def head_section(ctx: Context, page: str, iri: str) -> str:
    """Title, the other language's label, IRI, types, definition, statement and comments."""
    m = ctx.model
    other = "en" if ctx.lang == "zh" else "zh"
    lab = m.labels.get(iri, Text())
    h1 = span_lang(ctx.title(iri), ctx.lang, lab)
    sub = f'<p class="otherlabel" lang="{other}">{esc(lab.get(other))}</p>' if lab.has(other) and lab.has(ctx.lang) else ""
    rows = [f'<tr><th>{esc(ctx.t("iri"))}</th><td><code>{esc(iri)}</code></td></tr>',
            f'<tr><th>{esc(ctx.t("types"))}</th><td>{", ".join(type_link(ctx, page, t) for t in m.types(iri)) or "—"}</td></tr>']
    alts = m.values(iri, SKOS + "altLabel")
    if alts:
        vals = "; ".join(f'<span lang="{esc(a.lang or "zh")}">{esc(a.value)}</span>' for a in alts)
        rows.append(f"<tr><th>{esc(ctx.t('alt_labels'))}</th><td>{vals}</td></tr>")
    for p, key in ((SKOS + "definition", "definition"), (Y + "statement", "statement"), (RDFS + "comment", "comment")):
        rows.append(_text_row(ctx, esc(ctx.t(key)), m.text(iri, p)))
    ext = external_ids(ctx, iri)
    if ext:
        links = " · ".join(f'<a class="ext" href="{esc(u)}" rel="external noopener">{esc(lbl)}</a>' for lbl, u in ext)
        rows.append(f'<tr class="extids"><th>{esc(ctx.t("external"))}</th><td>{links}</td></tr>')
    part_link = ""
    if iri.startswith(ID + "part/"):
        part_link = f'<p><a href="{part_anchor(ctx, page, iri)}">{esc(ctx.t("in_paper"))}</a></p>'
    types = set(m.types(iri))
    if types & {Y + "Shortcoming", Y + "ProblemSubPoint"} and m.notation(iri):
        href = esc(ctx.to(page, "explorer.html?problem=" + m.notation(iri)))
        part_link += f'<p><a class="explore" href="{href}">{esc(ctx.t("explore_chain"))}</a></p>'
    return f'<h1>{h1}</h1>{sub}<table class="head">{"".join(rows)}</table>{part_link}'


def entity_page(ctx: Context, iri: str) -> Page:
    """The page of one entity."""
    path = f"{ctx.lang}/{ctx.path_of(iri)}"
    evs = ctx.model.evidence_of.get(iri, [])
    quotes = (f'<section id="quotes"><h2>{esc(ctx.t("quotes"))} ({len(evs)})</h2>{evidence_list(ctx, path, evs)}</section>'
              if evs else "")
    body = (f'<article class="entity" data-iri="{esc(iri)}">{head_section(ctx, path, iri)}'
            f"{observation_box(ctx, path, iri)}{quotes}{links_section(ctx, path, iri)}"
            f"{figures_section(ctx, path, iri)}{properties_section(ctx, path, iri)}</article>")
    return Page(path, ctx.lang, ctx.title(iri), body)


def superclasses(ctx: Context, cls: str) -> set[str]:
    """``cls`` and every class above it along ``rdfs:subClassOf`` (as the ontology states it)."""
    m = ctx.model
    seen, todo = {cls}, [cls]
    while todo:
        for sup in m.values(todo.pop(), RDFS + "subClassOf"):
            if sup.is_iri and sup.value not in seen:
                seen.add(sup.value)
                todo.append(sup.value)
    return seen


def class_members(ctx: Context) -> dict[str, list[str]]:
    """Entities per class, an entity counting for its classes and their superclasses (every class with members)."""
    m = ctx.model
    out: dict[str, set[str]] = defaultdict(set)
    for e in m.entities():
        for t in m.types(e):
            for c in superclasses(ctx, t):
                out[c].add(e)
    return {c: sorted(v) for c, v in sorted(out.items())}


def list_path(cls: str) -> str:
    """The listing page of a class (``list/yrd-Problem.html``)."""
    return "list/" + compact(cls).replace(":", "-").replace("/", "-").replace("#", "-") + ".html"


def list_page(ctx: Context, cls: str, members: list[str]) -> Page:
    """The listing of one class's entities."""
    path = f"{ctx.lang}/{list_path(cls)}"
    m = ctx.model
    members = sorted(members, key=lambda e: (_natural(m.notation(e)), ctx.label(e), e))
    items = "".join(f"<li>{ctx.link(path, e)}</li>" for e in members)
    defi = m.text(cls, SKOS + "definition")
    d = f'<p class="def">{esc(defi.get(ctx.lang))}</p>' if defi else ""
    title = ctx.label(cls)
    body = (f'<h1>{esc(title)} <span class="count">({len(members)})</span></h1>{d}'
            f'<p>{ctx.link(path, cls, compact(cls))}</p><ul class="members">{items}</ul>')
    return Page(path, ctx.lang, title, body)


def lists_index(ctx: Context, groups: dict[str, list[str]]) -> Page:
    """Every class with entities, with its count."""
    path = f"{ctx.lang}/list/index.html"
    rows = "".join(f'<tr><td><a href="{esc(ctx.to(path, list_path(c)))}">{esc(ctx.label(c))}</a></td>'
                   f'<td><code>{esc(compact(c))}</code></td><td class="num">{len(v)}</td></tr>' for c, v in groups.items())
    body = f'<h1>{esc(ctx.t("all_classes"))}</h1><table class="classes"><tbody>{rows}</tbody></table>'
    return Page(path, ctx.lang, ctx.t("all_classes"), body)


def _natural(s: str) -> tuple[tuple[int, int | str], ...]:
    return tuple((0, int(x)) if x.isdigit() else (1, x) for x in re.split(r"(\d+)", s) if x)
