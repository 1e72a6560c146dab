"""What the pages need, read with SPARQL from the built store (never from the Turtle sources).

:func:`load_model` runs a handful of SELECT queries on a ``pyoxigraph.Store`` (default graph = the
union of the named graphs) and returns a :class:`SiteModel`: every statement about the project's
own IRIs, labels in zh and en, evidence with its canonical offsets, qualified links with their
status and rationale, the document parts, and the table slips. Everything is sorted, so the same
store always gives the same model.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from .adapters import compact

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph as ox

__all__ = ["Evidence", "Link", "SiteModel", "Slip", "Term", "Text", "compact", "load_model", "term", "text_of"]

BASE = "https://w3id.org/yrd-kg/"
ID = BASE + "id/"
ONTOLOGY = BASE + "ontology"
Y = ONTOLOGY + "#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
OWL = "http://www.w3.org/2002/07/owl#"
QB = "http://purl.org/linked-data/cube#"
XSD = "http://www.w3.org/2001/XMLSchema#"

#: kinds of IRI under ``id/`` that get no page of their own (shown where they belong)
NO_PAGE_KINDS = ("evidence", "link")

PREFIX = f"""PREFIX yrd: <{Y}>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <{RDFS}>
PREFIX skos: <{SKOS}>
PREFIX owl: <{OWL}>
PREFIX qb: <{QB}>
PREFIX place: <{ID}place/>
PREFIX dataset: <{ID}dataset/>
"""

Q_STATEMENTS = PREFIX + f"""
SELECT DISTINCT ?s ?p ?o WHERE {{
  ?s ?p ?o .
  FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{BASE}"))
  FILTER(!STRSTARTS(STR(?s), "{ID}evidence/") && !STRSTARTS(STR(?s), "{ID}link/"))
}}"""

Q_LABELS = PREFIX + """
SELECT DISTINCT ?s ?p ?l WHERE {
  VALUES ?p { skos:prefLabel rdfs:label }
  ?s ?p ?l . FILTER(isIRI(?s) && isLiteral(?l))
}"""

Q_EVIDENCE = PREFIX + """
SELECT DISTINCT ?ev ?holder ?quote ?locator ?start ?end WHERE {
  ?holder yrd:hasEvidence ?ev .
  ?ev yrd:quote ?quote ; yrd:locator ?locator .
  OPTIONAL { ?ev yrd:start ?start ; yrd:end ?end }
}"""

Q_LINKS = PREFIX + """
SELECT DISTINCT ?link ?s ?p ?o ?status WHERE {
  ?link a yrd:Link ; yrd:linkSubject ?s ; yrd:linkPredicate ?p ; yrd:linkObject ?o .
  OPTIONAL { ?link yrd:assertionStatus ?status }
}"""

Q_RATIONALE = PREFIX + """
SELECT DISTINCT ?link ?r WHERE { ?link a yrd:Link ; yrd:rationale ?r }"""

Q_UNIONS = PREFIX + """
SELECT DISTINCT ?t ?p ?m WHERE {
  VALUES ?p { rdfs:domain rdfs:range }
  ?t ?p ?b . FILTER(isBlank(?b))
  ?b owl:unionOf/rdf:rest*/rdf:first ?m .
}"""

#: printed totals and shares that disagree with their parts (mirrors queries/table-inconsistencies.rq,
#: but names the printed cell)
Q_SLIPS = PREFIX + """
SELECT ?obs ?check ?printed ?computed WHERE {
  {
    SELECT ?obs ?check ?printed (SUM(?v) AS ?computed) WHERE {
      VALUES (?table ?dim ?measure) { (dataset:table1 yrd:refIndustry yrd:profit) (dataset:table2 yrd:refIndicator yrd:count) }
      ?obs qb:dataSet ?table ; ?dim ?row ; yrd:refRegion place:yrd ; ?measure ?printed .
      ?part qb:dataSet ?table ; ?dim ?row ; yrd:refRegion ?prov ; ?measure ?v .
      ?prov a yrd:ProvinceLevelDivision .
      BIND("sum" AS ?check)
    } GROUP BY ?obs ?check ?printed
  } UNION {
    ?obs qb:dataSet dataset:table1 ; yrd:refIndustry ?row ; yrd:nationalShare ?printed .
    ?y qb:dataSet dataset:table1 ; yrd:refIndustry ?row ; yrd:refRegion place:yrd ; yrd:profit ?yp .
    ?n qb:dataSet dataset:table1 ; yrd:refIndustry ?row ; yrd:refRegion place:china ; yrd:profit ?np .
    BIND(ROUND(?yp * 10000 / ?np) / 10000 AS ?computed)
    BIND("share" AS ?check)
  }
  FILTER(?printed != ?computed)
}"""

#: findings that name a table cell (any property from the finding, or from the finding's evidence locator)
Q_CELL_FINDINGS = PREFIX + """
SELECT DISTINCT ?finding ?obs WHERE {
  ?finding a yrd:Finding .
  ?obs a qb:Observation .
  { ?finding ?p ?obs } UNION { ?obs ?p ?finding }
}"""


class Term(NamedTuple):
    """An RDF term as the pages use it: ``kind`` is ``iri``, ``lit`` or ``bnode``."""

    kind: str
    value: str
    lang: str = ""
    datatype: str = ""

    @property
    def is_iri(self) -> bool:
        """True for an IRI."""
        return self.kind == "iri"


def term(t: Any) -> Term:
    """A pyoxigraph term as a :class:`Term`."""
    import pyoxigraph as ox

    if isinstance(t, ox.NamedNode):
        return Term("iri", t.value)
    if isinstance(t, ox.BlankNode):
        return Term("bnode", t.value)
    if isinstance(t, ox.Literal):
        dt = t.datatype.value if t.datatype is not None else ""
        if t.language or dt == XSD + "string":
            dt = ""
        return Term("lit", t.value, t.language or "", dt)
    return Term("lit", str(t))


@dataclass(frozen=True)
class Text:
    """A text in Chinese and in English (either may be empty)."""

    zh: str = ""
    en: str = ""

    def get(self, lang: str) -> str:
        """The text in ``lang``, falling back to the other language."""
        first, second = (self.zh, self.en) if lang == "zh" else (self.en, self.zh)
        return first or second

    def has(self, lang: str) -> bool:
        """Whether the text exists in ``lang`` itself (no fallback)."""
        return bool(self.zh if lang == "zh" else self.en)

    def __bool__(self) -> bool:
        return bool(self.zh or self.en)


def text_of(terms: Iterable[Term]) -> Text:
    """The zh and en text among literal ``terms`` (the smallest of each, for determinism)."""
    zh = sorted(t.value for t in terms if t.kind == "lit" and t.lang.startswith("zh"))
    en = sorted(t.value for t in terms if t.kind == "lit" and t.lang.startswith("en"))
    plain = sorted(t.value for t in terms if t.kind == "lit" and not t.lang)
    return Text(zh[0] if zh else (plain[0] if plain else ""), en[0] if en else (plain[0] if plain else ""))


@dataclass(frozen=True)
class Evidence:
    """One verbatim quote: the node it supports, its locator and canonical offsets ``[start, end)``."""

    iri: str
    holder: str
    quote: str
    locator: str
    start: int | None
    end: int | None

    @property
    def key(self) -> str:
        """The short id used as an anchor (``ev-<hex>``)."""
        return "ev-" + self.iri.rsplit("/", 1)[-1]

    @property
    def anchored(self) -> bool:
        """Whether the quote has canonical offsets."""
        return self.start is not None and self.end is not None


@dataclass(frozen=True)
class Link:
    """A qualified link (``yrd:Link``): subject, predicate, object, status, rationale and evidence."""

    iri: str
    subject: str
    predicate: str
    object: str
    status: str
    rationale: Text
    evidence: tuple[Evidence, ...]

    @property
    def key(self) -> str:
        """The anchor of the link on its endpoints' pages (``link-<hex>``)."""
        return "link-" + self.iri.rstrip("/").rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Slip:
    """A printed table cell that disagrees with its parts (``check`` is ``sum`` or ``share``)."""

    obs: str
    check: str
    printed: str
    computed: str


@dataclass
class SiteModel:
    """Everything the pages show, indexed for rendering."""

    out: dict[str, list[tuple[str, Term]]] = field(default_factory=dict)
    inc: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    labels: dict[str, Text] = field(default_factory=dict)
    evidence: list[Evidence] = field(default_factory=list)
    evidence_of: dict[str, list[Evidence]] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)
    links_out: dict[str, list[Link]] = field(default_factory=dict)
    links_in: dict[str, list[Link]] = field(default_factory=dict)
    link_by_iri: dict[str, Link] = field(default_factory=dict)
    unions: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    slips: list[Slip] = field(default_factory=list)
    cell_findings: dict[str, list[str]] = field(default_factory=dict)

    # -- statements
    def values(self, iri: str, prop: str) -> list[Term]:
        """The objects of ``iri prop ?o``, sorted."""
        return [o for p, o in self.out.get(iri, ()) if p == prop]

    def value(self, iri: str, prop: str) -> Term | None:
        """The first (smallest) object of ``iri prop ?o``."""
        vals = self.values(iri, prop)
        return vals[0] if vals else None

    def text(self, iri: str, prop: str) -> Text:
        """The zh/en text of ``iri prop ?o``."""
        return text_of(self.values(iri, prop))

    def types(self, iri: str) -> list[str]:
        """The rdf:types of ``iri`` (IRIs), sorted."""
        return [o.value for o in self.values(iri, RDF_TYPE) if o.is_iri]

    def primary_type(self, iri: str) -> str:
        """The type that names ``iri`` best: one of the ontology's own classes when it has one."""
        types = self.types(iri)
        own = [t for t in types if t.startswith(Y)]
        return (own or types or [""])[0]

    def subjects(self, prop: str, obj: str) -> list[str]:
        """Subjects of ``?s prop obj``, sorted."""
        return sorted({s for s, p in self.inc.get(obj, ()) if p == prop})

    def instances(self, cls: str) -> list[str]:
        """Subjects typed ``cls`` (asserted types only)."""
        return self.subjects(RDF_TYPE, cls)

    def label(self, iri: str, lang: str) -> str:
        """The label of ``iri`` in ``lang`` (fallback: other language, then the compact IRI)."""
        t = self.labels.get(iri)
        return (t.get(lang) if t else "") or compact(iri)

    def notation(self, iri: str) -> str:
        """The skos:notation of ``iri`` ("" when none)."""
        n = self.value(iri, SKOS + "notation")
        return n.value if n else ""

    # -- pages
    def entities(self) -> list[str]:
        """IRIs under ``id/`` that get a page (everything but evidence and link nodes)."""
        return sorted(s for s in self.out if s.startswith(ID) and s[len(ID):].split("/", 1)[0] not in NO_PAGE_KINDS)

    def terms(self) -> list[str]:
        """The ontology's own terms (``yrd:*``) that are described in the store."""
        return sorted(s for s in self.out if s.startswith(Y) and len(s) > len(Y))

    def statuses(self) -> list[str]:
        """Every assertion status the links use, in a stable order (stated, interpreted, then others)."""
        found = {lk.status for lk in self.links}
        order = [Y + "Stated", Y + "Interpreted"]
        return [s for s in order if s in found] + sorted(found - set(order))


def _rows(store: ox.Store, query: str) -> Iterator[Any]:
    result: Any = store.query(query, use_default_graph_as_union=True)
    yield from result


def _int(t: Any) -> int | None:
    return int(t.value) if t is not None else None


def load_model(store: ox.Store) -> SiteModel:
    """Read the model from ``store`` (a handful of SPARQL SELECTs)."""
    m = SiteModel()
    out: dict[str, set[tuple[str, Term]]] = defaultdict(set)
    inc: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for r in _rows(store, Q_STATEMENTS):
        s, p, o = r["s"].value, r["p"].value, term(r["o"])
        out[s].add((p, o))
        if o.is_iri:
            inc[o.value].add((s, p))
    m.out = {s: sorted(v) for s, v in sorted(out.items())}
    m.inc = {o: sorted(v) for o, v in sorted(inc.items())}

    pref: dict[str, list[Term]] = defaultdict(list)
    rdfs_label: dict[str, list[Term]] = defaultdict(list)
    for r in _rows(store, Q_LABELS):
        (pref if r["p"].value == SKOS + "prefLabel" else rdfs_label)[r["s"].value].append(term(r["l"]))
    for iri in sorted(set(pref) | set(rdfs_label)):
        a, b = text_of(pref.get(iri, ())), text_of(rdfs_label.get(iri, ()))
        m.labels[iri] = Text(a.zh or b.zh, a.en or b.en)

    evs = []
    for r in _rows(store, Q_EVIDENCE):
        evs.append(Evidence(r["ev"].value, r["holder"].value, r["quote"].value, r["locator"].value,
                            _int(r["start"]), _int(r["end"])))
    evs.sort(key=lambda e: (e.start if e.start is not None else 1 << 30, e.end or 0, e.iri))
    m.evidence = evs
    by_holder: dict[str, list[Evidence]] = defaultdict(list)
    for e in evs:
        by_holder[e.holder].append(e)
    m.evidence_of = dict(sorted(by_holder.items()))

    rationale: dict[str, list[Term]] = defaultdict(list)
    for r in _rows(store, Q_RATIONALE):
        rationale[r["link"].value].append(term(r["r"]))
    links = []
    for r in _rows(store, Q_LINKS):
        iri = r["link"].value
        status = r["status"].value if r["status"] is not None else ""
        links.append(Link(iri, r["s"].value, r["p"].value, r["o"].value, status,
                          text_of(rationale.get(iri, ())), tuple(by_holder.get(iri, ()))))
    links.sort(key=lambda lk: (lk.subject, lk.predicate, lk.object, lk.iri))
    m.links = links
    lo: dict[str, list[Link]] = defaultdict(list)
    li: dict[str, list[Link]] = defaultdict(list)
    for lk in links:
        lo[lk.subject].append(lk)
        li[lk.object].append(lk)
    m.links_out, m.links_in = dict(lo), dict(li)
    m.link_by_iri = {lk.iri: lk for lk in links}

    unions: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in _rows(store, Q_UNIONS):
        if r["m"] is not None and hasattr(r["m"], "value"):
            unions[(r["t"].value, r["p"].value)].add(r["m"].value)
    m.unions = {k: sorted(v) for k, v in sorted(unions.items())}

    slips = []
    for r in _rows(store, Q_SLIPS):
        obs = r["obs"].value
        printed = m.value(obs, Y + "printedForm")  # as printed ("0.1990"), not the normalised decimal
        slips.append(Slip(obs, r["check"].value, printed.value if printed else r["printed"].value,
                          _decimal(r["computed"].value)))
    m.slips = sorted(slips, key=lambda s: (s.obs, s.check))
    cf: dict[str, set[str]] = defaultdict(set)
    for r in _rows(store, Q_CELL_FINDINGS):
        cf[r["obs"].value].add(r["finding"].value)
    m.cell_findings = {k: sorted(v) for k, v in sorted(cf.items())}
    return m


def _decimal(value: str) -> str:
    """A computed decimal as printed (no trailing zeros beyond the first decimal)."""
    if "." in value:
        value = value.rstrip("0").rstrip(".")
    return value
