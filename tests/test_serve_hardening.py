"""`yrd-kg serve` under hostile clients and signals: every promise of docs/SERVE.md "Hardening" has its test here.

Concurrent queries over the cap get 503 with Retry-After; a query whose client hangs up, or that runs
past the timeout, has its worker killed; slow clients get 408; malformed requests get an answer (400,
414, 431, 501, 505), never a dropped connection; a foreign Host gets 421; a busy port is one line and
exit 2; SIGTERM, SIGINT and SIGHUP stop the server with no worker left and its temporary folder removed.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from serve_support import SLOW, alive, children, raw, request, served, served_site, slow_client, wait_until

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def srv(store: Any) -> Iterator[Any]:
    with served(store, timeout=20.0, max_concurrent=2, read_timeout=1.0, idle_timeout=2.0, max_body=4096) as run:
        yield run


def _status(response: bytes) -> int:
    assert response.startswith(b"HTTP/1.1 "), response[:80]
    return int(response.split(b" ", 2)[1])


def _slow_request(port: int) -> socket.socket:
    """Send the slow query and leave the connection open (the caller closes it)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    body = SLOW.encode()
    s.sendall(b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/sparql-query\r\n"
              b"Content-Length: %d\r\n\r\n%s" % (port, len(body), body))
    return s


def _workers() -> set[int]:
    return children(os.getpid())


# --------------------------------------------------------------------------- queries: cap, cancellation, timeout


def test_client_hang_up_kills_its_worker(srv: Any) -> None:
    before = _workers()
    client = slow_client(srv.server.port, SLOW)
    before.add(client.pid)
    assert wait_until(lambda: srv.runner.running() == 1 and len(_workers() - before) == 1, 10)
    (worker,) = _workers() - before
    assert alive(worker)
    client.kill()
    client.wait()
    assert wait_until(lambda: not alive(worker), 3), ("the abandoned query's worker is still computing",
                                                      srv.runner.running(), srv.server.connections, worker, _workers())
    assert wait_until(lambda: srv.runner.running() == 0, 3)


def test_concurrent_cap_gives_503_with_retry_after(srv: Any) -> None:
    before = _workers()
    held = [slow_client(srv.server.port, SLOW) for _ in range(2)]
    try:
        assert wait_until(lambda: srv.runner.running() == 2, 10), (srv.runner.running(), srv.server.connections,
                                                                   [c.poll() for c in held], _workers() - before)
        q = urllib.parse.quote("ASK { ?s ?p ?o }")
        st, h, data = request(srv.server.port, "GET", f"/sparql?query={q}")
        assert st == 503 and h["retry-after"] == "2" and b"all 2 query slots are busy" in data, \
            (st, data, srv.runner.running(), [c.poll() for c in held], _workers() - before)
    finally:
        for c in held:
            c.kill()
            c.wait()
    assert wait_until(lambda: srv.runner.running() == 0 and not (_workers() - before), 5)
    st, _, data = request(srv.server.port, "GET", f"/sparql?query={q}")
    assert st == 200 and b'"boolean": true' in data


def test_timeout_gives_504_and_kills_the_worker(store: Any) -> None:
    before = _workers()
    with served(store, timeout=1.0) as run:
        t = time.monotonic()
        st, _, data = request(run.server.port, "POST", "/sparql", SLOW, Content_Type="application/sparql-query")
        assert st == 504 and b"ran past the server's limit of 1 s and was stopped" in data
        assert time.monotonic() - t < 6
        assert wait_until(lambda: not (_workers() - before), 3)


# --------------------------------------------------------------------------- slow and malformed clients


def test_slowloris_gets_408(srv: Any) -> None:
    """Headers sent a byte every 0.1 s: the request must be whole within the read timeout (1 s here)."""
    import select

    port = srv.server.port
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        t = time.monotonic()
        answer = b""
        for ch in f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Slow: {'a' * 60}\r\n\r\n".encode():
            if select.select([s], [], [], 0)[0]:
                answer = s.recv(4096)
                break
            s.sendall(bytes([ch]))
            time.sleep(0.1)
        assert _status(answer) == 408 and b"did not arrive within 1 s" in answer
        assert time.monotonic() - t < 2


def test_idle_connection_is_closed(srv: Any) -> None:
    with socket.create_connection(("127.0.0.1", srv.server.port), timeout=10) as s:
        t = time.monotonic()
        assert s.recv(10) == b""  # closed by the server, nothing sent
        assert 1.5 < time.monotonic() - t < 5


@pytest.mark.parametrize(("data", "status"), [
    (b"GARBAGE\r\n\r\n", 400),
    (b"\xff\xfe\xfd\r\n\r\n", 400),
    (b"GET /\x01 HTTP/1.1\r\nHost: {host}\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\nHost: {host}\r\nNoColonHere\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\nHost : {host}\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\nHost: {host}\r\nX-A: 1\r\n  folded\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\nHost: {host}\r\nX-A: a\x00b\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\nHost: {host}\r\nHost: {host}\r\n\r\n", 400),
    (b"POST /sparql HTTP/1.1\r\nHost: {host}\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nASK{}", 400),
    (b"POST /sparql HTTP/1.1\r\nHost: {host}\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    (b"POST /sparql HTTP/1.1\r\nHost: {host}\r\nContent-Length: -1\r\n\r\n", 400),
    (b"POST /sparql HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
    (b"POST /sparql HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
    (b"POST /sparql HTTP/1.1\r\nHost: {host}\r\nContent-Length: 99999\r\n\r\n", 413),
    (b"GET / HTTP/2.0\r\nHost: {host}\r\n\r\n", 505),
    (b"GET / HTTP/1.1\r\nHost: {host}\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n", 431),
    (b"GET / HTTP/1.1\r\nHost: {host}\r\n" + b"X-A: 1\r\n" * 101 + b"\r\n", 431),
    (b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\nHost: {host}\r\n\r\n", 414),
    (b"BREW / HTTP/1.1\r\nHost: {host}\r\n\r\n", 405),
])
def test_malformed_requests_get_an_answer(srv: Any, data: bytes, status: int) -> None:
    host = f"127.0.0.1:{srv.server.port}".encode()
    answer = raw(srv.server.port, data.replace(b"{host}", host), timeout=5)
    assert _status(answer) == status, answer[:200]
    st, _, _ = request(srv.server.port, "GET", "/")  # and the server still serves
    assert st == 200


def test_chunked_and_expect_continue_are_understood(srv: Any) -> None:
    port = srv.server.port
    body = b"ASK { ?s ?p ?o }"
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    answer = raw(port, b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/sparql-query\r\n"
                       b"Transfer-Encoding: chunked\r\nConnection: close\r\nExpect: 100-continue\r\n\r\n%s" % (port, chunked))
    assert answer.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK") and b'"boolean": true' in answer


@pytest.mark.parametrize(("host", "status"), [
    ("evil.example:{port}", 421), ("127.0.0.1:{port}", 200), ("localhost:{port}", 200), ("127.0.0.1:1", 421),
    ("127.0.0.1", 421), ("localhost.:{port}", 200), ("[::1]:{port}", 200), ("user@127.0.0.1:{port}", 421),
])
def test_host_header_is_checked(srv: Any, host: str, status: int) -> None:
    port = srv.server.port
    answer = raw(port, b"GET / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" % host.format(port=port).encode())
    assert _status(answer) == status, answer[:200]
    if status == 421:
        assert b"DNS rebinding" in answer


def test_absolute_form_target_is_host_checked(srv: Any) -> None:
    port = srv.server.port
    answer = raw(port, b"GET http://evil.example:%d/ HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n\r\n" % (port, port))
    assert _status(answer) == 421


def test_connection_cap(store: Any) -> None:
    with served(store, max_connections=2, idle_timeout=10.0) as run:
        held = [socket.create_connection(("127.0.0.1", run.server.port)) for _ in range(2)]
        try:
            assert wait_until(lambda: run.server.connections == 2, 3)
            answer = raw(run.server.port, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", timeout=5)
            assert _status(answer) == 503 and b"too many open connections" in answer
        finally:
            for s in held:
                s.close()


def test_cors_off_by_default_and_configurable(srv: Any, store: Any) -> None:
    q = urllib.parse.quote("ASK { ?s ?p ?o }")
    _, h, _ = request(srv.server.port, "GET", f"/sparql?query={q}", Origin="https://example.org")
    assert "access-control-allow-origin" not in h
    with served(store, cors_origins=("https://example.org",)) as run:
        port = run.server.port
        st, h, _ = request(port, "GET", f"/sparql?query={q}", Origin="https://example.org")
        assert st == 200 and h["access-control-allow-origin"] == "https://example.org" and "Origin" in h["vary"]
        assert "Yrd-Kg-Truncated" in h["access-control-expose-headers"]
        _, h, _ = request(port, "GET", f"/sparql?query={q}", Origin="https://other.example")
        assert "access-control-allow-origin" not in h
        st, h, _ = request(port, "OPTIONS", "/sparql", Origin="https://example.org", Access_Control_Request_Method="POST",
                           Access_Control_Request_Headers="content-type")
        assert st == 204 and h["access-control-allow-origin"] == "https://example.org"
        assert "POST" in h["access-control-allow-methods"] and h["access-control-allow-headers"] == "content-type"
        st, _, data = request(port, "OPTIONS", "/sparql", Origin="https://other.example", Access_Control_Request_Method="POST")
        assert st == 403 and b"--cors-origin" in data
    with served(store, cors_origins=("*",)) as run:
        _, h, _ = request(run.server.port, "GET", f"/sparql?query={q}", Origin="https://any.example")
        assert h["access-control-allow-origin"] == "*"


def test_static_files_stay_inside_the_site(srv: Any) -> None:
    port = srv.server.port
    for path in ("/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/.yrd-kg-site", "/en/..%2f..%2fetc/passwd", "/a%00b"):
        answer = raw(port, b"GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n\r\n" % (path.encode(), port))
        assert _status(answer) == 404, path
    st, h, _ = request(port, "GET", "/en")
    assert st == 301 and h["location"] == "/en/"
    st, h, _ = request(port, "GET", "/assets/site.css")
    assert st == 200 and h["content-type"].startswith("text/css")
    st, _, _ = request(port, "GET", "/assets/site.css", If_None_Match=h["etag"])
    assert st == 304


def test_row_cap_is_reported(store: Any) -> None:
    with served(store, max_rows=7) as run:
        q = urllib.parse.quote("SELECT ?s WHERE { ?s ?p ?o }")
        st, h, data = request(run.server.port, "GET", f"/sparql?query={q}&format=csv")
        assert st == 200 and h["yrd-kg-truncated"] == "7" and len(data.decode().splitlines()) == 8


# --------------------------------------------------------------------------- the command: bind policy, busy port, signals


def _cli(*args: str, env: dict[str, str] | None = None, **kw: Any) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "yrd_kg", "serve", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, **kw)


@pytest.fixture
def cli_env(build_dir: Path, tmp_path: Path) -> dict[str, str]:
    (tmp_path / "tmp").mkdir()
    return {**os.environ, "YRD_KG_BUILD": str(build_dir), "TMPDIR": str(tmp_path / "tmp")}


def test_public_bind_needs_allow_public(cli_env: dict[str, str]) -> None:
    p = _cli("--host", "0.0.0.0", "--port", "0", env=cli_env)
    _, err = p.communicate(timeout=60)
    assert p.returncode == 2 and err.splitlines() == ["error: refused to bind 0.0.0.0: not a loopback address "
                                                      "(pass --allow-public to expose the endpoint)"]


def test_busy_port_is_one_line_and_exit_2(cli_env: dict[str, str], store: Any) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        t = time.monotonic()
        p = _cli("--port", str(port), "--site", str(served_site(store)), env=cli_env)
        out, err = p.communicate(timeout=60)
    assert p.returncode == 2 and out == ""
    assert err.splitlines() == [f"error: cannot listen on 127.0.0.1:{port}: the port is in use "
                                "(stop what listens there, or choose another with --port)"]
    assert time.monotonic() - t < 15


def _start(cli_env: dict[str, str], *args: str) -> tuple[subprocess.Popen[str], int, list[str]]:
    p = _cli("--port", "0", *args, env=cli_env)
    assert p.stderr is not None
    lines: list[str] = []
    while True:
        line = p.stderr.readline()
        assert line, f"the server exited: {lines}"
        lines.append(line)
        if line.startswith("serving http://127.0.0.1:"):
            port = int(line.split(":")[2].split("/")[0])
            break
    rest: list[str] = []
    threading.Thread(target=lambda: rest.extend(p.stderr), daemon=True).start()  # type: ignore[arg-type]
    return p, port, rest


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_signal_stops_cleanly_with_no_worker_left(cli_env: dict[str, str], store: Any, sig: signal.Signals) -> None:
    build = sig == signal.SIGTERM  # once with the site built into a temporary folder at start
    p, port, rest = _start(cli_env, *([] if build else ["--site", str(served_site(store))]))
    try:
        tmp = Path(cli_env["TMPDIR"])
        if build:
            assert [d.name.startswith("yrd-kg-serve-") for d in tmp.iterdir()] == [True]
        s = _slow_request(port)
        assert wait_until(lambda: len(children(p.pid)) == 1, 10), children(p.pid)
        (worker,) = children(p.pid)
        p.send_signal(sig)
        assert p.wait(timeout=10) == 0
        assert wait_until(lambda: not alive(worker), 3), f"worker {worker} survived {sig.name}"
        answer = s.recv(4096)
        s.close()
        assert answer == b"" or _status(answer) == 503
        time.sleep(0.2)
        assert f"stopped ({sig.name}); no query worker left, temporary files removed\n" in rest
        assert list(tmp.iterdir()) == []
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


def test_query_round_trip_through_the_cli(cli_env: dict[str, str], store: Any) -> None:
    p, port, rest = _start(cli_env, "--site", str(served_site(store)))
    try:
        q = urllib.parse.quote("PREFIX yrd: <https://w3id.org/yrd-kg/ontology#> SELECT (COUNT(*) AS ?n) { ?p a yrd:Shortcoming }")
        st, _, data = request(port, "GET", f"/sparql?query={q}&format=csv")
        assert st == 200 and data == b"n\r\n4\r\n"
    finally:
        p.terminate()
        p.wait(timeout=10)
    assert any(line.startswith("127.0.0.1 GET /sparql?query=") and " 200 " in line for line in rest)


def test_no_backend_port(srv: Any) -> None:
    """The store is in process: this process listens on the server's port only, and starts no other server."""
    me = os.getpid()
    sockets = set()
    for fd in os.listdir(f"/proc/{me}/fd"):
        with contextlib.suppress(OSError):  # the listing's own descriptor is closed by now
            sockets.add(os.readlink(f"/proc/{me}/fd/{fd}"))
    listening = sorted(int(f[1].split(":")[1], 16)
                       for table in ("/proc/net/tcp", "/proc/net/tcp6")
                       for f in (line.split() for line in Path(table).read_text().splitlines()[1:])
                       if f[3] == "0A" and f"socket:[{f[9]}]" in sockets)
    assert listening == [srv.server.port]
    assert not [c for c in children(me) if b"oxigraph" in Path(f"/proc/{c}/cmdline").read_bytes()]
