"""IRIs of the project, decided once: namespaces, prefixes, CURIEs, the shapes namespace and the skolem scheme.

Terms are never spelled as strings elsewhere in Python: use ``YRD.Problem`` (a typo raises).
IRIs are shortened to CURIEs and expanded back only here (:func:`compact`, :func:`expand`), and blank
nodes are given IRIs only here (:func:`skolem`). See README "IRI policy".

>>> compact("https://w3id.org/yrd-kg/id/problem/P1.1")
'problem:P1.1'
>>> expand("problem:P1.1")
'https://w3id.org/yrd-kg/id/problem/P1.1'
>>> str(skolem("gab12cd34b7"))
'https://w3id.org/yrd-kg/.well-known/genid/gab12cd34b7'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

BASE = "https://w3id.org/yrd-kg/"
ONTOLOGY_IRI = URIRef(BASE + "ontology")


def _version() -> str:
    """The one version number: ``pyproject.toml`` in a checkout, else the installed package's metadata.

    A checkout's ``pyproject.toml`` wins over the metadata of an editable install, which goes stale when
    the version is bumped without reinstalling.
    """
    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    if pyproject.is_file():
        import tomllib

        project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
        if project.get("name") == "yrd-kg" and isinstance(project.get("version"), str):
            return str(project["version"])
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("yrd-kg")
    except PackageNotFoundError:  # pragma: no cover - neither a checkout nor an installed package
        return "0+unknown"


#: the release version (declared once, in ``pyproject.toml``); the ontology's owl:versionInfo agrees (a test checks)
VERSION = _version()
VERSION_IRI = URIRef(f"{BASE}ontology/{VERSION}")
ID = Namespace(BASE + "id/")
GRAPH = Namespace(BASE + "graph/")
#: the shapes namespace: shape IRIs and the project's own constraint components
YRDSH = Namespace(BASE + "shapes#")
#: the one skolem scheme (RDF 1.1 §3.5): a blank node labelled ``L`` in the build is ``GENID + L`` wherever
#: a blank node must become an IRI (pushing to a store, reasoning, a validation report)
GENID = BASE + ".well-known/genid/"

#: SHA-256 of the source text the evidence is anchored in (shared/source/paper.zh.txt).
SOURCE_SHA256 = "edd34c18056a6f0f99722e3299328c077aec27f682e736011b0f77d3e49770d7"


class YRD(DefinedNamespace):
    """The yrd-kg ontology (``https://w3id.org/yrd-kg/ontology#``)."""

    _fail = True
    _NS = Namespace(BASE + "ontology#")

    # -- the paper and its parts
    Paper: URIRef
    DocumentPart: URIRef
    Section: URIRef
    Subsection: URIRef
    SubPoint: URIRef
    FrontMatter: URIRef
    Table: URIRef
    Note: URIRef
    Reference: URIRef
    CitedWork: URIRef
    Citation: URIRef
    Journal: URIRef
    Grant: URIRef
    Person: URIRef
    SourceText: URIRef
    # -- places
    Region: URIRef
    Country: URIRef
    ProvinceLevelDivision: URIRef
    City: URIRef
    MacroRegion: URIRef
    CrossBoundaryArea: URIRef
    ForeignLocation: URIRef
    # -- industries and clusters
    Industry: URIRef
    IndustryClassificationCode: URIRef
    IndustrialCluster: URIRef
    # -- the argument
    Problem: URIRef
    Shortcoming: URIRef
    ProblemSubPoint: URIRef
    CausalFactor: URIRef
    Cause: URIRef
    Effect: URIRef
    BreakthroughPath: URIRef
    PathAction: URIRef
    PolicyRecommendation: URIRef
    PolicyMeasure: URIRef
    Remedy: URIRef
    Argument: URIRef
    PolicyInstrument: URIRef
    InstrumentType: URIRef
    Actor: URIRef
    Organisation: URIRef
    ActorRole: URIRef
    PolicyDocument: URIRef
    Exemplar: URIRef
    TheoryOrConcept: URIRef
    AttributedPosition: URIRef
    Finding: URIRef
    # -- statistics
    Indicator: URIRef
    # -- evidence and qualified links
    Evidence: URIRef
    Link: URIRef
    AssertionStatus: URIRef
    Stated: URIRef
    Echoed: URIRef
    Interpreted: URIRef

    # -- object properties of the argument
    causes: URIRef
    contributesTo: URIRef
    addresses: URIRef
    supports: URIRef
    usesInstrument: URIRef
    involvesActor: URIRef
    targetsRegion: URIRef
    targetsIndustry: URIRef
    citesDocument: URIRef
    exemplifiedBy: URIRef
    drawsOn: URIRef
    restsOn: URIRef
    # -- structure and evidence
    partOf: URIRef
    hasPart: URIRef
    hasEvidence: URIRef
    locator: URIRef
    inPart: URIRef
    linkSubject: URIRef
    linkPredicate: URIRef
    linkObject: URIRef
    assertionStatus: URIRef
    rationale: URIRef
    sharedWording: URIRef
    citedWork: URIRef
    attributedTo: URIRef
    hasInstrumentType: URIRef
    locatedIn: URIRef
    memberOf: URIRef
    affiliation: URIRef
    fundedBy: URIRef
    publishedIn: URIRef
    sourceText: URIRef
    # -- statistics (qb components)
    refRegion: URIRef
    refIndustry: URIRef
    refIndicator: URIRef
    refPeriod: URIRef
    profit: URIRef
    nationalShare: URIRef
    count: URIRef
    share: URIRef
    amount: URIRef
    unit: URIRef
    inTable: URIRef
    tableRow: URIRef
    tableColumn: URIRef
    # -- datatype properties
    quote: URIRef
    start: URIRef
    end: URIRef
    spanStart: URIRef
    spanEnd: URIRef
    order: URIRef
    printedForm: URIRef
    derivedBy: URIRef
    sha256: URIRef
    wikidataId: URIRef
    geonamesId: URIRef
    isicRev4Code: URIRef
    gbt4754Code: URIRef
    clcNumber: URIRef
    documentCode: URIRef
    articleNumber: URIRef
    pageCount: URIRef
    typeCode: URIRef
    refNumber: URIRef
    year: URIRef
    venue: URIRef
    authorsAsPrinted: URIRef
    citationText: URIRef
    programme: URIRef
    grantNumber: URIRef
    degree: URIRef
    position: URIRef
    postalCode: URIRef
    gender: URIRef
    columnHeading: URIRef
    keyword: URIRef
    noIdentifierNote: URIRef
    statement: URIRef
    printedValue: URIRef
    computedValue: URIRef


# Instance namespaces, one per kind: ``https://w3id.org/yrd-kg/id/<kind>/<slug>``.
KINDS = (
    "paper", "part", "table", "note", "ref", "work", "citation", "person", "org", "grant",
    "journal", "place", "industry", "gbt4754", "cluster", "problem", "factor", "path",
    "recommendation", "argument", "instrument", "itype", "actor", "document", "exemplar",
    "concept", "position", "dataset", "dsd", "obs", "indicator", "finding", "scheme",
    "source",
)


def kind(name: str) -> Namespace:
    """Return the instance namespace for ``name`` (one of :data:`KINDS`)."""
    if name not in KINDS:
        raise ValueError(f"unknown instance kind {name!r}; expected one of {', '.join(KINDS)}")
    return Namespace(f"{ID}{name}/")


# External vocabularies (namespace IRIs as listed in shared/reference/vocabularies.md).
OA = Namespace("http://www.w3.org/ns/oa#")
QB = Namespace("http://purl.org/linked-data/cube#")
ORG = Namespace("http://www.w3.org/ns/org#")
CITO = Namespace("http://purl.org/spar/cito/")
FABIO = Namespace("http://purl.org/spar/fabio/")
BIBO = Namespace("http://purl.org/ontology/bibo/")
DOCO = Namespace("http://purl.org/spar/doco/")
DEO = Namespace("http://purl.org/spar/deo/")
SCHEMA = Namespace("https://schema.org/")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
OBO = Namespace("http://purl.obolibrary.org/obo/")
XKOS = Namespace("http://rdf-vocabulary.ddialliance.org/xkos#")
SDMX_MEASURE = Namespace("http://purl.org/linked-data/sdmx/2009/measure#")
SDMX_ATTRIBUTE = Namespace("http://purl.org/linked-data/sdmx/2009/attribute#")
PAV = Namespace("http://purl.org/pav/")
WD = Namespace("http://www.wikidata.org/entity/")
GN = Namespace("http://www.geonames.org/ontology#")
NACE2 = Namespace("http://data.europa.eu/ux2/nace2/")
NACE_RAMON = Namespace("http://ec.europa.eu/eurostat/ramon/rdfdata/nace_r2/")
SSSOM = Namespace("https://w3id.org/sssom/")


def geonames_feature(geonames_id: str) -> URIRef:
    """IRI of a GeoNames feature (``https://sws.geonames.org/{id}/``)."""
    if not geonames_id.isdigit():
        raise ValueError(f"GeoNames id must be digits, got {geonames_id!r}")
    return URIRef(f"https://sws.geonames.org/{geonames_id}/")


PREFIXES: dict[str, str] = {
    "yrd": str(YRD._NS),
    "yid": str(ID),
    **{k: f"{ID}{k}/" for k in KINDS},
    "oa": str(OA),
    "qb": str(QB),
    "org": str(ORG),
    "cito": str(CITO),
    "fabio": str(FABIO),
    "bibo": str(BIBO),
    "doco": str(DOCO),
    "deo": str(DEO),
    "schema": str(SCHEMA),
    "eli": str(ELI),
    "obo": str(OBO),
    "xkos": str(XKOS),
    "sdmx-measure": str(SDMX_MEASURE),
    "sdmx-attribute": str(SDMX_ATTRIBUTE),
    "pav": str(PAV),
    "wd": str(WD),
    "gn": str(GN),
    "nace2": str(NACE2),
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "sh": "http://www.w3.org/ns/shacl#",
    "yrdsh": str(YRDSH),
}


def skolem(label: str) -> URIRef:
    """The skolem IRI of the blank node labelled ``label`` (see :data:`GENID`)."""
    if not label or not re.fullmatch(r"[A-Za-z0-9_\-.]+", label):
        raise ValueError(f"not a blank node label: {label!r}")
    return URIRef(GENID + label)


def is_skolem(iri: str) -> bool:
    """True for an IRI made by :func:`skolem`."""
    return iri.startswith(GENID)


#: a local part that may stand in a CURIE (no whitespace or characters that need an IRI's angle brackets)
_LOCAL = re.compile(r'[^\s<>"{}|\\^`#]+')
#: prefixes that :func:`compact` never uses (``yid`` is the parent of the per-kind prefixes)
_NOT_FOR_COMPACT = frozenset({"yid"})


@lru_cache(maxsize=8)
def _by_length(items: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(items, key=lambda kv: (-len(kv[1]), kv[0])))


def compact(iri: str, prefixes: Mapping[str, str] | None = None, *, brackets: bool = False,
            allow_empty: bool = False) -> str:
    """``iri`` as ``prefix:local`` with the longest matching namespace of ``prefixes`` (default :data:`PREFIXES`).

    An IRI no prefix fits comes back unchanged, or as ``<iri>`` with ``brackets``. ``allow_empty``: a
    namespace IRI itself becomes ``prefix:``.
    """
    table = PREFIXES if prefixes is None else prefixes
    for pfx, ns in _by_length(tuple(table.items())):
        if pfx in _NOT_FOR_COMPACT and prefixes is None:
            continue
        local = iri[len(ns):]
        if iri.startswith(ns) and (_LOCAL.fullmatch(local) or (allow_empty and not local)):
            return f"{pfx}:{local}"
    return f"<{iri}>" if brackets else iri


def expand(curie: str, prefixes: Mapping[str, str] | None = None) -> str | None:
    """The IRI of ``prefix:local`` when the prefix is known (default :data:`PREFIXES`); an absolute IRI as it is; else None."""
    if curie.startswith(("http://", "https://", "urn:")):
        return curie
    pfx, sep, local = curie.partition(":")
    table = PREFIXES if prefixes is None else prefixes
    if sep and pfx in table and local and not local.startswith("//"):
        return table[pfx] + local
    return None
