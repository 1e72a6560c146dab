"""OWL reasoning over the ontology and the data: HermiT (through owlready2) and a Java-free OWL-RL closure.

HermiT runs in a child Python process, in a scratch owlready2 World inside a temporary folder, so
inference never writes into the sources and a hung or runaway reasoner can be killed. The graph it
reasons over is the built dataset's ontology plus (by default) its data and the direct triples derived
from the qualified ``yrd:Link`` nodes (:func:`yrd_kg.dataset.store.open_dataset`; nothing re-parses the
sources). owlready2 does not read Turtle: the graph is written as RDF/XML first.

>>> from yrd_kg.namespaces import ONTOLOGY_IRI
>>> (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology_graph()
True
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from yrd_kg.errors import EnvironmentFault, FoundWanting
from yrd_kg.namespaces import skolem
from yrd_kg.reason.rl import explain_clashes

#: default wall-clock limit for HermiT (seconds)
DEFAULT_TIMEOUT = 120.0
#: default Java heap for HermiT (MB); owlready2's own default is 2000
DEFAULT_MEMORY_MB = 2000
_SKIP_TYPES = {OWL.Thing, OWL.NamedIndividual, RDFS.Resource}
_LABEL = re.compile(r"[A-Za-z0-9_\-.]+")


class Inconsistent(FoundWanting):
    """HermiT found the ontology (and data) inconsistent or with unsatisfiable classes."""


# --------------------------------------------------------------------------------------------------
# errors and results
# --------------------------------------------------------------------------------------------------


class ReasonerError(EnvironmentFault):
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


def ontology_graph() -> Graph:
    """The ontology (its named graphs in the built dataset) as an rdflib graph."""
    from yrd_kg.dataset.store import open_dataset

    return open_dataset().ontology_graph()


def to_rdfxml(graph: Graph, path: Path | str) -> Path:
    """Write ``graph`` as RDF/XML (the format owlready2 reads) and return the path."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    graph.serialize(destination=str(out), format="xml", encoding="utf-8")
    return out


def skolemise_blank_nodes(g: Graph) -> Graph:
    """A copy of the data ``g`` whose blank nodes (RDF list cells excepted) carry skolem IRIs.

    owlready2 would read a blank individual as an anonymous class expression; the data's blank nodes
    become :func:`yrd_kg.namespaces.skolem` IRIs of their build labels first (a scratch copy only).
    """
    lists = set(g.subjects(RDF.first, None)) | set(g.subjects(RDF.rest, None))

    def iri(t: Node) -> Node:
        if isinstance(t, BNode) and t not in lists:
            label = str(t)
            return skolem(label if _LABEL.fullmatch(label) else "h" + hashlib.sha256(label.encode()).hexdigest()[:24])
        return t

    out = Graph()
    for s, p, o in g:
        out.add((iri(s), p, iri(o)))
    return out


def reasoning_graph(*, include_data: bool = True, files: Iterable[Path] | None = None) -> Graph:
    """What HermiT is given: the built ontology, plus (by default) the built data and derived links.

    ``files``: the user's data files instead of the built data, read by the safe loader into a dataset
    made the way the build makes it (links skolemised, direct triples derived), beside the built ontology.
    """
    from yrd_kg.dataset.store import dataset_from_files, open_dataset
    from yrd_kg.dataset.terms import to_graph
    from yrd_kg.namespaces import GRAPH

    ds = open_dataset()
    g = ds.ontology_graph()
    if not include_data:
        return g
    source = dataset_from_files(files) if files is not None else ds
    ontology_prefix = str(GRAPH["ontology/"])
    data = Graph()
    for name in source.graph_names():
        if not name.startswith(ontology_prefix):
            to_graph(source.quads(name), data)
    g += skolemise_blank_nodes(data)
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
            "For a Java-free check use the OWL-RL closure (yrd_kg.reason.rl.materialise_rl)."
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
    from yrd_kg.progress import task

    _require_java()  # fail before building the graph
    with task("reasoning with HermiT"):
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


if __name__ == "__main__":  # the HermiT worker, started by run_hermit
    if len(sys.argv) not in (5, 6):
        raise SystemExit("usage: python -m yrd_kg.reason.hermit INPUT.owl WORKDIR MEMORY_MB JAVA [--property-values]")
    raise SystemExit(_worker(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], len(sys.argv) == 6))
