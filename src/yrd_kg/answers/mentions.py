"""``mentions``: where the paper talks about a thing, section by section, with the passages.

TERM is a node (a short id, CURIE, IRI or a whole label: then all its zh and en labels are searched) or a
plain string in zh or en (``as_text=True`` forces that). Every quote of the graph that contains one of
the searched words is a passage; a passage is listed once, under the top-level part of the paper it
stands in (front matter, 一 … 五, notes, references, the English back matter), in reading order, with
every node and qualified link it supports (a section, shortcoming, path, measure, instrument, actor,
finding …). Nodes whose own labels contain the words are listed under their part too.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from yrd_kg.answers.describe import _rows, predicate_labels
from yrd_kg.chains.model import STATUS
from yrd_kg.namespaces import compact
from yrd_kg.sparql.engines import OxigraphEngine
from yrd_kg.sparql.resolve import (
    AmbiguousNodeError,
    Candidate,
    NodeNotFoundError,
    class_rank,
    graph_candidates,
    norm,
    resolve_name,
)

if TYPE_CHECKING:  # pragma: no cover
    from yrd_kg.dataset.store import Dataset

_PREFIXES = "PREFIX yrd: <https://w3id.org/yrd-kg/ontology#>\n"
_QUOTES_Q = _PREFIXES + """SELECT ?node ?quote ?locator ?start ?end WHERE {
  ?node yrd:hasEvidence ?ev . ?ev yrd:quote ?quote ; yrd:locator ?locator .
  OPTIONAL { ?ev yrd:start ?start } OPTIONAL { ?ev yrd:end ?end } }"""
_LINKS_Q = _PREFIXES + """SELECT ?link ?s ?p ?o ?status WHERE {
  ?link yrd:linkSubject ?s ; yrd:linkPredicate ?p ; yrd:linkObject ?o . OPTIONAL { ?link yrd:assertionStatus ?status } }"""
_PARTS_Q = _PREFIXES + """SELECT ?part ?up ?start ?in WHERE {
  { ?part yrd:spanStart ?start . OPTIONAL { ?part yrd:partOf ?up } } UNION { ?x yrd:inPart ?in . BIND(?x AS ?part) } }"""
#: the shortest word searched (a one-character word matches everywhere)
MIN_NEEDLE = 2
#: the section of a node that stands in no part of the paper and has no quote
NO_PART = "urn:yrd-kg:no-part"


@dataclass(frozen=True)
class Supported:
    """A node or a qualified link a passage supports: IRI, what it is, its title in zh and en."""

    iri: str
    kind: str
    title: dict[str, str]
    strength: str = ""


@dataclass
class Passage:
    """A quote that contains a searched word, where it stands, and what it supports."""

    quote: str
    locator: str
    start: int | None
    end: int | None
    matched: list[str]
    supports: list[Supported] = field(default_factory=list)


@dataclass
class Section:
    """The passages and label matches of one top-level part of the paper, in reading order."""

    part: str
    title: dict[str, str]
    passages: list[Passage] = field(default_factory=list)
    labels: list[Supported] = field(default_factory=list)


@dataclass
class Mentions:
    """What :func:`mentions` found: the term, the node it names (if any), the words searched, the sections."""

    term: str
    entity: str | None
    needles: list[str]
    sections: list[Section]

    @property
    def passage_count(self) -> int:
        """How many passages mention the term."""
        return sum(len(s.passages) for s in self.sections)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        d = asdict(self)
        d["entity"] = compact(self.entity) if self.entity else None
        return d


def _title(c: Candidate | None, iri: str) -> dict[str, str]:
    if c is None:
        return {"zh": compact(iri), "en": compact(iri)}
    pre = f"{c.notation} " if c.notation else ""
    return {"zh": pre + c.label("zh"), "en": pre + c.label("en")}


def needles_for(term: str, candidates: list[Candidate], *, as_text: bool = False) -> tuple[str | None, list[str]]:
    """(the node ``term`` names or None, the words to search): a node's labels, or the term itself."""
    if not as_text:
        try:
            iri = resolve_name(term, candidates, rank=class_rank)
        except (NodeNotFoundError, AmbiguousNodeError):
            iri = None
        c = next((x for x in candidates if x.iri == iri), None)
        whole = c is not None and (norm(term) in {norm(c.label_zh), norm(c.label_en), norm(c.notation)}
                                   or term.strip() in (c.iri, c.curie))
        if c is not None and whole:
            words = [w for w in (c.label_zh, c.label_en, *c.alt_labels) if len(w.strip()) >= MIN_NEEDLE]
            return c.iri, sorted(set(words), key=lambda w: (-len(w), w))
    t = term.strip()
    if len(t) < MIN_NEEDLE:
        from yrd_kg.errors import InputError

        raise InputError(f"{term!r}: give at least {MIN_NEEDLE} characters to search for")
    return None, [t]


def mentions(term: str, *, dataset: Dataset | None = None, as_text: bool = False) -> Mentions:
    """Every passage and label of the graph that mentions ``term``, grouped by top-level part of the paper."""
    from yrd_kg.dataset.store import open_dataset

    ds = dataset if dataset is not None else open_dataset()
    engine = OxigraphEngine(ds)
    candidates = graph_candidates(engine)
    by_iri = {c.iri: c for c in candidates}
    entity, needles = needles_for(term, candidates, as_text=as_text)
    folded = [(n, n.casefold()) for n in needles]

    def hits(text: str) -> list[str]:
        low = text.casefold()
        return [n for n, f in folded if f in low]

    top, where, span = _tops(engine)
    links = {r[0].value: r for r in _rows(engine, _LINKS_Q) if isinstance(r[0], ox.NamedNode)}
    words = predicate_labels(engine)
    passages: dict[tuple[str, str, int | None], Passage] = {}
    first_quote: dict[str, tuple[int, str]] = {}
    for node, quote, locator, start, end in _rows(engine, _QUOTES_Q):
        s = int(start.value) if start is not None else None
        if s is not None and s < first_quote.get(node.value, (1 << 30, ""))[0]:
            first_quote[node.value] = (s, locator.value)
        found = hits(quote.value)
        if not found:
            continue
        key = (quote.value, locator.value, s)
        loc = by_iri.get(locator.value)
        p = passages.setdefault(key, Passage(quote.value, loc.notation if loc and loc.notation else compact(locator.value),
                                             s, int(end.value) if end is not None else None, found))
        sup = _supported(node.value, by_iri, links, words)
        if sup not in p.supports:
            p.supports.append(sup)
    sections: dict[str, Section] = {}

    def section(part: str) -> Section:
        t = top.get(part, part)
        if t not in sections:
            sections[t] = Section(compact(t), _title(by_iri.get(t), t))
        return sections[t]

    for (_, locator, _), p in sorted(passages.items(), key=lambda kv: (kv[1].start or 1 << 30, kv[1].quote)):
        p.supports.sort(key=lambda x: (x.kind == "link", x.iri))
        section(locator).passages.append(p)
    for c in candidates:
        if any(hits(t) for t in (c.label_zh, c.label_en, *c.alt_labels) if t):
            part = where.get(c.iri) or first_quote.get(c.iri, (0, ""))[1] or (c.iri if c.iri in top else "")
            section(part or NO_PART).labels.append(Supported(c.iri, c.kind, _title(c, c.iri)))
    out = sorted(sections.values(), key=lambda sec: (span.get(sec.part and top.get(_full(sec.part), ""), 1 << 30),
                                                     sec.part))
    return Mentions(term, entity, needles, out)


def _supported(node: str, by_iri: dict[str, Candidate], links: dict[str, Any],
               words: dict[str, dict[str, str]]) -> Supported:
    if node in links:
        _, s, p, o, status = links[node]
        title = {la: f"{_short(by_iri, s.value, la)} —{words.get(p.value, {}).get(la) or compact(p.value)}→ "
                     f"{_short(by_iri, o.value, la)}" for la in ("zh", "en")}
        return Supported(node, "link", title, STATUS.get(status.value, "") if status else "")
    c = by_iri.get(node)
    return Supported(node, c.kind if c else "", _title(c, node))


def _short(by_iri: dict[str, Candidate], iri: str, lang: str) -> str:
    c = by_iri.get(iri)
    if c is None:
        return compact(iri)
    return c.notation if c.notation and not c.curie.startswith("part:") else c.label(lang)


def _full(curie: str) -> str:
    from yrd_kg.namespaces import expand

    return expand(curie) or curie


def _tops(engine: OxigraphEngine) -> tuple[dict[str, str], dict[str, str], dict[str, int]]:
    """(document part → its top-level part; node → the part it stands in; part → where its span starts)."""
    up: dict[str, str] = {}
    spans: dict[str, int] = {}
    where: dict[str, str] = {}
    for part, parent, start, in_part in _rows(engine, _PARTS_Q):
        if in_part is not None:
            where.setdefault(part.value, in_part.value)
            continue
        spans[part.value] = int(start.value)
        if parent is not None:
            up[part.value] = parent.value
    top: dict[str, str] = {}
    for part in spans:
        t = part
        while up.get(t) in spans:
            t = up[t]
        top[part] = t
    return top, where, spans
