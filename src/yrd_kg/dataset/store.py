"""The one way in to the built dataset: :func:`open_dataset` hands out a :class:`Dataset`.

A :class:`Dataset` holds the pyoxigraph store (the source of truth for every query) and makes an rdflib
view only when a library needs one (pySHACL, rdflib's writers): :meth:`Dataset.rdflib_graph`. Nothing
downstream of :mod:`yrd_kg.dataset.build` parses ``ontology/`` or ``data/``; they open the artefacts
``build/yrd-kg.nq`` (data) and ``build/shapes.nq`` (shapes), checked against the manifest's checksums.

Two ways to hold the dataset, one API:

- **in memory** (the default): a writable ``pyoxigraph.Store()`` filled from ``build/yrd-kg.nq``
  (blank-node labels kept, ~0.15 s for the paper's graph);
- **persistent** (``persistent=True`` or ``YRD_KG_STORE=disk``): an Oxigraph on-disk store in
  ``build/store/``, bulk-loaded once and reopened *read-only* by later processes; keyed on the
  artefact's checksum (``build/store.json``), loaded into a temporary folder and renamed into place.

``extra`` files (``--with``) always give an in-memory store, each file in its own graph
``…/graph/extra/<name>``. Queries see the union of all named graphs as their default graph.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterable, Iterator, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Dataset as RdflibDataset
from rdflib import Graph

import yrd_kg.resources as resources
from yrd_kg.dataset.build import (
    DERIVED_LINKS,
    MANIFEST,
    NQ,
    SHAPES,
    BuildResult,
    build,
    derived_links,
    file_sha256,
    graph_iri,
    nquads,
    read_manifest,
    skolemise_links,
)
from yrd_kg.dataset.loader import LoadError, parse_file
from yrd_kg.dataset.terms import to_graph
from yrd_kg.errors import EnvironmentFault
from yrd_kg.namespaces import GRAPH, PREFIXES

#: folder of the on-disk store inside the build directory, and its key file
STORE_DIR = "store"
STORE_KEY_FILE = "store.json"
#: bump when the way the store is filled changes
STORE_FORMAT = "2"


class StoreError(EnvironmentFault):
    """The on-disk store could not be created or opened."""


class StoreCorruptError(LoadError):
    """A built artefact is unreadable, not N-Quads, or not what ``manifest.json`` says it holds."""


class Dataset:
    """The built dataset: a pyoxigraph store plus, on request, rdflib views of the same quads.

    >>> ds = dataset_from_files([])
    >>> len(ds), ds.query("ASK { ?s ?p ?o }")
    (0, <QueryBoolean false>)
    """

    def __init__(self, store: ox.Store, *, source: str = "memory", checksum: str = "", nq_file: Path | None = None,
                 shapes_file: Path | None = None, shapes_quads: Sequence[ox.Quad] | None = None,
                 exact: Sequence[ox.Quad] | None = None) -> None:
        self.store = store
        self._exact = exact
        #: the N-Quads the store was filled from (its literals keep their lexical form there)
        self.nq_file = nq_file
        #: where it came from: a build folder, or ``memory`` for a dataset made from files
        self.source = source
        #: SHA-256 of the N-Quads it was loaded from ("" when made from files)
        self.checksum = checksum
        self._shapes_file = shapes_file
        self._shapes_quads = shapes_quads

    def __len__(self) -> int:
        return len(self.store)

    def __repr__(self) -> str:
        return f"<Dataset {self.source} {len(self)} quads>"

    def query(self, text: str, **options: Any) -> Any:
        """``store.query`` with the union of the named graphs as default graph (unless options say otherwise)."""
        if "default_graph" not in options:
            options.setdefault("use_default_graph_as_union", True)
        return self.store.query(text, **options)

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """Every quad, or the quads of one named graph."""
        gn = ox.NamedNode(graph) if graph is not None else None
        return iter(self.store.quads_for_pattern(None, None, None, gn))

    def copy(self) -> Dataset:
        """A writable in-memory copy (to add graphs to without changing this dataset)."""
        store = ox.Store()
        store.bulk_extend(self.store)
        return Dataset(store, source=self.source, checksum=self.checksum, nq_file=self.nq_file,
                       shapes_file=self._shapes_file, shapes_quads=self._shapes_quads)

    def graph_names(self) -> list[str]:
        """The named graphs, sorted."""
        return sorted(g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode))

    def exact_quads(self) -> Iterator[ox.Quad]:
        """Every quad with its literals' lexical forms as written.

        The store keeps numbers in canonical form (``"0.1990"^^xsd:decimal`` is ``0.199`` there); these come
        from the N-Quads artefact, or from the quads a dataset was made of.
        """
        if self.nq_file is not None:
            if self.checksum and file_sha256(self.nq_file) != self.checksum:
                raise StoreCorruptError(self.nq_file, "changed since it was opened (SHA-256): never answered from; "
                                                      "run the command again (it rebuilds) or `yrd-kg build --force`")
            return iter(ox.parse(path=str(self.nq_file), format=ox.RdfFormat.N_QUADS))
        if self._exact is not None:
            return iter(self._exact)
        return self.quads()

    @cached_property
    def _rdflib_graph(self) -> Graph:
        g = to_graph(self.exact_quads())
        bind_prefixes(g)
        return g

    def rdflib_graph(self) -> Graph:
        """The union of all named graphs as one rdflib graph (made once; do not modify it)."""
        return self._rdflib_graph

    def rdflib_dataset(self) -> RdflibDataset:
        """The named graphs as an rdflib ``Dataset`` whose default graph is their union (a new copy)."""
        ds = RdflibDataset(default_union=True)
        by_graph: dict[str, list[ox.Quad]] = {}
        for q in self.exact_quads():
            by_graph.setdefault(q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else "", []).append(q)
        for name in sorted(by_graph):
            to_graph(by_graph[name], ds.graph(name) if name else ds.default_context)
        bind_prefixes(ds)
        return ds

    def ontology_graph(self) -> Graph:
        """The ontology's named graphs (``…/graph/ontology/*``) as one rdflib graph."""
        prefix = str(GRAPH["ontology/"])
        g = to_graph(q for q in self.exact_quads() if isinstance(q.graph_name, ox.NamedNode)
                     and q.graph_name.value.startswith(prefix))
        bind_prefixes(g)
        return g

    def shapes_graph(self) -> Graph:
        """The shipped SHACL shapes, from ``build/shapes.nq`` (parsed by the build, never from the sources)."""
        if self._shapes_quads is not None:
            return to_graph(self._shapes_quads)
        if self._shapes_file is None:
            return Graph()
        verify_artefact(self._shapes_file.parent, self._shapes_file.name)  # a changed byte is never read
        try:
            quads = ox.parse(path=str(self._shapes_file), format=ox.RdfFormat.N_QUADS)
            g = to_graph(quads)
        except (SyntaxError, OSError) as exc:
            raise StoreCorruptError(self._shapes_file, f"unreadable shapes artefact ({exc}); "
                                                       "rebuild with `yrd-kg build --force`") from exc
        bind_prefixes(g)
        return g


def bind_prefixes(g: Graph | RdflibDataset) -> None:
    """Bind the project's prefixes on an rdflib graph (for readable Turtle)."""
    for k, v in PREFIXES.items():
        g.bind(k, v, override=True)


# --------------------------------------------------------------------------- opening


_CACHE: dict[tuple[str, str, str], Dataset] = {}
_LOCK = threading.Lock()


def verify_artefact(out_dir: Path, name: str) -> str:
    """The checksum of ``out_dir/name`` after checking it against the manifest; :class:`StoreCorruptError` otherwise."""
    path = out_dir / name
    fix = "rebuild it with `yrd-kg build --force`"
    manifest = read_manifest(out_dir)
    rec = ((manifest or {}).get("artefacts") or {}).get(name)
    if not isinstance(rec, dict):
        raise StoreCorruptError(out_dir / MANIFEST, f"no checksum recorded for {name}; {fix}")
    if not path.is_file():
        raise StoreCorruptError(path, f"missing; {fix}")
    digest = file_sha256(path)
    if digest != rec.get("sha256"):
        raise StoreCorruptError(path, f"changed since the build (SHA-256 {digest[:12]}… is not the "
                                      f"manifest's {str(rec.get('sha256'))[:12]}…): never answered from; {fix}")
    return digest


def _rebuild_notice(result: BuildResult) -> None:
    if result.rebuilt:
        print(f"yrd-kg: rebuilt {result.out_dir} ({result.reason})", file=sys.stderr)


def open_dataset(build_dir: Path | None = None, *, extra: Iterable[Path | str] = (), persistent: bool | None = None,
                 refresh: bool = False) -> Dataset:
    """The built dataset (building first when a source changed, said on standard error), opened once per process.

    ``extra`` RDF files are added, each in graph ``…/graph/extra/<name>`` (a new in-memory dataset).
    ``persistent=True`` (or ``YRD_KG_STORE=disk`` when not given): the read-only on-disk store in
    ``build/store/``. A built file whose checksum differs from the manifest is refused.
    """
    result = build(out_dir=build_dir)
    _rebuild_notice(result)
    out = result.out_dir
    files = [Path(f) for f in extra]
    env = os.environ.get("YRD_KG_STORE", "").lower()
    want_disk = bool((persistent if persistent is not None else env == "disk") and env != "memory" and not files)
    checksum = verify_artefact(out, NQ)
    base = str(out.resolve())
    with _LOCK:
        wanted = (base, checksum, "disk" if want_disk else "memory")
        if not files and not refresh and wanted in _CACHE:
            return _CACHE[wanted]
        store, kind = None, "memory"
        if want_disk:
            try:
                store, kind = open_persistent(out, key=checksum), "disk"
            except StoreError:
                if persistent:
                    raise
                if not files and not refresh and (base, checksum, "memory") in _CACHE:
                    return _CACHE[(base, checksum, "memory")]
        if store is None:
            store = load_memory_store([out / NQ], expected_quads=result.triples or None)
        ds = Dataset(store, source=str(out), checksum=checksum, nq_file=out / NQ, shapes_file=out / SHAPES)
        if not files:
            _CACHE[(base, checksum, kind)] = ds
            return ds
        for f in files:
            add_file(ds.store, f)
        ds.nq_file = None  # the extra graphs are only in the store
        ds._exact = None
        return ds


def open_store(build_dir: Path | None = None, *, extra: Iterable[Path | str] = (),
               persistent: bool | None = None) -> ox.Store:
    """The pyoxigraph store of :func:`open_dataset` (same arguments)."""
    return open_dataset(build_dir, extra=extra, persistent=persistent).store


def dataset_from_files(files: Iterable[Path | str]) -> Dataset:
    """A dataset made in memory from RDF files, the way the build makes it (a fixture's, or a user's data).

    Each file is read by the safe loader (:func:`yrd_kg.dataset.loader.parse_file`) into its own named
    graph; links and evidence get their stable IRIs and the derived-links graph is added, as in the build.

    >>> len(dataset_from_files([]))
    0
    """
    graphs: dict[str, list[Any]] = {}
    for f in files:
        p = Path(f)
        graphs[graph_iri(p).value] = skolemise_links(list(parse_file(p).triples))
    graphs[str(DERIVED_LINKS)] = derived_links(t for ts in graphs.values() for t in ts)
    store = ox.Store()
    quads = list(ox.parse(nquads(graphs), format=ox.RdfFormat.N_QUADS))
    store.bulk_extend(quads)
    return Dataset(store, source="memory", shapes_quads=[], exact=quads)


def load_memory_store(files: Sequence[Path], *, expected_quads: int | None = None) -> ox.Store:
    """A writable in-memory store filled from N-Quads ``files`` (blank-node labels kept).

    A file that is not N-Quads, or (with ``expected_quads``, the build manifest's count) one that holds
    fewer or more quads than the build wrote, raises :class:`StoreCorruptError` naming the file and line.
    """
    store = ox.Store()
    fix = "rebuild it with `yrd-kg build --force`"
    for f in files:
        try:
            store.bulk_extend(ox.parse(path=str(f), format=ox.RdfFormat.N_QUADS))
        except SyntaxError as exc:
            raise StoreCorruptError(f, f"the built dataset is not valid N-Quads ({exc.msg}); {fix}", exc.lineno) from exc
        except OSError as exc:
            raise StoreCorruptError(f, f"cannot read the built dataset ({exc}); {fix}") from exc
    if expected_quads is not None and len(store) != expected_quads:
        raise StoreCorruptError(files[0], f"holds {len(store)} quads but the build wrote {expected_quads} "
                                          f"(truncated or edited?); {fix}")
    return store


def add_file(store: ox.Store, path: Path | str) -> ox.NamedNode:
    """Parse ``path`` safely (:func:`yrd_kg.dataset.loader.parse_file`) and add it in graph ``…/graph/extra/<name>``.

    ``store`` must be writable (an in-memory store).
    """
    p = Path(path)
    loaded = parse_file(p)
    gid = ox.NamedNode(str(GRAPH[f"extra/{p.name}"]))
    try:
        store.extend(loaded.quads(gid))
    except (RuntimeError, OSError) as exc:  # a read-only (persistent) store
        raise StoreError(f"{p}: cannot add to a read-only store; use open_dataset(extra=[...]) "
                         f"or persistent=False: {exc}") from exc
    return gid


# --------------------------------------------------------------------------- the persistent store


def persistent_key(build_dir: Path) -> str:
    """The key of the on-disk store of ``build_dir``: the N-Quads checksum, pyoxigraph and the store format."""
    return _key(verify_artefact(Path(build_dir), NQ))


def _key(content: str) -> str:
    return hashlib.sha256(f"{STORE_FORMAT}\x1f{ox.__version__}\x1f{content}".encode()).hexdigest()


def open_persistent(build_dir: Path, *, files: Sequence[Path] | None = None, key: str | None = None,
                    directory: Path | None = None) -> ox.Store:
    """The read-only on-disk store of ``build_dir`` (or of ``files`` in ``directory``), created when stale.

    ``files`` (default: ``build_dir/yrd-kg.nq``) are the N-Quads it is loaded from; ``key`` (default: the
    checksum of that file) what it must match to be reused; ``directory`` (default: ``build_dir/store``)
    where it lives. The key is kept beside it in ``<directory>.json``.
    """
    build_dir = Path(build_dir)
    sources = list(files) if files is not None else [build_dir / NQ]
    target = Path(directory) if directory is not None else build_dir / STORE_DIR
    keyfile = target.with_name(STORE_KEY_FILE) if directory is None else target.with_suffix(".json")
    try:
        want = _key(key) if key is not None else persistent_key(build_dir)
    except (OSError, ValueError, LoadError) as exc:
        raise StoreError(f"{build_dir}: no usable build: {exc}") from exc
    if _current(keyfile) == want and target.is_dir():
        try:
            return ox.Store.read_only(str(target))
        except OSError:
            pass  # damaged or half-removed: build it again
    _create(target, keyfile, sources, want)
    try:
        return ox.Store.read_only(str(target))
    except OSError as exc:
        raise StoreError(f"{target}: cannot open the store read-only: {exc}") from exc


def _current(keyfile: Path) -> str | None:
    try:
        data = json.loads(keyfile.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    value = data.get("key") if isinstance(data, dict) else None
    return value if isinstance(value, str) else None


def _create(target: Path, keyfile: Path, sources: Sequence[Path], key: str) -> None:
    """Load ``sources`` into a fresh store beside ``target`` and move it into place."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-new-", dir=target.parent))
    except OSError as exc:
        raise StoreError(f"{target.parent}: cannot create the store: {exc}") from exc
    try:
        store = ox.Store(str(tmp / "db"))
        for f in sources:  # labels kept (bulk_load would rename blank nodes)
            store.bulk_extend(ox.parse(path=str(f), format=ox.RdfFormat.N_QUADS))
        quads = len(store)
        store.flush()
        del store
        old = None
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}-old-", dir=target.parent))
            with contextlib.suppress(OSError):
                target.rename(old / "db")
        try:
            (tmp / "db").rename(target)
        except OSError:
            if not target.is_dir():
                raise
            return  # another process won the race and writes the key of the same content
        finally:
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        info = {"key": key, "quads": quads, "pyoxigraph": ox.__version__, "format": STORE_FORMAT,
                "sources": [str(f) for f in sources]}
        part = keyfile.with_name(f".{keyfile.name}.{os.getpid()}")
        part.write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8")
        part.replace(keyfile)
    except (OSError, ValueError, SyntaxError) as exc:
        raise StoreError(f"{target}: cannot create the store: {exc}") from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def default_build_dir() -> Path:
    """Where the built artefacts are read from (``$YRD_KG_BUILD`` or ``./build``)."""
    return resources.default_build_dir()
