"""Every shape, SPARQL constraint and violation query against its valid/invalid fixture pair.

The fixtures are generated from tests/fixtures/shapes/base.ttl by make_fixtures.py (one pair per
constraint; each invalid file's first line names what it breaks). Each test asserts which
constraint fired: source shape or query, focus node, path and constraint component - never just
"does not conform".
"""

from __future__ import annotations

import importlib.util
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from yrd_kg.namespaces import ID, YRDSH
from yrd_kg.validate.report import ValidationReport, ValidationResult
from yrd_kg.validate.run import validate

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "tests" / "fixtures" / "shapes"
ONTOLOGY = ROOT / "ontology" / "yrd.ttl"
YRD_NS = "https://w3id.org/yrd-kg/ontology#"

_spec = importlib.util.spec_from_file_location("make_fixtures", FIX / "make_fixtures.py")
assert _spec is not None and _spec.loader is not None
make_fixtures = importlib.util.module_from_spec(_spec)
sys.modules["make_fixtures"] = make_fixtures
_spec.loader.exec_module(make_fixtures)
CASES = make_fixtures.CASES


@cache
def run(path: Path) -> ValidationReport:
    return validate(data_files=[ONTOLOGY, path])


def matches(r: ValidationResult, c: make_fixtures.Case) -> bool:
    if c.source.endswith(".rq"):
        if not (r.source_shape or "").endswith(c.source):
            return False
    elif r.source_shape != str(YRDSH[c.source]) and not (r.source_shape or "").startswith(f"{YRDSH[c.source]}/"):
        return False
    if c.focus.startswith("yrd:"):
        if r.focus_node != YRD_NS + c.focus[4:]:
            return False
    elif "/" in c.focus and " " not in c.focus and not c.focus.startswith("“"):
        if r.focus_node != str(ID[c.focus]):
            return False
    elif c.focus not in r.focus_label:
        return False
    if c.path is not None and r.path != c.path:
        return False
    return (r.constraint_component or "").endswith(c.component) and r.severity.value == c.severity


def _explain(rep: ValidationReport) -> str:
    return "\n".join(f"  {r.severity.value} {r.source_shape} | {r.focus_node} | {r.focus_label} | {r.path} | "
                     f"{r.constraint_component} | {r.message_en}" for r in rep.results)


def test_base_fixture_is_clean() -> None:
    rep = run(FIX / "base.ttl")
    assert rep.conforms, _explain(rep)
    assert rep.counts == {"Violation": 0, "Warning": 0, "Info": 0}, _explain(rep)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_constraint_pair(case: make_fixtures.Case) -> None:
    invalid = FIX / "invalid" / f"{case.name}.ttl"
    valid = FIX / "valid" / f"{case.name}.ttl"
    assert invalid.read_text(encoding="utf-8").startswith(f"# Breaks {case.source}")
    bad, good = run(invalid), run(valid)
    assert not [r for r in good.results if matches(r, case)], _explain(good)
    hits = [r for r in bad.results if matches(r, case)]
    assert hits, f"{case.name}: expected {case}\n{_explain(bad)}"
    for r in hits:
        assert r.message_zh and r.message_en
        assert not r.focus_label.startswith("_:"), r.focus_label
    # the fixture breaks this constraint and nothing else that the valid twin satisfies
    key = {(r.source_shape, r.focus_node, r.path) for r in good.results}
    new = {(r.source_shape, r.focus_node, r.path) for r in bad.results} - key
    assert any(matches(r, case) for r in bad.results if (r.source_shape, r.focus_node, r.path) in new)


def test_every_shape_and_query_has_a_case() -> None:
    from rdflib import RDF
    from rdflib.namespace import SH

    from yrd_kg.validate.run import violation_queries
    from yrd_kg.validate.shapes import load_shapes

    g = load_shapes()
    shapes = {str(s) for s in g.subjects(RDF.type, SH.NodeShape)} | {str(s) for s in g.subjects(RDF.type, SH.PropertyShape)}
    covered = {str(YRDSH[c.source]) for c in CASES if not c.source.endswith(".rq")}
    # node shapes made only of shared property shapes are covered through those (see the cases' comments)
    shared_only = {str(YRDSH[n]) for n in ("CausalFactorShape", "ArgumentShape", "ClaimEntityShape", "VocabularyShape",
                                            "RegionShape", "IndustrialClusterShape", "LinkShape")}
    assert shapes - covered - shared_only == set()
    queries = {q.path.name for q in violation_queries()}
    assert queries == {c.source for c in CASES if c.source.endswith(".rq")}


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_fixtures_are_up_to_date(c: make_fixtures.Case) -> None:
    """make_fixtures.py reproduces every committed fixture pair (as RDF graphs), valid and invalid."""
    from rdflib import Graph
    from rdflib.compare import isomorphic

    v = Graph()
    for t in _base():
        v.add(t)
    if c.valid:
        v.update(make_fixtures.PFX + c.valid)
    assert isomorphic(_numbers(v), _numbers(Graph().parse(FIX / "valid" / f"{c.name}.ttl"))), f"valid/{c.name}.ttl"
    v.update(make_fixtures.PFX + c.breaks)
    assert isomorphic(_numbers(v), _numbers(Graph().parse(FIX / "invalid" / f"{c.name}.ttl"))), f"invalid/{c.name}.ttl"


def _numbers(g: Any) -> Any:
    """``g`` with decimal literals in one lexical form (Turtle writes ``"1"^^xsd:decimal`` as ``1.0``)."""
    from decimal import Decimal

    from rdflib import Graph, Literal
    from rdflib.namespace import XSD

    out = Graph()
    for s, p, o in g:
        if isinstance(o, Literal) and o.datatype == XSD.decimal:
            o = Literal(format(Decimal(str(o)).normalize(), "f"), datatype=XSD.decimal)
        out.add((s, p, o))
    return out


def test_every_fixture_file_has_its_case() -> None:
    names = {c.name for c in CASES}
    for kind in ("valid", "invalid"):
        assert {p.stem for p in (FIX / kind).glob("*.ttl")} == names, kind


@cache
def _base() -> Any:
    from rdflib import Graph

    return Graph().parse(FIX / "base.ttl")
