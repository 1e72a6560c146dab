"""The SPARQL 1.1 Protocol's query operation: what a request asks for, read from GET or POST.

``GET ?query=…``, ``POST`` of a form (``application/x-www-form-urlencoded``) or of the query itself
(``application/sparql-query``, further parameters in the URL). ``default-graph-uri`` and
``named-graph-uri`` (repeatable) scope the dataset; ``format`` or ``output`` name the answer's format.
An update (``update=``, ``application/sparql-update``) is refused here with 400, before anything runs.

>>> has_dataset_clause("SELECT * FROM <urn:g> { ?s ?p ?o }"), has_dataset_clause("SELECT ?from { ?s <p:FROM> ?from }")
(True, False)
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass

import pyoxigraph as ox

from yrd_kg.serve.wire import HttpError, Request
from yrd_kg.sparql.lexer import tokens

#: the read-only refusal shared by every update route
READ_ONLY = "refused: this endpoint is read-only (SPARQL Update and graph-store writes are not accepted)"
_FORM = "application/x-www-form-urlencoded"
_QUERY = "application/sparql-query"


@dataclass(frozen=True)
class Dataset:
    """The RDF dataset a request names: graph IRIs of the protocol's parameters (empty when none given)."""

    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()

    @property
    def given(self) -> bool:
        """Whether the request scopes the dataset (then it replaces any FROM / FROM NAMED of the query)."""
        return bool(self.default_graphs or self.named_graphs)

    def options(self, query: str) -> dict[str, object]:
        """Keyword arguments of ``pyoxigraph.Store.query`` for ``query``.

        The protocol's graphs when given (the default graph is their merge, empty when only named graphs are
        given); else the query's own FROM / FROM NAMED; else the union of every named graph as default graph.
        """
        if self.given:
            return {"default_graph": [ox.NamedNode(g) for g in self.default_graphs],
                    "named_graphs": [ox.NamedNode(g) for g in self.named_graphs]}
        if has_dataset_clause(query):
            return {}
        return {"use_default_graph_as_union": True}


@dataclass(frozen=True)
class SparqlRequest:
    """A query operation: the text (empty when none was sent), its dataset and the format asked for."""

    query: str
    dataset: Dataset
    fmt: str = ""


def has_dataset_clause(query: str) -> bool:
    """Whether the query names its dataset (``FROM`` / ``FROM NAMED`` outside any group)."""
    depth = 0
    for kind, tok in tokens(query):
        if kind == "brace":
            depth += 1 if tok == "{" else -1
        elif kind == "word" and depth == 0 and tok.upper() == "FROM":
            return True
    return False


def _iri(value: str, param: str) -> str:
    try:
        return ox.NamedNode(value.strip()).value
    except ValueError:
        raise HttpError(400, f"{param}: not an absolute IRI: {value[:80]!r}") from None


def _parse_qs(text: str, where: str) -> dict[str, list[str]]:
    try:
        return urllib.parse.parse_qs(text, keep_blank_values=True, strict_parsing=False, errors="strict",
                                     max_num_fields=1000)
    except (ValueError, UnicodeDecodeError) as exc:
        raise HttpError(400, f"malformed {where}: {exc}") from None


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise HttpError(400, "the request body is not UTF-8") from None


def parse(req: Request) -> SparqlRequest:
    """The query operation ``req`` asks for; :class:`HttpError` for an update, a bad parameter or media type."""
    params = _parse_qs(req.query, "query string")
    query: list[str] = params.get("query", [])
    if req.method == "POST":
        ctype = req.header("content-type").split(";", 1)[0].strip().lower()
        if ctype == _FORM:
            form = _parse_qs(_decode(req.body), "form body")
            if "update" in form:
                raise HttpError(400, READ_ONLY)
            for k, v in form.items():
                params.setdefault(k, []).extend(v)
            query = form.get("query", []) or query
        elif ctype == _QUERY:
            if "query" in params:
                raise HttpError(400, "a query in the URL and in the body: send one")
            query = [_decode(req.body)]
        elif ctype == "application/sparql-update":
            raise HttpError(400, READ_ONLY)
        else:
            raise HttpError(415, f"POST a query as {_QUERY} or as a form ({_FORM}), not {ctype or 'no content type'}")
    if "update" in params:
        raise HttpError(400, READ_ONLY)
    if len(query) > 1:
        raise HttpError(400, "more than one query parameter")
    dataset = Dataset(tuple(_iri(v, "default-graph-uri") for v in params.get("default-graph-uri", [])),
                      tuple(_iri(v, "named-graph-uri") for v in params.get("named-graph-uri", [])))
    fmt = ",".join(v for v in (*params.get("format", ()), *params.get("output", ())) if v)
    return SparqlRequest(query[0] if query else "", dataset, fmt)
