"""Jobs in killable workers, at most N at once, each cancelled when its client goes away.

:meth:`Runner.run` takes one of ``max_concurrent`` slots (none free: :class:`Busy`, answered 503 with
``Retry-After``) and runs a job of :mod:`yrd_kg.serve.jobs` through
:func:`yrd_kg.worker.run_with_timeout` (a forked worker: the store is shared copy-on-write; killed past
the timeout; under the memory cap). The worker tells its pid through a pipe as it starts; a watcher
thread polls the client's socket meanwhile, and when the client hangs up it kills the worker
(``SIGKILL``, through a pidfd where the kernel has them), so an abandoned query stops computing at once.
:meth:`Runner.stop` kills every running worker (server shutdown).

The worker closes the sockets it inherited (the listening socket, other clients' connections; see
:data:`INHERITED`) before it runs the job, so a worker never holds the port or another client's connection.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import socket
import struct
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import pyoxigraph as ox

from yrd_kg.worker import SandboxError, run_with_timeout

T = TypeVar("T")
#: file descriptors of the server's sockets; a worker closes its copies first thing
INHERITED: set[int] = set()
_POLLRDHUP = getattr(select, "POLLRDHUP", 0x2000)
_GONE = select.POLLHUP | select.POLLERR | select.POLLNVAL | _POLLRDHUP


class Busy(Exception):
    """Every query slot is taken (503 with Retry-After)."""


class ClientGone(Exception):
    """The client hung up while its query ran; the worker was killed."""


class Stopping(Exception):
    """The server is shutting down."""


def _in_worker(pid_fd: int, job: Callable[..., T], *args: Any) -> T:
    """Runs in the worker: default signal handling, say our pid, drop the inherited sockets, run the job."""
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        with contextlib.suppress(ValueError, OSError):
            signal.signal(sig, signal.SIG_DFL)
    with contextlib.suppress(OSError):
        os.write(pid_fd, struct.pack("!q", os.getpid()))
        os.close(pid_fd)
    for fd in list(INHERITED):
        with contextlib.suppress(OSError):
            os.close(fd)
    return job(*args)


class _Watch:
    """Learns a worker's pid and kills the worker when its client's socket reports a hang-up."""

    def __init__(self, pid_fd: int, sock: socket.socket | None) -> None:
        self.pid_fd = pid_fd
        self.sock_fd = sock.fileno() if sock is not None else -1
        self.sock = sock
        self.lock = threading.Lock()
        self.done = False
        self.client_gone = False
        self.pid = 0
        self.pidfd = -1
        self.thread = threading.Thread(target=self._loop, name="yrd-kg-watch", daemon=True)

    def start(self) -> None:
        """Start watching."""
        self.thread.start()

    def _got_pid(self) -> None:
        data = b""
        with contextlib.suppress(OSError):
            data = os.read(self.pid_fd, 8)
        if len(data) != 8:
            return
        with self.lock:
            self.pid = struct.unpack("!q", data)[0]
            if hasattr(os, "pidfd_open"):
                with contextlib.suppress(OSError):
                    self.pidfd = os.pidfd_open(self.pid)
            if self.client_gone:
                self._kill_locked()

    def _hung_up(self, events: int) -> bool:
        if events & _GONE:
            return True
        assert self.sock is not None
        try:
            return self.sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
        except BlockingIOError:
            return False
        except OSError:
            return True

    def _loop(self) -> None:
        poller = select.poll()
        poller.register(self.pid_fd, select.POLLIN)
        if self.sock_fd >= 0:
            poller.register(self.sock_fd, select.POLLIN | _POLLRDHUP)
        try:
            while not self.done:
                for fd, events in poller.poll(50):
                    if fd == self.pid_fd:
                        poller.unregister(self.pid_fd)
                        self._got_pid()
                    elif fd == self.sock_fd:
                        poller.unregister(self.sock_fd)  # hung up, or pipelined bytes of the next request
                        if self._hung_up(events):
                            with self.lock:
                                self.client_gone = True
                                self._kill_locked()  # or as soon as the pid arrives (_got_pid)
        finally:
            with self.lock:
                os.close(self.pid_fd)
                self.pid_fd = -1
                if self.pidfd >= 0:
                    os.close(self.pidfd)
                    self.pidfd = -1

    def _kill_locked(self) -> None:
        if self.done or not self.pid:
            return
        with contextlib.suppress(OSError):
            if self.pidfd >= 0:
                signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
            else:
                os.kill(self.pid, signal.SIGKILL)

    def kill(self) -> None:
        """Kill the worker now (server shutdown)."""
        with self.lock:
            self._kill_locked()

    def finish(self) -> None:
        """The run is over: never kill from now on (the worker has been reaped)."""
        with self.lock:
            self.done = True


class Runner:
    """Runs jobs for the request handlers (see the module docstring)."""

    def __init__(self, store: ox.Store, *, timeout: float, memory_mb: int | None, max_concurrent: int) -> None:
        self.store = store
        self.timeout = timeout
        self.memory_mb = memory_mb
        self.max_concurrent = max_concurrent
        self._slots = threading.BoundedSemaphore(max_concurrent)
        self._lock = threading.Lock()
        self._watches: set[_Watch] = set()
        self.stopping = False

    def run(self, job: Callable[..., T], *args: Any, client: socket.socket | None = None, what: str = "the query") -> T:
        """``job(store, *args)`` in a worker; :class:`Busy` when no slot is free, :class:`ClientGone` if the client left."""
        if self.stopping:
            raise Stopping("the server is shutting down")
        if not self._slots.acquire(blocking=False):
            raise Busy(f"all {self.max_concurrent} query slots are busy; retry shortly")
        try:
            r, w = os.pipe()
            watch = _Watch(r, client)
            with self._lock:
                self._watches.add(watch)
            watch.start()
            try:
                result: T = run_with_timeout(_in_worker, w, job, self.store, *args, timeout=self.timeout,
                                             memory_mb=self.memory_mb, what=what, network=False)
                return result
            except SandboxError:
                if watch.client_gone:
                    raise ClientGone("the client hung up; its query was stopped") from None
                if self.stopping:
                    raise Stopping("the server is shutting down") from None
                raise
            finally:
                watch.finish()
                os.close(w)
                with self._lock:
                    self._watches.discard(watch)
        finally:
            self._slots.release()

    def running(self) -> int:
        """How many jobs run now."""
        with self._lock:
            return len(self._watches)

    def stop(self) -> None:
        """Refuse new jobs and kill every running worker."""
        self.stopping = True
        with self._lock:
            watches = list(self._watches)
        for w in watches:
            w.kill()
