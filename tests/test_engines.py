"""Every saved query returns the same rows on every engine.

Engines: the project's (``run_query`` on :func:`yrd_kg.store.open_store`, in memory and persistent), rdflib's memory store
(:class:`yrd_kg.sparql.engines.RdflibEngine` over ``Dataset.rdflib_dataset()``) and pyoxigraph
directly (an in-memory ``pyoxigraph.Store`` bulk-loaded from ``build/yrd-kg.nq``, queried with the
same bound text, its terms read straight from pyoxigraph).

Rows are compared as multisets (order is not compared: ties in ORDER BY may break differently).
Normalisation, cell by cell:

- numeric literals (xsd:integer, decimal, double, float and the integer subtypes) compare by value,
  rounded to 9 significant digits (engines write ``2.50`` / ``2.5`` / ``2.5E0`` differently);
- ``xsd:string`` and plain literals are the same; language tags compare case-insensitively;
- blank nodes compare as "a blank node" (their labels are per engine);
- CONSTRUCT results compare as sets of triples (pyoxigraph may emit a triple twice, a graph not).
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pytest

XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long", "short", "byte",
                             "nonNegativeInteger", "positiveInteger", "negativeInteger", "nonPositiveInteger",
                             "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte")}
PARAMS = {
    "problem_iri": "https://w3id.org/yrd-kg/id/problem/P1.1",
    "node_iri": "https://w3id.org/yrd-kg/id/problem/P1.1",
    "remedy_iri": "https://w3id.org/yrd-kg/id/path/B1.1",
}


def _num(lex: str) -> Any:
    try:
        d = Decimal(lex.strip())
    except InvalidOperation:
        return ("badnum", lex)
    if not d.is_finite():
        return ("num", str(d))
    return ("num", float(f"{d:.9g}"))


def _key(kind: str, value: str, lang: str | None = None, dt: str | None = None) -> Any:
    if kind == "iri":
        return ("iri", value)
    if kind == "bnode":
        return ("bnode",)
    if lang:
        return ("lit", value, lang.lower())
    if dt in NUMERIC:
        return _num(value)
    if dt in (None, XSD + "string"):
        return ("lit", value, "")
    return ("lit", value, dt)


def norm_rdflib(t: Any) -> Any:
    from rdflib import BNode, Literal, URIRef

    if t is None:
        return None
    if isinstance(t, URIRef):
        return _key("iri", str(t))
    if isinstance(t, BNode):
        return _key("bnode", str(t))
    assert isinstance(t, Literal)
    return _key("lit", str(t), t.language, str(t.datatype) if t.datatype is not None else None)


def norm_ox(t: Any) -> Any:
    import pyoxigraph as ox

    if t is None:
        return None
    if isinstance(t, ox.NamedNode):
        return _key("iri", t.value)
    if isinstance(t, ox.BlankNode):
        return _key("bnode", t.value)
    return _key("lit", t.value, t.language, t.datatype.value if t.datatype is not None else None)


def _params(q: Any) -> dict[str, str]:
    return {p.name: PARAMS[p.name] for p in q.params if p.name in PARAMS}


def _queries() -> list[Any]:
    from yrd_kg.sparql.catalogue import list_queries

    return list_queries()


QUERIES = _queries()


@pytest.fixture(scope="module")
def rdflib_engine() -> Any:
    from yrd_kg.dataset.store import open_dataset
    from yrd_kg.sparql.engines import RdflibEngine

    return RdflibEngine(open_dataset().rdflib_dataset())


@pytest.fixture(scope="module")
def ox_memory(build_dir: Path) -> Any:
    import pyoxigraph as ox

    store = ox.Store()
    store.bulk_load(path=str(build_dir / "yrd-kg.nq"), format=ox.RdfFormat.N_QUADS)
    return store


def project_rows(q: Any, store: Any) -> Any:
    from yrd_kg.sparql.run import run_query

    table = run_query(q.name, store=store, **_params(q))
    rows = [tuple(norm_rdflib(c) for c in r) for r in table.rdflib_rows()]
    return set(rows) if table.kind == "construct" else Counter(rows)


def rdflib_rows(q: Any, engine: Any) -> Any:
    from yrd_kg.sparql.run import run_query

    table = run_query(q.name, engine=engine, **_params(q))
    rows = [tuple(norm_rdflib(c) for c in r) for r in table.rdflib_rows()]
    return set(rows) if table.kind == "construct" else Counter(rows)


def ox_rows(q: Any, store: Any) -> Any:
    import pyoxigraph as ox

    from yrd_kg.sparql.binding import bind_parameters
    from yrd_kg.sparql.guard import check_read_only

    form = check_read_only(q.text)
    text = bind_parameters(q.text, q.params, _params(q), lang="en", name=q.name)
    res = store.query(text, use_default_graph_as_union=True)
    if form in ("CONSTRUCT", "DESCRIBE"):
        return {(norm_ox(t.subject), norm_ox(t.predicate), norm_ox(t.object)) for t in res}
    if isinstance(res, ox.QueryBoolean):
        return Counter([(("lit", "true" if bool(res) else "false", XSD + "boolean"),)])
    n = len(res.variables)
    return Counter(tuple(norm_ox(sol[i]) for i in range(n)) for sol in res)


def _diff(a: Any, b: Any) -> str:
    if isinstance(a, Counter):
        return f"only first: {list((a - b).items())[:3]}; only second: {list((b - a).items())[:3]}"
    return f"only first: {sorted(a - b, key=str)[:3]}; only second: {sorted(b - a, key=str)[:3]}"


@pytest.fixture(scope="module")
def disk_store(build_dir: Path) -> Any:
    from yrd_kg.dataset.store import open_store

    return open_store(build_dir, persistent=True)


@pytest.mark.parametrize("q", QUERIES, ids=[q.name for q in QUERIES])
def test_persistent_equals_memory(q: Any, store: Any, disk_store: Any) -> None:
    a, b = project_rows(q, disk_store), project_rows(q, store)
    assert a == b, f"{q.name}: persistent vs in-memory: {_diff(a, b)}"


@pytest.mark.parametrize("q", QUERIES, ids=[q.name for q in QUERIES])
def test_project_equals_pyoxigraph_direct(q: Any, store: Any, ox_memory: Any) -> None:
    a, b = project_rows(q, store), ox_rows(q, ox_memory)
    assert a == b, f"{q.name}: project vs pyoxigraph: {_diff(a, b)}"




@pytest.mark.parametrize("q", QUERIES, ids=[q.name for q in QUERIES])
def test_project_equals_rdflib(q: Any, store: Any, rdflib_engine: Any) -> None:
    a, b = project_rows(q, store), rdflib_rows(q, rdflib_engine)
    assert a == b, f"{q.name}: project vs rdflib: {_diff(a, b)}"


def test_normalisation() -> None:
    import pyoxigraph as ox
    from rdflib import BNode, Literal, URIRef
    from rdflib.namespace import XSD as X

    assert norm_rdflib(Literal("2.50", datatype=X.decimal)) == norm_ox(ox.Literal("2.5E0", datatype=ox.NamedNode(XSD + "double")))
    assert norm_rdflib(Literal("a")) == norm_ox(ox.Literal("a", datatype=ox.NamedNode(XSD + "string")))
    assert norm_rdflib(Literal("a", lang="zh")) == norm_ox(ox.Literal("a", language="zh"))
    assert norm_rdflib(Literal("a", lang="zh")) != norm_rdflib(Literal("a", lang="en"))
    assert norm_rdflib(BNode("x")) == norm_ox(ox.BlankNode("y"))
    assert norm_rdflib(URIRef("http://a")) == norm_ox(ox.NamedNode("http://a"))
    assert norm_rdflib(URIRef("http://a")) != norm_rdflib(Literal("http://a"))
