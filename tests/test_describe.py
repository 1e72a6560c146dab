"""``yrd-kg describe`` and ``yrd-kg mentions`` (issue 16), and the one name resolver behind every command."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from yrd_kg.cli.main import main

ID = "https://w3id.org/yrd-kg/id/"


@pytest.fixture(scope="module")
def run(build_dir: Path):  # type: ignore[no-untyped-def]
    runner = CliRunner()

    def invoke(*args: str) -> Any:
        return runner.invoke(main, [*args, "--build-dir", str(build_dir)], catch_exceptions=False)

    return invoke


@pytest.fixture(scope="module")
def dataset(build_dir: Path):  # type: ignore[no-untyped-def]
    from yrd_kg.dataset.store import open_dataset

    return open_dataset(build_dir)


# --------------------------------------------------------------------------- describe


def test_describe_sub_point_text(run) -> None:  # type: ignore[no-untyped-def]
    r = run("describe", "P1.1")
    assert r.exit_code == 0, r.output
    out = r.stdout
    assert out.startswith("P1.1 集群同质化竞争比较明显\nproblem:P1.1 · 问题分点 (yrd:ProblemSubPoint)")
    assert "en: Homogeneous competition among clusters is fairly evident" in out
    assert "定义: 四地重点发展产业雷同" in out
    assert "“集群同质化竞争比较明显” — s3.1.1 [4255–4266]" in out  # the quote, its part and its position
    # R2.3 addresses P1.1: stated (严惩 … 过度同质竞争); B1.2: interpreted, with its rationale
    r23 = re.search(r"R2\.3 .*‹recommendation:R2\.3› —针对 \(原文明说\)→ 本节点", out)
    assert r23, out
    b12 = out[out.index("‹path:B1.2›"):]
    assert "(图谱解读)" in b12.splitlines()[0] and "理由: 对雷同的优势集群全面盘点" in b12
    assert "—导致 (原文明说)→ 重复建设和资源分散 ‹factor:duplicate-construction-and-resource-dispersion›" in out
    # the factor its passage lists is a part, not a cause (issue 18)
    assert "四地重点发展产业雷同度较高 ‹factor:overlapping-priority-industries› —属于→ 本节点" in out
    assert "江浙沪皖·四地 = 四地" in out  # the figure printed in its passage, as printed


def test_describe_names_resolve_alike(run) -> None:  # type: ignore[no-untyped-def]
    outs = [json.loads(run("describe", name, "--format", "json").stdout)
            for name in ("P1.1", "3.1.1", "problem:P1.1", ID + "problem/P1.1", "同质化竞争比较明显",
                         "Homogeneous competition among clusters is fairly evident")]
    assert all(o == outs[0] for o in outs)
    d = outs[0]
    assert d["id"] == "problem:P1.1" and d["notation"] == "P1.1"
    strengths = {(v["other"], v["strength"]) for v in d["links"] if v["direction"] == "in"}
    assert (ID + "recommendation/R2.3", "stated") in strengths and (ID + "path/B1.2", "interpreted") in strengths


def test_describe_ambiguous_and_unknown_exit_2(run) -> None:  # type: ignore[no-untyped-def]
    r = run("describe", "集群")
    assert r.exit_code == 2
    assert r.stderr.startswith("error: ambiguous: '集群' matches")
    assert "problem:P1.1" in r.stderr and "problem:P3.1" in r.stderr
    r = run("describe", "no such thing anywhere")
    assert r.exit_code == 2 and "no node matches" in r.stderr
    r = run("describe", "problem:P9.9")
    assert r.exit_code == 2 and "problem:P9.9" in r.stderr


def test_describe_never_cuts_a_quote(run, dataset) -> None:  # type: ignore[no-untyped-def]
    from yrd_kg.sparql.run import run_query

    out = run("describe", "recommendation:R2.3").stdout
    quotes = {r["quote"] for r in run_query("evidence-for-node", store=dataset, node_iri="recommendation:R2.3").records()}
    assert len(quotes) > 5
    for q in quotes:
        assert f"“{q}”" in out  # whole, on one line
    assert "…" not in out


def test_describe_printed_forms_and_figures(run) -> None:  # type: ignore[no-untyped-def]
    out = run("describe", "obs:t1-pharmaceutical-yrd-share", "--lang", "en").stdout
    assert "national share: 0.1990" in out and "0.199\n" not in out  # the printed form, not the store's 0.199
    assert "= 0.1990 (占比) · dataset:table1 · row 8, column 7 · itself" in out
    pharma = run("describe", "industry:pharmaceutical", "--format", "json").stdout
    cells = {f["observation"]: f["printed"] for f in json.loads(pharma)["figures"]}
    assert cells[ID + "obs/t1-pharmaceutical-yrd-share"] == "0.1990"
    assert len(cells) == 7  # its Table 1 row: 4 provinces, 长三角(合), 全国, 占比


def test_describe_identifiers_and_echoed_wording(run) -> None:  # type: ignore[no-untyped-def]
    out = run("describe", "苏州", "--lang", "en").stdout
    assert "yrd:wikidataId: Q42622" in out and "yrd:geonamesId: 1886760" in out
    assert "skos:exactMatch: https://sws.geonames.org/1886760/" in out
    b13 = run("describe", "B1.3", "--lang", "en").stdout
    assert "shared wording: 链长制" in b13  # the echoed link to P1.2 lists its shared word
    assert "—addresses (echoed)→ P1.2" in b13
    chain = run("describe", "链长制").stdout
    assert "‹problem:P1.2› —文中点名 (原文明说)→ 本节点" in chain  # a problem names an instrument, it does not use it


def test_describe_markdown_and_a_link_without_label(run) -> None:  # type: ignore[no-untyped-def]
    md = run("describe", "R2.1", "--format", "md", "--lang", "en").stdout
    assert md.startswith("# R2.1 ") and "\n## In the paper (" in md and "\n- “" in md
    link = json.loads(run("describe", "P1.1", "--format", "json").stdout)["links"][0]["link"]
    r = run("describe", link, "--lang", "en")
    assert r.exit_code == 0 and "qualified link (yrd:Link)" in r.stdout and "link strength" in r.stdout


# --------------------------------------------------------------------------- mentions


def test_mentions_of_a_node_by_section(run) -> None:  # type: ignore[no-untyped-def]
    d = json.loads(run("mentions", "链长制", "--format", "json").stdout)
    assert d["entity"] == "instrument:chain-chief-system"
    assert {"链长制", "Chain-chief system"} <= set(d["needles"])
    assert [s["part"] for s in d["sections"]] == ["part:s3", "part:s4"]
    passages = [(p["locator"], p["quote"]) for s in d["sections"] for p in s["passages"]]
    assert ("s3.1.2", "在实施“链长制”过程中") in passages
    assert ("s4.1.3", "在“链长制”改革基础上,突破产业链协调的行政边界限制") in passages
    starts = [p["start"] for s in d["sections"] for p in s["passages"]]
    assert starts == sorted(starts)
    b13 = next(p for s in d["sections"] for p in s["passages"] if p["quote"].startswith("在“链长制”改革基础上,"))
    assert ID + "path/B1.3" in {x["iri"] for x in b13["supports"]}


def test_mentions_of_a_plain_string(run) -> None:  # type: ignore[no-untyped-def]
    out = run("mentions", "医药").stdout
    assert out.startswith("医药\n检索词: 医药\n")
    assert "== s2 二、" in out and "医药制造业\t522.31" in out  # section 二 and Table 1
    assert "‹industry:biomedicine›" in out and "‹finding:table1-pointer-and-listed-company-shares›" in out
    en = run("mentions", "chain master", "--lang", "en").stdout
    assert en.startswith("chain master (actor:chain-master)\nsearched: ")
    assert "“处于核心地位的“链主”尚未充分协调产业链上各节点的活动”" in en
    text = json.loads(run("mentions", "链长制", "--text", "--format", "json").stdout)
    assert text["entity"] is None and text["needles"] == ["链长制"]


def test_mentions_refuses_one_character(run) -> None:  # type: ignore[no-untyped-def]
    r = run("mentions", "x")
    assert r.exit_code == 2 and "at least 2 characters" in r.stderr


# --------------------------------------------------------------------------- the resolver everywhere


def test_query_parameter_takes_a_name(dataset) -> None:  # type: ignore[no-untyped-def]
    from yrd_kg.sparql.run import run_query

    by_curie = run_query("measures-for-problem", store=dataset, problem_iri="problem:P4.3")
    for name in ("P4.3", "3.4.3", "传统的政府管理模式容易产生地方保护主义"):
        assert run_query("measures-for-problem", store=dataset, problem_iri=name).rows == by_curie.rows
    assert len(by_curie) > 5


@pytest.mark.parametrize("value, needle", [
    ("problem:P9.9", "problem:P9.9 is not a node of the graph"),
    (ID + "problem/P9", "problem:P9 is not a node of the graph"),
    ("zzz-nothing", "no node matches 'zzz-nothing'"),
    ("集群", "ambiguous: '集群' matches"),
])
def test_unknown_node_in_a_parameter_names_the_parameter(dataset, value: str, needle: str) -> None:  # type: ignore[no-untyped-def]
    from yrd_kg.sparql.errors import ParameterError
    from yrd_kg.sparql.run import run_query

    with pytest.raises(ParameterError) as info:
        run_query("measures-for-problem", store=dataset, problem_iri=value)
    assert info.value.param == "problem_iri"
    assert str(info.value).startswith("parameter 'problem_iri'") and needle in str(info.value)


def test_query_cli_resolves_like_trace(run, build_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("YRD_KG_BUILD", str(build_dir))
    cli = CliRunner()
    a = cli.invoke(main, ["query", "measures-for-problem", "-p", "problem_iri=P4.3", "--format", "csv"])
    b = cli.invoke(main, ["query", "measures-for-problem", "-p", "problem_iri=problem:P4.3", "--format", "csv"])
    assert a.exit_code == 0 and a.output == b.output and "problem:P4.3" in a.output
    bad = cli.invoke(main, ["query", "measures-for-problem", "-p", "problem_iri=P4.9"])
    assert bad.exit_code == 2 and "parameter 'problem_iri'" in bad.output
    assert len(bad.output.strip().splitlines()) == 1
    # trace resolves the same name to the same node
    assert run("trace", "P4.3", "--depth", "0").stdout.startswith("[问题] P4.3 ")
