"""The TCP side: accept connections (at most ``max_connections``), read requests under timeouts, write answers.

One thread per connection, HTTP/1.1 keep-alive. A connection over the cap gets 503 and is closed at
once; an idle keep-alive connection is closed after ``idle_timeout``; a request whose line, headers and
body do not arrive within ``read_timeout`` gets 408 (slowloris); a malformed one 400. After an error
answer the connection is half-closed and drained briefly, so the client reads the answer instead of a
reset. A client that hangs up while its query runs gets nothing (its worker was killed).
"""

from __future__ import annotations

import contextlib
import socket
import socketserver
import sys
import threading
import time
import traceback
from typing import Any

from yrd_kg.serve.app import App
from yrd_kg.serve.config import ServeConfig
from yrd_kg.serve.runner import INHERITED, ClientGone
from yrd_kg.serve.wire import ConnectionDone, HttpError, Reader, Request, Response, encode_response, read_request

#: seconds to deliver an answer to a client that reads slowly
WRITE_TIMEOUT = 60.0


class HttpServer(socketserver.ThreadingTCPServer):
    """A threading TCP server with a connection cap; ``app`` answers the requests."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
    block_on_close = False

    def __init__(self, config: ServeConfig, family: socket.AddressFamily) -> None:
        self.address_family = family
        self.config = config
        self.app: App | None = None
        self._lock = threading.Lock()
        self.connections = 0
        super().__init__((config.host, config.port), _Connection)
        INHERITED.add(self.socket.fileno())

    @property
    def port(self) -> int:
        """The bound port (the chosen one when the config said 0)."""
        return int(self.server_address[1])

    def process_request(self, request: Any, client_address: Any) -> None:
        """Start a connection's thread, or answer 503 when ``max_connections`` are open."""
        with self._lock:
            full = self.connections >= self.config.max_connections
            if not full:
                self.connections += 1
                INHERITED.add(request.fileno())
        if full:
            with contextlib.suppress(OSError):
                request.settimeout(1.0)
                request.sendall(encode_response(Response.text(
                    503, f"too many open connections (limit {self.config.max_connections}); retry shortly",
                    **{"Retry-After": "2"}), keep_alive=False))
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        """Close a connection and forget it."""
        with self._lock:
            fd = request.fileno()
            if fd in INHERITED:
                INHERITED.discard(fd)
                self.connections -= 1
        super().shutdown_request(request)

    def server_close(self) -> None:
        """Close the listening socket."""
        INHERITED.discard(self.socket.fileno())
        super().server_close()


def _linger(sock: socket.socket) -> None:
    """Half-close and drain for up to a second, so the answer is read before the connection goes."""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_WR)
        end = time.monotonic() + 1.0
        received = 0
        while time.monotonic() < end and received < 1 << 20:
            sock.settimeout(max(0.01, end - time.monotonic()))
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += len(chunk)


class _Connection(socketserver.BaseRequestHandler):
    """One client connection: requests answered in turn until it closes."""

    server: HttpServer
    request: socket.socket

    def _send(self, resp: Response, *, head: bool = False, keep: bool = True) -> bool:
        try:
            self.request.settimeout(WRITE_TIMEOUT)
            self.request.sendall(encode_response(resp, head_only=head, keep_alive=keep))
            return True
        except OSError:
            return False

    def _log(self, req: Request | None, status: int, t0: float) -> None:
        if not self.server.config.log:
            return
        line = f"{req.method} {req.target[:120]}" if req is not None else "-"
        with contextlib.suppress(OSError, ValueError):
            print(f"{self.client_address[0]} {line} {status} {1000 * (time.monotonic() - t0):.0f} ms",
                  file=sys.stderr, flush=True)

    def handle(self) -> None:
        """Serve requests on this connection."""
        cfg = self.server.config
        app = self.server.app
        assert app is not None
        reader = Reader(self.request)
        while True:
            try:
                reader.wait(cfg.idle_timeout)
            except ConnectionDone:
                return
            t0 = time.monotonic()
            try:
                req = read_request(reader, read_timeout=cfg.read_timeout, max_body=cfg.max_body)
            except ConnectionDone:
                return
            except HttpError as exc:
                self._send(Response.text(exc.status, exc.message, **exc.headers), keep=False)
                self._log(None, exc.status, t0)
                _linger(self.request)
                return
            except OSError:
                return
            try:
                resp = app.handle(req)
            except ClientGone:
                self._log(req, 499, t0)
                return
            except Exception:  # a bug: answer 500 and say so on standard error
                traceback.print_exc(file=sys.stderr)
                resp = Response.text(500, "internal error (reported on the server's standard error)")
                resp.close = True
            keep = req.keep_alive and not resp.close and resp.headers.get("Connection") != "close"
            resp.headers.pop("Connection", None)
            sent = self._send(resp, head=req.method == "HEAD", keep=keep)
            self._log(req, resp.status, t0)
            if not sent:
                return
            if not keep:
                if resp.status >= 400:
                    _linger(self.request)
                return
