"""Link the graph with another ontology or thesaurus: load it beside ours, propose mappings, accept a review.

``link_file(path)`` loads a local file (Turtle, RDF/XML, JSON-LD, N-Triples, OWL Manchester or functional
syntax … through the safe :func:`yrd_kg.dataset.loader.parse_file`) into its own named graph
``…/graph/linked/<name>`` and proposes candidate mappings from our entities to its entities as SSSOM rows
(how candidates are found and scored: :mod:`yrd_kg.linking.match`). A URL is refused with the advice to
download the file first.

``accept(reviewed, name)`` turns a reviewed candidates file into ``mappings/accepted/<name>.sssom.tsv``
(the accepted rows with the set's SSSOM metadata) and ``<name>.ttl`` (the mapping triples, and each
mapping in SSSOM's RDF form with its metadata); see docs/LINKING.md for the review convention.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

import yrd_kg.resources as resources
from yrd_kg.dataset.loader import FORMATS, parse_file, read_text
from yrd_kg.errors import InputError
from yrd_kg.linking.match import (
    Candidate,
    Entity,
    content_key,
    entities_of,
    normalise,
    propose,
    variants,
)
from yrd_kg.linking.sssom import (
    CURIE_MAP,
    NO_TERM_FOUND,
    REJECT_PREDICATES,
    CurieMap,
    MappingRow,
    MappingSet,
    SSSOMError,
    read_sssom,
    rows_to_graph,
    validate_sssom,
    write_sssom,
)
from yrd_kg.namespaces import BASE, GRAPH, VERSION
from yrd_kg.progress import task

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph as ox

__all__ = ["Candidate", "Entity", "content_key", "entities_of", "normalise", "propose", "variants"]

DEFAULT_MIN_SCORE = 0.5


class LinkError(InputError):
    """Linking failed (bad file, bad review file …); the message says why."""


# --------------------------------------------------------------------------- loading


def load_external(path: Path | str, fmt: str | None = None) -> tuple[Graph, str]:
    """Parse a local ontology/thesaurus; returns the graph and the format used.

    A URL is an :class:`LinkError` that says to download the file first (nothing is fetched).
    """
    s = str(path)
    if s.lower().startswith("file:"):
        raise LinkError(f"{s}: give the file's path, not a file: URL")
    if re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*://", s):
        raise LinkError(f"{s}: link reads local files only; download it first (e.g. curl -L -o FILE '{s}'), "
                        "check what you got, then run: yrd-kg link FILE")
    p = Path(s)
    loaded = parse_file(p, fmt or FORMATS.get(p.suffix.lower()))
    return loaded.graph, loaded.format


def graph_name(path: Path | str) -> str:
    """The slug of the linked graph for ``path`` (``nace_r2.ttl`` → ``nace-r2``)."""
    stem = Path(path).name.split(".")[0]
    slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")
    return slug or "linked"


def linked_graph_iri(name: str) -> URIRef:
    """``https://w3id.org/yrd-kg/graph/linked/<name>``."""
    return GRAPH[f"linked/{name}"]


def accepted_graph_iri(name: str) -> URIRef:
    """``https://w3id.org/yrd-kg/graph/mappings/accepted/<name>``."""
    return GRAPH[f"mappings/accepted/{name}"]


def default_accepted_dir() -> Path:
    """``mappings/accepted`` beside ``data/`` (versioned with the repository; see docs/LINKING.md)."""
    return resources.data_dir().parent / "mappings" / "accepted"


# --------------------------------------------------------------------------- the command's library calls


@dataclass
class LinkResult:
    """What ``link_file`` did: the linked graph's name and IRI, its size, and the candidates (SSSOM text)."""

    name: str
    graph_iri: URIRef
    format: str
    triples: int
    candidates: list[Candidate]
    sssom: str


def _curie_map_for(g: Graph, name: str) -> dict[str, str]:
    cmap = dict(CURIE_MAP)
    known = set(cmap.values())
    for pfx, ns in g.namespaces():
        ns_s = str(ns)
        if ns_s in known:
            continue
        p = pfx or name
        if not re.fullmatch(r"[A-Za-z_][\w.\-]*", p) or p in cmap:
            p = f"{name}-{len(cmap)}"
        cmap[p] = ns_s
        known.add(ns_s)
    return cmap


def _ns_of(iri: str) -> str:
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[:cut + 1]


def link_file(path: Path | str, *, fmt: str | None = None, min_score: float = DEFAULT_MIN_SCORE,
              ours: Graph | None = None, store: ox.Store | None = None) -> LinkResult:
    """Load ``path`` beside our graph and propose candidate mappings (SSSOM text in the result).

    When ``store`` (pyoxigraph) is given, the external graph is also loaded into it, in the named
    graph ``…/graph/linked/<name>``; nothing is written to ``data/``.
    """
    if not 0.0 < min_score <= 1.0:
        raise LinkError(f"--min-score must be in (0, 1], got {min_score}")
    with task(f"reading {Path(path).name}") as advance:
        g, used_fmt = load_external(path, fmt)
        advance()
        name = graph_name(path)
        if ours is None:
            from yrd_kg.dataset.store import open_dataset

            ours = open_dataset().rdflib_graph()
    with task("proposing mappings") as advance:
        cands = propose(entities_of(ours, ours=True), entities_of(g, ours=False), min_score=min_score)
        advance()
    cmap = _curie_map_for(g, name)
    curies = CurieMap(cmap)
    for c in cands:  # a namespace for every IRI the map does not cover
        for iri in (str(c.object.iri), c.object_field, c.subject_field):
            if ":" not in iri:
                continue
            try:
                curies.compact(iri)
            except SSSOMError:
                cmap[f"{name}-{len(cmap)}"] = _ns_of(iri)
                curies = CurieMap(cmap)
    rows = [MappingRow(str(c.subject.iri), str(c.predicate), str(c.object.iri), c.justification,
                       subject_label=c.subject.label(), object_label=c.object.label(), confidence=c.score,
                       match_string=c.match_string,
                       subject_match_field=c.subject_field if ":" in c.subject_field else "",
                       object_match_field=c.object_field if ":" in c.object_field and c.object_field != str(c.object.iri)
                       else "",
                       similarity_score=round(c.similarity, 3) if c.similarity is not None else None,
                       similarity_measure=c.measure,
                       mapping_tool="yrd-kg link", comment="candidate: review before accepting")
            for c in cands]
    meta = {
        "mapping_set_id": f"{BASE}mappings/candidates/{name}",
        "mapping_set_version": VERSION,
        "mapping_set_title": f"Candidate mappings from yrd-kg to {Path(path).name} (for review)",
        "license": "https://spdx.org/licenses/MIT.html",
        "mapping_tool": "yrd-kg link",
        "mapping_tool_version": VERSION,
        "object_source": str(_ontology_iri(g) or linked_graph_iri(name)),
        "comment": "Proposed by code, label and string similarity between kinds that can match; confidence "
                   "calibrated on a hand-checked gold set; not reviewed. See docs/LINKING.md for the review convention.",
    }
    text = write_sssom(rows, meta, cmap)
    if store is not None:
        load_into_store(store, g, name)
    return LinkResult(name, linked_graph_iri(name), used_fmt, len(g), cands, text)


def _ontology_iri(g: Graph) -> URIRef | None:
    for s in g.subjects(RDF.type, OWL.Ontology):
        if isinstance(s, URIRef):
            return s
    return None


def load_into_store(store: ox.Store, g: Graph, name: str, *, accepted: bool = False) -> ox.NamedNode:
    """Add ``g`` to a pyoxigraph store in ``…/graph/linked/<name>`` (or ``…/mappings/accepted/<name>``)."""
    import pyoxigraph as ox

    from yrd_kg.dataset.terms import from_graph

    gid = ox.NamedNode(str(accepted_graph_iri(name) if accepted else linked_graph_iri(name)))
    store.extend(from_graph(g, gid))
    return gid


def is_rejected(row: dict[str, str]) -> bool:
    """A reviewed row that must not be accepted (see docs/LINKING.md)."""
    if row.get("predicate_id", "") in REJECT_PREDICATES:
        return True
    if row.get("predicate_modifier", "").strip().lower() == "not":
        return True
    if row.get("object_id", "") in ("", NO_TERM_FOUND):
        return True
    return row.get("comment", "").strip().upper().startswith(("REJECT", "REJECTED"))


@dataclass
class AcceptResult:
    """What ``accept`` wrote: the Turtle and SSSOM/TSV files, accepted and rejected row counts."""

    path: Path
    graph_iri: URIRef
    accepted: int
    rejected: int
    sssom_path: Path | None = None


_PLAIN_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def check_plain_name(name: str) -> str:
    """``name`` when it is a plain file name (letters, digits, ``.``, ``_``, ``-``; no separator, no ``..``)."""
    if not _PLAIN_NAME_RE.fullmatch(name) or ".." in name:
        raise LinkError(f"--name {name!r}: must be a plain name (letters, digits, '.', '_', '-'; "
                        "no path separator, no '..', at most 100 characters)")
    return name


def accept(reviewed: Path | str, name: str, *, accepted_dir: Path | None = None) -> AcceptResult:
    """Keep the accepted rows of a reviewed SSSOM file, with the set's metadata, under ``mappings/accepted/``.

    ``<name>.sssom.tsv``: the accepted rows and the reviewed file's metadata block, unchanged.
    ``<name>.ttl``: the mapping triples (what queries follow) and the set in SSSOM's RDF form
    (:func:`yrd_kg.linking.sssom_rdf.mapping_set_graph`: licence, version, justification, confidence …).
    """
    from yrd_kg.dataset.build import write_atomic
    from yrd_kg.linking.sssom_rdf import mapping_set_graph

    check_plain_name(name)
    p = Path(reviewed)
    text = read_text(p)
    problems = validate_sssom(text)
    if problems:
        raise LinkError(f"{p}: not a valid SSSOM/TSV file: " + "; ".join(problems[:5]))
    ms: MappingSet = read_sssom(text)
    keep = [r for r in ms.rows if not is_rejected(r)]
    curies = ms.curie_map
    g = rows_to_graph(keep, curies)
    triples = len(g)
    g += mapping_set_graph(ms.metadata, keep, curies)
    for pfx, ns in curies.prefixes.items():
        g.bind(pfx, ns, override=True)
    out_dir = accepted_dir if accepted_dir is not None else default_accepted_dir()
    out = out_dir / f"{name}.ttl"
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    header = (f"# Accepted mappings from {p.name} (sha256 {digest}…), written by `yrd-kg link --accept`.\n"
              f"# Graph: {accepted_graph_iri(name)}. Rows rejected in review are left out; see docs/LINKING.md.\n")
    write_atomic(out, (header + g.serialize(format="turtle")).encode("utf-8"))
    tsv = out_dir / f"{name}.sssom.tsv"
    write_atomic(tsv, _sssom_text(text, ms, keep).encode("utf-8"))
    return AcceptResult(out, accepted_graph_iri(name), triples, len(ms.rows) - len(keep), tsv)


def _sssom_text(original: str, ms: MappingSet, keep: list[dict[str, str]]) -> str:
    """The reviewed file's metadata block, verbatim, then its header and the accepted rows."""
    meta = [line for line in original.splitlines() if line.startswith("#")]
    buf = io.StringIO()
    w = csv.writer(buf, delimiter="\t", lineterminator="\n")
    w.writerow(ms.columns)
    for r in keep:
        w.writerow([r.get(c, "") for c in ms.columns])
    return "\n".join(meta) + "\n" + buf.getvalue()


def accepted_files(accepted_dir: Path | None = None) -> list[Path]:
    """The accepted-mapping Turtle files (each goes into ``…/graph/mappings/accepted/<stem>``)."""
    d = accepted_dir if accepted_dir is not None else default_accepted_dir()
    return sorted(d.glob("*.ttl")) if d.is_dir() else []


def linked_store(linked: Iterable[Path | str] = (), *, accepted_dir: Path | None = None,
                 build_dir: Path | None = None) -> ox.Store:
    """The built dataset plus linked files (each in its ``linked/<name>`` graph) and the accepted mappings.

    Pass the result as ``store=`` to :func:`yrd_kg.sparql.run.run_query` so saved queries follow mappings.
    """
    from yrd_kg.dataset.store import open_dataset

    store = open_dataset(build_dir, persistent=False).copy().store  # writable: linked graphs are added to it
    for f in linked:
        g, _ = load_external(f)
        load_into_store(store, g, graph_name(f))
    for f in accepted_files(accepted_dir):
        load_into_store(store, parse_file(f).graph, f.stem, accepted=True)
    return store


def summary(result: LinkResult) -> dict[str, Any]:
    """Counts for the command's report."""
    by_pred: dict[str, int] = defaultdict(int)
    for c in result.candidates:
        by_pred[str(c.predicate).rsplit("#", 1)[-1]] += 1
    return {"graph": str(result.graph_iri), "format": result.format, "triples": result.triples,
            "candidates": len(result.candidates), "by_predicate": dict(sorted(by_pred.items()))}
