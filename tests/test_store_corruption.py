"""A changed byte in a built file is never answered from: the read path rebuilds (and says so) or refuses."""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from yrd_kg.cli.main import main


def _corrupt(build_dir: Path, tmp_path: Path, cut: str) -> Path:
    bad = tmp_path / "build"
    shutil.copytree(build_dir, bad, ignore=shutil.ignore_patterns("store", "store.json", "bench"))
    nq = bad / "yrd-kg.nq"
    data = nq.read_bytes()
    half = len(data) // 2
    if cut == "mid-line":
        nq.write_bytes(data[:half])
    elif cut == "at-line":
        nq.write_bytes(data[: data.rindex(b"\n", 0, half) + 1])
    else:  # one byte changed, same size
        nq.write_bytes(data[:half] + (b"X" if data[half:half + 1] != b"X" else b"Y") + data[half + 1:])
    return bad


@pytest.mark.parametrize("cut", ["mid-line", "at-line", "same-size"])
def test_changed_build_is_rebuilt_and_said(build_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           cut: str) -> None:
    bad = _corrupt(build_dir, tmp_path, cut)
    monkeypatch.setenv("YRD_KG_BUILD", str(bad))
    monkeypatch.setenv("YRD_KG_STORE", "memory")
    out = CliRunner().invoke(main, ["query", "paper-counts", "--format", "csv"])
    assert out.exit_code == 0, out.output
    assert f"yrd-kg: rebuilt {bad} (yrd-kg.nq differs from what the build wrote (checksum))" in out.stderr
    assert (bad / "yrd-kg.nq").read_bytes() == (build_dir / "yrd-kg.nq").read_bytes()


def test_changed_build_in_a_folder_that_cannot_be_written_is_refused(
        build_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import yrd_kg.dataset.build as build_mod

    bad = _corrupt(build_dir, tmp_path, "same-size")
    before = (bad / "yrd-kg.nq").read_bytes()
    real_mkstemp = build_mod.tempfile.mkstemp

    def read_only(*a: object, **k: object) -> tuple[int, str]:
        if str(k.get("dir", "")) == str(bad):
            raise OSError(errno.EROFS, "Read-only file system")
        return real_mkstemp(*a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(build_mod.tempfile, "mkstemp", read_only)
    monkeypatch.setenv("YRD_KG_BUILD", str(bad))
    out = CliRunner().invoke(main, ["query", "paper-counts"])
    assert out.exit_code == 2, out.output
    assert out.stderr.strip().splitlines() == [f"error: {bad}: cannot write: Read-only file system"], out.stderr
    assert "Traceback" not in out.output and (bad / "yrd-kg.nq").read_bytes() == before
