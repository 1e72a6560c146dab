"""Find the packaged ontology/, data/ and queries/ folders, from a checkout or an installed wheel."""

from __future__ import annotations

import os
from pathlib import Path

_PKG = Path(__file__).resolve().parent


def _root() -> Path:
    """The folder that holds ontology/, data/ and queries/."""
    env = os.environ.get("YRD_KG_HOME")
    if env:
        return Path(env)
    wheel = _PKG / "_resources"
    if (wheel / "ontology").is_dir():
        return wheel
    checkout = _PKG.parent.parent
    if (checkout / "ontology").is_dir():
        return checkout
    raise FileNotFoundError("cannot find the ontology/, data/ and queries/ folders (set YRD_KG_HOME)")


def ontology_dir() -> Path:
    """The ontology folder (OWL and SHACL in Turtle)."""
    return _root() / "ontology"


def data_dir() -> Path:
    """The data folder (the paper's content as Turtle)."""
    return _root() / "data"


def queries_dir() -> Path:
    """The saved SPARQL queries."""
    return _root() / "queries"


def default_build_dir() -> Path:
    """Where ``yrd-kg build`` writes: ``$YRD_KG_BUILD`` or ``./build``."""
    return Path(os.environ.get("YRD_KG_BUILD", "build"))


def default_source() -> Path:
    """The source text: ``$YRD_KG_SOURCE`` or ``../shared/source/paper.zh.txt`` beside the checkout."""
    env = os.environ.get("YRD_KG_SOURCE")
    if env:
        return Path(env)
    for base in (Path.cwd(), _PKG.parent.parent):
        cand = base.parent / "shared" / "source" / "paper.zh.txt"
        if cand.is_file():
            return cand
    return Path.cwd().parent / "shared" / "source" / "paper.zh.txt"
