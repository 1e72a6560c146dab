"""The validation report: typed results in a reader's terms, and the standard ``sh:ValidationReport`` graph."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from yrd_kg.errors import InputError
from yrd_kg.namespaces import PREFIXES, YRD, YRDSH

#: constraint component IRIs of the two non-SHACL checks
VIOLATION_QUERY = YRDSH.ViolationQuery
EVIDENCE_ANCHORING = YRDSH.EvidenceAnchoring


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


class ValidationError(InputError):
    """Validation could not run (unreadable data, shapes or queries); the message names the file."""


def _term(s: str) -> URIRef | BNode:
    if s.startswith("_:"):
        return BNode(s[2:])
    return URIRef(s)
