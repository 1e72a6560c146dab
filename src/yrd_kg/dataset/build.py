"""Build the dataset: ontology/ and data/ into named graphs, links derived, blank nodes made stable.

Output in ``build/`` (byte-identical on rerun):
- ``yrd-kg.nq``: every named graph as sorted N-Quads (the canonical artefact the store loads);
- ``yrd-kg.trig``: the same as TriG, for reading;
- ``yrd.owl``: the ontology as RDF/XML (for Protégé and owlready2);
- ``manifest.json``: source checksums (a rebuild happens only when one changed) and counts.

The pipeline runs on pyoxigraph terms (strict parsing, fast); :func:`load_graphs` and friends give
the same content as rdflib graphs for the libraries that need them (pySHACL, owlready2 export).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDF

import yrd_kg.resources as resources
from yrd_kg.dataset.terms import from_ox
from yrd_kg.namespaces import GRAPH, ID, PREFIXES, YRD

DERIVED_LINKS = GRAPH["derived/links"]
BUILD_FORMAT_VERSION = "2"

_RDF_TYPE = ox.NamedNode(str(RDF.type))
_LINK = ox.NamedNode(str(YRD.Link))
_EVIDENCE = ox.NamedNode(str(YRD.Evidence))
_HAS_EVIDENCE = ox.NamedNode(str(YRD.hasEvidence))
_L_S, _L_P, _L_O = (ox.NamedNode(str(t)) for t in (YRD.linkSubject, YRD.linkPredicate, YRD.linkObject))
_QUOTE, _LOCATOR = ox.NamedNode(str(YRD.quote)), ox.NamedNode(str(YRD.locator))


@dataclass
class BuildResult:
    """What a build did: where it wrote, whether it was needed, and counts."""

    out_dir: Path
    rebuilt: bool
    graphs: dict[str, int] = field(default_factory=dict)
    classes: dict[str, int] = field(default_factory=dict)

    @property
    def triples(self) -> int:
        """Total triples over all named graphs."""
        return sum(self.graphs.values())


def source_files() -> list[Path]:
    """The Turtle files that make up the dataset, in a fixed order."""
    return sorted(resources.ontology_dir().glob("*.ttl")) + sorted(resources.data_dir().glob("*.ttl"))


def graph_iri(path: Path) -> URIRef:
    """The named graph a source file goes into: ``…/graph/<folder>/<stem>``."""
    return GRAPH[f"{path.parent.name}/{path.stem}"]


def _digest(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:16]


_Triple = tuple[Any, Any, Any]


def _parse_source(path: Path) -> list[_Triple]:
    """Parse one source strictly; blank nodes relabelled by first appearance (stable for the same bytes)."""
    from yrd_kg.dataset.loader import LoadError, _check_bytes

    data = path.read_bytes()
    _check_bytes(path, data)
    scope = _digest(graph_iri(path))[:8]
    labels: dict[str, ox.BlankNode] = {}

    def local(t: Any) -> Any:
        if isinstance(t, ox.BlankNode):
            b = labels.get(t.value)
            if b is None:
                b = labels[t.value] = ox.BlankNode(f"g{scope}b{len(labels)}")
            return b
        return t

    try:
        return [(local(t.subject), t.predicate, local(t.object))
                for t in ox.parse(data, format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri())]
    except SyntaxError as exc:
        raise LoadError(path, f"invalid turtle: {exc.msg}", exc.lineno) from exc


def _skolemise_ox(triples: list[_Triple]) -> list[_Triple]:
    """Give Link and Evidence blank nodes stable IRIs derived from their content.

    A Link becomes ``id/link/<hash of subject, predicate, object>``; an Evidence node
    ``id/evidence/<hash of the node it supports, quote, locator>``. Other blank nodes stay blank.
    """
    by_subject: dict[Any, dict[Any, Any]] = {}
    links: list[Any] = []
    evidence: list[Any] = []
    owner: dict[Any, Any] = {}
    for s, p, o in triples:
        if isinstance(s, ox.BlankNode):
            by_subject.setdefault(s, {})[p] = o
            if p == _RDF_TYPE and o == _LINK:
                links.append(s)
            elif p == _RDF_TYPE and o == _EVIDENCE:
                evidence.append(s)
        if p == _HAS_EVIDENCE and isinstance(o, ox.BlankNode):
            owner.setdefault(o, s)
    mapping: dict[Any, ox.NamedNode] = {}
    for link in links:
        d = by_subject[link]
        mapping[link] = ox.NamedNode(str(ID[f"link/{_digest(*(_plain(d.get(k)) for k in (_L_S, _L_P, _L_O)))}"]))
    for ev in evidence:
        d = by_subject[ev]
        own = owner.get(ev)
        own = mapping.get(own, own)
        mapping[ev] = ox.NamedNode(str(ID[f"evidence/{_digest(_plain(own), _plain(d.get(_QUOTE)), _plain(d.get(_LOCATOR)))}"]))
    if not mapping:
        return triples
    return [(mapping.get(s, s), p, mapping.get(o, o)) for s, p, o in triples]


def _plain(t: Any) -> str:
    """The string the hashes are computed on (IRI, or literal lexical form), as rdflib's ``str()`` gives."""
    return "None" if t is None else str(t.value)


def _derived(triples: Iterable[_Triple]) -> list[_Triple]:
    spo: dict[Any, dict[Any, Any]] = {}
    links = set()
    for s, p, o in triples:
        if p == _RDF_TYPE and o == _LINK:
            links.add(s)
        elif p in (_L_S, _L_P, _L_O):
            spo.setdefault(s, {})[p] = o
    out = []
    for link in links:
        d = spo.get(link, {})
        s, p, o = d.get(_L_S), d.get(_L_P), d.get(_L_O)
        if isinstance(s, ox.NamedNode) and isinstance(p, ox.NamedNode) and o is not None:
            out.append((s, p, o))
    return sorted(set(out), key=str)


def build_quads(files: Iterable[Path] | None = None) -> dict[str, list[_Triple]]:
    """Every source file's triples (skolemised) by graph IRI, plus the derived-links graph."""
    graphs: dict[str, list[_Triple]] = {}
    for f in files if files is not None else source_files():
        graphs[str(graph_iri(f))] = _skolemise_ox(_parse_source(f))
    graphs[str(DERIVED_LINKS)] = _derived(t for ts in graphs.values() for t in ts)
    return graphs


def _nquad_lines(graphs: dict[str, list[_Triple]]) -> list[str]:
    lines = set()
    for gid, triples in graphs.items():
        g = ox.NamedNode(gid)
        for s, p, o in triples:
            lines.add(f"{ox.Quad(s, p, o, g)} .")
    return sorted(lines)


_to_rdflib = from_ox


def derive_links(g: Graph) -> Graph:
    """The direct triples stated by the qualified ``yrd:Link`` nodes of an rdflib graph."""
    out = Graph()
    for link in g.subjects(RDF.type, YRD.Link):
        s = g.value(link, YRD.linkSubject)
        p = g.value(link, YRD.linkPredicate)
        o = g.value(link, YRD.linkObject)
        if isinstance(s, URIRef) and isinstance(p, URIRef) and o is not None:
            out.add((s, p, o))
    return out


def skolemise(g: Graph) -> Graph:
    """The rdflib form of the build's skolemisation (same IRIs as the build gives)."""
    nt = g.serialize(format="nt").encode("utf-8")
    triples = [(t.subject, t.predicate, t.object) for t in ox.parse(nt, format=ox.RdfFormat.N_TRIPLES)]
    out = Graph()
    for s, p, o in _skolemise_ox(triples):
        out.add((_to_rdflib(s), _to_rdflib(p), _to_rdflib(o)))
    return out


def load_graphs(files: Iterable[Path] | None = None) -> dict[URIRef, Graph]:
    """Every named graph of the dataset as an rdflib graph (same content as the build)."""
    out: dict[URIRef, Graph] = {}
    for gid, triples in build_quads(files).items():
        g = Graph(identifier=URIRef(gid))
        add = g.add
        for s, p, o in triples:
            add((_to_rdflib(s), _to_rdflib(p), _to_rdflib(o)))
        out[URIRef(gid)] = g
    return out


def load_dataset(files: Iterable[Path] | None = None) -> Dataset:
    """The whole dataset as an rdflib ``Dataset`` (one named graph per source, default graph = union)."""
    ds = Dataset(default_union=True)
    for gid, g in load_graphs(files).items():
        ng = ds.graph(gid)
        for t in g:
            ng.add(t)
    return ds


def load_graph(files: Iterable[Path] | None = None) -> Graph:
    """The union of all graphs (ontology, data and derived links) as one rdflib ``Graph``."""
    union = Graph()
    add = union.add
    for triples in build_quads(files).values():
        for s, p, o in triples:
            add((_to_rdflib(s), _to_rdflib(p), _to_rdflib(o)))
    _bind(union)
    return union


def _manifest(files: Iterable[Path]) -> dict[str, str]:
    root = resources.ontology_dir().parent
    out = {"build-format": BUILD_FORMAT_VERSION}
    for f in files:
        out[str(f.relative_to(root))] = hashlib.sha256(f.read_bytes()).hexdigest()
    return out


def _short(iri: str) -> str:
    for k, v in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(v) and k != "yid":
            return f"{k}:{iri[len(v):]}"
    return iri


def build(*, force: bool = False, out_dir: Path | None = None) -> BuildResult:
    """Build ``build/`` from ontology/ and data/; skipped when no source changed (unless ``force``)."""
    out = Path(out_dir) if out_dir is not None else resources.default_build_dir()
    files = source_files()
    manifest = _manifest(files)
    mpath = out / "manifest.json"
    if not force and mpath.is_file() and (out / "yrd-kg.nq").is_file():
        old = json.loads(mpath.read_text(encoding="utf-8"))
        if old.get("sources") == manifest:
            return BuildResult(out, False, old.get("graphs", {}), old.get("classes", {}))
    graphs = build_quads(files)
    out.mkdir(parents=True, exist_ok=True)
    lines = _nquad_lines(graphs)
    nq = ("\n".join(lines) + "\n").encode("utf-8")
    (out / "yrd-kg.nq").write_bytes(nq)
    quads = list(ox.parse(nq, format=ox.RdfFormat.N_QUADS))
    prefixes = {k: v for k, v in PREFIXES.items() if k != "yid"}
    (out / "yrd-kg.trig").write_bytes(ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=prefixes) or b"")
    onto = [ox.Triple(q.subject, q.predicate, q.object) for q in quads if "/graph/ontology/" in str(q.graph_name)]
    (out / "yrd.owl").write_bytes(ox.serialize(onto, format=ox.RdfFormat.RDF_XML, prefixes=prefixes) or b"")
    typed: dict[str, set[str]] = {}
    for ts in graphs.values():
        for s, p, o in ts:
            if p == _RDF_TYPE and isinstance(o, ox.NamedNode):
                typed.setdefault(_short(o.value), set()).add(str(s))
    classes = dict(sorted(Counter({k: len(v) for k, v in typed.items()}).items()))
    counts = {gid: len(set(ts)) for gid, ts in sorted(graphs.items())}
    mpath.write_text(
        json.dumps({"sources": manifest, "graphs": counts, "classes": classes}, ensure_ascii=False, indent=1, sort_keys=True)
        + "\n",
        encoding="utf-8",
    )
    return BuildResult(out, True, counts, classes)


def _bind(g: Graph | Dataset) -> None:
    for k, v in PREFIXES.items():
        g.bind(k, v, override=True)
