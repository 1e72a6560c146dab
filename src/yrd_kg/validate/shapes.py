"""The shapes: loaded from the build (or from given files), guarded, and split for the engines that run them.

The guard refuses a shapes graph whose SPARQL would reach out (``SERVICE``, ``LOAD``, a non-local
``FROM``) before anything runs.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, SH
from rdflib.term import Node

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


def sparql_problem(text: str, *, prefixes: str = "", strict: bool = False) -> str | None:
    """Why the SPARQL text of a shape must not run (SERVICE, LOAD or another update, a non-local FROM), or None.

    The query guard decides (:func:`yrd_kg.sparql.guard.checked`: rdflib's parser, which pySHACL executes
    with, on the text with its escapes expanded once, which pyoxigraph executes); ``prefixes`` are the
    shape's ``sh:prefixes`` as ``PREFIX`` lines; ``strict`` adds the textual fallback (any ``service``).
    """
    from yrd_kg.sparql.errors import QueryError
    from yrd_kg.sparql.guard import checked

    try:
        checked(f"{prefixes}\n{text}" if prefixes else text, strict=strict)
    except QueryError as exc:
        why = str(exc)
        if "Update" in why:
            return "is an update (LOAD, INSERT, DELETE …): " + why
        if "SERVICE" in why:
            return "uses SERVICE: " + why
        if "FROM" in why:
            return "uses FROM (not a local graph): " + why
        return why
    return None


def check_shapes(shapes: Graph, *, strict: bool | None = None) -> None:
    """Refuse a shapes graph whose SPARQL would reach out (SERVICE, LOAD, remote FROM): :class:`UnsafeShapesError`.

    Every ``sh:select`` / ``sh:ask`` / ``sh:construct`` / ``sh:update`` string is checked (constraints,
    SPARQL targets, constraint components, rules) by the query guard; the message names the shape or node
    that holds it. ``strict`` (default: when no network namespace is available) adds the textual fallback.
    """
    if strict is None:
        from yrd_kg.worker import network_isolation

        strict = network_isolation() is None
    problems: list[str] = []
    for prop in _SPARQL_PROPS:
        for node, text in shapes.subject_objects(URIRef(_SH + prop)):
            why = sparql_problem(str(text), prefixes=_prefix_header(shapes, node), strict=strict)
            if why:
                owner = shapes.value(None, URIRef(_SH + "sparql"), node) or shapes.value(None, URIRef(_SH + "target"), node)
                name = owner if owner is not None else node
                problems.append(f"shape {name.n3()}: sh:{prop} {why}; refused (not executed)")
    if problems:
        raise UnsafeShapesError("; ".join(sorted(problems)))


def _prefix_header(shapes: Graph, constraint: Node) -> str:
    """The ``sh:prefixes`` declarations of a constraint or target as ``PREFIX`` lines."""
    lines = []
    owners = list(shapes.objects(constraint, SH.prefixes))
    seen: set[Node] = set()
    while owners:  # sh:prefixes, and the owl:imports closure of its values (SHACL §5.2.1)
        owner = owners.pop()
        if owner in seen:
            continue
        seen.add(owner)
        owners.extend(shapes.objects(owner, OWL.imports))
    for decl_owner in sorted(seen, key=str):
        for decl in shapes.objects(decl_owner, SH.declare):
            pfx, ns = shapes.value(decl, SH.prefix), shapes.value(decl, SH.namespace)
            if pfx is not None and ns is not None:
                lines.append(f"PREFIX {pfx}: <{ns}>")
    return "\n".join(sorted(set(lines)))
