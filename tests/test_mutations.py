"""Mutation tests: corrupt one triple of each kind in a copy of the shipped data; validation catches it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS, XSD

from yrd_kg.namespaces import ID, YRD
from yrd_kg.validate.report import ValidationResult
from yrd_kg.validate.run import validate

OBS = ID["obs/"]


def _copy(g: Graph) -> Graph:
    out = Graph()
    for t in g:
        out.add(t)
    return out


def _remedy_link(g: Graph) -> URIRef:
    for link in sorted(g.subjects(YRD.linkPredicate, YRD.addresses), key=str):
        if isinstance(link, URIRef):
            return link
    pytest.skip("no addresses Link in the data yet")


def drop_pref_label(g: Graph) -> tuple[str, str]:
    node = ID["place/jiangsu"]
    g.remove((node, SKOS.prefLabel, Literal("Jiangsu", lang="en")))
    return str(node), "PrefLabel"


def drop_evidence_link(g: Graph) -> tuple[str, str]:
    link = _remedy_link(g)
    g.remove((link, YRD.hasEvidence, None))
    return str(link), "HasEvidence"


def drop_dimension(g: Graph) -> tuple[str, str]:
    node = URIRef(f"{OBS}t1-equipment-jiangsu")
    g.remove((node, YRD.refIndustry, None))
    return str(node), "IC11AllDimensionsShape"


def change_table_value(g: Graph) -> tuple[str, str]:
    node = URIRef(f"{OBS}t1-equipment-jiangsu")
    assert (node, YRD.profit, Literal("1442.14", datatype=XSD.decimal)) in g
    g.set((node, YRD.profit, Literal("1442.15", datatype=XSD.decimal)))
    return str(node), "PrintedFormShape"


def change_value_and_print(g: Graph) -> tuple[str, str]:
    node = URIRef(f"{OBS}t1-equipment-jiangsu")
    g.set((node, YRD.profit, Literal("1442.15", datatype=XSD.decimal)))
    g.set((node, YRD.printedForm, Literal("1442.15")))
    return f"{OBS}t1-equipment-yrd", "TableTotalShape"


def drop_link_status(g: Graph) -> tuple[str, str]:
    link = _remedy_link(g)
    g.remove((link, YRD.assertionStatus, None))
    return str(link), "LinkStatus"


def corrupt_link_status(g: Graph) -> tuple[str, str]:
    link = _remedy_link(g)
    g.set((link, YRD.assertionStatus, YRD.Link))
    return str(link), "LinkStatus"


def untype_subpoint(g: Graph) -> tuple[str, str]:
    link = _remedy_link(g)
    obj = g.value(link, YRD.linkObject)
    assert isinstance(obj, URIRef)
    for t in list(g.objects(obj, RDF.type)):
        g.remove((obj, RDF.type, t))
    return str(obj), "dangling-references-violation.rq"


MUTATIONS: list[Callable[[Graph], tuple[str, str]]] = [
    drop_pref_label, drop_evidence_link, drop_dimension, change_table_value, change_value_and_print,
    drop_link_status, corrupt_link_status, untype_subpoint,
]


def _hit(results: list[ValidationResult], focus: str, source: str) -> bool:
    return any(r.focus_node == focus and (r.source_shape or "").endswith(("#" + source, "/" + source, source))
               for r in results)


@pytest.mark.slow
@pytest.mark.parametrize("mutate", MUTATIONS, ids=[m.__name__ for m in MUTATIONS])
def test_mutation_is_caught(graph: Graph, mutate: Callable[[Graph], tuple[str, str]]) -> None:
    g = _copy(graph)
    focus, source = mutate(g)
    rep = validate(graph=g)
    assert _hit(rep.results, focus, source), "\n".join(
        f"{r.source_shape} {r.focus_node} {r.message_en}" for r in rep.results if r.focus_node == focus)


def test_table_value_change_also_breaks_the_total(graph: Graph) -> None:
    g = _copy(graph)
    change_table_value(g)
    rep = validate(graph=g)
    total = [r for r in rep.results if r.focus_node == f"{OBS}t1-equipment-yrd"]
    assert total and total[0].source_shape.endswith("#TableTotalShape")
    assert "2921.04" in total[0].message_en and "2921.03" in total[0].message_en
