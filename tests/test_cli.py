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


def test_stats_formats_for_scripts(build_dir, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import csv
    import io
    import json

    monkeypatch.setenv("YRD_KG_BUILD", str(build_dir))
    data = json.loads(CliRunner().invoke(main, ["stats", "--format", "json"]).output)
    classes = {c["id"]: c["count"] for c in data["classes"]}
    assert classes["yrd:Evidence"] == 1463 and classes["yrd:Link"] == 462 and classes["yrd:ProblemSubPoint"] == 12
    assert data["quads"] > 20000
    rows = list(csv.DictReader(io.StringIO(CliRunner().invoke(main, ["stats", "--format", "csv"]).output)))
    assert {"kind": "class", "id": "yrd:Link", "iri": "https://w3id.org/yrd-kg/ontology#Link",
            "label": "qualified link", "count": "462"} in rows
    assert {r["kind"] for r in rows} == {"class", "property"}


def test_demo_prints_the_commands_in_the_language_asked(build_dir, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("YRD_KG_BUILD", str(build_dir))
    out = CliRunner().invoke(main, ["demo", "--lang", "zh"]).output
    assert "$ yrd-kg query table1-leading-province --lang zh" in out
    assert "$ yrd-kg query measures-for-problem --param problem_iri=P4.2 --lang zh" in out
    assert "装备制造业" in out
    en = CliRunner().invoke(main, ["demo"]).output
    assert "$ yrd-kg query table1-leading-province\n" in en
