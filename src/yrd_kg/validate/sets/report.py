"""The set-based engine's results in a reader's terms (:class:`~yrd_kg.validate.report.ValidationResult`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from yrd_kg.dataset.terms import to_ox
from yrd_kg.validate.labels import Labeller
from yrd_kg.validate.report import Severity, ValidationResult
from yrd_kg.validate.sets.engine import Result
from yrd_kg.validate.shacl import node_id, shape_id


def _back(node: Node | None, bnodes: Mapping[str, Node], literals: Mapping[str, Node]) -> Node | None:
    """The caller's own term for what the store shows (a skolem IRI of a blank node, a canonical number)."""
    if isinstance(node, URIRef):
        return bnodes.get(str(node), node)
    if isinstance(node, Literal) and node.datatype is not None:
        return literals.get(str(to_ox(node)), node)
    return node


def _message(msgs: Iterable[Literal], lang: str) -> str:
    first = next((str(m) for m in msgs if m.language == lang), "")
    return first or next((str(m) for m in msgs if not m.language), "")


def _readable(message: str, nodes: Iterable[Node | None], labels: Labeller) -> str:
    """The engine fills ``{$this}`` with the IRI itself: a reader gets the node's label instead."""
    for node in nodes:
        if isinstance(node, URIRef) and str(node) in message:
            message = message.replace(str(node), labels.label(node))
    return message


def set_results(results: Iterable[Result], shapes: Graph, labels: Labeller,
                bnodes: Mapping[str, Node], literals: Mapping[str, Node]) -> list[ValidationResult]:
    """Each result of :func:`yrd_kg.validate.sets.engine.evaluate` as a :class:`ValidationResult`."""
    out: list[ValidationResult] = []
    for r in results:
        focus, value = _back(r.focus, bnodes, literals), _back(r.value, bnodes, literals)
        zh, en = (_readable(_message(r.messages, lang), (r.focus, r.value, r.path), labels) for lang in ("zh", "en"))
        if not (zh or en):  # a constraint without sh:message: say which component and path
            comp = str(r.component).rsplit("#", 1)[-1]
            where = f" on {labels.qname(r.path)}" if isinstance(r.path, URIRef) else ""
            en = f"{comp}{where}: value {labels.label(value) if value is not None else '—'}"
        out.append(ValidationResult(
            severity=Severity.from_iri(r.severity),
            focus_node=node_id(focus),
            focus_label=labels.label(focus),
            path=labels.qname(r.path) if isinstance(r.path, URIRef) else (str(r.path) if r.path is not None else None),
            value=(labels.label(value) if not isinstance(value, Literal) else str(value)) if value is not None else None,
            constraint_component=str(r.component),
            source_shape=shape_id(r.shape, shapes, labels),
            message_zh=zh or en, message_en=en or zh,
            evidence_quote=labels.evidence_quote(focus),
            stage="sparql" if r.component == SH.SPARQLConstraintComponent else "shacl",
        ))
    return out
