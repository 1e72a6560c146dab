"""Start, run and stop ``yrd-kg serve``: bind first, build the site, serve until a signal, leave nothing behind.

:func:`serve` binds the port before anything slow (a busy port is a one-line :class:`ServeError`, exit 2),
opens the built dataset in memory (no backend server, no backend port), builds the site into a
temporary folder (or serves ``--site DIR``), and serves until SIGTERM, SIGINT or SIGHUP. On the way
out it refuses new queries, kills every running query worker, closes the socket and removes the
temporary folder, whichever way it stops. :func:`running` does the same in a thread, for tests.
"""

from __future__ import annotations

import contextlib
import errno
import shutil
import signal
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from yrd_kg.errors import InputError
from yrd_kg.serve.app import App
from yrd_kg.serve.config import ServeConfig, ServeError, check_bind, host_matcher
from yrd_kg.serve.describe import ServiceInfo
from yrd_kg.serve.runner import Runner
from yrd_kg.serve.server import HttpServer

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph as ox

SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


@dataclass
class Running:
    """A started server: where it listens, what it serves and how long starting took."""

    server: HttpServer
    runner: Runner
    url: str
    site: Path
    temp: Path | None
    site_seconds: float
    start_seconds: float


class _Stop(BaseException):
    """Raised in the main thread by a stop signal (a BaseException, so no handler swallows it)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.name = signal.Signals(signum).name


def _family(host: str) -> socket.AddressFamily:
    try:
        return socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)[0][0]
    except (OSError, IndexError):
        return socket.AF_INET


def bind(config: ServeConfig) -> HttpServer:
    """The listening server (not yet serving); :class:`ServeError` with one line when it cannot listen."""
    check_bind(config.host, config.allow_public)
    where = f"{config.host}:{config.port}"
    try:
        return HttpServer(config, _family(config.host))
    except OSError as exc:
        reason = {errno.EADDRINUSE: "the port is in use (stop what listens there, or choose another with --port)",
                  errno.EACCES: "permission denied (ports below 1024 need privileges; choose another with --port)",
                  errno.EADDRNOTAVAIL: "this machine has no such address"}.get(exc.errno or 0, exc.strerror or str(exc))
        raise ServeError(f"cannot listen on {where}: {reason}") from None


def _site(config: ServeConfig, store: ox.Store, temp: Path) -> Path:
    if config.site is not None:
        site = Path(config.site)
        if not (site / "index.html").is_file():
            raise InputError(f"--site {site}: not a built site (no index.html; build one with `yrd-kg site --output DIR`)")
        return site
    from yrd_kg.site.build import build_site

    return build_site(store, temp / "site", source=config.source, endpoint="/sparql").output


@contextlib.contextmanager
def started(config: ServeConfig, *, store: ox.Store | None = None) -> Iterator[Running]:
    """Bind, open the dataset, build the site; on exit stop workers, close, remove the temporary folder."""
    t0 = time.monotonic()
    server = bind(config)
    temp: Path | None = None
    runner: Runner | None = None
    try:
        if store is None:
            from yrd_kg.dataset.store import open_dataset

            store = open_dataset(persistent=False).store  # in memory: forked workers share it copy-on-write
        from yrd_kg.sparql.catalogue import list_queries

        temp = Path(tempfile.mkdtemp(prefix="yrd-kg-serve-"))
        t1 = time.monotonic()
        site = _site(config, store, temp)
        site_seconds = time.monotonic() - t1
        info = ServiceInfo.of(store, timeout=config.timeout, max_rows=config.max_rows)
        runner = Runner(store, timeout=config.timeout, memory_mb=config.memory_mb, max_concurrent=config.max_concurrent)
        host_check = host_matcher(config.host, server.port, config.allowed_hosts)
        server.app = App(config=config, runner=runner, site=site, info=info, queries=list_queries(), host_check=host_check)
        host = f"[{config.host}]" if ":" in config.host else config.host
        yield Running(server, runner, f"http://{host}:{server.port}/", site, temp, site_seconds, time.monotonic() - t0)
    finally:
        if runner is not None:
            runner.stop()
            end = time.monotonic() + 3
            while runner.running() and time.monotonic() < end:
                time.sleep(0.02)
        server.server_close()
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)


def serve(config: ServeConfig, *, ready: Callable[[Running], None] | None = None) -> str:
    """Serve until SIGTERM, SIGINT or SIGHUP; returns the name of the signal that stopped it."""
    def stop(signum: int, _frame: FrameType | None) -> None:
        for s in SIGNALS:  # once is enough: the clean-up is not interrupted by a second signal
            signal.signal(s, signal.SIG_IGN)
        raise _Stop(signum)

    previous = {s: signal.signal(s, stop) for s in SIGNALS}
    try:
        with started(config) as run:
            if ready is not None:
                ready(run)
            run.server.serve_forever(poll_interval=0.5)
    except _Stop as exc:
        return exc.name
    except KeyboardInterrupt:
        return "SIGINT"
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    return "shutdown"


@contextlib.contextmanager
def running(config: ServeConfig, *, store: ox.Store | None = None) -> Iterator[Running]:
    """A server serving in a background thread (no signal handlers): for tests and embedding."""
    with started(config, store=store) as run:
        thread = threading.Thread(target=run.server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
        thread.start()
        try:
            yield run
        finally:
            run.server.shutdown()
            thread.join(5)
