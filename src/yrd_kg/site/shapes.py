"""The SHACL shapes and what they check, read with SPARQL from a store that holds them.

Node shapes with their targets (classes, subjects of a property, SPARQL targets), severities,
property constraints (path, counts, classes, datatypes, patterns, languages, ``sh:or``) and SPARQL
constraints, each with its message in zh and en. Blank-node shapes are ordered by what they say,
never by their (per-load) identifiers, so the page is the same on every build.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .model import RDF_TYPE, RDFS, Term, Text, compact, term, text_of
from .render import Context, Page, esc

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph as ox

SH = "http://www.w3.org/ns/shacl#"
RDF_FIRST = "http://www.w3.org/1999/02/22-rdf-syntax-ns#first"
RDF_REST = "http://www.w3.org/1999/02/22-rdf-syntax-ns#rest"
RDF_NIL = "http://www.w3.org/1999/02/22-rdf-syntax-ns#nil"
#: constraint parameters shown for a property shape, in this order
PARAMS = ("minCount", "maxCount", "class", "datatype", "nodeKind", "pattern", "languageIn", "uniqueLang",
          "minInclusive", "maxInclusive", "minExclusive", "lessThan", "equals", "in", "hasValue", "node", "or",
          "qualifiedValueShape", "qualifiedMinCount", "qualifiedMaxCount")


@dataclass(frozen=True)
class PropertyCheck:
    """One property shape: its path, its constraints as text, its message."""

    path: str
    constraints: str
    message: Text
    severity: str


@dataclass(frozen=True)
class SparqlCheck:
    """A SPARQL constraint: its message and query."""

    message: Text
    select: str


@dataclass(frozen=True)
class NodeShape:
    """A node shape with its targets and checks."""

    iri: str
    targets: tuple[tuple[str, str], ...]  # (kind, value): class, subjectsOf, objectsOf, node, sparql
    severity: str
    message: Text
    comment: Text
    properties: tuple[PropertyCheck, ...]
    sparql: tuple[SparqlCheck, ...]
    node_constraints: str


class _Graph:
    def __init__(self, store: ox.Store) -> None:
        self.out: dict[str, list[tuple[str, Term]]] = defaultdict(list)
        rows: Any = store.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", use_default_graph_as_union=True)
        for r in rows:
            self.out[term(r["s"]).value].append((r["p"].value, term(r["o"])))

    def objs(self, s: str, p: str) -> list[Term]:
        return sorted(o for pp, o in self.out.get(s, []) if pp == p)

    def one(self, s: str, p: str) -> Term | None:
        v = self.objs(s, p)
        return v[0] if v else None

    def items(self, head: Term) -> list[Term]:
        out, node, seen = [], head, set()
        while node.value != RDF_NIL and node.value not in seen:
            seen.add(node.value)
            first = self.one(node.value, RDF_FIRST)
            if first is not None:
                out.append(first)
            nxt = self.one(node.value, RDF_REST)
            if nxt is None:
                break
            node = nxt
        return out


def _show(g: _Graph, t: Term) -> str:
    if t.kind == "iri":
        return compact(t.value)
    if t.kind == "lit":
        return f'"{t.value}"' if t.datatype == "" and not t.value.isdigit() and t.value not in ("true", "false") else t.value
    if g.one(t.value, RDF_FIRST) is not None:
        return "(" + " ".join(_show(g, x) for x in g.items(t)) + ")"
    return "[" + _constraints(g, t.value) + "]"


def _constraints(g: _Graph, node: str) -> str:
    bits = []
    for p in PARAMS:
        for o in g.objs(node, SH + p):
            if p in ("or", "in", "languageIn"):
                vals = " | ".join(_show(g, x) for x in g.items(o)) if p == "or" else " ".join(_show(g, x) for x in g.items(o))
                bits.append(f"sh:{p} ({vals})")
            else:
                bits.append(f"sh:{p} {_show(g, o)}")
    return " · ".join(bits)


def _path(g: _Graph, t: Term | None) -> str:
    if t is None:
        return ""
    if t.kind == "iri":
        return compact(t.value)
    inv = g.one(t.value, SH + "inversePath")
    if inv is not None:
        return "^" + _path(g, inv)
    if g.one(t.value, RDF_FIRST) is not None:
        return "/".join(_path(g, x) for x in g.items(t))
    for k, sym in (("zeroOrMorePath", "*"), ("oneOrMorePath", "+"), ("zeroOrOnePath", "?")):
        v = g.one(t.value, SH + k)
        if v is not None:
            return _path(g, v) + sym
    return "[…]"


def _severity(g: _Graph, node: str, default: str = "") -> str:
    s = g.one(node, SH + "severity")
    return compact(s.value) if s else default


def load_shapes(store: ox.Store) -> list[NodeShape]:
    """Every ``sh:NodeShape`` in ``store`` (IRI-named ones first, each sorted)."""
    g = _Graph(store)
    shapes = []
    for s, pos in g.out.items():
        if (RDF_TYPE, Term("iri", SH + "NodeShape")) not in pos:
            continue
        targets: list[tuple[str, str]] = []
        for kind, p in (("class", "targetClass"), ("subjectsOf", "targetSubjectsOf"), ("objectsOf", "targetObjectsOf"),
                        ("node", "targetNode")):
            targets.extend((kind, o.value) for o in g.objs(s, SH + p))
        for t in g.objs(s, SH + "target"):
            sel = g.one(t.value, SH + "select")
            targets.append(("sparql", sel.value.strip() if sel else ""))
        sev = _severity(g, s, "sh:Violation")
        props = []
        for ps in g.objs(s, SH + "property"):
            props.append(PropertyCheck(_path(g, g.one(ps.value, SH + "path")), _constraints(g, ps.value),
                                       text_of(g.objs(ps.value, SH + "message")), _severity(g, ps.value, sev)))
        sparql = []
        for c in g.objs(s, SH + "sparql"):
            sel = g.one(c.value, SH + "select")
            sparql.append(SparqlCheck(text_of(g.objs(c.value, SH + "message")), sel.value.strip() if sel else ""))
        shapes.append(NodeShape(
            s, tuple(sorted(targets)), sev, text_of(g.objs(s, SH + "message")),
            text_of(g.objs(s, RDFS + "comment")),
            tuple(sorted(props, key=lambda x: (x.path, x.constraints, x.message.en, x.message.zh))),
            tuple(sorted(sparql, key=lambda x: (x.message.en, x.select))), _constraints(g, s)))
    named = [x for x in shapes if x.iri.startswith(("http://", "https://"))]
    return sorted(named, key=lambda x: x.iri)


def shape_anchor(iri: str) -> str:
    """The anchor of a shape on the shapes page."""
    return "shape-" + iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def shapes_for(shapes: list[NodeShape], iri: str) -> list[NodeShape]:
    """Shapes that target the class ``iri`` or check the property ``iri``."""
    c = compact(iri)
    return [s for s in shapes if ("class", iri) in s.targets or ("subjectsOf", iri) in s.targets
            or any(p.path == c for p in s.properties)]


def _msg(ctx: Context, t: Text) -> str:
    if not t:
        return ""
    other = "en" if ctx.lang == "zh" else "zh"
    la = "" if t.has(ctx.lang) else f' lang="{other}"'
    return f"<span{la}>{esc(t.get(ctx.lang))}</span>"


def shapes_page(ctx: Context, shapes: list[NodeShape]) -> Page:
    """What every shape checks."""
    path = f"{ctx.lang}/shapes.html"
    toc = "".join(f'<li><a href="#{esc(shape_anchor(s.iri))}">{esc(compact(s.iri))}</a></li>' for s in shapes)
    secs = []
    for s in shapes:
        tg = []
        for kind, v in s.targets:
            if kind == "sparql":
                tg.append(f'<details><summary>SPARQL</summary><pre lang="en"><code>{esc(v)}</code></pre></details>')
            elif kind == "class":
                tg.append(ctx.link(path, v))
            else:
                tg.append(f"sh:{kind} {ctx.link(path, v)}")
        rows = "".join(f"<tr><td><code>{esc(p.path)}</code></td><td><code>{esc(p.constraints)}</code></td>"
                       f"<td>{esc(p.severity)}</td><td>{_msg(ctx, p.message)}</td></tr>" for p in s.properties)
        table = (f'<table class="shape"><thead><tr><th>{esc(ctx.t("path"))}</th><th>{esc(ctx.t("constraints"))}</th>'
                 f'<th>{esc(ctx.t("severity"))}</th><th>{esc(ctx.t("message"))}</th></tr></thead><tbody>{rows}</tbody></table>'
                 if rows else "")
        sp = "".join(f'<div class="sparqlc"><p>{_msg(ctx, c.message)}</p><details><summary>SPARQL</summary>'
                     f'<pre lang="en"><code>{esc(c.select)}</code></pre></details></div>' for c in s.sparql)
        extra = f"<p><code>{esc(s.node_constraints)}</code></p>" if s.node_constraints else ""
        msg = f"<p>{_msg(ctx, s.message)}</p>" if s.message else ""
        com = f"<p>{_msg(ctx, s.comment)}</p>" if s.comment else ""
        secs.append(f'<section class="shapebox" id="{esc(shape_anchor(s.iri))}"><h2>{esc(compact(s.iri))}</h2>'
                    f'<p><b>{esc(ctx.t("target"))}</b>: {" · ".join(tg) or "—"} · '
                    f'<b>{esc(ctx.t("severity"))}</b>: {esc(s.severity)}</p>'
                    f"{com}{msg}{extra}{table}{sp}</section>")
    body = f'<h1>{esc(ctx.t("shapes"))} ({len(shapes)})</h1><ul class="cols">{toc}</ul>{"".join(secs)}'
    return Page(path, ctx.lang, ctx.t("shapes"), body, wide=True)
