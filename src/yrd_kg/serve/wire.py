"""HTTP/1.1 on the wire, strictly: read one request under a deadline, write one response.

Everything a client can get wrong is an :class:`HttpError` with the status to answer (400 for a
malformed request line or header, 408 when the request does not arrive within the read timeout,
413/414/431 over the caps, 505 for another HTTP version), so the connection always gets an answer
before it is closed; nothing is ever silently dropped. Header names are tokens, values carry no
control characters, folded lines, a space before the colon, a second ``Content-Length`` or ``Host``,
or ``Transfer-Encoding`` beside ``Content-Length`` are refused (request smuggling needs exactly those).
"""

from __future__ import annotations

import re
import socket
import time
import urllib.parse
from dataclasses import dataclass, field
from email.utils import formatdate

#: the request line (a GET with a long query in its URL) and one header line, in bytes
MAX_REQUEST_LINE = 64 * 1024
MAX_HEADER_LINE = 8 * 1024
MAX_HEADERS = 100

_TCHAR = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_REQUEST_LINE = re.compile(rf"^({_TCHAR}) ([^\s\x00-\x1f\x7f]+) HTTP/(\d)\.(\d)$")
_HEADER = re.compile(rf"^({_TCHAR}):[ \t]*(.*?)[ \t]*$")
_BAD_VALUE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
REASONS = {100: "Continue", 200: "OK", 204: "No Content", 303: "See Other", 304: "Not Modified", 400: "Bad Request",
           403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 406: "Not Acceptable", 408: "Request Timeout",
           411: "Length Required", 413: "Content Too Large", 414: "URI Too Long", 415: "Unsupported Media Type",
           421: "Misdirected Request", 431: "Request Header Fields Too Large", 500: "Internal Server Error",
           501: "Not Implemented", 503: "Service Unavailable", 504: "Gateway Timeout", 505: "HTTP Version Not Supported"}


class HttpError(Exception):
    """A request answered with ``status`` and a one-line ``message`` (plain text)."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})


class ConnectionDone(Exception):
    """The client closed the connection, or left it idle: nothing to answer."""


@dataclass
class Request:
    """One parsed request: header names lower-cased, the body read whole."""

    method: str
    target: str
    path: str
    query: str
    version: tuple[int, int]
    headers: dict[str, str]
    body: bytes = b""
    sock: socket.socket | None = field(default=None, repr=False, compare=False)

    def header(self, name: str, default: str = "") -> str:
        """A header's value (names are case-insensitive)."""
        return self.headers.get(name.lower(), default)

    @property
    def keep_alive(self) -> bool:
        """Whether the client wants the connection kept open after the answer."""
        conn = {t.strip().lower() for t in self.header("connection").split(",")}
        return "keep-alive" in conn if self.version < (1, 1) else "close" not in conn


@dataclass
class Response:
    """An answer: status, body, content type and further headers."""

    status: int
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    close: bool = False

    @classmethod
    def text(cls, status: int, message: str, **headers: str) -> Response:
        """A plain-text answer (one line and a newline)."""
        return cls(status, (message.rstrip("\n") + "\n").encode("utf-8"), headers=dict(headers))


class Reader:
    """Buffered reads from a socket, each bounded by a deadline (``time.monotonic()`` seconds)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buf = b""

    def _fill(self, deadline: float) -> None:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        self.sock.settimeout(left)
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionDone
        self.buf += chunk

    def wait(self, idle: float) -> None:
        """Wait up to ``idle`` seconds for the first byte of the next request (:class:`ConnectionDone` if none)."""
        if self.buf:
            return
        try:
            self._fill(time.monotonic() + idle)
        except (TimeoutError, OSError):
            raise ConnectionDone from None

    def line(self, limit: int, deadline: float, too_long: HttpError) -> bytes:
        """One line without its CRLF (a bare LF is accepted, as RFC 9112 allows)."""
        while True:
            end = self.buf.find(b"\n")
            if end >= 0:
                if end > limit:
                    raise too_long
                out, self.buf = self.buf[:end], self.buf[end + 1:]
                return out[:-1] if out.endswith(b"\r") else out
            if len(self.buf) > limit:
                raise too_long
            self._fill(deadline)

    def exactly(self, n: int, deadline: float) -> bytes:
        """``n`` bytes."""
        while len(self.buf) < n:
            self._fill(deadline)
        out, self.buf = self.buf[:n], self.buf[n:]
        return out


def _head(reader: Reader, deadline: float) -> tuple[str, str, tuple[int, int], dict[str, str]]:
    first = reader.line(MAX_REQUEST_LINE, deadline, HttpError(414, "request line over 64 KiB; POST the query instead"))
    while not first:  # RFC 9112 §2.2: ignore empty lines before the request line
        first = reader.line(MAX_REQUEST_LINE, deadline, HttpError(414, "request line over 64 KiB"))
    m = _REQUEST_LINE.match(first.decode("latin-1"))
    if m is None:
        raise HttpError(400, "malformed request line (expected: METHOD /path HTTP/1.1)")
    method, target, major, minor = m.group(1), m.group(2), int(m.group(3)), int(m.group(4))
    if (major, minor) not in ((1, 0), (1, 1)):
        raise HttpError(505, f"HTTP/{major}.{minor} is not supported; use HTTP/1.1")
    headers: dict[str, str] = {}
    for _ in range(MAX_HEADERS + 1):
        raw = reader.line(MAX_HEADER_LINE, deadline, HttpError(431, "a header line is over 8 KiB"))
        if not raw:
            return method, target, (major, minor), headers
        text = raw.decode("latin-1")
        if text[0] in " \t":
            raise HttpError(400, "malformed header: folded header lines are not accepted")
        hm = _HEADER.match(text)
        if hm is None:
            raise HttpError(400, f"malformed header line {text[:60]!r} (expected Name: value, no space before the colon)")
        name, value = hm.group(1).lower(), hm.group(2)
        if _BAD_VALUE.search(value):
            raise HttpError(400, f"malformed header {name}: control characters in the value")
        if name in headers:
            if name in ("host", "content-length", "transfer-encoding", "content-type"):
                raise HttpError(400, f"malformed request: more than one {name} header")
            headers[name] = f"{headers[name]}, {value}"
        else:
            headers[name] = value
    raise HttpError(431, f"more than {MAX_HEADERS} header lines")


def _body(reader: Reader, headers: dict[str, str], max_body: int, deadline: float, send_continue: bool) -> bytes:
    te = headers.get("transfer-encoding")
    cl = headers.get("content-length")
    if te is not None:
        if cl is not None:
            raise HttpError(400, "malformed request: both Transfer-Encoding and Content-Length")
        if te.strip().lower() != "chunked":
            raise HttpError(501, f"transfer coding {te!r} is not supported (send chunked or a Content-Length)")
        if send_continue:
            reader.sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        return _chunked(reader, max_body, deadline)
    if cl is None:
        return b""
    if not cl.isdigit() or len(cl) > 12:
        raise HttpError(400, f"malformed Content-Length {cl[:20]!r}")
    n = int(cl)
    if n > max_body:
        raise HttpError(413, f"request body of {n} bytes is over the cap of {max_body} bytes")
    if n and send_continue:
        reader.sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
    return reader.exactly(n, deadline)


def _chunked(reader: Reader, max_body: int, deadline: float) -> bytes:
    out = bytearray()
    bad = HttpError(400, "malformed chunked body")
    while True:
        size_line = reader.line(1024, deadline, bad).split(b";", 1)[0].strip()
        if not size_line or not re.fullmatch(rb"[0-9A-Fa-f]{1,8}", size_line):
            raise bad
        size = int(size_line, 16)
        if size == 0:
            while reader.line(MAX_HEADER_LINE, deadline, bad):  # trailers, ignored
                pass
            return bytes(out)
        if len(out) + size > max_body:
            raise HttpError(413, f"request body over the cap of {max_body} bytes")
        out += reader.exactly(size, deadline)
        if reader.line(2, deadline, bad):
            raise bad


def read_request(reader: Reader, *, read_timeout: float, max_body: int) -> Request:
    """The next request on the connection; :class:`HttpError` for a bad one, :class:`ConnectionDone` at its end."""
    deadline = time.monotonic() + read_timeout
    try:
        method, target, version, headers = _head(reader, deadline)
        if version >= (1, 1) and "host" not in headers:
            raise HttpError(400, "malformed request: HTTP/1.1 needs a Host header")
        if target.startswith(("http://", "https://")):  # absolute form: its authority is the Host (RFC 9112 §3.2.2)
            parts = urllib.parse.urlsplit(target)
            headers["host"] = parts.netloc
            target = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
        elif not target.startswith("/") and not (target == "*" and method == "OPTIONS"):
            raise HttpError(400, f"malformed request target {target[:60]!r}")
        path, _, query = target.partition("?")
        expect = headers.get("expect", "").lower() == "100-continue" and version >= (1, 1)
        body = _body(reader, headers, max_body, deadline, expect)
    except TimeoutError:
        raise HttpError(408, f"the request did not arrive within {read_timeout:g} s") from None
    return Request(method, target, path, query, version, headers, body, reader.sock)


def encode_response(resp: Response, *, head_only: bool = False, keep_alive: bool = True) -> bytes:
    """The bytes of ``resp`` (status line, headers, body unless ``head_only``)."""
    lines = [f"HTTP/1.1 {resp.status} {REASONS.get(resp.status, 'Status')}",
             f"Date: {formatdate(usegmt=True)}", "Server: yrd-kg-serve",
             f"Content-Length: {len(resp.body)}", "X-Content-Type-Options: nosniff"]
    if resp.status != 204 and resp.status != 304:
        lines.append(f"Content-Type: {resp.content_type}")
    lines += [f"{k}: {v}" for k, v in resp.headers.items()]
    lines.append("Connection: keep-alive" if keep_alive and not resp.close else "Connection: close")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")
    return head if head_only else head + resp.body
