"""The shapes: loaded from the build (or from given files), guarded, and split for the engines that run them.

The guard refuses a shapes graph whose SPARQL would reach out (``SERVICE``, ``LOAD``, a non-local
``FROM``) before anything runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Graph, URIRef

from yrd_kg.dataset.loader import LoadError, parse_file
from yrd_kg.errors import InputError
from yrd_kg.validate.report import ValidationError

if TYPE_CHECKING:  # pragma: no cover
    from yrd_kg.dataset.store import Dataset


class UnsafeShapesError(InputError):
    """A shapes graph asks for something validation never does (SERVICE, LOAD, a remote FROM)."""


def load_shapes(files: Iterable[Path] | None = None, dataset: Dataset | None = None) -> Graph:
    """The shapes of ``files``, or else the shipped shapes of the built dataset; :class:`ValidationError` names a bad file."""
    if files is None:
        from yrd_kg.dataset.store import open_dataset

        g = (dataset if dataset is not None else open_dataset()).shapes_graph()
        if not len(g):
            raise ValidationError("the build holds no shapes (build/shapes.nq is empty): rebuild with `yrd-kg build --force`")
        return g
    g = Graph()
    paths = list(files)
    if not paths:
        raise ValidationError("no shapes files given")
    for f in paths:
        try:
            g += parse_file(f).graph
        except LoadError as exc:
            raise ValidationError(f"shapes file {exc}") from exc
    return g


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
