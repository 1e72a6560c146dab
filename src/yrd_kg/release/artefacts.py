"""Write a release: versioned artefacts from the built dataset, the VoID/DCAT description, ``SHA256SUMS``.

Everything comes from the built dataset (:func:`yrd_kg.dataset.store.open_dataset`: quads with their
literals as written, the shapes from :meth:`~yrd_kg.dataset.store.Dataset.shapes_graph`), never from the
sources. Files (``V`` is :data:`yrd_kg.namespaces.VERSION`):

- ``yrd-ontology-V.ttl`` / ``.owl`` (RDF/XML) / ``.jsonld``: the ontology graph;
- ``yrd-kg-V.nq`` / ``.trig`` / ``.jsonld``: the whole dataset, named graphs kept;
- ``yrd-shapes-V.ttl``: the SHACL shapes; ``yrd-kg-V.sssom.tsv`` (+ ``.sssom.ttl``, SSSOM's RDF form): the
  shipped mappings; ``context-V.jsonld``: the JSON-LD context; ``terms-V.txt``: the released IRIs;
- ``void.ttl``: the description (:mod:`yrd_kg.release.describe`), checked against its own SHACL shape;
- ``SHA256SUMS``: ``sha256sum -c`` checks every file above.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from yrd_kg.dataset.build import write_atomic
from yrd_kg.dataset.export import export, jsonld_context, jsonld_of_triples
from yrd_kg.dataset.store import open_dataset
from yrd_kg.errors import FoundWanting, InputError
from yrd_kg.namespaces import BASE, GRAPH, PREFIXES, VERSION
from yrd_kg.progress import task
from yrd_kg.release.describe import SHAPE_FILE, Distribution, describe
from yrd_kg.release.terms import current_terms, terms_text

DESCRIPTION = "void.ttl"
CHECKSUMS = "SHA256SUMS"


@dataclass
class ReleaseResult:
    """What a release wrote: the folder, the files (name → SHA-256), the triples per graph."""

    output: Path
    version: str
    files: dict[str, str] = field(default_factory=dict)
    graph_triples: dict[str, int] = field(default_factory=dict)

    @property
    def triples(self) -> int:
        """All triples (quads) of the dataset."""
        return sum(self.graph_triples.values())


def _serialize(triples: list[ox.Triple], fmt: ox.RdfFormat) -> bytes:
    prefixes = {k: v for k, v in PREFIXES.items() if k != "yid"}
    return ox.serialize(triples, format=fmt, prefixes=prefixes) or b""


def _ontology(version: str, build_dir: Path | None) -> list[Distribution]:
    prefix = str(GRAPH["ontology/"])
    seen: dict[str, ox.Triple] = {}
    for q in open_dataset(build_dir).exact_quads():
        if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value.startswith(prefix):
            t = ox.Triple(q.subject, q.predicate, q.object)
            seen.setdefault(str(t), t)
    triples = [seen[k] for k in sorted(seen)]
    return [
        Distribution(f"yrd-ontology-{version}.ttl", _serialize(triples, ox.RdfFormat.TURTLE), "The ontology (Turtle)"),
        Distribution(f"yrd-ontology-{version}.owl", _serialize(triples, ox.RdfFormat.RDF_XML), "The ontology (RDF/XML)"),
        Distribution(f"yrd-ontology-{version}.jsonld", jsonld_of_triples(triples).encode("utf-8"),
                     "The ontology (JSON-LD)"),
    ]


def make_release(output: Path, *, endpoint: str | None = None, base_url: str | None = None,
                 issued: str | None = None, build_dir: Path | None = None) -> ReleaseResult:
    """Write the release of :data:`~yrd_kg.namespaces.VERSION` into ``output`` (see the module docstring).

    ``base_url``: where the files will be downloaded from (default ``https://w3id.org/yrd-kg/release/V/``);
    ``endpoint``: a SPARQL endpoint serving the dataset, named in the description; ``issued``: ISO date
    (default today). Raises :class:`FoundWanting` when the description does not meet its shape.
    """
    from yrd_kg.linking.sssom import default_metadata, export_mappings, read_sssom
    from yrd_kg.linking.sssom_rdf import mapping_set_graph

    version = VERSION
    issued = issued or dt.date.today().isoformat()
    try:
        dt.date.fromisoformat(issued)
    except ValueError:
        raise InputError(f"--issued must be an ISO date (YYYY-MM-DD), got {issued!r}") from None
    if endpoint is not None and not endpoint.startswith(("http://", "https://")):
        raise InputError(f"--endpoint must be an http(s) URL, got {endpoint!r}")
    base = base_url or f"{BASE}release/{version}/"
    if not base.endswith("/"):
        base += "/"
    ds = open_dataset(build_dir)
    dists: list[Distribution] = []
    with task("release: artefacts", total=6) as advance:
        dists += _ontology(version, build_dir)
        advance()
        for ext, title in (("nq", "N-Quads"), ("trig", "TriG"), ("jsonld", "JSON-LD")):
            dists.append(Distribution(f"yrd-kg-{version}.{ext}", export(ext, build_dir).encode("utf-8"),
                                      f"The dataset, named graphs kept ({title})", dump=True))
            advance()
        shapes = ds.shapes_graph()
        dists.append(Distribution(f"yrd-shapes-{version}.ttl", shapes.serialize(format="turtle").encode("utf-8"),
                                  "The SHACL shapes the data meets (Turtle)"))
        tsv = export_mappings(g=ds.rdflib_graph())
        ms = read_sssom(tsv)
        dists.append(Distribution(f"yrd-kg-{version}.sssom.tsv", tsv.encode("utf-8"), "The shipped mappings (SSSOM/TSV)"))
        rdf = mapping_set_graph(default_metadata(), ms.rows, ms.curie_map)
        dists.append(Distribution(f"yrd-kg-{version}.sssom.ttl", rdf.serialize(format="turtle").encode("utf-8"),
                                  "The shipped mappings (SSSOM as RDF)"))
        context = json.dumps(jsonld_context(), ensure_ascii=False, indent=2) + "\n"
        dists.append(Distribution(f"context-{version}.jsonld", context.encode("utf-8"), "The JSON-LD context"))
        dists.append(Distribution(f"terms-{version}.txt", terms_text(current_terms(ds), version).encode("utf-8"),
                                  "Every term and entity IRI of this release"))
        advance()
    counts: dict[str, int] = {}
    for q in ds.exact_quads():
        if isinstance(q.graph_name, ox.NamedNode):
            counts[q.graph_name.value] = counts.get(q.graph_name.value, 0) + 1
    description = describe(version, issued, counts, dists, base, endpoint)
    problems = check_description(description)
    if problems:
        raise FoundWanting("the release description does not meet its shape:\n" + "\n".join(problems))
    void = description.serialize(format="turtle").encode("utf-8")
    result = ReleaseResult(output, version, graph_triples=counts)
    for d in [*dists, Distribution(DESCRIPTION, void, "VoID + DCAT description")]:
        _publish(output / d.name, d.data)
        result.files[d.name] = d.sha256
    sums = "".join(f"{h}  {n}\n" for n, h in sorted(result.files.items()))
    _publish(output / CHECKSUMS, sums.encode("utf-8"))
    return result


def _publish(path: Path, data: bytes) -> None:
    """Write atomically, readable by all (a release is published)."""
    write_atomic(path, data)
    path.chmod(0o644)


def check_description(description: Graph) -> list[str]:
    """The messages of the description shape's violations (empty: it conforms)."""
    from pyshacl import validate
    from rdflib.namespace import SH

    shapes = Graph().parse(SHAPE_FILE, format="turtle")
    conforms, report, _ = validate(description, shacl_graph=shapes, advanced=True, allow_warnings=False)
    if conforms:
        return []
    out = []
    for r in report.subjects(SH.resultSeverity, SH.Violation):
        focus, path, msg = (report.value(r, p) for p in (SH.focusNode, SH.resultPath, SH.resultMessage))
        out.append(f"{focus} {path or ''}: {msg}")
    return sorted(out)


def verify_checksums(output: Path) -> list[str]:
    """Files of ``SHA256SUMS`` in ``output`` that are missing or changed (empty: all good)."""
    bad = []
    for line in (output / CHECKSUMS).read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ", 1)
        f = output / name
        if not f.is_file() or hashlib.sha256(f.read_bytes()).hexdigest() != digest:
            bad.append(name)
    return bad
