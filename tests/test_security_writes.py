"""Writes are atomic and checked: a failed or interrupted write leaves the previous version and says what failed.

Every file a command writes goes through :func:`yrd_kg.dataset.build.write_atomic` (a temporary file beside
the target, renamed into place); a device or a named pipe given as output is written to directly (a rename
would replace the device). A changed byte in a built file is never answered from. Output to a full disk
or a closed pipe is one line and exit 2.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import yrd_kg.dataset.build as build_mod
from yrd_kg.cli.main import main
from yrd_kg.dataset.build import BuildError, write_atomic


def _cli(*args: str, env: dict[str, str] | None = None, **kw: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "yrd_kg", *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})}, **kw)


def _no_part_files(folder: Path) -> bool:
    return not any(p.name.endswith(".part") for p in folder.iterdir())


# --------------------------------------------------------------------------- write_atomic itself


def test_full_disk_keeps_the_previous_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out.ttl"
    target.write_bytes(b"previous\n")

    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(build_mod.os, "fsync", full)
    with pytest.raises(BuildError) as ei:
        write_atomic(target, b"new content\n")
    assert str(ei.value) == f"{target}: cannot write: no space left on the device; the previous version is unchanged"
    assert target.read_bytes() == b"previous\n" and _no_part_files(tmp_path)


def test_interrupted_write_keeps_the_previous_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out.ttl"
    target.write_bytes(b"previous\n")

    def interrupted(*_a: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(build_mod.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, b"new content\n")
    assert target.read_bytes() == b"previous\n" and _no_part_files(tmp_path)


def test_a_device_is_written_to_never_replaced(tmp_path: Path) -> None:
    """``-o /dev/full``: a one-line error, and the device is still a device (a rename would have replaced it)."""
    full, null = tmp_path / "full", tmp_path / "null"
    try:  # the same devices as /dev/full and /dev/null, in a folder of our own (never the system's)
        os.mknod(full, stat.S_IFCHR | 0o666, os.makedev(1, 7))
        os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except OSError:
        pytest.skip("cannot create a device node here")
    out = _cli("export", "-o", str(full))
    assert out.returncode == 2, out.stderr
    assert out.stderr.strip().splitlines() == [f"error: {full}: cannot write: no space left on the device"], out.stderr
    assert stat.S_ISCHR(full.stat().st_mode)
    assert _cli("export", "-o", str(null)).returncode == 0 and stat.S_ISCHR(null.stat().st_mode)


def test_a_folder_as_output_is_a_clear_error(tmp_path: Path) -> None:
    out = _cli("export", "-o", str(tmp_path))
    assert out.returncode == 2 and out.stderr.strip() == f"error: {tmp_path}: cannot write: it is a folder", out.stderr


# --------------------------------------------------------------------------- standard output


@pytest.mark.parametrize("command", [["export"], ["query", "paper-counts"], ["stats"]])
def test_full_disk_on_standard_output(command: list[str]) -> None:
    with open("/dev/full", "w") as full:
        out = subprocess.run([sys.executable, "-m", "yrd_kg", *command], stdout=full, stderr=subprocess.PIPE,
                             text=True, timeout=300)
    assert out.returncode == 2, out.stderr
    assert out.stderr.strip().splitlines()[-1] == "error: writing the output: no space left on the device", out.stderr
    assert "Traceback" not in out.stderr and "Exception ignored" not in out.stderr


@pytest.mark.parametrize("command", [["export"], ["query", "paper-counts"], ["sparql", "-"]])
def test_closed_pipe_on_standard_output(command: list[str]) -> None:
    read, write = os.pipe()
    os.close(read)  # nobody will ever read: the first write fails with EPIPE
    try:
        out = subprocess.run([sys.executable, "-m", "yrd_kg", *command], stdout=write, stderr=subprocess.PIPE,
                             input="SELECT * WHERE { ?s ?p ?o } LIMIT 5", text=True, timeout=300)
    finally:
        os.close(write)
    assert out.returncode == 2, out.stderr
    assert out.stderr.strip().splitlines()[-1] == "error: output closed early (broken pipe)", out.stderr
    assert "Traceback" not in out.stderr and "Exception ignored" not in out.stderr


# --------------------------------------------------------------------------- every writer goes through write_atomic


def _failing_fsync(monkeypatch: pytest.MonkeyPatch) -> None:
    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(build_mod.os, "fsync", full)


FIXTURES = Path(__file__).resolve().parent / "fixtures"


def test_link_output_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = next(iter(sorted((FIXTURES).rglob("*.ttl"))))
    target = tmp_path / "candidates.tsv"
    target.write_text("previous\n", encoding="utf-8")
    _failing_fsync(monkeypatch)
    out = CliRunner().invoke(main, ["link", str(src), "-o", str(target)])
    assert out.exit_code == 2 and "no space left on the device; the previous version is unchanged" in out.stderr
    assert target.read_text(encoding="utf-8") == "previous\n" and _no_part_files(tmp_path)


def test_mappings_output_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "mappings.sssom.tsv"
    target.write_text("previous\n", encoding="utf-8")
    _failing_fsync(monkeypatch)
    out = CliRunner().invoke(main, ["mappings", "-o", str(target)])
    assert out.exit_code == 2 and "no space left on the device; the previous version is unchanged" in out.stderr
    assert target.read_text(encoding="utf-8") == "previous\n"


def test_export_and_diagrams_are_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "graph.ttl"
    target.write_text("previous\n", encoding="utf-8")
    diagrams = tmp_path / "diagrams"
    diagrams.mkdir()
    (diagrams / "P1.1.svg").write_text("previous\n", encoding="utf-8")
    _failing_fsync(monkeypatch)
    out = CliRunner().invoke(main, ["export", "-o", str(target)])
    assert out.exit_code == 2 and target.read_text(encoding="utf-8") == "previous\n"
    out = CliRunner().invoke(main, ["diagrams", "--out", str(diagrams), "--format", "svg"])
    assert out.exit_code == 2 and "cannot write" in out.stderr, out.output
    assert (diagrams / "P1.1.svg").read_text(encoding="utf-8") == "previous\n" and _no_part_files(diagrams)


@pytest.mark.java
@pytest.mark.skipif(shutil.which("java") is None, reason="no Java runtime: HermiT cannot run")
def test_reason_output_is_atomic(build_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "inferred.ttl"
    target.write_text("previous\n", encoding="utf-8")
    monkeypatch.setenv("YRD_KG_BUILD", str(build_dir))
    _failing_fsync(monkeypatch)
    out = CliRunner().invoke(main, ["reason", "--ontology-only", "--no-property-values", "-o", str(target)])
    assert out.exit_code == 2 and "no space left on the device; the previous version is unchanged" in out.stderr, out.output
    assert target.read_text(encoding="utf-8") == "previous\n" and _no_part_files(tmp_path)


def test_site_failure_keeps_the_previous_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import yrd_kg.site.build as site_build

    out_dir = tmp_path / "site"
    assert CliRunner().invoke(main, ["site", "-o", str(out_dir)]).exit_code == 0
    before = sorted(p.relative_to(out_dir) for p in out_dir.rglob("*"))
    real_write = site_build.Path.write_bytes
    calls = {"n": 0}

    def fail_late(self: Path, data: bytes) -> int:
        calls["n"] += 1
        if calls["n"] > 5:
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return real_write(self, data)

    monkeypatch.setattr(site_build.Path, "write_bytes", fail_late)
    out = CliRunner().invoke(main, ["site", "-o", str(out_dir)])
    assert out.exit_code == 2 and "no space left on the device" in out.stderr, out.output
    assert sorted(p.relative_to(out_dir) for p in out_dir.rglob("*")) == before
    assert [p.name for p in tmp_path.iterdir()] == ["site"]  # no scratch folder left beside it


# --------------------------------------------------------------------------- link --accept --name


@pytest.mark.parametrize("name", ["../escaped", "a/b", "..", ".hidden", "x" * 101, "a\\b"])
def test_accept_name_must_be_a_plain_file_name(tmp_path: Path, name: str) -> None:
    reviewed = tmp_path / "reviewed.sssom.tsv"
    reviewed.write_text("subject_id\tpredicate_id\tobject_id\tmapping_justification\n", encoding="utf-8")
    accepted = tmp_path / "accepted" / "dir"
    accepted.mkdir(parents=True)
    before = sorted(tmp_path.rglob("*"))
    out = CliRunner().invoke(main, ["link", str(reviewed), "--accept", str(reviewed), "--name", name,
                                    "--accepted-dir", str(accepted)])
    assert out.exit_code == 2, out.output
    assert out.stderr.strip().splitlines() == [
        f"error: --name {name!r}: must be a plain name (letters, digits, '.', '_', '-'; no path separator, "
        "no '..', at most 100 characters)"], out.stderr
    assert sorted(tmp_path.rglob("*")) == before


# --------------------------------------------------------------------------- a changed byte is never answered from


def _copy_build(build_dir: Path, tmp_path: Path) -> Path:
    out = tmp_path / "build"
    shutil.copytree(build_dir, out, ignore=shutil.ignore_patterns("store", "store.json", "bench"))
    return out


def _flip(path: Path) -> None:
    data = path.read_bytes()
    half = len(data) // 2
    path.write_bytes(data[:half] + (b"X" if data[half:half + 1] != b"X" else b"Y") + data[half + 1:])


def test_changed_shapes_artefact_is_never_read(build_dir: Path, tmp_path: Path) -> None:
    from yrd_kg.dataset.store import StoreCorruptError, open_dataset

    out = _copy_build(build_dir, tmp_path)
    ds = open_dataset(out, persistent=False, refresh=True)
    _flip(out / "shapes.nq")
    with pytest.raises(StoreCorruptError, match=r"shapes\.nq: changed since the build"):
        ds.shapes_graph()


def test_dataset_changed_after_opening_is_never_read(build_dir: Path, tmp_path: Path) -> None:
    from yrd_kg.dataset.store import StoreCorruptError, open_dataset

    out = _copy_build(build_dir, tmp_path)
    ds = open_dataset(out, persistent=False, refresh=True)
    _flip(out / "yrd-kg.nq")
    with pytest.raises(StoreCorruptError, match="changed since it was opened"):
        list(ds.exact_quads())


@pytest.mark.parametrize("artefact", ["yrd-kg.trig", "yrd.owl", "shapes.nq"])
def test_any_changed_artefact_is_rebuilt_and_said(build_dir: Path, tmp_path: Path, artefact: str) -> None:
    out = _copy_build(build_dir, tmp_path)
    _flip(out / artefact)
    res = _cli("query", "paper-counts", "--format", "csv", env={"YRD_KG_BUILD": str(out), "YRD_KG_STORE": "memory"})
    assert res.returncode == 0, res.stderr
    assert f"yrd-kg: rebuilt {out} ({artefact} differs from what the build wrote (checksum))" in res.stderr
    assert (out / artefact).read_bytes() == (build_dir / artefact).read_bytes()


def test_read_only_build_folder_is_a_one_line_refusal(build_dir: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Rebuilding into a folder that refuses writes: one line naming the folder, the old files untouched."""
    out = _copy_build(build_dir, tmp_path)
    _flip(out / "yrd-kg.trig")
    before = (out / "yrd-kg.trig").read_bytes()
    real = build_mod.tempfile.mkstemp

    def read_only(*a: Any, **k: Any) -> tuple[int, str]:
        if str(k.get("dir", "")) == str(out):
            raise OSError(errno.EROFS, "Read-only file system")
        return real(*a, **k)

    monkeypatch.setattr(build_mod.tempfile, "mkstemp", read_only)
    monkeypatch.setenv("YRD_KG_BUILD", str(out))
    for args in (["query", "paper-counts"], ["stats"], ["export"]):
        res = CliRunner().invoke(main, args)
        assert res.exit_code == 2, res.output
        assert res.stderr.strip().splitlines() == [f"error: {out}: cannot write: Read-only file system"], res.stderr
    assert (out / "yrd-kg.trig").read_bytes() == before
