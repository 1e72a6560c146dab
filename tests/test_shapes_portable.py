"""The shipped shapes are portable: plain pySHACL (advanced=True, SPARQL constraints included) gives the
report ``yrd-kg validate`` gives, focus node by focus node, on the paper's graph and on the fixtures.

validate() runs pySHACL on the core shapes and its own runner for ``sh:sparql``; a user with a standard
engine must get the same answer (issue 15: pySHACL alone reported 2,745 IC-12 "duplicates" on the paper,
an artefact of rdflib's scoping of FILTER inside a nested group under NOT EXISTS; see cube.ttl).
Compared: (focus, path, source shape, component, severity) of every SHACL result; violation queries
and evidence anchoring are validate()'s own stages and are left out.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from shacl_reference import FAST, all_fixtures, fixture_files, pyshacl_keys
from yrd_kg.namespaces import PREFIXES
from yrd_kg.validate.report import ValidationReport
from yrd_kg.validate.run import validate

Short = tuple[str | None, ...]


def _expand(qname: str | None) -> str | None:
    if qname is None:
        return None
    if qname.startswith("<") and qname.endswith(">"):
        return qname[1:-1]
    if ":" not in qname:  # a complex path (sh:alternativePath …): validate() gives the blank node's id
        return "_:"
    pfx, _, local = qname.partition(":")
    return str(PREFIXES[pfx]) + local if pfx in PREFIXES else qname


def _shape(s: str | None) -> str | None:
    """validate() names an anonymous property shape ``<parent>/<path>``; pySHACL's keys have ``_:``."""
    if s is None or s.startswith("_:") or "/" in s.rsplit("#", 1)[-1]:
        return "_:"
    return s


def validate_keys(rep: ValidationReport) -> Counter[Short]:
    return Counter(("_:" if r.focus_node.startswith("_:") else r.focus_node, _expand(r.path), _shape(r.source_shape),
                    r.constraint_component, str(r.severity.iri)) for r in rep.results if r.stage in ("shacl", "sparql"))


def reference(files: tuple[Path, ...] | None) -> Counter[Short]:
    return Counter({(k[0], k[1], k[3], k[4], k[5]): n for k, n in pyshacl_keys(files).items()})


def _diff(got: Counter[Short], want: Counter[Short]) -> str:
    return f"only in validate(): {dict(got - want)}\nonly in plain pySHACL: {dict(want - got)}"


@pytest.mark.parametrize("name", [pytest.param(n, marks=[] if n in FAST else [pytest.mark.slow])
                                  for n in all_fixtures()])
def test_fixture_plain_pyshacl_equals_validate(name: str) -> None:
    files = fixture_files(name)
    got = validate_keys(validate(data_files=list(files)))
    assert got == reference(files), _diff(got, reference(files))


def test_ic12_fixture_reports_only_the_real_duplicate() -> None:
    """Plain pySHACL finds the one duplicate the IC-12 fixture adds, and no other pair of its data sets."""
    ic12 = [k for k in reference(fixture_files("invalid/ic-12")) if k[2] and k[2].endswith("IC12NoDuplicateShape")]
    assert [k[0] for k in ic12] == ["https://w3id.org/yrd-kg/id/dataset/t2"]
    assert reference(fixture_files("valid/ic-12")) == Counter()


@pytest.mark.slow
def test_paper_graph_plain_pyshacl_equals_validate() -> None:
    """On the paper's graph: 0 Violations, 2 Warnings, 11 Infos from both (no IC-12 duplicate)."""
    got = validate_keys(validate())
    want = reference(None)
    assert got == want, _diff(got, want)
    assert Counter(k[4].rsplit("#")[-1] for k in want.elements()) == {"Warning": 2, "Info": 14}
