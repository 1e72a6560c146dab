"""`yrd-kg serve` speaks the SPARQL 1.1 Protocol as clients use it: SPARQLWrapper and plain HTTP against a running server.

The server runs in this process on 127.0.0.1 (a free port) over the session's build; each query is
evaluated in a forked worker. Expected answers are the paper's (four shortcomings P1–P4) or computed
from the store directly, never from the server itself.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from SPARQLWrapper import CSV, JSON, JSONLD, POST, POSTDIRECTLY, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from serve_support import request, served

pytestmark = pytest.mark.server

P = "https://w3id.org/yrd-kg/id/problem/"
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")
ACTORS = "https://w3id.org/yrd-kg/graph/data/actors"
PROBLEMS = "https://w3id.org/yrd-kg/graph/data/problems"
SHORTCOMINGS = """PREFIX yrd: <https://w3id.org/yrd-kg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?p ?n ?label WHERE { ?p a yrd:Shortcoming ; skos:notation ?n ; skos:prefLabel ?label FILTER(LANG(?label) = "zh") }
ORDER BY ?n"""
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


@pytest.fixture(scope="module")
def srv(store: Any) -> Iterator[Any]:
    with served(store) as run:
        yield run


@pytest.fixture(scope="module")
def endpoint(srv: Any) -> str:
    return f"{srv.url}sparql"


def _graph_size(store: Any, graph: str) -> int:
    return len(list(store.quads_for_pattern(None, None, None, ox.NamedNode(graph))))


def _wrapper(endpoint: str, query: str, fmt: str, method: str = "GET", direct: bool = False) -> Any:
    w = SPARQLWrapper(endpoint)
    w.setQuery(query)
    w.setReturnFormat(fmt)
    if method == "POST":
        w.setMethod(POST)
        if direct:
            w.setRequestMethod(POSTDIRECTLY)
    return w.query()


# --------------------------------------------------------------------------- results formats


@pytest.mark.parametrize(("method", "direct"), [("GET", False), ("POST", False), ("POST", True)])
def test_select_json_with_sparqlwrapper(endpoint: str, method: str, direct: bool) -> None:
    res = _wrapper(endpoint, SHORTCOMINGS, JSON, method, direct).convert()
    rows = res["results"]["bindings"]
    assert [r["n"]["value"] for r in rows] == ["P1", "P2", "P3", "P4"]
    label = "集群同质化竞争态势严重,产业链未形成纵深连接的协同优势"
    assert rows[0]["label"] == {"type": "literal", "xml:lang": "zh", "value": label}
    assert rows[0]["p"] == {"type": "uri", "value": P + "P1"}


def test_select_xml_csv_tsv_with_sparqlwrapper(endpoint: str) -> None:
    xml = _wrapper(endpoint, SHORTCOMINGS, XML).convert()  # a minidom document
    assert [b.firstChild.firstChild.data for b in xml.getElementsByTagName("binding") if b.getAttribute("name") == "n"] == \
        ["P1", "P2", "P3", "P4"]
    csv = _wrapper(endpoint, SHORTCOMINGS, CSV).convert().decode("utf-8")
    lines = csv.splitlines()
    assert lines[0] == "p,n,label" and lines[1].startswith(f"{P}P1,P1,\"集群同质化竞争态势严重,") and len(lines) == 5
    tsv = _wrapper(endpoint, SHORTCOMINGS, TSV).convert().decode("utf-8")
    assert tsv.splitlines()[0] == "?p\t?n\t?label"
    assert tsv.splitlines()[1] == f'<{P}P1>\t"P1"\t"集群同质化竞争态势严重,产业链未形成纵深连接的协同优势"@zh'


def test_ask_and_plain_http_form_post(srv: Any) -> None:
    body = urllib.parse.urlencode({"query": f"ASK {{ <{P}P2> ?p ?o }}"})
    st, h, data = request(srv.server.port, "POST", "/query", body, Content_Type="application/x-www-form-urlencoded",
                          Accept="application/sparql-results+json")
    assert st == 200 and json.loads(data) == {"head": {}, "boolean": True}
    st, h, data = request(srv.server.port, "POST", "/sparql", f"ASK {{ <{P}P9> ?p ?o }}",
                          Content_Type="application/sparql-query", Accept="application/sparql-results+xml")
    assert st == 200 and h["content-type"].startswith("application/sparql-results+xml")
    assert b"<boolean>false</boolean>" in data


def test_format_parameter_wins_over_accept_and_406(srv: Any) -> None:
    q = urllib.parse.quote(SHORTCOMINGS)
    st, h, data = request(srv.server.port, "GET", f"/sparql?query={q}&format=csv", Accept="application/sparql-results+json")
    assert st == 200 and h["content-type"] == "text/csv; charset=utf-8" and data.startswith(b"p,n,label\r\n")
    st, h, data = request(srv.server.port, "GET", f"/sparql?query={q}&output=tsv")
    assert st == 200 and h["content-type"].startswith("text/tab-separated-values")
    st, h, data = request(srv.server.port, "GET", f"/sparql?query={q}", Accept="image/png")
    assert st == 406 and b"application/sparql-results+json" in data
    st, h, data = request(srv.server.port, "GET", f"/sparql?query={q}", Accept="*/*")  # curl: JSON, not the page
    assert st == 200 and h["content-type"].startswith("application/sparql-results+json") and h["vary"] == "Accept"


# --------------------------------------------------------------------------- graphs


def _construct(store: Any) -> set[tuple[Any, ...]]:
    res = store.query(f"PREFIX skos: <{SKOS}> CONSTRUCT {{ ?p skos:prefLabel ?l }} WHERE {{ ?p skos:notation ?n ; "
                      "skos:prefLabel ?l FILTER(STRSTARTS(?n, \"P1\")) }", use_default_graph_as_union=True)
    return {(t.subject.value, t.predicate.value, t.object.value, t.object.language) for t in res}


@pytest.mark.parametrize("fmt", [TURTLE, JSONLD, RDFXML, XML])
def test_construct_formats_with_sparqlwrapper(endpoint: str, store: Any, fmt: str) -> None:
    q = (f"PREFIX skos: <{SKOS}> CONSTRUCT {{ ?p skos:prefLabel ?l }} WHERE {{ ?p skos:notation ?n ; skos:prefLabel ?l "
         "FILTER(STRSTARTS(?n, \"P1\")) }")
    res = _wrapper(endpoint, q, fmt)
    g = res.convert() if fmt != TURTLE else Graph().parse(data=res.convert(), format="turtle")  # SPARQLWrapper parses the others
    got = {(str(s), str(p), str(o), o.language) for s, p, o in g}
    want = _construct(store)
    assert got == want and len(want) >= 2 * 4  # P1 and its sub-points, zh and en labels


def test_construct_ntriples_and_describe(srv: Any) -> None:
    q = urllib.parse.quote(f"DESCRIBE <{P}P1.1>")
    st, h, data = request(srv.server.port, "GET", f"/sparql?query={q}", Accept="application/n-triples")
    assert st == 200 and h["content-type"].startswith("application/n-triples")
    g = Graph().parse(data=data.decode(), format="nt")
    assert (URIRef(P + "P1.1"), SKOS.prefLabel, Literal("集群同质化竞争比较明显", lang="zh")) in g


# --------------------------------------------------------------------------- the dataset


def _count(endpoint: str, query: str, **params: Any) -> int:
    w = SPARQLWrapper(endpoint)
    w.setQuery(query)
    w.setReturnFormat(JSON)
    for k, vs in params.items():
        for v in vs:
            w.addParameter(k.replace("_", "-"), v)
    rows = w.query().convert()["results"]["bindings"]
    return int(rows[0]["n"]["value"])


def test_default_graph_is_the_union_only_when_no_dataset_is_named(endpoint: str, store: Any, srv: Any) -> None:
    actors, problems = _graph_size(store, ACTORS), _graph_size(store, PROBLEMS)
    assert actors > 0 and problems > 0 and actors != problems
    # the union: every quad once (Oxigraph counts a triple stated in two graphs twice; the description's
    # void:triples counts distinct triples)
    assert _count(endpoint, COUNT) == len(store) > actors + problems
    assert srv.server.app.info.union_triples == len({(q.subject, q.predicate, q.object) for q in store})
    assert _count(endpoint, COUNT, default_graph_uri=[ACTORS]) == actors
    assert _count(endpoint, COUNT, default_graph_uri=[ACTORS, PROBLEMS]) == actors + problems
    assert _count(endpoint, f"SELECT (COUNT(*) AS ?n) FROM <{ACTORS}> WHERE {{ ?s ?p ?o }}") == actors
    # FROM NAMED alone: the default graph is empty; GRAPH sees only the named ones
    assert _count(endpoint, f"SELECT (COUNT(*) AS ?n) FROM NAMED <{ACTORS}> WHERE {{ ?s ?p ?o }}") == 0
    assert _count(endpoint, f"SELECT (COUNT(*) AS ?n) FROM NAMED <{ACTORS}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}") == actors
    assert _count(endpoint, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", named_graph_uri=[PROBLEMS]) == problems
    assert _count(endpoint, COUNT, named_graph_uri=[PROBLEMS]) == 0
    # the protocol's parameters replace the query's FROM
    from_actors = f"SELECT (COUNT(*) AS ?n) FROM <{ACTORS}> WHERE {{ ?s ?p ?o }}"
    assert _count(endpoint, from_actors, default_graph_uri=[PROBLEMS]) == problems


def test_bad_graph_iri_is_400(srv: Any) -> None:
    q = urllib.parse.quote(COUNT)
    st, _, data = request(srv.server.port, "GET", f"/sparql?query={q}&default-graph-uri=not%20an%20iri")
    assert st == 400 and b"default-graph-uri" in data


def test_service_description(srv: Any, store: Any) -> None:
    st, h, data = request(srv.server.port, "GET", "/sparql", Accept="text/turtle")
    assert st == 200 and h["content-type"].startswith("text/turtle")
    g = Graph().parse(data=data.decode(), format="turtle")
    svc = next(g.subjects(predicate=SD.endpoint))
    assert g.value(svc, SD.endpoint) == URIRef(f"http://127.0.0.1:{srv.server.port}/sparql")
    assert (svc, SD.feature, SD.UnionDefaultGraph) in g and (svc, SD.supportedLanguage, SD.SPARQL11Query) in g
    ds = g.value(svc, SD.defaultDataset)
    named = {str(g.value(n, SD.name)): int(g.value(g.value(n, SD.graph), VOID.triples)) for n in g.objects(ds, SD.namedGraph)}
    assert named == {g_.value: _graph_size(store, g_.value) for g_ in store.named_graphs()}
    assert "only when the request names no dataset" in str(g.value(ds, URIRef("http://purl.org/dc/terms/description")))
    st, h, data = request(srv.server.port, "GET", "/sparql?format=jsonld")
    assert st == 200 and len(Graph().parse(data=data.decode(), format="json-ld")) == len(g)


def test_browser_gets_the_query_page(srv: Any) -> None:
    st, h, data = request(srv.server.port, "GET", "/sparql", Accept=BROWSER)
    assert st == 200 and h["content-type"].startswith("text/html")
    assert "default-src 'self'" in h["content-security-policy"]
    page = data.decode()
    assert 'id="query"' in page and '"name": "paper-counts"' in page and "PREFIX yrd: <https://w3id.org/yrd-kg/ontology#>" in page
    q = urllib.parse.quote(SHORTCOMINGS)  # a "run this query" link of the site: the page, which runs it
    st, h, data = request(srv.server.port, "GET", f"/sparql?query={q}", Accept=BROWSER)
    assert st == 200 and h["content-type"].startswith("text/html")


# --------------------------------------------------------------------------- linked data


def test_entity_iri_dereferences_by_content_negotiation(srv: Any) -> None:
    port = srv.server.port
    st, h, _ = request(port, "GET", "/id/problem/P1.1", Accept=BROWSER, Accept_Language="zh-CN,zh;q=0.9,en;q=0.8")
    assert st == 303 and h["location"] == "/zh/id/problem/P1.1.html"
    st, h, _ = request(port, "GET", "/id/problem/P1.1", Accept=BROWSER, Accept_Language="en-GB,en;q=0.9")
    assert st == 303 and h["location"] == "/en/id/problem/P1.1.html"
    st, _, page = request(port, "GET", h["location"])
    assert st == 200 and "P1.1" in page.decode()
    st, h, ttl = request(port, "GET", "/id/problem/P1.1", Accept="text/turtle")
    assert st == 200 and h["content-type"].startswith("text/turtle")
    g = Graph().parse(data=ttl.decode(), format="turtle")
    assert (URIRef(P + "P1.1"), SKOS.prefLabel, Literal("集群同质化竞争比较明显", lang="zh")) in g
    assert set(g.subjects()) == {URIRef(P + "P1.1")}  # its concise bounded description: its own statements
    st, h, js = request(port, "GET", "/id/problem/P1.1", Accept="application/ld+json")
    assert st == 200 and json.loads(js)["@context"]
    assert len(Graph().parse(data=js.decode(), format="json-ld") ^ g) == 0


def test_iri_without_page_and_unknown_iri(srv: Any, store: Any) -> None:
    port = srv.server.port
    ev = next(iter(store.quads_for_pattern(ox.NamedNode(P + "P1.1"),
                                           ox.NamedNode("https://w3id.org/yrd-kg/ontology#hasEvidence"), None, None))).object
    path = ev.value[len("https://w3id.org/yrd-kg"):]
    st, h, data = request(port, "GET", path, Accept=BROWSER)  # evidence has no page: its description as text
    assert st == 200 and h["content-type"] == "text/plain; charset=utf-8" and b"yrd:quote" in data
    st, _, data = request(port, "GET", "/id/problem/P9.9", Accept="text/turtle")
    assert st == 404 and b"nothing is known" in data


def test_ontology_dereferences(srv: Any) -> None:
    st, h, _ = request(srv.server.port, "GET", "/ontology", Accept=BROWSER, Accept_Language="en")
    assert st == 303 and h["location"] == "/en/ontology/index.html"
    st, h, ttl = request(srv.server.port, "GET", "/ontology", Accept="text/turtle")
    g = Graph().parse(data=ttl.decode(), format="turtle")
    assert (URIRef("https://w3id.org/yrd-kg/ontology#Shortcoming"), URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            URIRef("http://www.w3.org/2002/07/owl#Class")) in g


def test_graph_store_reads(srv: Any, store: Any) -> None:
    for path in (f"/store?graph={urllib.parse.quote(ACTORS)}", "/graph/data/actors"):
        st, _, data = request(srv.server.port, "GET", path, Accept="application/n-triples")
        assert st == 200 and len(Graph().parse(data=data.decode(), format="nt")) == _graph_size(store, ACTORS)
    st, _, _ = request(srv.server.port, "GET", "/graph/data/nothing", Accept="text/turtle")
    assert st == 404


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(("method", "path", "body", "ctype", "status"), [
    ("GET", "/sparql?update=DROP%20ALL", None, None, 400),
    ("POST", "/sparql", "update=DROP+ALL", "application/x-www-form-urlencoded", 400),
    ("POST", "/sparql", "DROP ALL", "application/sparql-update", 400),
    ("POST", "/sparql", "INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }", "application/sparql-query", 400),
    ("POST", "/update", "update=DROP+ALL", "application/x-www-form-urlencoded", 400),
    ("POST", "/store?default", "<urn:a> <urn:b> <urn:c> .", "application/n-triples", 405),
    ("PUT", "/store?default", "<urn:a> <urn:b> <urn:c> .", "application/n-triples", 405),
    ("DELETE", "/store?graph=urn:x", None, None, 405),
    ("PATCH", "/sparql", "x", "text/plain", 405),
])
def test_writes_are_refused_with_a_message(srv: Any, store: Any, method: str, path: str, body: str | None,
                                            ctype: str | None, status: int) -> None:
    before = len(store)
    headers = {"Content_Type": ctype} if ctype else {}
    st, _, data = request(srv.server.port, method, path, body, **headers)
    assert st == status and (b"read-only" in data or b"Update" in data), data
    assert len(store) == before


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <{base}/sparql> { ?s ?p ?o } }",
    "# SERVICE after a comment\nSELECT * WHERE { sErViCe SILENT <{base}/x> { ?s ?p ?o } }",
    "PREFIX e: <{base}/>\nSELECT * WHERE { SERVICE e:sparql { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o } ; DROP ALL",
])
def test_service_refused_without_traffic(srv: Any, counter: Any, query: str) -> None:
    st, _, data = request(srv.server.port, "POST", "/sparql", query.replace("{base}", counter.base),
                          Content_Type="application/sparql-query")
    assert st == 400 and (b"refused" in data or b"syntax" in data.lower()), data
    assert counter.hits == []


def test_saved_queries_through_the_endpoint_match_local(srv: Any, store: Any) -> None:
    """yrd-kg's own remote engine (SPARQLWrapper) against the server gives the local rows."""
    from yrd_kg.sparql.run import run_query, run_remote_query

    remote = run_remote_query("paper-counts", f"{srv.url}sparql", lang="en")
    local = run_query("paper-counts", lang="en", store=store)
    assert remote.columns == local.columns and sorted(remote.rows, key=str) == sorted(local.rows, key=str) and len(local) > 5
