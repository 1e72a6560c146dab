"""Hostile shapes, slow constraints, reasoning faults and corrupted stores.

- recursive shapes on cyclic data terminate (a result or a clear error), within a time limit;
- user shapes with SERVICE (constraint, SPARQL target, constraint component) are refused, not executed:
  a counting server on 127.0.0.1 sees no request;
- a slow constraint is stopped and reported "incomplete", never "conforms";
- validation never changes the data graph;
- HermiT: out of memory and timeout are distinct errors and leave no temporary files; an
  inconsistent linked ontology is reported as inconsistent and our ontology stays untouched;
- a truncated or garbage ``build/yrd-kg.nq``: a clear message naming the file, exit 2.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from rdflib import Graph, Literal, Namespace
from rdflib.compare import to_isomorphic
from rdflib.namespace import RDF

import yrd_kg.resources as resources
import yrd_kg.validate.run as vrun
import yrd_kg.validate.shapes as vshapes
import yrd_kg.worker as worker
from yrd_kg.dataset.store import StoreCorruptError, load_memory_store

if TYPE_CHECKING:
    from conftest import Counter  # the counting local server fixture (tests/conftest.py)

HOSTILE = Path(__file__).resolve().parent / "fixtures" / "hostile"
EX = Namespace("urn:x-hostile:")
needs_java = pytest.mark.skipif(shutil.which("java") is None, reason="no Java runtime: HermiT cannot run")


def _data(path: Path) -> Graph:
    from yrd_kg.dataset.loader import parse_file

    return parse_file(path).graph


# --------------------------------------------------------------------------- shapes


def test_recursive_shape_on_cyclic_data_terminates() -> None:
    from yrd_kg.validate.report import ValidationError

    data = _data(HOSTILE / "recursive-data.ttl")
    t = time.monotonic()
    try:
        report = vrun.validate_limited(graph=data, shapes=[HOSTILE / "recursive-shapes.ttl"], queries=[], timeout=30)
    except (ValidationError, worker.SandboxError) as exc:  # a clear error is acceptable too
        assert "recurs" in str(exc).lower() or "shape" in str(exc).lower(), exc
    else:
        # every person knows a person: a terminating engine finds no violation (or reports one per node)
        assert report.conforms or all(r.focus_node.startswith("urn:x-hostile:") for r in report.results)
    assert time.monotonic() - t < 30


def _service_shapes(tmp_path: Path, base: str) -> Path:
    text = (HOSTILE / "service-shapes.ttl.in").read_text(encoding="utf-8").replace("ENDPOINT", base)
    out = tmp_path / "service-shapes.ttl"
    out.write_text(text, encoding="utf-8")
    return out


def test_shapes_with_service_refused_not_executed(tmp_path: Path, counter: Counter) -> None:
    shapes = _service_shapes(tmp_path, counter.base)
    data = _data(HOSTILE / "recursive-data.ttl")
    with pytest.raises(vshapes.UnsafeShapesError) as ei:
        vrun.validate_limited(graph=data, shapes=[shapes], queries=[], timeout=30)
    msg = str(ei.value)
    assert "SERVICE" in msg and "refused" in msg
    for part in ("sh:select", "sh:ask", "ServiceShape"):
        assert part in msg, msg
    assert counter.hits == []


@pytest.mark.parametrize("text,bad", [
    ("SELECT $this WHERE { $this ?p ?o }", False),
    ("SELECT $this WHERE { $this ?p 'SERVICE <http://x/>' } # SERVICE in a comment", False),
    ("SELECT $this WHERE { $this ?p ?o . FILTER(?o != <urn:SERVICE>) }", False),
    ("SELECT $this FROM <https://w3id.org/yrd-kg/graph/data/x> WHERE { $this ?p ?o }", False),
    ("SELECT $this WHERE { SeRvIcE <http://127.0.0.1:9/> { $this ?p ?o } }", True),
    ("SELECT $this WHERE { SERVICE ?x { $this ?p ?o } }", True),
    ("SELECT $this FROM <file:///etc/passwd> WHERE { $this ?p ?o }", True),
    ("SELECT $this FROM NAMED <http://127.0.0.1:9/g> WHERE { $this ?p ?o }", True),
    ("LOAD <http://127.0.0.1:9/x>", True),
])
def test_sparql_problem_detection(text: str, bad: bool) -> None:
    assert (vshapes.sparql_problem(text) is not None) == bad


def test_validate_itself_refuses_service(tmp_path: Path, counter: Counter) -> None:
    from yrd_kg.validate.run import validate

    shapes = _service_shapes(tmp_path, counter.base)
    with pytest.raises(Exception, match="SERVICE"):
        validate(graph=_data(HOSTILE / "recursive-data.ttl"), shapes=[shapes], queries=[])
    assert counter.hits == []


def _people(n: int) -> Graph:
    g = Graph()
    for i in range(n):
        g.add((EX[f"p{i}"], RDF.type, EX.Person))
        g.add((EX[f"p{i}"], EX.name, Literal(f"person {i}")))
    return g


def test_slow_constraint_is_incomplete_not_conforms() -> None:
    data = _people(400)
    t = time.monotonic()
    with pytest.raises(vrun.ValidationIncomplete) as ei:
        vrun.validate_limited(graph=data, shapes=[HOSTILE / "slow-shapes.ttl"], queries=[], timeout=2)
    assert "incomplete" in str(ei.value) and "exceeded 2 s" in str(ei.value)
    assert "NOT shown to conform" in str(ei.value)
    assert time.monotonic() - t < 10


@pytest.mark.parametrize("engine", ["sets", "pyshacl"])
@pytest.mark.parametrize("inference", ["none", "rdfs"])
def test_validation_never_changes_the_data_graph(inference: str, engine: str) -> None:
    """Whatever the engine does with recursive shapes (the set engine hands them to pySHACL and says so), the
    caller's graph is unchanged."""
    from yrd_kg.validate.run import validate

    data = _data(HOSTILE / "recursive-data.ttl") + _people(5)
    before = to_isomorphic(data)
    n = len(data)
    rep = validate(graph=data, shapes=[HOSTILE / "recursive-shapes.ttl"], queries=[], inference=inference, engine=engine)
    if engine == "sets":
        assert "PersonShape: shapes nested deeper than 32" in rep.engine["shacl"]
    assert len(data) == n and to_isomorphic(data) == before


@pytest.mark.slow
def test_validation_of_the_shipped_graph_leaves_it_unchanged(graph: Graph) -> None:
    from yrd_kg.validate.run import validate

    before = set(graph)
    validate(graph=graph)
    assert set(graph) == before


# --------------------------------------------------------------------------- reasoning


@needs_java
@pytest.mark.java
@pytest.mark.slow
def test_hermit_out_of_memory_distinct_and_temp_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    import yrd_kg.reason.hermit as reason

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    g = reason.reasoning_graph(include_data=True)
    with pytest.raises(reason.ReasonerOutOfMemoryError, match="out of memory") as ei:
        reason.run_hermit(g, memory_mb=8, timeout=60, property_values=False)
    assert ei.value.kind == "out-of-memory"
    assert list(tmp_path.iterdir()) == []


@needs_java
@pytest.mark.java
@pytest.mark.slow
def test_hermit_timeout_removes_temp_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    import yrd_kg.reason.hermit as reason

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    t = time.monotonic()
    with pytest.raises(reason.ReasonerTimeoutError, match="did not finish within 1 s") as ei:
        reason.run_hermit(reason.reasoning_graph(include_data=True), timeout=1, property_values=True)
    assert ei.value.kind == "timeout"
    assert time.monotonic() - t < 15
    assert list(tmp_path.iterdir()) == []


@needs_java
@pytest.mark.java
def test_inconsistent_linked_ontology_reported_base_untouched() -> None:
    import yrd_kg.reason.hermit as reason

    onto = resources.ontology_dir() / "yrd.ttl"
    digest = hashlib.sha256(onto.read_bytes()).hexdigest()
    base = reason.ontology_graph()
    g = reason.reasoning_graph(include_data=False)
    g += _data(HOSTILE / "linked-inconsistent.ttl")
    report = reason.run_hermit(g, timeout=120, property_values=False)
    assert not report.consistent and "INCONSISTENT" in report.summary()
    assert any("disjoint" in e for e in report.explanations), report.explanations
    assert hashlib.sha256(onto.read_bytes()).hexdigest() == digest
    assert to_isomorphic(reason.ontology_graph()) == to_isomorphic(base)


# --------------------------------------------------------------------------- corrupted build / store


def _corrupt_build(build_dir: Path, tmp_path: Path, how: str) -> Path:
    out = tmp_path / "build"
    out.mkdir()
    for name in ("manifest.json", "yrd-kg.nq"):
        shutil.copy(build_dir / name, out / name)
    nq = out / "yrd-kg.nq"
    data = nq.read_bytes()
    if how == "truncated":
        nq.write_bytes(data[: len(data) // 2])
    elif how == "garbage":
        nq.write_bytes(b"garbage \x00\xff not n-quads\n" * 10)
    elif how == "truncated-at-line":
        cut = data.rfind(b"\n", 0, len(data) // 2) + 1
        nq.write_bytes(data[:cut])
    return out


@pytest.mark.parametrize("how", ["truncated", "garbage", "truncated-at-line"])
def test_corrupted_build_is_a_clear_error(build_dir: Path, tmp_path: Path, how: str) -> None:
    """A changed byte in a built file is refused by its checksum, whatever the change (when not rebuilt first)."""
    from yrd_kg.dataset.store import verify_artefact

    bad = _corrupt_build(build_dir, tmp_path, how)
    with pytest.raises(StoreCorruptError) as ei:
        verify_artefact(bad, "yrd-kg.nq")
    assert str(bad / "yrd-kg.nq") in str(ei.value) and "rebuild" in str(ei.value) and "SHA-256" in str(ei.value)


@pytest.mark.parametrize("how", ["truncated", "garbage", "truncated-at-line"])
def test_corrupted_nquads_are_a_clear_error_without_the_manifest(build_dir: Path, tmp_path: Path, how: str) -> None:
    """Below the checksum, the loader itself names the file and line (or the count the build wrote)."""
    bad = _corrupt_build(build_dir, tmp_path, how)
    expected = sum(json.loads((build_dir / "manifest.json").read_text())["graphs"].values())
    with pytest.raises(StoreCorruptError) as ei:
        load_memory_store([bad / "yrd-kg.nq"], expected_quads=expected)
    assert str(bad / "yrd-kg.nq") in str(ei.value) and "rebuild" in str(ei.value)


def test_checked_store_loads_a_good_build(build_dir: Path) -> None:
    from yrd_kg.dataset.store import open_dataset

    ds = open_dataset(build_dir, persistent=False)
    assert len(ds) == sum(json.loads((build_dir / "manifest.json").read_text())["graphs"].values())
    assert ds.query("ASK { ?p a <https://w3id.org/yrd-kg/ontology#Shortcoming> }")
