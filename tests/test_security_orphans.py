"""No orphans: a signal to a command stops its workers and child processes and removes its temporary folders.

Each case starts a real ``yrd-kg`` process, waits until its worker (and, for ``reason``, Java) runs, sends
the signal to the command alone (not to its process group), and checks that no descendant survives and
that ``$TMPDIR`` is empty again.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (Linux ``/proc``)."""
    out: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as fh:
                for child in map(int, fh.read().split()):
                    out += [child, *descendants(child)]
    except OSError:
        pass
    return out


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def comm(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/comm", encoding="ascii") as fh:
            return fh.read().strip()
    except OSError:
        return ""


def _wait_for(cond: Callable[[], bool], seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.1)
    return False


def _start(args: list[str], tmp: Path, build_dir: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "TMPDIR": str(tmp), "YRD_KG_BUILD": str(build_dir)}
    return subprocess.Popen([sys.executable, "-m", "yrd_kg", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)


pytestmark = pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc to find children")

EXPECTED = {signal.SIGTERM: (143, "error: stopped by SIGTERM"), signal.SIGINT: (130, "error: interrupted"),
            signal.SIGHUP: (129, "error: stopped by SIGHUP")}


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGKILL], ids=lambda s: s.name)
def test_signal_to_sparql_stops_its_worker(build_dir: Path, tmp_path: Path, sig: signal.Signals) -> None:
    query = tmp_path / "slow.rq"
    query.write_text(SLOW, encoding="utf-8")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    proc = _start(["sparql", str(query), "--timeout", "120"], tmp, build_dir)
    try:
        assert _wait_for(lambda: bool(descendants(proc.pid)), 30), "the worker never started"
        time.sleep(1.0)  # the worker is evaluating now
        kids = descendants(proc.pid)
        os.kill(proc.pid, sig)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert _wait_for(lambda: not any(alive(k) for k in kids), 10), [k for k in kids if alive(k)]
    if sig in EXPECTED:
        code, line = EXPECTED[sig]
        assert proc.returncode == code and err.strip().splitlines() == [line], (proc.returncode, err)
    assert list(tmp.iterdir()) == []


@pytest.mark.java
@pytest.mark.skipif(shutil.which("java") is None, reason="no Java runtime: HermiT cannot run")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGKILL], ids=lambda s: s.name)
def test_signal_to_reason_stops_hermit_and_java_and_removes_its_folder(build_dir: Path, tmp_path: Path,
                                                                    sig: signal.Signals) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    proc = _start(["reason", "--timeout", "300"], tmp, build_dir)
    try:
        assert _wait_for(lambda: any(comm(k) == "java" for k in descendants(proc.pid)), 120), "Java never started"
        kids = descendants(proc.pid)
        assert any(p.name.startswith("yrd-kg-reason-") for p in tmp.iterdir())
        os.kill(proc.pid, sig)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert _wait_for(lambda: not any(alive(k) for k in kids), 20), [(k, comm(k)) for k in kids if alive(k)]
    assert _wait_for(lambda: list(tmp.iterdir()) == [], 20), list(tmp.iterdir())
    if sig in EXPECTED:
        assert proc.returncode == EXPECTED[sig][0] and EXPECTED[sig][1] in err, (proc.returncode, err)


def test_interrupted_site_leaves_no_scratch_folder(build_dir: Path, tmp_path: Path) -> None:
    """``site`` builds in a scratch folder beside its output: a SIGTERM while it renders removes it."""
    out = tmp_path / "site"
    proc = _start(["site", "-o", str(out)], tmp_path, build_dir)
    try:
        time.sleep(3.0)
        os.kill(proc.pid, signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    if proc.returncode == 0:
        pytest.skip("the site was written before the signal arrived")
    assert proc.returncode == 143 and "error: stopped by SIGTERM" in err, (proc.returncode, err)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site")] == []
