"""Set-based SHACL: each constraint of each shape compiled to one SPARQL query over all its focus nodes.

:func:`evaluate` validates the data in a :class:`pyoxigraph.Store` against an rdflib shapes graph and
returns the results of a SHACL validation report (:class:`Result`). Instead of walking focus node by
focus node (pySHACL), the focus nodes of a shape are a SPARQL pattern (its targets) and every
constraint component is one query joining that pattern with the value nodes; the store's planner
does the rest. Shape-based components (``sh:node``, ``sh:not``, ``sh:and``, ``sh:or``, ``sh:xone``,
``sh:qualifiedValueShape``) evaluate the inner shape over the set of value nodes, recursively.

SHACL-SPARQL (``sh:sparql``) follows the pre-binding rules of SHACL §5.3.1: a query where ``$this``
is bound wherever it is read when the focus pattern is joined at the top of ``WHERE`` (or inside an
``EXISTS`` under it) runs once for all focus nodes; any other query runs once per focus node with
``$this`` substituted (SEP-0007, ``Store.query(substitutions=…)``), never rewritten by a regex.
The forms SHACL forbids (``MINUS``, ``SERVICE``, ``VALUES``, ``AS $this``, sub-queries not
projecting ``$this``) raise :class:`UnsupportedShapes`, as do constraint kinds this module does not
implement (SHACL-JS, SPARQL-based constraint components): nothing is silently skipped.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD
from rdflib.term import Node

from yrd_kg.dataset.terms import from_ox as to_rdflib
from yrd_kg.dataset.terms import to_ox
from yrd_kg.validate.sets.prebinding import Analysis, ShapesForbidden, UnsupportedShapes, bound_prebound


@dataclass(frozen=True)
class Result:
    """One ``sh:ValidationResult`` (rdflib terms; ``shape``/``path``/``constraint`` from the shapes graph)."""

    focus: Node
    path: Node | None
    value: Node | None
    shape: Node
    component: URIRef
    severity: URIRef
    messages: tuple[Literal, ...] = ()
    constraint: Node | None = None



def _nt(t: Node) -> str:
    """N-Triples / SPARQL syntax of an rdflib term (blank nodes of the shapes graph are refused)."""
    if isinstance(t, BNode):
        raise UnsupportedShapes(f"a blank node ({t}) as a constant in a constraint")
    return str(t.n3())



# ------------------------------------------------------------------------------------------- shapes

_CORE = {SH["class"], SH.datatype, SH.nodeKind, SH.minCount, SH.maxCount, SH.minExclusive, SH.minInclusive,
         SH.maxExclusive, SH.maxInclusive, SH.minLength, SH.maxLength, SH.pattern, SH.languageIn, SH.uniqueLang,
         SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals, SH["not"], SH["and"], SH["or"], SH.xone,
         SH.node, SH.property, SH.qualifiedValueShape, SH.closed, SH.hasValue, SH["in"], SH.sparql}
_UNSUPPORTED = {SH.js: "SHACL-JS", SH.expression: "SHACL-AF node expressions", SH.rule: "SHACL-AF rules"}


def _list(g: Graph, head: Node | None) -> list[Node]:
    return list(Collection(g, head)) if head is not None else []  # type: ignore[arg-type]


def _path(g: Graph, p: Node) -> str:
    """A SHACL property path as a SPARQL property path."""
    if isinstance(p, URIRef):
        return _nt(p)
    if (p, RDF.first, None) in g:
        return "(" + "/".join(_path(g, x) for x in _list(g, p)) + ")"
    for pred, fmt in ((SH.inversePath, "^({})"), (SH.zeroOrMorePath, "({})*"), (SH.oneOrMorePath, "({})+"),
                      (SH.zeroOrOnePath, "({})?")):
        o = g.value(p, pred)
        if o is not None:
            return fmt.format(_path(g, o))
    alt = g.value(p, SH.alternativePath)
    if alt is not None:
        return "(" + "|".join(_path(g, x) for x in _list(g, alt)) + ")"
    raise UnsupportedShapes(f"unknown property path {p}")


def _declared_prefixes(g: Graph, node: Node) -> dict[str, str]:
    """The ``sh:prefixes`` of ``node``: ``sh:declare`` of its values and of the ontologies they ``owl:imports``."""
    out: dict[str, str] = {}
    owners: list[Node] = list(g.objects(node, SH.prefixes))
    seen: set[Node] = set()
    while owners:
        owner = owners.pop()
        if owner in seen:
            continue
        seen.add(owner)
        owners.extend(g.objects(owner, OWL.imports))
        for decl in g.objects(owner, SH.declare):
            pfx, ns = g.value(decl, SH.prefix), g.value(decl, SH.namespace)
            if pfx is not None and ns is not None:
                if out.get(str(pfx), str(ns)) != str(ns):
                    raise UnsupportedShapes(f"prefix {pfx}: declared twice with different namespaces")
                out[str(pfx)] = str(ns)
    return out


def _header(prefixes: dict[str, str]) -> str:
    return "".join(f"PREFIX {k}: <{v}>\n" for k, v in sorted(prefixes.items()))


def _targets(g: Graph, shape: Node) -> tuple[str, dict[str, str]] | None:
    """The focus pattern of a shape's targets (binds ?this, distinct), or None when it has none."""
    parts: list[str] = []
    prefixes: dict[str, str] = {}
    classes = list(g.objects(shape, SH.targetClass))
    if (shape, RDF.type, RDFS.Class) in g:
        classes.append(shape)
    for c in classes:
        parts.append(f"?this <{RDF.type}>/<{RDFS.subClassOf}>* {_nt(c)} .")
    nodes = list(g.objects(shape, SH.targetNode))
    if nodes:
        parts.append("VALUES ?this { " + " ".join(_nt(n) for n in nodes) + " }")
    for p in g.objects(shape, SH.targetSubjectsOf):
        parts.append(f"?this {_nt(p)} ?_sh_o .")
    for p in g.objects(shape, SH.targetObjectsOf):
        parts.append(f"?_sh_s {_nt(p)} ?this .")
    for t in g.objects(shape, SH.target):
        sel = g.value(t, SH.select)
        if sel is None:
            raise UnsupportedShapes(f"shape {shape}: a custom target (sh:target without sh:select)")
        if _true(g.value(t, SH.deactivated)):
            continue
        prefixes.update(_declared_prefixes(g, t))
        parts.append("{ " + str(sel) + " }")
    if not parts:
        return None
    body = " UNION ".join("{ " + p + " }" for p in parts)
    return f"{{ SELECT DISTINCT ?this WHERE {{ {body} }} }}", prefixes


@dataclass(frozen=True)
class _Hit:
    """A failure as found (pyoxigraph focus and value; the rest from the shapes graph)."""

    focus: Any
    value: Any
    component: URIRef
    constraint: Node | None
    shape: Node
    path: Node | None
    messages: tuple[Literal, ...]


@dataclass
class _Ctx:
    store: Any
    shapes: Graph
    union: bool
    shapes_graph: Any
    depth: int = 0


class _Shape:
    """A shape being evaluated over a focus pattern."""

    def __init__(self, ctx: _Ctx, node: Node, focus: str, prefixes: dict[str, str]) -> None:
        self.ctx, self.g, self.node, self.focus, self.prefixes = ctx, ctx.shapes, node, focus, prefixes
        path = self.g.value(node, SH.path)
        self.path_node = path
        self.path = _path(self.g, path) if path is not None else None
        sev = self.g.value(node, SH.severity)
        self.severity = sev if isinstance(sev, URIRef) else SH.Violation
        self.messages = tuple(m for m in self.g.objects(node, SH.message) if isinstance(m, Literal))

    # -- queries
    def q(self, body: str, extra: dict[str, str] | None = None) -> Any:
        text = _header({**self.prefixes, **(extra or {})}) + body
        try:
            return self.ctx.store.query(text, use_default_graph_as_union=self.ctx.union)
        except SyntaxError as exc:
            raise UnsupportedShapes(f"shape {self.node}: generated query does not parse: {exc}\n{text}") from exc

    @property
    def values(self) -> str:
        """The value-node pattern: binds ?this and ?value."""
        if self.path is None:
            return f"{self.focus} BIND (?this AS ?value)"
        return f"{self.focus} ?this {self.path} ?value ."

    def rows(self, body: str) -> Iterator[tuple[Any, Any]]:
        for s in _dicts(self.q(body)):
            yield s["this"], s.get("value")

    def select(self, filt: str) -> Iterator[tuple[Any, Any]]:
        return self.rows(f"SELECT DISTINCT ?this ?value WHERE {{ {self.values} FILTER ({filt}) }}")

    # -- evaluation
    def failing(self) -> set[Any]:
        """Focus nodes that do not conform (for shape-based components)."""
        return {h.focus for h in self.run()}

    def run(self) -> Iterator[_Hit]:
        """Every failure of the shape, its property shapes included."""
        g, n = self.g, self.node
        if _true(g.value(n, SH.deactivated)):
            return
        preds: set[Node] = set(g.predicates(n, None))
        for u, why in _UNSUPPORTED.items():
            if u in preds:
                raise UnsupportedShapes(f"shape {n}: {why} ({u}) is not evaluated by the set-based engine")
        for x in preds - _CORE:
            if not str(x).startswith(str(SH)) and _custom_component(g, x):
                raise UnsupportedShapes(f"shape {n}: SPARQL-based constraint component with parameter {x}")
        for c in sorted(preds & _CORE, key=str):
            for o in g.objects(n, c):
                yield from self.component(c, o)

    def component(self, p: Node, o: Node) -> Iterator[_Hit]:
        name = str(p).rsplit("#", 1)[-1]
        comp: URIRef = URIRef(f"{SH}{name[0].upper()}{name[1:]}ConstraintComponent")
        m = self.messages

        def out(it: Iterable[tuple[Any, Any]]) -> Iterator[_Hit]:
            for f, v in it:
                yield _Hit(f, v, comp, None, self.node, self.path_node, m)

        rdf_type = f"<{RDF.type}>/<{RDFS.subClassOf}>*"
        if p == SH["class"]:
            yield from out(self.rows(f"SELECT DISTINCT ?this ?value WHERE {{ {self.values} "
                                     f"FILTER NOT EXISTS {{ ?value {rdf_type} {_nt(o)} }} }}"))
        elif p == SH.datatype:
            ok = f"isLiteral(?value) && sameTerm(datatype(?value), {_nt(o)})"
            ok += _well_formed(o)
            yield from out(self.select(f"!({ok})"))
        elif p == SH.nodeKind:
            kinds = {SH.IRI: "isIRI(?value)", SH.BlankNode: "isBlank(?value)", SH.Literal: "isLiteral(?value)",
                     SH.BlankNodeOrIRI: "!isLiteral(?value)", SH.BlankNodeOrLiteral: "!isIRI(?value)",
                     SH.IRIOrLiteral: "!isBlank(?value)"}
            if o not in kinds:
                raise UnsupportedShapes(f"shape {self.node}: unknown sh:nodeKind {o}")
            yield from out(self.select(f"!({kinds[o]})"))  # type: ignore[index]
        elif p in (SH.minCount, SH.maxCount):
            if self.path is None:
                raise UnsupportedShapes(f"node shape {self.node} with {p}")
            k, path = int(o), self.path  # type: ignore[call-overload]
            # the usual bounds without grouping every focus node: 1 = "has one", 0/1 = "a first / a second one"
            if p == SH.minCount and k <= 0:
                return
            if p == SH.minCount and k == 1:
                body = f"SELECT ?this WHERE {{ {self.focus} FILTER NOT EXISTS {{ ?this {path} ?v }} }}"
            elif p == SH.maxCount and k == 0:
                body = f"SELECT DISTINCT ?this WHERE {{ {self.focus} ?this {path} ?v }}"
            elif p == SH.maxCount and k == 1:
                body = (f"SELECT DISTINCT ?this WHERE {{ {self.focus} ?this {path} ?a . ?this {path} ?b "
                        f"FILTER (!sameTerm(?a, ?b)) }}")
            elif p == SH.minCount:
                body = (f"SELECT ?this WHERE {{ {self.focus} OPTIONAL {{ ?this {path} ?v }} }} "
                        f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {k})")
            else:
                body = (f"SELECT ?this WHERE {{ {self.focus} ?this {path} ?v }} "
                        f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {k})")
            yield from out(self.rows(body))
        elif p in (SH.minExclusive, SH.minInclusive, SH.maxExclusive, SH.maxInclusive):
            op = {SH.minExclusive: ">", SH.minInclusive: ">=", SH.maxExclusive: "<", SH.maxInclusive: "<="}[p]  # type: ignore[index]
            yield from out(self.select(f"!COALESCE(?value {op} {_nt(o)}, false)"))
        elif p in (SH.minLength, SH.maxLength):
            op = ">=" if p == SH.minLength else "<="
            yield from out(self.select(f"isBlank(?value) || !COALESCE(STRLEN(STR(?value)) {op} {int(o)}, false)"))  # type: ignore[call-overload]
        elif p == SH.pattern:
            flags = self.g.value(self.node, SH.flags)
            fl = f", {_nt(Literal(str(flags)))}" if flags is not None else ""
            yield from out(self.select(f"isBlank(?value) || !REGEX(STR(?value), {_nt(Literal(str(o)))}{fl})"))
        elif p == SH.languageIn:
            langs = " || ".join(f"langMatches(lang(?value), {_nt(Literal(str(x)))})" for x in _list(self.g, o))
            yield from out(self.select(f"!isLiteral(?value) || !({langs or 'false'})"))
        elif p == SH.uniqueLang:
            if self.path is None:
                raise UnsupportedShapes(f"node shape {self.node} with sh:uniqueLang")
            if not _true(o):
                return
            body = (f"SELECT DISTINCT ?this ?lang WHERE {{ {self.focus} ?this {self.path} ?a . ?this {self.path} ?b . "
                    f"FILTER (!sameTerm(?a, ?b) && lang(?a) != \"\" && LCASE(lang(?a)) = LCASE(lang(?b))) "
                    f"BIND (LCASE(lang(?a)) AS ?lang) }}")
            yield from out((s["this"], None) for s in self.q(body))
        elif p in (SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals):
            other = _nt(o)
            if p == SH.equals:
                body = (f"SELECT DISTINCT ?this ?value WHERE {{ {{ {self.values} FILTER NOT EXISTS {{ ?this {other} ?value }} }}"
                        f" UNION {{ {self.focus} ?this {other} ?value . FILTER NOT EXISTS {{ {self._v()} }} }} }}")
            elif p == SH.disjoint:
                body = f"SELECT DISTINCT ?this ?value WHERE {{ {self.values} ?this {other} ?value }}"
            else:
                op = "<" if p == SH.lessThan else "<="
                body = (f"SELECT ?this ?value WHERE {{ {self.values} ?this {other} ?o . "
                        f"FILTER (!COALESCE(?value {op} ?o, false)) }}")
            yield from out(self.rows(body))
        elif p == SH.hasValue:
            if self.path is None:
                body = f"SELECT ?this WHERE {{ {self.focus} FILTER (!sameTerm(?this, {_nt(o)})) }}"
            else:
                body = f"SELECT ?this WHERE {{ {self.focus} FILTER NOT EXISTS {{ ?this {self.path} {_nt(o)} }} }}"
            yield from out(self.rows(body))
        elif p == SH["in"]:
            members = _list(self.g, o)
            yield from out(self.select("!(" + (" || ".join(f"sameTerm(?value, {_nt(x)})" for x in members)
                                               or "false") + ")"))
        elif p == SH.closed:
            if not _true(o):
                return
            allowed = {x for ps in self.g.objects(self.node, SH.property) for x in self.g.objects(ps, SH.path)
                       if isinstance(x, URIRef)}
            for lst in self.g.objects(self.node, SH.ignoredProperties):
                allowed |= {x for x in _list(self.g, lst) if isinstance(x, URIRef)}
            cond = " && ".join(f"!sameTerm(?p, {_nt(x)})" for x in sorted(allowed)) or "true"
            vals = f"{self.focus} BIND (?this AS ?n)" if self.path is None else f"{self.focus} ?this {self.path} ?n ."
            for s in _dicts(self.q(f"SELECT ?this ?p ?value WHERE {{ {vals} ?n ?p ?value FILTER ({cond}) }}")):
                yield _Hit(s["this"], s["value"], comp, None, self.node, to_rdflib(s["p"]), m)
        elif p == SH.property:  # the property shape's focus nodes are this shape's value nodes
            if self.path is None:
                yield from _Shape(self.ctx, o, self.focus, self.prefixes).run()
                return
            # reached from several focus nodes, a value node's results are reported once per focus node
            times: dict[Any, int] = defaultdict(int)
            for _f, v in self._pairs():
                times[v] += 1
            for h in self._inner(o).run():
                yield from [h] * times.get(h.focus, 1)
        elif p in (SH.node, SH["not"], SH["and"], SH["or"], SH.xone):
            yield from out(self._shape_based(p, o))
        elif p == SH.qualifiedValueShape:
            yield from self._qualified(o)
        elif p == SH.sparql:
            yield from self._sparql(o)

    def _v(self) -> str:
        if self.path is None:
            return "FILTER (sameTerm(?this, ?value))"
        return f"?this {self.path} ?value ."

    # -- shape-based components
    def _inner(self, shape: Node) -> _Shape:
        if self.ctx.depth > 32:
            raise UnsupportedShapes(f"shape {shape}: shapes nested deeper than 32 (recursive shapes)")
        # the value nodes become the focus nodes of the inner shape (the outer ?this hidden by a sub-query)
        inner_focus = f"{{ SELECT DISTINCT (?value AS ?this) WHERE {{ {{ SELECT ?value WHERE {{ {self.values} }} }} }} }}"
        ctx = _Ctx(self.ctx.store, self.ctx.shapes, self.ctx.union, self.ctx.shapes_graph, self.ctx.depth + 1)
        return _Shape(ctx, shape, inner_focus, self.prefixes)

    def _pairs(self) -> list[tuple[Any, Any]]:
        return list(self.rows(f"SELECT DISTINCT ?this ?value WHERE {{ {self.values} }}"))

    def _shape_based(self, p: Node, o: Node) -> Iterator[tuple[Any, Any]]:
        members = [o] if p in (SH.node, SH["not"]) else _list(self.g, o)
        fails = [self._inner(s).failing() for s in members]
        for f, v in self._pairs():
            ok = [v not in fs for fs in fails]
            bad = {SH.node: not ok[0], SH["not"]: ok[0], SH["and"]: not all(ok), SH["or"]: not any(ok),
                   SH.xone: sum(ok) != 1}[p]  # type: ignore[index]
            if bad:
                yield f, v

    def _qualified(self, o: Node) -> Iterator[Any]:
        g, n = self.g, self.node
        qmin, qmax = g.value(n, SH.qualifiedMinCount), g.value(n, SH.qualifiedMaxCount)
        fails = self._inner(o).failing()
        siblings: set[Any] = set()
        if _true(g.value(n, SH.qualifiedValueShapesDisjoint)):
            for parent in g.subjects(SH.property, n):
                for ps in g.objects(parent, SH.property):
                    for q in g.objects(ps, SH.qualifiedValueShape):
                        if q != o:
                            siblings.add(q)
        sib_fails = [self._inner(q).failing() for q in siblings]
        counts: dict[Any, int] = defaultdict(int)
        for f, v in self._pairs():
            counts[f] += 0
            if v not in fails and all(v in sf for sf in sib_fails):
                counts[f] += 1
        for s in self.q(f"SELECT DISTINCT ?this WHERE {{ {self.focus} }}"):
            counts[s["this"]] += 0
        for f, c in counts.items():
            if qmin is not None and c < int(qmin):  # type: ignore[call-overload]
                yield _Hit(f, None, SH.QualifiedMinCountConstraintComponent, None, n, self.path_node, self.messages)
            if qmax is not None and c > int(qmax):  # type: ignore[call-overload]
                yield _Hit(f, None, SH.QualifiedMaxCountConstraintComponent, None, n, self.path_node, self.messages)

    # -- SHACL-SPARQL
    def _sparql(self, c: Node) -> Iterator[_Hit]:
        g = self.g
        if _true(g.value(c, SH.deactivated)):
            return
        sel = g.value(c, SH.select)
        if sel is None:
            raise ShapesForbidden(f"shape {self.node}: sh:sparql without sh:select")
        text = bound_prebound(str(sel))
        if self.path is not None:
            text = re.sub(r"\$PATH\b", lambda _m: self.path or "", text)
        a = Analysis(text)
        if a.forbidden:
            raise ShapesForbidden(f"shape {self.node}: SHACL forbids {', '.join(sorted(set(a.forbidden)))} in a "
                                    "SPARQL constraint with pre-bound variables")
        subst: dict[Any, Any] = {}
        if "currentShape" in a.mentions:
            subst[ox.Variable("currentShape")] = to_ox(self.node)
        if "shapesGraph" in a.mentions:
            if self.ctx.shapes_graph is None:
                raise UnsupportedShapes(f"shape {self.node}: $shapesGraph needs the shapes in a named graph of the store")
            subst[ox.Variable("shapesGraph")] = self.ctx.shapes_graph
        prefixes = {**self.prefixes, **_declared_prefixes(g, c)}
        msgs = tuple(m for m in g.objects(c, SH.message) if isinstance(m, Literal)) or self.messages
        comp = SH.SPARQLConstraintComponent
        header = _header(prefixes)
        if a.set_safe():
            q = a.as_minus(text)
            a = Analysis(q)
            assert a.where_open is not None
            if a.group_by is not None and not a.group_by[1]:
                q = q[:a.group_by[0]] + " ?this " + q[a.group_by[0]:]
            q = q[:a.where_open] + f" {self.focus} " + q[a.where_open:]
            if not a.projects_all:
                q = q[:a.select_end] + "".join(f" ?{v.value}" for v in subst if v.value not in a.projected) + " ?this" * (
                    not a.projects_this) + q[a.select_end:]
            rows: Iterable[tuple[Any, dict[str, Any]]] = (
                (s.get("this"), s) for s in self._run(header + q, subst))
        else:
            focus = [s["this"] for s in self.q(f"SELECT DISTINCT ?this WHERE {{ {self.focus} }}")]
            q = text
            if not a.projects_all:  # oxigraph substitutes only variables of the projection
                q = q[:a.select_end] + "".join(f" ?{v.value}" for v in subst if v.value not in a.projected) + " ?this" * (
                    not a.projects_this) + q[a.select_end:]
            rows = ((f, s) for f in focus for s in self._run(header + q, {**subst, ox.Variable("this"): f}))
        for f, s in rows:
            if f is None:
                continue
            value, path = s.get("value"), s.get("path")
            yield _Hit(f, value if value is not None else (f if self.path is None else None), comp, c, self.node,
                       to_rdflib(path) if isinstance(path, ox.NamedNode) else self.path_node, _fill(msgs, s, f))

    def _run(self, text: str, subst: dict[Any, Any]) -> list[dict[str, Any]]:
        try:
            return _dicts(self.ctx.store.query(text, use_default_graph_as_union=self.ctx.union,
                                               substitutions=subst or None))
        except SyntaxError as exc:
            raise ShapesForbidden(f"shape {self.node}: SPARQL constraint does not parse: {exc}") from exc


_CASTS = {XSD.integer, XSD.decimal, XSD.double, XSD.float, XSD.boolean, XSD.dateTime, XSD.date, XSD.time}
_INTS = {"byte": (-128, 127), "short": (-32768, 32767), "int": (-2**31, 2**31 - 1), "long": (-2**63, 2**63 - 1),
         "unsignedByte": (0, 255), "unsignedShort": (0, 65535), "unsignedInt": (0, 2**32 - 1),
         "unsignedLong": (0, 2**64 - 1), "nonNegativeInteger": (0, None), "positiveInteger": (1, None),
         "nonPositiveInteger": (None, 0), "negativeInteger": (None, -1)}


def _well_formed(dt: Node) -> str:
    """A SPARQL condition that ?value's lexical form is valid for ``dt`` (the casts oxigraph has; else true)."""
    if dt in _CASTS:
        return f" && COALESCE(IF(<{dt}>(?value) = <{dt}>(?value), true, true), false)"
    name = str(dt).removeprefix(str(XSD))
    if name in _INTS:
        lo, hi = _INTS[name]
        cond = " && ".join([f"?_i >= {lo}"] * (lo is not None) + [f"?_i <= {hi}"] * (hi is not None))
        return f" && COALESCE(IF({cond.replace('?_i', f'<{XSD.integer}>(?value)')}, true, false), false)"
    return ""


def _true(o: Node | None) -> bool:
    """The literal ``true`` (SHACL names only it: ``"1"^^xsd:boolean`` does not activate a component)."""
    return isinstance(o, Literal) and o.datatype == XSD.boolean and str(o) == "true"


def _custom_component(g: Graph, p: Node) -> bool:
    """Whether ``p`` is a parameter of a (SPARQL-based) constraint component declared in the shapes graph."""
    return any(True for par in g.subjects(SH.path, p) for _cc in g.subjects(SH.parameter, par))


def _dicts(sols: Any) -> list[dict[str, Any]]:
    """The bound variables of each solution, by name."""
    names = [v.value for v in sols.variables]
    return [{n: t for n, t in zip(names, s, strict=True) if t is not None} for s in sols]


def _fill(msgs: tuple[Literal, ...], sol: Any, focus: Any) -> tuple[Literal, ...]:
    """Messages with ``{$this}`` / ``{?var}`` replaced by the solution's values (language kept)."""
    def term(name: str) -> str:
        v = focus if name == "this" else sol.get(name)
        return "" if v is None else (v.value if hasattr(v, "value") else str(v))

    return tuple(Literal(re.sub(r"\{[?$](\w+)\}", lambda mm: term(mm.group(1)), str(m)), lang=m.language)
                 for m in msgs)


# ------------------------------------------------------------------------------------------- entry points

def _shapes_to_run(g: Graph) -> list[Node]:
    """Shapes with targets (node and property shapes), in a stable order."""
    out: set[Node] = set()
    for p in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target):
        out |= set(g.subjects(p, None))
    for s in g.subjects(RDF.type, RDFS.Class):
        if (s, RDF.type, SH.NodeShape) in g or (s, RDF.type, SH.PropertyShape) in g:
            out.add(s)
    return sorted(out, key=lambda n: (isinstance(n, BNode), str(n)))


def unsupported(shapes: Graph) -> list[str]:
    """Why the set-based engine cannot evaluate ``shapes`` (empty when it can), without touching data."""
    store = ox.Store()
    try:
        evaluate(store, shapes)
    except UnsupportedShapes as exc:
        return [str(exc)]
    return []


def evaluate(store: Any, shapes: Graph, *, use_default_graph_as_union: bool = False,
             shapes_graph: Any = None) -> list[Result]:
    """Validate the data in ``store`` against ``shapes``: the results of the SHACL validation report.

    ``use_default_graph_as_union``: query the union of the store's graphs as the data graph.
    ``shapes_graph``: the name (pyoxigraph ``NamedNode``) of a graph of the store holding ``shapes``,
    for SPARQL constraints that read ``$shapesGraph``. Raises :class:`UnsupportedShapes` for a
    constraint kind or a SPARQL form this engine does not evaluate.
    """
    ctx = _Ctx(store, shapes, use_default_graph_as_union, shapes_graph)
    out: list[Result] = []
    for shape in _shapes_to_run(shapes):
        tgt = _targets(shapes, shape)
        if tgt is None:
            continue
        focus, prefixes = tgt
        for h in _Shape(ctx, shape, focus, prefixes).run():
            sev = shapes.value(h.shape, SH.severity)
            out.append(Result(
                focus=to_rdflib(h.focus), path=h.path, value=to_rdflib(h.value) if h.value is not None else None,
                shape=h.shape, component=h.component, severity=sev if isinstance(sev, URIRef) else SH.Violation,
                messages=h.messages, constraint=h.constraint))
    return out
