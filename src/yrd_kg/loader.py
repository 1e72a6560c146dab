"""Safe loading of RDF files: local files only, format named, parse into a scratch graph, clear errors.

Every parse goes into a new graph; callers merge only on success, so a bad file changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

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

#: refuse files larger than this unless the caller raises the cap (bytes)
DEFAULT_MAX_BYTES = 200 * 1024 * 1024


class LoadError(Exception):
    """A file could not be loaded; the message names the file (and line where known)."""

    def __init__(self, path: Path | str, message: str, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Loaded:
    """A parsed file: its graph, the format used and the number of triples."""

    path: Path
    format: str
    graph: Graph

    @property
    def triples(self) -> int:
        """Number of triples parsed."""
        return len(self.graph)


def guess_format(path: Path) -> str:
    """The rdflib format for ``path`` by its suffix; :class:`LoadError` when unknown."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(FORMATS))
        raise LoadError(path, f"unknown RDF file extension {path.suffix or '(none)'!r}; expected one of {known}")
    return fmt


_LINE_RE = re.compile(r"(?:line|at line)\s*:?\s*(\d+)", re.I)


def parse_file(path: Path | str, fmt: str | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Loaded:
    """Parse a local RDF file into a new graph.

    Raises :class:`LoadError` naming the file (and the line when the parser reports one).
    """
    p = Path(path)
    if not p.is_file():
        raise LoadError(p, "no such file")
    fmt = fmt or guess_format(p)
    size = p.stat().st_size
    if size > max_bytes:
        raise LoadError(p, f"file is {size} bytes, over the cap of {max_bytes} bytes")
    data = p.read_bytes()
    g = Graph()
    try:
        g.parse(data=data, format=fmt, publicID=p.resolve().as_uri())
    except Exception as exc:  # rdflib raises many types; report them uniformly
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        m = _LINE_RE.search(str(exc))
        raise LoadError(p, f"cannot parse as {fmt}: {msg}", int(m.group(1)) if m else None) from exc
    return Loaded(p, fmt, g)
