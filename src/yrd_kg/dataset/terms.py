"""The one conversion between pyoxigraph and rdflib terms, both directions.

The dataset lives in pyoxigraph; rdflib terms are made only at the edge, for the libraries that need
them (pySHACL, owlready2 via RDF/XML, rdflib's own writers). Blank nodes keep their labels both ways,
so a blank node of the store and its rdflib twin share an identifier; an rdflib blank node whose
label pyoxigraph cannot take gets a skolem IRI (:func:`yrd_kg.namespaces.skolem` of a hash), recorded in
the ``bnodes`` map the caller passes so answers can be mapped back.

>>> import pyoxigraph as ox
>>> from_ox(ox.Literal("1.0", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")))
rdflib.term.Literal('1.0', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#decimal'))
>>> to_ox(from_ox(ox.Literal("长三角", language="zh"))) == ox.Literal("长三角", language="zh")
True
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, MutableMapping
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from yrd_kg.namespaces import skolem

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal


def from_ox(t: Any) -> Any:
    """The rdflib term for a pyoxigraph term (``None`` stays ``None``); ValueError for anything else.

    Literals keep their lexical form exactly (a share printed ``0.1990`` stays ``0.1990``, ``01`` stays ``01``).
    """
    if t is None:
        return None
    if isinstance(t, ox.NamedNode):
        return URIRef(t.value)
    if isinstance(t, ox.BlankNode):
        return BNode(t.value)
    if isinstance(t, ox.Literal):
        if t.language:
            return Literal(t.value, lang=t.language)
        dt = t.datatype.value
        # normalize=False: rdflib would rewrite "01"^^xsd:integer as "1" and an ill-typed "none"^^xsd:boolean as
        # "false"; the lexical form stays as written
        return Literal(t.value) if dt == _XSD_STRING else Literal(t.value, datatype=URIRef(dt), normalize=False)
    raise ValueError(f"unsupported term {t!r} (RDF-star is not supported)")


_XSD_FLOATS = frozenset(f"http://www.w3.org/2001/XMLSchema#{n}" for n in ("double", "float"))
_XSD_SPECIAL = {"inf": "INF", "+inf": "INF", "-inf": "-INF", "nan": "NaN", "infinity": "INF", "-infinity": "-INF"}


def to_ox(t: Any, bnodes: MutableMapping[str, Node] | None = None) -> Any:
    """The pyoxigraph term for an rdflib term (``None`` stays ``None``); ValueError for anything else.

    A blank node whose label pyoxigraph refuses becomes a skolem IRI; ``bnodes`` (when given) maps that
    IRI back to the rdflib blank node.
    """
    if t is None:
        return None
    if isinstance(t, URIRef):
        return ox.NamedNode(str(t))
    if isinstance(t, BNode):
        try:
            return ox.BlankNode(str(t))
        except ValueError:
            iri = skolem("b" + hashlib.sha256(str(t).encode("utf-8")).hexdigest()[:32])
            if bnodes is not None:
                bnodes[str(iri)] = t
            return ox.NamedNode(str(iri))
    if isinstance(t, Literal):
        if t.language:
            return ox.Literal(str(t), language=t.language)
        if t.datatype is not None and str(t.datatype) not in (_XSD_STRING, _RDF_LANG_STRING):
            lexical = str(t)
            if str(t.datatype) in _XSD_FLOATS:  # rdflib writes Python's inf / nan: not XSD lexical forms
                lexical = _XSD_SPECIAL.get(lexical.lower(), lexical)
            return ox.Literal(lexical, datatype=ox.NamedNode(str(t.datatype)))
        return ox.Literal(str(t))
    raise ValueError(f"unsupported rdflib term {t!r}")


def iri(value: str) -> ox.NamedNode:
    """A pyoxigraph IRI (ValueError when pyoxigraph refuses it)."""
    return ox.NamedNode(value)


def literal(value: str, *, datatype: str | None = None, language: str | None = None) -> ox.Literal:
    """A pyoxigraph literal: plain, typed by ``datatype`` (an IRI) or tagged with ``language``."""
    if language:
        return ox.Literal(value, language=language)
    if datatype and datatype != _XSD_STRING:
        return ox.Literal(value, datatype=ox.NamedNode(datatype))
    return ox.Literal(value)


def to_graph(triples: Iterable[Any], graph: Graph | None = None) -> Graph:
    """An rdflib graph (``graph``, or a new one) with the pyoxigraph ``triples`` (or quads' first three terms) added."""
    g = graph if graph is not None else Graph()
    add = g.add
    for t in triples:
        add((from_ox(t[0]), from_ox(t[1]), from_ox(t[2])))
    return g


def from_graph(g: Graph, graph_name: Any = None, bnodes: MutableMapping[str, Node] | None = None) -> Iterator[ox.Quad]:
    """The triples of an rdflib graph as pyoxigraph quads in ``graph_name`` (default graph when None)."""
    gn = graph_name if graph_name is not None else ox.DefaultGraph()
    for s, p, o in g:
        yield ox.Quad(to_ox(s, bnodes), to_ox(p, bnodes), to_ox(o, bnodes), gn)


def triples_of(quads: Iterable[ox.Quad]) -> Iterator[tuple[Any, Any, Any]]:
    """(subject, predicate, object) of each quad, pyoxigraph terms."""
    for q in quads:
        yield q.subject, q.predicate, q.object
