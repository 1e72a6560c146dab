"""yrd-kg validate on the shipped data: no Violation, exactly the expected Warnings, typed report, CLI."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.compare import to_isomorphic

from yrd_kg.cli.main import main
from yrd_kg.validate.report import Severity, ValidationError, ValidationReport
from yrd_kg.validate.run import validate

SOURCE = Path(os.environ.get("YRD_KG_SOURCE", Path(__file__).resolve().parents[2] / "shared" / "source" / "paper.zh.txt"))


ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def report(graph: Graph) -> ValidationReport:
    return validate(graph=graph)


def _explain(results: list) -> str:  # type: ignore[type-arg]
    return "\n".join(f"  {r.source_shape} | {r.focus_node} | {r.focus_label} | {r.path} | {r.message_en}"
                     for r in results)


def test_shipped_data_has_no_violation(report: ValidationReport) -> None:
    v = report.of(Severity.VIOLATION)
    assert report.conforms and not v, f"{len(v)} violation(s):\n{_explain(v)}"


def test_warnings_are_exactly_the_paper_slips(report: ValidationReport) -> None:
    w = report.of(Severity.WARNING)
    by_focus = {r.focus_node.rsplit("/", 1)[-1]: r for r in w}
    assert set(by_focus) == {"t1-pharmaceutical-yrd-share", "t2-national-high-tech-parks-yrd"}, _explain(w)
    share = by_focus["t1-pharmaceutical-yrd-share"]
    assert share.source_shape.endswith("#TableShareShape")
    assert share.value == "0.1990"
    for fig in ("0.1990", "1280.15", "6430.68", "0.19907", "0.1991"):
        assert fig in share.message_zh and fig in share.message_en, share
    total = by_focus["t2-national-high-tech-parks-yrd"]
    assert total.source_shape.endswith("#TableTotalShape")
    assert total.value == "32"
    assert "国家级高新技术园区个数" in total.message_zh and "印为 32" in total.message_zh and "36" in total.message_zh
    assert "printed 长三角(合) total 32" in total.message_en and "sum to 36" in total.message_en
    assert total.evidence_quote and "32" in total.evidence_quote


def test_infos_are_notes(report: ValidationReport) -> None:
    infos = report.of(Severity.INFO)
    assert infos
    assert {r.source_shape.rsplit("#", 1)[-1] for r in infos} <= {"FindingNoteShape", "UncitedReferenceShape"}


def test_every_result_is_readable(report: ValidationReport) -> None:
    for r in report.results:
        assert r.focus_label and not r.focus_label.startswith("_:"), r
        assert r.message_zh and r.message_en, r
        assert "https://w3id.org/yrd-kg/id/" not in r.message_en, r.message_en


def test_validation_does_not_change_the_graph(graph: Graph) -> None:
    before = to_isomorphic(graph)
    n = len(graph)
    validate(graph=graph)
    validate(graph=graph, inference="rdfs")
    assert len(graph) == n
    assert to_isomorphic(graph) == before


def test_evidence_stage_on_real_source(source_text: str, graph: Graph) -> None:
    rep = validate(graph=graph, source=SOURCE)
    assert [r for r in rep.results if r.stage == "evidence"] == []
    assert rep.engine["evidence"] == str(SOURCE)


def test_shapes_that_fail_to_load_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "broken.ttl"
    bad.write_text("@prefix sh: <http://www.w3.org/ns/shacl#> .\n<a> sh:path ", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"broken\.ttl"):
        validate(shapes=[bad], data_files=[ROOT / "tests" / "fixtures" / "shapes" / "base.ttl"])


def test_cli_formats_and_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(main, ["validate", "--no-source", "--format", "json"])
    assert res.exit_code in (0, 1), res.output
    data = json.loads(res.output)
    assert set(data) == {"conforms", "counts", "engine", "results"}
    assert res.exit_code == (0 if data["conforms"] else 1)
    assert data["counts"]["Warning"] >= 2
    res = runner.invoke(main, ["validate", "--no-source", "--format", "ttl"])
    g = Graph().parse(data=res.output, format="turtle")
    assert len(g) > 0
    res = runner.invoke(main, ["validate", "--no-source", "--lang", "zh"])
    assert "警告" in res.output and "表2「国家级高新技术园区个数(2022年)」" in res.output
    res = runner.invoke(main, ["validate", "--source", str(tmp_path / "absent.txt")])
    assert res.exit_code == 2 and "not found" in res.output
