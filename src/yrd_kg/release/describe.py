"""The release's VoID + DCAT description: the dataset, its graphs with their triple counts, the distributions.

One ``void:Dataset``/``dcat:Dataset`` (``https://w3id.org/yrd-kg/dataset``) with title, description,
licence, creator, source (the paper), version, issue date, ``void:triples`` and one ``void:subset`` per
named graph (the graph IRI, with its own ``void:triples``); each released file is a ``dcat:Distribution``
(download URL, media type, byte size, SPDX SHA-256 checksum) and, for the RDF dumps, a ``void:dataDump``.
With an endpoint: ``void:sparqlEndpoint`` and a ``dcat:DataService`` serving the dataset.
``description-shape.ttl`` beside this module is the SHACL shape the description must meet.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF, VOID, XSD

from yrd_kg.namespaces import BASE, ID

SPDX = Namespace("http://spdx.org/rdf/terms#")
#: dcat:version (DCAT 3; not in rdflib's DCAT namespace)
DCAT_VERSION = URIRef(str(DCAT) + "version")
DATASET = URIRef(BASE + "dataset")
#: the licence of the dataset: the ontology's own (dcterms:license of https://w3id.org/yrd-kg/ontology)
DATA_LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
SHAPE_FILE = Path(__file__).resolve().parent / "description-shape.ttl"
MEDIA_TYPES = {
    ".ttl": "text/turtle", ".owl": "application/rdf+xml", ".jsonld": "application/ld+json", ".nq": "application/n-quads",
    ".trig": "application/trig", ".tsv": "text/tab-separated-values", ".txt": "text/plain",
}


@dataclass(frozen=True)
class Distribution:
    """A released file: name, bytes, what it holds, whether it is an RDF dump of the whole dataset."""

    name: str
    data: bytes
    title: str
    dump: bool = False

    @property
    def media_type(self) -> str:
        """IANA media type from the file's last suffix."""
        return MEDIA_TYPES.get(Path(self.name).suffix, "application/octet-stream")

    @property
    def sha256(self) -> str:
        """Hex SHA-256 of the bytes."""
        return hashlib.sha256(self.data).hexdigest()


def describe(version: str, issued: str, graph_triples: Mapping[str, int], distributions: Sequence[Distribution],
             base_url: str, endpoint: str | None = None) -> Graph:
    """The VoID + DCAT graph of a release (``issued``: ISO date; ``base_url``: where the files are downloaded)."""
    g = Graph()
    for p, ns in (("void", VOID), ("dcat", DCAT), ("dcterms", DCTERMS), ("spdx", SPDX), ("owl", OWL), ("xsd", XSD)):
        g.bind(p, ns)
    d = DATASET
    g.add((d, RDF.type, VOID.Dataset))
    g.add((d, RDF.type, DCAT.Dataset))
    g.add((d, DCTERMS.title, Literal("长三角世界级先进制造业集群共建知识图谱", lang="zh")))
    g.add((d, DCTERMS.title, Literal("yrd-kg: co-building world-class advanced manufacturing clusters in the "
                                     "Yangtze River Delta, as linked data", lang="en")))
    g.add((d, DCTERMS.description, Literal(
        "The argument of Chen Xiaofeng and Zhang Qisong (2023) — shortcomings, causes, breakthrough paths, "
        "recommendations, policy instruments, actors, places, industries and its two tables — as RDF, every "
        "statement with its verbatim quote and locator in the paper.", lang="en")))
    g.add((d, DCTERMS.license, DATA_LICENSE))
    g.add((d, DCTERMS.creator, Literal("yrd-kg developers")))
    g.add((d, DCTERMS.source, ID["paper/chen-zhang-2023"]))
    g.add((d, DCTERMS.conformsTo, URIRef(BASE + "ontology")))
    g.add((d, OWL.versionInfo, Literal(version)))
    g.add((d, DCAT_VERSION, Literal(version)))
    g.add((d, OWL.versionIRI, URIRef(f"{BASE}dataset/{version}")))
    g.add((d, DCTERMS.issued, Literal(issued, datatype=XSD.date)))
    g.add((d, VOID.uriSpace, Literal(str(ID))))
    g.add((d, VOID.vocabulary, URIRef(BASE + "ontology#")))
    g.add((d, VOID.triples, Literal(sum(graph_triples.values()), datatype=XSD.integer)))
    for name, n in sorted(graph_triples.items()):
        sub = URIRef(name)
        g.add((d, VOID.subset, sub))
        g.add((sub, RDF.type, VOID.Dataset))
        g.add((sub, VOID.triples, Literal(n, datatype=XSD.integer)))
    for dist in distributions:
        url = URIRef(base_url + dist.name)
        g.add((d, DCAT.distribution, url))
        g.add((url, RDF.type, DCAT.Distribution))
        g.add((url, DCTERMS.title, Literal(dist.title, lang="en")))
        g.add((url, DCAT.downloadURL, url))
        g.add((url, DCAT.mediaType, URIRef("https://www.iana.org/assignments/media-types/" + dist.media_type)))
        g.add((url, DCAT.byteSize, Literal(len(dist.data), datatype=XSD.nonNegativeInteger)))
        g.add((url, DCTERMS.license, DATA_LICENSE))
        ck = BNode()
        g.add((url, SPDX.checksum, ck))
        g.add((ck, RDF.type, SPDX.Checksum))
        g.add((ck, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        g.add((ck, SPDX.checksumValue, Literal(dist.sha256, datatype=XSD.hexBinary)))
        if dist.dump:
            g.add((d, VOID.dataDump, url))
    if endpoint:
        g.add((d, VOID.sparqlEndpoint, URIRef(endpoint)))
        svc = URIRef(endpoint)
        g.add((d, DCAT.accessService, svc))
        g.add((svc, RDF.type, DCAT.DataService))
        g.add((svc, DCAT.endpointURL, svc))
        g.add((svc, DCAT.servesDataset, d))
        g.add((svc, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    return g
