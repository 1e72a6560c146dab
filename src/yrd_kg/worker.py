"""Run untrusted work (a query, a validation) in a child process with a wall-clock limit and a row cap.

pyoxigraph evaluates a query in Rust and cannot be interrupted from another Python thread, and
pySHACL may loop for a long time on a hostile shapes graph. So the work runs in a worker process
(``fork`` on POSIX, so an in-memory store is shared copy-on-write) that is killed (``SIGKILL``) when
the limit passes; the caller gets :class:`SandboxTimeout` whose message says
``… exceeded N s and was stopped``. An optional address-space limit (``memory_mb``) turns a runaway
allocation into :class:`SandboxMemoryError` instead of swapping the machine.

Row cap: :class:`yrd_kg.queries.OxigraphEngine` with ``max_rows`` iterates pyoxigraph's lazy results and stops after ``max_rows``;
:func:`run_query` / :func:`run_sparql` return a :class:`Limited` that says whether rows were cut
(``truncated``), with :meth:`Limited.notice` as the line a command prints: never silently.

Shapes guard: :func:`check_shapes` refuses shapes whose SPARQL (``sh:select``, ``sh:ask``,
``sh:construct``, ``sh:update``) uses ``SERVICE``, ``LOAD`` or a non-local ``FROM``: they are reported,
not executed. :func:`validate_limited` runs the guard and then :func:`yrd_kg.validate.validate` in a
worker; a timeout is :class:`ValidationIncomplete` ("incomplete"), never "conforms".

>>> run_with_timeout(sum, [1, 2, 3], timeout=10)
6
"""

from __future__ import annotations

import contextlib
import importlib
import multiprocessing as mp
import os
import pickle
import re
import signal
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph as ox
    from rdflib import Graph

    from yrd_kg.sparql.queries import ResultTable
    from yrd_kg.validate.run import ValidationReport

__all__ = [
    "DEFAULT_MAX_ROWS",
    "DEFAULT_TIMEOUT",
    "Limited",
    "SandboxError",
    "SandboxMemoryError",
    "SandboxTimeout",
    "StoreCorruptError",
    "UnsafeShapesError",
    "ValidationIncomplete",
    "check_shapes",
    "open_checked_store",
    "run_query",
    "run_sparql",
    "run_with_timeout",
    "validate_limited",
]

#: default wall-clock limit of a query run from the command line (seconds)
DEFAULT_TIMEOUT = 60.0
#: default row cap of a query run from the command line
DEFAULT_MAX_ROWS = 100_000

T = TypeVar("T")


class SandboxError(Exception):
    """The worker could not give an answer (crashed, killed, or its result could not be returned)."""


class SandboxTimeout(SandboxError):
    """The work did not finish within ``timeout`` seconds and its worker was killed."""

    def __init__(self, what: str, timeout: float) -> None:
        self.timeout = timeout
        self.what = what
        super().__init__(f"{what} exceeded {timeout:g} s and was stopped (raise the limit with --timeout)")


class SandboxMemoryError(SandboxError):
    """The worker ran out of its memory allowance (``memory_mb``)."""


class ValidationIncomplete(SandboxTimeout):
    """Validation was stopped by its time limit: the result is *incomplete*, not "conforms"."""

    def __init__(self, what: str, timeout: float) -> None:
        super().__init__(what, timeout)
        self.args = (f"incomplete: {what} exceeded {timeout:g} s and was stopped; the data were NOT shown to conform "
                     "(raise the limit with --timeout)",)


class UnsafeShapesError(Exception):
    """A shapes graph asks for something validation never does (SERVICE, LOAD, a remote FROM)."""


# --------------------------------------------------------------------------- the worker


def _send_exception(conn: Any, exc: BaseException) -> None:
    cls = type(exc)
    payload = ("exc", cls.__module__, cls.__qualname__, exc.args, dict(getattr(exc, "__dict__", {})), str(exc))
    try:
        conn.send(payload)
    except (pickle.PicklingError, TypeError, AttributeError):
        conn.send(("exc", cls.__module__, cls.__qualname__, (str(exc),), {}, str(exc)))


def _rebuild_exception(module: str, qualname: str, args: tuple[Any, ...], state: dict[str, Any],
                       text: str) -> BaseException:
    """The worker's exception as the same class (built without calling ``__init__``), else a SandboxError."""
    try:
        obj: Any = importlib.import_module(module)
        for part in qualname.split("."):
            obj = getattr(obj, part)
        if isinstance(obj, type) and issubclass(obj, BaseException):
            exc = obj.__new__(obj)
            exc.args = args
            exc.__dict__.update(state)
            return exc
    except (ImportError, AttributeError, TypeError):
        pass
    return SandboxError(f"{qualname}: {text}")


def _limit_memory(memory_mb: int) -> None:
    import resource

    base = 0
    with contextlib.suppress(OSError, ValueError), open("/proc/self/statm", encoding="ascii") as fh:
        base = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    limit = base + memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _child(conn: Any, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any],
           memory_mb: int | None) -> None:
    try:
        if memory_mb is not None:
            _limit_memory(memory_mb)
        result = fn(*args, **kwargs)
        try:
            conn.send(("ok", result))
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            conn.send(("exc", __name__, "SandboxError", (f"the result could not be returned: {exc}",), {}, str(exc)))
    except MemoryError:
        conn.send(("exc", __name__, "SandboxMemoryError",
                   (f"the worker ran out of memory (limit {memory_mb} MB)",), {}, "out of memory"))
    except BaseException as exc:  # everything goes back to the caller
        _send_exception(conn, exc)
    finally:
        conn.close()


def _context() -> Any:
    methods = mp.get_all_start_methods()
    return mp.get_context("fork" if "fork" in methods else "spawn")


def run_with_timeout(fn: Callable[..., T], /, *args: Any, timeout: float, memory_mb: int | None = None,
                     what: str = "the task", **kwargs: Any) -> T:
    """``fn(*args, **kwargs)`` in a worker process, killed after ``timeout`` seconds.

    The worker's exception is raised again here (same class and attributes); a timeout raises
    :class:`SandboxTimeout` (``what`` names the work in its message), a crash :class:`SandboxError`,
    running past ``memory_mb`` (an address-space limit on top of what the worker starts with)
    :class:`SandboxMemoryError`. The result must be picklable.
    """
    if timeout <= 0:
        raise ValueError(f"timeout must be positive, got {timeout!r}")
    ctx = _context()
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, fn, args, kwargs, memory_mb), daemon=True)
    proc.start()
    child.close()
    try:
        if not parent.poll(timeout):
            raise SandboxTimeout(what, timeout)
        try:
            msg = parent.recv()
        except EOFError:
            proc.join(5)
            code = proc.exitcode
            if memory_mb is not None and code in (-signal.SIGKILL, -signal.SIGABRT, -signal.SIGSEGV, -signal.SIGBUS):
                raise SandboxMemoryError(
                    f"{what}: the worker died (signal {-code}), most likely out of memory (limit {memory_mb} MB)") from None
            raise SandboxError(f"{what}: the worker died without an answer (exit code {code})") from None
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(5)
        parent.close()
        with contextlib.suppress(ValueError, AttributeError):
            proc.close()
    if msg[0] == "ok":
        return msg[1]  # type: ignore[no-any-return]
    raise _rebuild_exception(*msg[1:])


# --------------------------------------------------------------------------- queries with a row cap


@dataclass
class Limited:
    """A query result run under limits: the table, whether rows were cut, and the limits used."""

    table: ResultTable
    truncated: bool
    max_rows: int | None
    timeout: float
    seconds: float

    def notice(self) -> str | None:
        """The line to print when rows were cut (None otherwise)."""
        if not self.truncated:
            return None
        return (f"truncated: only the first {self.max_rows} rows are shown; the query has more "
                f"(raise the cap with --max-rows)")


def _evaluate(kind: str, text: str, store: ox.Store, max_rows: int | None, lang: str,
              params: dict[str, Any], directory: Path | None) -> tuple[ResultTable, bool]:
    import yrd_kg.sparql.queries as queries

    engine = queries.OxigraphEngine(store, max_rows)
    if kind == "query":
        table = queries.run_query(text, lang=lang, engine=engine, directory=directory, **params)
    else:
        table = queries.run_sparql(text, lang=lang, engine=engine, **params)
    return table, engine.truncated


def _limited(kind: str, text: str, *, timeout: float, max_rows: int | None, store: ox.Store | None,
             with_files: Iterable[Path | str], lang: str, params: dict[str, Any],
             directory: Path | None = None, memory_mb: int | None = None) -> Limited:
    import yrd_kg.sparql.queries as queries

    # refuse and bind in this process first: a refused text never starts a worker or reaches a store
    if kind == "query":
        q = queries.get_query(text, directory)
        queries.check_read_only(q.text)
        queries.bind_parameters(q.text, q.params, params, lang=lang, name=q.name)
        what = f"query {q.name!r}"
    else:
        queries.check_read_only(text)
        queries.bind_parameters(text, queries._params_of(text, queries.parse_header(text)), params, lang=lang)
        what = "the query"
    eng = queries.make_engine(store=store, with_files=with_files)
    st = getattr(eng, "store", None)
    if st is None:  # pragma: no cover - make_engine always gives an Oxigraph engine here
        raise SandboxError("no local store to run the query on")
    t0 = time.monotonic()
    table, truncated = run_with_timeout(_evaluate, kind, text, st, max_rows, lang, params, directory,
                                        timeout=timeout, memory_mb=memory_mb, what=what)
    return Limited(table, truncated, max_rows, timeout, time.monotonic() - t0)


def run_query(name: str, *, timeout: float = DEFAULT_TIMEOUT, max_rows: int | None = DEFAULT_MAX_ROWS,
              store: ox.Store | None = None, with_files: Iterable[Path | str] = (), lang: str = "en",
              directory: Path | None = None, memory_mb: int | None = None, **params: Any) -> Limited:
    """:func:`yrd_kg.queries.run_query` in a killable worker, with a wall-clock limit and a row cap."""
    return _limited("query", name, timeout=timeout, max_rows=max_rows, store=store, with_files=with_files,
                    lang=lang, params=params, directory=directory, memory_mb=memory_mb)


def run_sparql(text: str, *, timeout: float = DEFAULT_TIMEOUT, max_rows: int | None = DEFAULT_MAX_ROWS,
               store: ox.Store | None = None, with_files: Iterable[Path | str] = (), lang: str = "en",
               memory_mb: int | None = None, **params: Any) -> Limited:
    """:func:`yrd_kg.queries.run_sparql` in a killable worker, with a wall-clock limit and a row cap."""
    return _limited("sparql", text, timeout=timeout, max_rows=max_rows, store=store, with_files=with_files,
                    lang=lang, params=params, memory_mb=memory_mb)


# --------------------------------------------------------------------------- shapes and validation

_SH = "http://www.w3.org/ns/shacl#"
_SPARQL_PROPS = ("select", "ask", "construct", "update")
_STRING_RE = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'')
_IRI_RE = re.compile(r"<[^<>\s]*>")
_COMMENT_RE = re.compile(r"#[^\n]*")
_FORBIDDEN_RE = re.compile(r"\b(SERVICE|LOAD)\b", re.I)
_FROM_RE = re.compile(r"\bFROM\s+(?:NAMED\s+)?(<[^<>\s]*>|[A-Za-z][\w\-.]*:[^\s{]*)", re.I)


def _scan(text: str) -> str:
    """The SPARQL text with strings blanked and comments removed (IRIs kept)."""
    out: list[str] = []
    pos = 0
    for m in re.finditer(f"{_STRING_RE.pattern}|{_IRI_RE.pattern}|#[^\n]*", text):
        out.append(text[pos:m.start()])
        tok = m.group(0)
        out.append(tok if tok.startswith("<") else " ")
        pos = m.end()
    out.append(text[pos:])
    return "".join(out)


def sparql_problem(text: str, local_base: str = "https://w3id.org/yrd-kg/") -> str | None:
    """Why the SPARQL text of a shape must not run (SERVICE, LOAD, a non-local FROM), or None."""
    scan = _scan(text)
    m = _FORBIDDEN_RE.search(_IRI_RE.sub(" ", scan))
    if m:
        return f"uses {m.group(1).upper()}"
    for f in _FROM_RE.finditer(scan):
        iri = f.group(1)
        if not (iri.startswith("<") and iri[1:-1].startswith(local_base)):
            return f"uses FROM {iri} (not a local graph)"
    return None


def check_shapes(shapes: Graph) -> None:
    """Refuse a shapes graph whose SPARQL would reach out (SERVICE, LOAD, remote FROM): :class:`UnsafeShapesError`.

    Every ``sh:select`` / ``sh:ask`` / ``sh:construct`` / ``sh:update`` string is checked (constraints,
    SPARQL targets, constraint components, rules); the message names the shape or node that holds it.
    """
    from rdflib import URIRef

    problems: list[str] = []
    for prop in _SPARQL_PROPS:
        for node, text in shapes.subject_objects(URIRef(_SH + prop)):
            why = sparql_problem(str(text))
            if why:
                owner = shapes.value(None, URIRef(_SH + "sparql"), node) or shapes.value(None, URIRef(_SH + "target"), node)
                name = owner if owner is not None else node
                problems.append(f"shape {name.n3()}: sh:{prop} {why}; refused (not executed)")
    if problems:
        raise UnsafeShapesError("; ".join(sorted(problems)))


def _validate_worker(kwargs: dict[str, Any]) -> ValidationReport:
    from yrd_kg.validate.run import validate

    return validate(**kwargs)


def validate_limited(*, timeout: float = DEFAULT_TIMEOUT, memory_mb: int | None = None,
                     shapes: Iterable[Path] | None = None, **kwargs: Any) -> ValidationReport:
    """:func:`yrd_kg.validate.validate` with the shapes guard and a wall-clock limit.

    The shapes are loaded and checked here (:func:`check_shapes`) before anything runs; then the
    validation runs in a worker. A timeout raises :class:`ValidationIncomplete`: never "conforms".
    The caller's ``graph`` is not changed (the worker works on its own copy-on-write copy).
    """
    from yrd_kg.validate.run import load_shapes

    shape_files = list(shapes) if shapes is not None else None
    check_shapes(load_shapes(shape_files))
    if shape_files is not None:
        kwargs["shapes"] = shape_files
    try:
        return run_with_timeout(_validate_worker, kwargs, timeout=timeout, memory_mb=memory_mb, what="validation")
    except SandboxTimeout as exc:
        raise ValidationIncomplete("validation", exc.timeout) from None


# --------------------------------------------------------------------------- a checked store


def _load_error() -> type[Exception]:
    from yrd_kg.dataset.loader import LoadError

    return LoadError


class StoreCorruptError(_load_error()):  # type: ignore[misc]
    """``build/yrd-kg.nq`` is unreadable, not N-Quads, or not what ``manifest.json`` says it holds.

    A :class:`yrd_kg.loader.LoadError` (``path``, ``line``), so the commands report it with exit 2.
    """


_AT_LINE_RE = re.compile(r"line (\d+)")


def open_checked_store(build_dir: Path) -> ox.Store:
    """An in-memory store of ``build_dir/yrd-kg.nq``, checked: strict syntax and the quad count of the manifest.

    Never rebuilds. A truncated, garbage or unreadable file (or one whose quad count differs from
    ``manifest.json``'s per-graph counts) raises :class:`StoreCorruptError` naming the file, the
    line where known, and the remedy (``yrd-kg build --force``).
    """
    import json

    import pyoxigraph as ox

    nq = Path(build_dir) / "yrd-kg.nq"
    fix = "rebuild it with `yrd-kg build --force`"
    if not nq.is_file():
        raise StoreCorruptError(nq, f"missing; {fix}")
    store = ox.Store()
    try:
        store.load(path=str(nq), format=ox.RdfFormat.N_QUADS)
    except SyntaxError as exc:
        m = _AT_LINE_RE.search(str(exc))
        raise StoreCorruptError(nq, f"corrupt or truncated N-Quads ({str(exc).split(' (')[0]}); {fix}",
                                int(m.group(1)) if m else None) from None
    except (OSError, ValueError) as exc:
        raise StoreCorruptError(nq, f"unreadable ({exc}); {fix}") from None
    manifest = nq.with_name("manifest.json")
    try:
        counts = json.loads(manifest.read_text(encoding="utf-8")).get("graphs") if manifest.is_file() else None
    except (OSError, ValueError) as exc:
        raise StoreCorruptError(manifest, f"unreadable ({exc}); {fix}") from None
    if isinstance(counts, dict):
        expected = sum(int(v) for v in counts.values())
        if len(store) != expected:
            raise StoreCorruptError(nq, f"holds {len(store)} quads but manifest.json says {expected}: truncated or "
                                        f"changed; {fix}")
    return store
