"""verify-evidence: every quote of the shipped data anchors in the real source; a moved quote is an orphan."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from yrd_kg.cli.main import main
from yrd_kg.validate.anchoring import SourceError
from yrd_kg.validate.evidence import verify_evidence

SOURCE = Path(os.environ.get("YRD_KG_SOURCE", Path(__file__).resolve().parents[2] / "shared" / "source" / "paper.zh.txt"))


FIX = Path(__file__).resolve().parent / "fixtures" / "shapes" / "evidence"


def test_shipped_evidence_anchors(source_text: str) -> None:
    rep = verify_evidence(SOURCE)
    assert rep.checked > 100
    assert rep.span_mismatches == [], rep.span_mismatches
    assert rep.orphans == [], "\n".join(f"{o.node} {o.quote!r} {o.locator}: {o.reason}" for o in rep.orphans)


def test_moved_quote_is_an_orphan(source_text: str) -> None:
    rep = verify_evidence(SOURCE, data_files=[FIX / "moved-quote.ttl"])
    assert rep.checked == 2
    assert len(rep.orphans) == 1
    o = rep.orphans[0]
    assert o.quote == "加强政策引导和支持,建立多元联合推进机制"
    assert o.start == 9349 and o.end == 9369
    assert "found at 9348 but not at [9349, 9369)" in o.reason
    assert o.node.startswith("https://w3id.org/yrd-kg/id/evidence/")  # file-independent IRI
    assert o.supports == "https://w3id.org/yrd-kg/id/recommendation/R1"


def test_quote_outside_its_locator(source_text: str, tmp_path: Path) -> None:
    ttl = (FIX / "moved-quote.ttl").read_text(encoding="utf-8").replace(
        "yrd:start 9349 ; yrd:end 9369", "yrd:start 9348 ; yrd:end 9368").replace(
        'part:s5.1 a yrd:Subsection ; skos:notation "s5.1" ; yrd:spanStart 9346 ; yrd:spanEnd 9954',
        'part:s5.1 a yrd:Subsection ; skos:notation "s5.1" ; yrd:spanStart 9346 ; yrd:spanEnd 9954 .\n'
        'part:s5.2 a yrd:Subsection ; skos:notation "s5.2" ; yrd:spanStart 9954 ; yrd:spanEnd 10505').replace(
        "yrd:locator part:s5.1 ; yrd:start 9348 ; yrd:end 9368 ] .\n\nrecommendation:R1-ok",
        "yrd:locator part:s5.2 ; yrd:start 9348 ; yrd:end 9368 ] .\n\nrecommendation:R1-ok")
    f = tmp_path / "outside.ttl"
    f.write_text(ttl, encoding="utf-8")
    rep = verify_evidence(SOURCE, data_files=[f])
    reasons = [o.reason for o in rep.orphans]
    assert any("outside its locator's span" in r for r in reasons), reasons


def test_missing_or_wrong_source(tmp_path: Path) -> None:
    with pytest.raises(SourceError):
        verify_evidence(tmp_path / "absent.txt")
    bad = tmp_path / "paper.zh.txt"
    bad.write_text("not the paper", encoding="utf-8")
    with pytest.raises(SourceError, match="SHA-256"):
        verify_evidence(bad)
    res = CliRunner().invoke(main, ["verify-evidence", "--source", str(bad)])
    assert res.exit_code == 2, res.output
    res = CliRunner().invoke(main, ["verify-evidence", "--source", str(tmp_path / "absent.txt")])
    assert res.exit_code == 2


def test_cli_reports_all_anchored(source_text: str) -> None:
    res = CliRunner().invoke(main, ["verify-evidence", "--source", str(SOURCE)])
    assert res.exit_code == 0, res.output
    assert " 0 orphan(s)" in res.output
