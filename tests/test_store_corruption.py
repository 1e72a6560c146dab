"""A corrupted build: the query path names the file and line and exits 2 (never a bare parser error)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from yrd_kg.cli.main import main


@pytest.mark.parametrize("cut", ["mid-line", "at-line"])
def test_truncated_build_is_a_clear_error(build_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cut: str) -> None:
    bad = tmp_path / "build"
    shutil.copytree(build_dir, bad, ignore=shutil.ignore_patterns("store", "store.json", "bench"))
    nq = bad / "yrd-kg.nq"
    data = nq.read_bytes()
    half = len(data) // 2
    nq.write_bytes(data[:half] if cut == "mid-line" else data[: data.rindex(b"\n", 0, half) + 1])
    monkeypatch.setenv("YRD_KG_BUILD", str(bad))
    monkeypatch.setenv("YRD_KG_STORE", "memory")
    out = CliRunner().invoke(main, ["query", "table1-profit"])
    assert out.exit_code == 2, out.output
    assert str(nq) in out.output and "yrd-kg build --force" in out.output
    if cut == "mid-line":
        assert "not valid N-Quads" in out.output
    else:
        assert "quads but the build wrote" in out.output
