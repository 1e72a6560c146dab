"""Export the built dataset in the standard RDF formats."""

from __future__ import annotations

import json
from pathlib import Path

from rdflib import Dataset, Graph

from . import resources
from .build import build

#: export format -> (rdflib serializer, whether the format keeps named graphs)
EXPORT_FORMATS: dict[str, tuple[str, bool]] = {
    "ttl": ("turtle", False),
    "nt": ("nt", False),
    "nq": ("nquads", True),
    "trig": ("trig", True),
    "jsonld": ("json-ld", True),
    "xml": ("pretty-xml", False),
}


def jsonld_context() -> dict[str, object]:
    """The shipped JSON-LD ``@context`` (ontology/context.jsonld)."""
    ctx: dict[str, object] = json.loads((resources.ontology_dir() / "context.jsonld").read_text(encoding="utf-8"))
    return ctx


def built_dataset(build_dir: Path | None = None) -> Dataset:
    """The built dataset, read back from ``build/yrd-kg.nq`` (building first when needed)."""
    res = build(out_dir=build_dir)
    ds = Dataset()
    ds.parse(res.out_dir / "yrd-kg.nq", format="nquads")
    from .build import _bind

    _bind(ds)
    return ds


def export(fmt: str, build_dir: Path | None = None) -> str:
    """Serialise the whole built graph in ``fmt`` (one of :data:`EXPORT_FORMATS`)."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(EXPORT_FORMATS)}")
    serializer, quads = EXPORT_FORMATS[fmt]
    ds = built_dataset(build_dir)
    target: Graph | Dataset
    if quads:
        target = ds
    else:
        target = Graph()
        for s, p, o, _g in ds.quads((None, None, None, None)):
            target.add((s, p, o))
        for k, v in ds.namespaces():
            target.bind(k, v, override=True)
    if fmt == "jsonld":
        ctx = jsonld_context()
        return target.serialize(format=serializer, context=ctx["@context"], auto_compact=True)
    return target.serialize(format=serializer)
