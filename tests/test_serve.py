"""`yrd-kg serve`: Oxigraph read-only behind the filter; refuses updates, SERVICE, remote FROM and huge bodies."""

from __future__ import annotations

import http.client
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from yrd_kg.serve.endpoint import ServeError, check_bind, make_filter, running

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def endpoint(build_dir: Path) -> Iterator[str]:
    try:
        ctx = running(port=0, timeout=10, nq=build_dir / "yrd-kg.nq", max_body=4096)
        server, _backend = ctx.__enter__()
    except ServeError as exc:
        pytest.skip(f"cannot start the server: {exc}")
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        ctx.__exit__(None, None, None)


def _req(base: str, method: str, path: str, body: bytes | None = None, ctype: str | None = None) -> tuple[int, str]:
    u = urllib.parse.urlsplit(base)
    c = http.client.HTTPConnection(u.hostname or "", u.port, timeout=20)
    headers = {"Accept": "application/sparql-results+json"}
    if ctype:
        headers["Content-Type"] = ctype
    c.request(method, path, body=body, headers=headers)
    r = c.getresponse()
    data = r.read().decode("utf-8", "replace")
    c.close()
    return r.status, data


def test_form_page(endpoint: str) -> None:
    st, body = _req(endpoint, "GET", "/")
    assert st == 200 and "<form" in body


def test_query_get_and_post(endpoint: str) -> None:
    q = "PREFIX yrd: <https://w3id.org/yrd-kg/ontology#> SELECT (COUNT(*) AS ?n) WHERE { ?p a yrd:Shortcoming }"
    st, body = _req(endpoint, "GET", "/query?" + urllib.parse.urlencode({"query": q}))
    assert st == 200 and '"4"' in body
    st, body = _req(endpoint, "POST", "/query", q.encode(), "application/sparql-query")
    assert st == 200 and '"4"' in body
    st, body = _req(endpoint, "POST", "/query", urllib.parse.urlencode({"query": q}).encode(),
                    "application/x-www-form-urlencoded")
    assert st == 200 and '"4"' in body


def test_remote_engine_through_filter(endpoint: str) -> None:
    from yrd_kg.sparql.run import run_remote_query

    res = run_remote_query("paper-counts", endpoint + "/query", lang="en")
    assert len(res) > 0


@pytest.mark.parametrize("query", [
    "INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }",
    "DROP ALL",
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "SELECT * FROM <http://127.0.0.1:9/data.ttl> WHERE { ?s ?p ?o }",
    "SELECT * FROM NAMED <file:///etc/passwd> WHERE { GRAPH ?g { ?s ?p ?o } }",
])
def test_refused(endpoint: str, query: str) -> None:
    st, body = _req(endpoint, "POST", "/query", query.encode(), "application/sparql-query")
    assert st == 400, body
    assert "refused" in body or "Update" in body


def test_update_routes_refused(endpoint: str) -> None:
    st, _ = _req(endpoint, "POST", "/update", b"DROP ALL", "application/sparql-update")
    assert st == 400
    st, _ = _req(endpoint, "POST", "/query", urllib.parse.urlencode({"update": "DROP ALL"}).encode(),
                 "application/x-www-form-urlencoded")
    assert st == 400
    st, _ = _req(endpoint, "PUT", "/store?default", b"<urn:a> <urn:b> <urn:c> .", "application/n-triples")
    assert st == 405


def test_huge_body_413(endpoint: str) -> None:
    big = ("SELECT * WHERE { ?s ?p ?o } #" + "x" * 10000).encode()
    st, _ = _req(endpoint, "POST", "/query", big, "application/sparql-query")
    assert st == 413


def test_bind_policy() -> None:
    with pytest.raises(ServeError, match="allow-public"):
        check_bind("0.0.0.0", allow_public=False)
    check_bind("127.0.0.1", allow_public=False)
    check_bind("::1", allow_public=False)
    with pytest.raises(ServeError):
        make_filter("0.0.0.0", 0, "http://127.0.0.1:9/query")
