"""Credentials for SPARQL endpoints and stores: HTTP Basic or a bearer token, from the environment or ``~/.netrc``.

Looked up in this order for an endpoint (:func:`credentials_for`):

1. ``YRD_KG_SPARQL_TOKEN``: ``Authorization: Bearer <token>``;
2. ``YRD_KG_SPARQL_USER`` and ``YRD_KG_SPARQL_PASSWORD``: HTTP Basic;
3. the ``machine`` entry for the endpoint's host in ``~/.netrc`` (or the file ``NETRC`` names): HTTP Basic.

Credentials are sent only to the endpoint's own scheme, host and port (a redirect elsewhere goes without
them) and never appear in a message: every secret is registered with :func:`redact`, which the error
classes of :mod:`yrd_kg.sparql.remote` apply to their text. Messages name where credentials came from
(``Credentials.source``), never their value.

>>> c = Credentials("Bearer", "s3cret", "YRD_KG_SPARQL_TOKEN")
>>> c.header()
'Bearer s3cret'
>>> redact("the server said: s3cret")
'the server said: ***'
>>> c
Credentials(scheme='Bearer', source='YRD_KG_SPARQL_TOKEN')
"""

from __future__ import annotations

import base64
import netrc
import os
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

TOKEN_ENV = "YRD_KG_SPARQL_TOKEN"  # noqa: S105 - the name of a variable, not a secret
USER_ENV = "YRD_KG_SPARQL_USER"
PASSWORD_ENV = "YRD_KG_SPARQL_PASSWORD"  # noqa: S105 - the name of a variable
#: how to give credentials, for messages after a 401
HOW = (f"set {TOKEN_ENV} (bearer token) or {USER_ENV} and {PASSWORD_ENV} (HTTP Basic), "
       "or add a 'machine HOST login USER password PASSWORD' line to ~/.netrc")

_SECRETS: set[str] = set()


def redact(text: str) -> str:
    """``text`` with every registered secret replaced by ``***``."""
    for s in sorted(_SECRETS, key=len, reverse=True):
        text = text.replace(s, "***")
    return text


@dataclass(frozen=True)
class Credentials:
    """One way to authenticate: ``Bearer`` + token or ``Basic`` + ``user:password``; ``source`` says where from."""

    scheme: str
    secret: str = field(repr=False)
    source: str = ""

    def __post_init__(self) -> None:
        _SECRETS.add(self.secret)
        _SECRETS.add(self.header().split(" ", 1)[1])
        if self.scheme == "Basic":
            _SECRETS.add(self.secret.split(":", 1)[1])

    def header(self) -> str:
        """The ``Authorization`` header value."""
        if self.scheme == "Basic":
            return "Basic " + base64.b64encode(self.secret.encode("utf-8")).decode("ascii")
        return f"{self.scheme} {self.secret}"


def basic(user: str, password: str, source: str = "") -> Credentials:
    """HTTP Basic credentials."""
    return Credentials("Basic", f"{user}:{password}", source)


def bearer(token: str, source: str = "") -> Credentials:
    """A bearer token."""
    return Credentials("Bearer", token, source)


def credentials_for(endpoint: str, env: Mapping[str, str] | None = None) -> Credentials | None:
    """The credentials for ``endpoint`` from the environment or ``~/.netrc`` (see the module docstring), or None."""
    env = os.environ if env is None else env
    if env.get(TOKEN_ENV):
        return bearer(env[TOKEN_ENV], TOKEN_ENV)
    if env.get(USER_ENV) and env.get(PASSWORD_ENV) is not None:
        return basic(env[USER_ENV], env.get(PASSWORD_ENV, ""), f"{USER_ENV}/{PASSWORD_ENV}")
    host = urllib.parse.urlsplit(endpoint).hostname or ""
    path = Path(env.get("NETRC") or Path.home() / ".netrc")
    if not host or not path.is_file():
        return None
    try:
        entry = netrc.netrc(str(path)).authenticators(host)
    except (netrc.NetrcParseError, OSError):
        return None  # an unreadable netrc is as good as none; the 401 message says how to give credentials
    if entry is None or not entry[0]:
        return None
    return basic(entry[0], entry[2] or "", f"netrc ({path})")


def same_origin(a: str, b: str) -> bool:
    """Whether two URLs share scheme, host and port (credentials go only there)."""
    pa, pb = urllib.parse.urlsplit(a), urllib.parse.urlsplit(b)
    return (pa.scheme.lower(), (pa.hostname or "").lower(), pa.port) == (pb.scheme.lower(), (pb.hostname or "").lower(), pb.port)
