"""`yrd-kg link`: loading other vocabularies beside ours, proposing and accepting mappings."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from yrd_kg.dataset.loader import LoadError
from yrd_kg.linking.propose import (
    accept,
    content_key,
    entities_of,
    is_rejected,
    link_file,
    linked_store,
    load_external,
    normalise,
    variants,
)
from yrd_kg.linking.sssom import read_sssom, validate_sssom

ROOT = Path(__file__).resolve().parents[1]
FIX = Path(__file__).resolve().parent / "fixtures" / "link"
EXTERNAL = ROOT.parent / "shared" / "external"
NACE = EXTERNAL / "nace-rev2" / "nace_r2.ttl"
NACE_RDF = EXTERNAL / "nace-rev2" / "nace_r2.rdf"
OEO_SOCIAL = EXTERNAL / "oeo-policy" / "oeo-social.omn"
RAMON = "http://ec.europa.eu/eurostat/ramon/rdfdata/nace_r2/"
OEO = "https://openenergyplatform.org/ontology/oeo/"
need_nace = pytest.mark.skipif(not NACE.is_file(), reason=f"{NACE} absent (shared external data not mounted)")
need_oeo = pytest.mark.skipif(not OEO_SOCIAL.is_file(), reason=f"{OEO_SOCIAL} absent (shared external data not mounted)")


def test_normalise_and_tokens() -> None:
    assert normalise("Manufacture of  Motor-Vehicles!") == "manufactureofmotorvehicles"
    assert normalise("ＡＢＣ（汽车）") == "abc汽车"  # NFKC folds full-width forms
    assert "Economic instrument" in variants("Economic instrument (OEO)")
    assert "Manufacture of basic metals" in variants("24 - Manufacture of basic metals")
    assert content_key("汽车制造业") == "汽车"  # a generic suffix set aside
    assert content_key("Manufacture of other textiles n.e.c.") == "c e n other textile"  # 'other' is kept
    assert content_key("24 - Manufacture of basic metals") == "basic metal"
    assert content_key("Manufacturing") == "manufacturing"  # nothing but generic words: all kept


def test_mini_thesaurus_candidates(graph: Graph) -> None:
    res = link_file(FIX / "mini-thesaurus.ttl", ours=graph, min_score=0.3)
    assert validate_sssom(res.sssom) == []
    assert str(res.graph_iri) == "https://w3id.org/yrd-kg/graph/linked/mini-thesaurus"
    got = {(str(c.subject.iri).rsplit("/", 1)[-1], str(c.object.iri).rsplit("/", 1)[-1]): c for c in res.candidates}
    exact = got[("pharmaceutical", "pharma")]
    assert exact.score == 0.9 and exact.predicate == SKOS.exactMatch  # never 1.0: a label is no proof
    assert ("innovation-voucher", "vouchers") in got
    assert not any(o == "unrelated" for _, o in got)
    rows = read_sssom(res.sssom).rows
    assert all(r["comment"].startswith("candidate") for r in rows)
    assert {r["mapping_justification"] for r in rows} <= {"semapv:LexicalMatching",
                                                          "semapv:LexicalSimilarityThresholdMatching"}
    assert max(c.score for c in res.candidates) < 1.0


def test_linked_graph_is_separate(graph: Graph, tmp_path: Path) -> None:
    import pyoxigraph as ox

    store = ox.Store()
    link_file(FIX / "mini-thesaurus.ttl", ours=graph, store=store)
    graphs = {g.value for g in store.named_graphs()}
    assert graphs == {"https://w3id.org/yrd-kg/graph/linked/mini-thesaurus"}
    assert not list((ROOT / "data").glob("*mini*"))


@need_nace
@pytest.mark.parametrize("path", [NACE, NACE_RDF], ids=["turtle", "rdfxml"])
def test_nace_divisions_found(graph: Graph, path: Path) -> None:
    if not path.is_file():
        pytest.skip(f"{path} absent")
    res = link_file(path, ours=graph, min_score=0.9)
    assert validate_sssom(res.sssom) == []
    pairs = {(str(c.subject.iri).rsplit("/", 1)[-1], str(c.object.iri)) for c in res.candidates}
    for ours, division in [("automobile", "29"), ("pharmaceutical", "21"), ("non-metallic-mineral", "23"),
                           ("electronic-information", "26"), ("metal-smelting", "24"), ("food-processing", "10"),
                           ("textile-apparel", "13"), ("textile-apparel", "14"), ("petrochemical", "19"),
                           ("petrochemical", "20")]:
        assert (ours, RAMON + division) in pairs, (ours, division)
    car = next(c for c in res.candidates if str(c.subject.iri).endswith("/automobile") and str(c.object.iri) == RAMON + "29")
    assert car.predicate == SKOS.closeMatch and car.score == pytest.approx(0.9)
    # GB/T division codes are never compared with NACE codes (GB 29 rubber is not NACE 29 vehicles)
    assert ("C29", RAMON + "29") not in pairs


@need_oeo
def test_oeo_manchester_classes_by_label(graph: Graph) -> None:
    g, fmt = load_external(OEO_SOCIAL)
    assert fmt == "manchester"
    pi = URIRef(OEO + "OEO_00140151")
    assert (URIRef(OEO + "OEO_00010456"), URIRef("http://www.w3.org/2000/01/rdf-schema#subClassOf"), pi) in g
    res = link_file(OEO_SOCIAL, ours=graph, min_score=0.8)
    pairs = {(str(c.subject.iri).rsplit("/", 1)[-1], str(c.object.iri).rsplit("/", 1)[-1]) for c in res.candidates}
    for itype, cls in [("oeo-economic", "OEO_00010456"), ("oeo-regulatory", "OEO_00010458"),
                       ("oeo-information", "OEO_00010459"), ("oeo-education", "OEO_00010460"),
                       ("oeo-voluntary-agreement", "OEO_00010461")]:
        assert (itype, cls) in pairs
    assert "oeo:OEO_00010456" in res.sssom


def test_manchester_without_horned_owl(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    f = tmp_path / "x.omn"
    f.write_text("Prefix: : <https://example.org/>\nOntology: <https://example.org/x>\nClass: :A\n", encoding="utf-8")
    monkeypatch.setitem(sys.modules, "pyhornedowl", None)
    with pytest.raises(LoadError, match=r"unsupported format manchester here: .*py-horned-owl"):
        load_external(f)


def test_manchester_imports_are_not_fetched(tmp_path: Path) -> None:
    f = tmp_path / "imp.omn"
    f.write_text("Prefix: : <https://example.org/>\nOntology: <https://example.org/x>\n"
                 "Import: <http://127.0.0.1:9/never.omn>\nClass: :A\n    Annotations: rdfs:label \"alpha\"\n"
                 "Prefix: rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n", encoding="utf-8")
    try:
        g, _ = load_external(f)
    except LoadError as exc:  # a parse error is fine; a network access is not (port 9 would refuse anyway)
        assert "unsupported" not in str(exc)
        return
    assert (URIRef("https://example.org/A"), None, None) in g or len(g) >= 0


def test_remote_paths_refused() -> None:
    from yrd_kg.linking.propose import LinkError

    with pytest.raises(LinkError, match=r"link reads local files only; download it first \(e.g. curl -L -o FILE"):
        load_external("http://127.0.0.1:9/x.ttl")
    with pytest.raises(LinkError, match="give the file's path, not a file: URL"):
        load_external("file:///tmp/x.ttl")
    with pytest.raises(LoadError, match="only local files"):  # the loader itself refuses too
        from yrd_kg.dataset.loader import parse_file

        parse_file("https://example.org/x.ttl")


def test_cli_link_url_says_download_first() -> None:
    from yrd_kg.cli.main import main

    res = CliRunner().invoke(main, ["link", "https://data.europa.eu/nace2.ttl"])
    assert res.exit_code == 2
    assert "download it first" in res.output and "no such file" not in res.output


REVIEWED = """#curie_map:
#  industry: https://w3id.org/yrd-kg/id/industry/
#  ex: https://example.org/thesaurus/
#  skos: http://www.w3.org/2004/02/skos/core#
#  semapv: https://w3id.org/semapv/vocab/
#mapping_set_id: https://w3id.org/yrd-kg/mappings/candidates/mini-thesaurus
#license: https://spdx.org/licenses/MIT.html
subject_id\tpredicate_id\tpredicate_modifier\tobject_id\tmapping_justification\treviewer_id\tconfidence\tcomment
industry:pharmaceutical\tskos:exactMatch\t\tex:pharma\tsemapv:LexicalMatching\t\t1.0\tok
industry:automobile\tskos:closeMatch\t\tex:cars\tsemapv:LexicalMatching\t\t0.6\tchanged to close in review
industry:equipment\tskos:noMatch\t\tex:cars\tsemapv:LexicalMatching\t\t0.5\t
industry:textile-apparel\tskos:exactMatch\tNot\tex:unrelated\tsemapv:LexicalMatching\t\t0.5\t
industry:food-processing\tskos:relatedMatch\t\tex:unrelated\tsemapv:LexicalMatching\t\t0.5\tREJECTED: wrong sense
"""


def test_accept_review_convention(tmp_path: Path) -> None:
    rev = tmp_path / "reviewed.sssom.tsv"
    rev.write_text(REVIEWED, encoding="utf-8")
    res = accept(rev, "mini-thesaurus", accepted_dir=tmp_path / "accepted")
    assert (res.accepted, res.rejected) == (2, 3)
    g = Graph().parse(res.path)
    plain = {(s, p, o) for s, p, o in g if str(s).startswith("https://w3id.org/yrd-kg/id/")}
    assert plain == {
        (URIRef("https://w3id.org/yrd-kg/id/industry/automobile"), SKOS.closeMatch, URIRef("https://example.org/thesaurus/cars")),
        (URIRef("https://w3id.org/yrd-kg/id/industry/pharmaceutical"), SKOS.exactMatch,
         URIRef("https://example.org/thesaurus/pharma"))}
    assert is_rejected({"predicate_id": "skos:exactMatch", "object_id": "sssom:NoTermFound"})


def test_accept_keeps_the_sssom_metadata(tmp_path: Path) -> None:
    """The accepted set keeps the reviewed file's metadata: as SSSOM/TSV (sssom-py validates it) and in the Turtle."""
    from rdflib import Literal, Namespace
    from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, XSD

    from sssom_support import sssom_validate

    res = link_file(FIX / "mini-thesaurus.ttl", min_score=0.7)
    rev = tmp_path / "reviewed.sssom.tsv"
    rev.write_text(res.sssom, encoding="utf-8")
    out = accept(rev, "mini", accepted_dir=tmp_path / "acc")
    assert out.sssom_path is not None
    kept = read_sssom(out.sssom_path.read_text(encoding="utf-8"))
    original = read_sssom(res.sssom)
    assert kept.metadata == original.metadata and kept.metadata["license"] == "https://spdx.org/licenses/MIT.html"
    assert kept.rows == original.rows and len(kept.rows) == out.accepted
    rc, text = sssom_validate(out.sssom_path)
    assert rc == 0, text
    g = Graph().parse(out.path)
    sssom = Namespace("https://w3id.org/sssom/")
    ms = URIRef("https://w3id.org/yrd-kg/mappings/candidates/mini-thesaurus")
    assert (ms, RDF.type, sssom.MappingSet) in g
    assert (ms, DCTERMS.license, URIRef("https://spdx.org/licenses/MIT.html")) in g
    assert (ms, OWL.versionInfo, Literal(original.metadata["mapping_set_version"])) in g
    axioms = list(g.objects(ms, sssom.mappings))
    assert len(axioms) == out.accepted
    pharma = next(a for a in axioms if (a, OWL.annotatedTarget, URIRef("https://example.org/thesaurus/pharma")) in g)
    assert (pharma, sssom.confidence, Literal("0.9", datatype=XSD.double)) in g
    assert (pharma, sssom.mapping_justification, URIRef("https://w3id.org/semapv/vocab/LexicalMatching")) in g
    assert (pharma, RDFS.comment, Literal("candidate: review before accepting")) in g


def test_accept_refuses_malformed(tmp_path: Path) -> None:
    from yrd_kg.linking.propose import LinkError

    bad = tmp_path / "bad.sssom.tsv"
    bad.write_text("subject_id\tpredicate_id\nx\ty\n", encoding="utf-8")
    with pytest.raises(LinkError, match="not a valid SSSOM"):
        accept(bad, "bad", accepted_dir=tmp_path)


@need_oeo
def test_query_follows_accepted_and_linked(graph: Graph, tmp_path: Path, build_dir: Path) -> None:
    """instruments-by-linked-type: the OEO superclass reaches our instruments once the OEO module is linked."""
    from yrd_kg.sparql.run import run_query

    parent = OEO + "OEO_00140151"  # policy instrument: only via rdfs:subClassOf from the linked module
    plain = run_query("instruments-by-linked-type", lang="en", oeo_class_iri=parent)
    assert len(plain) == 0
    store = linked_store([OEO_SOCIAL], accepted_dir=tmp_path / "none", build_dir=build_dir)
    res = run_query("instruments-by-linked-type", lang="en", oeo_class_iri=parent, store=store)
    assert len(res) > 0
    recs = {r[5].value for r in res.rows}
    assert any("/recommendation/R" in r for r in recs)
    # an accepted instrument-level mapping is followed too
    acc = tmp_path / "acc"
    acc.mkdir()
    (acc / "extra.ttl").write_text(
        "<https://w3id.org/yrd-kg/id/instrument/industrial-map> "
        "<http://www.w3.org/2004/02/skos/core#closeMatch> "
        "<https://openenergyplatform.org/ontology/oeo/OEO_00010461> .\n", encoding="utf-8")
    store2 = linked_store([], accepted_dir=acc, build_dir=build_dir)
    res2 = run_query("instruments-by-linked-type", lang="en", oeo_class_iri=OEO + "OEO_00010461", store=store2)
    assert {r[3].value.rsplit("/", 1)[-1] for r in res2.rows} == {"industrial-map"}


def test_cli_link_and_accept(tmp_path: Path) -> None:
    from yrd_kg.cli.main import main

    out = tmp_path / "cand.sssom.tsv"
    runner = CliRunner()
    res = runner.invoke(main, ["link", str(FIX / "mini-thesaurus.ttl"), "--min-score", "0.9", "--output", str(out)])
    assert res.exit_code == 0, res.output
    assert validate_sssom(out.read_text(encoding="utf-8")) == []
    res = runner.invoke(main, ["link", str(FIX / "mini-thesaurus.ttl"), "--accept", str(out),
                               "--accepted-dir", str(tmp_path / "acc")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "acc" / "mini-thesaurus.ttl").is_file()
    assert (tmp_path / "acc" / "mini-thesaurus.sssom.tsv").is_file()
    res = runner.invoke(main, ["link", str(tmp_path / "missing.ttl")])
    assert res.exit_code == 2 and "no such file" in res.output


def test_entities_of_ours_only_linkable(graph: Graph) -> None:
    ents = entities_of(graph, ours=True)
    kinds = {str(i).split("/id/", 1)[1].split("/", 1)[0] for i in ents}
    assert "industry" in kinds and "itype" in kinds
    assert "part" not in kinds and "problem" not in kinds
