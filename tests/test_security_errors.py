"""Errors: every command that takes a path says what is wrong with it, in one line, exit 2, never a traceback.

Each command is run for real (a subprocess) with a named pipe (which would block a naive reader forever),
a folder, ``/dev/zero`` (which never ends), a missing file and a file it may not read. A FIFO or a device is
reported as such, never as "no such file"; the message names the path. Root reads every file, so the
unreadable case drops ``CAP_DAC_OVERRIDE`` / ``CAP_DAC_READ_SEARCH`` from the command's capabilities first.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from yrd_kg.cli.errors import describe
from yrd_kg.dataset.loader import LoadError, parse_file

_PR_CAPBSET_DROP = 24
_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH = 1, 2


def _drop_root_read_rights() -> None:
    if os.geteuid() == 0:
        libc = ctypes.CDLL(None, use_errno=True)
        for cap in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
            if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


COMMANDS: dict[str, list[str]] = {
    "sparql FILE": ["sparql", "{P}"],
    "sparql --with": ["sparql", "-", "--with", "{P}"],
    "query --with": ["query", "paper-counts", "--with", "{P}"],
    "validate --source": ["validate", "--source", "{P}"],
    "verify-evidence --source": ["verify-evidence", "--source", "{P}"],
    "reason --data": ["reason", "--data", "{P}"],
    "link FILE": ["link", "{P}"],
    "link --accept": ["link", "x.ttl", "--accept", "{P}", "--name", "x"],
    "site --source": ["site", "-o", "{T}/site", "--source", "{P}"],
    "demo --source": ["demo", "--source", "{P}"],
    "push --nq": ["push", "--endpoint", "http://127.0.0.1:9/sparql", "--nq", "{P}"],
}
#: what each kind of bad path must be called in the message
KINDS = {"fifo": "named pipe (FIFO)", "folder": "folder", "device": "device", "missing": "", "unreadable": "permission denied"}
#: what click's own path check (``click.Path``) says, for the kinds it checks before the command runs
CLICK_WORDS = {"folder": "is a directory", "unreadable": "is not readable"}
#: commands whose option refuses a folder through click itself ("… is a directory"): one usage error, exit 2
CLICK_REFUSES_FOLDERS = {"validate --source", "verify-evidence --source", "link FILE", "link --accept",
                         "site --source", "demo --source", "push --nq"}


def _path(kind: str, tmp: Path) -> Path:
    if kind == "fifo":
        p = tmp / "pipe.ttl"
        os.mkfifo(p)
    elif kind == "folder":
        p = tmp / "folder.ttl"
        p.mkdir()
    elif kind == "device":
        p = Path("/dev/zero")
    elif kind == "missing":
        p = tmp / "missing.ttl"
    else:
        p = tmp / "secret.ttl"
        p.write_text("<urn:x:a> <urn:x:b> <urn:x:c> .\n", encoding="utf-8")
        p.chmod(0)
    return p


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_names_a_bad_path(build_dir: Path, tmp_path: Path, command: str, kind: str) -> None:
    if command == "reason --data" and shutil.which("java") is None:
        pytest.skip("reason checks for Java before it reads --data")
    path = _path(kind, tmp_path)
    args = [a.replace("{P}", str(path)).replace("{T}", str(tmp_path)) for a in COMMANDS[command]]
    out = subprocess.run([sys.executable, "-m", "yrd_kg", *args], input="ASK { ?s ?p ?o }", capture_output=True,
                         text=True, timeout=120, cwd=tmp_path, env={**os.environ, "YRD_KG_BUILD": str(build_dir)},
                         preexec_fn=_drop_root_read_rights if kind == "unreadable" else None)
    err = out.stderr.strip()
    assert out.returncode == 2, (out.returncode, err)
    assert "Traceback" not in err and "Exception" not in err, err
    if "Error: Invalid value for" in err:  # refused by click's own path check: a usage error naming the path
        assert kind in CLICK_WORDS and (command in CLICK_REFUSES_FOLDERS or kind == "unreadable"), err
        last = err.splitlines()[-1]
        assert last.startswith("Error: Invalid value for") and str(path) in last and CLICK_WORDS[kind] in last, err
        return
    lines = [line for line in err.splitlines() if not line.startswith("yrd-kg: rebuilt")]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert str(path) in lines[0], err
    if kind == "missing":
        assert "no such file" in lines[0] or "not found" in lines[0], err
    else:
        assert KINDS[kind] in lines[0] and "no such file" not in lines[0], err


@pytest.mark.parametrize("kind", ["fifo", "folder", "missing"])
def test_loader_errors_name_the_file(tmp_path: Path, kind: str) -> None:
    path = _path(kind, tmp_path)
    with pytest.raises(LoadError) as ei:
        parse_file(path)
    assert str(ei.value).startswith(f"{path}: ") and ei.value.path == str(path)


def test_reason_input_faults_are_errors_never_inconsistent(build_dir: Path, tmp_path: Path) -> None:
    if shutil.which("java") is None:
        pytest.skip("no Java runtime")
    bad = tmp_path / "bad.ttl"
    bad.write_text("<urn:x:a> <urn:x:b> .\n", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "yrd_kg", "reason", "--data", str(bad)], capture_output=True, text=True,
                         timeout=120, env={**os.environ, "YRD_KG_BUILD": str(build_dir)})
    assert out.returncode == 2 and out.stderr.strip().startswith(f"error: {bad}:1") and "INCONSISTENT" not in out.stdout


@pytest.mark.parametrize("exc,line", [
    (OSError(28, "No space left on device"), "writing the output: no space left on the device"),
    (OSError(2, "No such file or directory", "x.ttl"), "x.ttl: No such file or directory"),
    (MemoryError(), "out of memory (raise the limit or give the process more memory)"),
    (ValueError("bad literal\nsecond line"), "bad literal"),
    (RecursionError("deep"), "input nested too deeply to process"),
    (BrokenPipeError(32, "Broken pipe"), "output closed early (broken pipe)"),
])
def test_policy_maps_faults_to_one_line(exc: BaseException, line: str) -> None:
    assert describe(exc) == (2, line)


def test_engine_panic_is_one_line() -> None:
    class PanicException(BaseException):  # the name pyo3 gives a Rust panic
        pass

    code, msg = describe(PanicException("index out of bounds\nbacktrace"))
    assert code == 2 and msg == "the query engine failed on this input (index out of bounds)"
