"""What ``yrd-kg serve`` is configured with, the bind policy and the Host names it answers to.

>>> check_bind("127.0.0.1", allow_public=False)
>>> ServeConfig().max_concurrent
4
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from pathlib import Path

from yrd_kg.errors import EnvironmentFault, InputError

#: request bodies (a POSTed query or form) over this many bytes get 413
MAX_BODY = 256 * 1024


class ServeError(EnvironmentFault):
    """The server could not be started (busy port, bad bind address)."""


@dataclass(frozen=True)
class ServeConfig:
    """The settings of one server; every limit has a default that real use stays far below."""

    host: str = "127.0.0.1"
    port: int = 7879
    allow_public: bool = False
    #: wall-clock limit of one query (seconds); its worker is killed past it (504)
    timeout: float = 30.0
    #: row (or triple) cap of one answer; a cut answer says so in the ``Yrd-Kg-Truncated`` header
    max_rows: int = 100_000
    #: address-space allowance of a query worker on top of what it starts with (MB)
    memory_mb: int | None = 2048
    #: queries evaluated at once; one more gets 503 with ``Retry-After``
    max_concurrent: int = 4
    #: open connections at once; one more gets 503 and is closed
    max_connections: int = 64
    #: a request's line, headers and body must arrive within this many seconds (else 408)
    read_timeout: float = 10.0
    #: an idle keep-alive connection is closed after this many seconds
    idle_timeout: float = 15.0
    max_body: int = MAX_BODY
    #: origins allowed to read answers from a browser (CORS); ``*`` for any; none by default
    cors_origins: tuple[str, ...] = ()
    #: further Host names to answer to (a reverse proxy's name); the bound address and ``localhost`` always are
    allowed_hosts: tuple[str, ...] = ()
    #: a prebuilt site to serve at ``/`` (default: built into a temporary folder at start)
    site: Path | None = None
    #: the paper's text for the site build (default: the site builder's default)
    source: Path | None = None
    #: one line per request on standard error
    log: bool = False

    def __post_init__(self) -> None:
        for name in ("timeout", "read_timeout", "idle_timeout"):
            if getattr(self, name) <= 0:
                raise InputError(f"--{name.replace('_', '-')} must be positive")
        for name in ("max_rows", "max_concurrent", "max_connections", "max_body"):
            if getattr(self, name) < 1:
                raise InputError(f"--{name.replace('_', '-')} must be at least 1")
        if not 0 <= self.port <= 65535:
            raise InputError(f"--port {self.port}: not a TCP port")
        for origin in self.cors_origins:
            if origin != "*" and not origin.startswith(("http://", "https://")):
                raise InputError(f"--cors-origin {origin!r}: give an origin such as https://example.org, or *")


def _addresses(host: str) -> list[str]:
    try:
        return [ipaddress.ip_address(host).compressed]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise ServeError(f"cannot bind {host}: the name does not resolve ({exc.strerror or exc})") from None
    return sorted({str(info[4][0]) for info in infos})


def is_loopback(host: str) -> bool:
    """Whether every address ``host`` names is a loopback address."""
    addrs = _addresses(host)
    return bool(addrs) and all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addrs)


def check_bind(host: str, allow_public: bool) -> None:
    """Refuse a non-loopback bind address unless ``allow_public``."""
    if not allow_public and not is_loopback(host):
        raise ServeError(f"refused to bind {host}: not a loopback address (pass --allow-public to expose the endpoint)")


def host_matcher(bound_host: str, port: int, extra: tuple[str, ...] = ()) -> HostCheck:
    """The Host header check of a server bound to ``bound_host:port`` (see :class:`HostCheck`)."""
    names = {bound_host.lower().strip("[]"), *(h.lower() for h in extra)}
    wildcard = bound_host in ("0.0.0.0", "::", "")  # noqa: S104 -- a comparison, not a bind
    if wildcard or is_loopback(bound_host):
        names |= {"localhost", "127.0.0.1", "::1"}
    return HostCheck(frozenset(names), port, wildcard)


@dataclass(frozen=True)
class HostCheck:
    """Which ``Host`` headers a server answers (the defence against DNS rebinding).

    A name is accepted only when it is the bound address, ``localhost`` for a loopback server, or a name
    given with ``--allowed-host``; a server bound to a wildcard address also accepts any IP literal (an
    address typed by the user cannot be re-pointed by DNS). The port must be the bound one.

    >>> c = host_matcher("127.0.0.1", 8080)
    >>> c.allows("localhost:8080"), c.allows("127.0.0.1:8080"), c.allows("evil.example:8080"), c.allows("127.0.0.1:80")
    (True, True, False, False)
    """

    names: frozenset[str]
    port: int
    wildcard: bool = False

    def allows(self, value: str) -> bool:
        """Whether the Host header ``value`` names this server."""
        value = value.strip().lower()
        if not value or any(c in value for c in "/@?#\\ "):
            return False
        if value.startswith("["):
            name, _, rest = value[1:].partition("]")
            port_text = rest[1:] if rest.startswith(":") else ("" if not rest else "x")
        else:
            name, sep, port_text = value.rpartition(":") if value.count(":") == 1 else (value, "", "")
            if not sep:
                name, port_text = value, ""
        if port_text:
            if not port_text.isdigit() or int(port_text) != self.port:
                return False
        elif self.port != 80:
            return False
        name = name.rstrip(".")
        if name in self.names:
            return True
        if self.wildcard:
            try:
                ipaddress.ip_address(name)
                return True
            except ValueError:
                return False
        return False
