"""Plain pySHACL (advanced=True, every shape including SPARQL ones) as the reference report, as comparable keys.

Shared by tests/test_shacl_sets.py and tests/test_shapes_portable.py (one pySHACL run per data set per
session). A key is (focus, path, value, source shape, component, severity): blank nodes as ``_:``,
numeric literals by value (pyoxigraph stores ``"1.0"^^xsd:decimal`` as ``1``), other literals by form.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "tests" / "fixtures" / "shapes"
ONTOLOGY = ROOT / "ontology" / "yrd.ttl"
Key = tuple[str | None, ...]
_NUMERIC = {XSD[t] for t in ("decimal", "integer", "double", "float", "long", "int", "short", "byte", "nonNegativeInteger",
                              "positiveInteger", "nonPositiveInteger", "negativeInteger", "unsignedLong",
                              "unsignedInt", "unsignedShort", "unsignedByte")}


def term_key(t: Node | None) -> str | None:
    """A term as compared across engines."""
    if t is None:
        return None
    if isinstance(t, BNode):
        return "_:"
    if isinstance(t, Literal):
        if t.datatype in _NUMERIC:
            try:
                return "num:" + format(Decimal(str(t)).normalize(), "f")
            except InvalidOperation:
                pass
        # rdflib (pySHACL's side) normalises some lexical forms ("none"^^xsd:boolean → "false"); compare those
        return "lit:" + str(Literal(str(t), lang=t.language, datatype=t.datatype))
    return str(t)


def report_keys(report: Graph) -> Counter[Key]:
    """The keys of every result of a report graph."""
    out: Counter[Key] = Counter()
    for r in report.subjects(RDF.type, SH.ValidationResult):
        path = report.value(r, SH.resultPath)
        out[(term_key(report.value(r, SH.focusNode)), term_key(path) if isinstance(path, URIRef | BNode) else None,
             term_key(report.value(r, SH.value)), term_key(report.value(r, SH.sourceShape)),
             term_key(report.value(r, SH.sourceConstraintComponent)), term_key(report.value(r, SH.resultSeverity)))] += 1
    return out


@cache
def shapes() -> Graph:
    """The shipped shapes graph."""
    from yrd_kg.validate.shapes import load_shapes

    return load_shapes()


@cache
def data(files: tuple[Path, ...] | None) -> Graph:
    """The data validate() checks: ontology, data and derived direct triples (``None``: the paper's graph)."""
    from yrd_kg.dataset.store import dataset_from_files, open_dataset

    return (dataset_from_files(files) if files is not None else open_dataset()).rdflib_graph()


@cache
def pyshacl_keys(files: tuple[Path, ...] | None) -> Counter[Key]:
    """Plain pySHACL's report on the data, as keys."""
    from pyshacl import validate

    _c, report, _t = validate(data(files), shacl_graph=shapes(), advanced=True, allow_warnings=True,
                              allow_infos=True, inplace=False)
    assert isinstance(report, Graph)
    return report_keys(report)


def fixture_files(name: str) -> tuple[Path, ...]:
    """The ontology and one fixture file (``base``, ``invalid/<case>`` or ``valid/<case>``)."""
    return (ONTOLOGY, FIX / f"{name}.ttl")


#: fixtures compared in the default run (one per kind of constraint); the others are ``slow``
FAST = ("base", "invalid/ic-12", "invalid/measure-type", "invalid/evidence-start", "invalid/industry-link-kind",
        "invalid/pref-label", "invalid/interpreted-rationale", "invalid/printed-form", "valid/ic-12")


def all_fixtures() -> list[str]:
    """Every fixture name: base, then each invalid/valid pair."""
    names = sorted(p.stem for p in (FIX / "invalid").glob("*.ttl"))
    return ["base"] + [f"{k}/{n}" for n in names for k in ("invalid", "valid")]
