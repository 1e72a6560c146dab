"""``yrd_kg.reason`` and ``yrd-kg reason``: HermiT on ontology + data, inconsistent fixtures, errors,
and the Java-free OWL-RL closure."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

import yrd_kg.reason.hermit as lib
from yrd_kg.cli.reason import reason as reason_cmd
from yrd_kg.namespaces import YRD
from yrd_kg.reason.rl import materialise_rl

FIX = Path(__file__).resolve().parent / "fixtures" / "reason"
PROBLEM = "https://w3id.org/yrd-kg/id/problem/"
needs_java = pytest.mark.skipif(shutil.which("java") is None, reason="no Java runtime: HermiT cannot run")

#: fixture -> (a fragment the OWL-RL explanation must contain: which axiom fired)
INCONSISTENT = {
    "inconsistent-problem-region.ttl": "problem:X1 is in disjoint classes yrd:Problem and yrd:Region",
    "inconsistent-two-status.ttl": "more than one value for functional property yrd:assertionStatus",
    "inconsistent-link-range.ttl": "place:x is in disjoint classes yrd:Region and yrd:PolicyInstrument",
}


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(reason_cmd, list(args))
    return result.exit_code, result.output


@needs_java
@pytest.mark.java
@pytest.mark.slow
def test_ontology_and_all_data_are_consistent() -> None:
    report = lib.reason(property_values=False, explain=True)
    assert report.consistent, "\n".join([report.summary(), *report.explanations[:20]])
    assert report.unsatisfiable == [], report.unsatisfiable
    assert report.include_data and report.input_triples > len(lib.ontology_graph())


@needs_java
@pytest.mark.java
def test_consistent_fixture_with_inferences(tmp_path: Path) -> None:
    out = tmp_path / "inferred.ttl"
    code, text = run("--data", str(FIX / "consistent.ttl"), "--output", str(out))
    assert code == 0, text
    assert text.startswith("consistent")
    inferred = Graph().parse(out)
    assert (URIRef(PROBLEM + "T1.1"), YRD.partOf, URIRef(PROBLEM + "T0")) in inferred, text


@needs_java
@pytest.mark.java
@pytest.mark.parametrize("name", sorted(INCONSISTENT))
def test_inconsistent_fixture_exits_1(name: str) -> None:
    code, text = run("--data", str(FIX / name), "--no-property-values")
    assert code == 1, text
    assert "INCONSISTENT" in text
    assert INCONSISTENT[name] in text, text


def test_java_missing_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None)
    code, text = run("--ontology-only")
    assert code == 2
    assert text.strip().splitlines()[-1].startswith("error: Java runtime not found"), text
    with pytest.raises(lib.JavaNotFoundError):
        lib.reason(include_data=False)


@needs_java
def test_timeout_is_a_clear_error() -> None:
    code, text = run("--ontology-only", "--timeout", "0.01")
    assert code == 2
    assert text.strip().splitlines() == ["error: HermiT did not finish within 0.01 s and was stopped (raise it with --timeout)."]


def test_derive_links_gives_the_direct_triple() -> None:
    g = lib.reasoning_graph(files=[FIX / "inconsistent-link-range.ttl"])
    assert (URIRef("https://w3id.org/yrd-kg/id/path/X1"), YRD.usesInstrument, URIRef("https://w3id.org/yrd-kg/id/place/x")) in g
    # blank Link nodes were given IRIs (scratch copy only)
    assert all(isinstance(link, URIRef) for link in g.subjects(RDF.type, YRD.Link))


@pytest.mark.parametrize("name", sorted(INCONSISTENT))
def test_explain_clashes_without_java(name: str) -> None:
    from yrd_kg.cli.reason import _shorten_all

    msgs = [_shorten_all(m) for m in lib.explain_clashes(lib.reasoning_graph(files=[FIX / name]))]
    assert any(INCONSISTENT[name] in m for m in msgs), msgs


def test_consistent_fixture_has_no_rl_clash() -> None:
    assert lib.explain_clashes(lib.reasoning_graph(files=[FIX / "consistent.ttl"])) == []


@pytest.mark.parametrize("engine", ["owlrl", "reasonable"])
def test_materialise_rl(engine: str) -> None:
    g = lib.reasoning_graph(files=[FIX / "consistent.ttl"])
    m = materialise_rl(g, engine=engine)
    assert len(m) > len(g)
    t0, t11 = URIRef(PROBLEM + "T0"), URIRef(PROBLEM + "T1.1")
    assert (t11, YRD.partOf, t0) in m  # transitive
    assert (t0, YRD.hasPart, t11) in m  # inverse
    assert (t11, RDF.type, YRD.Problem) in m  # subclass
    assert (URIRef("https://w3id.org/yrd-kg/id/instrument/test"), RDF.type, YRD.PolicyInstrument) in m


def test_rl_engines_agree_on_instances() -> None:
    """owlrl and reasonable give the same triples about instances (they differ only in schema triples)."""
    g = lib.reasoning_graph(files=[FIX / "consistent.ttl"])
    a, b = materialise_rl(g, engine="owlrl"), materialise_rl(g, engine="reasonable")

    def abox(m: Graph) -> set[tuple[object, object, object]]:
        return {t for t in m if str(t[0]).startswith("https://w3id.org/yrd-kg/id/")}

    assert abox(a) == abox(b), sorted(abox(a) ^ abox(b))[:10]
