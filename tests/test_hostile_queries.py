"""Hostile queries: injection through parameters, update forms, SERVICE/FROM, pathological queries.

Each case shows the behaviour the issue asks for: a clear error naming the parameter (or a result
with nothing extra), the store unchanged, no network traffic (a fake server on 127.0.0.1 counts
hits), and bounded time through :mod:`yrd_kg.worker` (a killable worker, "exceeded N s").
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner

import yrd_kg.sparql.limited as limited
import yrd_kg.worker as worker
from yrd_kg.sparql.errors import ParameterError, QueryError, ReadOnlyError
from yrd_kg.sparql.run import run_query, run_sparql

if TYPE_CHECKING:
    from conftest import Counter  # the counting local server fixture (tests/conftest.py)

YRD = "PREFIX yrd: <https://w3id.org/yrd-kg/ontology#>\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
P11 = "https://w3id.org/yrd-kg/id/problem/P1.1"


def _quads(store: Any) -> int:
    return len(store)


# --------------------------------------------------------------------------- injection through parameters

IRI_ATTACKS = [
    "https://w3id.org/yrd-kg/id/problem/P1.1> } UNION { ?s ?p ?o } #",
    "x> } UNION { ?s ?p ?o }",
    "https://w3id.org/yrd-kg/id/problem/P1 1",
    'https://w3id.org/yrd-kg/id/problem/P1"1',
    "https://w3id.org/yrd-kg/id/problem/P1\n1",
    "https://w3id.org/yrd-kg/id/<P1>",
    "https://w3id.org/{x}",
    "file:///etc/passwd",
    "javascript:alert(1)",
    "",
]


@pytest.mark.parametrize("value", IRI_ATTACKS)
def test_iri_parameter_injection_refused(store: Any, value: str) -> None:
    before = _quads(store)
    with pytest.raises(ParameterError) as ei:
        run_query("evidence-for-node", store=store, node_iri=value)
    assert ei.value.param == "node_iri" and "node_iri" in str(ei.value)
    assert _quads(store) == before


def test_iri_parameter_injection_cli_exit_2() -> None:
    from yrd_kg.cli.main import main

    out = CliRunner().invoke(main, ["query", "evidence-for-node", "-p", "node_iri=x> } UNION { ?s ?p ?o }"])
    assert out.exit_code == 2, out.output
    assert "node_iri" in out.output and "Traceback" not in out.output


LITERAL_ATTACKS = [
    '" ) } UNION { ?s ?p ?o } #',
    "' ) } UNION { ?s ?p ?o } #",
    '""") } UNION { ?s ?p ?o } #',
    "x\n} UNION { ?s ?p ?o }\n#",
    "\\\" ) } UNION { ?s ?p ?o } #",
    "\\u0022 ) } UNION { ?s ?p ?o } #",
    "",
]
LABEL_QUERY = YRD + "SELECT ?s WHERE { ?s skos:prefLabel ?l . FILTER(STR(?l) = ?_label) }"


@pytest.mark.parametrize("value", LITERAL_ATTACKS)
def test_literal_parameter_injection_returns_nothing_extra(store: Any, value: str) -> None:
    if "\\u" in value:  # SPARQL expands \uXXXX before parsing: such a value is refused, naming the parameter
        with pytest.raises(ParameterError, match=r"label.*codepoint escape"):
            run_sparql(LABEL_QUERY, store=store, label=value)
        return
    res = run_sparql(LABEL_QUERY, store=store, label=value)
    assert len(res) == 0, res.rows[:3]


def test_literal_parameter_still_matches_real_value(store: Any) -> None:
    res = run_sparql(YRD + "SELECT ?l WHERE { <" + P11 + "> skos:prefLabel ?l FILTER(LANG(?l) = 'en') }", store=store)
    label = res.rows[0][0].value
    hit = run_sparql(LABEL_QUERY, store=store, label=label)
    assert P11 in [r[0].value for r in hit.rows] and len(hit) < 5  # the real label matches, nothing else leaks


@pytest.mark.parametrize("value", ["en\" } UNION { ?s ?p ?o", "zh-", "", "e n", "x" * 9])
def test_language_parameter_checked(store: Any, value: str) -> None:
    with pytest.raises(ParameterError, match="lang"):
        run_query("actor-tasks", store=store, lang=value)


@pytest.mark.parametrize("key", ["s", "node", "problem_iri; DROP ALL"])
def test_unknown_parameter_named(store: Any, key: str) -> None:
    with pytest.raises(ParameterError) as ei:
        run_query("problem-chain", store=store, **{key: P11})
    assert key in str(ei.value)


# --------------------------------------------------------------------------- update forms on the read path

UPDATES = [
    "INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }",
    "PREFIX ex: <urn:x:> insert data { ex:a ex:b ex:c }",
    "DELETE WHERE { ?s ?p ?o }",
    "DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
    "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "LOAD <http://127.0.0.1:9/data.ttl>",
    "LOAD SILENT <file:///etc/passwd> INTO GRAPH <urn:g>",
    "CLEAR ALL",
    "CLEAR DEFAULT",
    "DROP ALL",
    "DROP SILENT GRAPH <urn:g>",
    "CREATE GRAPH <urn:g>",
    "ADD DEFAULT TO <urn:g>",
    "MOVE DEFAULT TO <urn:g>",
    "COPY <urn:a> TO <urn:b>",
    "# a comment\nSELECT * WHERE { ?s ?p ?o } ;\nDROP ALL",
    "SELECT * WHERE { ?s ?p ?o } ; INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }",
]


@pytest.mark.parametrize("text", UPDATES)
def test_update_forms_refused(store: Any, text: str) -> None:
    before = _quads(store)
    with pytest.raises(QueryError) as ei:
        run_sparql(text, store=store)
    assert "refused" in str(ei.value) or "syntax" in str(ei.value).lower()
    assert _quads(store) == before


@pytest.mark.parametrize("text", ["DROP ALL", "INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }"])
def test_update_refused_by_cli(text: str) -> None:
    from yrd_kg.cli.main import main

    out = CliRunner().invoke(main, ["sparql", "-"], input=text)
    assert out.exit_code == 2, out.output
    assert "refused" in out.output and "Traceback" not in out.output


# --------------------------------------------------------------------------- SERVICE and FROM


def _remote_forms(base: str) -> list[str]:
    return [
        f"SELECT * WHERE {{ SERVICE <{base}/sparql> {{ ?s ?p ?o }} }}",
        f"select * where {{ service silent <{base}/sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ BIND(<{base}/sparql> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ SERVICE <{base}/x> {{ ?o ?q ?r }} }} }}",
        f"SELECT * FROM <{base}/data.ttl> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{base}/data.ttl> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
        "SELECT * FROM NAMED <file:///etc/passwd> WHERE { GRAPH ?g { ?s ?p ?o } }",
        f"ASK FROM <{base}/a> {{ ?s ?p ?o }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{base}/q> {{ ?s ?p ?o }} }}",
        f"DESCRIBE ?s FROM <{base}/a> WHERE {{ ?s ?p ?o }}",
    ]


@pytest.mark.parametrize("i", range(11))
def test_service_and_remote_from_refused_without_traffic(store: Any, counter: Counter, i: int) -> None:
    text = _remote_forms(counter.base)[i]
    with pytest.raises(ReadOnlyError, match="refused"):
        run_sparql(text, store=store)
    with pytest.raises(ReadOnlyError, match="refused"):
        limited.run_sparql(text, store=store, timeout=10)
    assert counter.hits == []


def test_service_refused_by_cli(counter: Counter) -> None:
    from yrd_kg.cli.main import main

    out = CliRunner().invoke(main, ["sparql", "-"], input=_remote_forms(counter.base)[0])
    assert out.exit_code == 2 and "refused: SERVICE" in out.output, out.output
    assert counter.hits == []


# --------------------------------------------------------------------------- pathological queries: timeout and row cap

PATHOLOGICAL = {
    "cartesian": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    "cyclic-path": YRD + "SELECT (COUNT(*) AS ?n) WHERE { ?s (yrd:causes|^yrd:causes)* ?o . "
                         "?x (yrd:causes|^yrd:causes|yrd:partOf|^yrd:partOf)* ?y . ?a ?b ?c }",
    "order-by": "SELECT ?c ?f WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY DESC(STR(?c)) ?f LIMIT 1",
    "group-concat": "SELECT (GROUP_CONCAT(STR(?c); separator=',') AS ?x) WHERE { ?a ?b ?c . ?d ?e ?f }",
}


@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_pathological_query_stopped_by_timeout(store: Any, name: str) -> None:
    t = time.monotonic()
    with pytest.raises(worker.SandboxTimeout) as ei:
        limited.run_sparql(PATHOLOGICAL[name], store=store, timeout=1.5)
    elapsed = time.monotonic() - t
    assert "exceeded 1.5 s" in str(ei.value)
    assert elapsed < 8, elapsed


def test_cyclic_property_path_alone_terminates(store: Any) -> None:
    res = limited.run_sparql(YRD + "SELECT (COUNT(*) AS ?n) WHERE { ?s (yrd:causes|^yrd:causes)* ?o }",
                             store=store, timeout=20)
    assert int(res.table.rows[0][0].value) > 0 and not res.truncated


def test_row_cap_reported_never_silent(store: Any) -> None:
    res = limited.run_sparql("SELECT * WHERE { ?s ?p ?o }", store=store, timeout=30, max_rows=100)
    assert len(res.table) == 100 and res.truncated
    assert res.notice() is not None and "truncated" in (res.notice() or "") and "100" in (res.notice() or "")
    full = limited.run_sparql(YRD + "SELECT ?p WHERE { ?p a yrd:Shortcoming }", store=store, timeout=30, max_rows=100)
    assert len(full.table) == 4 and not full.truncated and full.notice() is None


def test_row_cap_on_construct(store: Any) -> None:
    res = limited.run_sparql("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", store=store, timeout=30, max_rows=50)
    assert res.truncated and res.table.graph is not None and len(res.table.graph) <= 50


def test_saved_query_through_sandbox(store: Any) -> None:
    direct = run_query("problem-chain", store=store, problem_iri=P11)
    capped = limited.run_query("problem-chain", store=store, problem_iri=P11, timeout=30)
    assert sorted(map(str, capped.table.rows)) == sorted(map(str, direct.rows)) and not capped.truncated


def test_worker_errors_keep_their_class(store: Any) -> None:
    with pytest.raises(ParameterError) as ei:
        limited.run_query("problem-chain", store=store, problem_iri="x> }", timeout=10)
    assert ei.value.param == "problem_iri"
    with pytest.raises(QueryError, match="syntax"):
        limited.run_sparql("SELECT * WHERE { ?s ?p }", store=store, timeout=10)


def _allocate() -> int:
    blocks = [bytearray(64 * 1024 * 1024) for _ in range(64)]  # 4 GiB if nothing stops it
    return len(blocks)


def test_memory_limit_is_a_clear_error() -> None:
    with pytest.raises(worker.SandboxMemoryError, match="memory"):
        worker.run_with_timeout(_allocate, timeout=30, memory_mb=256, what="allocation")


def _crash() -> None:
    import os

    os._exit(3)


def test_worker_crash_is_a_clear_error() -> None:
    with pytest.raises(worker.SandboxError, match="exit code 3"):
        worker.run_with_timeout(_crash, timeout=10, what="crash")


def test_timeout_leaves_no_worker_behind() -> None:
    import multiprocessing

    before = {p.pid for p in multiprocessing.active_children()}
    with pytest.raises(worker.SandboxTimeout):
        worker.run_with_timeout(time.sleep, 30, timeout=0.5, what="sleep")
    after = {p.pid for p in multiprocessing.active_children()}
    assert after <= before


def test_with_file_is_parsed_before_merge(tmp_path: Path, store: Any) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("<urn:a> <urn:b> <urn:c> .\n<urn:a> <urn:b> \"unterminated .\n", encoding="utf-8")
    from yrd_kg.dataset.loader import LoadError

    with pytest.raises(LoadError, match=r"bad\.ttl:2"):
        run_sparql("SELECT * WHERE { ?s ?p ?o } LIMIT 1", with_files=[bad])
