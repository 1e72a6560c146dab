"""The shipped crosswalks as one SSSOM/TSV mapping set: shape, content and the committed export."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from rdflib import Graph

from yrd_kg.linking.sssom import (
    COLUMNS,
    JUSTIFICATIONS,
    MappingRow,
    SSSOMError,
    export_mappings,
    read_sssom,
    shipped_mappings,
    validate_sssom,
    write_sssom,
)

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "mappings" / "yrd-kg.sssom.tsv"


@pytest.fixture(scope="module")
def sssom_text(graph: Graph) -> str:
    return export_mappings(g=graph)


@pytest.fixture(scope="module")
def rows(sssom_text: str) -> list[dict[str, str]]:
    return read_sssom(sssom_text).rows


def test_tsv_shape(sssom_text: str) -> None:
    lines = sssom_text.splitlines()
    meta = [ln[1:] for ln in lines if ln.startswith("#")]
    body = [ln for ln in lines if not ln.startswith("#")]
    assert lines[0] == "#curie_map:"
    md = yaml.safe_load("\n".join(meta))
    for key in ("curie_map", "mapping_set_id", "license", "mapping_set_version"):
        assert key in md, key
    header = body[0].split("\t")
    assert header[:3] == ["subject_id", "subject_label", "predicate_id"]
    assert all(c in COLUMNS for c in header)
    assert [c for c in COLUMNS if c in header] == header, "columns in the spec's order"
    reader = list(csv.reader(body, delimiter="\t"))
    assert all(len(r) == len(header) for r in reader)
    assert validate_sssom(sssom_text) == []


def test_curies_expand_with_the_curie_map(sssom_text: str) -> None:
    ms = read_sssom(sssom_text)
    cm = ms.curie_map
    for r in ms.rows:
        for k in ("subject_id", "predicate_id"):
            assert cm.expand(r[k]).startswith(("http://", "https://"))
        if r.get("object_type") != "rdfs literal":
            assert cm.expand(r["object_id"]).startswith(("http://", "https://"))
        assert r["mapping_justification"] in JUSTIFICATIONS


def _has(rows: list[dict[str, str]], s: str, p: str, o: str) -> bool:
    return any(r["subject_id"] == s and r["predicate_id"] == p and r["object_id"] == o for r in rows)


def test_places_wikidata_and_geonames(rows: list[dict[str, str]], graph: Graph) -> None:
    from yrd_kg.namespaces import YRD

    assert _has(rows, "place:shanghai", "skos:exactMatch", "wd:Q8686")
    assert _has(rows, "place:shanghai", "skos:exactMatch", "geonames:1796231/")
    assert _has(rows, "place:suzhou", "skos:exactMatch", "wd:Q42622")
    # every verified id of the data has its row, and no place without an id gets one
    for s, qid in graph.subject_objects(YRD.wikidataId):
        slug = str(s).rsplit("/", 1)[-1]
        assert _has(rows, f"place:{slug}", "skos:exactMatch", f"wd:{qid}"), slug
    assert not any(r["subject_id"] == "place:yrd" and r["object_id"].startswith("wd:") for r in rows)


def test_industries_nace_isic_gbt(rows: list[dict[str, str]]) -> None:
    assert _has(rows, "industry:automobile", "skos:closeMatch", "nace2:29")
    assert _has(rows, "industry:automobile", "skos:exactMatch", "gbt4754:C36")
    assert _has(rows, "industry:pharmaceutical", "skos:closeMatch", "nace2:21")
    assert _has(rows, "industry:non-metallic-mineral", "skos:closeMatch", "nace2:23")
    assert _has(rows, "industry:electronic-information", "skos:closeMatch", "nace2:26")
    isic = [r for r in rows if r["subject_id"] == "industry:automobile" and r.get("object_type") == "rdfs literal"]
    assert [(r["predicate_id"], r["object_label"]) for r in isic] == [("skos:closeMatch", "29")]


def test_instruments_typologies(rows: list[dict[str, str]]) -> None:
    # single type in a typology: broadMatch; several in one typology: relatedMatch
    assert _has(rows, "instrument:innovation-voucher", "skos:broadMatch", "itype:stip-pi006")
    assert _has(rows, "instrument:innovation-voucher", "skos:broadMatch", "itype:oeo-economic")
    assert _has(rows, "instrument:chain-chief-system", "skos:relatedMatch", "itype:nato-authority")
    assert _has(rows, "instrument:chain-chief-system", "skos:broadMatch", "itype:cpr-governance")
    chained = [r for r in rows if r["subject_id"] == "instrument:innovation-voucher" and r["object_id"] == "oeo:OEO_00010456"]
    assert chained and chained[0]["mapping_justification"] == "semapv:MappingChaining"
    assert _has(rows, "itype:oeo-economic", "skos:closeMatch", "oeo:OEO_00010456")
    assert _has(rows, "itype:cpr-information-education", "skos:narrowMatch", "oeo:OEO_00010460")
    typologies = {r["object_id"].split(":")[1].split("-")[0] for r in rows
                  if r["subject_id"].startswith("instrument:") and r["object_id"].startswith("itype:")}
    assert typologies == {"nato", "cpr", "oeo", "stip"}


def test_organisations_and_documents(rows: list[dict[str, str]]) -> None:
    assert not any(r["subject_id"] == "actor:miit" for r in rows), "an instance's typing is not a term mapping"
    assert _has(rows, "yrd:Organisation", "rdfs:subClassOf", "org:Organization")
    doc = [r for r in rows if r["subject_id"] == "document:yrd-integration-outline"]
    assert {(r["predicate_id"], r.get("predicate_modifier", ""), r["object_id"]) for r in doc} == {
        ("skos:broadMatch", "", "eli:Work"), ("skos:broadMatch", "Not", "eli:LegalResource")}
    legal = [r for r in rows if r["object_id"] == "eli:LegalResource" and r["subject_id"].startswith("document:")]
    assert len(legal) == 8 and all(r["predicate_modifier"] == "Not" for r in legal)
    assert any("not a legal act" in r["comment"] for r in doc)


def test_only_sssom_mapping_predicates(rows: list[dict[str, str]]) -> None:
    from collections import Counter

    from yrd_kg.linking.sssom import RECOMMENDED_PREDICATES

    preds = Counter(r["predicate_id"] for r in rows)
    assert set(preds) <= RECOMMENDED_PREDICATES
    assert preds["rdfs:subClassOf"] == 17 and "rdf:type" not in preds


def test_sssom_py_validates_the_committed_set(tmp_path: Path) -> None:
    from sssom_support import sssom_validate

    rc, out = sssom_validate(COMMITTED)
    assert rc == 0, out
    bad = tmp_path / "bad.sssom.tsv"  # the same tool rejects a confidence above 1
    bad.write_text(COMMITTED.read_text(encoding="utf-8").replace("\t0.9\t", "\t1.9\t", 1), encoding="utf-8")
    rc, out = sssom_validate(bad)
    assert rc != 0 and "1.9 is greater than the maximum of 1.0" in out


def test_committed_export_is_current(sssom_text: str) -> None:
    assert COMMITTED.is_file(), "run: yrd-kg mappings --output mappings/yrd-kg.sssom.tsv"
    assert COMMITTED.read_text(encoding="utf-8") == sssom_text, "regenerate: yrd-kg mappings -o mappings/yrd-kg.sssom.tsv"


def test_validator_catches_bad_sets() -> None:
    good = write_sssom([MappingRow("https://w3id.org/yrd-kg/id/place/x", "http://www.w3.org/2004/02/skos/core#exactMatch",
                                   "http://www.wikidata.org/entity/Q1")], {"mapping_set_id": "https://x.org/s",
                                                                           "license": "https://spdx.org/licenses/MIT.html"})
    assert validate_sssom(good) == []
    assert any("license" in p for p in validate_sssom(good.replace("#license: https://spdx.org/licenses/MIT.html\n", "")))
    assert any("not a CURIE" in p for p in validate_sssom(good.replace("wd:Q1", "zz:Q1")))
    assert any("mapping_justification" in p for p in validate_sssom(good.replace("semapv:ManualMappingCuration",
                                                                                  "semapv:Guessing")))
    assert any("cells" in p for p in validate_sssom(good + "a\tb\n"))
    rdf = "#  rdf: http://www.w3.org/1999/02/22-rdf-syntax-ns#\n"
    typed = good.replace("skos:exactMatch", "rdf:type").replace("#  skos:", rdf + "#  skos:")
    assert any("not one of SSSOM's mapping predicates" in p for p in validate_sssom(typed))
    with pytest.raises(SSSOMError):
        write_sssom([MappingRow("urn:nowhere:x", "http://www.w3.org/2004/02/skos/core#exactMatch", "urn:nowhere:y")])


def test_cli_mappings(tmp_path: Path) -> None:
    from yrd_kg.cli.main import main

    out = tmp_path / "m.sssom.tsv"
    res = CliRunner().invoke(main, ["mappings", "--output", str(out)])
    assert res.exit_code == 0, res.output
    assert validate_sssom(out.read_text(encoding="utf-8")) == []


def test_shipped_mappings_have_no_duplicates(graph: Graph) -> None:
    rows = shipped_mappings(graph)
    keys = [(r.subject_id, r.predicate_id, r.object_id, r.object_label if r.object_type else "") for r in rows]
    assert len(keys) == len(set(keys))
