"""A real Oxigraph server for the push and remote-endpoint tests (``oxigraph serve`` on 127.0.0.1, stopped by pid).

It used to live in ``yrd_kg.serve.endpoint``; ``yrd-kg serve`` no longer starts Oxigraph's server (it
serves the store in process), so only the tests that push to a real triple store need it.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path


class ServeError(RuntimeError):
    """The Oxigraph server could not be started."""


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on ``host`` now."""
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def oxigraph_bin() -> str:
    exe = shutil.which("oxigraph")
    if exe is None:
        raise ServeError("the oxigraph server is not installed (pip install oxigraph)")
    return exe


def wait_for_port(host: str, port: int, timeout: float = 20.0, proc: subprocess.Popen[bytes] | None = None) -> None:
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
    proc: subprocess.Popen[bytes]
    host: str
    port: int
    location: Path

    @property
    def query_url(self) -> str:
        return f"http://{self.host}:{self.port}/query"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


def start_backend(location: Path, *, timeout: float = 30.0, read_only: bool = True) -> Backend:
    """``oxigraph serve[-read-only] --union-default-graph`` on a free 127.0.0.1 port."""
    p = free_port()
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
