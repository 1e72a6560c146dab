"""A read-only SPARQL endpoint over the built graph: Oxigraph's server behind a thin Python filter.

``serve()`` loads ``build/yrd-kg.nq`` into an Oxigraph database in a temporary folder, starts
``oxigraph serve-read-only --union-default-graph`` on a free loopback port, and serves, on the
chosen host and port:

- ``/``: a small HTML query form;
- ``/query``: SPARQL queries (``GET ?query=``, ``POST application/sparql-query`` or a form), forwarded
  to Oxigraph after a check: updates, ``SERVICE`` and ``FROM``/``FROM NAMED`` with a non-local IRI are
  refused with 400 and a message; a body over the cap gets 413; the forward has a timeout.

It binds loopback unless ``allow_public`` is set.
"""

from __future__ import annotations

import contextlib
import html
import http.client
import ipaddress
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from yrd_kg.errors import EnvironmentFault

MAX_BODY = 256 * 1024
DEFAULT_TIMEOUT = 30.0

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>yrd-kg SPARQL</title></head>
<body>
<h1>yrd-kg: read-only SPARQL endpoint / 只读 SPARQL 端点</h1>
<p>The knowledge graph of 陈晓峰、张其松 (2023). Queries see the union of all named graphs.
Updates, SERVICE and remote FROM are refused.</p>
<form method="post" action="/query">
<textarea name="query" rows="14" cols="100">{example}</textarea><br>
<select name="accept"><option>application/sparql-results+json</option><option>text/csv</option>
<option>application/sparql-results+xml</option></select>
<button type="submit">Run</button>
</form>
</body></html>
"""
EXAMPLE = ("PREFIX yrd: <https://w3id.org/yrd-kg/ontology#>\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
           "SELECT ?problem ?label WHERE {\n  ?problem a yrd:Shortcoming ; skos:prefLabel ?label .\n}\nORDER BY ?problem")


class ServeError(EnvironmentFault):
    """The server could not be started (bad bind address, oxigraph missing or failing)."""


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on ``host`` now."""
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def check_bind(host: str, allow_public: bool) -> None:
    """Refuse a non-loopback bind address unless ``allow_public``."""
    try:
        ip = ipaddress.ip_address(host)
        loopback = ip.is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback and not allow_public:
        raise ServeError(f"refused to bind {host}: not a loopback address (pass --allow-public to expose the endpoint)")


def oxigraph_bin() -> str:
    """The ``oxigraph`` executable (PyPI package ``oxigraph``)."""
    exe = shutil.which("oxigraph")
    if exe is None:
        raise ServeError("the oxigraph server is not installed (pip install oxigraph)")
    return exe


def wait_for_port(host: str, port: int, timeout: float = 20.0, proc: subprocess.Popen[bytes] | None = None) -> None:
    """Wait until something listens on ``host:port``; :class:`ServeError` on timeout or if ``proc`` died."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            raise ServeError(f"oxigraph exited with status {proc.returncode}")
        with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as s:
            s.settimeout(0.5)
            if s.connect_ex((host, port)) == 0:
                return
        time.sleep(0.1)
    raise ServeError(f"nothing listens on {host}:{port} after {timeout:.0f}s")


@dataclass
class Backend:
    """A running Oxigraph server process (started by us, stopped by its pid)."""

    proc: subprocess.Popen[bytes]
    host: str
    port: int
    location: Path

    @property
    def query_url(self) -> str:
        """Its query endpoint."""
        return f"http://{self.host}:{self.port}/query"

    def stop(self) -> None:
        """Terminate the process (by its pid) and wait for it."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


def load_location(location: Path, nq: Path) -> None:
    """``oxigraph load --location DIR --file NQ``."""
    res = subprocess.run([oxigraph_bin(), "load", "--location", str(location), "--file", str(nq)],
                         capture_output=True, timeout=600, check=False)
    if res.returncode != 0:
        raise ServeError(f"oxigraph load failed: {res.stderr.decode('utf-8', 'replace').strip()[:500]}")


def start_backend(location: Path, *, timeout: float = DEFAULT_TIMEOUT, read_only: bool = True,
                  port: int | None = None) -> Backend:
    """Start ``oxigraph serve[-read-only] --union-default-graph`` on 127.0.0.1 (a free port by default)."""
    p = port or free_port()
    cmd = [oxigraph_bin(), "serve-read-only" if read_only else "serve", "--location", str(location),
           "--bind", f"127.0.0.1:{p}", "--union-default-graph"]
    if read_only:
        cmd += ["--timeout-s", str(max(1, int(timeout)))]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for_port("127.0.0.1", p, proc=proc)
    except ServeError:
        proc.kill()
        proc.wait(timeout=10)
        raise
    return Backend(proc, "127.0.0.1", p, location)


# --------------------------------------------------------------------------- the filter


def check_query(text: str) -> str | None:
    """The reason to refuse ``text`` (update, SERVICE, remote FROM, syntax), or None when it may run."""
    from yrd_kg.sparql.errors import QueryError
    from yrd_kg.sparql.guard import check_read_only

    try:
        check_read_only(text)
    except QueryError as exc:
        return str(exc)
    return None


class FilterHandler(BaseHTTPRequestHandler):
    """Forward read-only queries to the backend; refuse everything else."""

    server_version = "yrd-kg-serve/0.1"
    backend_url: str = ""
    timeout_s: float = DEFAULT_TIMEOUT
    max_body: int = MAX_BODY

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet by default."""

    def _send(self, status: int, body: str | bytes, ctype: str = "text/plain; charset=utf-8") -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        """``/`` (the form) and ``/query?query=…``."""
        parts = urllib.parse.urlsplit(self.path)
        if parts.path in ("/", "/index.html"):
            self._send(200, PAGE.format(example=html.escape(EXAMPLE)), "text/html; charset=utf-8")
            return
        if parts.path != "/query":
            self._send(404, "not found: use / or /query\n")
            return
        qs = urllib.parse.parse_qs(parts.query)
        if "update" in qs:
            self._send(400, "refused: updates are not accepted by this read-only endpoint\n")
            return
        query = qs.get("query", [""])[0]
        self._forward(query, qs.get("accept", [""])[0])

    def do_POST(self) -> None:
        """``/query`` with ``application/sparql-query`` or a form body."""
        parts = urllib.parse.urlsplit(self.path)
        if parts.path not in ("/query", "/update", "/store"):
            self._send(404, "not found: use /query\n")
            return
        if parts.path != "/query":
            self._send(400, "refused: updates and graph-store writes are not accepted by this read-only endpoint\n")
            return
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            self._send(411, "a Content-Length is required\n")
            return
        if int(length) > self.max_body:
            self._send(413, f"request body over the cap of {self.max_body} bytes\n")
            self.close_connection = True
            return
        body = self.rfile.read(int(length)).decode("utf-8", "replace")
        ctype = (self.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
        accept = ""
        if ctype == "application/sparql-query":
            query = body
        elif ctype == "application/x-www-form-urlencoded":
            form = urllib.parse.parse_qs(body)
            if "update" in form:
                self._send(400, "refused: updates are not accepted by this read-only endpoint\n")
                return
            query = form.get("query", [""])[0]
            accept = form.get("accept", [""])[0]
        elif ctype == "application/sparql-update":
            self._send(400, "refused: updates are not accepted by this read-only endpoint\n")
            return
        else:
            self._send(415, "use application/sparql-query or a form (application/x-www-form-urlencoded)\n")
            return
        self._forward(query, accept)

    def do_PUT(self) -> None:
        """Refused (read-only)."""
        self._send(405, "read-only endpoint\n")

    do_DELETE = do_PUT
    do_PATCH = do_PUT

    def _forward(self, query: str, accept: str) -> None:
        if not query.strip():
            self._send(400, "no query given\n")
            return
        if len(query.encode("utf-8")) > self.max_body:
            self._send(413, f"query over the cap of {self.max_body} bytes\n")
            return
        reason = check_query(query)
        if reason:
            self._send(400, reason + "\n")
            return
        target = urllib.parse.urlsplit(self.backend_url)
        conn = http.client.HTTPConnection(target.hostname or "127.0.0.1", target.port, timeout=self.timeout_s)
        try:
            conn.request("POST", target.path or "/query", body=query.encode("utf-8"),
                         headers={"Content-Type": "application/sparql-query; charset=utf-8",
                                  "Accept": accept or self.headers.get("Accept") or "application/sparql-results+json"})
            resp = conn.getresponse()
            data = resp.read()
            self._send(resp.status, data, resp.getheader("Content-Type") or "application/octet-stream")
        except TimeoutError:
            self._send(504, f"the query took longer than {self.timeout_s:.0f}s\n")
        except (OSError, http.client.HTTPException) as exc:
            self._send(502, f"backend error: {exc}\n")
        finally:
            conn.close()


def make_filter(host: str, port: int, backend_url: str, *, timeout: float = DEFAULT_TIMEOUT,
                max_body: int = MAX_BODY, allow_public: bool = False) -> ThreadingHTTPServer:
    """The filter server (not yet serving): refuses non-loopback hosts unless ``allow_public``."""
    check_bind(host, allow_public)
    handler = type("BoundFilterHandler", (FilterHandler,),
                   {"backend_url": backend_url, "timeout_s": timeout, "max_body": max_body})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


@contextlib.contextmanager
def running(*, host: str = "127.0.0.1", port: int = 0, timeout: float = DEFAULT_TIMEOUT, allow_public: bool = False,
            nq: Path | None = None, max_body: int = MAX_BODY) -> Iterator[tuple[ThreadingHTTPServer, Backend]]:
    """Load the build into a temporary Oxigraph database, start backend and filter; stop both on exit."""
    check_bind(host, allow_public)
    if nq is None:
        from yrd_kg.dataset.build import NQ
        from yrd_kg.dataset.store import open_dataset

        nq = Path(open_dataset().source) / NQ  # built when needed, checksum verified
    with tempfile.TemporaryDirectory(prefix="yrd-kg-serve-") as tmp:
        loc = Path(tmp) / "db"
        load_location(loc, nq)
        backend = start_backend(loc, timeout=timeout)
        try:
            server = make_filter(host, port, backend.query_url, timeout=timeout + 5, max_body=max_body,
                                 allow_public=allow_public)
            try:
                yield server, backend
            finally:
                server.server_close()
        finally:
            backend.stop()


def serve(*, host: str = "127.0.0.1", port: int = 7879, timeout: float = DEFAULT_TIMEOUT,
          allow_public: bool = False) -> None:
    """Serve until interrupted."""
    with (running(host=host, port=port, timeout=timeout, allow_public=allow_public) as (server, _backend),
          contextlib.suppress(KeyboardInterrupt)):
        server.serve_forever()
