"""The saved queries as a web API in the grlc manner, described in OpenAPI 3 from their ``#+`` headers.

``GET /api/<name>?<param>=…&lang=zh`` runs the saved query ``queries/<name>.rq`` with its parameters
bound as ``yrd-kg query <name> -p <param>=…`` binds them, and answers the same rows, as SPARQL 1.1 JSON,
XML, CSV or TSV (CONSTRUCT queries: Turtle, N-Triples, JSON-LD, RDF/XML) by ``Accept`` or ``format=``.
``GET /api/openapi.json`` describes every query: summary (en, with the zh one in the description),
description, tags, columns, and each parameter with its type, default and the header's description.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Sequence
from typing import Any

from yrd_kg.namespaces import VERSION
from yrd_kg.serve.conneg import GRAPHS, RESULTS
from yrd_kg.serve.wire import HttpError
from yrd_kg.sparql.catalogue import Param, SavedQuery

#: query-string keys that are not query parameters
RESERVED = ("format", "output")
_SCHEMAS: dict[str, dict[str, Any]] = {
    "iri": {"type": "string", "description": "an absolute http(s)/urn IRI, or a CURIE with a project prefix (problem:P1.1)"},
    "lang": {"type": "string", "pattern": "^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$"},
    "int": {"type": "integer"},
    "num": {"type": "number"},
    "literal": {"type": "string"},
}


def split_query_string(qs: str) -> tuple[dict[str, str], str, str]:
    """(parameter values, label language, format) from a query string; a repeated parameter is a 400."""
    try:
        pairs = urllib.parse.parse_qsl(qs, keep_blank_values=True, errors="strict", max_num_fields=100)
    except (ValueError, UnicodeDecodeError) as exc:
        raise HttpError(400, f"malformed query string: {exc}") from None
    values: dict[str, str] = {}
    for k, v in pairs:
        if k in values:
            raise HttpError(400, f"parameter {k!r} given more than once")
        values[k] = v
    fmt = values.pop("format", "") or values.pop("output", "")
    values.pop("output", None)
    lang = values.pop("lang", "") or values.pop("_lang", "") or "en"
    return values, lang, fmt


def _param(p: Param) -> dict[str, Any]:
    schema = dict(_SCHEMAS[p.type])
    note = schema.pop("description", "")
    if p.default is not None:
        schema["default"] = int(p.default) if p.type == "int" and p.default.lstrip("+-").isdigit() else p.default
    if p.name == "lang":
        schema["enum"] = ["zh", "en"]
    text = p.description or ("label language (zh or en)" if p.name == "lang" else "")
    return {"name": p.name, "in": "query", "required": p.required, "schema": schema,
            "description": "; ".join(x for x in (text, note) if x)}


def _operation(q: SavedQuery, construct: bool) -> dict[str, Any]:
    offers = GRAPHS if construct else RESULTS
    media: dict[str, Any] = {o.media_type: {"schema": {"type": "string"}} for o in offers}
    if not construct:
        media[offers[0].media_type] = {"schema": {"type": "object"}}
    described = [q.description] if q.description else []
    if q.summary_zh:
        described.append(f"中文：{q.summary_zh}")
    if q.columns:
        described.append("Columns: " + ", ".join(q.columns))
    params = [_param(p) for p in q.params]
    params.append({"name": "format", "in": "query", "required": False,
                   "schema": {"type": "string", "enum": [o.key for o in offers]},
                   "description": "the answer's format (else by Accept)"})
    return {"operationId": q.name.replace("-", "_"), "summary": q.summary_en or q.summary_zh or q.name,
            "description": "\n\n".join(described), "tags": [q.kind, *q.tags], "parameters": params,
            "responses": {
                "200": {"description": "the triples" if construct else "the rows, as `yrd-kg query` gives them",
                        "content": media},
                "400": {"description": "a missing, unknown or ill-typed parameter (the message names it)"},
                "406": {"description": "no acceptable format"},
                "503": {"description": "every query slot is busy (Retry-After)"},
                "504": {"description": "the query ran past the server's timeout and was stopped"}}}


def openapi(queries: Sequence[SavedQuery], forms: dict[str, str], server_url: str) -> dict[str, Any]:
    """The OpenAPI 3 description of the saved queries; ``forms`` maps each name to its query form (SELECT …)."""
    paths = {f"/api/{q.name}": {"get": _operation(q, forms.get(q.name) in ("CONSTRUCT", "DESCRIBE"))} for q in queries}
    return {
        "openapi": "3.0.3",
        "info": {"title": "yrd-kg saved queries", "version": VERSION,
                 "description": "The saved SPARQL queries of yrd-kg (陈晓峰、张其松 2023, as linked data) as a web API: "
                                "each answers the rows `yrd-kg query NAME` prints. Generated from the queries' #+ headers.",
                 "license": {"name": "MIT"}},
        "servers": [{"url": server_url}],
        "tags": [{"name": t} for t in sorted({t for q in queries for t in (q.kind, *q.tags)})],
        "paths": paths,
    }


def index(queries: Sequence[SavedQuery]) -> dict[str, Any]:
    """``/api/``: every query with its summaries and parameters, and where the OpenAPI description is."""
    return {"openapi": "/api/openapi.json",
            "queries": [{"name": q.name, "url": f"/api/{q.name}", "kind": q.kind, "summary_en": q.summary_en,
                         "summary_zh": q.summary_zh,
                         "params": [{"name": p.name, "type": p.type, "required": p.required, "default": p.default}
                                    for p in q.params]} for q in queries]}
