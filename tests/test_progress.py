"""Progress bars: drawn on a terminal, silent off one, with --quiet and with YRD_KG_QUIET; wired into long work."""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from yrd_kg import progress


class Tty(io.StringIO):
    """A standard error that says it is a terminal."""

    def isatty(self) -> bool:
        return True


@contextlib.contextmanager
def fake_tty() -> Iterator[Tty]:
    """Standard error as a terminal, set inside the test (pytest re-installs its capture between phases)."""
    err, real = Tty(), sys.stderr
    sys.stderr = err
    try:
        yield err
    finally:
        sys.stderr = real


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("YRD_KG_QUIET", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    progress.set_quiet(False)


def test_a_bar_on_a_terminal() -> None:
    with fake_tty() as tty:
        assert progress.enabled()
        assert list(progress.track(range(4), "counting things")) == [0, 1, 2, 3]
    assert "counting things" in tty.getvalue() and "4/4" in tty.getvalue()


def test_quiet_off_a_terminal_and_on_request(monkeypatch: pytest.MonkeyPatch) -> None:
    with fake_tty() as tty:
        _quiet_checks(tty, monkeypatch)


def _quiet_checks(tty: Tty, monkeypatch: pytest.MonkeyPatch) -> None:
    progress.set_quiet(True)
    try:
        with progress.task("hidden", total=2) as advance:
            advance()
        assert tty.getvalue() == "" and not progress.enabled()
    finally:
        progress.set_quiet(False)
    monkeypatch.setenv("YRD_KG_QUIET", "1")
    assert not progress.enabled()
    monkeypatch.delenv("YRD_KG_QUIET")
    assert progress.enabled()
    sys.stderr = io.StringIO()  # not a terminal
    assert not progress.enabled()


def test_cli_quiet_flag() -> None:
    from yrd_kg.cli.main import main

    try:
        res = CliRunner().invoke(main, ["--quiet", "queries"])
        assert res.exit_code == 0, res.output
        assert progress._quiet is True
    finally:
        progress.set_quiet(False)


def test_linking_reports_progress(graph: object) -> None:
    from yrd_kg.linking.propose import link_file

    fixture = Path(__file__).resolve().parent / "fixtures" / "link" / "mini-thesaurus.ttl"
    with fake_tty() as tty:
        link_file(fixture, ours=graph)  # type: ignore[arg-type]
    out = tty.getvalue()
    assert "reading mini-thesaurus.ttl" in out and "proposing mappings" in out


def test_site_and_reasoning_are_wired() -> None:
    """The long jobs go through yrd_kg.progress (validation's hook is documented there for the validate owner)."""
    root = Path(__file__).resolve().parents[1] / "src" / "yrd_kg"
    assert 'task("reasoning with HermiT")' in (root / "reason" / "hermit.py").read_text(encoding="utf-8")
    assert 'track(pages, "site: writing pages")' in (root / "site" / "build.py").read_text(encoding="utf-8")
    assert "validation with inference" in (progress.__doc__ or "")
