"""The read-only guard: only SELECT, ASK, CONSTRUCT and DESCRIBE run; SERVICE and remote FROM only when allow-listed.

The query is parsed (rdflib's SPARQL parser) and its algebra inspected; the answer is the query form.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from rdflib import URIRef

from yrd_kg.namespaces import BASE
from yrd_kg.sparql.errors import QueryError, ReadOnlyError

#: IRIs under this base are local (allowed in FROM / FROM NAMED without an allow-list).
LOCAL_BASE = BASE


@lru_cache(maxsize=512)
def _analyse(text: str) -> tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(form, FROM IRIs, SERVICE endpoints, projected variables) by parsing; QueryError when not a query."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
    from rdflib.plugins.sparql.parserutils import CompValue

    try:
        parsed = parseQuery(text)
    except RecursionError:
        raise QueryError("SPARQL error: the query is nested too deeply to analyse; refused") from None
    except ParseException as exc:
        try:
            parseUpdate(text)
        except ParseException:
            raise QueryError(f"SPARQL syntax error: {str(exc).splitlines()[0]}") from None
        raise ReadOnlyError("refused: the text is a SPARQL Update (INSERT/DELETE/LOAD/CLEAR/DROP/CREATE/"
                            "ADD/MOVE/COPY); only read-only queries run") from None
    try:
        q = translateQuery(parsed)
    except RecursionError:
        raise QueryError("SPARQL error: the query is nested too deeply to analyse; refused") from None
    except Exception as exc:  # rdflib raises many types for semantic errors
        raise QueryError(f"SPARQL error: {exc}") from None
    algebra = q.algebra
    froms = tuple(str(next(iter(v for k, v in dc.items() if k in ("default", "named"))))
                  for dc in (algebra.get("datasetClause") or ()))
    services: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                term = node.get("term")
                services.append(str(term) if isinstance(term, URIRef) else f"?{term}")
            for v in node.values():
                walk(v)
        elif isinstance(node, list | tuple):
            for v in node:
                walk(v)

    walk(algebra)
    form = {"SelectQuery": "SELECT", "ConstructQuery": "CONSTRUCT", "AskQuery": "ASK",
            "DescribeQuery": "DESCRIBE"}.get(algebra.name, algebra.name)
    pv = tuple(str(v) for v in (algebra.get("PV") or ()))
    return form, froms, tuple(services), pv


def check_read_only(text: str, *, allow_endpoints: Iterable[str] = ()) -> str:
    """Refuse anything but a read-only query; return its form (SELECT, CONSTRUCT, ASK, DESCRIBE).

    Raises :class:`ReadOnlyError` for updates, ``SERVICE`` and ``FROM``/``FROM NAMED`` IRIs that are
    neither local (under ``https://w3id.org/yrd-kg/``) nor in ``allow_endpoints``, and
    :class:`QueryError` for a text that does not parse as a query.
    """
    form, froms, services, _ = _analyse(text)
    allowed = set(allow_endpoints)
    for s in services:
        if s not in allowed:
            raise ReadOnlyError(f"refused: SERVICE {s} (remote endpoints run only when allow-listed)")
    for f in froms:
        if not f.startswith(LOCAL_BASE) and f not in allowed:
            raise ReadOnlyError(f"refused: FROM <{f}> is not a local graph (allow-list it to use it)")
    return form
