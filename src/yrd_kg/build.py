"""Build the dataset: ontology/ and data/ into named graphs, links derived, blank nodes made stable.

Output in ``build/`` (byte-identical on rerun):
- ``yrd-kg.nq``: every named graph as sorted N-Quads (the canonical artefact the store loads);
- ``yrd-kg.trig``: the same as TriG, for reading;
- ``yrd.owl``: the ontology as RDF/XML (for Protégé and owlready2);
- ``manifest.json``: source checksums (a rebuild happens only when one changed) and counts.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from . import resources
from .loader import parse_file
from .namespaces import GRAPH, ID, YRD

DERIVED_LINKS = GRAPH["derived/links"]
BUILD_FORMAT_VERSION = "1"
_Quad = tuple[Node, Node, Node, Node]


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
    files = sorted(resources.ontology_dir().glob("*.ttl")) + sorted(resources.data_dir().glob("*.ttl"))
    return files


def graph_iri(path: Path) -> URIRef:
    """The named graph a source file goes into: ``…/graph/<folder>/<stem>``."""
    return GRAPH[f"{path.parent.name}/{path.stem}"]


def derive_links(g: Graph) -> Graph:
    """The direct triples stated by the qualified ``yrd:Link`` nodes of ``g``."""
    out = Graph()
    for link in g.subjects(RDF.type, YRD.Link):
        s = g.value(link, YRD.linkSubject)
        p = g.value(link, YRD.linkPredicate)
        o = g.value(link, YRD.linkObject)
        if isinstance(s, URIRef) and isinstance(p, URIRef) and o is not None:
            out.add((s, p, o))
    return out


def _digest(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:16]


def skolemise(g: Graph) -> Graph:
    """Give Link and Evidence blank nodes stable IRIs derived from their content.

    A Link becomes ``id/link/<hash of subject, predicate, object>``; an Evidence node
    ``id/evidence/<hash of the node it supports, quote, locator>``. Other blank nodes stay blank.
    """
    mapping: dict[BNode, URIRef] = {}
    for link in g.subjects(RDF.type, YRD.Link):
        if isinstance(link, BNode):
            spo = (g.value(link, YRD.linkSubject), g.value(link, YRD.linkPredicate), g.value(link, YRD.linkObject))
            mapping[link] = ID[f"link/{_digest(*spo)}"]
    for ev in g.subjects(RDF.type, YRD.Evidence):
        if isinstance(ev, BNode):
            owner = next(iter(g.subjects(YRD.hasEvidence, ev)), None)
            owner = mapping.get(owner, owner) if isinstance(owner, BNode) else owner
            mapping[ev] = ID[f"evidence/{_digest(owner, g.value(ev, YRD.quote), g.value(ev, YRD.locator))}"]
    if not mapping:
        return g
    out = Graph()
    for s, p, o in g:
        out.add((mapping.get(s, s) if isinstance(s, BNode) else s, p, mapping.get(o, o) if isinstance(o, BNode) else o))
    return out


def _canonical_quads(graphs: dict[URIRef, Graph]) -> list[str]:
    """Sorted N-Quads lines with deterministic blank-node labels."""
    from rdflib.compare import to_canonical_graph

    lines: list[str] = []
    for gid in sorted(graphs):
        g = graphs[gid]
        if any(isinstance(t, BNode) for tr in g for t in tr):
            g = to_canonical_graph(g)
        for s, p, o in g:
            lines.append(f"{_nt(s)} {_nt(p)} {_nt(o)} {gid.n3()} .")
    lines.sort()
    return lines


def _nt(term: Node) -> str:
    if isinstance(term, Literal | URIRef | BNode):
        return term.n3()
    raise TypeError(f"unexpected term {term!r}")


def _manifest(files: Iterable[Path]) -> dict[str, str]:
    root = resources.ontology_dir().parent
    out = {"build-format": BUILD_FORMAT_VERSION}
    for f in files:
        out[str(f.relative_to(root))] = hashlib.sha256(f.read_bytes()).hexdigest()
    return out


def load_graphs(files: Iterable[Path] | None = None) -> dict[URIRef, Graph]:
    """Parse every source file into its own graph and add the derived-links graph."""
    graphs: dict[URIRef, Graph] = {}
    for f in files if files is not None else source_files():
        graphs[graph_iri(f)] = skolemise(parse_file(f).graph)
    union = Graph()
    for g in graphs.values():
        union += g
    graphs[DERIVED_LINKS] = derive_links(union)
    return graphs


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
    for g in load_graphs(files).values():
        union += g
    return union


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
    graphs = load_graphs(files)
    out.mkdir(parents=True, exist_ok=True)
    lines = _canonical_quads(graphs)
    (out / "yrd-kg.nq").write_text("\n".join(lines) + "\n", encoding="utf-8")
    ds = Dataset()
    ds.parse(data="\n".join(lines), format="nquads")
    _bind(ds)
    (out / "yrd-kg.trig").write_text(ds.serialize(format="trig"), encoding="utf-8")
    onto = Graph()
    for gid, g in graphs.items():
        if "/graph/ontology/" in str(gid):
            onto += g
    _bind(onto)
    (out / "yrd.owl").write_text(onto.serialize(format="pretty-xml"), encoding="utf-8")
    union = Graph()
    for g in graphs.values():
        union += g
    _bind(union)
    classes = Counter(union.qname(o) if isinstance(o, URIRef) else str(o) for o in union.objects(None, RDF.type))
    counts = {str(gid): len(g) for gid, g in sorted(graphs.items())}
    mpath.write_text(
        json.dumps({"sources": manifest, "graphs": counts, "classes": dict(sorted(classes.items()))},
                   ensure_ascii=False, indent=1, sort_keys=True) + "\n",
        encoding="utf-8",
    )
    return BuildResult(out, True, counts, dict(sorted(classes.items())))


def _bind(g: Graph | Dataset) -> None:
    from .namespaces import PREFIXES

    for k, v in PREFIXES.items():
        g.bind(k, v, override=True)
