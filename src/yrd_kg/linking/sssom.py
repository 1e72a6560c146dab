"""Crosswalks as SSSOM: the mappings the graph ships, written and read as SSSOM/TSV without the ``sssom`` package.

The shipped set (``yrd-kg mappings``) is collected from the built graph:

- every ``skos:exactMatch`` / ``closeMatch`` / ``broadMatch`` / ``narrowMatch`` / ``relatedMatch`` whose
  subject is a project IRI (places → Wikidata and GeoNames, industries → the minted GB/T 4754-2017
  divisions and NACE Rev. 2, instrument types → OEO, ontology terms → other vocabularies);
- ``rdfs:subClassOf`` from a project class to an external class (e.g. ``yrd:Organisation`` →
  ``org:Organization``);
- ``yrd:isicRev4Code`` as literal mappings (ISIC Rev. 4 has no verified RDF namespace: ``object_type``
  is ``rdfs literal`` and the code is the ``object_label``);
- each instrument's ``yrd:hasInstrumentType`` (Hood's NATO, Climate Policy Radar, OEO, STIP) and,
  chained through the type's own OEO match, the OEO instrument class;
- each policy document against ELI: ``skos:broadMatch eli:Work`` and, negated (``predicate_modifier: Not``),
  ``skos:broadMatch eli:LegalResource`` (organisations are covered by the class row
  ``yrd:Organisation rdfs:subClassOf org:Organization``: an instance's typing is not a term mapping);
- a few curated crosswalks between the four instrument typologies (:data:`TYPOLOGY_CROSSWALK`).

The TSV follows the SSSOM specification: a ``#``-prefixed YAML metadata block (``curie_map``,
``mapping_set_id``, ``license`` …) and one row per mapping, with CURIEs for every entity.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from yrd_kg.errors import InputError
from yrd_kg.namespaces import BASE, ELI, ID, PREFIXES, VERSION, YRD, compact

#: the SSSOM mapping-set IRI of the shipped crosswalks
MAPPING_SET_ID = f"{BASE}mappings/yrd-kg.sssom.tsv"
LICENSE = "https://spdx.org/licenses/MIT.html"
SEMAPV = "https://w3id.org/semapv/vocab/"
SSSOM_NS = "https://w3id.org/sssom/"
OEO = "https://openenergyplatform.org/ontology/oeo/"
ITYPE = ID["itype/"]

#: SSSOM slots in the order of the specification (those used here)
COLUMNS: tuple[str, ...] = (
    "subject_id", "subject_label", "subject_category", "predicate_id", "predicate_label", "predicate_modifier",
    "object_id", "object_label", "object_category", "mapping_justification", "author_id", "author_label",
    "reviewer_id", "reviewer_label", "creator_id", "creator_label", "license", "subject_type", "subject_source",
    "subject_source_version", "object_type", "object_source", "object_source_version", "mapping_provider",
    "mapping_set_id", "mapping_set_version", "mapping_tool", "mapping_tool_version", "mapping_date",
    "publication_date", "confidence", "curation_rule", "curation_rule_text", "subject_match_field",
    "object_match_field", "match_string", "subject_preprocessing", "object_preprocessing", "similarity_score",
    "similarity_measure", "see_also", "issue_tracker_item", "other", "comment",
)
#: columns every row must fill
REQUIRED = ("subject_id", "predicate_id", "object_id", "mapping_justification")
#: metadata keys the mapping set must carry
REQUIRED_METADATA = ("curie_map", "mapping_set_id", "license")
#: the mapping-justification values of SEMAPV used here
JUSTIFICATIONS = frozenset(
    f"semapv:{n}" for n in (
        "ManualMappingCuration", "LexicalMatching", "LogicalReasoning", "MappingChaining", "MappingReview",
        "CompositeMatching", "UnspecifiedMatching", "LexicalSimilarityThresholdMatching", "StructuralMatching",
        "BackgroundKnowledgeBasedMatching", "InstanceBasedMatching", "SemanticSimilarityThresholdMatching",
    )
)
MATCH_PREDICATES = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch)
#: the mapping predicates the SSSOM schema recommends (its examples for ``predicate_id``); no other is written
RECOMMENDED_PREDICATES = frozenset({
    "skos:exactMatch", "skos:closeMatch", "skos:broadMatch", "skos:narrowMatch", "skos:relatedMatch",
    "owl:sameAs", "owl:equivalentClass", "owl:equivalentProperty", "rdfs:subClassOf", "rdfs:subPropertyOf",
    "oboInOwl:hasDbXref", "rdfs:seeAlso",
})
#: rows with one of these predicates (or ``predicate_modifier: Not``) are rejections, never accepted
REJECT_PREDICATES = frozenset({"skos:noMatch", "sssom:NoMatch"})
NO_TERM_FOUND = "sssom:NoTermFound"

#: prefixes known to the curie map (the project's plus the external ones mappings point to)
CURIE_MAP: dict[str, str] = {
    **PREFIXES,
    "geonames": "https://sws.geonames.org/",
    "nace-r2": "http://ec.europa.eu/eurostat/ramon/rdfdata/nace_r2/",
    "oeo": OEO,
    "semapv": SEMAPV,
    "sssom": SSSOM_NS,
    "obo": "http://purl.obolibrary.org/obo/",
}

#: the usual prefixes of the recommended predicates (a file may bind them to other names)
PREFIXES_FOR_PREDICATES = {"skos": str(SKOS), "owl": str(OWL), "rdfs": str(RDFS),
                           "oboInOwl": "http://www.geneontology.org/formats/oboInOwl#"}

_CONFIDENCE = {
    SKOS.exactMatch: 1.0, SKOS.closeMatch: 0.9, SKOS.broadMatch: 0.9, SKOS.narrowMatch: 0.9,
    SKOS.relatedMatch: 0.7, RDFS.subClassOf: 1.0,
}


class SSSOMError(InputError, ValueError):
    """A mapping set is not well-formed SSSOM/TSV (the message lists the problems)."""


@dataclass
class MappingRow:
    """One SSSOM mapping. Entities are full IRIs here; they are compacted to CURIEs on writing."""

    subject_id: str
    predicate_id: str
    object_id: str
    mapping_justification: str = "semapv:ManualMappingCuration"
    subject_label: str = ""
    object_label: str = ""
    confidence: float | None = None
    comment: str = ""
    subject_type: str = ""
    object_type: str = ""
    subject_source: str = ""
    object_source: str = ""
    predicate_modifier: str = ""
    reviewer_id: str = ""
    author_id: str = ""
    mapping_tool: str = ""
    match_string: str = ""
    subject_match_field: str = ""
    object_match_field: str = ""
    similarity_score: float | None = None
    similarity_measure: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str, str]:
        """(subject, predicate, object) as given."""
        return (self.subject_id, self.predicate_id, self.object_id)

    def cells(self, curies: CurieMap) -> dict[str, str]:
        """The row as SSSOM cells (CURIEs, confidence with at most three decimals)."""
        out: dict[str, str] = {}
        for f in fields(self):
            if f.name == "extra":
                continue
            v = getattr(self, f.name)
            if v is None or v == "":
                continue
            if f.name in ("subject_id", "object_id", "predicate_id", "mapping_justification", "reviewer_id",
                          "author_id", "subject_source", "object_source", "subject_match_field",
                          "object_match_field"):
                out[f.name] = curies.compact(str(v))
            elif isinstance(v, float):
                out[f.name] = f"{v:.3f}".rstrip("0").rstrip(".") if v != int(v) else f"{v:.1f}"
            else:
                out[f.name] = _clean(str(v))
        out.update({k: _clean(v) for k, v in self.extra.items() if v})
        return out


def _clean(text: str) -> str:
    """One line, no tabs (TSV cells)."""
    return re.sub(r"\s+", " ", text).strip()


class CurieMap:
    """Compact IRIs with a prefix map (longest namespace wins) and record which prefixes were used."""

    def __init__(self, prefixes: Mapping[str, str] | None = None) -> None:
        self.prefixes = dict(prefixes if prefixes is not None else CURIE_MAP)
        self.used: set[str] = set()

    def compact(self, value: str) -> str:
        """``value`` as a CURIE; a value that already is a CURIE of a known prefix is kept."""
        pfx, _, local = value.partition(":")
        if pfx in self.prefixes and not local.startswith("//"):
            self.used.add(pfx)
            return value
        curie = compact(value, self.prefixes, allow_empty=True)
        if curie == value:
            raise SSSOMError(f"no prefix in the curie map for <{value}>")
        self.used.add(curie.partition(":")[0])
        return curie

    def expand(self, curie: str) -> str:
        """The full IRI of ``curie``; :class:`SSSOMError` when its prefix is unknown."""
        pfx, sep, local = curie.partition(":")
        if not sep or pfx not in self.prefixes or local.startswith("//"):
            raise SSSOMError(f"{curie!r} is not a CURIE with a prefix of the curie map")
        return self.prefixes[pfx] + local

    def used_map(self) -> dict[str, str]:
        """The part of the prefix map actually used (sorted)."""
        return {p: self.prefixes[p] for p in sorted(self.used)}


_LOCAL_OK = re.compile(r"^[^\s<>\"{}|\\^`#]*$")
_CURIE_RE = re.compile(r"^[A-Za-z_][\w.\-]*:\S+$")


# --------------------------------------------------------------------------- writing and reading


def default_metadata(**over: Any) -> dict[str, Any]:
    """The mapping-set metadata of the shipped crosswalks (``over`` replaces keys)."""
    meta: dict[str, Any] = {
        "mapping_set_id": MAPPING_SET_ID,
        "mapping_set_version": VERSION,
        "mapping_set_title": "yrd-kg crosswalks: places, industries, instruments, organisations and documents",
        "mapping_set_description": (
            "Mappings shipped with the knowledge graph of Chen & Zhang (2023), 共建长三角世界级先进制造业集群: "
            "places to Wikidata and GeoNames (verified ids only), industries to GB/T 4754-2017 divisions, "
            "NACE Rev. 2 and ISIC Rev. 4 codes, policy instruments to Hood's NATO, Climate Policy Radar, "
            "OEO and STIP Compass types, organisations to W3C ORG and policy documents to ELI. "
            "Instrument typing and industry correspondences are the graph's interpretation."
        ),
        "license": LICENSE,
        "creator_label": ["yrd-kg developers"],
        "mapping_tool": "yrd-kg",
        "mapping_tool_version": VERSION,
    }
    meta.update(over)
    return meta


def write_sssom(rows: Iterable[MappingRow], metadata: Mapping[str, Any] | None = None,
                curie_map: Mapping[str, str] | None = None) -> str:
    """The mapping set as SSSOM/TSV text: the ``#`` YAML block, then the header and the rows (sorted)."""
    curies = CurieMap(curie_map)
    meta = dict(metadata if metadata is not None else default_metadata())
    rows = list(rows)
    cells = [r.cells(curies) for r in rows]
    cols = [c for c in COLUMNS if any(c in row for row in cells)]
    extra = sorted({k for row in cells for k in row if k not in COLUMNS})
    cols += extra
    cells.sort(key=lambda c: (c["subject_id"], c["predicate_id"], c.get("object_id", ""), c.get("object_label", "")))
    meta_out = {"curie_map": curies.used_map(), **{k: v for k, v in meta.items() if k != "curie_map"}}
    block = yaml.safe_dump(meta_out, allow_unicode=True, sort_keys=False, width=1000)
    buf = io.StringIO()
    for line in block.splitlines():
        buf.write(f"#{line}\n")
    w = csv.writer(buf, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(cols)
    for c in cells:
        w.writerow([c.get(k, "") for k in cols])
    return buf.getvalue()


@dataclass
class MappingSet:
    """A parsed SSSOM/TSV file: metadata (with ``curie_map``), column names and rows as dicts."""

    metadata: dict[str, Any]
    columns: list[str]
    rows: list[dict[str, str]]

    @property
    def curie_map(self) -> CurieMap:
        """The set's prefix map."""
        return CurieMap(self.metadata.get("curie_map") or {})


def read_sssom(source: str | Path) -> MappingSet:
    """Parse SSSOM/TSV text (or a file path) into a :class:`MappingSet`."""
    text = Path(source).read_text(encoding="utf-8") if isinstance(source, Path) else source
    meta_lines: list[str] = []
    body: list[str] = []
    for line in text.splitlines():
        if not body and line.startswith("#"):
            meta_lines.append(line[1:])
        elif line.strip() or body:
            body.append(line)
    try:
        meta = yaml.safe_load("\n".join(meta_lines)) if meta_lines else {}
    except yaml.YAMLError as exc:
        raise SSSOMError(f"the metadata block is not YAML: {exc}") from exc
    if not isinstance(meta, dict):
        raise SSSOMError("the metadata block is not a YAML mapping")
    reader = csv.reader(body, delimiter="\t")
    try:
        header = next(reader)
    except StopIteration:
        raise SSSOMError("no header row") from None
    rows = []
    for n, r in enumerate(reader, start=2):
        if not any(x.strip() for x in r):
            continue
        if len(r) != len(header):
            raise SSSOMError(f"row {n}: {len(r)} cells for {len(header)} columns")
        rows.append(dict(zip(header, r, strict=True)))
    return MappingSet(meta, header, rows)


def validate_sssom(text: str) -> list[str]:
    """Problems that make ``text`` not a well-formed SSSOM/TSV mapping set (empty list: fine)."""
    try:
        ms = read_sssom(text)
    except SSSOMError as exc:
        return [str(exc)]
    problems: list[str] = []
    for k in REQUIRED_METADATA:
        if k not in ms.metadata:
            problems.append(f"metadata: missing {k}")
    cmap = ms.metadata.get("curie_map") or {}
    if not isinstance(cmap, dict):
        problems.append("metadata: curie_map is not a mapping")
        cmap = {}
    for c in ms.columns:
        if c not in COLUMNS:
            problems.append(f"column {c!r} is not an SSSOM slot")
    for c in REQUIRED:
        if c not in ms.columns:
            problems.append(f"missing column {c}")
    if problems:
        return problems
    for n, r in enumerate(ms.rows, start=1):
        for c in ("subject_id", "predicate_id", "object_id", "mapping_justification"):
            v = r.get(c, "")
            literal = (c == "object_id" and r.get("object_type") == "rdfs literal") or (
                c == "subject_id" and r.get("subject_type") == "rdfs literal")
            if not v:
                if literal:
                    continue
                problems.append(f"row {n}: empty {c}")
                continue
            if not _CURIE_RE.match(v) or v.split(":", 1)[0] not in cmap:
                problems.append(f"row {n}: {c} {v!r} is not a CURIE of the curie_map")
        pred = r.get("predicate_id", "")
        if pred and pred not in RECOMMENDED_PREDICATES and pred not in REJECT_PREDICATES and _CURIE_RE.match(pred) and (
                pred.split(":", 1)[0] in cmap):
            full = cmap[pred.split(":", 1)[0]] + pred.split(":", 1)[1]
            if compact(full, PREFIXES_FOR_PREDICATES, allow_empty=True) not in RECOMMENDED_PREDICATES:
                problems.append(f"row {n}: predicate_id {pred!r} is not one of SSSOM's mapping predicates "
                                f"({', '.join(sorted(RECOMMENDED_PREDICATES))})")
        if r.get("mapping_justification") and r["mapping_justification"] not in JUSTIFICATIONS:
            problems.append(f"row {n}: unknown mapping_justification {r['mapping_justification']!r}")
        for c in ("confidence", "similarity_score"):
            v = r.get(c, "")
            if v:
                try:
                    x = float(v)
                except ValueError:
                    problems.append(f"row {n}: {c} {v!r} is not a number")
                    continue
                if not 0.0 <= x <= 1.0:
                    problems.append(f"row {n}: {c} {v} is outside [0, 1]")
        if r.get("predicate_modifier") not in (None, "", "Not"):
            problems.append(f"row {n}: predicate_modifier must be empty or Not")
        if r.get("object_type") == "rdfs literal" and not r.get("object_label"):
            problems.append(f"row {n}: literal mapping without object_label")
    return problems


# --------------------------------------------------------------------------- the shipped crosswalks


def _label(g: Graph, node: Any, lang: str = "en") -> str:
    best = ""
    for p in (SKOS.prefLabel, RDFS.label):
        for o in g.objects(node, p):
            if isinstance(o, Literal):
                if o.language == lang:
                    return str(o)
                if not best and (o.language in (None, "zh")):
                    best = str(o)
        if best:
            return best
    return best


def _comment(g: Graph, node: Any) -> str:
    for o in g.objects(node, RDFS.comment):
        if isinstance(o, Literal) and o.language == "en":
            return _clean(str(o))
    return ""


def _ours(iri: object) -> bool:
    return isinstance(iri, URIRef) and str(iri).startswith(BASE)


#: curated crosswalks between the instrument typologies: (subject itype slug, predicate, object, confidence, why)
TYPOLOGY_CROSSWALK: tuple[tuple[str, URIRef, str, float, str], ...] = (
    ("cpr-economic", SKOS.closeMatch, OEO + "OEO_00010456", 0.8,
     "CPR 'economic' and OEO 'economic instrument' both work through monetary incentives; CPR's type also "
     "covers public investment, so close, not exact."),
    ("cpr-regulatory", SKOS.closeMatch, OEO + "OEO_00010458", 0.9,
     "Both are rules set by government to control how something is done."),
    ("cpr-information-education", SKOS.narrowMatch, OEO + "OEO_00010459", 0.9,
     "CPR joins information and education in one type; OEO's information instrument is one half (narrower)."),
    ("cpr-information-education", SKOS.narrowMatch, OEO + "OEO_00010460", 0.9,
     "CPR joins information and education in one type; OEO's education instrument is one half (narrower)."),
    ("nato-nodality", SKOS.relatedMatch, OEO + "OEO_00010459", 0.7,
     "Hood's nodality (government as information hub) is related to, not the same as, OEO's information instrument."),
    ("nato-authority", SKOS.relatedMatch, OEO + "OEO_00010458", 0.7,
     "Hood's authority (legal power) underlies, but is broader than, OEO's regulatory instrument."),
    ("nato-treasure", SKOS.relatedMatch, OEO + "OEO_00010456", 0.7,
     "Hood's treasure (money, fungible assets) overlaps OEO's economic instrument (monetary incentives)."),
    ("nato-nodality", SKOS.relatedMatch, ID["itype/cpr-information-education"], 0.7,
     "Nodality tools mostly fall under CPR's information & education type."),
    ("nato-authority", SKOS.relatedMatch, ID["itype/cpr-regulatory"], 0.7,
     "Authority tools mostly fall under CPR's regulatory type."),
    ("nato-treasure", SKOS.relatedMatch, ID["itype/cpr-economic"], 0.7,
     "Treasure tools mostly fall under CPR's economic type."),
    ("nato-organisation", SKOS.relatedMatch, ID["itype/cpr-governance"], 0.7,
     "Organisation tools (bodies, platforms) mostly fall under CPR's governance type."),
    ("stip-pi006", SKOS.broadMatch, ID["itype/cpr-economic"], 0.8,
     "STIP PI006 (grants for business R&D and innovation) is a kind of economic instrument."),
    ("stip-pi024", SKOS.broadMatch, ID["itype/cpr-governance"], 0.8,
     "STIP PI024 (strategies, agendas and plans) is a governance instrument in CPR's sense."),
)

_TYPOLOGY = {"nato": "Hood's NATO", "cpr": "Climate Policy Radar", "oeo": "Open Energy Ontology", "stip": "STIP Compass"}


def _typology(itype: URIRef) -> str:
    slug = str(itype)[len(str(ITYPE)):]
    return slug.split("-", 1)[0]


def shipped_mappings(g: Graph | None = None) -> list[MappingRow]:
    """Every crosswalk the graph ships (see the module docstring), as :class:`MappingRow` objects."""
    if g is None:
        from yrd_kg.dataset.store import open_dataset

        g = open_dataset().rdflib_graph()
    rows: dict[tuple[str, str, str, str], MappingRow] = {}

    def add(r: MappingRow) -> None:
        rows.setdefault((*r.key, r.object_label if r.object_type == "rdfs literal" else ""), r)

    # 1. skos matches and external superclasses stated in the graph
    for p in MATCH_PREDICATES:
        for s, o in g.subject_objects(p):
            if not _ours(s) or not isinstance(o, URIRef):
                continue
            add(MappingRow(str(s), str(p), str(o), subject_label=_label(g, s), object_label=_label(g, o),
                           confidence=_CONFIDENCE[p], comment=_comment(g, s)))
    for s, o in g.subject_objects(RDFS.subClassOf):
        if _ours(s) and isinstance(o, URIRef) and not _ours(o) and not str(o).startswith(
                (str(OWL), str(RDFS), str(RDF), str(SKOS))):
            add(MappingRow(str(s), str(RDFS.subClassOf), str(o), subject_label=_label(g, s),
                           confidence=1.0, subject_type="owl class", object_type="owl class"))
    # 2. ISIC Rev. 4 codes: literal mappings
    for s, code in g.subject_objects(YRD.isicRev4Code):
        if not isinstance(s, URIRef):
            continue
        codes = list(g.objects(s, YRD.isicRev4Code))
        nace = URIRef(CURIE_MAP["nace2"] + str(code))
        pred = next((p for p in MATCH_PREDICATES if (s, p, nace) in g), None)
        if pred is None:
            pred = SKOS.closeMatch if len(codes) == 1 else SKOS.relatedMatch
        add(MappingRow(str(s), str(pred), "", subject_label=_label(g, s), object_label=str(code),
                       object_type="rdfs literal",
                       confidence=_CONFIDENCE.get(pred, 0.8),
                       comment="ISIC Rev. 4 code (no verified RDF namespace, kept as a notation)"
                       + ("; predicate as for the NACE Rev. 2 division of the same code" if (s, pred, nace) in g else "")))
    # 3. instruments and their types
    oeo_of: dict[URIRef, list[tuple[URIRef, URIRef]]] = {}
    for t in g.subjects(RDF.type, YRD.InstrumentType):
        if isinstance(t, URIRef):
            oeo_of[t] = [(p, o) for p in (SKOS.exactMatch, SKOS.closeMatch) for o in g.objects(t, p)
                         if isinstance(o, URIRef) and str(o).startswith(OEO)]
    for inst in sorted(g.subjects(RDF.type, YRD.PolicyInstrument), key=str):
        if not isinstance(inst, URIRef):
            continue
        types = sorted(t for t in g.objects(inst, YRD.hasInstrumentType) if isinstance(t, URIRef))
        by_typology: dict[str, list[URIRef]] = {}
        for t in types:
            by_typology.setdefault(_typology(t), []).append(t)
        for typ, ts in by_typology.items():
            mixed = len(ts) > 1
            for t in ts:
                pred = SKOS.relatedMatch if mixed else SKOS.broadMatch
                why = (f"{_TYPOLOGY.get(typ, typ)}: one of {len(ts)} types in this typology (a mixed instrument, "
                       "so relatedMatch, not broadMatch)" if mixed else
                       f"{_TYPOLOGY.get(typ, typ)}: the instrument is a kind of this type (broadMatch)")
                add(MappingRow(str(inst), str(pred), str(t), subject_label=_label(g, inst),
                               object_label=_label(g, t), confidence=0.7 if mixed else 0.8,
                               comment=why + "; the typing is the graph's interpretation (yrd:hasInstrumentType)"))
                for _tp, oeo in oeo_of.get(t, []):
                    add(MappingRow(str(inst), str(pred), str(oeo), subject_label=_label(g, inst),
                                   object_label=_label(g, oeo) or _label(g, t),
                                   mapping_justification="semapv:MappingChaining", confidence=0.6 if mixed else 0.7,
                                   comment=f"chained: yrd:hasInstrumentType {g.qname(t)} whose OEO match is this class"))
    for slug, pred, obj, conf, why in TYPOLOGY_CROSSWALK:
        s = ID[f"itype/{slug}"]
        if (s, RDF.type, YRD.InstrumentType) in g:
            add(MappingRow(str(s), str(pred), obj, subject_label=_label(g, s),
                           object_label=_label(g, URIRef(obj)) or _OEO_LABELS.get(obj, ""), confidence=conf,
                           comment=why))
    # 4. organisations → W3C ORG: the class row ``yrd:Organisation rdfs:subClassOf org:Organization`` (step 1)
    #    says it; an instance's typing is not a mapping (SSSOM maps terms), so no row per organisation.
    # 5. documents → ELI: each is a work, none a legal act (a negated broadMatch, SSSOM's predicate_modifier Not)
    for d in sorted(g.subjects(RDF.type, YRD.PolicyDocument), key=str):
        if isinstance(d, URIRef):
            add(MappingRow(str(d), str(SKOS.broadMatch), str(ELI.Work), subject_label=_label(g, d), object_label="Work",
                           confidence=0.9, subject_type="owl named individual", object_type="owl class",
                           comment="a plan, programme, report or white paper: a distinct intellectual creation "
                                   "(eli:Work), deliberately not eli:LegalResource"))
            add(MappingRow(str(d), str(SKOS.broadMatch), str(ELI.LegalResource), subject_label=_label(g, d),
                           object_label="LegalResource", predicate_modifier="Not", confidence=0.9,
                           subject_type="owl named individual", object_type="owl class",
                           comment="not a legal act, so not an eli:LegalResource (predicate_modifier Not)"))
    return list(rows.values())


_OEO_LABELS = {
    OEO + "OEO_00010456": "economic instrument",
    OEO + "OEO_00010458": "regulatory instrument",
    OEO + "OEO_00010459": "information instrument",
    OEO + "OEO_00010460": "education instrument",
    OEO + "OEO_00010461": "voluntary agreement instrument",
    OEO + "OEO_00140151": "policy instrument",
}


def export_mappings(output: Path | None = None, *, g: Graph | None = None) -> str:
    """The shipped crosswalks as one SSSOM/TSV mapping set; written to ``output`` when given."""
    rows = shipped_mappings(g)
    for r in rows:
        if not r.object_label and r.object_id in _OEO_LABELS:
            r.object_label = _OEO_LABELS[r.object_id]
    text = write_sssom(rows, default_metadata())
    problems = validate_sssom(text)
    if problems:  # pragma: no cover - a bug, not an input error
        raise SSSOMError("; ".join(problems[:5]))
    if output is not None:
        from yrd_kg.dataset.build import write_atomic

        write_atomic(Path(output), text.encode("utf-8"))
    return text


def rows_to_graph(rows: Sequence[Mapping[str, str]], curies: CurieMap) -> Graph:
    """Accepted SSSOM rows as RDF triples (subject predicate object), skipping literal and no-term rows."""
    out = Graph()
    for r in rows:
        if not r.get("object_id") or r.get("object_id") == NO_TERM_FOUND:
            continue
        s, p, o = (curies.expand(r[k]) for k in ("subject_id", "predicate_id", "object_id"))
        out.add((URIRef(s), URIRef(p), URIRef(o)))
    return out
