"""One conversion of pyoxigraph terms to rdflib terms, shared by the build, the query engine and the sandbox."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def from_ox(t: Any) -> Any:
    """The rdflib term for a pyoxigraph term (``None`` stays ``None``); ValueError for anything else."""
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
        return Literal(t.value) if dt == _XSD_STRING else Literal(t.value, datatype=URIRef(dt))
    raise ValueError(f"unsupported term {t!r} (RDF-star is not supported)")
