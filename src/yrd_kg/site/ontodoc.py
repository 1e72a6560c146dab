"""Ontology documentation, bilingual: the ontology's metadata and one page per term.

pyLODE 3.6 (the only release on the index here) fails on import in an installed environment (it
reads its own ``pyproject.toml``) and writes one language only, so the site has its own generator:
classes, object/datatype/annotation properties and individuals with their labels and definitions
in zh and en, super- and subclasses, domains and ranges (``owl:unionOf`` spelt out), alignments
(``rdfs:subClassOf``/``subPropertyOf`` to external terms, ``skos:*Match``, ``owl:equivalentClass``),
instance counts, use counts and the shapes that check each term.
"""

from __future__ import annotations

from collections.abc import Callable

from .model import OWL, RDF_TYPE, RDFS, SKOS, Text, Y, compact
from .pages import list_path
from .render import Context, Page, esc, term_folder
from .shapes import NodeShape, shape_anchor, shapes_for

DCT = "http://purl.org/dc/terms/"
VANN = "http://purl.org/vocab/vann/"
_GROUPS: tuple[tuple[str, Callable[[set[str]], bool]], ...] = (
    ("classes", lambda types: OWL + "Class" in types),
    ("object_properties", lambda types: OWL + "ObjectProperty" in types),
    ("datatype_properties", lambda types: OWL + "DatatypeProperty" in types),
    ("annotation_properties", lambda types: OWL + "AnnotationProperty" in types),
)
_ALIGN = (RDFS + "subClassOf", RDFS + "subPropertyOf", OWL + "equivalentClass", OWL + "equivalentProperty",
          SKOS + "exactMatch", SKOS + "closeMatch", SKOS + "broadMatch", SKOS + "narrowMatch", SKOS + "relatedMatch")


def group_of(ctx: Context, iri: str) -> str:
    """Which list of the index a term belongs to."""
    types = set(ctx.model.types(iri))
    for key, test in _GROUPS:
        if test(types):
            return key
    return "individuals"


def _bi(ctx: Context, t: Text, cls: str = "") -> str:
    """A text in the page language, with the other language under it."""
    if not t:
        return ""
    other = "en" if ctx.lang == "zh" else "zh"
    main = f'<p class="{cls}" lang="{ctx.lang if t.has(ctx.lang) else other}">{esc(t.get(ctx.lang))}</p>'
    if t.has(ctx.lang) and t.has(other):
        main += f'<p class="{cls} otherlang" lang="{other}">{esc(t.get(other))}</p>'
    return main


def _links(ctx: Context, page: str, iris: list[str]) -> str:
    return ", ".join(ctx.link(page, i) for i in iris) or "—"


def term_page(ctx: Context, iri: str, shapes: list[NodeShape], members: dict[str, list[str]]) -> Page:
    """The page of one ontology term."""
    m = ctx.model
    path = f"{ctx.lang}/{ctx.path_of(iri)}"
    local = iri[len(Y):]
    types = m.types(iri)
    rows = [f'<tr><th>{esc(ctx.t("iri"))}</th><td><code>{esc(iri)}</code></td></tr>',
            f'<tr><th>{esc(ctx.t("types"))}</th><td>{", ".join(esc(compact(t)) for t in types)}</td></tr>']

    def iris(p: str) -> list[str]:
        return [o.value for o in m.values(iri, p) if o.is_iri]

    internal_sup = [s for s in iris(RDFS + "subClassOf") + iris(RDFS + "subPropertyOf") if s.startswith(Y)]
    if internal_sup:
        key = "superclasses" if term_folder(m, iri) == "classes" else "superproperties"
        rows.append(f"<tr><th>{esc(ctx.t(key))}</th><td>{_links(ctx, path, internal_sup)}</td></tr>")
    subs = sorted(set(m.subjects(RDFS + "subClassOf", iri) + m.subjects(RDFS + "subPropertyOf", iri)))
    if subs:
        rows.append(f"<tr><th>{esc(ctx.t('subclasses'))}</th><td>{_links(ctx, path, subs)}</td></tr>")
    for p, key in ((RDFS + "domain", "domain"), (RDFS + "range", "range")):
        vals = iris(p) + m.unions.get((iri, p), [])
        if vals:
            shown = " ⊔ ".join(ctx.link(path, v) for v in sorted(set(vals)))
            rows.append(f"<tr><th>{esc(ctx.t(key))}</th><td>{shown}</td></tr>")
    for p in (OWL + "inverseOf", OWL + "disjointWith"):
        if iris(p):
            rows.append(f"<tr><th>{ctx.link(path, p)}</th><td>{_links(ctx, path, iris(p))}</td></tr>")
    align = [(p, o) for p in _ALIGN for o in iris(p) if not o.startswith(Y)]
    if align:
        cells = "<br>".join(f"{esc(compact(p))} {ctx.link(path, o)}" for p, o in align)
        rows.append(f'<tr class="align"><th>{esc(ctx.t("alignments"))}</th><td>{cells}</td></tr>')
    if iri in members:
        href = ctx.to(path, list_path(iri))
        rows.append(f'<tr><th>{esc(ctx.t("instances"))}</th><td><a href="{esc(href)}">{len(members[iri])}</a></td></tr>')
    uses = sum(1 for s in m.out.values() for p, _o in s if p == iri)
    if uses:
        rows.append(f'<tr><th>{esc(ctx.t("count"))}</th><td>{uses}</td></tr>')
    checked = shapes_for(shapes, iri)
    if checked:
        cells = ", ".join(f'<a href="{esc(ctx.to(path, "shapes.html#" + shape_anchor(s.iri)))}">{esc(compact(s.iri))}</a>'
                          for s in checked)
        rows.append(f"<tr><th>{esc(ctx.t('used_by_shapes'))}</th><td>{cells}</td></tr>")
    lab = m.labels.get(iri, Text())
    other = "en" if ctx.lang == "zh" else "zh"
    body = (f'<article class="term"><h1>{esc(lab.get(ctx.lang) or local)} <code class="small">yrd:{esc(local)}</code></h1>'
            f'<p class="otherlabel" lang="{other}">{esc(lab.get(other))}</p>'
            f'{_bi(ctx, m.text(iri, SKOS + "definition"), "def")}{_bi(ctx, m.text(iri, RDFS + "comment"), "comment")}'
            f'<table class="head">{"".join(rows)}</table></article>')
    return Page(path, ctx.lang, lab.get(ctx.lang) or local, body)


def ontology_index(ctx: Context, members: dict[str, list[str]]) -> Page:
    """The ontology's metadata and every term, grouped like LODE."""
    m = ctx.model
    onto = Y[:-1]
    path = f"{ctx.lang}/ontology/index.html"
    meta = []
    for p in (OWL + "versionIRI", OWL + "versionInfo", DCT + "creator", DCT + "license", VANN + "preferredNamespacePrefix",
              VANN + "preferredNamespaceUri"):
        vals = m.values(onto, p)
        if vals:
            meta.append(f"<tr><th>{esc(compact(p))}</th><td>{'<br>'.join(ctx.term(path, v) for v in vals)}</td></tr>")
    src = m.text(onto, DCT + "source")
    groups: dict[str, list[str]] = {k: [] for k, _ in _GROUPS}
    groups["individuals"] = []
    for t in m.terms():
        groups[group_of(ctx, t)].append(t)
    secs, toc = [], []
    for key, terms in groups.items():
        if not terms:
            continue
        toc.append(f'<li><a href="#{key}">{esc(ctx.t(key))} ({len(terms)})</a></li>')
        rows = []
        for t in sorted(terms, key=lambda x: x.lower()):
            d = m.text(t, SKOS + "definition")
            n = f' <span class="count">({len(members[t])})</span>' if t in members else ""
            local = esc(t[len(Y):])
            rows.append(f'<tr id="t-{local}"><td>{ctx.link(path, t)}{n}<br><code class="small">yrd:{local}</code></td>'
                        f'<td>{esc(d.get(ctx.lang))}</td></tr>')
        secs.append(f'<section id="{key}"><h2>{esc(ctx.t(key))}</h2>'
                    f'<table class="terms"><tbody>{"".join(rows)}</tbody></table></section>')
    title = m.text(onto, DCT + "title")
    body = (f'<h1>{esc(title.get(ctx.lang) or ctx.t("ontology"))}</h1>{_bi(ctx, m.text(onto, DCT + "description"))}'
            f'<table class="head"><tr><th>{esc(ctx.t("iri"))}</th><td><code>{esc(onto)}</code></td></tr>{"".join(meta)}</table>'
            f'{_bi(ctx, src, "small")}<nav><ul class="cols">{"".join(toc)}</ul></nav>{"".join(secs)}')
    return Page(path, ctx.lang, ctx.t("ontology"), body)


__all__ = ["RDF_TYPE", "group_of", "ontology_index", "term_page"]
