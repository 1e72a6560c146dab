"""SHACL-SPARQL constraints and the violation queries, run on pyoxigraph over all focus nodes at once."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

import yrd_kg.resources as resources
from yrd_kg.dataset.terms import from_ox
from yrd_kg.sparql.catalogue import SavedQuery
from yrd_kg.validate.labels import Labeller
from yrd_kg.validate.report import VIOLATION_QUERY, Severity, ValidationError, ValidationResult
from yrd_kg.validate.shacl import node_id
from yrd_kg.validate.shapes import SparqlConstraint

#: runs a query text on the data: ``query(text) -> pyoxigraph solutions``
QueryFn = Callable[[str], Any]


_WHERE = re.compile(r"\bWHERE\s*\{", re.I)


def _bind_this(query: str, focus: Iterable[Any]) -> str:
    values = " ".join(str(f) for f in focus)
    m = _WHERE.search(query)
    if m is None:
        raise ValidationError(f"SPARQL constraint has no WHERE clause: {query[:80]}")
    return f"{query[:m.end()]} VALUES ?this {{ {values} }} {query[m.end():]}"


def run_sparql_constraints(query: QueryFn, bnodes: dict[str, Node], constraints: Iterable[SparqlConstraint],
                           labels: Labeller) -> list[ValidationResult]:
    """Evaluate ``sh:sparql`` constraints (SHACL 1.0 §5) on the store, one query per constraint."""
    out: list[ValidationResult] = []
    for c in constraints:
        focus: dict[str, Any] = {}
        try:
            for tq in c.targets:
                for sol in query(tq):
                    t = sol["this"]
                    if t is not None:
                        focus[str(t)] = t
            if not focus:
                continue
            rows = query(_bind_this(c.select, focus.values()))
            variables = [v.value for v in rows.variables]
            solutions = [{v: _term(sol[v], bnodes) for v in variables} for sol in rows]
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
                focus_node=node_id(this),
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


def _substitute(template: str, row: dict[str, Node | None], labels: Labeller) -> str:
    def repl(m: re.Match[str]) -> str:
        v = row.get(m.group(1))
        if v is None and m.group(1) == "this":
            v = row.get("this")
        if v is None:
            return "—"
        return str(v) if isinstance(v, Literal) else labels.label(v)

    return re.sub(r"\{[?$](\w+)\}", repl, template)


def run_queries(query: QueryFn, bnodes: dict[str, Node], queries: Iterable[SavedQuery],
                labels: Labeller) -> list[ValidationResult]:
    """Each row of each violation query as a Violation (source = the query file)."""
    out: list[ValidationResult] = []
    root = resources.queries_dir().parent
    for q in queries:
        try:
            rows = query(q.text)
            variables = [v.value for v in rows.variables]
            solutions = [{v: _term(sol[v], bnodes) for v in variables} for sol in rows]
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
                focus_node=node_id(focus),
                focus_label=labels.label(focus),
                path=labels.qname(path) if isinstance(path, URIRef) else None,
                value=(str(value) if isinstance(value, Literal) else labels.label(value)) if value is not None else None,
                constraint_component=str(VIOLATION_QUERY),
                source_shape=src,
                message_zh=_substitute(q.message("zh"), row, labels),
                message_en=_substitute(q.message("en"), row, labels),
                evidence_quote=labels.evidence_quote(focus),
                stage="query",
            ))
    return out




def _term(term: Any, bnodes: dict[str, Node]) -> Node | None:
    """A pyoxigraph answer as the rdflib node of the data (a skolem IRI mapped back to its blank node)."""
    node: Node | None = from_ox(term)
    if isinstance(node, URIRef) and str(node) in bnodes:
        return bnodes[str(node)]
    return node
