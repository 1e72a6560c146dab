"""OWL reasoning over the ontology and the data: HermiT (through owlready2) and a Java-free OWL-RL closure.

HermiT runs in a child Python process, in a scratch owlready2 World inside a temporary folder, so
inference never writes into the sources and a hung or runaway reasoner can be killed. The graph it
reasons over is ``ontology/yrd.ttl`` plus (by default) ``data/*.ttl`` and the direct triples derived
from the qualified ``yrd:Link`` nodes. owlready2 does not read Turtle: the graph is converted to
RDF/XML with rdflib first.

>>> from yrd_kg.namespaces import ONTOLOGY_IRI
>>> (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology_graph()
True
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.term import Node

import yrd_kg.resources as resources
from yrd_kg.namespaces import BASE, YRD

#: default wall-clock limit for HermiT (seconds)
DEFAULT_TIMEOUT = 120.0
#: default Java heap for HermiT (MB); owlready2's own default is 2000
DEFAULT_MEMORY_MB = 2000
#: where the data's remaining blank nodes are given IRIs before reasoning (scratch copy only)
GENID = BASE + ".well-known/genid/"

_OWLRL_ERROR = URIRef("http://www.daml.org/2002/03/agents/agent-ont#ErrorMessage")
_SKIP_TYPES = {OWL.Thing, OWL.NamedIndividual, RDFS.Resource}


# --------------------------------------------------------------------------------------------------
# errors and results
# --------------------------------------------------------------------------------------------------


class ReasonerError(Exception):
    """The reasoner could not give an answer (not the same as "inconsistent")."""

    kind = "error"


class JavaNotFoundError(ReasonerError):
    """No ``java`` on PATH: HermiT needs a Java runtime."""

    kind = "java-missing"


class ReasonerOutOfMemoryError(ReasonerError):
    """The Java heap was too small (``java.lang.OutOfMemoryError``)."""

    kind = "out-of-memory"


class ReasonerTimeoutError(ReasonerError):
    """HermiT did not finish within the time limit and was killed."""

    kind = "timeout"


@dataclass
class ReasoningReport:
    """What HermiT found: consistency, unsatisfiable classes and the inferred statements."""

    consistent: bool
    reasoner: str
    seconds: float
    input_triples: int
    include_data: bool
    unsatisfiable: list[str] = field(default_factory=list)
    inferred_types: list[tuple[str, str]] = field(default_factory=list)
    inferred_properties: list[tuple[str, str, str]] = field(default_factory=list)
    inferred_axioms: list[tuple[str, str, str]] = field(default_factory=list)
    #: clashes found in the OWL-RL closure when HermiT says "inconsistent", to say why
    explanations: list[str] = field(default_factory=list)
    inferred: Graph = field(default_factory=Graph, repr=False)

    @property
    def coherent(self) -> bool:
        """Consistent and without unsatisfiable classes."""
        return self.consistent and not self.unsatisfiable

    def summary(self) -> str:
        """One line for humans."""
        if not self.consistent:
            return f"INCONSISTENT ({self.reasoner}, {self.input_triples} triples, {self.seconds:.1f} s)"
        return (
            f"consistent ({self.reasoner}, {self.input_triples} triples, {self.seconds:.1f} s): "
            f"{len(self.unsatisfiable)} unsatisfiable class(es), {len(self.inferred_types)} inferred type(s), "
            f"{len(self.inferred_properties)} inferred property assertion(s)"
        )


# --------------------------------------------------------------------------------------------------
# graphs
# --------------------------------------------------------------------------------------------------


def ontology_path() -> Path:
    """The OWL ontology in Turtle (``ontology/yrd.ttl``)."""
    return resources.ontology_dir() / "yrd.ttl"


def ontology_graph() -> Graph:
    """The ontology as an rdflib graph."""
    g = Graph()
    g.parse(ontology_path(), format="turtle")
    return g


def to_rdfxml(graph: Graph, path: Path | str) -> Path:
    """Write ``graph`` as RDF/XML (the format owlready2 reads) and return the path."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    graph.serialize(destination=str(out), format="xml", encoding="utf-8")
    return out


def derive_links(g: Graph) -> Graph:
    """The direct triples stated by the ``yrd:Link`` nodes of ``g`` (subject, predicate, object).

    Uses ``yrd_kg.build.derive_links`` where it exists, so reasoning sees exactly what the build derives.
    """
    try:
        from yrd_kg.dataset.build import derive_links as build_derive
    except ImportError:  # pragma: no cover - the build module is optional for this one
        out = Graph()
        for link in g.subjects(RDF.type, YRD.Link):
            s, p, o = g.value(link, YRD.linkSubject), g.value(link, YRD.linkPredicate), g.value(link, YRD.linkObject)
            if isinstance(s, URIRef) and isinstance(p, URIRef) and o is not None:
                out.add((s, p, o))
        return out
    return build_derive(g)


def _skolemise_data(g: Graph) -> Graph:
    """Give the data's blank nodes IRIs (Links/Evidence as the build does; the rest under ``GENID``).

    RDF list cells are left blank. Only ever applied to a scratch copy.
    """
    try:
        from yrd_kg.dataset.build import skolemise as build_skolemise

        g = build_skolemise(g)
    except ImportError:  # pragma: no cover
        pass
    lists = set(g.subjects(RDF.first, None)) | set(g.subjects(RDF.rest, None))
    if not any(isinstance(t, BNode) and t not in lists for tr in g for t in tr):
        return g

    def iri(t: Node) -> Node:
        return URIRef(GENID + str(t)) if isinstance(t, BNode) and t not in lists else t

    out = Graph()
    for s, p, o in g:
        out.add((iri(s), p, iri(o)))
    return out


def data_files() -> list[Path]:
    """The data files, in a fixed order."""
    return sorted(resources.data_dir().glob("*.ttl"))


def data_graph(files: Iterable[Path] | None = None) -> Graph:
    """``data/*.ttl`` (or ``files``) merged, blank nodes given IRIs, plus the triples derived from Links."""
    g = Graph()
    for f in data_files() if files is None else files:
        g.parse(f, format="turtle")
    g = _skolemise_data(g)
    g += derive_links(g)
    return g


def reasoning_graph(*, include_data: bool = True, files: Iterable[Path] | None = None) -> Graph:
    """The ontology plus (by default) the data and derived links: what HermiT is given."""
    g = ontology_graph()
    if include_data:
        g += data_graph(files)
    return g


# --------------------------------------------------------------------------------------------------
# HermiT through owlready2, in a child process
# --------------------------------------------------------------------------------------------------


def java_executable() -> str | None:
    """The ``java`` on PATH, or None."""
    return shutil.which("java")


def _require_java() -> str:
    java = java_executable()
    if java is None:
        raise JavaNotFoundError(
            "Java runtime not found: HermiT needs `java` on PATH (e.g. `apt-get install default-jre-headless`). "
            "For a Java-free check use the OWL-RL closure (yrd_kg.reason.materialise_rl)."
        )
    return java


def run_hermit(
    graph: Graph,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    memory_mb: int = DEFAULT_MEMORY_MB,
    include_data: bool = True,
    property_values: bool = True,
    explain: bool = True,
) -> ReasoningReport:
    """Run HermiT on ``graph`` and report; raises a :class:`ReasonerError` when it cannot answer.

    ``property_values`` asks HermiT for inferred object-property assertions too (``-Y``: about
    three times slower); ``explain`` runs the OWL-RL closure on an inconsistent graph to say why.
    """
    java = _require_java()
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="yrd-kg-reason-") as tmp:
        work = Path(tmp)
        owl = to_rdfxml(graph, work / "input.owl")
        cmd = [sys.executable, "-m", "yrd_kg.reason.hermit", str(owl), str(work), str(int(memory_mb)), java]
        if property_values:
            cmd.append("--property-values")
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True, cwd=tmp)
        try:
            out, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            raise ReasonerTimeoutError(
                f"HermiT did not finish within {timeout:g} s and was stopped (raise it with --timeout)."
            ) from None
        log = out.decode("utf-8", "replace") if out else ""
        result_file = work / "result.json"
        if "OutOfMemoryError" in log or "java.lang.OutOfMemoryError" in _read(result_file):
            raise ReasonerOutOfMemoryError(f"HermiT ran out of memory with a {memory_mb} MB Java heap (raise it with --memory).")
        if not result_file.is_file():
            raise ReasonerError(f"the reasoning worker failed (exit {proc.returncode}):\n{log[-4000:]}")
        result = json.loads(result_file.read_text(encoding="utf-8"))
        status = result["status"]
        if status == "java-error":
            raise ReasonerError(f"HermiT failed:\n{result['message'][-4000:]}")
        report = ReasoningReport(
            consistent=status == "consistent",
            reasoner="HermiT (owlready2)",
            seconds=time.monotonic() - t0,
            input_triples=len(graph),
            include_data=include_data,
            unsatisfiable=sorted(result.get("unsatisfiable", [])),
        )
        inferred_file = work / "inferred.nt"
        if report.consistent and inferred_file.is_file():
            _fill_inferences(report, graph, inferred_file)
    if not report.consistent and explain:
        report.explanations = explain_clashes(graph)
    return report


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Stop the worker and its Java child (the process group this module started)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
    proc.wait()


def _fill_inferences(report: ReasoningReport, asserted: Graph, inferred_file: Path) -> None:
    inferred = Graph()
    inferred.parse(inferred_file, format="nt")
    schema = {
        t
        for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
        for t in asserted.subjects(RDF.type, kind)
    }
    keep = Graph()
    for s, p, o in inferred:
        if (s, p, o) in asserted or not isinstance(s, URIRef):
            continue
        if p == OWL.imports or (p == RDF.type and o == OWL.Ontology):
            continue
        if p == RDF.type:
            # owlready2 writes a punned term's inferred super-property as rdf:type: not an individual's type
            if o in _SKIP_TYPES or not isinstance(o, URIRef) or s in schema or (o, RDF.type, OWL.Class) not in asserted:
                continue
            report.inferred_types.append((str(s), str(o)))
        elif p in (RDFS.subClassOf, OWL.equivalentClass, RDFS.subPropertyOf, OWL.equivalentProperty):
            if o == OWL.Nothing:
                continue
            report.inferred_axioms.append((str(s), str(p), str(o)))
        else:
            report.inferred_properties.append((str(s), str(p), str(o)))
        keep.add((s, p, o))
    report.inferred_types.sort()
    report.inferred_properties.sort()
    report.inferred_axioms.sort()
    report.inferred = keep


def reason(
    *,
    include_data: bool = True,
    files: Iterable[Path] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    memory_mb: int = DEFAULT_MEMORY_MB,
    property_values: bool = True,
    explain: bool = True,
) -> ReasoningReport:
    """HermiT over the ontology and (by default) the data with derived links."""
    _require_java()  # fail before building the graph
    graph = reasoning_graph(include_data=include_data, files=files)
    return run_hermit(
        graph,
        timeout=timeout,
        memory_mb=memory_mb,
        include_data=include_data,
        property_values=property_values,
        explain=explain,
    )


def _worker(owl_file: str, work_dir: str, memory_mb: int, java: str, property_values: bool) -> int:
    """Child process: load the RDF/XML into a scratch World and run HermiT; write result.json."""
    work = Path(work_dir)
    tempfile.tempdir = str(work)  # owlready2 writes HermiT's input file here, not in /tmp
    import owlready2
    import owlready2.reasoning

    owlready2.JAVA_EXE = java
    owlready2.reasoning.JAVA_MEMORY = int(memory_mb)
    world = owlready2.World(filename=str(work / "world.sqlite3"))
    result: dict[str, object]
    try:
        world.get_ontology(Path(owl_file).resolve().as_uri()).load()
        owlready2.sync_reasoner_hermit(world, infer_property_values=property_values, debug=0, ignore_unsupported_datatypes=True)
    except owlready2.OwlReadyInconsistentOntologyError:
        result = {"status": "inconsistent"}
    except owlready2.OwlReadyJavaError as e:
        result = {"status": "java-error", "message": str(e)}
    else:
        unsat = [c.iri for c in world.inconsistent_classes() if getattr(c, "iri", None) != str(OWL.Nothing)]
        inferred = world.get_ontology("http://inferrences/")
        inferred.save(file=str(work / "inferred.nt"), format="ntriples")
        result = {"status": "consistent", "unsatisfiable": unsat}
    (work / "result.json").write_text(json.dumps(result), encoding="utf-8")
    world.close()
    return 0


# --------------------------------------------------------------------------------------------------
# Java-free: OWL 2 RL closure
# --------------------------------------------------------------------------------------------------


def rl_engine() -> str:
    """The OWL-RL engine :func:`materialise_rl` uses: ``reasonable`` (Rust) if installed, else ``owlrl``."""
    try:
        import reasonable  # noqa: F401
    except ImportError:
        return "owlrl"
    return "reasonable"


def _closure_reasonable(graph: Graph) -> Iterable[tuple[Node, Node, Node]]:
    import reasonable

    r = reasonable.PyReasoner()
    r.from_graph(graph)
    for s, p, o in r.reason():
        # reasonable returns plain literals as xsd:string-typed ones: give them back their input form
        if isinstance(o, Literal) and o.datatype == XSD.string and (s, p, o) not in graph:
            o = Literal(str(o))
        yield s, p, o


def _closure_owlrl(graph: Graph) -> Iterable[tuple[Node, Node, Node]]:
    import owlrl

    g = Graph()
    g += graph
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(g)
    errors = set(g.subjects(RDF.type, _OWLRL_ERROR))
    return (t for t in g if t[0] not in errors)


def materialise_rl(graph: Graph, *, engine: str | None = None) -> Graph:
    """Return a new graph: ``graph`` plus its OWL 2 RL closure.

    The SHACL shapes assume this entailment (the OWL 2 RL rules, which include RDFS): rdf:type
    through rdfs:subClassOf, rdfs:domain and rdfs:range, rdfs:subPropertyOf, owl:inverseOf,
    owl:TransitiveProperty, owl:equivalentClass/Property, owl:sameAs. ``engine`` is ``"reasonable"``
    (default when installed, ~15x faster) or ``"owlrl"``. Engine noise is dropped so both give the
    same instance-level result: reflexive owl:sameAs, ``rdf:type owl:Thing``, literals as subjects
    and owlrl's error-message nodes (clashes: see :func:`explain_clashes`).
    """
    engine = engine or rl_engine()
    if engine == "reasonable":
        inferred = _closure_reasonable(graph)
    elif engine == "owlrl":
        inferred = _closure_owlrl(graph)
    else:
        raise ValueError(f"unknown OWL-RL engine {engine!r} (reasonable, owlrl)")
    out = Graph()
    for prefix, ns in graph.namespaces():
        out.bind(prefix, ns, override=False)
    out += graph
    for s, p, o in inferred:
        if isinstance(s, Literal) or (p == OWL.sameAs and s == o) or (p == RDF.type and o == OWL.Thing):
            continue
        out.add((s, p, o))
    return out


_NUMERIC = {XSD.integer, XSD.int, XSD.long, XSD.short, XSD.nonNegativeInteger, XSD.positiveInteger}
_COMPATIBLE: dict[URIRef, set[URIRef | None]] = {
    XSD.integer: set(_NUMERIC),
    XSD.decimal: {*_NUMERIC, XSD.decimal},
    XSD.string: {None, XSD.string},
    XSD.gYear: {XSD.gYear},
}


def _members(g: Graph, node: Node | None) -> list[Node]:
    from rdflib.collection import Collection

    return list(Collection(g, node)) if isinstance(node, BNode | URIRef) else []


def explain_clashes(graph: Graph, closure: Graph | None = None) -> list[str]:
    """Why a graph is inconsistent, as far as the OWL 2 RL closure shows (fast, Java-free).

    Checks the axiom kinds the ontology uses: disjoint classes, functional properties with two
    different values, irreflexive self-links, datatype ranges, owl:Nothing. An empty list means
    the clash needs full OWL 2 DL reasoning to see.
    """
    c = closure if closure is not None else materialise_rl(graph)
    msgs: list[str] = []
    pairs: set[tuple[Node, Node]] = set()
    for node in c.subjects(RDF.type, OWL.AllDisjointClasses):
        ms = _members(c, c.value(node, OWL.members))
        pairs.update((a, b) for i, a in enumerate(ms) for b in ms[i + 1 :])
    pairs.update(c.subject_objects(OWL.disjointWith))
    for a, b in pairs:
        for x in set(c.subjects(RDF.type, a)) & set(c.subjects(RDF.type, b)):
            msgs.append(f"{x} is in disjoint classes {a} and {b}")
    different: set[frozenset[Node]] = set()
    for node in c.subjects(RDF.type, OWL.AllDifferent):
        ms = _members(c, c.value(node, OWL.distinctMembers) or c.value(node, OWL.members))
        different.update(frozenset((a, b)) for i, a in enumerate(ms) for b in ms[i + 1 :])
    different.update(frozenset(t) for t in c.subject_objects(OWL.differentFrom))
    for prop in set(c.subjects(RDF.type, OWL.FunctionalProperty)):
        for x in set(c.subjects(prop, None)):
            values = sorted(set(c.objects(x, prop)), key=str)
            lits = {v.toPython() for v in values if isinstance(v, Literal)}
            if len(lits) > 1 or any(frozenset((a, b)) in different for a in values for b in values if a != b):
                shown = ", ".join(str(v) for v in values)
                msgs.append(f"{x} has more than one value for functional property {prop}: {shown}")
    for prop in set(c.subjects(RDF.type, OWL.IrreflexiveProperty)):
        msgs.extend(f"{x} {prop} itself (irreflexive)" for x, y in c.subject_objects(prop) if x == y)
    for prop, rng in c.subject_objects(RDFS.range):
        if (prop, RDF.type, OWL.DatatypeProperty) in c and isinstance(rng, URIRef) and rng in _COMPATIBLE:
            for x, v in c.subject_objects(prop):
                if isinstance(v, Literal) and (v.language or v.datatype not in _COMPATIBLE[rng]):
                    msgs.append(f"{x} {prop} {v.n3()}: outside the range {rng}")
    msgs.extend(f"{x} is of type owl:Nothing" for x in c.subjects(RDF.type, OWL.Nothing))
    return sorted(set(msgs))


if __name__ == "__main__":  # the HermiT worker, started by run_hermit
    if len(sys.argv) not in (5, 6):
        raise SystemExit("usage: python -m yrd_kg.reason INPUT.owl WORKDIR MEMORY_MB JAVA [--property-values]")
    raise SystemExit(_worker(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], len(sys.argv) == 6))
