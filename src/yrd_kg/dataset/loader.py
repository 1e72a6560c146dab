"""Safe loading of RDF files: local files only, format named, scratch graph first, clear errors.

Promises (README "Security"):
- only local files are opened, by this module; URLs, UNC paths and device paths are refused unless
  the caller passes ``allow_remote=True`` (even then nothing is fetched here: the caller must fetch);
- the format is taken from the extension (or given); an unknown or missing extension is an error
  that names the format the content looks like;
- RDF/XML and TriX with a DOCTYPE or entity declarations are refused before any XML parser runs;
- JSON-LD may only use the shipped ``@context``; remote or ``file:`` contexts and ``@import`` are
  refused; nesting depth is capped;
- syntax is checked strictly (pyoxigraph), so every error names file and line; the result is
  pyoxigraph triples (an rdflib graph only when a caller asks for ``Loaded.graph``);
  NUL bytes and byte-order marks are refused;
- every parse gives new triples (blank nodes labelled per file): callers merge only on success,
  so a bad file changes nothing;
- ``owl:imports`` are resolved from a local catalogue only; a missing import is an error; cycles end.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph
from rdflib.namespace import OWL

from yrd_kg.dataset.terms import to_graph, to_ox
from yrd_kg.errors import InputError

Triple = tuple[Any, Any, Any]
_IMPORTS = ox.NamedNode(str(OWL.imports))

#: file suffix -> rdflib format name
FORMATS: dict[str, str] = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".nt": "nt",
    ".ntriples": "nt",
    ".nq": "nquads",
    ".trig": "trig",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
    ".trix": "trix",
    ".omn": "manchester",
    ".ofn": "functional",
}
#: formats rdflib cannot read; py-horned-owl turns them into RDF/XML (:mod:`yrd_kg.dataset.owlsyntax`)
OWL_SYNTAXES = {"manchester", "functional"}

#: refuse files larger than this unless the caller raises the cap (bytes)
DEFAULT_MAX_BYTES = 200 * 1024 * 1024
#: JSON nesting deeper than this is refused
MAX_JSON_DEPTH = 200
#: OWL functional / Manchester nesting deeper than this is refused before py-horned-owl reads the file
#: (measured: its Manchester parser segfaults at ~1000 nested parentheses on an 8 MB stack, functional at ~6500)
MAX_OWL_NESTING = 500


class LoadError(InputError):
    """A file could not be loaded; the message names the file (and line where known)."""

    def __init__(self, path: Path | str, message: str, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        where = f"{self.path}:{line}" if line else self.path
        self.reason = message
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Loaded:
    """A parsed file: its triples (pyoxigraph terms), the format used and its ``owl:imports``.

    ``graph`` is an rdflib view of the same triples, made on first use (for the libraries that need one).
    """

    path: Path
    format: str
    triples: tuple[Triple, ...]
    imports: tuple[str, ...] = field(default=())

    @cached_property
    def graph(self) -> Graph:
        """The triples as a new rdflib graph."""
        return to_graph(self.triples)

    def quads(self, graph_name: Any = None) -> list[ox.Quad]:
        """The triples as quads in ``graph_name`` (the default graph when None)."""
        gn = graph_name if graph_name is not None else ox.DefaultGraph()
        return [ox.Quad(s, p, o, gn) for s, p, o in self.triples]


_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:(//|[^\\/])")


def check_local_path(path: str | Path, *, allow_remote: bool = False) -> Path:
    """Refuse URLs, UNC paths and device paths; return the local path."""
    s = str(path)
    odd = None
    if _SCHEME_RE.match(s) and not re.match(r"^[A-Za-z]:[\\/]", s):
        odd = "a URL"
    elif s.startswith(("\\\\", "//")):
        odd = "a UNC/network path"
    elif s.startswith(("/dev/", "/proc/", "/sys/")) or s in ("-",):
        odd = "a device or special path"
    if odd and not allow_remote:
        raise LoadError(s, f"refused: the source is {odd}; only local files are loaded (use the allow flag to override)")
    return Path(s)


def _not_a_file(mode: int) -> str | None:
    """What a non-regular file is ("a folder", "a named pipe (FIFO)" …), or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    for test, what in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return what
    return "not a regular file"


def _open_error(path: Path, exc: OSError) -> LoadError:
    if isinstance(exc, FileNotFoundError):
        return LoadError(path, "no such file")
    if isinstance(exc, PermissionError):
        return LoadError(path, "cannot read: permission denied")
    return LoadError(path, f"cannot read: {exc.strerror or exc}")


def check_file(path: Path | str) -> Path:
    """``path`` when it is an existing regular file; :class:`LoadError` saying what it is otherwise.

    A folder, a named pipe, a device or a socket is named as such (never "no such file"); nothing is
    opened, so a FIFO never blocks.
    """
    p = Path(path)
    try:
        st = p.stat()
    except OSError as exc:
        raise _open_error(p, exc) from exc
    what = _not_a_file(st.st_mode)
    if what:
        raise LoadError(p, f"is {what}, not a regular file; refused")
    return p


def read_file(path: Path | str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``; :class:`LoadError` naming the file otherwise.

    Checked before and after opening (non-blocking), so a file swapped for a FIFO or a device in between
    is refused too.
    """
    p = check_file(path)
    try:
        fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise _open_error(p, exc) from exc
    with os.fdopen(fd, "rb") as fh:
        try:
            st = os.fstat(fd)
            what = _not_a_file(st.st_mode)
            if what:
                raise LoadError(p, f"is {what}, not a regular file; refused")
            if st.st_size > max_bytes:
                raise LoadError(p, f"file is {st.st_size} bytes, over the cap of {max_bytes} bytes")
            data = fh.read(max_bytes + 1)
        except OSError as exc:
            raise _open_error(p, exc) from exc
    if len(data) > max_bytes:
        raise LoadError(p, f"file is over the cap of {max_bytes} bytes")
    return data


def read_text(path: Path | str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """:func:`read_file` decoded as UTF-8 (an undecodable byte is a :class:`LoadError` naming file and line)."""
    data = read_file(path, max_bytes=max_bytes)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LoadError(path, f"not UTF-8: {exc.reason} at byte {exc.start}", _line_of(data, exc.start)) from exc


def check_owl_nesting(path: Path, data: bytes, limit: int = MAX_OWL_NESTING) -> None:
    """Refuse OWL functional/Manchester text nesting parentheses deeper than ``limit`` (an upper bound: all count)."""
    depth = top = 0
    line = 1
    for i, byte in enumerate(data):
        if byte == 0x28:  # (
            depth += 1
            if depth > top:
                top = depth
                if top > limit:
                    line = data.count(b"\n", 0, i) + 1
                    raise LoadError(path, f"nesting deeper than the cap of {limit} levels (OWL syntax parsers "
                                          "crash on deep nesting); refused", line)
        elif byte == 0x29 and depth:  # )
            depth -= 1


def sniff_format(data: bytes) -> str | None:
    """What RDF format the content looks like (for error messages), or None."""
    head = data[:2048].lstrip().decode("utf-8", "replace")
    if head.startswith("<?xml") or head.startswith("<rdf:RDF") or "<rdf:RDF" in head:
        return "xml"
    if "<TriX" in head:
        return "trix"
    if head.startswith(("{", "[")):
        return "json-ld"
    if head.startswith(("@prefix", "@base", "PREFIX", "prefix")):
        return "turtle"
    if head.startswith(("Prefix:", "Ontology:")):
        return "manchester"
    if head.startswith("<") and head.split("\n", 1)[0].rstrip().endswith("."):
        return "nt"
    return None


def guess_format(path: Path, data: bytes | None = None) -> str:
    """The rdflib format for ``path`` by its suffix; :class:`LoadError` naming the sniffed format otherwise."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(FORMATS))
        looks = sniff_format(data) if data is not None else None
        hint = f"; the content looks like {looks}: pass the format explicitly" if looks else ""
        raise LoadError(path, f"unknown RDF file extension {path.suffix or '(none)'!r}{hint} (known: {known})")
    return fmt


_DOCTYPE_RE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.I)


def _refuse_dtd(path: Path, data: bytes) -> None:
    m = _DOCTYPE_RE.search(data)
    if m:
        line = data.count(b"\n", 0, m.start()) + 1
        raise LoadError(path, f"refused: XML with a {m.group(1).decode().upper()} declaration "
                              "(entity expansion and external entities are not allowed)", line)


def _line_of(data: bytes, index: int) -> int:
    return data.count(b"\n", 0, index) + 1


def check_bytes(path: Path, data: bytes) -> None:
    """Refuse a byte-order mark, a NUL byte or bytes that are not UTF-8, naming the file and line."""
    if data.startswith(b"\xef\xbb\xbf"):
        raise LoadError(path, "byte-order mark at the start of the file (save as UTF-8 without BOM)", 1)
    nul = data.find(b"\x00")
    if nul >= 0:
        raise LoadError(path, "NUL byte in the file", _line_of(data, nul))
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LoadError(path, f"not UTF-8: {exc.reason} at byte {exc.start}", _line_of(data, exc.start)) from exc


def _json_depth_ok(obj: Any, limit: int) -> bool:
    stack: list[tuple[Any, int]] = [(obj, 1)]
    while stack:
        o, d = stack.pop()
        if d > limit:
            return False
        if isinstance(o, dict):
            stack.extend((v, d + 1) for v in o.values())
        elif isinstance(o, list):
            stack.extend((v, d + 1) for v in o)
    return True


def _shipped_contexts() -> dict[str, Any]:
    import yrd_kg.resources as resources

    ctx_file = resources.ontology_dir() / "context.jsonld"
    ctx = json.loads(ctx_file.read_text(encoding="utf-8"))
    return {"https://w3id.org/yrd-kg/context.jsonld": ctx["@context"], "context.jsonld": ctx["@context"]}


def _resolve_contexts(path: Path, node: Any, shipped: Mapping[str, Any]) -> Any:
    """Replace references to shipped contexts by their content; refuse any other remote or file context."""
    if isinstance(node, list):
        return [_resolve_contexts(path, v, shipped) for v in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for k, v in node.items():
        if k == "@context":
            out[k] = _context_value(path, v, shipped)
        elif k == "@import":
            raise LoadError(path, f"refused: JSON-LD @import {v!r} (only the shipped context may be used)")
        else:
            out[k] = _resolve_contexts(path, v, shipped)
    return out


def _context_value(path: Path, v: Any, shipped: Mapping[str, Any]) -> Any:
    if isinstance(v, list):
        return [_context_value(path, x, shipped) for x in v]
    if isinstance(v, str):
        if v in shipped:
            return shipped[v]
        raise LoadError(path, f"refused: JSON-LD @context {v!r} is remote or a file (only the shipped context is used)")
    if isinstance(v, dict):
        if "@import" in v:
            raise LoadError(path, f"refused: JSON-LD @import {v['@import']!r} (only the shipped context may be used)")
        return {k: _resolve_contexts(path, x, shipped) if isinstance(x, dict) else x for k, x in v.items()}
    return v


_XSD = "http://www.w3.org/2001/XMLSchema#"


def _json_float(text: str) -> Any:
    """A JSON number with a fraction or exponent: a float, or an ``xsd:double`` value object for ±INF."""
    value = float(text)
    if math.isfinite(value):
        return value
    return {"@value": "INF" if value > 0 else "-INF", "@type": _XSD + "double"}


def _json_int(text: str) -> Any:
    """A JSON integer: an int, or an ``xsd:integer`` value object past 18 digits (no huge int conversion)."""
    if len(text.lstrip("-")) <= 18:
        return int(text)
    return {"@value": text, "@type": _XSD + "integer"}


def _json_constant(name: str) -> Any:
    """``NaN``, ``Infinity``, ``-Infinity`` (not JSON, but Python reads them): their XSD lexical forms."""
    return {"@value": {"NaN": "NaN", "Infinity": "INF", "-Infinity": "-INF"}[name], "@type": _XSD + "double"}


_OX_FORMATS = {"turtle": "TURTLE", "nt": "N_TRIPLES", "nquads": "N_QUADS", "trig": "TRIG", "xml": "RDF_XML"}


def _scope(path: Path, data: bytes) -> str:
    """A label prefix for the blank nodes of one file: the same bytes at the same path give the same labels."""
    return "f" + hashlib.sha256(str(path.resolve()).encode("utf-8") + b"\x00" + data).hexdigest()[:10]


def _parse_strict(path: Path, data: bytes, fmt: str) -> list[Triple] | None:
    """Parse with pyoxigraph's strict parsers (file and line in the error); None for formats it does not read.

    Named graphs of N-Quads and TriG are merged. Blank-node labels are prefixed per file, so labels reused
    across files stay distinct when files are merged.
    """
    name = _OX_FORMATS.get(fmt)
    if name is None:
        return None
    scope = _scope(path, data)

    def local(t: Any) -> Any:
        return ox.BlankNode(f"{scope}_{t.value}") if isinstance(t, ox.BlankNode) else t

    try:
        return [(local(q.subject), q.predicate, local(q.object))
                for q in ox.parse(data, format=getattr(ox.RdfFormat, name), base_iri=path.resolve().as_uri())]
    except SyntaxError as exc:
        raise LoadError(path, f"invalid {fmt}: {exc.msg}", exc.lineno) from exc
    except MemoryError as exc:  # pyoxigraph's token buffer: a literal or IRI over 16 MB
        if "buffer maximal size" in str(exc):
            raise LoadError(path, f"a single term (literal or IRI) is longer than the parser's limit ({exc})") from exc
        raise
    except (ValueError, OSError) as exc:
        raise LoadError(path, f"invalid {fmt}: {exc}") from exc


_LINE_RE = re.compile(r"(?:line|at line)\s*:?\s*(\d+)", re.I)


def parse_bytes(path: Path, data: bytes, fmt: str) -> list[Triple]:
    """Parse ``data`` (read from ``path``) as ``fmt`` into pyoxigraph triples, with every safety check."""
    if fmt in OWL_SYNTAXES:  # read by py-horned-owl, then checked and parsed as the RDF/XML it gives
        from yrd_kg.dataset.owlsyntax import OWLSyntaxError, to_rdfxml
        from yrd_kg.worker import DEFAULT_TIMEOUT, SandboxError, SandboxTimeout, run_with_timeout

        check_owl_nesting(path, data)  # the Rust parsers crash on deep nesting: refused before they run
        try:  # in a worker with no network: a crash of py-horned-owl becomes an error, never takes us down
            data = run_with_timeout(to_rdfxml, data, fmt, timeout=DEFAULT_TIMEOUT, network=False, what=f"reading {path}")
            fmt = "xml"
        except OWLSyntaxError as exc:
            raise LoadError(path, str(exc)) from exc
        except SandboxTimeout:
            raise
        except SandboxError as exc:
            raise LoadError(path, f"py-horned-owl failed on this file: {exc}") from exc
    check_bytes(path, data)
    if fmt in ("xml", "trix"):
        _refuse_dtd(path, data)
    if fmt == "json-ld":
        try:
            obj = json.loads(data.decode("utf-8"), parse_float=_json_float, parse_int=_json_int,
                             parse_constant=_json_constant)
        except RecursionError as exc:
            raise LoadError(path, f"JSON nesting deeper than the cap of {MAX_JSON_DEPTH}") from exc
        except json.JSONDecodeError as exc:
            raise LoadError(path, f"invalid JSON: {exc.msg}", exc.lineno) from exc
        except ValueError as exc:
            raise LoadError(path, f"invalid JSON: {exc}") from exc
        if not _json_depth_ok(obj, MAX_JSON_DEPTH):
            raise LoadError(path, f"JSON nesting deeper than the cap of {MAX_JSON_DEPTH}")
        obj = _resolve_contexts(path, obj, _shipped_contexts())
        data = json.dumps(obj).encode("utf-8")
    else:
        strict = _parse_strict(path, data, fmt)
        if strict is not None:
            return strict
    # JSON-LD and TriX (which may carry named graphs): rdflib, the union of the graphs kept
    from rdflib import Dataset

    try:
        ds = Dataset()
        ds.parse(data=data, format=fmt, publicID=path.resolve().as_uri())
    except RecursionError as exc:
        raise LoadError(path, "nesting too deep to parse") from exc
    except Exception as exc:  # rdflib raises many types; report them uniformly
        text = str(exc).strip()
        msg = text.splitlines()[0] if text else type(exc).__name__
        m = _LINE_RE.search(text)
        raise LoadError(path, f"cannot parse as {fmt}: {msg}", int(m.group(1)) if m else None) from exc
    scope = _scope(path, data)
    out: list[Triple] = []
    for s, p, o, _ in ds.quads((None, None, None, None)):
        try:
            s2, p2, o2 = (ox.BlankNode(f"{scope}_{t}") if isinstance(t, BNode) else to_ox(t) for t in (s, p, o))
            out.append((s2, p2, o2))
        except ValueError as exc:
            raise LoadError(path, f"cannot use a term of the file: {exc}") from exc
    return out


def parse_file(path: Path | str, fmt: str | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES,
               allow_remote: bool = False) -> Loaded:
    """Parse a local RDF file into a new graph.

    Raises :class:`LoadError` naming the file (and the line when known).
    """
    p = check_local_path(path, allow_remote=allow_remote)
    data = read_file(p, max_bytes=max_bytes)
    fmt = fmt or guess_format(p, data)
    try:
        triples = parse_bytes(p, data, fmt)
    except LoadError as exc:
        if p.suffix and fmt == FORMATS.get(p.suffix.lower()):
            looks = sniff_format(data)
            if looks and looks != fmt and "guessed" not in exc.reason:
                raise LoadError(p, f"{exc.reason} (format {fmt} guessed from the extension "
                                   f"{p.suffix}; the content looks like {looks})", exc.line) from exc
        raise
    imports = tuple(sorted({o.value for _, pr, o in triples if pr == _IMPORTS and isinstance(o, ox.NamedNode)}))
    return Loaded(p, fmt, tuple(triples), imports)


def load_with_imports(path: Path | str, catalogue: Mapping[str, Path], *, max_files: int = 100) -> list[Triple]:
    """Load ``path`` and, transitively, its ``owl:imports`` from a local catalogue (IRI -> file).

    A missing import is a :class:`LoadError`; import cycles terminate (each IRI is loaded once).
    """
    first = parse_file(path)
    merged = list(first.triples)
    seen: set[str] = set()
    todo = list(first.imports)
    while todo:
        iri = todo.pop()
        if iri in seen:
            continue
        seen.add(iri)
        if len(seen) > max_files:
            raise LoadError(path, f"more than {max_files} imports")
        target = catalogue.get(iri)
        if target is None:
            raise LoadError(path, f"owl:imports <{iri}> is not in the local catalogue (nothing is fetched)")
        loaded = parse_file(target)
        merged += loaded.triples
        todo.extend(i for i in loaded.imports if i not in seen)
    return list(dict.fromkeys(merged))
