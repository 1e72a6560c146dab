"""``yrd-kg queries`` / ``query`` / ``sparql`` through click's CliRunner, every output format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from yrd_kg.cli.main import main


@pytest.fixture()
def cli(build_dir: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("YRD_KG_BUILD", str(build_dir))
    return CliRunner()


def test_queries_lists_names_and_summaries(cli: CliRunner) -> None:
    res = cli.invoke(main, ["queries"])
    assert res.exit_code == 0, res.output
    assert "table1-leading-province" in res.output
    assert "leading province" in res.output
    zh = cli.invoke(main, ["queries", "--lang", "zh", "--kind", "construct"])
    assert zh.exit_code == 0 and "术语表" in zh.output and "table1" not in zh.output


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json", "md"])
def test_query_formats(cli: CliRunner, fmt: str) -> None:
    res = cli.invoke(main, ["query", "table1-leading-province", "--format", fmt, "--lang", "zh"])
    assert res.exit_code == 0, res.output
    assert "1442.14" in res.output
    assert "江苏" in res.output
    if fmt == "json":
        data = json.loads(res.output)
        assert data["head"]["vars"][0] == "industry"
        assert len(data["results"]["bindings"]) == 9


def test_query_with_param(cli: CliRunner) -> None:
    res = cli.invoke(main, ["query", "measures-for-problem", "-p", "problem_iri=problem:P4.2", "--format", "csv"])
    assert res.exit_code == 0, res.output
    assert ",recommendation:R2.1," in res.output  # plain values by default
    raw = cli.invoke(main, ["query", "measures-for-problem", "-p", "problem_iri=problem:P4.2", "--format", "csv", "--raw"])
    assert ",https://w3id.org/yrd-kg/id/recommendation/R2.1," in raw.output


def test_query_construct_ttl(cli: CliRunner) -> None:
    res = cli.invoke(main, ["query", "construct-problem-subgraph", "-p", "problem_iri=problem:P4.2",
                            "--format", "ttl"])
    assert res.exit_code == 0, res.output
    assert "@prefix yrd:" in res.output and "problem:P4.2" in res.output


def test_ttl_needs_construct(cli: CliRunner) -> None:
    res = cli.invoke(main, ["query", "paper-counts", "--format", "ttl"])
    assert res.exit_code == 2 and "CONSTRUCT" in res.output


@pytest.mark.parametrize("args, needle", [
    (["query", "measures-for-problem"], "problem_iri"),
    (["query", "measures-for-problem", "-p", "problem_iri=not an iri"], "problem_iri"),
    (["query", "measures-for-problem", "-p", "problem=problem:P1"], "problem"),
    (["query", "measures-for-problem", "-p", "problem_iri"], "KEY=VALUE"),
    (["query", "no-such-query"], "no-such-query"),
    (["query", "paper-counts", "--with", "missing.ttl"], "missing.ttl"),
    (["sparql", "missing.rq"], "missing.rq"),
    (["query", "paper-counts", "--default-graph", "https://w3id.org/yrd-kg/graph/data/x"], "--default-graph"),
    (["query", "paper-counts", "--endpoint", "http://127.0.0.1:9/sparql", "--with", "pyproject.toml"], "--with"),
    (["query", "paper-counts", "--endpoint", "http://127.0.0.1:9/sparql", "--default-graph", "not an iri"],
     "not an iri"),
])
def test_errors_exit_2_naming_the_culprit(cli: CliRunner, args: list[str], needle: str) -> None:
    res = cli.invoke(main, args)
    assert res.exit_code == 2, res.output
    assert needle in res.output
    assert len(res.output.strip().splitlines()) == 1


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json", "md"])
def test_sparql_file(cli: CliRunner, tmp_path: Path, fmt: str) -> None:
    f = tmp_path / "q.rq"
    f.write_text("PREFIX yrd: <https://w3id.org/yrd-kg/ontology#>\n"
                 "SELECT (COUNT(?s) AS ?sections) WHERE { ?s a yrd:Section }\n", encoding="utf-8")
    res = cli.invoke(main, ["sparql", str(f), "--format", fmt])
    assert res.exit_code == 0, res.output
    assert "5" in res.output


def test_sparql_stdin_and_ttl(cli: CliRunner) -> None:
    text = ("PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
            "CONSTRUCT { ?x skos:prefLabel ?l } WHERE { ?x skos:prefLabel ?l FILTER(STR(?l) = \"链长制\") }\n")
    res = cli.invoke(main, ["sparql", "-", "--format", "ttl"], input=text)
    assert res.exit_code == 0, res.output
    assert "链长制" in res.output


def test_sparql_refuses_updates_and_service(cli: CliRunner) -> None:
    res = cli.invoke(main, ["sparql", "-"], input="DROP ALL")
    assert res.exit_code == 2 and "Update" in res.output
    res = cli.invoke(main, ["sparql", "-"], input="SELECT * WHERE { SERVICE <http://e.org/s> { ?s ?p ?o } }")
    assert res.exit_code == 2 and "SERVICE" in res.output


def test_with_file(cli: CliRunner, tmp_path: Path) -> None:
    extra = tmp_path / "extra.ttl"
    extra.write_text('<https://example.org/x> <http://www.w3.org/2004/02/skos/core#prefLabel> "额外"@zh .\n',
                     encoding="utf-8")
    q = tmp_path / "q.rq"
    q.write_text('SELECT ?x WHERE { ?x <http://www.w3.org/2004/02/skos/core#prefLabel> "额外"@zh }',
                 encoding="utf-8")
    res = cli.invoke(main, ["sparql", str(q), "--with", str(extra), "--format", "csv"])
    assert res.exit_code == 0, res.output
    assert "https://example.org/x" in res.output
