"""The saved queries as a web API (grlc style): the rows of `yrd-kg query`, an OpenAPI 3 description from the #+ headers."""

from __future__ import annotations

import csv
import io
import json
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest
from rdflib import Graph

from serve_support import request, served
from yrd_kg.sparql.catalogue import list_queries, query_names
from yrd_kg.sparql.run import run_query

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def port(store: Any) -> Iterator[int]:
    with served(store) as run:
        yield run.server.port


def _get(port: int, path: str, accept: str = "application/sparql-results+json") -> tuple[int, dict[str, str], bytes]:
    return request(port, "GET", path, Accept=accept)


def test_index_lists_every_saved_query(port: int) -> None:
    st, h, data = _get(port, "/api/", "application/json")
    assert st == 200 and h["content-type"].startswith("application/json")
    index = json.loads(data)
    assert [q["name"] for q in index["queries"]] == query_names() and len(index["queries"]) >= 40
    assert index["openapi"] == "/api/openapi.json"


def test_openapi_from_the_headers(port: int) -> None:
    st, _, data = _get(port, "/api/openapi.json", "application/json")
    doc = json.loads(data)
    assert st == 200 and doc["openapi"].startswith("3.") and doc["servers"] == [{"url": f"http://127.0.0.1:{port}"}]
    queries = {q.name: q for q in list_queries()}
    assert set(doc["paths"]) == {f"/api/{n}" for n in queries}
    op = doc["paths"]["/api/measures-for-problem"]["get"]
    q = queries["measures-for-problem"]
    assert op["summary"] == q.summary_en and f"中文：{q.summary_zh}" in op["description"]
    params = {p["name"]: p for p in op["parameters"]}
    assert params["problem_iri"]["required"] is True and params["problem_iri"]["schema"]["type"] == "string"
    assert params["lang"]["schema"] == {"type": "string", "pattern": "^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$",
                                        "default": "en", "enum": ["zh", "en"]}
    assert params["format"]["schema"]["enum"] == ["json", "xml", "csv", "tsv"]
    construct = doc["paths"]["/api/construct-chain-graph"]["get"]
    assert "text/turtle" in construct["responses"]["200"]["content"] and "construct" in construct["tags"]
    # every parameter of every query is described with a type
    for name, sq in queries.items():
        got = {p["name"] for p in doc["paths"][f"/api/{name}"]["get"]["parameters"]}
        assert got == {p.name for p in sq.params} | {"format"}, name


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_report_rows_are_those_of_yrd_kg_query(port: int, store: Any, lang: str) -> None:
    st, h, data = _get(port, f"/api/paper-counts?lang={lang}")
    local = run_query("paper-counts", lang=lang, store=store)
    assert st == 200 and h["content-type"].startswith("application/sparql-results+json")
    assert json.loads(data) == json.loads(local.to_json())
    st, h, data = _get(port, f"/api/paper-counts?lang={lang}", "text/csv")
    assert st == 200 and data.decode("utf-8") == local.to_csv()
    rows = list(csv.reader(io.StringIO(data.decode())))
    assert rows[0] == list(local.columns) and len(rows) == len(local) + 1 > 5


def test_parameters_bound_as_the_cli_binds_them(port: int, store: Any) -> None:
    st, _, data = _get(port, "/api/measures-for-problem?problem_iri=problem:P1.1&format=tsv")
    local = run_query("measures-for-problem", store=store, problem_iri="problem:P1.1")
    assert st == 200 and data.decode() == local.to_tsv() and len(local) > 0
    other = run_query("measures-for-problem", store=store, problem_iri="problem:P4")
    assert local.rows != other.rows


@pytest.mark.parametrize(("path", "status", "words"), [
    ("/api/measures-for-problem", 400, "missing parameter(s) problem_iri"),
    ("/api/measures-for-problem?problem_iri=javascript:alert(1)", 400, "problem_iri"),
    ("/api/measures-for-problem?problem_iri=problem:P1&colour=red", 400, "unknown parameter 'colour'"),
    ("/api/paper-counts?lang=en&lang=zh", 400, "more than once"),
    ("/api/paper-count", 404, "did you mean paper-counts"),
    ("/api/..%2Fetc%2Fpasswd", 404, "invalid query name"),
    ("/api/paper-counts?format=png", 406, "not acceptable"),
])
def test_bad_calls_are_named(port: int, path: str, status: int, words: str) -> None:
    st, _, data = _get(port, path)
    assert st == status and words in data.decode(), data


def test_construct_query_as_turtle(port: int, store: Any) -> None:
    st, h, data = _get(port, "/api/construct-problem-subgraph?problem_iri=problem:P2", "text/turtle")
    assert st == 200 and h["content-type"].startswith("text/turtle")
    local = run_query("construct-problem-subgraph", store=store, problem_iri="problem:P2")
    assert len(Graph().parse(data=data.decode(), format="turtle")) == len(local.triples or []) > 10


def test_query_text_with_its_defaults_bound(port: int) -> None:
    st, h, data = _get(port, "/api/problems-and-sub-points.rq?lang=zh", "application/sparql-query")
    text = data.decode()
    assert st == 200 and h["content-type"].startswith("application/sparql-query")
    assert "?_lang" not in text and '"zh"' in text and text.lstrip().startswith("#+ summary")
    st, _, data = _get(port, "/api/measures-for-problem.rq", "application/sparql-query")
    assert st == 200 and "?_problem_iri" in data.decode()  # a parameter without a default stays a variable
    st, _, data = _get(port, f"/api/problems-and-sub-points.rq?lang={urllib.parse.quote('x y')}", "application/sparql-query")
    assert st == 400 and b"language tag" in data
