"""Matching our entities with another vocabulary's: codes, normalised labels, string similarity, compatible kinds.

Every candidate has one piece of evidence, a predicate and a confidence ordered by the strength of that
evidence, never 1.0 (no code or label is proof). Checked against the hand-checked gold set in
``tests/fixtures/link/gold.tsv`` (NACE Rev. 2 twice, OEO): every band was accepted there, the counts per
band are in docs/LINKING.md; the set is small, so the values are an ordering more than a probability.

=============================================================  ==============================  ==========
evidence                                                       predicate                       confidence
=============================================================  ==============================  ==========
the entity our data already maps to (same IRI)                 the predicate our data uses     0.9 (related: 0.7)
same NACE code as one our data maps to                         the predicate our data uses     0.9 (related: 0.7)
same ISIC Rev. 4 code, one entity of theirs has it             ``skos:closeMatch``             0.85
same ISIC Rev. 4 code, several of theirs (each is narrower)    ``skos:narrowMatch``            0.7
same ISIC Rev. 4 code, ours has several                        ``skos:relatedMatch``           0.7
same normalised preferred label                                ``skos:exactMatch``             0.9
same normalised label, one side an alternative label/variant   ``skos:closeMatch``             0.8
same content words (generic words such as "manufacture of",   ``skos:closeMatch``             0.75
"product", "industry" set aside; "other" is kept)
similar content words (rapidfuzz ratio ``s`` ≥ 0.85)           ``skos:relatedMatch``           0.5 + (s − 0.85)
=============================================================  ==============================  ==========

Labels are compared language by language (ours in zh with theirs in zh, ours in en with theirs in en or
untagged). A candidate is proposed only between kinds that can match (:data:`COMPATIBLE`: an industry
with an economic activity, an instrument type with a policy instrument, never a concept with a role or
a function); per entity of ours at most :data:`MAX_PER_SUBJECT` candidates are kept, the best first.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from yrd_kg.namespaces import ID, NACE2, NACE_RAMON, YRD

OBO = "http://purl.obolibrary.org/obo/"
OBO_IN_OWL = "http://www.geneontology.org/formats/oboInOwl#"
IAO_ALT_LABEL = URIRef(OBO + "IAO_0000118")
RAMON = "http://ec.europa.eu/eurostat/ramon/ontologies/nace.rdf#"
OEO = "https://openenergyplatform.org/ontology/oeo/"
DPV_NACE = ("http://w3id.org/dpv/dpv-nace/", "http://w3id.org/ns/dpv-nace/")
#: preferred-label properties (the others in :data:`LABEL_PROPS` are alternatives)
PREF_PROPS: frozenset[URIRef] = frozenset({SKOS.prefLabel, RDFS.label, URIRef(RAMON + "name")})
#: properties whose literals are labels
LABEL_PROPS: tuple[URIRef, ...] = (
    SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel, RDFS.label, IAO_ALT_LABEL, URIRef(RAMON + "name"),
    *(URIRef(OBO_IN_OWL + p) for p in ("hasExactSynonym", "hasRelatedSynonym", "hasNarrowSynonym",
                                        "hasBroadSynonym", "hasSynonym")),
)
#: properties whose literals are codes, and the code system each gives
CODE_PROPS: dict[URIRef, str] = {
    URIRef(RAMON + "code"): "nace",
    URIRef(RAMON + "iSIC4Code"): "isic",
    YRD.isicRev4Code: "isic",
    YRD.gbt4754Code: "gbt4754",
    SKOS.notation: "notation",
}
#: the kind of our entity, by the first segment of its IRI under ``…/id/``
KIND_OF_OURS: dict[str, str] = {
    "industry": "activity", "gbt4754": "activity", "itype": "instrument", "instrument": "instrument",
    "place": "place", "org": "agent", "actor": "agent", "document": "document", "cluster": "cluster",
    "concept": "concept",
}
#: the kinds of theirs each kind of ours may be mapped to ("unknown": a file that says nothing of its kinds)
COMPATIBLE: dict[str, frozenset[str]] = {
    "activity": frozenset({"activity", "unknown"}),
    "instrument": frozenset({"instrument", "unknown"}),
    "agent": frozenset({"agent", "unknown"}),
    "place": frozenset({"place", "unknown"}),
    "document": frozenset({"document", "unknown"}),
    "cluster": frozenset({"cluster", "agent", "unknown"}),
    "concept": frozenset({"concept", "process", "quality", "unknown"}),
}
#: upper classes of theirs (reached by rdfs:subClassOf or rdf:type) and the kind they give
ROOT_KINDS: dict[str, str] = {
    OEO + "OEO_00140151": "instrument", OEO + "OEO_00140150": "instrument", OEO + "OEO_00140149": "instrument",
    OBO + "BFO_0000023": "role", OBO + "BFO_0000034": "function", OBO + "BFO_0000016": "function",
    OBO + "BFO_0000019": "quality", OBO + "BFO_0000015": "process", OBO + "IAO_0000030": "document",
    OBO + "BFO_0000040": "material", OBO + "BFO_0000029": "place",
}
#: words set aside when comparing content ("manufacture of textiles" ~ "textiles")
GENERIC = frozenset({
    "a", "an", "the", "of", "and", "for", "in", "on", "related",
    "manufacture", "manufacturing", "product", "industry", "industries", "sector", "activity", "activities",
    "业", "产业", "行业", "制造业", "制品业", "制造",
})
MAX_PER_SUBJECT = 3
#: a lexical candidate this far below the best candidate of its subject is dropped
DROP_BELOW_BEST = 0.15
SIMILARITY_CUTOFF = 0.85
CODE_FIELDS = frozenset({"nace-code", "stated-mapping", str(YRD.isicRev4Code)})


@dataclass
class Entity:
    """Something to match: its IRI, labels (literal, property), codes (system → values) and kind."""

    iri: URIRef
    labels: list[tuple[Literal, URIRef]] = field(default_factory=list)
    codes: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    nace_predicates: dict[str, URIRef] = field(default_factory=dict)
    mapped: dict[str, URIRef] = field(default_factory=dict)
    kind: str = "unknown"

    def label(self, lang: str = "en") -> str:
        """A display label (``lang`` preferred, preferred labels first)."""
        ordered = sorted(self.labels, key=lambda lp: lp[1] not in PREF_PROPS)
        for lit, _ in ordered:
            if lit.language == lang:
                return str(lit)
        return str(ordered[0][0]) if ordered else ""


@dataclass
class Candidate:
    """A proposed mapping with its confidence and what matched."""

    subject: Entity
    object: Entity
    predicate: URIRef
    score: float
    justification: str
    match_string: str
    subject_field: str
    object_field: str
    measure: str = ""
    similarity: float | None = None


# --------------------------------------------------------------------------- labels

_PAREN_RE = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]")
_CODE_PREFIX_RE = re.compile(r"^\s*[A-Z]?\d+(?:\.\d+)*\s*[-–—:]\s+")
_CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def normalise(label: str) -> str:
    """NFKC, case-folded, punctuation and whitespace removed (the form exact matches compare)."""
    s = unicodedata.normalize("NFKC", label).casefold()
    return "".join(ch for ch in s if unicodedata.category(ch)[0] in "LN")


def variants(label: str) -> list[str]:
    """The label and, when different, the label without a leading code ("29 - ") or parenthesised parts."""
    out = [label.strip()]
    bare = _CODE_PREFIX_RE.sub("", label)
    for v in (bare.strip(), re.sub(r"\s+", " ", _PAREN_RE.sub(" ", bare)).strip()):
        if v and v not in out:
            out.append(v)
    return out


def _stem(word: str) -> str:
    if len(word) > 3 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def content_key(label: str) -> str:
    """The label's content words, sorted (Latin: stemmed; Chinese: the characters without generic suffixes).

    >>> content_key("Manufacture of textiles")
    'textile'
    >>> content_key("纺织服装、服饰业")
    '纺织服装服饰'
    """
    s = unicodedata.normalize("NFKC", _PAREN_RE.sub(" ", _CODE_PREFIX_RE.sub("", label))).casefold()
    if _CJK_RE.search(s):
        text = "".join(ch for ch in s if unicodedata.category(ch)[0] in "LN")
        for suffix in sorted((g for g in GENERIC if _CJK_RE.match(g)), key=len, reverse=True):
            if text.endswith(suffix) and len(text) > len(suffix) + 1:
                text = text[: -len(suffix)]
                break
        return text
    words = [_stem(w) for w in re.findall(r"[^\W_]+", s)]
    content = [w for w in words if w not in GENERIC]
    return " ".join(sorted(content or words))


def _lang_of(lit: Literal) -> str | None:
    """``zh`` or ``en`` for a label we compare, None for other languages."""
    lang = (lit.language or "").lower()
    if lang.startswith("zh"):
        return "zh"
    if lang in ("", "en") or lang.startswith("en-"):
        return "zh" if not lang and _CJK_RE.search(str(lit)) else "en"
    return None


# --------------------------------------------------------------------------- entities and kinds


def nace_code(iri: str) -> str | None:
    """The NACE Rev. 2 code an IRI names (Eurostat, RAMON or DPV NACE), without dots; None otherwise."""
    for ns in (str(NACE2), str(NACE_RAMON)):
        if iri.startswith(ns):
            code = iri[len(ns):].replace(".", "")
            if re.fullmatch(r"[A-U]|\d{2,4}", code):
                return code
    for ns in DPV_NACE:
        if iri.startswith(ns):
            m = re.fullmatch(r"([A-U])(\d{2}(?:\.\d{1,2})?)?", iri[len(ns):])
            if m:
                return m.group(2).replace(".", "") if m.group(2) else m.group(1)
    return None


def their_kind(g: Graph, node: URIRef, entity: Entity) -> str:
    """The kind of an entity of theirs: activity (a NACE/ISIC code), a kind from its upper classes, or unknown."""
    if entity.codes.get("nace") or entity.codes.get("isic"):
        return "activity"
    seen: set[URIRef] = set()
    todo = [node]
    while todo and len(seen) < 200:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        if n != node and str(n) in ROOT_KINDS:
            return ROOT_KINDS[str(n)]
        todo.extend(o for p in (RDFS.subClassOf, RDF.type) for o in g.objects(n, p) if isinstance(o, URIRef))
    label = entity.label("en").casefold()
    for suffix, kind in ((" role", "role"), (" function", "function")):
        if label.endswith(suffix):
            return kind
    return "unknown"


def entities_of(g: Graph, *, ours: bool) -> dict[URIRef, Entity]:
    """The labelled (or coded) entities of ``g``; for ours, only the kinds of :data:`KIND_OF_OURS`."""
    out: dict[URIRef, Entity] = {}

    def ent(s: URIRef) -> Entity | None:
        if ours:
            rest = str(s)[len(str(ID)):] if str(s).startswith(str(ID)) else ""
            kind = KIND_OF_OURS.get(rest.split("/", 1)[0])
            if kind is None:
                return None
            return out.setdefault(s, Entity(s, kind=kind))
        return out.setdefault(s, Entity(s))

    for p in LABEL_PROPS:
        for s, o in g.subject_objects(p):
            if isinstance(s, URIRef) and isinstance(o, Literal) and str(o).strip():
                e = ent(s)
                if e is not None:
                    e.labels.append((o, p))
    for p, system in CODE_PROPS.items():
        for s, o in g.subject_objects(p):
            if not isinstance(s, URIRef) or not isinstance(o, Literal):
                continue
            e = ent(s)
            if e is None:
                continue
            sys_ = system
            if system == "notation":
                if nace_code(str(s)) is not None:
                    sys_ = "nace"
                elif str(s).startswith(str(ID["gbt4754/"])):
                    sys_ = "gbt4754"
            e.codes[sys_].add(str(o).replace(".", "") if sys_ == "nace" else str(o))
    if ours:  # NACE codes our data carries through its skos matches
        for p in (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch):
            for s, o in g.subject_objects(p):
                if not isinstance(s, URIRef) or not isinstance(o, URIRef) or (e := ent(s)) is None:
                    continue
                e.mapped.setdefault(str(o), p)
                code = nace_code(str(o))
                if code:
                    e.codes["nace"].add(code)
                    e.nace_predicates.setdefault(code, p)
        return out
    for s, e in out.items():
        code = nace_code(str(s))
        if code:
            e.codes["nace"].add(code)
        e.kind = their_kind(g, s, e)
    return out


def compatible(ours: Entity, theirs: Entity) -> bool:
    """Whether the two kinds may be mapped (:data:`COMPATIBLE`)."""
    return theirs.kind in COMPATIBLE.get(ours.kind, frozenset({"unknown"}))


# --------------------------------------------------------------------------- proposing


def _code_field(system: str) -> str:
    return {"nace": RAMON + "code", "isic": RAMON + "iSIC4Code"}.get(system, str(SKOS.notation))


def _by_codes(ours: dict[URIRef, Entity], theirs: dict[URIRef, Entity]) -> list[Candidate]:
    index: dict[tuple[str, str], list[Entity]] = defaultdict(list)
    for e in theirs.values():
        for system, values in e.codes.items():
            for v in values:
                index[(system, v)].append(e)
    out = []
    for e in ours.values():
        for iri, pred in sorted(e.mapped.items()):  # our data maps to this very entity
            if (t := theirs.get(URIRef(iri))) is not None:
                out.append(Candidate(e, t, pred, 0.7 if pred == SKOS.relatedMatch else 0.9,
                                     "semapv:ManualMappingCuration", iri, "stated-mapping", iri))
        for system in ("nace", "isic"):  # GB/T codes are never compared with other systems' codes
            for v in sorted(e.codes.get(system, ())):
                hits = index.get((system, v), [])
                for t in hits:
                    if system == "nace":
                        pred = e.nace_predicates.get(v, SKOS.closeMatch)
                        conf = 0.7 if pred == SKOS.relatedMatch else 0.9
                        out.append(Candidate(e, t, pred, conf, "semapv:LexicalMatching", v, "nace-code", _code_field("nace")))
                    elif len(e.codes["isic"]) > 1:  # ours spans several codes: related to each
                        out.append(Candidate(e, t, SKOS.relatedMatch, 0.7, "semapv:LexicalMatching", v,
                                             str(YRD.isicRev4Code), _code_field("isic")))
                    else:
                        one = len(hits) == 1
                        out.append(Candidate(e, t, SKOS.closeMatch if one else SKOS.narrowMatch, 0.85 if one else 0.7,
                                             "semapv:LexicalMatching", v, str(YRD.isicRev4Code), _code_field("isic")))
    return out


@dataclass(frozen=True)
class _Label:
    entity: URIRef
    text: str
    prop: URIRef
    lang: str
    variant: bool
    norm: str
    key: str


def _labels(ents: dict[URIRef, Entity]) -> list[_Label]:
    out = []
    for e in ents.values():
        for lit, prop in e.labels:
            lang = _lang_of(lit)
            if lang is None:
                continue
            for i, v in enumerate(variants(str(lit))):
                n = normalise(v)
                if n:
                    out.append(_Label(e.iri, v, prop, lang, i > 0 or prop not in PREF_PROPS, n, content_key(v)))
    return out


def _by_labels(ours: dict[URIRef, Entity], theirs: dict[URIRef, Entity]) -> list[Candidate]:
    out: list[Candidate] = []
    mine, other = _labels(ours), _labels(theirs)
    for lang in ("zh", "en"):
        a = [x for x in mine if x.lang == lang]
        b = [x for x in other if x.lang == lang]
        if not a or not b:
            continue
        exact: dict[str, list[_Label]] = defaultdict(list)
        by_key: dict[str, list[_Label]] = defaultdict(list)
        for x in b:
            exact[x.norm].append(x)
            by_key[x.key].append(x)
        sims = process.cdist([x.key for x in a], [x.key for x in b], scorer=fuzz.ratio,
                             score_cutoff=SIMILARITY_CUTOFF * 100, workers=1)
        for i, x in enumerate(a):
            s_ent = ours[x.entity]
            for y in exact.get(x.norm, []):
                pref = not x.variant and not y.variant
                out.append(Candidate(s_ent, theirs[y.entity], SKOS.exactMatch if pref else SKOS.closeMatch,
                                     0.9 if pref else 0.8, "semapv:LexicalMatching", x.text, str(x.prop), str(y.prop)))
            for y in by_key.get(x.key, []):
                if y.norm != x.norm:
                    out.append(Candidate(s_ent, theirs[y.entity], SKOS.closeMatch, 0.75, "semapv:LexicalMatching",
                                         f"{x.text} | {y.text}", str(x.prop), str(y.prop)))
            for j in sims[i].nonzero()[0]:
                y = b[int(j)]
                if y.key == x.key:
                    continue
                s = float(sims[i][j]) / 100
                out.append(Candidate(s_ent, theirs[y.entity], SKOS.relatedMatch, round(0.5 + (s - SIMILARITY_CUTOFF), 3),
                                     "semapv:LexicalSimilarityThresholdMatching", f"{x.text} | {y.text}",
                                     str(x.prop), str(y.prop), "Levenshtein ratio of the content words (rapidfuzz)", s))
    return out


def propose(ours: dict[URIRef, Entity], theirs: dict[URIRef, Entity], *, min_score: float = 0.5,
            max_per_subject: int = MAX_PER_SUBJECT) -> list[Candidate]:
    """Candidate mappings from ``ours`` to ``theirs``: the best per pair, compatible kinds, a few per subject."""
    best: dict[tuple[URIRef, URIRef], Candidate] = {}
    for c in [*_by_codes(ours, theirs), *_by_labels(ours, theirs)]:
        if c.score < min_score or not compatible(c.subject, c.object):
            continue
        k = (c.subject.iri, c.object.iri)
        if k not in best or c.score > best[k].score:
            best[k] = c
    per_subject: dict[URIRef, list[Candidate]] = defaultdict(list)
    for c in best.values():
        per_subject[c.subject.iri].append(c)
    out: list[Candidate] = []
    for cands in per_subject.values():
        cands.sort(key=lambda c: (-c.score, len(str(c.object.iri)), str(c.object.iri)))
        top, lexical, seen = cands[0].score, 0, set()
        for c in cands:
            if c.subject_field in CODE_FIELDS:  # rests on a code our data maps: always kept
                out.append(c)
                continue
            label = content_key(c.object.label("en"))  # one of several entities with one label (NACE 12, 12.0, 12.00)
            if label in seen or lexical >= max_per_subject or c.score < top - DROP_BELOW_BEST:
                continue
            seen.add(label)
            lexical += 1
            out.append(c)
    return sorted(out, key=lambda c: (-c.score, str(c.subject.iri), str(c.object.iri)))
