"""The command line: every command listed with help; start-up stays light."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from yrd_kg.cli.main import COMMANDS, main


def test_help_lists_every_command() -> None:
    out = CliRunner().invoke(main, ["--help"])
    assert out.exit_code == 0, out.output
    for name in COMMANDS:
        assert f"  {name}" in out.output, f"{name} missing from --help"


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_command_has_help(name: str) -> None:
    out = CliRunner().invoke(main, [name, "--help"])
    assert out.exit_code == 0, out.output
    assert "Usage:" in out.output and len(out.output.splitlines()) > 3


def test_help_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys; from yrd_kg.cli.main import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('pyshacl', 'owlready2', 'networkx', 'SPARQLWrapper', 'pyoxigraph') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY []" in out.stdout, out.stdout


def test_python_m_entry_point() -> None:
    out = subprocess.run([sys.executable, "-m", "yrd_kg", "--version"], capture_output=True, text=True, check=True)
    assert "yrd-kg" in out.stdout


def test_build_command_prints_summary(tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = CliRunner().invoke(main, ["build", "--force", "--out", str(tmp_path)])
    assert out.exit_code == 0, out.output
    assert "named graphs" in out.output and "data/structure" in out.output
