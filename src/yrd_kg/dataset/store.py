"""The query engine: the built dataset in a pyoxigraph store (rdflib stays the API for building).

Two ways to hold the dataset, one API (:func:`open_store`):

- **in memory** (the default): a fresh, writable ``pyoxigraph.Store()`` bulk-loaded from
  ``build/yrd-kg.nq`` (~0.1 s for the paper's graph, ~5 s for 1M triples). Queries on it are the
  fastest (``benchmarks/README.md``: 5–15× faster than on the on-disk store at 100k triples).
- **persistent** (``persistent=True`` or ``YRD_KG_STORE=disk``): an Oxigraph on-disk store in
  ``build/store/``, bulk-loaded once and reopened *read-only* by every later process, so a process
  does not reparse (opening takes ~25 ms for the paper, ~0.1 s for 1M triples, against ~5 s of
  parsing). It is keyed on the manifest's source checksums (``build/store.json``): rebuilt only when
  a source changed (or the pyoxigraph version or this module's store format did). Several processes
  may hold it open at once; a new store is loaded into a temporary folder and renamed into place, so
  a reader never sees a half-written one. Worth it for one-shot processes on large data; not for the
  paper's graph, and not for long-running processes (its queries are slower).

``extra`` files always give an in-memory store (the on-disk one is read-only). ``YRD_KG_STORE=memory``
forces memory even where ``persistent=True`` is the caller's default. Queries see the union of all
named graphs as their default graph (``use_default_graph_as_union``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import pyoxigraph as ox

import yrd_kg.resources as resources

__all__ = [
    "STORE_DIR",
    "STORE_FORMAT",
    "StoreError",
    "add_file",
    "default_build_dir",
    "load_memory_store",
    "open_persistent",
    "open_store",
    "persistent_key",
]

#: folder of the on-disk store inside the build directory
STORE_DIR = "store"
#: the key file beside it (what the store was built from)
STORE_KEY_FILE = "store.json"
#: bump when the way the store is filled changes
STORE_FORMAT = "1"


class StoreError(RuntimeError):
    """The on-disk store could not be created or opened."""


def open_store(build_dir: Path | None = None, *, extra: Iterable[Path] = (), persistent: bool | None = None) -> ox.Store:
    """The built dataset as a pyoxigraph store (building first when a source changed).

    By default a writable in-memory store, with ``extra`` RDF files each added in its own graph
    ``…/graph/extra/<name>``. ``persistent=True`` (or ``YRD_KG_STORE=disk`` when ``persistent`` is
    not given) and no ``extra``: the read-only on-disk store in ``build/store/`` (created on first
    use, rebuilt when a source changed); :class:`StoreError` when it cannot be used and
    ``persistent=True`` was asked for (with the environment variable it falls back to memory).
    """
    from yrd_kg.dataset.build import build

    result = build(out_dir=build_dir)
    files = [Path(f) for f in extra]
    nq = result.out_dir / "yrd-kg.nq"
    env = os.environ.get("YRD_KG_STORE", "").lower()
    want_disk = (persistent if persistent is not None else env == "disk") and env != "memory"
    if want_disk and not files:
        try:
            return open_persistent(result.out_dir)
        except StoreError:
            if persistent:
                raise
    store = load_memory_store([nq], expected_quads=sum(result.graphs.values()) if result.graphs else None)
    for f in files:
        add_file(store, f)
    return store


def load_memory_store(files: Sequence[Path], *, expected_quads: int | None = None) -> ox.Store:
    """A writable in-memory store bulk-loaded from N-Quads ``files``.

    A file that is not N-Quads, or (with ``expected_quads``, the build manifest's count) one that
    holds fewer or more quads than the build wrote, raises
    :class:`yrd_kg.sandbox.StoreCorruptError` naming the file (and line), never a bare parser error.
    """
    from yrd_kg.worker import StoreCorruptError

    store = ox.Store()
    for f in files:
        try:
            store.bulk_load(path=str(f), format=ox.RdfFormat.N_QUADS)
        except SyntaxError as exc:
            raise StoreCorruptError(f, f"the built dataset is not valid N-Quads ({exc.msg}); "
                                       "rebuild it with `yrd-kg build --force`", exc.lineno) from exc
        except OSError as exc:
            raise StoreCorruptError(f, f"cannot read the built dataset ({exc}); rebuild it with `yrd-kg build --force`") from exc
    if expected_quads is not None and len(store) != expected_quads:
        raise StoreCorruptError(files[0], f"holds {len(store)} quads but the build wrote {expected_quads} "
                                          "(truncated or edited?); rebuild it with `yrd-kg build --force`")
    return store


def persistent_key(build_dir: Path) -> str:
    """The key of the store for ``build_dir``: the manifest's source checksums, pyoxigraph and store format."""
    manifest = json.loads((Path(build_dir) / "manifest.json").read_text(encoding="utf-8"))
    return _key(json.dumps(manifest.get("sources", {}), sort_keys=True))


def _key(content: str) -> str:
    return hashlib.sha256(f"{STORE_FORMAT}\x1f{ox.__version__}\x1f{content}".encode()).hexdigest()


def open_persistent(build_dir: Path, *, files: Sequence[Path] | None = None, key: str | None = None,
                    directory: Path | None = None) -> ox.Store:
    """The read-only on-disk store of ``build_dir`` (or of ``files`` in ``directory``), created when stale.

    ``files`` (default: ``build_dir/yrd-kg.nq``) are the N-Quads it is loaded from; ``key``
    (default: :func:`persistent_key`) what it must match to be reused; ``directory`` (default:
    ``build_dir/store``) where it lives. The key is kept beside it in ``<directory>.json``.
    """
    build_dir = Path(build_dir)
    sources = list(files) if files is not None else [build_dir / "yrd-kg.nq"]
    target = Path(directory) if directory is not None else build_dir / STORE_DIR
    keyfile = target.with_name(STORE_KEY_FILE) if directory is None else target.with_suffix(".json")
    try:
        want = key if key is not None else persistent_key(build_dir)
    except (OSError, ValueError) as exc:
        raise StoreError(f"{build_dir}: no usable manifest.json: {exc}") from exc
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
        for f in sources:
            store.bulk_load(path=str(f), format=ox.RdfFormat.N_QUADS)
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


def add_file(store: ox.Store, path: Path) -> ox.NamedNode:
    """Parse ``path`` safely (scratch graph first) and add it to ``store`` in graph ``…/graph/extra/<name>``.

    ``store`` must be writable (an in-memory store: ``open_store(extra=[path])`` gives one).
    """
    from yrd_kg.dataset.loader import parse_file
    from yrd_kg.namespaces import GRAPH

    loaded = parse_file(path)
    gid = ox.NamedNode(str(GRAPH[f"extra/{path.name}"]))
    nt = loaded.graph.serialize(format="nt")
    try:
        store.load(nt.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES, to_graph=gid)
    except RuntimeError as exc:  # a read-only (persistent) store
        raise StoreError(f"{path}: cannot add to a read-only store; use open_store(extra=[...]) "
                         f"or open_store(persistent=False): {exc}") from exc
    return gid


def default_build_dir() -> Path:
    """Where the built artefacts are read from."""
    return resources.default_build_dir()
