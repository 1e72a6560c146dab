"""``yrd-kg trace / explain / diagrams``: every output format, ambiguity, reverse, filters."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from yrd_kg.cli.main import main

MERMAID_EDGE = re.compile(r"^\s*n\d+ (-->|-\.->)\|[^|\n]+\| n\d+$")
MERMAID_NODE = re.compile(r'^\s*n\d+\["[^"\n]*"\]:::\w+$')


@pytest.fixture(scope="module")
def run(build_dir: Path):  # type: ignore[no-untyped-def]
    runner = CliRunner()

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(main, [*args, "--build-dir", str(build_dir)], catch_exceptions=False)

    return invoke


def test_trace_text_p11(run) -> None:  # type: ignore[no-untyped-def]
    r = run("trace", "P1.1")
    assert r.exit_code == 0, r.output
    out = r.stdout
    assert out.startswith("[问题] P1.1 集群同质化竞争比较明显")
    assert "四地重点发展产业雷同度较高" in out
    assert "— s3.1.1" in out
    assert "R2.3" in out and "s5.2.3" in out
    en = run("trace", "3.1.1", "--lang", "en").stdout
    assert en.startswith("[problem] P1.1 Homogeneous competition among clusters is fairly evident")
    assert "because:" in en


def test_trace_by_label_and_iri(run) -> None:  # type: ignore[no-untyped-def]
    a = run("trace", "同质化竞争比较明显", "--depth", "1").stdout
    b = run("trace", "https://w3id.org/yrd-kg/id/problem/P1.1", "--depth", "1").stdout
    assert a == b


def test_ambiguity_lists_matches_and_exits_2(run) -> None:  # type: ignore[no-untyped-def]
    r = run("trace", "集群")
    assert r.exit_code == 2
    assert "ambiguous" in r.stderr
    for n in ("problem:P1.1", "problem:P1.3", "problem:P3.1"):
        assert n in r.stderr


def test_unknown_name_fails(run) -> None:  # type: ignore[no-untyped-def]
    r = run("trace", "zzz-no-such-problem")
    assert r.exit_code != 0
    assert "no node matches" in r.output


def test_json(run) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(run("trace", "P2.2", "--format", "json").stdout)
    assert data["start"] == "problem:P2.2"
    assert {"causes", "effects", "remedies"} <= set(data["sections"])
    assert data["chains"]
    edge = data["sections"]["causes"][0]
    assert edge["status"] in ("stated", "interpreted") and edge["evidence"][0]["quote"]


def test_only_stated_really_drops_interpreted(run) -> None:  # type: ignore[no-untyped-def]
    full = json.loads(run("trace", "P1.1", "--format", "json").stdout)
    stated = json.loads(run("trace", "P1.1", "--format", "json", "--only-stated").stdout)
    statuses = {e["status"] for es in stated["sections"].values() for e in es}
    assert statuses == {"stated"}
    assert {"interpreted", "echoed"} <= {e["status"] for es in full["sections"].values() for e in es}
    ids = {n["id"] for n in stated["nodes"]}
    full_ids = {n["id"] for n in full["nodes"]}
    # reached only by an interpreted link (P1.1 contributesTo the abstract's 同构化)
    assert "factor:industrial-isomorphism" in full_ids and "factor:industrial-isomorphism" not in ids
    assert "recommendation:R2.3" in ids  # a stated remedy stays
    assert "path:B4.1" in full_ids and "path:B4.1" not in ids  # an interpreted remedy goes


def test_reverse_finds_problems_of_a_measure(run) -> None:  # type: ignore[no-untyped-def]
    r = run("trace", "--reverse", "R2.3")
    assert r.exit_code == 0
    last = r.stdout.strip().splitlines()[-1]
    assert "回应的问题" in last
    for p in ("P1.1", "P3.2", "P3.3", "P4.1"):
        assert p in last
    data = json.loads(run("trace", "--reverse", "5.2.3", "--format", "json", "--lang", "en").stdout)
    assert data["reverse"] is True
    assert "problem:P4.3" in {n["id"] for n in data["nodes"]}


def test_mermaid(run) -> None:  # type: ignore[no-untyped-def]
    out = run("trace", "P1.1", "--format", "mermaid").stdout
    assert out.startswith("flowchart")
    lines = out.splitlines()
    edges = [ln for ln in lines if "-->" in ln or "-.->" in ln]
    assert edges
    for ln in edges:
        assert MERMAID_EDGE.match(ln), ln
    nodes = [ln for ln in lines if re.match(r"^\s*n\d+\[", ln)]
    assert nodes and all(MERMAID_NODE.match(ln) for ln in nodes)
    assert any("-.->" in ln for ln in edges) and any("-->" in ln for ln in edges)


def test_dot(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = run("trace", "P1.1", "--format", "dot").stdout
    assert re.match(r"^digraph \w+ \{\n", out) and out.rstrip().endswith("}")
    assert out.count("{") == out.count("}")
    assert re.search(r'n\d+ -> n\d+ \[color="#[0-9a-f]{6}", style="dashed"', out)
    assert "legend" in out
    try:
        import pydot  # noqa: F401
    except ImportError:
        return
    import networkx as nx

    path = tmp_path / "t.dot"
    path.write_text(out, encoding="utf-8")
    g = nx.nx_pydot.read_dot(str(path))
    assert g.number_of_edges() > 10


def test_svg_python_engine(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "p11.svg"
    r = run("trace", "P1.1", "--format", "svg", "--engine", "python", "--output", str(out))
    assert r.exit_code == 0
    root = ET.parse(out).getroot()
    assert root.tag.endswith("svg")
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert root.find(".//s:g[@id='legend']", ns) is not None
    assert len(root.findall(".//s:g[@id='nodes']/s:g", ns)) > 20
    assert any(p.get("stroke-dasharray") for p in root.findall(".//s:g[@id='edges']/s:path", ns))
    # stdout works too for SVG
    svg = run("trace", "P4.2", "--format", "svg", "--engine", "python", "--depth", "1").stdout
    ET.fromstring(svg.encode("utf-8"))


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot not installed")
def test_svg_and_png_graphviz(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    svg = tmp_path / "p.svg"
    assert run("trace", "P3.2", "--format", "svg", "--engine", "graphviz", "-o", str(svg)).exit_code == 0
    ET.parse(svg)
    png = tmp_path / "p.png"
    assert run("trace", "P3.2", "--format", "png", "--engine", "graphviz", "-o", str(png)).exit_code == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_png_python_engine_or_clear_message(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    png = tmp_path / "p.png"
    r = run("trace", "P1.1", "--format", "png", "--engine", "python", "-o", str(png))
    if r.exit_code == 0:
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    else:  # no dot, rsvg-convert nor matplotlib: the message says what to install (tests/test_pictures.py)
        assert r.exit_code == 2 and "PNG needs" in r.output
    r = run("trace", "P1.1", "--format", "png")
    assert r.exit_code != 0 and ("--output" in r.output or "PNG needs" in r.output)


def test_explain(run) -> None:  # type: ignore[no-untyped-def]
    r = run("explain", "P1.1", "instrument:industry-alliance")
    assert r.exit_code == 0
    assert "R2.3" in r.stdout and "s5.2.3" in r.stdout and "[原文明说]" in r.stdout
    assert "←得到回应—" in r.stdout  # P1.1 is addressed by R2.3: read from P1.1, the inverse words
    data = json.loads(run("explain", "P1.1", "R2", "--format", "json").stdout)
    assert data["chains"] and all(h["evidence"] is not None for c in data["chains"] for h in c["edges"])


def test_analysis(run) -> None:  # type: ignore[no-untyped-def]
    text = run("trace", "--analysis", "--lang", "en").stdout
    assert "Remedies that address the most problems" in text
    assert "Cycles in the causal subgraph" in text
    assert text.startswith("== Links of the argument per strength (stated / echoed / interpreted)\n"
                           "  causal               28    5   23  = 56\n  remedy (addresses)    4   26   52  = 82\n"
                           "  support               0   10    7  = 17\n")
    zh = run("trace", "--analysis").stdout
    assert zh.startswith("== 论证链接按强度计数(原文明说 / 措辞呼应 / 图谱解读)")
    data = json.loads(run("trace", "--analysis", "--format", "json").stdout)
    assert data["problems_no_remedy_reaches"] == []
    assert data["links_by_strength"]["remedy"] == {"stated": 4, "echoed": 26, "interpreted": 52}
    assert data["remedy_links_by_strength"]["problem:P1.1"] == {"stated": 2, "echoed": 0, "interpreted": 4}


def test_strength_options(run) -> None:  # type: ignore[no-untyped-def]
    echoed = json.loads(run("trace", "P1.2", "--format", "json", "--min-strength", "echoed").stdout)
    statuses = {e["status"] for es in echoed["sections"].values() for e in es if e["relation"] != "partOf"}
    assert statuses == {"stated", "echoed"} and echoed["min_strength"] == "echoed"
    assert "原文明说与措辞呼应" in run("trace", "P1.2", "--min-strength", "echoed").stdout.splitlines()[1]
    only = run("trace", "P1.2", "--only-stated", "--lang", "en").stdout
    assert "stated links only" in only and "(echoed)" not in only and "(interpreted)" not in only


def test_reverse_from_an_actor(run) -> None:  # type: ignore[no-untyped-def]
    r = run("trace", "actor:central-government", "--reverse", "--lang", "en")
    assert r.exit_code == 0
    assert "← takes part in (stated) [measure] R3.1" in r.stdout
    assert r.stdout.strip().splitlines()[-1] == "└─ problems it helps remedy (8): P1, P1.1, P3, P3.2, P3.3, P4, P4.2, P4.3"
    doc = run("trace", "document:yrd-market-regulation-14fyp", "--reverse").stdout
    assert "← 被援引于 (原文明说) [建议措施] R2.2" in doc


@pytest.mark.parametrize("fmt", ["svg", "mermaid", "dot"])
def test_diagrams(run, tmp_path: Path, fmt: str) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / fmt
    r = run("diagrams", "--out", str(out), "--format", fmt, "--engine", "python")
    assert r.exit_code == 0, r.output
    files = sorted(out.iterdir())
    assert len(files) == 16  # 12 sub-points + 4 shortcomings
    assert {f.stem for f in files} >= {"P1.1", "P4.3", "P1", "P4"}
    for f in files:
        text = f.read_text(encoding="utf-8")
        if fmt == "svg":
            ET.fromstring(text.encode("utf-8"))
        elif fmt == "mermaid":
            assert text.startswith("flowchart")
        else:
            assert text.startswith("digraph")
