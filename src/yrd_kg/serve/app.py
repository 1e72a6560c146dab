"""The routes of ``yrd-kg serve``: one request in, one response out.

==========================  ==================================================================================
``/sparql``, ``/query``     SPARQL 1.1 Protocol (GET, POST form, POST ``application/sparql-query``); without a
                            query: the service description (a browser gets the query page)
``/api/``                   the saved queries (JSON list); ``/api/openapi.json`` their OpenAPI 3 description;
                            ``/api/<name>?…`` runs one; ``/api/<name>.rq?lang=`` its text with defaults bound
``/id/…``, ``/ontology``    entity IRIs dereferenced: 303 to the site's page for a browser, the concise bounded
                            description (Turtle, N-Triples, JSON-LD, RDF/XML) for a machine
``/graph/…``, ``/store``    a named graph's triples (``/store?graph=IRI`` or ``?default``: Graph Store reads)
``/ui/…``                   the query page's script and style
``/…``                      the static site
==========================  ==================================================================================

Every request first passes the Host check (421 otherwise); writes of any kind (``PUT``, ``DELETE``,
``PATCH``, ``POST`` to ``/update`` or ``/store``, an ``update=`` parameter) are refused with a message.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from yrd_kg.namespaces import BASE, GRAPH
from yrd_kg.serve import api, describe, files, jobs, ui
from yrd_kg.serve.config import HostCheck, ServeConfig
from yrd_kg.serve.conneg import GRAPHS, HTML, RESULTS, choose, not_acceptable, wants_html
from yrd_kg.serve.protocol import READ_ONLY, parse
from yrd_kg.serve.runner import Busy, Runner, Stopping
from yrd_kg.serve.wire import HttpError, Request, Response
from yrd_kg.sparql.catalogue import SavedQuery, get_query
from yrd_kg.sparql.errors import QueryError, UnknownQueryError
from yrd_kg.worker import SandboxError, SandboxMemoryError, SandboxTimeout

ALLOW = "GET, HEAD, POST, OPTIONS"
_CORS_HEADERS = {"accept", "accept-language", "content-language", "content-type"}


class App:
    """Answers requests (see the module docstring); the workers, site and settings are the server's."""

    def __init__(self, *, config: ServeConfig, runner: Runner, site: Path, info: describe.ServiceInfo,
                 queries: Sequence[SavedQuery], host_check: HostCheck) -> None:
        self.config = config
        self.runner = runner
        self.site = site
        self.info = info
        self.queries = {q.name: q for q in queries}
        self.host_check = host_check

    # ------------------------------------------------------------------ entry

    def handle(self, req: Request) -> Response:
        """The response to ``req`` (errors included; never raises but :class:`runner.ClientGone`)."""
        try:
            resp = self._route(req)
        except HttpError as exc:
            resp = Response.text(exc.status, exc.message, **exc.headers)
        self._cors(req, resp)
        return resp

    def _route(self, req: Request) -> Response:
        host = req.header("host")
        if host and not self.host_check.allows(host):
            raise HttpError(421, f"this server does not answer to Host {host[:80]!r} (a defence against DNS rebinding; "
                                 "start it with --allowed-host NAME to add a name)")
        if req.method == "OPTIONS":
            return self._options(req)
        if req.method in ("PUT", "DELETE", "PATCH"):
            raise HttpError(405, READ_ONLY, {"Allow": ALLOW})
        if req.method not in ("GET", "HEAD", "POST"):
            raise HttpError(405, f"method {req.method} is not allowed here", {"Allow": ALLOW})
        path = req.path
        if path in ("/sparql", "/query", "/sparql/", "/query/"):
            return self.sparql(req)
        if path.rstrip("/") in ("/update", "/store", "/data", "/rdf-graph-store") and req.method == "POST":
            raise HttpError(400 if path.startswith("/update") else 405, READ_ONLY, {"Allow": "GET, HEAD, OPTIONS"})
        if req.method == "POST":
            raise HttpError(405, f"POST is accepted at /sparql and /query only, not {path[:80]}", {"Allow": "GET, HEAD, OPTIONS"})
        if path == "/store":
            return self.graph_store(req)
        if path in ("/api", "/api/"):
            return _json(api.index(list(self.queries.values())))
        if path == "/api/openapi.json":
            forms = {n: "CONSTRUCT" if q.kind == "construct" else "SELECT" for n, q in self.queries.items()}
            return _json(api.openapi(list(self.queries.values()), forms, self._base(req)))
        if path.startswith("/api/"):
            return self.saved(req, path[len("/api/"):])
        if path.startswith("/id/") or path == "/ontology":
            return self.dereference(req, path)
        if path.startswith("/graph/"):
            return self.graph(req, [str(GRAPH) + path[len("/graph/"):]])
        if path.startswith("/ui/"):
            data = ui.asset(path[len("/ui/"):])
            if data is None:
                raise HttpError(404, f"not found: {path[:80]}")
            return Response(200, data, files.TYPES[Path(path).suffix], {"Cache-Control": "no-cache"})
        return self.static(req)

    # ------------------------------------------------------------------ the endpoint

    def sparql(self, req: Request) -> Response:
        """The SPARQL 1.1 Protocol's query operation, the query page, or the service description."""
        sreq = parse(req)
        accept = req.header("accept")
        if not sreq.query.strip():
            if req.method == "POST":
                raise HttpError(400, "no query given (send query=… or an application/sparql-query body)")
            if not sreq.fmt and wants_html(accept, GRAPHS):
                return self.page(req)
            return self.service_description(req, accept, sreq.fmt)
        if req.method != "POST" and not sreq.fmt and wants_html(accept, (*RESULTS, *GRAPHS)):
            return self.page(req)  # a browser following a "run this query" link: the page runs it
        return self.run(req, jobs.sparql_job, sreq.query, sreq.dataset, accept, sreq.fmt, self.config.max_rows)

    def page(self, req: Request) -> Response:
        """The query page."""
        lang = self.lang(req)
        graphs = [g for g, _ in self.info.graphs]
        body = ui.page(ui.settings(list(self.queries.values()), graphs, lang), lang).encode("utf-8")
        return Response(200, body, HTML.content_type, {"Content-Security-Policy": ui.CSP, "Vary": "Accept",
                                                       "Cache-Control": "no-cache"})

    def service_description(self, req: Request, accept: str, fmt: str) -> Response:
        """The service description in the negotiated graph format."""
        offer = choose(accept, fmt, GRAPHS)
        if offer is None:
            raise HttpError(406, not_acceptable(GRAPHS))
        triples = describe.description(self.info, self._base(req) + req.path)
        if offer.key == "ttl":
            return Response(200, describe.turtle(triples).encode("utf-8"), offer.content_type, {"Vary": "Accept"})
        return _answer(jobs.graph_answer(triples, offer))

    # ------------------------------------------------------------------ saved queries

    def saved(self, req: Request, rest: str) -> Response:
        """``/api/<name>`` (run) and ``/api/<name>.rq`` (its text)."""
        name = urllib.parse.unquote(rest)
        values, lang, fmt = api.split_query_string(req.query)
        if name.endswith(".rq"):
            q = self._query(name[:-3])
            try:
                text = ui.bound_text(q, lang)
            except QueryError as exc:
                raise HttpError(400, str(exc)) from None
            return Response(200, text.encode("utf-8"), "application/sparql-query; charset=utf-8")
        self._query(name)
        return self.run(req, jobs.saved_job, name, values, lang, req.header("accept"), fmt, self.config.max_rows,
                        what=f"query {name!r}")

    def _query(self, name: str) -> SavedQuery:
        if name in self.queries:
            return self.queries[name]
        try:
            get_query(name)  # for the message with the closest names
        except UnknownQueryError as exc:
            raise HttpError(404, str(exc).replace("`yrd-kg queries` lists all", "/api/ lists all")) from None
        raise HttpError(404, f"no saved query {name!r}")

    # ------------------------------------------------------------------ linked data

    def dereference(self, req: Request, path: str) -> Response:
        """An entity IRI (or the ontology): the site's page for a browser, its description for a machine."""
        fmt = dict(urllib.parse.parse_qsl(req.query)).get("format", "")
        accept = req.header("accept")
        page = "ontology/index.html" if path == "/ontology" else path[1:] + ".html"
        plain = False
        if not fmt and wants_html(accept, GRAPHS):
            target = f"{self.lang(req)}/{page}"
            if files.resolve(self.site, target) is not None:
                return Response(303, f"See /{target}\n".encode(), headers={"Location": "/" + target, "Vary": "Accept"})
            fmt, plain = "ttl", True  # no page (evidence, links): the description as text a browser shows
        if path == "/ontology":
            return self.run(req, jobs.graphs_job, None, accept, fmt, self.config.max_rows, jobs.ONTOLOGY_GRAPHS,
                            plain=plain)
        return self.run(req, jobs.describe_job, BASE + path[1:], accept, fmt, self.config.max_rows, plain=plain)

    def graph(self, req: Request, graphs: list[str] | None) -> Response:
        """The triples of named graphs (``None``: every graph, the union default graph)."""
        fmt = dict(urllib.parse.parse_qsl(req.query)).get("format", "")
        accept = req.header("accept")
        plain = not fmt and wants_html(accept, GRAPHS)
        return self.run(req, jobs.graphs_job, graphs, accept, "ttl" if plain else fmt, self.config.max_rows, plain=plain)

    def graph_store(self, req: Request) -> Response:
        """Graph Store Protocol reads: ``/store?graph=IRI`` or ``/store?default`` (the union)."""
        params = urllib.parse.parse_qs(req.query, keep_blank_values=True)
        if "default" in params:
            return self.graph(req, None)
        if len(params.get("graph", [])) == 1:
            return self.graph(req, params["graph"])
        raise HttpError(400, "name one graph: /store?graph=IRI, or /store?default for the default graph (the union)")

    # ------------------------------------------------------------------ running a job

    def run(self, req: Request, job: Callable[..., jobs.Answer], *args: Any, what: str = "the query",
            plain: bool = False) -> Response:
        """A job in a worker, its errors mapped to statuses."""
        t = self.config.timeout
        try:
            answer = self.runner.run(job, *args, client=req.sock, what=what)
        except Busy as exc:
            raise HttpError(503, str(exc), {"Retry-After": "2"}) from None
        except Stopping as exc:
            raise HttpError(503, str(exc), {"Connection": "close"}) from None
        except SandboxTimeout:
            raise HttpError(504, f"{what} ran past the server's limit of {t:g} s and was stopped") from None
        except SandboxMemoryError:
            raise HttpError(503, f"{what} needed more memory than the server allows "
                                 f"({self.config.memory_mb} MB) and was stopped") from None
        except UnknownQueryError as exc:
            raise HttpError(404, str(exc)) from None
        except (QueryError, SyntaxError, ValueError) as exc:
            raise HttpError(400, str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None
        except jobs.Unacceptable as exc:
            raise HttpError(406, str(exc)) from None
        except jobs.NotFound as exc:
            raise HttpError(404, str(exc)) from None
        except (SandboxError, OSError) as exc:
            raise HttpError(500, f"{what} failed: {exc}") from None
        resp = _answer(answer)
        if plain:
            resp.content_type = "text/plain; charset=utf-8"
        return resp

    # ------------------------------------------------------------------ static, CORS, helpers

    def static(self, req: Request) -> Response:
        """A file of the site."""
        move = files.redirect_dir(self.site, req.path)
        if move is not None:
            return Response(301, f"See {move}\n".encode(), headers={"Location": _quote(move)})
        resp = files.serve_file(self.site, req.path, req.header("if-none-match"))
        if resp is None:
            raise HttpError(404, f"not found: {req.path[:120]}")
        return resp

    def _options(self, req: Request) -> Response:
        if not req.header("access-control-request-method"):
            return Response(204, headers={"Allow": ALLOW})
        origin = req.header("origin")
        if self._allowed_origin(origin) is None:
            raise HttpError(403, f"origin {origin[:80]!r} may not call this endpoint from a browser "
                                 "(start the server with --cors-origin ORIGIN)")
        asked = {h.strip().lower() for h in req.header("access-control-request-headers").split(",") if h.strip()}
        return Response(204, headers={"Access-Control-Allow-Methods": "GET, HEAD, POST",
                                      "Access-Control-Allow-Headers": ", ".join(sorted(asked & _CORS_HEADERS)) or "Content-Type",
                                      "Access-Control-Max-Age": "600"})

    def _allowed_origin(self, origin: str) -> str | None:
        if not origin:
            return None
        if "*" in self.config.cors_origins:
            return "*"
        return origin if origin in self.config.cors_origins else None

    def _cors(self, req: Request, resp: Response) -> None:
        allow = self._allowed_origin(req.header("origin"))
        if self.config.cors_origins and "*" not in self.config.cors_origins:
            resp.headers["Vary"] = ", ".join(filter(None, (resp.headers.get("Vary"), "Origin")))
        if allow is not None:
            resp.headers["Access-Control-Allow-Origin"] = allow
            resp.headers["Access-Control-Expose-Headers"] = "Yrd-Kg-Truncated, Yrd-Kg-Count, Retry-After"

    def lang(self, req: Request) -> str:
        """The language of pages: ``?lang=``, else the client's ``Accept-Language`` (zh or en; zh when neither)."""
        asked = dict(urllib.parse.parse_qsl(req.query)).get("lang", "")
        if asked in ("zh", "en"):
            return asked
        for tag in _languages(req.header("accept-language")):
            if tag.startswith("zh"):
                return "zh"
            if tag.startswith("en"):
                return "en"
        return "zh"

    def _base(self, req: Request) -> str:
        host = req.header("host") or f"{self.config.host}:{self.config.port}"
        return f"http://{host}"


def _languages(value: str) -> list[str]:
    """Language tags of ``Accept-Language`` by descending quality."""
    out: list[tuple[float, int, str]] = []
    for i, part in enumerate(value.split(",")):
        bits = [b.strip() for b in part.split(";")]
        q = 1.0
        for b in bits[1:]:
            if b.startswith("q="):
                try:
                    q = float(b[2:])
                except ValueError:
                    q = 0.0
        if bits[0] and q > 0:
            out.append((-q, i, bits[0].lower()))
    return [tag for _, _, tag in sorted(out)]


def _answer(a: jobs.Answer) -> Response:
    headers = {"Vary": "Accept", "Yrd-Kg-Count": str(a.count)}
    if a.truncated:
        headers["Yrd-Kg-Truncated"] = str(a.count)
    return Response(200, a.body, a.content_type, headers)


def _json(data: Any) -> Response:
    return Response(200, (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8"),
                    "application/json; charset=utf-8", {"Cache-Control": "no-cache"})


def _quote(path: str) -> str:
    return urllib.parse.quote(path, safe="/%:@!$&'()*+,;=-._~")

