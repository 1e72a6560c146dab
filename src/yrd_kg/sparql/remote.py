"""Remote SPARQL endpoints: a careful client (:class:`RemoteEngine`) and ``push`` through the Graph Store Protocol.

The request is built by SPARQLWrapper (query encoding, user agent); it is sent by this module over
``http.client`` so that every limit is ours:

- a connect/read timeout on the socket **and** a total deadline for the whole exchange (a watchdog
  closes the socket when the deadline passes; the body is read in small chunks, so a server that
  trickles bytes times out too);
- only ``http``/``https`` URLs; a redirect is followed only to http(s) on the same host or a host in
  ``allow_redirect_hosts`` (at most :data:`MAX_REDIRECTS`);
- HTTP errors, a wrong content type, an HTML page with status 200, a cut-off body (shorter than its
  Content-Length, or JSON that does not parse) and Virtuoso's partial-result signals
  (``X-SQL-State``, ``X-SPARQL-MaxRows``) raise typed errors (:class:`RemoteError` subclasses) and are
  never returned as a complete result;
- 429/503 are retried at most ``retries`` times, waiting as ``Retry-After`` says, never more than
  ``max_wait`` seconds in total;
- XML results are parsed with defusedxml (a DOCTYPE is refused).

:class:`RemoteEngine` implements :class:`yrd_kg.sparql.engines.Engine`, so ``run_query(name, engine=RemoteEngine(url))``
runs a saved query remotely (:func:`yrd_kg.sparql.run.run_remote_query`). Pushing to a store: :mod:`yrd_kg.linking.push`.
"""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import http.client
import json
import re
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from yrd_kg.errors import EnvironmentFault, InputError
from yrd_kg.namespaces import VERSION
from yrd_kg.sparql.auth import HOW, Credentials, credentials_for, redact, same_origin
from yrd_kg.sparql.results import ResultTable

USER_AGENT = f"yrd-kg/{VERSION} (+https://w3id.org/yrd-kg)"
_BOOL = {v: ox.Literal("true" if v else "false", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))
         for v in (True, False)}
MAX_REDIRECTS = 5
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_BYTES = 100 * 1024 * 1024
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
SELECT_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.8"
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"


# --------------------------------------------------------------------------- errors


class RemoteError(EnvironmentFault):
    """A remote endpoint could not give a complete, trustworthy answer."""

    def __init__(self, message: str, *, url: str = "", status: int | None = None) -> None:
        self.url = redact(url)
        self.status = status
        message = redact(message)  # a secret never reaches a message or a log
        super().__init__(f"{message} ({self.url})" if url else message)


class RemoteAuthError(RemoteError):
    """The endpoint wants credentials (401) or refused the ones sent (401/403)."""


class RemoteSchemeError(RemoteError, InputError):
    """The URL's scheme is not http or https."""


class RemoteRedirectError(RemoteError):
    """A redirect went to another scheme or host, or there were too many."""


class RemoteTimeout(RemoteError):
    """The connection, a read or the whole exchange took longer than allowed."""


class RemoteConnectionError(RemoteError):
    """The endpoint could not be reached."""


class RemoteHTTPError(RemoteError):
    """The endpoint answered with an HTTP error status."""


class RemoteRetryError(RemoteHTTPError):
    """429/503 persisted after the allowed retries, or Retry-After asked for more than the wait budget."""


class RemoteContentTypeError(RemoteError):
    """The response has a content type that is not the expected result format."""


class RemoteHTMLError(RemoteContentTypeError):
    """The response is an HTML page (often an error or login page served with status 200)."""


class RemoteTruncatedError(RemoteError):
    """The result is incomplete: cut-off body, invalid JSON, or a store's partial-result signal."""


class RemoteXMLError(RemoteError):
    """XML results that are malformed or carry a DOCTYPE/ENTITY declaration (refused)."""


class RemoteTooLargeError(RemoteError):
    """The response body is larger than the cap."""


class RemoteVerifyError(RemoteError):
    """After a push, the store does not hold the expected number of triples."""


# --------------------------------------------------------------------------- HTTP


@dataclass
class Response:
    """A complete HTTP response: final URL, status, headers (lower-case names) and body."""

    url: str
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def content_type(self) -> str:
        """The media type without parameters, lower-case."""
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def check_url(url: str) -> urllib.parse.SplitResult:
    """Refuse anything but an absolute http(s) URL with a host."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise RemoteSchemeError(f"refused: scheme {parts.scheme or '(none)'!r}; only http and https", url=url)
    if not parts.hostname:
        raise RemoteSchemeError("refused: the URL has no host", url=url)
    return parts


def _retry_after(value: str | None, now: float) -> float | None:
    if not value:
        return None
    v = value.strip()
    if v.isdigit():
        return float(v)
    try:
        dt = email.utils.parsedate_to_datetime(v)
    except (TypeError, ValueError):
        return None
    return max(0.0, dt.timestamp() - now)


class RemoteEngine:
    """A SPARQL 1.1 endpoint as an :class:`yrd_kg.sparql.engines.Engine` (``select``/``construct``), with hard limits.

    ``timeout`` is the connect/read timeout of each socket operation; ``deadline`` (default 4 × timeout)
    bounds one whole request including retries' waits. ``retries`` and ``max_wait`` bound the 429/503
    retries. ``allow_redirect_hosts`` lists hosts besides the endpoint's own that a redirect may go to.
    ``default_graphs`` sends one ``default-graph-uri`` per IRI (SPARQL 1.1 Protocol §2.1.4): the query's
    default graph is then the merge of those graphs, not the store's whole default graph.
    ``auth``: credentials (:mod:`yrd_kg.sparql.auth`); by default from the environment or ``~/.netrc``,
    ``False`` for none. They are sent only to the endpoint's own origin.
    """

    name = "remote"

    def __init__(self, endpoint: str, *, timeout: float = DEFAULT_TIMEOUT, deadline: float | None = None,
                 retries: int = 3, max_wait: float = 30.0, allow_redirect_hosts: Iterable[str] = (),
                 user_agent: str = USER_AGENT, max_bytes: int = DEFAULT_MAX_BYTES, method: str = "POST",
                 sleep: Callable[[float], None] = time.sleep, default_graphs: Iterable[str] = (),
                 auth: Credentials | bool | None = None) -> None:
        parts = check_url(endpoint)
        self.auth: Credentials | None = (credentials_for(endpoint) if auth is None or auth is True
                                         else auth if isinstance(auth, Credentials) else None)
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self.endpoint = endpoint
        self.host = (parts.hostname or "").lower()
        self.timeout = float(timeout)
        self.deadline = float(deadline) if deadline is not None else 4 * self.timeout
        self.retries = max(0, int(retries))
        self.max_wait = float(max_wait)
        self.allowed_hosts = {self.host, *(h.lower() for h in allow_redirect_hosts)}
        self.user_agent = user_agent
        self.max_bytes = max_bytes
        self.method = method.upper()
        self._sleep = sleep
        self.default_graphs = tuple(default_graphs)
        for g in self.default_graphs:
            check_iri(g)

    # ---------------------------------------------------------------- transport

    def request(self, method: str, url: str, *, body: bytes | None = None,
                headers: Mapping[str, str] | None = None) -> Response:
        """Send one request with retries (429/503), redirects re-checked, all limits applied."""
        start = time.monotonic()
        waited = 0.0
        attempt = 0
        while True:
            resp = self._follow(method, url, body, dict(headers or {}), start)
            if resp.status not in (429, 503):
                return resp
            attempt += 1
            wait = _retry_after(resp.headers.get("retry-after"), time.time())
            wait = wait if wait is not None else min(2.0 ** (attempt - 1), 8.0)
            if attempt > self.retries:
                raise RemoteRetryError(f"HTTP {resp.status} after {self.retries} retr{'y' if self.retries == 1 else 'ies'}",
                                       url=resp.url, status=resp.status)
            if waited + wait > self.max_wait:
                raise RemoteRetryError(f"HTTP {resp.status}: Retry-After {wait:.0f}s exceeds the wait budget of "
                                       f"{self.max_wait:.0f}s", url=resp.url, status=resp.status)
            if time.monotonic() - start + wait > self.deadline:
                raise RemoteTimeout(f"HTTP {resp.status}: waiting {wait:.0f}s would pass the deadline of "
                                    f"{self.deadline:.0f}s", url=resp.url, status=resp.status)
            self._sleep(wait)
            waited += wait

    def _follow(self, method: str, url: str, body: bytes | None, headers: dict[str, str], start: float) -> Response:
        for _ in range(MAX_REDIRECTS + 1):
            resp = self._once(method, url, body, headers, start)
            if resp.status not in (301, 302, 303, 307, 308):
                return resp
            loc = resp.headers.get("location")
            if not loc:
                raise RemoteHTTPError(f"HTTP {resp.status} redirect without a Location", url=url, status=resp.status)
            target = urllib.parse.urljoin(url, loc)
            try:
                parts = check_url(target)
            except RemoteSchemeError as exc:
                raise RemoteRedirectError(f"refused redirect to {target}: {exc}", url=url,
                                          status=resp.status) from None
            if (parts.hostname or "").lower() not in self.allowed_hosts:
                raise RemoteRedirectError(f"refused redirect to another host {parts.hostname!r} "
                                          f"(allow it with allow_redirect_hosts)", url=url, status=resp.status)
            if resp.status == 303 or (resp.status in (301, 302) and method == "POST"):
                method, body = "GET", None
                headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
            url = target
        raise RemoteRedirectError(f"more than {MAX_REDIRECTS} redirects", url=url)

    def _once(self, method: str, url: str, body: bytes | None, headers: dict[str, str], start: float) -> Response:
        parts = check_url(url)
        remaining = self.deadline - (time.monotonic() - start)
        if remaining <= 0:
            raise RemoteTimeout(f"deadline of {self.deadline:.1f}s passed", url=url)
        conn_cls = http.client.HTTPSConnection if parts.scheme.lower() == "https" else http.client.HTTPConnection
        conn = conn_cls(parts.hostname or "", parts.port, timeout=min(self.timeout, remaining))
        path = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
        hdrs = {"User-Agent": self.user_agent, **headers}
        if self.auth is not None and same_origin(url, self.endpoint):
            hdrs["Authorization"] = self.auth.header()
        expired = threading.Event()

        def _kill() -> None:
            expired.set()
            sock = conn.sock
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

        timer = threading.Timer(remaining, _kill)
        timer.daemon = True
        timer.start()
        try:
            try:
                conn.request(method, path, body=body, headers=hdrs)
                raw = conn.getresponse()
                chunks: list[bytes] = []
                size = 0
                while True:
                    chunk = raw.read1(65536)
                    if not chunk:
                        break
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise RemoteTooLargeError(f"response larger than {self.max_bytes} bytes", url=url)
                    chunks.append(chunk)
                    if time.monotonic() - start > self.deadline:
                        raise RemoteTimeout(f"total deadline of {self.deadline:.1f}s passed while reading", url=url)
            except TimeoutError as exc:
                raise RemoteTimeout(f"timed out after {self.timeout:.1f}s ({exc})", url=url) from None
            except http.client.IncompleteRead as exc:
                raise RemoteTruncatedError(f"body cut off after {len(exc.partial)} bytes", url=url) from None
            except (OSError, http.client.HTTPException) as exc:
                if expired.is_set():
                    raise RemoteTimeout(f"total deadline of {self.deadline:.1f}s passed", url=url) from None
                raise RemoteConnectionError(f"cannot reach the endpoint: {exc}", url=url) from None
            if expired.is_set():
                raise RemoteTimeout(f"total deadline of {self.deadline:.1f}s passed", url=url)
            data = b"".join(chunks)
            hd = {k.lower(): v for k, v in raw.getheaders()}
            if raw.status in (401, 403) and (raw.status == 401 or self.auth is not None):
                raise self._auth_error(raw.status, hd, url)
            clen = hd.get("content-length")
            if clen and clen.isdigit() and int(clen) != len(data) and method != "HEAD":
                raise RemoteTruncatedError(f"body has {len(data)} of {clen} bytes", url=url)
            return Response(url, raw.status, hd, data)
        finally:
            timer.cancel()
            conn.close()

    def _auth_error(self, status: int, headers: Mapping[str, str], url: str) -> RemoteAuthError:
        wants = headers.get("www-authenticate", "").split(" ", 1)[0]
        if self.auth is None:
            return RemoteAuthError(f"HTTP {status}: the endpoint needs authentication{f' ({wants})' if wants else ''}; "
                                   + HOW, url=url, status=status)
        return RemoteAuthError(f"HTTP {status}: the endpoint refused the {self.auth.scheme} credentials from "
                               f"{self.auth.source or 'the caller'}", url=url, status=status)

    # ---------------------------------------------------------------- SPARQL

    def _query_request(self, query: str, accept: str) -> tuple[str, str, bytes | None, dict[str, str]]:
        """Method, URL, body and headers of a query request, built by SPARQLWrapper.

        POST sends a form (``query=…``, ``application/x-www-form-urlencoded``): every store accepts it
        (Virtuoso 7.2 stalls on a direct ``application/sparql-query`` POST).
        """
        from SPARQLWrapper import GET, POST, SPARQLWrapper

        sw = SPARQLWrapper(self.endpoint, agent=self.user_agent)
        sw.setQuery(query)
        sw.setMethod(POST if self.method == "POST" else GET)
        sw.setRequestMethod("urlencoded")
        req = sw._createRequest()
        headers = {k: v for k, v in req.header_items() if k.lower() not in ("accept", "user-agent", "content-type")}
        headers["Accept"] = accept
        # SPARQLWrapper adds format=… parameters for some servers; a standard endpoint needs none, and the
        # text is a query (checked read-only upstream) whatever SPARQLWrapper's guess of its type.
        parts = urllib.parse.urlsplit(req.full_url)
        drop = ("format", "output", "results", "query", "update")
        q = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query) if k not in drop]
        form = [("query", query), *(("default-graph-uri", g) for g in self.default_graphs)]
        if self.method == "POST":
            url = urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, urllib.parse.urlencode(q), ""))
            headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
            return "POST", url, urllib.parse.urlencode(form).encode("ascii"), headers
        q.extend(form)
        url = urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, urllib.parse.urlencode(q), ""))
        return "GET", url, None, headers

    def _send_query(self, query: str, accept: str) -> Response:
        method, url, data, headers = self._query_request(query, accept)
        resp = self.request(method, url, body=data, headers=headers)
        _check_status(resp)
        _check_partial(resp)
        return resp

    def select_rows(self, query: str) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
        """Evaluate a SELECT (or ASK) query: ``(columns, rows)`` of pyoxigraph terms (``None`` = unbound)."""
        resp = self._send_query(query, SELECT_ACCEPT)
        ct = resp.content_type
        _refuse_html(resp)
        if ct in ("application/sparql-results+json", "application/json"):
            cols, rows = _parse_json_results(resp)
        elif ct in ("application/sparql-results+xml", "application/xml", "text/xml"):
            cols, rows = _parse_xml_results(resp)
        else:
            raise RemoteContentTypeError(f"unexpected content type {ct or '(none)'!r} for SPARQL results",
                                         url=resp.url, status=resp.status)
        max_rows = resp.headers.get("x-sparql-maxrows")
        if max_rows and max_rows.isdigit() and len(rows) >= int(max_rows):
            raise RemoteTruncatedError(f"the store cut the result at its row limit ({max_rows} rows, "
                                       "X-SPARQL-MaxRows)", url=resp.url, status=resp.status)
        return cols, rows

    def select(self, query_text: str) -> ResultTable:
        """Evaluate a SELECT or ASK query as a :class:`~yrd_kg.sparql.results.ResultTable`."""
        cols, rows = self.select_rows(query_text)
        if cols == ("boolean",) and len(rows) == 1 and getattr(rows[0], "_ask", False):
            return ResultTable.from_boolean(rows[0][0] == _BOOL[True])
        return ResultTable(cols, rows)

    def construct(self, query_text: str) -> list[ox.Triple]:
        """Evaluate a CONSTRUCT or DESCRIBE query into pyoxigraph triples."""
        resp = self._send_query(query_text, GRAPH_ACCEPT)
        _refuse_html(resp)
        fmt = {"application/n-triples": ox.RdfFormat.N_TRIPLES, "text/plain": ox.RdfFormat.N_TRIPLES,
               "text/turtle": ox.RdfFormat.TURTLE, "application/x-turtle": ox.RdfFormat.TURTLE,
               "application/rdf+xml": ox.RdfFormat.RDF_XML}.get(resp.content_type)
        if fmt is None:
            raise RemoteContentTypeError(f"unexpected content type {resp.content_type or '(none)'!r} for a graph",
                                         url=resp.url, status=resp.status)
        if fmt == ox.RdfFormat.RDF_XML and re.search(rb"<!\s*(DOCTYPE|ENTITY)", resp.body, re.I):
            raise RemoteXMLError("refused: RDF/XML with a DOCTYPE/ENTITY declaration", url=resp.url)
        try:
            return [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(resp.body, format=fmt)]
        except (SyntaxError, ValueError) as exc:
            raise RemoteTruncatedError(f"the graph does not parse as {fmt} (cut off?): {exc}", url=resp.url) from None

    def ask(self, query: str) -> bool:
        """Evaluate an ASK query."""
        _cols, rows = self.select_rows(query)
        return bool(rows and rows[0][0] == _BOOL[True])

    def update(self, update: str, url: str | None = None) -> Response:
        """POST a SPARQL Update (``application/sparql-update``) to ``url`` (default: the endpoint)."""
        resp = self.request("POST", url or self.endpoint, body=update.encode("utf-8"),
                            headers={"Content-Type": "application/sparql-update; charset=utf-8"})
        _check_status(resp)
        return resp


class _AskRow(tuple):  # type: ignore[type-arg]
    _ask = True


def _check_status(resp: Response) -> None:
    if resp.status >= 400:
        text = resp.body[:300].decode("utf-8", "replace").strip()
        raise RemoteHTTPError(f"HTTP {resp.status}: {text}", url=resp.url, status=resp.status)
    if resp.status >= 300:
        raise RemoteHTTPError(f"unexpected HTTP {resp.status}", url=resp.url, status=resp.status)


def _check_partial(resp: Response) -> None:
    state = resp.headers.get("x-sql-state")
    if state:
        msg = resp.headers.get("x-sql-message", "")
        raise RemoteTruncatedError(f"partial result: the store reports X-SQL-State {state} {msg}".strip(),
                                   url=resp.url, status=resp.status)


def _refuse_html(resp: Response) -> None:
    head = resp.body[:512].lstrip().lower()
    if resp.content_type in ("text/html", "application/xhtml+xml") or head.startswith((b"<!doctype html", b"<html")):
        raise RemoteHTMLError(f"the endpoint sent an HTML page (status {resp.status}), not SPARQL results",
                              url=resp.url, status=resp.status)


def _literal(value: str, lang: str | None, datatype: str | None) -> ox.Literal:
    if lang:
        return ox.Literal(value, language=lang)
    if datatype and datatype != _XSD_STRING:
        return ox.Literal(value, datatype=ox.NamedNode(datatype))
    return ox.Literal(value)


def _bnode(label: str) -> ox.BlankNode:
    try:
        return ox.BlankNode(label)
    except ValueError:  # a store's label pyoxigraph cannot take: a stable one in its place
        return ox.BlankNode("r" + hashlib.sha256(label.encode("utf-8")).hexdigest()[:24])


def _term_json(b: Mapping[str, Any]) -> Any:
    t = b.get("type")
    v = b.get("value", "")
    try:
        if t == "uri":
            return ox.NamedNode(v)
        if t == "bnode":
            return _bnode(v)
        if t in ("literal", "typed-literal"):
            return _literal(v, b.get("xml:lang"), b.get("datatype"))
    except ValueError as exc:
        raise RemoteTruncatedError(f"invalid term {v!r} in the results: {exc}") from None
    raise RemoteTruncatedError(f"unknown term type {t!r} in the results")


def _parse_json_results(resp: Response) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
    try:
        doc = json.loads(resp.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RemoteTruncatedError(f"the JSON results do not parse (cut off?): {exc}", url=resp.url,
                                   status=resp.status) from None
    if not isinstance(doc, dict):
        raise RemoteTruncatedError("the JSON results are not an object", url=resp.url)
    if "boolean" in doc:
        return ("boolean",), [_AskRow((_BOOL[bool(doc["boolean"])],))]
    head, results = doc.get("head"), doc.get("results")
    if not isinstance(head, dict) or not isinstance(results, dict) or not isinstance(results.get("bindings"), list):
        raise RemoteTruncatedError("the JSON results lack head/results/bindings", url=resp.url)
    cols = tuple(str(v) for v in head.get("vars", []))
    rows = []
    for b in results["bindings"]:
        rows.append(tuple(_term_json(b[c]) if c in b else None for c in cols))
    return cols, rows


_SR = "{http://www.w3.org/2005/sparql-results#}"


def _parse_xml_results(resp: Response) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
    import defusedxml.ElementTree as DET
    from defusedxml import DefusedXmlException

    try:
        root = DET.fromstring(resp.body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise RemoteXMLError(f"refused XML results: {exc}", url=resp.url) from None
    except Exception as exc:  # ParseError
        raise RemoteTruncatedError(f"the XML results do not parse (cut off?): {exc}", url=resp.url) from None
    boolean = root.find(f"{_SR}boolean")
    if boolean is not None:
        return ("boolean",), [_AskRow((_BOOL[(boolean.text or "").strip() == "true"],))]
    cols = tuple(v.get("name", "") for v in root.iter(f"{_SR}variable"))
    results = root.find(f"{_SR}results")
    if results is None:
        raise RemoteTruncatedError("the XML results have no <results>", url=resp.url)
    rows = []
    for res in results.findall(f"{_SR}result"):
        vals: dict[str, Any] = {}
        for b in res.findall(f"{_SR}binding"):
            el = next(iter(b), None)
            if el is None:
                continue
            tag = el.tag.replace(_SR, "")
            try:
                if tag == "uri":
                    vals[b.get("name", "")] = ox.NamedNode(el.text or "")
                elif tag == "bnode":
                    vals[b.get("name", "")] = _bnode(el.text or "")
                else:
                    vals[b.get("name", "")] = _literal(el.text or "", el.get("{http://www.w3.org/XML/1998/namespace}lang"),
                                                       el.get("datatype"))
            except ValueError as exc:
                raise RemoteTruncatedError(f"invalid term in the XML results: {exc}", url=resp.url) from None
        rows.append(tuple(vals.get(c) for c in cols))
    return cols, rows



def check_iri(iri: str) -> str:
    """An absolute http(s)/urn IRI without characters that would break ``<…>``."""
    if not re.match(r"^(https?://|urn:)[^\s<>\"{}|\\^`]+$", iri):
        raise InputError(f"not a usable graph IRI: {iri!r}")
    return iri
