"""Evidence anchoring: every quote re-found in the source text, where its offsets and locator say.

``verify_evidence(source)`` checks, in order:

1. the source file exists and its SHA-256 is the paper's (:data:`~yrd_kg.namespaces.SOURCE_SHA256`),
   else :class:`~yrd_kg.evidence.SourceError`;
2. the part spans recomputed with :func:`~yrd_kg.evidence.segment` equal ``yrd:spanStart`` /
   ``yrd:spanEnd`` of the parts in ``data/structure.ttl`` (matched by ``skos:notation``);
3. for every ``yrd:Evidence``: its canonical quote occurs in the canonical source, exactly at
   ``[yrd:start, yrd:end)``, inside the recomputed span of its ``yrd:locator``. Anything else is an
   *orphan*. Nothing is fuzzy-matched.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from yrd_kg.namespaces import ID, YRD
from yrd_kg.validate.anchoring import canonical, find_all, read_source, segment


@dataclass(frozen=True)
class Orphan:
    """An evidence node whose quote does not anchor."""

    node: str
    quote: str
    locator: str | None
    start: int | None
    end: int | None
    reason: str
    supports: str | None = None


@dataclass(frozen=True)
class SpanMismatch:
    """A document part whose stored span differs from the span recomputed from the source."""

    part: str
    notation: str
    stored: tuple[int | None, int | None]
    computed: tuple[int, int] | None
    reason: str


@dataclass
class EvidenceReport:
    """What :func:`verify_evidence` found."""

    source: Path
    sha256_ok: bool
    checked: int = 0
    anchored: int = 0
    orphans: list[Orphan] = field(default_factory=list)
    span_mismatches: list[SpanMismatch] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every quote anchors and every part span agrees with the source."""
        return not self.orphans and not self.span_mismatches


def _int(v: object) -> int | None:
    if isinstance(v, Literal):
        try:
            return int(v.toPython())
        except (TypeError, ValueError):
            return None
    return None


def check_graph(graph: Graph, text: str) -> tuple[list[SpanMismatch], list[Orphan], int]:
    """Compare the parts and evidence of ``graph`` with the source ``text`` (already checksum-checked)."""
    canon = canonical(text)
    computed = {p.slug: (p.start, p.end) for p in segment(text)}
    # parts: every node with a notation and a stored span
    part_span: dict[URIRef, tuple[int, int]] = {}
    mismatches: list[SpanMismatch] = []
    for part in sorted(set(graph.subjects(YRD.spanStart, None)) | set(graph.subjects(YRD.spanEnd, None)), key=str):
        if not isinstance(part, URIRef):
            continue
        notation = str(graph.value(part, SKOS.notation) or "")
        stored = (_int(graph.value(part, YRD.spanStart)), _int(graph.value(part, YRD.spanEnd)))
        comp = computed.get(notation)
        if comp is None:
            mismatches.append(SpanMismatch(str(part), notation, stored, None,
                                           f"no part with notation {notation!r} in the source's segmentation"))
            continue
        part_span[part] = comp
        if stored != comp:
            mismatches.append(SpanMismatch(str(part), notation, stored, comp,
                                           f"stored span [{stored[0]}, {stored[1]}) but the source gives "
                                           f"[{comp[0]}, {comp[1]})"))
    orphans: list[Orphan] = []
    checked = 0
    for ev in sorted(set(graph.subjects(RDF.type, YRD.Evidence)), key=str):
        checked += 1
        quote = graph.value(ev, YRD.quote)
        loc = graph.value(ev, YRD.locator)
        start, end = _int(graph.value(ev, YRD.start)), _int(graph.value(ev, YRD.end))
        owner = next(iter(sorted(graph.subjects(YRD.hasEvidence, ev), key=str)), None)
        base = {"node": str(ev), "quote": str(quote or ""), "locator": str(loc) if loc is not None else None,
                "start": start, "end": end, "supports": str(owner) if owner is not None else None}
        reason = _why(canon, str(quote) if quote is not None else None, loc, start, end, part_span, graph, computed)
        if reason:
            orphans.append(Orphan(**base, reason=reason))  # type: ignore[arg-type]
    return mismatches, orphans, checked


def _why(canon: str, quote: str | None, loc: object, start: int | None, end: int | None,
         part_span: dict[URIRef, tuple[int, int]], graph: Graph, computed: dict[str, tuple[int, int]]) -> str | None:
    """Why a quote does not anchor, or None when it does."""
    if not quote or not canonical(quote):
        return "no quote"
    q = canonical(quote)
    hits = find_all(canon, q)
    if not hits:
        return "quote not found in the source"
    if start is None or end is None:
        return f"no yrd:start/yrd:end recorded (the quote occurs at {', '.join(map(str, hits[:5]))})"
    if canon[start:end] != q:
        return (f"quote found at {', '.join(map(str, hits[:5]))} but not at [{start}, {end})"
                + ("" if end - start == len(q) else f" (length {end - start}, the quote has {len(q)})"))
    if not isinstance(loc, URIRef):
        return "no locator"
    span = part_span.get(loc)
    if span is None:
        notation = graph.value(loc, SKOS.notation)
        slug = str(notation) if notation is not None else str(loc).removeprefix(str(ID) + "part/")
        span = computed.get(slug)
    if span is None:
        return f"locator {loc} is not a document part with a span"
    if not (span[0] <= start and end <= span[1]):
        return f"quote at [{start}, {end}) lies outside its locator's span [{span[0]}, {span[1]})"
    return None


def verify_evidence(source: Path, data_files: Iterable[Path] | None = None) -> EvidenceReport:
    """Re-anchor every evidence quote of the built dataset (or of a dataset made from ``data_files``) in ``source``.

    Raises :class:`~yrd_kg.validate.anchoring.SourceError` when the file is missing or its checksum is wrong.
    """
    from yrd_kg.dataset.store import dataset_from_files, open_dataset

    text = read_source(Path(source))
    ds = dataset_from_files(data_files) if data_files is not None else open_dataset()
    return verify_graph(ds.rdflib_graph(), text, Path(source))


def verify_graph(graph: Graph, text: str, source: Path) -> EvidenceReport:
    """As :func:`verify_evidence`, on a graph already loaded and a source already read."""
    mismatches, orphans, checked = check_graph(graph, text)
    return EvidenceReport(source=source, sha256_ok=True, checked=checked, anchored=checked - len(orphans),
                          orphans=orphans, span_mismatches=mismatches)
