"""``describe``: everything the graph says about one thing, with the paper's own words.

What it is (classes, labels in zh and en, definition, statement), where the paper says it (every quote
with its document part and its position in the canonical text, never cut), every qualified link in and
out with its strength in words, rationale and shared wording, the other relations it has, the figures
and table cells that belong to it, and its external identifiers.

>>> from yrd_kg.dataset.store import dataset_from_files
>>> describe("x", dataset=dataset_from_files([]))  # doctest: +IGNORE_EXCEPTION_DETAIL
Traceback (most recent call last):
yrd_kg.sparql.resolve.NodeNotFoundError: no node matches 'x'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from yrd_kg.chains.model import STATUS
from yrd_kg.namespaces import ID, YRD, compact
from yrd_kg.sparql.engines import OxigraphEngine
from yrd_kg.sparql.resolve import Candidate, class_rank, graph_candidates, in_graph, resolve_name

if TYPE_CHECKING:  # pragma: no cover
    from yrd_kg.dataset.store import Dataset

Y = str(YRD._NS)
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PREFIXES = (f"PREFIX yrd: <{Y}>\nPREFIX skos: <{SKOS}>\nPREFIX rdfs: <{RDFS}>\n"
            "PREFIX qb: <http://purl.org/linked-data/cube#>\n")

#: datatype properties that identify the thing in another system (shown under "identifiers")
IDENTIFIER_PROPERTIES = ("wikidataId", "geonamesId", "isicRev4Code", "gbt4754Code", "clcNumber", "documentCode",
                         "articleNumber", "grantNumber", "sha256")
#: object properties whose values outside the project are identifiers too
MATCH_PROPERTIES = (SKOS + "exactMatch", SKOS + "closeMatch", SKOS + "broadMatch", SKOS + "narrowMatch",
                    SKOS + "relatedMatch", "http://www.w3.org/2002/07/owl#sameAs", RDFS + "seeAlso")
#: properties shown in the head, the quotes or the links rather than among the other facts
_SHOWN = {RDF_TYPE, SKOS + "prefLabel", SKOS + "altLabel", SKOS + "definition", SKOS + "notation", Y + "statement",
          RDFS + "comment", Y + "hasEvidence", Y + "inPart", Y + "linkSubject", Y + "linkObject"}


@dataclass(frozen=True)
class Quote:
    """A verbatim quote: the text, the document part it stands in (and that part's title), its offsets."""

    quote: str
    locator: str
    part_title: str = ""
    start: int | None = None
    end: int | None = None


@dataclass
class LinkView:
    """A qualified link seen from the described node: ``out`` (it is the subject) or ``in`` (the object)."""

    link: str
    direction: str
    predicate: str
    predicate_label: dict[str, str]
    other: str
    other_label: dict[str, str]
    other_kind: str
    strength: str
    rationale: dict[str, str] = field(default_factory=dict)
    shared_wording: list[str] = field(default_factory=list)
    evidence: list[Quote] = field(default_factory=list)


@dataclass(frozen=True)
class Relation:
    """A plain triple between the described node and another node (no qualified link behind it)."""

    direction: str
    predicate: str
    predicate_label: dict[str, str]
    other: str
    other_label: dict[str, str]


@dataclass(frozen=True)
class Figure:
    """A figure or table cell that belongs to the node, with its printed form (never a canonicalised number)."""

    observation: str
    label: dict[str, str]
    dataset: str
    measure: str
    printed: str
    why: str
    row: int | None = None
    column: int | None = None
    heading: str = ""


@dataclass
class Description:
    """Everything :func:`describe` found about one node."""

    iri: str
    classes: list[tuple[str, dict[str, str]]]
    notation: str
    labels: dict[str, str]
    alt_labels: list[tuple[str, str]]
    definition: dict[str, str]
    statement: dict[str, str]
    comments: list[tuple[str, str]]
    in_part: list[tuple[str, dict[str, str]]]
    facts: list[tuple[str, dict[str, str], str]]
    quotes: list[Quote]
    links: list[LinkView]
    relations: list[Relation]
    figures: list[Figure]
    identifiers: list[tuple[str, str]]

    @property
    def curie(self) -> str:
        """Compact IRI (``problem:P1.1``)."""
        return compact(self.iri)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        d = asdict(self)
        d["id"] = self.curie
        return d


def _is_identifier(pv: str, o: Any) -> bool:
    """A value that names the thing in another system: an id property, or a match outside the project."""
    if pv.startswith(Y) and pv[len(Y):] in IDENTIFIER_PROPERTIES:
        return True
    return pv in MATCH_PROPERTIES and isinstance(o, ox.NamedNode) and not o.value.startswith(str(ID))


def _rows(engine: OxigraphEngine, query: str) -> list[tuple[Any, ...]]:
    """The rows of a SELECT (pyoxigraph terms, ``None`` when unbound)."""
    return list(engine.select(query).rows)


def _lex(term: Any) -> str:
    return "" if term is None else str(term.value)


def _int(term: Any) -> int | None:
    return int(term.value) if term is not None else None


def _iri(iri: str) -> str:
    return str(ox.NamedNode(iri))  # escaped by pyoxigraph: never a string pasted into the text


class _Labels:
    """zh/en labels of any IRI: entities from the resolver's index, classes and properties from the ontology."""

    def __init__(self, engine: OxigraphEngine, candidates: Iterable[Candidate]) -> None:
        self.by_iri: dict[str, dict[str, str]] = {c.iri: {"zh": c.label_zh, "en": c.label_en} for c in candidates}
        self.kind: dict[str, str] = {c.iri: c.kind for c in candidates}
        self.notation: dict[str, str] = {c.iri: c.notation for c in candidates}
        for x, d in predicate_labels(engine).items():
            for la, v in d.items():
                self.by_iri.setdefault(x, {}).setdefault(la, v)

    def of(self, iri: str) -> dict[str, str]:
        d = self.by_iri.get(iri, {})
        return {"zh": d.get("zh", ""), "en": d.get("en", "")}

    def titled(self, iri: str) -> dict[str, str]:
        """The labels with the notation in front (``B1.2 全面盘点…``)."""
        n = self.notation.get(iri, "")
        return {la: f"{n} {v}".strip() if v else n for la, v in self.of(iri).items()}


def predicate_labels(engine: OxigraphEngine) -> dict[str, dict[str, str]]:
    """zh/en ``rdfs:label`` of every term of the ontology (classes, properties, strengths)."""
    out: dict[str, dict[str, str]] = {}
    rows = engine.select(PREFIXES + "SELECT ?x ?l WHERE { ?x rdfs:label ?l FILTER(LANG(?l) IN (\"zh\", \"en\")) }")
    for x, lab in rows.rows:
        if isinstance(x, ox.NamedNode) and isinstance(lab, ox.Literal) and lab.language:
            out.setdefault(x.value, {}).setdefault(lab.language, lab.value)
    return out


def describe(name: str, *, dataset: Dataset | None = None, prefer: Iterable[str] = ()) -> Description:
    """The :class:`Description` of the node ``name`` names (short id, section number, CURIE, IRI or label).

    Raises :class:`yrd_kg.sparql.resolve.AmbiguousNodeError` (the candidates listed) or
    :class:`~yrd_kg.sparql.resolve.NodeNotFoundError` (both exit 2).
    """
    from yrd_kg.dataset.store import open_dataset

    ds = dataset if dataset is not None else open_dataset()
    engine = OxigraphEngine(ds)
    candidates = graph_candidates(engine)
    iri = resolve_name(name, candidates, prefer, rank=class_rank, known=lambda i: in_graph(engine, i))
    return _describe(engine, iri, _Labels(engine, candidates), _printed_literals(ds, iri))


def _printed_literals(ds: Dataset, iri: str) -> dict[tuple[str, str], str]:
    """(predicate, value as the store gives it) → the lexical form as written, for the node's numeric literals.

    The store canonicalises numbers (``"0.1990"^^xsd:decimal`` reads 0.199); the build's N-Quads keep them.
    """
    from decimal import Decimal, InvalidOperation

    out: dict[tuple[str, str], str] = {}
    for q in ds.exact_quads():
        o = q.object
        if not (isinstance(q.subject, ox.NamedNode) and q.subject.value == iri and isinstance(o, ox.Literal)):
            continue
        if o.language or not o.datatype.value.endswith(("#decimal", "#integer", "#double", "#float")):
            continue
        try:
            out[(q.predicate.value, str(Decimal(o.value).normalize()))] = o.value
        except InvalidOperation:
            continue
    return out


def _as_printed(printed: dict[tuple[str, str], str], pv: str, o: ox.Literal) -> str:
    from decimal import Decimal, InvalidOperation

    try:
        return printed.get((pv, str(Decimal(o.value).normalize())), o.value)
    except InvalidOperation:
        return o.value


def _describe(engine: OxigraphEngine, iri: str, labels: _Labels,
              printed: dict[tuple[str, str], str] | None = None) -> Description:
    node = _iri(iri)
    props = _rows(engine, f"SELECT ?p ?o WHERE {{ {node} ?p ?o }}")
    classes: list[str] = []
    pref: dict[str, str] = {}
    definition: dict[str, str] = {}
    statement: dict[str, str] = {}
    alt: list[tuple[str, str]] = []
    comments: list[tuple[str, str]] = []
    notation = ""
    in_part: list[str] = []
    facts: list[tuple[str, dict[str, str], str]] = []
    identifiers: list[tuple[str, str]] = []
    out_objects: list[tuple[str, str]] = []
    for p, o in props:
        pv = p.value
        if pv == RDF_TYPE:
            classes.append(o.value)
        elif pv == SKOS + "notation":
            notation = notation or o.value
        elif isinstance(o, ox.Literal) and pv in (SKOS + "prefLabel", SKOS + "definition", Y + "statement"):
            target = {SKOS + "prefLabel": pref, SKOS + "definition": definition, Y + "statement": statement}[pv]
            target.setdefault(o.language or "", o.value)
        elif isinstance(o, ox.Literal) and pv in (SKOS + "altLabel", RDFS + "comment"):
            (alt if pv.endswith("altLabel") else comments).append((o.value, o.language or ""))
        elif pv == Y + "inPart":
            in_part.append(o.value)
        elif _is_identifier(pv, o):
            identifiers.append((compact(pv), o.value))
        elif isinstance(o, ox.Literal) and pv not in _SHOWN:
            facts.append((compact(pv), labels.of(pv), _as_printed(printed or {}, pv, o)))
        elif isinstance(o, ox.NamedNode) and pv not in _SHOWN:
            out_objects.append((pv, o.value))
    classes.sort(key=lambda c: (class_rank(Candidate(iri, (compact(c),))), c))
    links = _links(engine, node, iri, labels)
    linked = {(lv.predicate, lv.other, lv.direction) for lv in links}
    relations = [Relation("out", compact(p), labels.of(p), o, labels.titled(o)) for p, o in sorted(out_objects)
                 if (compact(p), o, "out") not in linked]
    ins = _rows(engine, f"SELECT ?s ?p WHERE {{ ?s ?p {node} FILTER(isIRI(?s)) }}")
    for s, p in sorted(ins, key=lambda r: (r[1].value, r[0].value)):
        if p.value in (Y + "linkSubject", Y + "linkObject", Y + "locator", Y + "inPart") or \
                (compact(p.value), s.value, "in") in linked:
            continue
        relations.append(Relation("in", compact(p.value), labels.of(p.value), s.value, labels.titled(s.value)))
    parts = [(compact(x), labels.of(x)) for x in sorted(in_part)]
    return Description(
        iri=iri, classes=[(compact(c), labels.of(c)) for c in classes], notation=notation,
        labels={"zh": pref.get("zh", ""), "en": pref.get("en", "")}, alt_labels=sorted(alt),
        definition=definition, statement=statement, comments=comments, in_part=parts,
        facts=sorted(facts), quotes=_quotes(engine, node, labels), links=links, relations=relations,
        figures=_figures(engine, node, iri, in_part, labels), identifiers=sorted(set(identifiers)))


def _quotes(engine: OxigraphEngine, node: str, labels: _Labels) -> list[Quote]:
    q = PREFIXES + f"""SELECT ?quote ?locator ?start ?end WHERE {{
      {node} yrd:hasEvidence ?ev . ?ev yrd:quote ?quote ; yrd:locator ?locator .
      OPTIONAL {{ ?ev yrd:start ?start }} OPTIONAL {{ ?ev yrd:end ?end }} }}"""
    out = {Quote(_lex(r[0]), labels.notation.get(r[1].value) or compact(r[1].value),
                 labels.of(r[1].value).get("zh", ""), _int(r[2]), _int(r[3])) for r in _rows(engine, q)}
    return sorted(out, key=lambda x: (x.start if x.start is not None else 1 << 30, x.quote))


_LINKS_Q = """SELECT ?link ?dir ?pred ?other ?status ?rationale ?shared ?quote ?locator ?start ?end WHERE {
  { ?link yrd:linkSubject NODE ; yrd:linkObject ?other . BIND("out" AS ?dir) }
  UNION { ?link yrd:linkObject NODE ; yrd:linkSubject ?other . BIND("in" AS ?dir) }
  ?link yrd:linkPredicate ?pred .
  OPTIONAL { ?link yrd:assertionStatus ?status }
  { BIND(1 AS ?one) } UNION { ?link yrd:rationale ?rationale } UNION { ?link yrd:sharedWording ?shared }
  UNION { ?link yrd:hasEvidence ?ev . ?ev yrd:quote ?quote ; yrd:locator ?locator .
          OPTIONAL { ?ev yrd:start ?start } OPTIONAL { ?ev yrd:end ?end } }
}"""


#: a problem's passage names an instrument or actor: the link reads "names", not "uses" (as in ``trace``)
_NAMES = {"zh": "文中点名", "en": "names"}
_PROBLEM_KINDS = ("yrd:Shortcoming", "yrd:ProblemSubPoint")


def _links(engine: OxigraphEngine, node: str, iri: str, labels: _Labels) -> list[LinkView]:
    views: dict[str, LinkView] = {}
    quotes: dict[str, set[Quote]] = {}
    for link, d, pred, other, status, rationale, shared, quote, locator, start, end in \
            _rows(engine, PREFIXES + _LINKS_Q.replace("NODE", node)):
        key = f"{link}|{d.value}"
        if key not in views:
            subject = iri if d.value == "out" else other.value
            words = labels.of(pred.value)
            if pred.value in (Y + "usesInstrument", Y + "involvesActor") and labels.kind.get(subject) in _PROBLEM_KINDS:
                words = dict(_NAMES)
            views[key] = LinkView(
                link.value if isinstance(link, ox.NamedNode) else "", d.value, compact(pred.value),
                words, other.value, labels.titled(other.value), labels.kind.get(other.value, ""),
                STATUS.get(_lex(status), "interpreted" if status is not None else ""))
        v = views[key]
        if rationale is not None:
            v.rationale[rationale.language or ""] = rationale.value
        if shared is not None and shared.value not in v.shared_wording:
            v.shared_wording.append(shared.value)
        if quote is not None:
            quotes.setdefault(key, set()).add(Quote(quote.value, labels.notation.get(locator.value) or compact(locator.value),
                                                    labels.of(locator.value).get("zh", ""), _int(start), _int(end)))
    for key, v in views.items():
        v.evidence = sorted(quotes.get(key, ()), key=lambda x: (x.start if x.start is not None else 1 << 30, x.quote))
        v.shared_wording.sort()
    order = {"out": 0, "in": 1}
    return sorted(views.values(), key=lambda v: (order[v.direction], v.predicate, labels.notation.get(v.other) or "~",
                                                 v.other))


_FIGURES_Q = """SELECT DISTINCT ?obs ?why ?ds ?measure ?printed ?row ?col ?heading WHERE {
  { ?obs ?dim NODE . FILTER(?dim IN (yrd:refRegion, yrd:refIndustry, yrd:refIndicator, yrd:inTable, qb:dataSet))
    BIND(STRAFTER(STR(?dim), "#") AS ?why) }
  UNION { ?obs yrd:hasEvidence/yrd:locator ?part . FILTER(?part IN (PARTS)) BIND("printed in its passage" AS ?why) }
  UNION { BIND(NODE AS ?obs) BIND("itself" AS ?why) }
  ?obs a qb:Observation ; qb:dataSet ?ds ; yrd:printedForm ?printed .
  OPTIONAL { ?obs qb:measureType ?measure }
  OPTIONAL { ?obs yrd:tableRow ?row } OPTIONAL { ?obs yrd:tableColumn ?col } OPTIONAL { ?obs yrd:columnHeading ?heading }
}"""


def _figures(engine: OxigraphEngine, node: str, iri: str, in_part: list[str], labels: _Labels) -> list[Figure]:
    parts = [_iri(p) for p in in_part]
    if iri.startswith(f"{ID}part/"):
        parts.append(node)
    q = _FIGURES_Q.replace("NODE", node).replace("PARTS", ", ".join(parts) or "<urn:yrd-kg:none>")
    figs: dict[str, Figure] = {}
    for obs, why, ds, measure, printed, row, col, heading in _rows(engine, PREFIXES + q):
        prev = figs.get(obs.value)
        if prev is not None and prev.why != "printed in its passage":
            continue
        figs[obs.value] = Figure(obs.value, labels.of(obs.value), compact(ds.value),
                                 compact(measure.value) if measure is not None else "", printed.value, why.value,
                                 _int(row), _int(col), _lex(heading))
    return sorted(figs.values(), key=lambda f: (f.dataset, f.row or 0, f.column or 0, f.observation))
