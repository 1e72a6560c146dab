"""``yrd-kg queries`` / ``query`` / ``sparql`` through click's CliRunner, every output format."""

from __future__ import annotations

import json
import re
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


# --------------------------------------------------------------------------- output for people (issue 16)


def test_plain_values_by_default_raw_on_request(cli: CliRunner) -> None:
    plain = cli.invoke(main, ["query", "table1-leading-province", "--format", "tsv", "--lang", "zh"])
    assert plain.exit_code == 0, plain.output
    assert plain.output.splitlines()[0] == "industry\tindustry_label\tregion\tregion_label\tprofit"
    assert "industry:equipment\t装备制造业\tplace:jiangsu\t江苏\t1442.14" in plain.output
    raw = cli.invoke(main, ["query", "table1-leading-province", "--format", "tsv", "--lang", "zh", "--raw"])
    assert raw.output.splitlines()[0].startswith("?industry\t")
    assert ('<https://w3id.org/yrd-kg/id/industry/equipment>\t"装备制造业"@zh\t<https://w3id.org/yrd-kg/id/place/jiangsu>\t'
            '"江苏"@zh\t"1442.14"^^<http://www.w3.org/2001/XMLSchema#decimal>') in raw.output
    table = cli.invoke(main, ["query", "table1-leading-province", "--raw"]).output
    assert '"Jiangsu"@en' in table and "<https://w3id.org/yrd-kg/id/place/jiangsu>" in table
    assert "place:jiangsu" in cli.invoke(main, ["query", "table1-leading-province"]).output


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "md", "json"])
def test_printed_share_keeps_its_printed_form(cli: CliRunner, fmt: str) -> None:
    """Table 1 prints the pharmaceutical share as 0.1990; the store canonicalises the decimal to 0.199."""
    res = cli.invoke(main, ["query", "table1-share-ranking", "--format", fmt])
    assert res.exit_code == 0, res.output
    assert "0.1990" in res.output
    assert not re.search(r"0\.199(?!0)", res.output)


def test_table_wraps_long_text_and_wide_keeps_one_line(cli: CliRunner) -> None:
    quote = "重点在市场准入条件、综合监管体系、技术标准、资质认证、信用评价等方面形成一致性框架"  # 五.2.2, 44 characters
    wrapped = cli.invoke(main, ["query", "measures-for-problem", "-p", "problem_iri=P4.3"]).output
    assert "…" not in wrapped
    assert quote not in wrapped  # wider than the column: on two lines …
    lines = wrapped.splitlines()
    i = next(i for i, ln in enumerate(lines) if "重点在市场准入条件" in ln)
    assert quote[:30] in lines[i] and quote[30:] in lines[i + 1]  # 30 wide characters fill the 60 columns
    wide = cli.invoke(main, ["query", "measures-for-problem", "-p", "problem_iri=P4.3", "--wide"]).output
    assert quote in wide and "…" not in wide  # … and whole with --wide
    rows = [ln for ln in wide.splitlines()[2:-1] if ln.strip()]
    assert len(rows) == len(set(rows)) == int(wide.strip().splitlines()[-1].strip("()").split()[0])


def test_sparql_xml_results_via_the_cli(cli: CliRunner) -> None:
    import xml.etree.ElementTree as ET

    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    res = cli.invoke(main, ["query", "table2-leading-province", "--format", "xml"])
    root = ET.fromstring(res.output.encode("utf-8"))
    assert [v.get("name") for v in root.findall("r:head/r:variable", ns)][:3] == ["indicator", "indicator_label", "region"]
    results = root.findall("r:results/r:result", ns)
    assert len(results) == 5
    counts = [b.find("r:literal", ns) for r in results for b in r.findall("r:binding", ns) if b.get("name") == "count"]
    assert {c.text for c in counts} >= {"18", "4"}
    assert all(c.get("datatype") == "http://www.w3.org/2001/XMLSchema#integer" for c in counts)
    ask = cli.invoke(main, ["sparql", "-", "--format", "xml"], input="ASK { ?s a <https://w3id.org/yrd-kg/ontology#Paper> }")
    assert ET.fromstring(ask.output.encode("utf-8")).find("r:boolean", ns).text == "true"


def test_jsonld_for_construct_via_the_cli(cli: CliRunner) -> None:
    res = cli.invoke(main, ["query", "construct-problem-subgraph", "-p", "problem_iri=P4.2", "--format", "jsonld"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert "@context" in doc and "problem" in doc["@context"]
    assert "problem:P4.2" in res.output or "https://w3id.org/yrd-kg/id/problem/P4.2" in res.output
    bad = cli.invoke(main, ["query", "paper-counts", "--format", "jsonld"])
    assert bad.exit_code == 2 and "CONSTRUCT" in bad.output


def test_select_star_keeps_the_text_order(cli: CliRunner) -> None:
    text = ("PREFIX yrd: <https://w3id.org/yrd-kg/ontology#> SELECT * WHERE { "
            "?zeta a yrd:Grant ; yrd:grantNumber ?alpha . BIND(STRLEN(?alpha) AS ?mid) }")
    for fmt in ("csv", "json"):
        res = cli.invoke(main, ["sparql", "-", "--format", fmt], input=text)
        assert res.exit_code == 0, res.output
        head = json.loads(res.output)["head"]["vars"] if fmt == "json" else res.output.splitlines()[0].split(",")
        assert head == ["zeta", "alpha", "mid"]
