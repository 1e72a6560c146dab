"""`push` and `--endpoint` against a local store that requires authentication (Basic or bearer), never echoing secrets.

The store is a small SPARQL 1.1 endpoint + Graph Store in a thread on 127.0.0.1, backed by pyoxigraph, that
answers 401 unless the request carries the expected ``Authorization`` header.
"""

from __future__ import annotations

import base64
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from yrd_kg.sparql.auth import basic, bearer, credentials_for
from yrd_kg.sparql.remote import RemoteAuthError, RemoteEngine

TOKEN = "tok-7d1e5c0ffee"
USER, PASSWORD = "loader", "pw-9a8b7c-secret"
NQ = """<https://w3id.org/yrd-kg/id/x/a> <http://www.w3.org/2000/01/rdf-schema#label> "a"@en <https://w3id.org/yrd-kg/graph/t1> .
<https://w3id.org/yrd-kg/id/x/b> <http://www.w3.org/2000/01/rdf-schema#label> "b"@en <https://w3id.org/yrd-kg/graph/t1> .
<https://w3id.org/yrd-kg/id/x/c> <http://www.w3.org/2000/01/rdf-schema#label> "c"@en <https://w3id.org/yrd-kg/graph/t2> .
"""


class Store:
    """The server: a pyoxigraph store behind a check of the Authorization header."""

    def __init__(self, expected: str) -> None:
        self.store = ox.Store()
        self.expected = expected
        self.seen: list[str | None] = []
        outer = self

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a: Any) -> None:
                pass

            def _authorised(self) -> bool:
                got = self.headers.get("Authorization")
                outer.seen.append(got)
                if got == outer.expected:
                    return True
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="store"')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return False

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length", "0")))

            def _reply(self, status: int, body: bytes = b"", ctype: str = "text/plain") -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                if not self._authorised():
                    return
                parts = urllib.parse.urlsplit(self.path)
                body = self._body()
                if parts.path == "/query":
                    q = urllib.parse.parse_qs(body.decode("utf-8"))["query"][0]
                    res = outer.store.query(q, use_default_graph_as_union=True)
                    out = res.serialize(format=ox.QueryResultsFormat.JSON)
                    self._reply(200, out, "application/sparql-results+json")
                elif parts.path == "/store":
                    g = urllib.parse.parse_qs(parts.query)["graph"][0]
                    outer.store.load(body, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(g))
                    self._reply(204)
                else:
                    self._reply(404)

            def do_PUT(self) -> None:
                if not self._authorised():
                    return
                parts = urllib.parse.urlsplit(self.path)
                g = ox.NamedNode(urllib.parse.parse_qs(parts.query)["graph"][0])
                body = self._body()
                if g in set(outer.store.named_graphs()):
                    outer.store.clear_graph(g)
                outer.store.load(body, format=ox.RdfFormat.N_TRIPLES, to_graph=g)
                self._reply(201)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/query"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def basic_store() -> Iterator[Store]:
    s = Store("Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode())
    yield s
    s.close()


@pytest.fixture()
def bearer_store() -> Iterator[Store]:
    s = Store(f"Bearer {TOKEN}")
    yield s
    s.close()


@pytest.fixture(autouse=True)
def _no_ambient_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for k in ("YRD_KG_SPARQL_TOKEN", "YRD_KG_SPARQL_USER", "YRD_KG_SPARQL_PASSWORD"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))


def _nq(tmp_path: Path) -> Path:
    f = tmp_path / "d.nq"
    f.write_text(NQ, encoding="utf-8")
    return f


def test_without_credentials_the_message_says_how(basic_store: Store) -> None:
    with pytest.raises(RemoteAuthError) as info:
        RemoteEngine(basic_store.url).select_rows("ASK {}")
    msg = str(info.value)
    assert msg.startswith("HTTP 401: the endpoint needs authentication (Basic); set YRD_KG_SPARQL_TOKEN")
    assert "~/.netrc" in msg and basic_store.seen == [None]


def test_wrong_credentials_are_named_by_source_never_by_value(basic_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YRD_KG_SPARQL_USER", USER)
    monkeypatch.setenv("YRD_KG_SPARQL_PASSWORD", "wrong-pass-123")
    with pytest.raises(RemoteAuthError) as info:
        RemoteEngine(basic_store.url).select_rows("ASK {}")
    msg = str(info.value)
    assert "refused the Basic credentials from YRD_KG_SPARQL_USER/YRD_KG_SPARQL_PASSWORD" in msg
    assert "wrong-pass-123" not in msg and base64.b64encode(f"{USER}:wrong-pass-123".encode()).decode() not in msg


def test_push_and_query_with_basic_from_the_environment(basic_store: Store, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from yrd_kg.cli.main import main

    monkeypatch.setenv("YRD_KG_SPARQL_USER", USER)
    monkeypatch.setenv("YRD_KG_SPARQL_PASSWORD", PASSWORD)
    res = CliRunner().invoke(main, ["push", "--endpoint", basic_store.url, "--nq", str(_nq(tmp_path))])
    assert res.exit_code == 0, res.output
    assert '"triples": 3' in res.stdout and PASSWORD not in res.output
    q = tmp_path / "q.rq"
    q.write_text("SELECT ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } ORDER BY ?l", encoding="utf-8")
    res = CliRunner().invoke(main, ["sparql", str(q), "--endpoint", basic_store.url, "--format", "csv"])
    assert res.exit_code == 0, res.output
    assert res.stdout.split() == ["l", "a", "b", "c"]


def test_push_with_a_bearer_token(bearer_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from yrd_kg.linking.push import push

    monkeypatch.setenv("YRD_KG_SPARQL_TOKEN", TOKEN)
    result = push(bearer_store.url, nq=_nq(tmp_path))
    assert result.graphs == {"https://w3id.org/yrd-kg/graph/t1": 2, "https://w3id.org/yrd-kg/graph/t2": 1}
    assert set(bearer_store.seen) == {f"Bearer {TOKEN}"}


def test_netrc_gives_basic_for_the_host(basic_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rc = tmp_path / "netrc"
    rc.write_text(f"machine 127.0.0.1 login {USER} password {PASSWORD}\n", encoding="utf-8")
    rc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(rc))
    creds = credentials_for(basic_store.url)
    assert creds is not None and creds.source == f"netrc ({rc})" and PASSWORD not in repr(creds)
    assert RemoteEngine(basic_store.url).ask("ASK {}") is True  # an empty pattern matches once
    assert credentials_for("http://other.example/sparql") is None


def test_credentials_never_leave_the_endpoint_origin(bearer_store: Store) -> None:
    """A redirect to another port of the same host (allowed) goes without the Authorization header."""
    other = Store("nobody")
    try:
        class Redirect(BaseHTTPRequestHandler):
            def log_message(self, *a: Any) -> None:
                pass

            def do_POST(self) -> None:
                self.send_response(307)
                self.send_header("Location", other.url)
                self.send_header("Content-Length", "0")
                self.end_headers()

        srv = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{srv.server_address[1]}/query"
        eng = RemoteEngine(url, auth=bearer(TOKEN, "test"))
        with pytest.raises(RemoteAuthError):
            eng.select_rows("ASK {}")
        assert other.seen == [None]
        srv.shutdown()
        srv.server_close()
    finally:
        other.close()


def test_a_server_echoing_the_secret_is_redacted(tmp_path: Path) -> None:
    creds = basic(USER, PASSWORD, "test")

    class Echo(BaseHTTPRequestHandler):
        def log_message(self, *a: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = f"bad request from {self.headers.get('Authorization')} ({PASSWORD})".encode()
            self.send_response(400)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        with pytest.raises(Exception) as info:
            RemoteEngine(f"http://127.0.0.1:{srv.server_address[1]}/q", auth=creds).select_rows("ASK {}")
        msg = str(info.value)
        assert "bad request from Basic ***" in msg and PASSWORD not in msg
    finally:
        srv.shutdown()
        srv.server_close()
