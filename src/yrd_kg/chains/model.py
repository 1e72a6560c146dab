"""The chain graph's records: nodes, typed edges with their status and evidence, chains and trace results."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from rdflib.namespace import RDF, SKOS

from yrd_kg.errors import InputError
from yrd_kg.namespaces import YRD, compact
from yrd_kg.sparql.resolve import SECTION_LETTER, AmbiguousNodeError, NodeNotFoundError

__all__ = ["SECTION_LETTER", "AmbiguousNodeError", "NodeNotFoundError"]

Kind = Literal["cause", "problem", "effect", "path", "action", "recommendation", "measure", "instrument", "actor"]
Relation = Literal["causes", "contributesTo", "addresses", "supports", "uses", "involves", "partOf", "cites",
                   "exemplifiedBy"]
Status = Literal["stated", "echoed", "interpreted"]

#: node kinds, in the left-to-right order of the pictures
KINDS: tuple[str, ...] = ("cause", "problem", "effect", "action", "measure", "path", "recommendation", "instrument", "actor")
#: kinds a node may have besides :data:`KINDS` (drawn as ``other``): a factor that is only a part of a sub-point
#: (``yrd:CausalFactor``), a policy document and an exemplar a remedy builds on
EXTRA_KINDS: tuple[str, ...] = ("factor", "document", "exemplar")
#: link strengths, strongest first (docs/ARGUMENT.md)
STRENGTHS: tuple[str, ...] = ("stated", "echoed", "interpreted")
#: the strength of a link in words (issue 18)
STRENGTH_WORDS: dict[str, dict[str, str]] = {
    "zh": {"stated": "原文明说", "echoed": "措辞呼应", "interpreted": "图谱解读"},
    "en": {"stated": "stated", "echoed": "echoed", "interpreted": "interpreted"},
}


def strengths_from(min_strength: str = "interpreted") -> frozenset[str]:
    """The strengths kept by a filter: ``stated`` → {stated}; ``echoed`` → {stated, echoed}; ``interpreted`` → all."""
    if min_strength not in STRENGTHS:
        raise InputError(f"unknown strength {min_strength!r}; expected one of {', '.join(STRENGTHS)}")
    return frozenset(STRENGTHS[: STRENGTHS.index(min_strength) + 1])

REMEDY_KINDS = frozenset({"action", "measure", "path", "recommendation"})
PROBLEM_KINDS = frozenset({"problem"})
CAUSAL = frozenset({"causes", "contributesTo"})

RDF_TYPE = str(RDF.type)
SKOS_NOTATION = str(SKOS.notation)
SKOS_PREF_LABEL = str(SKOS.prefLabel)
SKOS_ALT_LABEL = str(SKOS.altLabel)

#: rdf:type → kind (a factor typed both Cause and Effect gets both; see :meth:`ChainNode.kind`)
CLASS_KIND: dict[str, str] = {
    str(YRD.Cause): "cause",
    str(YRD.Effect): "effect",
    str(YRD.Shortcoming): "problem",
    str(YRD.ProblemSubPoint): "problem",
    str(YRD.BreakthroughPath): "path",
    str(YRD.PathAction): "action",
    str(YRD.PolicyRecommendation): "recommendation",
    str(YRD.PolicyMeasure): "measure",
    str(YRD.PolicyInstrument): "instrument",
    str(YRD.Actor): "actor",
    str(YRD.CausalFactor): "factor",
    str(YRD.PolicyDocument): "document",
    str(YRD.Exemplar): "exemplar",
}
PREDICATE_RELATION: dict[str, str] = {
    str(YRD.causes): "causes",
    str(YRD.contributesTo): "contributesTo",
    str(YRD.addresses): "addresses",
    str(YRD.supports): "supports",
    str(YRD.usesInstrument): "uses",
    str(YRD.involvesActor): "involves",
    str(YRD.partOf): "partOf",
    str(YRD.citesDocument): "cites",
    str(YRD.exemplifiedBy): "exemplifiedBy",
}
STATUS: dict[str, str] = {str(YRD.Stated): "stated", str(YRD.Echoed): "echoed", str(YRD.Interpreted): "interpreted"}



@dataclass(frozen=True)
class ChainEvidence:
    """One verbatim quote backing an edge, with the document part it stands in."""

    quote: str
    locator: str
    start: int | None = None
    end: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"quote": self.quote, "locator": self.locator, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class ChainNode:
    """A node of the chain graph: IRI, kinds from its rdf:types, notation and labels."""

    iri: str
    kinds: tuple[str, ...]
    notation: str = ""
    label_zh: str = ""
    label_en: str = ""
    alt_labels: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        """The main kind of :data:`KINDS` (a factor typed Cause and Effect reports ``cause``), else ``other``."""
        for k in KINDS:
            if k in self.kinds:
                return k
        return "other"

    @property
    def what(self) -> str:
        """:attr:`kind`, or the kind of :data:`EXTRA_KINDS` a node of no main kind has (``factor``, ``document`` …)."""
        for k in KINDS + EXTRA_KINDS:
            if k in self.kinds:
                return k
        return "other"

    @property
    def curie(self) -> str:
        """Compact IRI (``problem:P1.1``, ``factor:…``)."""
        return compact(self.iri)

    @property
    def is_shortcoming(self) -> bool:
        """A problem without a dot in its notation (P1…P4)."""
        return self.kind == "problem" and "." not in self.notation

    def label(self, lang: str = "zh") -> str:
        """The label in ``lang`` (falling back to the other language, then the compact IRI)."""
        first, second = (self.label_zh, self.label_en) if lang == "zh" else (self.label_en, self.label_zh)
        return first or second or self.curie

    def title(self, lang: str = "zh") -> str:
        """``notation label`` (or the label alone)."""
        return f"{self.notation} {self.label(lang)}" if self.notation else self.label(lang)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"iri": self.iri, "id": self.curie, "kind": self.what, "kinds": list(self.kinds),
                "notation": self.notation or None, "label": {"zh": self.label_zh, "en": self.label_en}}


@dataclass(frozen=True)
class ChainEdge:
    """A typed edge (subject → object as in RDF) with its status, rationale and evidence."""

    source: str
    target: str
    relation: str
    status: str = "stated"
    rationale_zh: str = ""
    rationale_en: str = ""
    evidence: tuple[ChainEvidence, ...] = ()
    link: str = ""

    @property
    def stated(self) -> bool:
        """True when the text itself makes the link."""
        return self.status == "stated"

    def kept(self, strengths: frozenset[str]) -> bool:
        """True when the edge passes a strength filter (a part-of edge always does)."""
        return self.relation == "partOf" or self.status in strengths

    @property
    def key(self) -> str:
        """Key of the edge in the MultiDiGraph (the Link IRI, or a structural key)."""
        return self.link or f"{self.relation}:{self.source}>{self.target}"

    def rationale(self, lang: str = "zh") -> str:
        """The rationale in ``lang`` (interpreted links only)."""
        first, second = (self.rationale_zh, self.rationale_en) if lang == "zh" else (self.rationale_en, self.rationale_zh)
        return first or second

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"source": compact(self.source), "target": compact(self.target), "relation": self.relation,
                "status": self.status, "link": compact(self.link) if self.link else None,
                "rationale": {"zh": self.rationale_zh, "en": self.rationale_en} if self.rationale_zh or self.rationale_en
                else None,
                "evidence": [e.as_dict() for e in self.evidence]}


@dataclass(frozen=True)
class Chain:
    """One chain: nodes in reading order and the edge between each consecutive pair."""

    section: str
    nodes: tuple[str, ...]
    edges: tuple[ChainEdge, ...]

    def __len__(self) -> int:
        return len(self.edges)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"section": self.section, "nodes": [compact(n) for n in self.nodes],
                "edges": [e.as_dict() for e in self.edges]}


@dataclass
class TraceResult:
    """What :func:`trace` found: the nodes and edges it visited, per section, and the chains."""

    start: str
    roots: list[str]
    reverse: bool
    depth: int
    only_stated: bool
    min_strength: str = "interpreted"
    """the weakest strength kept (``stated``, ``echoed`` or ``interpreted``)"""
    nodes: dict[str, ChainNode] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)
    hops: dict[str, int] = field(default_factory=dict)
    sections: dict[str, list[ChainEdge]] = field(default_factory=dict)
    chains: list[Chain] = field(default_factory=list)
    steps: dict[str, list[tuple[str, str, ChainEdge]]] = field(default_factory=dict)
    """per section, each edge as walked: (from node, to node, edge)"""

    @property
    def edges(self) -> list[ChainEdge]:
        """Every edge visited, in section order, without duplicates."""
        seen: set[tuple[str, str]] = set()
        out: list[ChainEdge] = []
        for sec in self.sections.values():
            for e in sec:
                k = (e.key, e.relation)
                if k not in seen:
                    seen.add(k)
                    out.append(e)
        return out

    def nodes_of(self, *kinds: str) -> list[ChainNode]:
        """The visited nodes whose role is one of ``kinds``."""
        return [n for i, n in self.nodes.items() if self.roles.get(i) in kinds]

    def problems(self) -> list[ChainNode]:
        """For a reverse trace: the problems reached."""
        return [n for n in self.nodes.values() if n.kind == "problem" and n.iri not in self.roots]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "start": compact(self.start),
            "roots": [compact(r) for r in self.roots],
            "reverse": self.reverse,
            "depth": self.depth,
            "only_stated": self.only_stated,
            "min_strength": self.min_strength,
            "nodes": [{**n.as_dict(), "role": self.roles.get(i), "hop": self.hops.get(i)} for i, n in self.nodes.items()],
            "sections": {s: [e.as_dict() for e in es] for s, es in self.sections.items()},
            "chains": [c.as_dict() for c in self.chains],
        }


def natural_key(text: str) -> list[tuple[int, Any]]:
    """Sort key that orders ``P1.2`` before ``P1.10``."""
    return [(0, int(t)) if t.isdigit() else (1, t) for t in re.split(r"(\d+)", text) if t]
