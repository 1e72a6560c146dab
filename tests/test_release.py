"""`yrd-kg release`: one version number, versioned artefacts that parse, a VoID/DCAT description its shape accepts,
SSSOM that sssom-py validates, checksums that verify, and no released IRI that goes away undeprecated."""

from __future__ import annotations

import hashlib
import json
import tomllib
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, VOID, XSD

from yrd_kg.namespaces import BASE, ONTOLOGY_IRI, VERSION, VERSION_IRI
from yrd_kg.release.artefacts import CHECKSUMS, check_description, make_release, verify_checksums
from yrd_kg.release.terms import current_terms, missing_or_undeprecated, read_terms

ROOT = Path(__file__).resolve().parents[1]
DATASET = URIRef(BASE + "dataset")
ENDPOINT = "http://127.0.0.1:7879/query"


@pytest.fixture(scope="module")
def release_dir(build_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("release")
    make_release(out, endpoint=ENDPOINT, issued="2025-06-30", build_dir=build_dir)
    return out


# ---------------------------------------------------------------- one version number


def test_one_version_number(build_dir: Path) -> None:
    from yrd_kg.dataset.store import open_dataset

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert VERSION == declared == "0.2.0"
    onto = open_dataset(build_dir).ontology_graph()
    assert (ONTOLOGY_IRI, OWL.versionIRI, URIRef(f"{BASE}ontology/{declared}")) in onto
    assert URIRef(f"{BASE}ontology/{declared}") == VERSION_IRI
    assert {str(o) for o in onto.objects(ONTOLOGY_IRI, OWL.versionInfo)} == {declared}


def test_cli_version_is_the_declared_one() -> None:
    from yrd_kg.cli.main import main

    assert CliRunner().invoke(main, ["--version"]).output.strip().endswith(VERSION)


# ---------------------------------------------------------------- the artefacts


EXPECTED = {
    f"yrd-ontology-{VERSION}.ttl": ox.RdfFormat.TURTLE, f"yrd-ontology-{VERSION}.owl": ox.RdfFormat.RDF_XML,
    f"yrd-ontology-{VERSION}.jsonld": ox.RdfFormat.JSON_LD, f"yrd-kg-{VERSION}.nq": ox.RdfFormat.N_QUADS,
    f"yrd-kg-{VERSION}.trig": ox.RdfFormat.TRIG, f"yrd-kg-{VERSION}.jsonld": ox.RdfFormat.JSON_LD,
    f"yrd-shapes-{VERSION}.ttl": ox.RdfFormat.TURTLE, f"yrd-kg-{VERSION}.sssom.ttl": ox.RdfFormat.TURTLE,
    "void.ttl": ox.RdfFormat.TURTLE,
}


def test_every_rdf_artefact_parses(release_dir: Path, build_dir: Path) -> None:
    from yrd_kg.dataset.store import open_dataset

    ds = open_dataset(build_dir)
    sizes = {}
    for name, fmt in EXPECTED.items():
        sizes[name] = len(set(ox.parse(path=str(release_dir / name), format=fmt)))
    quads = set(ds.exact_quads())
    assert sizes[f"yrd-kg-{VERSION}.nq"] == sizes[f"yrd-kg-{VERSION}.trig"] == sizes[f"yrd-kg-{VERSION}.jsonld"] == len(quads)
    assert sizes[f"yrd-ontology-{VERSION}.ttl"] == sizes[f"yrd-ontology-{VERSION}.owl"] == len(ds.ontology_graph())
    assert sizes[f"yrd-shapes-{VERSION}.ttl"] == len(ds.shapes_graph())
    assert json.loads((release_dir / f"context-{VERSION}.jsonld").read_text(encoding="utf-8"))["@context"]["yrd"]


def test_checksums_verify_and_catch_a_change(release_dir: Path, tmp_path: Path) -> None:
    lines = (release_dir / CHECKSUMS).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 12 and verify_checksums(release_dir) == []  # 11 distributions and void.ttl
    for line in lines:
        digest, name = line.split("  ")
        assert hashlib.sha256((release_dir / name).read_bytes()).hexdigest() == digest
    copy = tmp_path / "r"
    copy.mkdir()
    for f in release_dir.iterdir():
        (copy / f.name).write_bytes(f.read_bytes())
    (copy / "void.ttl").write_text("# changed\n", encoding="utf-8")
    assert verify_checksums(copy) == ["void.ttl"]


def test_sssom_of_the_release_validates(release_dir: Path) -> None:
    from sssom_support import sssom_validate

    rc, out = sssom_validate(release_dir / f"yrd-kg-{VERSION}.sssom.tsv")
    assert rc == 0, out
    assert (release_dir / f"yrd-kg-{VERSION}.sssom.tsv").read_bytes() == (ROOT / "mappings" / "yrd-kg.sssom.tsv").read_bytes()


# ---------------------------------------------------------------- the description


@pytest.fixture(scope="module")
def void(release_dir: Path) -> Graph:
    return Graph().parse(release_dir / "void.ttl", format="turtle")


def test_description_counts_licence_version_endpoint(void: Graph, release_dir: Path, build_dir: Path) -> None:
    from yrd_kg.dataset.store import open_dataset

    ds = open_dataset(build_dir)
    assert void.value(DATASET, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert void.value(DATASET, OWL.versionInfo) == Literal(VERSION)
    assert void.value(DATASET, DCTERMS.issued) == Literal("2025-06-30", datatype=XSD.date)
    assert void.value(DATASET, VOID.sparqlEndpoint) == URIRef(ENDPOINT)
    subsets = {str(s): int(void.value(s, VOID.triples)) for s in void.objects(DATASET, VOID.subset)}
    assert set(subsets) == set(ds.graph_names())
    actors = sum(1 for _ in ds.quads(f"{BASE}graph/data/actors"))
    assert subsets[f"{BASE}graph/data/actors"] == actors > 100
    assert int(void.value(DATASET, VOID.triples)) == sum(subsets.values()) == len(set(ds.exact_quads()))
    dists = set(void.objects(DATASET, DCAT.distribution))
    assert len(dists) == 11
    for d in dists:
        name = str(d).rsplit("/", 1)[-1]
        assert int(void.value(d, DCAT.byteSize)) == (release_dir / name).stat().st_size


def test_description_shape_accepts_it_and_catches_faults(void: Graph) -> None:
    assert check_description(void) == []
    no_licence = Graph() + void
    no_licence.remove((DATASET, DCTERMS.license, None))
    assert any("exactly one licence" in m for m in check_description(no_licence))
    wrong_sum = Graph() + void
    wrong_sum.set((DATASET, VOID.triples, Literal(5, datatype=XSD.integer)))
    assert any("not the sum of the graphs' triples" in m for m in check_description(wrong_sum))
    bad_version = Graph() + void
    bad_version.set((DATASET, OWL.versionInfo, Literal("0.2")))
    assert any("major.minor.patch" in m for m in check_description(bad_version))


def test_cli_release_without_endpoint(tmp_path: Path, build_dir: Path) -> None:
    from yrd_kg.cli.main import main

    res = CliRunner().invoke(main, ["release", "-o", str(tmp_path / "r"), "--issued", "2025-06-30",
                                    "--build-dir", str(build_dir)])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["files"] == 13
    g = Graph().parse(tmp_path / "r" / "void.ttl")
    assert g.value(DATASET, VOID.sparqlEndpoint) is None
    res = CliRunner().invoke(main, ["release", "-o", str(tmp_path / "s"), "--issued", "30/06/2025",
                                    "--build-dir", str(build_dir)])
    assert res.exit_code == 2 and "ISO date" in res.output


# ---------------------------------------------------------------- deprecation, not deletion


def test_no_released_iri_goes_away(build_dir: Path) -> None:
    """Every IRI of every committed release term list is still described, live or deprecated with a replacement."""
    from yrd_kg.dataset.store import open_dataset

    lists = sorted((ROOT / "release").glob("terms-*.txt"))
    assert [p.name for p in lists] >= [f"terms-{VERSION}.txt"]
    ds = open_dataset(build_dir)
    for path in lists:
        released = read_terms(path)
        assert len(released) > 900
        assert missing_or_undeprecated(released, ds) == {}, path.name


def test_the_deprecated_instrument_is_kept_with_its_replacement(build_dir: Path) -> None:
    from yrd_kg.dataset.store import open_dataset

    ds = open_dataset(build_dir)
    old = f"{BASE}id/instrument/credit-rating"
    assert old in read_terms(ROOT / "release" / f"terms-{VERSION}.txt")
    assert old in current_terms(ds)
    onto = ds.rdflib_graph()
    assert (URIRef(old), OWL.deprecated, Literal(True)) in onto
    assert onto.value(URIRef(old), DCTERMS.isReplacedBy) == URIRef(f"{BASE}id/actor/national-security-credit-rating")


def test_a_dropped_or_bare_deprecated_iri_is_caught(build_dir: Path) -> None:
    from yrd_kg.dataset.store import dataset_from_files

    released = [f"{BASE}id/problem/P1.1", f"{BASE}id/problem/P9.9"]
    f = Path(build_dir).parent / "mini-terms.ttl"
    f.write_text(f"<{BASE}id/problem/P1.1> <http://www.w3.org/2002/07/owl#deprecated> true .\n", encoding="utf-8")
    ds = dataset_from_files([f])
    problems = missing_or_undeprecated(released, ds)
    assert problems == {f"{BASE}id/problem/P9.9": "no longer described (deprecate it: owl:deprecated true, "
                                                  "dcterms:isReplacedBy)",
                        f"{BASE}id/problem/P1.1": "deprecated without dcterms:isReplacedBy"}
