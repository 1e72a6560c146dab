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

import contextlib
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
from yrd_kg.worker import enter_empty_network, run_with_timeout, set_parent_death_signal

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
    #: ``owl:imports`` removed before owlready2 saw the graph (imports are never followed)
    ignored_imports: list[str] = field(default_factory=list)
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


def _user_data(files: list[Path]) -> bytes:
    """In a worker: the user's files read by the safe loader, as N-Quads of their non-ontology graphs."""
    import pyoxigraph as ox

    from yrd_kg.dataset.store import dataset_from_files
    from yrd_kg.namespaces import GRAPH

    ds = dataset_from_files(files)
    ontology_prefix = str(GRAPH["ontology/"])
    quads = [q for name in ds.graph_names() if not name.startswith(ontology_prefix) for q in ds.quads(name)]
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""


def reasoning_graph(*, include_data: bool = True, files: Iterable[Path] | None = None,
                    timeout: float = DEFAULT_TIMEOUT) -> Graph:
    """What HermiT is given: the built ontology, plus (by default) the built data and derived links.

    ``files``: the user's data files instead of the built data, read by the safe loader (FIFOs, devices,
    bad syntax: a clear :class:`~yrd_kg.errors.InputError` naming the file) into a dataset made the way
    the build makes it (links skolemised, direct triples derived), beside the built ontology. They are
    read in a worker with no network, stopped after ``timeout`` seconds.
    """
    import pyoxigraph as ox

    from yrd_kg.dataset.store import open_dataset
    from yrd_kg.dataset.terms import to_graph
    from yrd_kg.namespaces import GRAPH

    ds = open_dataset()
    g = ds.ontology_graph()
    if not include_data:
        return g
    data = Graph()
    if files is not None:
        nq = run_with_timeout(_user_data, [Path(f) for f in files], timeout=timeout, network=False,
                              what="loading the data files")
        to_graph(ox.parse(nq, format=ox.RdfFormat.N_QUADS), data)
    else:
        ontology_prefix = str(GRAPH["ontology/"])
        for name in ds.graph_names():
            if not name.startswith(ontology_prefix):
                to_graph(ds.quads(name), data)
    g += skolemise_blank_nodes(data)
    return g


def without_imports(graph: Graph) -> tuple[Graph, list[str]]:
    """``graph`` without its ``owl:imports`` triples (a copy when there are some) and the imports removed.

    owlready2 follows ``owl:imports`` over the network and into local files; like ``yrd-kg link``, the
    reasoner reads the one graph it is given and nothing else.
    """
    imports = sorted({str(o) for o in graph.objects(None, OWL.imports)})
    if not imports:
        return graph, []
    out = Graph()
    out += graph
    out.remove((None, OWL.imports, None))
    return out, imports


def _isolate_worker() -> None:
    """In the HermiT worker before it starts: die with the caller, and no network where the OS allows it."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})  # held until the worker's handler is in place
    set_parent_death_signal(signal.SIGTERM)
    enter_empty_network()


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
    graph, ignored = without_imports(graph)
    with tempfile.TemporaryDirectory(prefix="yrd-kg-reason-") as tmp:
        work = Path(tmp)
        owl = to_rdfxml(graph, work / "input.owl")
        cmd = [sys.executable, "-m", "yrd_kg.reason.hermit", str(owl), str(work), str(int(memory_mb)), java]
        if property_values:
            cmd.append("--property-values")
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True, cwd=tmp,
                                preexec_fn=_isolate_worker)  # the preexec only calls prctl/unshare/sigmask
        try:
            out, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            raise ReasonerTimeoutError(
                f"HermiT did not finish within {timeout:g} s and was stopped (raise it with --timeout)."
            ) from None
        except BaseException:  # Ctrl-C or a signal: stop the worker and Java before the folder goes
            _kill_group(proc)
            raise
        log = out.decode("utf-8", "replace") if out else ""
        result_file = work / "result.json"
        if "OutOfMemoryError" in log or "java.lang.OutOfMemoryError" in _read(result_file):
            raise ReasonerOutOfMemoryError(f"HermiT ran out of memory with a {memory_mb} MB Java heap (raise it with --memory).")
        if not result_file.is_file():
            last = log.strip().splitlines()[-1] if log.strip() else f"exit {proc.returncode}"
            raise ReasonerError(f"the reasoning worker failed: {last[-500:]}")
        result = json.loads(result_file.read_text(encoding="utf-8"))
        status = result["status"]
        if status == "java-error":
            raise ReasonerError(f"HermiT failed: {' '.join(result['message'].split())[-1000:]}")
        if status == "error":
            raise ReasonerError(f"owlready2 could not read the graph: {result['message']}")
        report = ReasoningReport(
            consistent=status == "consistent",
            reasoner="HermiT (owlready2)",
            seconds=time.monotonic() - t0,
            input_triples=len(graph),
            include_data=include_data,
            unsatisfiable=sorted(result.get("unsatisfiable", [])),
            ignored_imports=ignored,
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
    t0 = time.monotonic()
    with task("reasoning with HermiT"):
        graph = reasoning_graph(include_data=include_data, files=files, timeout=timeout)
        left = timeout - (time.monotonic() - t0) if files is not None else timeout  # the user's files count, not the build
        if left <= 0:
            raise ReasonerTimeoutError(f"loading the data files took the whole {timeout:g} s; stopped (raise it with --timeout).")
        return run_hermit(
            graph,
            timeout=left,
            memory_mb=memory_mb,
            include_data=include_data,
            property_values=property_values,
            explain=explain,
        )


def _children() -> list[int]:
    """The child processes of this process (Linux ``/proc``; none elsewhere)."""
    out: list[int] = []
    with contextlib.suppress(OSError):
        for task in os.listdir("/proc/self/task"):
            with contextlib.suppress(OSError), open(f"/proc/self/task/{task}/children", encoding="ascii") as fh:
                out += [int(x) for x in fh.read().split()]
    return out


def _worker(owl_file: str, work_dir: str, memory_mb: int, java: str, property_values: bool) -> int:
    """Child process: load the RDF/XML into a scratch World and run HermiT; write result.json."""
    work = Path(work_dir)
    tempfile.tempdir = str(work)  # owlready2 writes HermiT's input file here, not in /tmp
    parent = os.getppid()

    def stop(*_: object) -> None:  # the caller died (parent-death signal) or stopped us: Java goes too
        for pid in _children():
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        if os.getppid() != parent:  # nobody is left to remove the scratch folder
            shutil.rmtree(work, ignore_errors=True)
        os._exit(128 + signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
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
    except owlready2.OwlReadyError as e:  # never "inconsistent" for a graph owlready2 cannot read
        result = {"status": "error", "message": " ".join(str(e).split())[:500]}
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
