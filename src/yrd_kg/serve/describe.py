"""The SPARQL 1.1 Service Description of the endpoint (``sd:`` vocabulary), answered at ``/sparql`` without a query.

It says what the endpoint does: SPARQL 1.1 Query only (no update, no federation), the result and graph
formats, and the default dataset: every named graph of the build with its triple count, and a default
graph that is their union (``sd:UnionDefaultGraph``) *only when a request names no dataset* —
``default-graph-uri``/``named-graph-uri`` or the query's ``FROM``/``FROM NAMED`` replace it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from yrd_kg.namespaces import PREFIXES

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
VOID = "http://rdfs.org/ns/void#"
DCT = "http://purl.org/dc/terms/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_COMMENT = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
_INT = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                  "Turtle", "N-Triples", "JSON-LD", "RDF_XML")
DATASET_NOTE = {
    "en": "The default graph is the union of every named graph only when the request names no dataset; "
          "default-graph-uri / named-graph-uri, or FROM / FROM NAMED in the query, replace it "
          "(the protocol's parameters win over FROM).",
    "zh": "仅当请求未指定数据集时，默认图才是所有命名图的并集；default-graph-uri / named-graph-uri "
          "或查询中的 FROM / FROM NAMED 会替换它（协议参数优先于 FROM）。",
}


@dataclass(frozen=True)
class ServiceInfo:
    """What the description lists: the named graphs with their triple counts, the union's count, the limits."""

    graphs: tuple[tuple[str, int], ...]
    union_triples: int
    timeout: float
    max_rows: int

    @classmethod
    def of(cls, store: ox.Store, *, timeout: float, max_rows: int) -> ServiceInfo:
        """Count the graphs of ``store`` (once, at start)."""
        counts = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")
        graphs = tuple((s[0].value, int(s[1].value)) for s in counts)  # type: ignore[index, union-attr]
        union = store.query("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }",
                            use_default_graph_as_union=True)
        n = int(next(iter(union))[0].value)  # type: ignore[index, arg-type, union-attr]
        return cls(graphs, n, timeout, max_rows)


def _n(x: str) -> ox.NamedNode:
    return ox.NamedNode(x)


def description(info: ServiceInfo, endpoint: str) -> list[ox.Triple]:
    """The service description of the endpoint at the absolute URL ``endpoint``."""
    svc, ds, dg = ox.BlankNode("service"), ox.BlankNode("dataset"), ox.BlankNode("default")
    t: list[ox.Triple] = [
        ox.Triple(svc, RDF_TYPE, _n(SD + "Service")),
        ox.Triple(svc, _n(SD + "endpoint"), _n(endpoint)),
        ox.Triple(svc, _n(SD + "supportedLanguage"), _n(SD + "SPARQL11Query")),
        ox.Triple(svc, _n(SD + "feature"), _n(SD + "UnionDefaultGraph")),
        ox.Triple(svc, _n(DCT + "title"), ox.Literal("yrd-kg: 陈晓峰、张其松 (2023) as linked data", language="en")),
        ox.Triple(svc, RDFS_COMMENT, ox.Literal(
            f"Read-only: SPARQL Update, SERVICE and graph-store writes are refused. Each query runs for at most "
            f"{info.timeout:g} s and answers at most {info.max_rows} rows or triples (a cut answer carries the "
            "Yrd-Kg-Truncated header).", language="en")),
        ox.Triple(svc, RDFS_COMMENT, ox.Literal(
            f"只读：拒绝 SPARQL Update、SERVICE 与图存储写入。每个查询最多运行 {info.timeout:g} 秒，"
            f"最多返回 {info.max_rows} 行或三元组（被截断的结果带 Yrd-Kg-Truncated 头）。", language="zh")),
        ox.Triple(svc, _n(SD + "defaultDataset"), ds),
        ox.Triple(ds, RDF_TYPE, _n(SD + "Dataset")),
        ox.Triple(ds, _n(SD + "defaultGraph"), dg),
        ox.Triple(dg, RDF_TYPE, _n(SD + "Graph")),
        ox.Triple(dg, _n(VOID + "triples"), ox.Literal(str(info.union_triples), datatype=_INT)),
    ]
    t += [ox.Triple(ds, _n(DCT + "description"), ox.Literal(text, language=lang)) for lang, text in DATASET_NOTE.items()]
    t += [ox.Triple(svc, _n(SD + "resultFormat"), _n(FORMATS + f)) for f in RESULT_FORMATS]
    for i, (name, count) in enumerate(info.graphs):
        ng, g = ox.BlankNode(f"ng{i}"), ox.BlankNode(f"g{i}")
        t += [ox.Triple(ds, _n(SD + "namedGraph"), ng), ox.Triple(ng, RDF_TYPE, _n(SD + "NamedGraph")),
              ox.Triple(ng, _n(SD + "name"), _n(name)), ox.Triple(ng, _n(SD + "graph"), g),
              ox.Triple(g, RDF_TYPE, _n(SD + "Graph")), ox.Triple(g, _n(VOID + "triples"), ox.Literal(str(count), datatype=_INT))]
    return t


def turtle(triples: list[ox.Triple]) -> str:
    """The description as Turtle with readable prefixes and nested blank nodes."""
    from yrd_kg.dataset.terms import to_graph

    g = to_graph(triples)
    for prefix, ns in (("sd", SD), ("formats", FORMATS), ("void", VOID), ("dcterms", DCT), ("rdfs", PREFIXES["rdfs"])):
        g.bind(prefix, ns, override=True)
    return str(g.serialize(format="turtle"))
