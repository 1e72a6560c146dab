"""Remote endpoints: a real Oxigraph server (push + every saved report query) and a misbehaving fake server.

Every address is 127.0.0.1. Virtuoso runs wherever ``virtuoso-t`` is installed (a private server started by the fixture).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from yrd_kg.errors import InputError
from yrd_kg.linking.push import default_update_url, push, read_quads
from yrd_kg.sparql.remote import (
    RemoteContentTypeError,
    RemoteEngine,
    RemoteHTMLError,
    RemoteHTTPError,
    RemoteRedirectError,
    RemoteRetryError,
    RemoteSchemeError,
    RemoteTimeout,
    RemoteTruncatedError,
    RemoteXMLError,
)
from yrd_kg.sparql.run import run_remote_query

pytest_plugins = ["conftest_virtuoso"]

#: sample parameters for the saved queries that need one
PARAMS: dict[str, dict[str, str]] = {
    "evidence-for-node": {"node_iri": "problem:P1"},
    "measures-for-problem": {"problem_iri": "problem:P1"},
    "problem-chain": {"problem_iri": "problem:P1"},
    "problems-addressed-by": {"remedy_iri": "recommendation:R1.1"},
}


def queries_of(kind: str) -> list[str]:
    """The names of the saved queries of ``kind`` (report, construct, violation)."""
    from yrd_kg.sparql.catalogue import list_queries

    return [q.name for q in list_queries() if q.kind == kind]


def _params(name: str) -> dict[str, str]:
    from yrd_kg.sparql.catalogue import get_query

    q = get_query(name)
    given = PARAMS.get(name, {})
    missing = [p.name for p in q.params if p.required and p.name not in given]
    if missing:
        pytest.fail(f"{name}: no sample value for {missing}: add one to PARAMS (a new parameterised query "
                    "must not be skipped silently)")
    return given


def _key(t: Any) -> str:
    """N-Triples form of a pyoxigraph or rdflib term ("" when unbound)."""
    from yrd_kg.dataset.terms import to_ox

    if t is None:
        return ""
    return str(t if isinstance(t, ox.NamedNode | ox.BlankNode | ox.Literal) else to_ox(t))


def _same_rows(a: Any, b: Any) -> bool:
    return sorted(tuple(_key(x) for x in r) for r in a.rows) == sorted(tuple(_key(x) for x in r) for r in b.rows)


FIXTURES = Path(__file__).resolve().parent / "fixtures" / "shapes" / "invalid"
ONTOLOGY = Path(__file__).resolve().parents[1] / "ontology" / "yrd.ttl"
GENID = "https://w3id.org/yrd-kg/.well-known/genid/"


def _bkey(t: Any) -> str:
    """``_key`` with blank nodes (local) and skolem IRIs (pushed) both shown as ``_:``."""
    from rdflib import BNode

    blank = isinstance(t, BNode | ox.BlankNode)
    text = t.value if isinstance(t, ox.NamedNode | ox.BlankNode | ox.Literal) else str(t)
    return "_:" if blank or (t is not None and text.startswith(GENID)) else _key(t)


def _graph_key(g: Any) -> list[tuple[str, ...]]:
    return sorted(tuple(_bkey(x) for x in tr) for tr in g)


def check_report_remote(name: str, endpoint: str) -> None:
    """The report query run remotely gives the local columns and rows, in zh and in en."""
    from yrd_kg.sparql.run import run_query

    params = _params(name)
    for lang in ("zh", "en"):
        remote = run_remote_query(name, endpoint, lang=lang, engine=RemoteEngine(endpoint, timeout=60), **params)
        local = run_query(name, lang=lang, **params)
        assert remote.columns == local.columns
        assert _same_rows(remote, local), f"{name} ({lang}): {len(remote.rows)} remote vs {len(local.rows)} local rows"


def check_construct_remote(name: str, endpoint: str) -> None:
    """The CONSTRUCT run remotely gives the local graph (blank nodes compared as such)."""
    from yrd_kg.sparql.run import run_query

    params = {"problem_iri": "problem:P1"} if name == "construct-problem-subgraph" else {}
    remote = run_remote_query(name, endpoint, lang="en", engine=RemoteEngine(endpoint, timeout=120), **params)
    local = run_query(name, lang="en", **params)
    assert remote.graph is not None and local.graph is not None and len(local.graph) > 0
    assert _graph_key(remote.graph) == _graph_key(local.graph), f"{name}: {len(remote.graph)} vs {len(local.graph)}"


def check_violation_remote(name: str, endpoint: str, tmp_path: Path, *, protocol: str) -> None:
    """The violation query finds on the store what it finds locally in its broken fixture (pushed to its own graph)."""
    import pyoxigraph as ox
    from rdflib import Graph

    from yrd_kg.sparql.run import run_query

    fixture = FIXTURES / f"q-{name.removesuffix('-violation')}.ttl"
    assert fixture.read_text(encoding="utf-8").startswith(f"# Breaks {name}")
    g = Graph()
    for f in (ONTOLOGY, fixture):
        g.parse(f)
    nt = tmp_path / f"{name}.nt"
    g.serialize(nt, format="nt", encoding="utf-8")
    graph = f"https://w3id.org/yrd-kg/graph/test/{name}"
    store = ox.Store()
    store.load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
    local = run_query(name, store=store)
    assert len(local.rows) > 0, f"{name}: the fixture should break it"
    push(endpoint, nq=nt, graph=graph, chunk=500, protocol=protocol, engine=RemoteEngine(endpoint, timeout=60))
    try:
        remote = run_query(name, engine=RemoteEngine(endpoint, timeout=60, default_graphs=[graph]))
    finally:
        RemoteEngine(endpoint, timeout=60).update(f"DROP SILENT GRAPH <{graph}>", default_update_url(endpoint))
    assert remote.columns == local.columns
    key = [sorted(tuple(_bkey(x) for x in r) for r in t.rows) for t in (remote, local)]
    assert key[0] == key[1], f"{name}: {len(remote.rows)} remote vs {len(local.rows)} local rows"


# --------------------------------------------------------------------------- real Oxigraph server


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``oxigraph serve --location tmp --bind 127.0.0.1:<free port> --union-default-graph``; stopped by pid."""
    from oxigraph_support import ServeError, start_backend

    try:
        backend = start_backend(tmp_path_factory.mktemp("oxigraph") / "db", read_only=False)
    except ServeError as exc:
        pytest.skip(f"cannot start oxigraph: {exc}")
    try:
        yield backend.query_url
    finally:
        backend.stop()


@pytest.fixture(scope="module")
def pushed(oxigraph_server: str, build_dir: Path) -> str:
    res = push(oxigraph_server, nq=build_dir / "yrd-kg.nq", chunk=500)
    assert res.chunks > len(res.graphs)  # several graphs needed more than one chunk (PUT + POSTs)
    return oxigraph_server


@pytest.mark.server
def test_push_counts_and_idempotent(oxigraph_server: str, build_dir: Path) -> None:
    nq = build_dir / "yrd-kg.nq"
    expected = {g: len(lines) for g, lines in read_quads(nq).items()}
    first = push(oxigraph_server, nq=nq, chunk=3000)
    again = push(oxigraph_server, nq=nq, chunk=7000)
    assert first.graphs == expected == again.graphs


@pytest.mark.server
def test_push_one_graph_update_protocol(oxigraph_server: str, build_dir: Path) -> None:
    g = "https://w3id.org/yrd-kg/graph/test/all"
    res = push(oxigraph_server, nq=build_dir / "yrd-kg.nq", graph=g, chunk=5000, protocol="update")
    assert list(res.graphs) == [g]
    res2 = push(oxigraph_server, nq=build_dir / "yrd-kg.nq", graph=g, chunk=5000, protocol="update")
    assert res2.graphs == res.graphs
    eng = RemoteEngine(oxigraph_server, timeout=10)
    eng.update(f"DROP GRAPH <{g}>", oxigraph_server.replace("/query", "/update"))


def test_skolem_iris_are_the_build_labels(build_dir: Path) -> None:
    """One skolem scheme: a pushed blank node's IRI is GENID + its build label, the same in every push."""
    from yrd_kg.namespaces import skolem

    lines = [ln for ls in read_quads(build_dir / "yrd-kg.nq").values() for ln in ls]
    labels = {q.subject.value for q in ox.parse(path=str(build_dir / "yrd-kg.nq"), format=ox.RdfFormat.N_QUADS)
              if isinstance(q.subject, ox.BlankNode)}
    assert labels and all(f"<{skolem(label)}>" in "\n".join(lines) for label in sorted(labels)[:20])
    assert not any("_:" in ln for ln in lines)
    with pytest.raises(ValueError):
        skolem("not a label")


@pytest.mark.server
@pytest.mark.parametrize("name", queries_of("report"))
def test_saved_query_same_rows_remote(name: str, pushed: str) -> None:
    check_report_remote(name, pushed)


@pytest.mark.server
@pytest.mark.parametrize("name", queries_of("construct"))
def test_saved_construct_same_graph_remote(name: str, pushed: str) -> None:
    check_construct_remote(name, pushed)


@pytest.mark.server
@pytest.mark.parametrize("name", queries_of("violation"))
def test_violation_query_remote_on_its_fixture(name: str, pushed: str, tmp_path: Path) -> None:
    check_violation_remote(name, pushed, tmp_path, protocol="gsp")


@pytest.mark.server
def test_construct_remote(pushed: str) -> None:
    g = RemoteEngine(pushed, timeout=10).construct(
        "PREFIX yrd: <https://w3id.org/yrd-kg/ontology#> CONSTRUCT { ?p a yrd:Shortcoming } WHERE { ?p a yrd:Shortcoming }")
    assert len(g) == 4


# --------------------------------------------------------------------------- a misbehaving fake server


Handler = Callable[[BaseHTTPRequestHandler], None]


class Fake:
    """A tiny HTTP server on 127.0.0.1 whose behaviour per path is a function."""

    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.hits: dict[str, int] = {}
        self.bodies: dict[str, bytes] = {}
        fake = self

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a: Any) -> None:
                pass

            def _go(self) -> None:
                path = self.path.split("?", 1)[0]
                fake.hits[path] = fake.hits.get(path, 0) + 1
                n = int(self.headers.get("Content-Length") or 0)
                fake.bodies[path] = self.rfile.read(n) if n else b""
                fake.routes.get(path, lambda h: h.send_error(404))(self)

            do_GET = _go
            do_POST = _go

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake() -> Iterator[Fake]:
    f = Fake()
    yield f
    f.close()


def reply(status: int, body: bytes, ctype: str, **headers: str) -> Handler:
    def h(r: BaseHTTPRequestHandler) -> None:
        r.send_response(status)
        r.send_header("Content-Type", ctype)
        r.send_header("Content-Length", str(len(body)))
        for k, v in headers.items():
            r.send_header(k.replace("_", "-"), v)
        r.end_headers()
        r.wfile.write(body)
    return h


GOOD = json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": [
    {"x": {"type": "literal", "value": "1", "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}]}}).encode()
Q = "SELECT ?x WHERE { ?s ?p ?x }"


def test_good_json(fake: Fake) -> None:
    fake.routes["/q"] = reply(200, GOOD, "application/sparql-results+json")
    cols, rows = RemoteEngine(fake.url("/q"), timeout=2).select_rows(Q)
    assert cols == ("x",) and rows[0][0] == ox.Literal("1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))


def test_never_answers_times_out(fake: Fake) -> None:
    stop = threading.Event()
    fake.routes["/q"] = lambda r: stop.wait(10)
    t = time.monotonic()
    with pytest.raises(RemoteTimeout):
        RemoteEngine(fake.url("/q"), timeout=0.5, retries=0).select_rows(Q)
    assert time.monotonic() - t < 5
    stop.set()


def test_trickle_hits_total_deadline(fake: Fake) -> None:
    stop = threading.Event()

    def trickle(r: BaseHTTPRequestHandler) -> None:
        r.send_response(200)
        r.send_header("Content-Type", "application/sparql-results+json")
        r.end_headers()
        for _ in range(100):
            if stop.is_set():
                return
            try:
                r.wfile.write(b" ")
                r.wfile.flush()
            except OSError:
                return
            time.sleep(0.1)

    fake.routes["/q"] = trickle
    t = time.monotonic()
    with pytest.raises(RemoteTimeout):
        RemoteEngine(fake.url("/q"), timeout=1.0, deadline=1.5, retries=0).select_rows(Q)
    assert time.monotonic() - t < 4
    stop.set()


def test_retry_after_honoured_and_bounded(fake: Fake) -> None:
    calls = {"n": 0}

    def flaky(r: BaseHTTPRequestHandler) -> None:
        calls["n"] += 1
        if calls["n"] == 1:
            reply(429, b"slow down", "text/plain", Retry_After="1")(r)
        else:
            reply(200, GOOD, "application/sparql-results+json")(r)

    fake.routes["/q"] = flaky
    t = time.monotonic()
    RemoteEngine(fake.url("/q"), timeout=2, retries=2, max_wait=5).select_rows(Q)
    assert time.monotonic() - t >= 1.0 and calls["n"] == 2
    fake.routes["/busy"] = reply(503, b"busy", "text/plain", Retry_After="1")
    with pytest.raises(RemoteRetryError):
        RemoteEngine(fake.url("/busy"), timeout=2, retries=2, max_wait=10).select_rows(Q)
    assert fake.hits["/busy"] == 3  # the first try and two retries
    fake.routes["/long"] = reply(503, b"busy", "text/plain", Retry_After="3600")
    t = time.monotonic()
    with pytest.raises(RemoteRetryError, match="wait budget"):
        RemoteEngine(fake.url("/long"), timeout=2, retries=5, max_wait=10).select_rows(Q)
    assert time.monotonic() - t < 2


def test_html_with_200(fake: Fake) -> None:
    fake.routes["/q"] = reply(200, b"<!DOCTYPE html><html><body>Login</body></html>", "text/html")
    with pytest.raises(RemoteHTMLError):
        RemoteEngine(fake.url("/q"), timeout=2).select_rows(Q)
    fake.routes["/q2"] = reply(200, b"<html><body>oops</body></html>", "application/sparql-results+json")
    with pytest.raises(RemoteHTMLError):
        RemoteEngine(fake.url("/q2"), timeout=2).select_rows(Q)


def test_wrong_content_type(fake: Fake) -> None:
    fake.routes["/q"] = reply(200, b"a,b\n", "text/csv")
    with pytest.raises(RemoteContentTypeError):
        RemoteEngine(fake.url("/q"), timeout=2).select_rows(Q)


def test_truncated_json_and_partial_headers(fake: Fake) -> None:
    fake.routes["/q"] = reply(200, GOOD[:-20], "application/sparql-results+json")
    with pytest.raises(RemoteTruncatedError):
        RemoteEngine(fake.url("/q"), timeout=2).select_rows(Q)

    def short(r: BaseHTTPRequestHandler) -> None:  # Content-Length promises more than is sent
        r.send_response(200)
        r.send_header("Content-Type", "application/sparql-results+json")
        r.send_header("Content-Length", str(len(GOOD) + 50))
        r.end_headers()
        r.wfile.write(GOOD)
        r.close_connection = True

    fake.routes["/short"] = short
    with pytest.raises(RemoteTruncatedError):
        RemoteEngine(fake.url("/short"), timeout=2).select_rows(Q)
    fake.routes["/virt"] = reply(200, GOOD, "application/sparql-results+json", X_SQL_State="S1TAT",
                                 X_SQL_Message="RC...: Returning incomplete results, query interrupted by result timeout")
    with pytest.raises(RemoteTruncatedError, match="S1TAT"):
        RemoteEngine(fake.url("/virt"), timeout=2).select_rows(Q)
    fake.routes["/max"] = reply(200, GOOD, "application/sparql-results+json", X_SPARQL_MaxRows="1")
    with pytest.raises(RemoteTruncatedError, match="MaxRows"):
        RemoteEngine(fake.url("/max"), timeout=2).select_rows(Q)


def test_xml_results_and_doctype(fake: Fake) -> None:
    xml = (b'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head><variable name="x"/>'
           b'</head><results><result><binding name="x"><literal xml:lang="zh">\xe4\xb8\x8a\xe6\xb5\xb7</literal>'
           b'</binding></result></results></sparql>')
    fake.routes["/q"] = reply(200, xml, "application/sparql-results+xml")
    _cols, rows = RemoteEngine(fake.url("/q"), timeout=2).select_rows(Q)
    assert rows[0][0].value == "上海" and rows[0][0].language == "zh"
    evil = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            b'<head><variable name="x"/></head><results/></sparql>')
    fake.routes["/evil"] = reply(200, evil, "application/sparql-results+xml")
    with pytest.raises(RemoteXMLError):
        RemoteEngine(fake.url("/evil"), timeout=2).select_rows(Q)


def test_redirects_rechecked(fake: Fake) -> None:
    fake.routes["/file"] = reply(302, b"", "text/plain", Location="file:///etc/passwd")
    with pytest.raises(RemoteRedirectError):
        RemoteEngine(fake.url("/file"), timeout=2).select_rows(Q)
    fake.routes["/other"] = reply(307, b"", "text/plain", Location="http://example.org/sparql")
    with pytest.raises(RemoteRedirectError, match="another host"):
        RemoteEngine(fake.url("/other"), timeout=2).select_rows(Q)
    fake.routes["/ok"] = reply(307, b"", "text/plain", Location="/q")
    fake.routes["/q"] = reply(200, GOOD, "application/sparql-results+json")
    cols, _ = RemoteEngine(fake.url("/ok"), timeout=2).select_rows(Q)
    assert cols == ("x",)
    fake.routes["/loop"] = reply(302, b"", "text/plain", Location="/loop")
    with pytest.raises(RemoteRedirectError, match="redirects"):
        RemoteEngine(fake.url("/loop"), timeout=2).select_rows(Q)


def test_http_error_status(fake: Fake) -> None:
    fake.routes["/q"] = reply(500, b"boom", "text/plain")
    with pytest.raises(RemoteHTTPError) as ei:
        RemoteEngine(fake.url("/q"), timeout=2).select_rows(Q)
    assert ei.value.status == 500


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_default_graphs_sent_as_protocol_parameters(fake: Fake, method: str) -> None:
    import urllib.parse

    seen: dict[str, list[str]] = {}

    def h(r: BaseHTTPRequestHandler) -> None:
        body = fake.bodies["/q"].decode("ascii")
        form = urllib.parse.parse_qs(body or urllib.parse.urlsplit(r.path).query)
        seen.update(form)
        reply(200, GOOD, "application/sparql-results+json")(r)

    fake.routes["/q"] = h
    graphs = ["https://w3id.org/yrd-kg/graph/data/problems", "urn:x:g2"]
    RemoteEngine(fake.url("/q"), timeout=2, method=method, default_graphs=graphs).select_rows(Q)
    assert seen["default-graph-uri"] == graphs
    assert seen["query"] == [Q]
    with pytest.raises(InputError, match="graph IRI"):
        RemoteEngine(fake.url("/q"), default_graphs=["not an iri"])


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://127.0.0.1/", "127.0.0.1:80/x"])
def test_non_http_schemes_refused(url: str) -> None:
    with pytest.raises(RemoteSchemeError):
        RemoteEngine(url)


def test_user_agent_sent(fake: Fake) -> None:
    seen: dict[str, str] = {}

    def h(r: BaseHTTPRequestHandler) -> None:
        seen["ua"] = r.headers.get("User-Agent", "")
        seen["ct"] = r.headers.get("Content-Type", "")
        reply(200, GOOD, "application/sparql-results+json")(r)

    fake.routes["/q"] = h
    RemoteEngine(fake.url("/q"), timeout=2).select_rows(Q)
    from yrd_kg.namespaces import VERSION

    assert seen["ua"] == f"yrd-kg/{VERSION} (+https://w3id.org/yrd-kg)"
    assert seen["ct"].startswith("application/x-www-form-urlencoded")


# --------------------------------------------------------------------------- Virtuoso (opt-in)


@pytest.fixture(scope="module")
def virtuoso_pushed(virtuoso_endpoint: str, build_dir: Path) -> str:
    """The build pushed to Virtuoso with SPARQL Update (its GSP needs authentication), twice: idempotent."""
    nq = build_dir / "yrd-kg.nq"
    expected = {g: len(lines) for g, lines in read_quads(nq).items()}
    eng = RemoteEngine(virtuoso_endpoint, timeout=60, deadline=600)
    first = push(virtuoso_endpoint, nq=nq, chunk=500, protocol="update", engine=eng)
    again = push(virtuoso_endpoint, nq=nq, chunk=500, protocol="update", engine=eng)
    assert first.graphs == expected == again.graphs
    return virtuoso_endpoint


@pytest.mark.virtuoso
@pytest.mark.parametrize("name", queries_of("report"))
def test_virtuoso_report_query(name: str, virtuoso_pushed: str) -> None:
    check_report_remote(name, virtuoso_pushed)


@pytest.mark.virtuoso
@pytest.mark.parametrize("name", queries_of("construct"))
def test_virtuoso_construct_query(name: str, virtuoso_pushed: str) -> None:
    check_construct_remote(name, virtuoso_pushed)


@pytest.mark.virtuoso
@pytest.mark.parametrize("name", queries_of("violation"))
def test_virtuoso_violation_query(name: str, virtuoso_pushed: str, tmp_path: Path) -> None:
    check_violation_remote(name, virtuoso_pushed, tmp_path, protocol="update")
