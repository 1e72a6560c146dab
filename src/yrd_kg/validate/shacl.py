"""SHACL core constraints with pySHACL, and its report turned into :class:`ValidationResult` objects."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from yrd_kg.validate.labels import Labeller
from yrd_kg.validate.report import Severity, ValidationError, ValidationResult

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


def shacl_results(report: Graph, shapes: Graph, labels: Labeller) -> list[ValidationResult]:
    """PySHACL's report graph as results (messages split into zh and en, labels and evidence attached)."""
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
        sid = shape_id(shape, shapes, labels)
        out.append(ValidationResult(
            severity=Severity.from_iri(report.value(res, SH.resultSeverity)),
            focus_node=node_id(focus),
            focus_label=labels.label(focus),
            path=labels.qname(path) if isinstance(path, URIRef) else (str(path) if path is not None else None),
            value=(labels.label(value) if not isinstance(value, Literal) else str(value)) if value is not None else None,
            constraint_component=str(comp) if comp is not None else None,
            source_shape=sid,
            message_zh=zh, message_en=en,
            evidence_quote=labels.evidence_quote(focus),
        ))
    return out


def shape_id(shape: Node | None, shapes: Graph, labels: Labeller) -> str | None:
    """An IRI for the shape; an anonymous property shape is named after its parent and path."""
    if shape is None:
        return None
    if isinstance(shape, URIRef):
        return str(shape)
    parent = shapes.value(None, SH.property, shape)
    path = shapes.value(shape, SH.path)
    ptxt = labels.qname(path) if isinstance(path, URIRef) else "path"
    return f"{parent}/{ptxt}" if parent is not None else f"_:{ptxt}"


def node_id(node: Node | None) -> str:
    """The identifier a result shows: the IRI, or ``_:label`` for a blank node."""
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
        from yrd_kg.reason.rl import materialise_rl

        data = materialise_rl(graph)
        inf = None
    try:
        _conforms, report, text = shacl_validate(
            data, shacl_graph=shapes, inference=inf, advanced=True, allow_warnings=True, allow_infos=True,
            inplace=False,
        )
    except NotImplementedError as exc:
        raise ValidationError(f"the shapes cannot be applied (pySHACL does not implement: {exc})") from exc
    if not isinstance(report, Graph):
        why = " ".join(str(text).split())[:300] if text else "no report graph"
        raise ValidationError(f"the shapes cannot be applied (pySHACL: {why})")
    return report
