"""The OWL ontology: parses, declares every term of ``YRD`` with labels and definitions, loads in owlready2,
and HermiT finds it consistent with no unsatisfiable class."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

import yrd_kg.resources as resources
from yrd_kg.namespaces import ONTOLOGY_IRI, VERSION, VERSION_IRI, YRD
from yrd_kg.reason.hermit import ontology_graph, run_hermit, to_rdfxml

DCTERMS = "http://purl.org/dc/terms/"
YRD_NS = str(YRD._NS)
TERMS = sorted(URIRef(YRD_NS + name) for name in YRD.__annotations__)
#: namespaces an external term of the ontology may come from (shared/reference/vocabularies.md)
ALLOWED = (
    "http://www.w3.org/",
    "http://purl.org/dc/terms/",
    "http://purl.org/vocab/vann/",
    "http://purl.org/spar/",
    "http://purl.org/ontology/bibo/",
    "https://schema.org/",
    "http://purl.org/linked-data/",
    "http://data.europa.eu/eli/ontology#",
    "http://purl.obolibrary.org/obo/RO_",
    "http://purl.obolibrary.org/obo/ECO_",  # link strengths: docs/ARGUMENT.md
    "https://openenergyplatform.org/ontology/oeo/",
    "https://w3id.org/yrd-kg/",
    "https://creativecommons.org/",
)
OWL_KINDS = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, OWL.NamedIndividual}
needs_java = pytest.mark.skipif(shutil.which("java") is None, reason="no Java runtime: HermiT cannot run")


@pytest.fixture(scope="module")
def onto() -> Graph:
    return ontology_graph()


def test_parses(onto: Graph) -> None:
    assert len(onto) > 500
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in onto


def test_header(onto: Graph) -> None:
    assert (ONTOLOGY_IRI, OWL.versionIRI, VERSION_IRI) in onto
    assert (ONTOLOGY_IRI, OWL.versionInfo, Literal(VERSION)) in onto
    for prop in ("title", "description"):
        langs = {o.language for o in onto.objects(ONTOLOGY_IRI, URIRef(DCTERMS + prop))}
        assert {"zh", "en"} <= langs, prop
    assert (ONTOLOGY_IRI, URIRef(DCTERMS + "license"), URIRef("https://creativecommons.org/licenses/by/4.0/")) in onto
    assert (ONTOLOGY_IRI, URIRef(DCTERMS + "source"), URIRef("https://w3id.org/yrd-kg/id/paper/chen-zhang-2023")) in onto
    assert (ONTOLOGY_IRI, URIRef("http://purl.org/vocab/vann/preferredNamespacePrefix"), Literal("yrd")) in onto


def test_declares_exactly_the_yrd_terms(onto: Graph) -> None:
    declared = {s for s, o in onto.subject_objects(RDF.type) if isinstance(s, URIRef) and str(s).startswith(YRD_NS)}
    used = {t for tr in onto for t in tr if isinstance(t, URIRef) and str(t).startswith(YRD_NS)}
    assert declared == set(TERMS), f"missing {set(TERMS) - declared}, extra {declared - set(TERMS)}"
    assert used <= set(TERMS), f"undeclared yrd terms used: {used - set(TERMS)}"


@pytest.mark.parametrize("term", TERMS, ids=lambda t: t.split("#")[1])
def test_term_is_documented(onto: Graph, term: URIRef) -> None:
    assert set(onto.objects(term, RDF.type)) & OWL_KINDS, f"{term} has no OWL type"
    for prop in (RDFS.label, SKOS.definition):
        langs = sorted(o.language for o in onto.objects(term, prop) if isinstance(o, Literal))
        assert langs == ["en", "zh"], f"{term} {prop}: {langs}"
    assert (term, RDFS.isDefinedBy, ONTOLOGY_IRI) in onto


def test_no_property_is_both_object_and_datatype(onto: Graph) -> None:
    both = set(onto.subjects(RDF.type, OWL.ObjectProperty)) & set(onto.subjects(RDF.type, OWL.DatatypeProperty))
    assert not both


def test_external_terms_come_from_listed_vocabularies(onto: Graph) -> None:
    external = {t for tr in onto for t in tr if isinstance(t, URIRef) and not str(t).startswith(YRD_NS)}
    bad = sorted(str(t) for t in external if not str(t).startswith(ALLOWED))
    assert not bad, bad


def test_every_external_class_or_property_is_declared(onto: Graph) -> None:
    """OWL 2 DL: a term used as superclass / super-property is declared with its kind."""
    for _sub, sup in onto.subject_objects(RDFS.subClassOf):
        if isinstance(sup, URIRef):
            assert (sup, RDF.type, OWL.Class) in onto, sup
    for sub, sup in onto.subject_objects(RDFS.subPropertyOf):
        kinds = set(onto.objects(sub, RDF.type)) & {OWL.ObjectProperty, OWL.DatatypeProperty}
        assert kinds and kinds <= set(onto.objects(sup, RDF.type)), (sub, sup)


def test_oeo_policy_instrument_iri_matches_the_release(onto: Graph) -> None:
    shared = Path(os.environ.get("YRD_KG_SHARED", Path(__file__).resolve().parents[2] / "shared"))
    omn = shared / "external" / "oeo-policy" / "oeo-social.omn"
    if not omn.is_file():
        pytest.skip(f"{omn} not present")
    text = omn.read_text(encoding="utf-8")
    assert "Prefix: : <https://openenergyplatform.org/ontology/oeo/>" in text
    assert "Class: OEO_00140151" in text
    target = URIRef("https://openenergyplatform.org/ontology/oeo/OEO_00140151")
    assert (YRD.PolicyInstrument, SKOS.closeMatch, target) in onto


def test_owlready2_loads_the_rdfxml(onto: Graph, tmp_path: Path) -> None:
    import owlready2

    owl = to_rdfxml(onto, tmp_path / "yrd.owl")
    world = owlready2.World()
    o = world.get_ontology(owl.as_uri()).load()
    assert o.base_iri.startswith(str(ONTOLOGY_IRI))
    assert world[str(YRD.Problem)] is not None
    assert world[str(YRD.causes)] is not None
    assert world[str(YRD.Shortcoming)] in set(world[str(YRD.Problem)].descendants())
    world.close()


def test_rdfxml_round_trip(onto: Graph, tmp_path: Path) -> None:
    from rdflib.compare import isomorphic

    back = Graph().parse(to_rdfxml(onto, tmp_path / "yrd.owl"), format="xml")
    assert isomorphic(back, onto)


@needs_java
def test_hermit_consistent_and_coherent(onto: Graph) -> None:
    report = run_hermit(onto, include_data=False, property_values=False, explain=False)
    assert report.consistent, report.summary()
    assert report.unsatisfiable == []


def test_ontology_file_is_in_the_package_resources() -> None:
    assert (resources.ontology_dir() / "yrd.ttl").is_file()
