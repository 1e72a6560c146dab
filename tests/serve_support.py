"""Shared by the test_serve_*.py files: a site built for the server once per session, HTTP helpers, child processes."""

from __future__ import annotations

import atexit
import contextlib
import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SOURCE = Path(os.environ.get("YRD_KG_SOURCE", ROOT.parent / "shared" / "source" / "paper.zh.txt"))
_SITE: dict[str, Path] = {}


def served_site(store: Any) -> Path:
    """The site as ``yrd-kg serve`` builds it (``endpoint="/sparql"``), once per session, removed at exit."""
    if "site" not in _SITE:
        from yrd_kg.site.build import build_site

        tmp = Path(tempfile.mkdtemp(prefix="yrd-serve-site-"))
        atexit.register(shutil.rmtree, tmp, True)
        build_site(store, tmp / "site", source=SOURCE if SOURCE.is_file() else None, endpoint="/sparql")
        _SITE["site"] = tmp / "site"
    return _SITE["site"]


@contextlib.contextmanager
def served(store: Any, **settings: Any) -> Iterator[Any]:
    """A server on 127.0.0.1 (free port) over ``store`` and the session's site, in a thread."""
    from yrd_kg.serve.config import ServeConfig
    from yrd_kg.serve.lifecycle import running

    config = ServeConfig(**{"port": 0, "site": served_site(store), "timeout": 10.0, **settings})
    with running(config, store=store) as run:
        yield run


def request(port: int, method: str, path: str, body: bytes | str | None = None, *, timeout: float = 30,
            **headers: str) -> tuple[int, dict[str, str], bytes]:
    """(status, headers with lower-case names, body) of one request; header names with ``_`` for ``-``."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        hdrs = {k.replace("_", "-"): v for k, v in headers.items()}
        c.request(method, path, body=body.encode("utf-8") if isinstance(body, str) else body, headers=hdrs)
        r = c.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        c.close()


def raw(port: int, data: bytes, *, timeout: float = 10) -> bytes:
    """Send ``data`` as it is and read until the server closes (or ``timeout``)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        out = b""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                chunk = s.recv(65536)
            except (TimeoutError, ConnectionResetError):
                break
            if not chunk:
                break
            out += chunk
        return out


def children(pid: int) -> set[int]:
    """The live child processes of ``pid`` (read from /proc; zombies excluded)."""
    out = set()
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            out.add(int(d.name))
    return out


def alive(pid: int) -> bool:
    """Whether ``pid`` exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2:].split()[0] != "Z"


def wait_until(cond: Any, timeout: float = 5.0, step: float = 0.02) -> bool:
    """Poll ``cond()`` until it is true or ``timeout`` passes."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(step)
    return bool(cond())


def slow_client(port: int, query: str) -> subprocess.Popen[bytes]:
    """A client in its own process that POSTs ``query`` and waits; kill it to hang up.

    (A socket of this process would be inherited by the server's forked workers, so closing it here
    would not hang up: the client must live in another process, as real clients do.)
    """
    script = ("import socket,sys,time\n"
              f"s=socket.create_connection(('127.0.0.1',{port}))\n"
              f"b={query.encode()!r}\n"
              f"s.sendall(b'POST /sparql HTTP/1.1\\r\\nHost: 127.0.0.1:{port}\\r\\nContent-Type: application/sparql-query"
              "\\r\\nContent-Length: %d\\r\\n\\r\\n' % len(b) + b)\n"
              "sys.stdout.write('sent\\n'); sys.stdout.flush()\n"
              "print(s.recv(65536)[:12], flush=True)\n"
              "time.sleep(60)\n")
    p = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE)
    assert p.stdout is not None and p.stdout.readline() == b"sent\n"
    return p


#: a query that runs for minutes on the paper's graph (a three-way cartesian product)
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
