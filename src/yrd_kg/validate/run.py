"""Validation: SHACL shapes, SHACL-SPARQL constraints, violation queries and evidence anchoring, one typed report.

Pipeline (:func:`validate`):

1. the data: the built dataset (:func:`yrd_kg.dataset.store.open_dataset`; ontology + data + derived
   direct triples), a dataset made from ``data_files``, or a caller's rdflib ``graph``; validation never
   changes what it was given;
2. pySHACL runs the core constraints of the shapes (the build's ``shapes.nq`` by default). Entailment:
   see ``docs/VALIDATION.md``;
3. the ``sh:sparql`` constraints and every ``queries/*-violation.rq`` run on the pyoxigraph store;
4. when a source text is given, every evidence quote is re-anchored (:mod:`yrd_kg.validate.evidence`).

Each result carries the focus node's readable label (never a bare blank node), the message in Chinese
and English, and the evidence quote of the focus node where it has one.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from yrd_kg.dataset.loader import LoadError
from yrd_kg.dataset.store import Dataset, dataset_from_files, open_dataset
from yrd_kg.dataset.terms import from_graph, to_ox
from yrd_kg.namespaces import YRD
from yrd_kg.sparql.catalogue import SavedQuery, list_queries, load_query
from yrd_kg.validate.labels import Labeller
from yrd_kg.validate.report import (
    EVIDENCE_ANCHORING,
    Severity,
    ValidationError,
    ValidationReport,
    ValidationResult,
)
from yrd_kg.validate.shacl import run_shacl, shacl_results
from yrd_kg.validate.shapes import UnsafeShapesError, check_shapes, load_shapes
from yrd_kg.validate.violations import run_queries
from yrd_kg.worker import DEFAULT_TIMEOUT, SandboxTimeout, run_with_timeout

#: the named graph a caller's rdflib graph is put in for the SPARQL stages
_INPUT_GRAPH = ox.NamedNode("urn:x-yrd-kg:validate:input")


def violation_queries() -> list[SavedQuery]:
    """The shipped violation queries (``queries/*-violation.rq``), from the catalogue."""
    return list_queries(kind="violation")


def _evidence_results(graph: Graph, source: Path, labels: Labeller) -> list[ValidationResult]:
    from yrd_kg.validate.anchoring import read_source
    from yrd_kg.validate.evidence import verify_graph

    rep = verify_graph(graph, read_source(source), source)
    out: list[ValidationResult] = []
    for m in rep.span_mismatches:
        out.append(ValidationResult(
            Severity.VIOLATION, m.part, labels.label(URIRef(m.part)), labels.qname(YRD.spanStart),
            f"{m.stored[0]}–{m.stored[1]}", str(EVIDENCE_ANCHORING), "verify-evidence",
            f"文档部分 {m.notation} 的跨度与原文不符：记录为 [{m.stored[0]}, {m.stored[1]})，原文切分为 {m.computed}",
            f"Document part {m.notation}: {m.reason}", None, "evidence"))
    for o in rep.orphans:
        node = URIRef(o.node)
        owner = labels.label(URIRef(o.supports)) if o.supports else "?"
        out.append(ValidationResult(
            Severity.VIOLATION, o.node, labels.label(node), labels.qname(YRD.quote), o.quote,
            str(EVIDENCE_ANCHORING), "verify-evidence",
            f"「{owner}」的证据引文在原文中无法定位（{labels.qname(URIRef(o.locator)) if o.locator else '无定位'}）：{o.reason}",
            f"Evidence quote of “{owner}” does not anchor in the source "
            f"({labels.qname(URIRef(o.locator)) if o.locator else 'no locator'}): {o.reason}",
            o.quote, "evidence"))
    return out



_ORDER = {Severity.VIOLATION: 0, Severity.WARNING: 1, Severity.INFO: 2}


def _data(dataset: Dataset | None, graph: Graph | None, data_files: Iterable[Path] | None,
          bnodes: dict[str, Node], literals: dict[str, Node]) -> tuple[Dataset, Graph]:
    """The dataset the SPARQL stages query and the rdflib graph pySHACL reads, for the given input.

    For a caller's graph, ``bnodes`` and ``literals`` map what the store shows (skolem IRIs of blank nodes it
    cannot label, numbers in canonical form) back to the caller's own terms.
    """
    if graph is not None:
        store = ox.Store()
        store.extend(from_graph(graph, _INPUT_GRAPH, bnodes))
        _literal_forms(graph, literals)
        return Dataset(store, source="graph", shapes_quads=[]), graph
    try:
        ds = dataset if dataset is not None else (
            dataset_from_files(data_files) if data_files is not None else open_dataset())
    except LoadError as exc:
        raise ValidationError(str(exc)) from exc
    return ds, ds.rdflib_graph()


def _literal_forms(graph: Graph, literals: dict[str, Node]) -> None:
    """The store's canonical form of each typed literal of ``graph`` (``"4.0"^^xsd:decimal`` is ``4``) → the literal."""
    typed = sorted({o for o in graph.objects() if isinstance(o, Literal) and o.datatype is not None}, key=str)
    if not typed:
        return
    scratch = ox.Store()
    p = ox.NamedNode("urn:x-yrd-kg:value")
    scratch.extend(ox.Quad(ox.NamedNode(f"urn:x-yrd-kg:{i}"), p, to_ox(o)) for i, o in enumerate(typed))
    for q in scratch:
        literals[str(q.object)] = typed[int(q.subject.value.rsplit(":", 1)[1])]


ENGINES = ("sets", "pyshacl")


def validate(*, source: Path | None = None, lang: str = "en", data_files: Iterable[Path] | None = None,
             shapes: Iterable[Path] | None = None, queries: Iterable[Path] | None = None,
             inference: str = "none", graph: Graph | None = None, dataset: Dataset | None = None,
             engine: str = "sets") -> ValidationReport:
    """Validate the built dataset (or ``dataset``, ``data_files`` or ``graph``) and return one typed report.

    ``source``: the paper's text; when given, every evidence quote is re-anchored in it (a missing file
    or a wrong checksum raises :class:`~yrd_kg.validate.anchoring.SourceError`). ``lang`` chooses the
    language of the focus labels. ``shapes`` / ``queries`` default to the shipped ones (shapes from the
    build). ``inference``: ``none`` (default: SHACL's own subclass semantics over the ontology), ``rdfs``,
    ``owlrl`` or ``rl`` (both the OWL 2 RL closure; :mod:`yrd_kg.validate.inference`, cached per dataset).
    ``engine``: ``sets`` (default: every constraint one SPARQL query on pyoxigraph, :mod:`yrd_kg.validate.sets`)
    or ``pyshacl`` (the reference engine, every constraint; the set engine falls back to it for the constraint
    kinds it does not evaluate and says so in ``engine``).
    """
    if engine not in ENGINES:
        raise ValidationError(f"unknown validation engine {engine!r}; expected one of {', '.join(ENGINES)}")
    from yrd_kg.validate.inference import with_inferences

    t0 = time.perf_counter()
    bnodes: dict[str, Node] = {}
    literals: dict[str, Node] = {}
    ds, data = _data(dataset, graph, data_files, bnodes, literals)
    shapes_graph = load_shapes(shapes, ds if ds.source not in ("graph", "memory") else None)
    try:
        check_shapes(shapes_graph)  # SERVICE / LOAD / remote FROM in a shape: refused before anything runs
    except UnsafeShapesError as exc:
        raise ValidationError(str(exc)) from exc
    qs = violation_queries() if queries is None else [load_query(Path(p)) for p in queries]
    labels = Labeller(data, lang)
    t1 = time.perf_counter()
    fallback = ""
    if engine == "sets":
        from yrd_kg.validate.sets.engine import evaluate
        from yrd_kg.validate.sets.prebinding import ShapesForbidden, UnsupportedShapes
        from yrd_kg.validate.sets.report import set_results

        checked = with_inferences(ds, inference)
        try:
            hits = evaluate(checked.store, shapes_graph, use_default_graph_as_union=True)
            results = set_results(hits, shapes_graph, labels, bnodes, literals)
        except ShapesForbidden as exc:
            raise ValidationError(f"the shapes cannot be applied: {exc}") from exc
        except UnsupportedShapes as exc:  # an engine gap, not invalid SHACL: the reference engine runs them
            fallback = str(exc)
            engine = "pyshacl"
    if engine == "pyshacl":
        report = run_shacl(data, shapes_graph, inference=inference)  # every constraint, SHACL-SPARQL included
        results = shacl_results(report, shapes_graph, labels)
    t2 = time.perf_counter()
    results += run_queries(ds.query, bnodes, qs, labels)  # the data as built, without entailed triples
    t3 = time.perf_counter()
    if source is not None:
        results += _evidence_results(data, Path(source), labels)
    t4 = time.perf_counter()
    results.sort(key=lambda r: (_ORDER[r.severity], r.source_shape or "", r.focus_label, r.path or "",
                                r.value or "", r.message_en, r.focus_node))
    counts = Counter(r.severity.value for r in results)
    import pyshacl

    desc = (f"set-based on pyoxigraph {ox.__version__} (every constraint one query)" if engine == "sets"
            else f"pySHACL {pyshacl.__version__} (the reference engine; slow on SHACL-SPARQL)")
    if fallback:
        desc += f" — the set-based engine does not evaluate these shapes ({fallback})"
    info = {
        "shacl": desc,
        "queries": f"pyoxigraph {ox.__version__}",
        "inference": inference,
        "triples": str(len(data)),
        "shapes": str(len(shapes_graph)),
        "violation_queries": str(len(qs)),
        "evidence": str(source) if source is not None else "skipped",
        "seconds": f"load {t1 - t0:.2f}, shapes {t2 - t1:.2f}, queries {t3 - t2:.2f}, evidence {t4 - t3:.2f}",
    }
    return ValidationReport(
        conforms=counts.get("Violation", 0) == 0,
        results=results,
        counts={s.value: counts.get(s.value, 0) for s in Severity},
        engine=info,
    )


class ValidationIncomplete(SandboxTimeout):
    """Validation was stopped by its time limit: the result is *incomplete*, not "conforms"."""

    def __init__(self, what: str, timeout: float) -> None:
        super().__init__(what, timeout)
        self.args = (f"incomplete: {what} exceeded {timeout:g} s and was stopped; the data were NOT shown to conform "
                     "(raise the limit with --timeout)",)



def _validate_worker(kwargs: dict[str, Any]) -> ValidationReport:
    check_shapes(load_shapes(kwargs.get("shapes"), kwargs.get("dataset")))  # UnsafeShapesError as it is
    return validate(**kwargs)


def validate_limited(*, timeout: float = DEFAULT_TIMEOUT, memory_mb: int | None = None,
                     shapes: Iterable[Path] | None = None, **kwargs: Any) -> ValidationReport:
    """:func:`validate` in a worker with no network, a wall-clock limit and a memory cap.

    Everything runs in the worker (:func:`yrd_kg.worker.run_with_timeout` with ``network=False``): loading
    and checking the shapes (:func:`check_shapes`, before anything else runs), loading the data, pySHACL,
    the SPARQL constraints. A timeout raises :class:`ValidationIncomplete`: never "conforms". The caller's
    ``graph`` is not changed (the worker works on its own copy-on-write copy).
    """
    if shapes is not None:
        kwargs["shapes"] = list(shapes)
    try:
        return run_with_timeout(_validate_worker, kwargs, timeout=timeout, memory_mb=memory_mb, what="validation",
                                network=False)
    except SandboxTimeout as exc:
        raise ValidationIncomplete("validation", exc.timeout) from None
