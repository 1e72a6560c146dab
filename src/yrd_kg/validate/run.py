"""Validation: SHACL shapes, violation queries and evidence anchoring, one typed report.

Pipeline (:func:`validate`):

1. load the data with :func:`yrd_kg.build.load_graph` (ontology + data + derived direct triples);
   validation works on a copy and never changes the graph it was given;
2. run pySHACL with the shapes in ``ontology/shapes/*.ttl`` (SHACL-AF enabled for SPARQL targets).
   Entailment: see ``docs/VALIDATION.md`` (by default the shapes rely on the ``rdfs:subClassOf``
   triples of the ontology, which SHACL applies itself to ``sh:targetClass`` and ``sh:class``;
   no domain/range typing, which would make the kind checks on links vacuous);
3. run every ``queries/*-violation.rq`` on a pyoxigraph store: each row is a Violation whose
   source is the query file;
4. when a source text is given, re-anchor every evidence quote (:mod:`yrd_kg.verify`).

Each result carries the focus node's readable label (never a bare blank node), the message in
Chinese and English, and the evidence quote of the focus node where it has one.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, SH, SKOS
from rdflib.term import Node

import yrd_kg.resources as resources
from yrd_kg.namespaces import PREFIXES, QB, YRD

#: the shapes namespace (shape IRIs, project constraint components)
YRDSH = Namespace("https://w3id.org/yrd-kg/shapes#")
#: constraint component IRIs of the two non-SHACL checks
VIOLATION_QUERY = YRDSH.ViolationQuery
EVIDENCE_ANCHORING = YRDSH.EvidenceAnchoring
_BNODE_IRI = "urn:x-yrd-bnode:"


class Severity(StrEnum):
    """SHACL severities, most severe first."""

    VIOLATION = "Violation"
    WARNING = "Warning"
    INFO = "Info"

    @property
    def iri(self) -> URIRef:
        """The ``sh:`` IRI of the severity."""
        return SH[self.value]

    @classmethod
    def from_iri(cls, iri: Node | None) -> Severity:
        """The severity for an ``sh:Violation`` / ``sh:Warning`` / ``sh:Info`` IRI (Violation otherwise)."""
        name = str(iri).rsplit("#", 1)[-1] if iri is not None else "Violation"
        return cls(name) if name in cls._value2member_map_ else cls.VIOLATION


@dataclass(frozen=True)
class ValidationResult:
    """One finding of the validation, in a reader's terms."""

    severity: Severity
    focus_node: str
    focus_label: str
    path: str | None
    value: str | None
    constraint_component: str | None
    source_shape: str | None
    message_zh: str
    message_en: str
    evidence_quote: str | None = None
    #: which stage found it: ``shacl``, ``query`` or ``evidence``
    stage: str = "shacl"

    def message(self, lang: str = "en") -> str:
        """The message in ``lang`` (``zh`` or ``en``), falling back to the other language."""
        return (self.message_zh or self.message_en) if lang == "zh" else (self.message_en or self.message_zh)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        d = asdict(self)
        d["severity"] = self.severity.value
        return d


@dataclass
class ValidationReport:
    """The outcome of :func:`validate`: conforms when there is no Violation (Warnings and Infos allowed)."""

    conforms: bool
    results: list[ValidationResult]
    counts: dict[str, int]
    engine: dict[str, str] = field(default_factory=dict)

    def of(self, severity: Severity) -> list[ValidationResult]:
        """The results of one severity."""
        return [r for r in self.results if r.severity is severity]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"conforms": self.conforms, "counts": self.counts, "engine": self.engine,
                "results": [r.to_dict() for r in self.results]}

    def to_graph(self) -> Graph:
        """The report as an ``sh:ValidationReport`` graph (messages tagged ``@zh`` and ``@en``)."""
        g = Graph()
        for k, v in PREFIXES.items():
            g.bind(k, v, override=True)
        g.bind("yrdsh", str(YRDSH))
        rep = BNode()
        g.add((rep, RDF.type, SH.ValidationReport))
        g.add((rep, SH.conforms, Literal(self.conforms)))
        for i, r in enumerate(self.results):
            node = BNode(f"r{i}")
            g.add((rep, SH.result, node))
            g.add((node, RDF.type, SH.ValidationResult))
            g.add((node, SH.resultSeverity, r.severity.iri))
            g.add((node, SH.focusNode, _term(r.focus_node)))
            g.add((node, RDFS.label, Literal(r.focus_label)))
            if r.path:
                g.add((node, SH.resultPath, _term(r.path)))
            if r.value is not None:
                g.add((node, SH.value, Literal(r.value)))
            if r.constraint_component:
                g.add((node, SH.sourceConstraintComponent, URIRef(r.constraint_component)))
            if r.source_shape:
                g.add((node, SH.sourceShape, _term(r.source_shape)))
            if r.message_zh:
                g.add((node, SH.resultMessage, Literal(r.message_zh, lang="zh")))
            if r.message_en:
                g.add((node, SH.resultMessage, Literal(r.message_en, lang="en")))
            if r.evidence_quote:
                g.add((node, YRD.quote, Literal(r.evidence_quote)))
        return g


class ValidationError(Exception):
    """Validation could not run (unreadable data, shapes or queries); the message names the file."""


def _term(s: str) -> URIRef | BNode:
    if s.startswith("_:"):
        return BNode(s[2:])
    return URIRef(s)


# ---------------------------------------------------------------------------------------- inputs

def shape_files() -> list[Path]:
    """The shipped shapes files (``ontology/shapes/*.ttl``)."""
    return sorted((resources.ontology_dir() / "shapes").glob("*.ttl"))


def violation_queries() -> list[Path]:
    """The shipped violation queries (``queries/*-violation.rq``)."""
    return sorted(resources.queries_dir().glob("*-violation.rq"))


def load_shapes(files: Iterable[Path] | None = None) -> Graph:
    """Parse the shapes files into one graph; :class:`ValidationError` names a file that fails."""
    from yrd_kg.dataset.loader import LoadError, parse_file

    g = Graph()
    paths = list(files) if files is not None else shape_files()
    if not paths:
        raise ValidationError(f"{resources.ontology_dir() / 'shapes'}: no shapes files found")
    for f in paths:
        try:
            g += parse_file(f).graph
        except LoadError as exc:
            raise ValidationError(f"shapes file {exc}") from exc
    return g


@dataclass(frozen=True)
class ViolationQuery:
    """A ``*-violation.rq`` file: its text and grlc-style header."""

    path: Path
    name: str
    text: str
    header: dict[str, Any]

    @property
    def message_zh(self) -> str:
        """The message template in Chinese (``{?var}`` substituted per row)."""
        return str(self.header.get("message_zh") or self.header.get("summary") or self.name)

    @property
    def message_en(self) -> str:
        """The message template in English (``{?var}`` substituted per row)."""
        return str(self.header.get("message_en") or self.header.get("summary") or self.name)


def read_query(path: Path) -> ViolationQuery:
    """Read a query file and parse its ``#+`` header as YAML."""
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValidationError(f"{path}: cannot read query: {exc}") from exc
    lines = []
    for line in text.splitlines():
        if line.startswith("#+"):
            lines.append(line[2:].removeprefix(" "))
        elif line.strip() and not line.startswith("#"):
            break
    try:
        header = yaml.safe_load("\n".join(lines)) or {}
    except yaml.YAMLError as exc:
        raise ValidationError(f"{path}: bad #+ header: {exc}") from exc
    if not isinstance(header, dict) or "summary" not in header:
        raise ValidationError(f"{path}: query header has no '#+ summary:'")
    return ViolationQuery(path, path.name.removesuffix(".rq"), text, header)


# ---------------------------------------------------------------------------------------- labels

class Labeller:
    """Readable labels for nodes of the data graph."""

    def __init__(self, graph: Graph, lang: str = "en") -> None:
        self.g = graph
        self.lang = lang
        self._ns = sorted(((v, k) for k, v in PREFIXES.items()), key=lambda kv: -len(kv[0]))

    def qname(self, node: Node) -> str:
        """``prefix:local`` for an IRI in a known namespace, ``<iri>`` otherwise."""
        s = str(node)
        for ns, pfx in self._ns:
            if s.startswith(ns) and s != ns:
                return f"{pfx}:{s[len(ns):]}"
        return f"<{s}>" if isinstance(node, URIRef) else s

    def _pref(self, node: Node) -> str | None:
        best: dict[str, str] = {}
        for p in (SKOS.prefLabel, RDFS.label):
            for o in self.g.objects(node, p):  # type: ignore[arg-type]
                if isinstance(o, Literal):
                    best.setdefault(o.language or "", str(o))
            if best:
                break
        for lang in (self.lang, "en" if self.lang == "zh" else "zh", ""):
            if lang in best:
                return best[lang]
        return next(iter(best.values()), None)

    def label(self, node: Node | None, *, depth: int = 0) -> str:
        """The focus label: prefLabel, or a Link as ``s → p → o``, or an Evidence's quote, or a description."""
        if node is None:
            return ""
        if isinstance(node, Literal):
            return str(node)
        types = set(self.g.objects(node, RDF.type))  # type: ignore[arg-type]
        if YRD.Link in types and depth < 2:
            s, p, o = (self.g.value(node, q) for q in (YRD.linkSubject, YRD.linkPredicate, YRD.linkObject))  # type: ignore[arg-type]
            return (f"{self.label(s, depth=depth + 1) or '?'} → {self.qname(p) if p is not None else '?'} → "
                    f"{self.label(o, depth=depth + 1) or '?'}")
        if YRD.Evidence in types or (node, YRD.quote, None) in self.g:
            q = self.g.value(node, YRD.quote)  # type: ignore[arg-type]
            if q is not None:
                return f"“{q}”"
        pref = self._pref(node)
        if pref:
            return pref
        if QB.Observation in types and depth < 2:
            dims = [self.label(o, depth=depth + 1) for p, o in sorted(self.g.predicate_objects(node))  # type: ignore[arg-type]
                    if p not in (RDF.type, QB.dataSet) and isinstance(o, URIRef) and self._pref(o)]
            if dims:
                return "observation (" + ", ".join(dims) + ")"
        notation = self.g.value(node, SKOS.notation)  # type: ignore[arg-type]
        if notation is not None:
            return str(notation)
        if isinstance(node, URIRef):
            return self.qname(node)
        kinds = ", ".join(sorted(self.qname(t) for t in types)) or "node"
        props = sorted({self.qname(p) for p in self.g.predicates(node, None) if p != RDF.type})  # type: ignore[arg-type]
        return f"[{kinds}{(' with ' + ', '.join(props[:4])) if props else ''}]"

    def evidence_quote(self, node: Node | None) -> str | None:
        """The first evidence quote (by position) of ``node``, or its own quote when it is an Evidence."""
        if node is None or isinstance(node, Literal):
            return None
        own = self.g.value(node, YRD.quote)  # type: ignore[arg-type]
        if own is not None:
            return str(own)
        quotes = []
        for ev in self.g.objects(node, YRD.hasEvidence):  # type: ignore[arg-type]
            q = self.g.value(ev, YRD.quote)  # type: ignore[arg-type]
            if q is not None:
                st = self.g.value(ev, YRD.start)  # type: ignore[arg-type]
                quotes.append((int(st) if isinstance(st, Literal) and str(st).isdigit() else 10**9, str(q)))
        return min(quotes)[1] if quotes else None


# ---------------------------------------------------------------------------------------- SHACL

_VAR = re.compile(r"\\\{[?$]\w+\\\}")
_CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


def _split_messages(messages: Sequence[Literal], templates: Sequence[Literal]) -> tuple[str, str]:
    """Tell the zh message from the en one (pySHACL drops the language tag when it substitutes)."""
    zh = en = ""
    for m in messages:
        lang = m.language
        if not lang:
            for t in templates:
                if t.language and re.fullmatch(_VAR.sub("(?s:.*?)", re.escape(str(t))), str(m), re.S):
                    lang = t.language
                    break
        if not lang:
            lang = "zh" if _CJK.search(str(m)) and not re.search(r"[A-Za-z]{4,}\s+[A-Za-z]{3,}", str(m)) else "en"
        if lang == "zh" and not zh:
            zh = str(m)
        elif lang == "en" and not en:
            en = str(m)
    return zh or en, en or zh


def _shacl_results(report: Graph, shapes: Graph, labels: Labeller, bmap: dict[str, Node]) -> list[ValidationResult]:
    out: list[ValidationResult] = []
    for res in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(res, SH.focusNode)
        path = report.value(res, SH.resultPath)
        value = report.value(res, SH.value)
        comp = report.value(res, SH.sourceConstraintComponent)
        shape = report.value(res, SH.sourceShape)
        constraint = report.value(res, SH.sourceConstraint)
        msgs = [m for m in report.objects(res, SH.resultMessage) if isinstance(m, Literal)]
        templates = [m for n in (constraint, shape) if n is not None
                     for m in shapes.objects(n, SH.message) if isinstance(m, Literal)]
        zh, en = _split_messages(msgs, templates)
        shape_id = _shape_id(shape, shapes, labels)
        out.append(ValidationResult(
            severity=Severity.from_iri(report.value(res, SH.resultSeverity)),
            focus_node=_node_id(focus),
            focus_label=labels.label(focus),
            path=labels.qname(path) if isinstance(path, URIRef) else (str(path) if path is not None else None),
            value=(labels.label(value) if not isinstance(value, Literal) else str(value)) if value is not None else None,
            constraint_component=str(comp) if comp is not None else None,
            source_shape=shape_id,
            message_zh=zh, message_en=en,
            evidence_quote=labels.evidence_quote(focus),
        ))
    del bmap
    return out


def _shape_id(shape: Node | None, shapes: Graph, labels: Labeller) -> str | None:
    """An IRI for the shape; an anonymous property shape is named after its parent and path."""
    if shape is None:
        return None
    if isinstance(shape, URIRef):
        return str(shape)
    parent = shapes.value(None, SH.property, shape)
    path = shapes.value(shape, SH.path)
    ptxt = labels.qname(path) if isinstance(path, URIRef) else "path"
    return f"{parent}/{ptxt}" if parent is not None else f"_:{ptxt}"


def _node_id(node: Node | None) -> str:
    if node is None:
        return ""
    if isinstance(node, BNode):
        return f"_:{node}"
    return str(node)


def run_shacl(graph: Graph, shapes: Graph, *, inference: str = "none") -> Graph:
    """Run pySHACL (core constraints) on ``graph``; the graph is never modified."""
    from pyshacl import validate as shacl_validate

    inf: str | None = None if inference == "none" else inference
    data = graph
    if inference == "rl":
        from yrd_kg.reason.hermit import materialise_rl

        data = materialise_rl(graph)
        inf = None
    _conforms, report, _text = shacl_validate(
        data, shacl_graph=shapes, inference=inf, advanced=True, allow_warnings=True, allow_infos=True,
        inplace=False,
    )
    if not isinstance(report, Graph):
        raise ValidationError("pySHACL returned no report graph")
    return report


def _copy(graph: Graph) -> Graph:
    g = Graph()
    for t in graph:
        g.add(t)
    return g


# ---------------------------------------------------------------------------------------- SHACL-SPARQL

@dataclass(frozen=True)
class SparqlConstraint:
    """An ``sh:sparql`` constraint of a node shape, run on pyoxigraph (``$this`` pre-bound by VALUES)."""

    shape: URIRef | BNode
    node: Node
    select: str
    severity: Severity
    messages: tuple[Literal, ...]
    targets: tuple[str, ...]


def _prefix_header(shapes: Graph, constraint: Node) -> str:
    lines = []
    for decl_owner in shapes.objects(constraint, SH.prefixes):
        for decl in shapes.objects(decl_owner, SH.declare):
            pfx, ns = shapes.value(decl, SH.prefix), shapes.value(decl, SH.namespace)
            if pfx is not None and ns is not None:
                lines.append(f"PREFIX {pfx}: <{ns}>")
    return "\n".join(sorted(set(lines)))


def _targets(shapes: Graph, shape: Node) -> tuple[str, ...]:
    """SELECT queries (binding ?this) for the focus nodes of ``shape``."""
    out: list[str] = []
    for c in shapes.objects(shape, SH.targetClass):
        out.append(f"SELECT DISTINCT ?this WHERE {{ ?this a/<{RDFS.subClassOf}>* <{c}> }}")
    for n in shapes.objects(shape, SH.targetNode):
        if isinstance(n, URIRef):
            out.append(f"SELECT ?this WHERE {{ VALUES ?this {{ <{n}> }} ?this ?p ?o }} LIMIT 1")
    for p in shapes.objects(shape, SH.targetSubjectsOf):
        out.append(f"SELECT DISTINCT ?this WHERE {{ ?this <{p}> ?o }}")
    for p in shapes.objects(shape, SH.targetObjectsOf):
        out.append(f"SELECT DISTINCT ?this WHERE {{ ?s <{p}> ?this }}")
    for t in shapes.objects(shape, SH.target):
        sel = shapes.value(t, SH.select)
        if sel is not None:
            out.append(_prefix_header(shapes, t) + "\n" + str(sel))
    return tuple(out)


def split_shapes(shapes: Graph) -> tuple[Graph, list[SparqlConstraint]]:
    """The shapes graph without its ``sh:sparql`` constraints (for pySHACL), and those constraints."""
    core = Graph()
    for t in shapes:
        core.add(t)
    constraints: list[SparqlConstraint] = []
    for shape, c in list(shapes.subject_objects(SH.sparql)):
        core.remove((shape, SH.sparql, c))
        if shapes.value(shape, SH.deactivated) == Literal(True) or shapes.value(c, SH.deactivated) == Literal(True):
            continue
        sel = shapes.value(c, SH.select)
        if sel is None:
            continue
        assert isinstance(shape, URIRef | BNode)
        msgs = tuple(m for m in shapes.objects(c, SH.message) if isinstance(m, Literal)) or tuple(
            m for m in shapes.objects(shape, SH.message) if isinstance(m, Literal))
        constraints.append(SparqlConstraint(
            shape, c, _prefix_header(shapes, c) + "\n" + str(sel).replace("$this", "?this"),
            Severity.from_iri(shapes.value(shape, SH.severity)), msgs, _targets(shapes, shape)))
    # a shape left with no constraint and no property would only be targeted: drop its targets too
    return core, sorted(constraints, key=lambda k: str(k.shape))


_WHERE = re.compile(r"\bWHERE\s*\{", re.I)


def _bind_this(query: str, focus: Iterable[Any]) -> str:
    values = " ".join(str(f) for f in focus)
    m = _WHERE.search(query)
    if m is None:
        raise ValidationError(f"SPARQL constraint has no WHERE clause: {query[:80]}")
    return f"{query[:m.end()]} VALUES ?this {{ {values} }} {query[m.end():]}"


def run_sparql_constraints(store: Any, bmap: dict[str, Node], constraints: Iterable[SparqlConstraint],
                           labels: Labeller) -> list[ValidationResult]:
    """Evaluate ``sh:sparql`` constraints (SHACL 1.0 §5) on the store, one query per constraint."""
    out: list[ValidationResult] = []
    for c in constraints:
        focus: dict[str, Any] = {}
        try:
            for tq in c.targets:
                for sol in store.query(tq):
                    t = sol["this"]
                    if t is not None:
                        focus[str(t)] = t
            if not focus:
                continue
            rows = store.query(_bind_this(c.select, focus.values()))
            variables = [v.value for v in rows.variables]
            solutions = [{v: _from_ox(sol[v], bmap) for v in variables} for sol in rows]
        except (SyntaxError, OSError) as exc:
            raise ValidationError(f"shape {c.shape}: cannot run its SPARQL: {exc}") from exc
        zh_t = next((str(m) for m in c.messages if m.language == "zh"), "")
        en_t = next((str(m) for m in c.messages if m.language == "en"), "")
        for row in solutions:
            this = row.get("this")
            if this is None:
                continue
            path, value = row.get("path"), row.get("value")
            out.append(ValidationResult(
                severity=c.severity,
                focus_node=_node_id(this),
                focus_label=labels.label(this),
                path=labels.qname(path) if isinstance(path, URIRef) else None,
                value=(str(value) if isinstance(value, Literal) else labels.label(value)) if value is not None else None,
                constraint_component=str(SH.SPARQLConstraintComponent),
                source_shape=str(c.shape),
                message_zh=_substitute(zh_t or en_t, row, labels),
                message_en=_substitute(en_t or zh_t, row, labels),
                evidence_quote=labels.evidence_quote(this),
                stage="sparql",
            ))
    return out


# ---------------------------------------------------------------------------------------- queries

def _to_store(graph: Graph) -> tuple[Any, dict[str, Node]]:
    """The graph in a pyoxigraph store; blank nodes become ``urn:x-yrd-bnode:`` IRIs (mapped back)."""
    import pyoxigraph as ox

    bmap: dict[str, Node] = {}

    def conv(t: Node) -> Any:
        if isinstance(t, URIRef):
            return ox.NamedNode(str(t))
        if isinstance(t, BNode):
            iri = f"{_BNODE_IRI}{t}"
            bmap[iri] = t
            return ox.NamedNode(iri)
        if isinstance(t, Literal):
            if t.language:
                return ox.Literal(str(t), language=t.language)
            if t.datatype:
                return ox.Literal(str(t), datatype=ox.NamedNode(str(t.datatype)))
            return ox.Literal(str(t))
        raise TypeError(t)

    store = ox.Store()
    store.extend(ox.Quad(conv(s), conv(p), conv(o)) for s, p, o in graph)
    return store, bmap


def _from_ox(term: Any, bmap: dict[str, Node]) -> Node | None:
    import pyoxigraph as ox

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return bmap.get(term.value, URIRef(term.value))
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    return None


def _substitute(template: str, row: dict[str, Node | None], labels: Labeller) -> str:
    def repl(m: re.Match[str]) -> str:
        v = row.get(m.group(1))
        if v is None and m.group(1) == "this":
            v = row.get("this")
        if v is None:
            return "—"
        return str(v) if isinstance(v, Literal) else labels.label(v)

    return re.sub(r"\{[?$](\w+)\}", repl, template)


def run_queries(store: Any, bmap: dict[str, Node], queries: Iterable[ViolationQuery],
                labels: Labeller) -> list[ValidationResult]:
    """Each row of each violation query as a Violation (source = the query file)."""
    out: list[ValidationResult] = []
    root = resources.queries_dir().parent
    for q in queries:
        try:
            rows = store.query(q.text)
            variables = [v.value for v in rows.variables]
            solutions = [{v: _from_ox(sol[v], bmap) for v in variables} for sol in rows]
        except (SyntaxError, OSError) as exc:
            raise ValidationError(f"{q.path}: cannot run query: {exc}") from exc
        try:
            src = str(q.path.resolve().relative_to(root.resolve()))
        except ValueError:
            src = str(q.path)
        for row in solutions:
            focus = row.get("this")
            path = row.get("path")
            value = row.get("value")
            out.append(ValidationResult(
                severity=Severity.VIOLATION,
                focus_node=_node_id(focus),
                focus_label=labels.label(focus),
                path=labels.qname(path) if isinstance(path, URIRef) else None,
                value=(str(value) if isinstance(value, Literal) else labels.label(value)) if value is not None else None,
                constraint_component=str(VIOLATION_QUERY),
                source_shape=src,
                message_zh=_substitute(q.message_zh, row, labels),
                message_en=_substitute(q.message_en, row, labels),
                evidence_quote=labels.evidence_quote(focus),
                stage="query",
            ))
    return out


# ---------------------------------------------------------------------------------------- evidence

def _evidence_results(graph: Graph, source: Path, labels: Labeller) -> list[ValidationResult]:
    from yrd_kg.validate.anchoring import read_source
    from yrd_kg.validate.evidence import verify_graph

    rep = verify_graph(graph, read_source(source), source)
    out: list[ValidationResult] = []
    for m in rep.span_mismatches:
        out.append(ValidationResult(
            Severity.VIOLATION, m.part, labels.label(URIRef(m.part)), labels.qname(YRD.spanStart),
            f"{m.stored[0]}–{m.stored[1]}", str(EVIDENCE_ANCHORING), "verify-evidence",
            f"文档部分 {m.notation} 的跨度与原文不符：记录为 [{m.stored[0]}, {m.stored[1]})，原文切分为 {m.computed}",
            f"Document part {m.notation}: {m.reason}", None, "evidence"))
    for o in rep.orphans:
        node = URIRef(o.node)
        owner = labels.label(URIRef(o.supports)) if o.supports else "?"
        out.append(ValidationResult(
            Severity.VIOLATION, o.node, labels.label(node), labels.qname(YRD.quote), o.quote,
            str(EVIDENCE_ANCHORING), "verify-evidence",
            f"「{owner}」的证据引文在原文中无法定位（{labels.qname(URIRef(o.locator)) if o.locator else '无定位'}）：{o.reason}",
            f"Evidence quote of “{owner}” does not anchor in the source "
            f"({labels.qname(URIRef(o.locator)) if o.locator else 'no locator'}): {o.reason}",
            o.quote, "evidence"))
    return out


# ---------------------------------------------------------------------------------------- main

_ORDER = {Severity.VIOLATION: 0, Severity.WARNING: 1, Severity.INFO: 2}


def validate(*, source: Path | None = None, lang: str = "en", data_files: Iterable[Path] | None = None,
             shapes: Iterable[Path] | None = None, queries: Iterable[Path] | None = None,
             inference: str = "none", graph: Graph | None = None) -> ValidationReport:
    """Validate the dataset (or ``data_files``, or ``graph``) and return one typed report.

    ``source``: the paper's text; when given, every evidence quote is re-anchored in it (a missing
    file or a wrong checksum raises :class:`~yrd_kg.evidence.SourceError`). ``lang`` chooses the
    language of the focus labels. ``shapes`` / ``queries`` default to the shipped ones.
    ``inference``: ``none`` (default: SHACL's own subclass semantics over the ontology), ``rdfs``,
    ``owlrl`` (pySHACL's) or ``rl`` (:func:`yrd_kg.reason.materialise_rl` on a copy).
    """
    from yrd_kg.dataset.loader import LoadError

    t0 = time.perf_counter()
    if graph is None:
        try:
            from yrd_kg.dataset.build import load_graph

            graph = load_graph(list(data_files) if data_files is not None else None)
        except LoadError as exc:
            raise ValidationError(str(exc)) from exc
    shapes_graph = load_shapes(shapes)
    from yrd_kg.worker import UnsafeShapesError, check_shapes

    try:
        check_shapes(shapes_graph)  # SERVICE / LOAD / remote FROM in a shape: refused before anything runs
    except UnsafeShapesError as exc:
        raise ValidationError(str(exc)) from exc
    qs = [read_query(Path(p)) for p in (queries if queries is not None else violation_queries())]
    labels = Labeller(graph, lang)
    core_shapes, sparql_constraints = split_shapes(shapes_graph)
    t1 = time.perf_counter()
    report = run_shacl(graph, core_shapes, inference=inference)
    t2 = time.perf_counter()
    results = _shacl_results(report, shapes_graph, labels, {})
    store, bmap = _to_store(graph)
    results += run_sparql_constraints(store, bmap, sparql_constraints, labels)
    results += run_queries(store, bmap, qs, labels)
    t3 = time.perf_counter()
    if source is not None:
        results += _evidence_results(graph, Path(source), labels)
    t4 = time.perf_counter()
    results.sort(key=lambda r: (_ORDER[r.severity], r.source_shape or "", r.focus_label, r.path or "",
                                r.value or "", r.message_en))
    counts = Counter(r.severity.value for r in results)
    import pyoxigraph
    import pyshacl

    engine = {
        "shacl": f"pySHACL {pyshacl.__version__} (core); sh:sparql on pyoxigraph",
        "queries": f"pyoxigraph {pyoxigraph.__version__}",
        "inference": inference,
        "triples": str(len(graph)),
        "shapes": str(len(shapes_graph)),
        "violation_queries": str(len(qs)),
        "evidence": str(source) if source is not None else "skipped",
        "seconds": f"load {t1 - t0:.2f}, shacl core {t2 - t1:.2f}, sparql+queries {t3 - t2:.2f}, evidence {t4 - t3:.2f}",
    }
    return ValidationReport(
        conforms=counts.get("Violation", 0) == 0,
        results=results,
        counts={s.value: counts.get(s.value, 0) for s in Severity},
        engine=engine,
    )
