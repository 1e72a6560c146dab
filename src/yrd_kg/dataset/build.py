"""Build the dataset: the only place that parses ``ontology/`` and ``data/``.

Every source file becomes one named graph (``…/graph/<folder>/<stem>``); qualified ``yrd:Link`` and
``yrd:Evidence`` blank nodes get stable IRIs from their content; the direct triples the links state go
to ``…/graph/derived/links``. Output in ``build/`` (byte-identical on rerun, each file written beside
its target and renamed into place):

- ``yrd-kg.nq``: every named graph as sorted N-Quads (the artefact every other stage opens);
- ``yrd-kg.trig``: the same as TriG, for reading;
- ``yrd.owl``: the ontology as RDF/XML (for Protégé and owlready2);
- ``shapes.nq``: the SHACL shapes (``ontology/shapes/*.ttl``), kept out of the data;
- ``manifest.json``: checksums of the sources (a rebuild happens only when one changed) and of every
  artefact (a reader refuses a changed byte), counts per graph and per class.

Blank nodes keep labels that depend only on the source bytes (``g<graph digest>b<n>``), so the same
sources give the same labels in every process; :func:`yrd_kg.namespaces.skolem` turns a label into an IRI.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import stat
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib.namespace import RDF

import yrd_kg.resources as resources
from yrd_kg.dataset.loader import LoadError, check_bytes
from yrd_kg.errors import EnvironmentFault
from yrd_kg.namespaces import GRAPH, ID, PREFIXES, YRD, compact

DERIVED_LINKS = GRAPH["derived/links"]
#: bump when what the build writes changes shape
BUILD_FORMAT_VERSION = "3"
NQ = "yrd-kg.nq"
TRIG = "yrd-kg.trig"
OWL = "yrd.owl"
SHAPES = "shapes.nq"
MANIFEST = "manifest.json"
ARTEFACTS = (NQ, TRIG, OWL, SHAPES)

_RDF_TYPE = ox.NamedNode(str(RDF.type))
_LINK = ox.NamedNode(str(YRD.Link))
_EVIDENCE = ox.NamedNode(str(YRD.Evidence))
_HAS_EVIDENCE = ox.NamedNode(str(YRD.hasEvidence))
_L_S, _L_P, _L_O = (ox.NamedNode(str(t)) for t in (YRD.linkSubject, YRD.linkPredicate, YRD.linkObject))
_QUOTE, _LOCATOR = ox.NamedNode(str(YRD.quote)), ox.NamedNode(str(YRD.locator))

Triple = tuple[Any, Any, Any]


class BuildError(EnvironmentFault):
    """The build could not write its artefacts (read-only folder, full disk)."""


@dataclass
class BuildResult:
    """What a build did: where it wrote, whether it was needed, and counts."""

    out_dir: Path
    rebuilt: bool
    graphs: dict[str, int] = field(default_factory=dict)
    classes: dict[str, int] = field(default_factory=dict)
    artefacts: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: why it rebuilt ("no build yet", "sources changed: data/x.ttl", "forced"), or "" when it did not
    reason: str = ""

    @property
    def triples(self) -> int:
        """Total triples over all named graphs."""
        return sum(self.graphs.values())

    @property
    def nq(self) -> Path:
        """The N-Quads artefact."""
        return self.out_dir / NQ


def source_files() -> list[Path]:
    """The Turtle files that make up the dataset, in a fixed order."""
    return sorted(resources.ontology_dir().glob("*.ttl")) + sorted(resources.data_dir().glob("*.ttl"))


def shape_files() -> list[Path]:
    """The shipped SHACL shapes (``ontology/shapes/*.ttl``)."""
    return sorted((resources.ontology_dir() / "shapes").glob("*.ttl"))


def graph_iri(path: Path) -> ox.NamedNode:
    """The named graph a source file goes into: ``…/graph/<folder>/<stem>``."""
    return ox.NamedNode(str(GRAPH[f"{path.parent.name}/{path.stem}"]))


def _digest(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:16]


def parse_source(path: Path) -> list[Triple]:
    """Parse one source strictly; blank nodes relabelled by first appearance (stable for the same bytes)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError(path, f"cannot read: {exc.strerror or exc}") from exc
    check_bytes(path, data)
    scope = _digest(graph_iri(path).value)[:8]
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


def _plain(t: Any) -> str:
    """The string the content hashes are computed on (IRI, or literal lexical form)."""
    return "None" if t is None else str(t.value)


def skolemise_links(triples: list[Triple]) -> list[Triple]:
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


def derived_links(triples: Iterable[Triple]) -> list[Triple]:
    """The direct triples stated by the qualified ``yrd:Link`` nodes (subject, predicate, object), sorted."""
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


def build_quads(files: Iterable[Path] | None = None) -> dict[str, list[Triple]]:
    """Every source file's triples (links skolemised) by graph IRI, plus the derived-links graph."""
    graphs: dict[str, list[Triple]] = {}
    for f in files if files is not None else source_files():
        graphs[graph_iri(Path(f)).value] = skolemise_links(parse_source(Path(f)))
    graphs[str(DERIVED_LINKS)] = derived_links(t for ts in graphs.values() for t in ts)
    return graphs


def nquads(graphs: dict[str, list[Triple]]) -> bytes:
    """The graphs as sorted, duplicate-free N-Quads."""
    lines = set()
    for gid, triples in graphs.items():
        g = ox.NamedNode(gid)
        for s, p, o in triples:
            lines.add(f"{ox.Quad(s, p, o, g)} .")
    return ("\n".join(sorted(lines)) + "\n").encode("utf-8") if lines else b""


_DIGESTS: dict[tuple[str, int, int], str] = {}


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, computed once per process for the same path, size and modification time."""
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    if key not in _DIGESTS:
        h = hashlib.sha256()
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        _DIGESTS[key] = h.hexdigest()
    return _DIGESTS[key]


def source_manifest(files: Iterable[Path]) -> dict[str, str]:
    """Checksums of the sources, keyed by path relative to the project (and the build format)."""
    root = resources.ontology_dir().parent
    out = {"build-format": BUILD_FORMAT_VERSION}
    for f in files:
        try:
            out[str(f.relative_to(root))] = file_sha256(f)
        except OSError as exc:
            raise LoadError(f, f"cannot read: {exc.strerror or exc}") from exc
    return out


def _write_error(path: Path, exc: OSError, tail: str) -> BuildError:
    why = "no space left on the device" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
    return BuildError(f"{path}: cannot write: {why}{tail}")


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path`` and rename it into place (never half a file).

    Any failure (full disk, read-only folder, a signal) removes the temporary file, leaves the previous
    version intact and raises :class:`BuildError` naming the file and the cause. A ``path`` that is a
    device or a named pipe (``/dev/null``, ``/dev/full``, a FIFO) is written to directly: a rename would
    replace the device.
    """
    path = Path(path)
    try:
        mode = path.stat().st_mode
    except OSError:
        mode = None
    if mode is not None and (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode) or stat.S_ISBLK(mode)):
        try:
            with path.open("wb") as fh:
                fh.write(data)
        except OSError as exc:
            raise _write_error(path, exc, "") from exc
        return
    if mode is not None and stat.S_ISDIR(mode):
        raise BuildError(f"{path}: cannot write: it is a folder")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as exc:
        raise BuildError(f"{path.parent}: cannot write: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise _write_error(path, exc, "; the previous version is unchanged") from exc
    except BaseException:  # interrupted (Ctrl-C, SIGTERM): no stray temporary file either
        Path(tmp).unlink(missing_ok=True)
        raise


def read_manifest(out_dir: Path) -> dict[str, Any] | None:
    """The manifest of a build folder, or None when there is none or it is unreadable."""
    try:
        data = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _stale(out_dir: Path, sources: dict[str, str]) -> str:
    """Why ``out_dir`` must be rebuilt for these source checksums ("" when it is up to date)."""
    old = read_manifest(out_dir)
    if old is None:
        return "no build yet"
    before = old.get("sources") or {}
    if before != sources:
        changed = sorted(k for k in set(before) | set(sources) if before.get(k) != sources.get(k))
        return f"sources changed: {', '.join(changed[:5])}{' …' if len(changed) > 5 else ''}"
    for name in ARTEFACTS:
        rec = (old.get("artefacts") or {}).get(name)
        path = out_dir / name
        if not isinstance(rec, dict) or not path.is_file():
            return f"{name} is missing"
        if path.stat().st_size != rec.get("size") or file_sha256(path) != rec.get("sha256"):
            return f"{name} differs from what the build wrote (checksum)"
    return ""


def build(*, force: bool = False, out_dir: Path | None = None) -> BuildResult:
    """Build ``build/`` from ontology/ and data/; skipped when sources and artefacts are unchanged (unless ``force``)."""
    out = Path(out_dir) if out_dir is not None else resources.default_build_dir()
    files = source_files()
    shapes = shape_files()
    sources = source_manifest(files + shapes)
    why = "forced" if force else _stale(out, sources)
    if not why:
        old = read_manifest(out) or {}
        return BuildResult(out, False, old.get("graphs", {}), old.get("classes", {}), old.get("artefacts", {}))
    graphs = build_quads(files)
    nq = nquads(graphs)
    quads = list(ox.parse(nq, format=ox.RdfFormat.N_QUADS))
    prefixes = {k: v for k, v in PREFIXES.items() if k != "yid"}
    onto = [ox.Triple(q.subject, q.predicate, q.object) for q in quads if "/graph/ontology/" in q.graph_name.value]
    shape_graphs = {graph_iri(f).value: parse_source(f) for f in shapes}
    outputs = {
        NQ: nq,
        TRIG: ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=prefixes) or b"",
        OWL: ox.serialize(onto, format=ox.RdfFormat.RDF_XML, prefixes=prefixes) or b"",
        SHAPES: nquads(shape_graphs),
    }
    artefacts = {}
    for name, data in outputs.items():
        write_atomic(out / name, data)
        artefacts[name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    typed: dict[str, set[str]] = {}
    for ts in graphs.values():
        for s, p, o in ts:
            if p == _RDF_TYPE and isinstance(o, ox.NamedNode):
                typed.setdefault(compact(o.value), set()).add(str(s))
    classes = dict(sorted(Counter({k: len(v) for k, v in typed.items()}).items()))
    counts = {gid: len(set(ts)) for gid, ts in sorted(graphs.items())}
    manifest = {"sources": sources, "artefacts": artefacts, "graphs": counts, "classes": classes}
    write_atomic(out / MANIFEST, (json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode())
    return BuildResult(out, True, counts, classes, artefacts, why)


def artefact_paths(out_dir: Path) -> Sequence[Path]:
    """The artefacts a build folder holds."""
    return [out_dir / n for n in ARTEFACTS]
