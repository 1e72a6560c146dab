"""Build and export: deterministic artefacts, rebuild only on change, lossless export formats."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

import yrd_kg.resources as resources
from yrd_kg.dataset.build import DERIVED_LINKS, build
from yrd_kg.dataset.export import EXPORT_FORMATS, export
from yrd_kg.dataset.store import dataset_from_files, open_dataset
from yrd_kg.namespaces import YRD


def test_two_builds_give_the_same_bytes(tmp_path: Path) -> None:
    a = build(force=True, out_dir=tmp_path / "a")
    b = build(force=True, out_dir=tmp_path / "b")
    assert a.rebuilt and b.rebuilt
    for name in ("yrd-kg.nq", "yrd-kg.trig", "yrd.owl", "shapes.nq", "manifest.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_rebuild_only_when_a_source_changed(tmp_path: Path) -> None:
    home = tmp_path / "home"
    for d in ("ontology", "data", "queries"):
        shutil.copytree(resources.ontology_dir().parent / d, home / d)
    mp = pytest.MonkeyPatch()
    mp.setenv("YRD_KG_HOME", str(home))
    try:
        out = tmp_path / "out"
        assert build(out_dir=out).rebuilt
        assert not build(out_dir=out).rebuilt
        f = home / "data" / "structure.ttl"
        f.write_text(f.read_text(encoding="utf-8") + "\n# touched\n", encoding="utf-8")
        assert build(out_dir=out).rebuilt
    finally:
        mp.undo()


def test_every_source_file_has_its_named_graph(build_dir: Path) -> None:
    graphs = open_dataset(build_dir).graph_names()
    names = {str(g).rsplit("/graph/", 1)[1] for g in graphs}
    assert "data/structure" in names
    assert str(DERIVED_LINKS) in graphs
    for f in resources.data_dir().glob("*.ttl"):
        assert f"data/{f.stem}" in names


def test_links_are_derived_and_named_stably(tmp_path: Path) -> None:
    ttl = """
    @prefix yrd: <https://w3id.org/yrd-kg/ontology#> .
    @prefix ex: <https://example.org/> .
    [] a yrd:Link ; yrd:linkSubject ex:a ; yrd:linkPredicate yrd:addresses ; yrd:linkObject ex:b ;
       yrd:hasEvidence [ a yrd:Evidence ; yrd:quote "q" ] .
    """
    (tmp_path / "a.ttl").write_text(ttl, encoding="utf-8")
    (tmp_path / "b.ttl").write_text(ttl.replace("[] a yrd:Link", "_:other a yrd:Link"), encoding="utf-8")
    g1 = dataset_from_files([tmp_path / "a.ttl"])
    g2 = dataset_from_files([tmp_path / "b.ttl"])
    named = "SELECT ?x WHERE { ?x a ?c FILTER(?c IN (yrd:Link, yrd:Evidence)) } ORDER BY ?x"
    q = "PREFIX yrd: <https://w3id.org/yrd-kg/ontology#> " + named
    assert [r["x"] for r in g1.query(q)] == [r["x"] for r in g2.query(q)], "link/evidence IRIs must not depend on labels"
    links = [r["x"].value for r in g1.query(q.replace("yrd:Link, yrd:Evidence", "yrd:Link"))]
    assert len(links) == 1 and links[0].startswith("https://w3id.org/yrd-kg/id/link/")
    derived = list(g1.quads(str(DERIVED_LINKS)))
    assert [(q.subject.value, q.predicate.value, q.object.value) for q in derived] == [
        ("https://example.org/a", str(YRD.addresses), "https://example.org/b")]


def _canonical(quads: list[ox.Quad], keep_graphs: bool) -> set[str]:
    ds = ox.Dataset()
    for q in quads:
        ds.add(q if keep_graphs else ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()))
    ds.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(q) for q in ds}


@pytest.mark.parametrize("fmt", list(EXPORT_FORMATS))
def test_export_round_trips(fmt: str, build_dir: Path) -> None:
    text = export(fmt, build_dir)
    name, keeps_graphs = EXPORT_FORMATS[fmt]
    ref = list(ox.parse(path=str(build_dir / "yrd-kg.nq"), format=ox.RdfFormat.N_QUADS))
    back = list(ox.parse(text.encode("utf-8"), format=getattr(ox.RdfFormat, name)))
    if not keeps_graphs:
        back = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in back]
    assert len(back) > 20000
    assert _canonical(ref, keeps_graphs) == _canonical(back, keeps_graphs), f"{fmt}: graph differs after round trip"
