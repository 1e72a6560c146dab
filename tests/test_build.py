"""Build and export: deterministic artefacts, rebuild only on change, lossless export formats."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

import yrd_kg.resources as resources
from yrd_kg.dataset.build import DERIVED_LINKS, build, derive_links, load_graphs, skolemise
from yrd_kg.dataset.export import EXPORT_FORMATS, export
from yrd_kg.namespaces import YRD


def test_two_builds_give_the_same_bytes(tmp_path: Path) -> None:
    a = build(force=True, out_dir=tmp_path / "a")
    b = build(force=True, out_dir=tmp_path / "b")
    assert a.rebuilt and b.rebuilt
    for name in ("yrd-kg.nq", "yrd-kg.trig", "yrd.owl", "manifest.json"):
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
    graphs = load_graphs()
    names = {str(g).rsplit("/graph/", 1)[1] for g in graphs}
    assert "data/structure" in names
    assert DERIVED_LINKS in graphs
    for f in resources.data_dir().glob("*.ttl"):
        assert f"data/{f.stem}" in names


def test_links_are_derived_and_named_stably() -> None:
    ttl = """
    @prefix yrd: <https://w3id.org/yrd-kg/ontology#> .
    @prefix ex: <https://example.org/> .
    [] a yrd:Link ; yrd:linkSubject ex:a ; yrd:linkPredicate yrd:addresses ; yrd:linkObject ex:b ;
       yrd:hasEvidence [ a yrd:Evidence ; yrd:quote "q" ] .
    """
    g1 = skolemise(Graph().parse(data=ttl, format="turtle"))
    g2 = skolemise(Graph().parse(data=ttl, format="turtle"))
    assert set(g1) == set(g2), "link and evidence IRIs must not depend on blank-node labels"
    links = list(g1.subjects(None, YRD.Link))
    assert len(links) == 1 and str(links[0]).startswith("https://w3id.org/yrd-kg/id/link/")
    derived = derive_links(g1)
    assert len(derived) == 1
    s, p, o = next(iter(derived))
    assert (str(s), p, str(o)) == ("https://example.org/a", YRD.addresses, "https://example.org/b")


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
