"""Releases in the manner of the Ontology Development Kit: versioned artefacts, a VoID/DCAT description, checksums.

:func:`yrd_kg.release.artefacts.make_release` writes everything from the built dataset; the description
(:mod:`yrd_kg.release.describe`) is checked by a SHACL shape of its own (``description-shape.ttl``);
:mod:`yrd_kg.release.terms` keeps every released term and entity IRI alive (live or deprecated).
"""
