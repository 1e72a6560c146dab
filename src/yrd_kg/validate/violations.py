"""The violation queries (``queries/*-violation.rq``): every row a Violation whose source is the query file."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from rdflib import Literal, URIRef
from rdflib.term import Node

import yrd_kg.resources as resources
from yrd_kg.dataset.terms import from_ox
from yrd_kg.sparql.catalogue import SavedQuery
from yrd_kg.validate.labels import Labeller
from yrd_kg.validate.report import VIOLATION_QUERY, Severity, ValidationError, ValidationResult
from yrd_kg.validate.shacl import node_id

#: runs a query text on the data: ``query(text) -> pyoxigraph solutions``
QueryFn = Callable[[str], Any]


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
