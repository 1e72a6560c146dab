"""OWL Manchester (``.omn``) and functional (``.ofn``) syntax, read with py-horned-owl and handed on as RDF/XML.

The safe loader (:func:`yrd_kg.dataset.loader.parse_bytes`) calls :func:`to_rdfxml` for these two syntaxes and
parses the result with its usual checks, so ``yrd-kg link`` and ``query --with`` read the same files the same
way. ``Import:`` declarations are kept as ``owl:imports`` triples and never followed (nothing is fetched).
"""

from __future__ import annotations

from typing import Literal

#: the loader's format name → py-horned-owl's serialisation name
HORNED_NAMES: dict[str, Literal["omn", "ofn"]] = {"manchester": "omn", "functional": "ofn"}


class OWLSyntaxError(ValueError):
    """The text cannot be read as OWL (the loader adds the file's name)."""


def to_rdfxml(data: bytes, fmt: str) -> bytes:
    """The ontology in ``data`` (OWL ``fmt`` syntax: ``manchester`` or ``functional``) as RDF/XML bytes.

    Raises :class:`OWLSyntaxError` when py-horned-owl is missing or the text does not parse.
    """
    try:
        import pyhornedowl
    except ImportError:
        raise OWLSyntaxError(f"unsupported format {fmt} here: OWL {fmt} syntax needs py-horned-owl "
                             "(pip install 'yrd-kg[owl]')") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise OWLSyntaxError(f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        onto = pyhornedowl.open_ontology_from_string(text, HORNED_NAMES[fmt])
        out = onto.save_to_string("rdf")
    except Exception as exc:  # py-horned-owl raises plain exceptions with the parser's message
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise OWLSyntaxError(f"cannot parse as OWL {fmt} syntax: {first}") from exc
    return str(out).encode("utf-8")
