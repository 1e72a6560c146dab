"""An SSSOM mapping set as RDF, in the SSSOM specification's own form, so its metadata travels with the triples.

The set is a ``sssom:MappingSet`` named by its ``mapping_set_id``; each mapping is an ``owl:Axiom``
(``owl:annotatedSource`` / ``owl:annotatedProperty`` / ``owl:annotatedTarget``) linked by ``sssom:mappings``
and carrying its other slots (``sssom:mapping_justification``, ``sssom:confidence`` …). Slots with a
standard property in the SSSOM schema use it (``dcterms:license``, ``dcterms:title``, ``owl:versionInfo``,
``rdfs:comment``). Rows with ``predicate_modifier: Not`` keep the modifier and are never asserted as
plain triples.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, XSD

from yrd_kg.linking.sssom import SSSOM_NS, CurieMap

SSSOM = Namespace(SSSOM_NS)
#: metadata slots with a standard property (the SSSOM schema's slot_uri)
SET_SLOTS: dict[str, URIRef] = {
    "license": DCTERMS.license, "mapping_set_title": DCTERMS.title, "mapping_set_description": DCTERMS.description,
    "mapping_set_version": OWL.versionInfo, "comment": RDFS.comment,
}
#: mapping slots whose values are entities (CURIEs expanded to IRIs)
ENTITY_SLOTS = frozenset({"mapping_justification", "subject_source", "object_source", "reviewer_id", "author_id",
                          "creator_id", "subject_match_field", "object_match_field", "subject_category",
                          "object_category"})
_TRIPLE_SLOTS = {"subject_id": OWL.annotatedSource, "predicate_id": OWL.annotatedProperty,
                 "object_id": OWL.annotatedTarget}
_NUMBERS = frozenset({"confidence", "similarity_score"})


def _value(slot: str, value: str, curies: CurieMap) -> URIRef | Literal:
    if slot in ENTITY_SLOTS:
        try:
            return URIRef(curies.expand(value))
        except ValueError:
            return Literal(value)
    if slot in _NUMBERS:
        return Literal(value, datatype=XSD.double)
    return Literal(value)


def mapping_set_graph(metadata: Mapping[str, Any], rows: Sequence[Mapping[str, str]], curies: CurieMap) -> Graph:
    """The mapping set ``metadata`` + ``rows`` (SSSOM/TSV cells) as an RDF graph in SSSOM's form."""
    g = Graph()
    for pfx, ns in curies.prefixes.items():
        g.bind(pfx, ns, override=False)
    g.bind("sssom", SSSOM)
    ms = URIRef(str(metadata["mapping_set_id"]))
    g.add((ms, RDF.type, SSSOM.MappingSet))
    for key, value in metadata.items():
        if key in ("curie_map", "mapping_set_id") or value in (None, ""):
            continue
        prop = SET_SLOTS.get(key, SSSOM[key])
        for v in value if isinstance(value, list) else [value]:
            g.add((ms, prop, URIRef(str(v)) if key in ("license", "object_source", "subject_source") else Literal(str(v))))
    for r in rows:
        ax = BNode()
        g.add((ms, SSSOM.mappings, ax))
        g.add((ax, RDF.type, OWL.Axiom))
        for slot, value in r.items():
            if not value:
                continue
            if slot in _TRIPLE_SLOTS:
                g.add((ax, _TRIPLE_SLOTS[slot], URIRef(curies.expand(value))))
            elif slot == "object_label" and r.get("object_type") == "rdfs literal" and not r.get("object_id"):
                g.add((ax, OWL.annotatedTarget, Literal(value)))
                g.add((ax, SSSOM[slot], Literal(value)))
            elif slot == "comment":
                g.add((ax, RDFS.comment, Literal(value)))
            else:
                g.add((ax, SSSOM[slot], _value(slot, value, curies)))
    return g
