"""Export the built dataset in the standard RDF formats (pyoxigraph writers; JSON-LD via rdflib)."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox

import yrd_kg.resources as resources
from yrd_kg.dataset.store import bind_prefixes, open_dataset
from yrd_kg.errors import InputError
from yrd_kg.namespaces import PREFIXES

#: export format -> (pyoxigraph format name, whether the format keeps named graphs)
EXPORT_FORMATS: dict[str, tuple[str, bool]] = {
    "ttl": ("TURTLE", False),
    "nt": ("N_TRIPLES", False),
    "nq": ("N_QUADS", True),
    "trig": ("TRIG", True),
    "jsonld": ("JSON_LD", True),
    "xml": ("RDF_XML", False),
}


def jsonld_context() -> dict[str, object]:
    """The shipped JSON-LD ``@context`` (ontology/context.jsonld)."""
    ctx: dict[str, object] = json.loads((resources.ontology_dir() / "context.jsonld").read_text(encoding="utf-8"))
    return ctx


def built_quads(build_dir: Path | None = None) -> list[ox.Quad]:
    """The built dataset's quads in a fixed order, literals as written (:meth:`~yrd_kg.dataset.store.Dataset.exact_quads`)."""
    return sorted(open_dataset(build_dir).exact_quads(), key=str)


def export(fmt: str, build_dir: Path | None = None) -> str:
    """Serialise the whole built graph in ``fmt`` (one of :data:`EXPORT_FORMATS`).

    Triple formats (ttl, nt, xml) hold the union of the named graphs; nq, trig and jsonld keep them.
    """
    if fmt not in EXPORT_FORMATS:
        raise InputError(f"unknown export format {fmt!r}; expected one of {', '.join(EXPORT_FORMATS)}")
    name, keeps_graphs = EXPORT_FORMATS[fmt]
    quads = built_quads(build_dir)
    if fmt == "jsonld":
        return _jsonld(quads)
    prefixes = {k: v for k, v in PREFIXES.items() if k != "yid"}
    items: list[ox.Quad] | list[ox.Triple]
    if keeps_graphs:
        items = quads
    else:
        seen: dict[str, ox.Triple] = {}
        for q in quads:
            t = ox.Triple(q.subject, q.predicate, q.object)
            seen.setdefault(str(t), t)
        items = [seen[k] for k in sorted(seen)]
    data = ox.serialize(items, format=getattr(ox.RdfFormat, name), prefixes=prefixes)
    return (data or b"").decode("utf-8")


def jsonld_of_triples(triples: list[ox.Triple]) -> str:
    """Triples (a CONSTRUCT result) as JSON-LD under the shipped context."""
    return _jsonld([ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples])


def _jsonld(quads: list[ox.Quad]) -> str:
    from rdflib import Dataset

    from yrd_kg.dataset.terms import to_graph

    ds = Dataset()
    by_graph: dict[str, list[ox.Quad]] = {}
    for q in quads:
        key = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
        by_graph.setdefault(key, []).append(q)
    for name, qs in by_graph.items():
        to_graph(qs, ds.graph(name) if name else ds.default_context)
    bind_prefixes(ds)
    ctx = jsonld_context()
    text = str(ds.serialize(format="json-ld", context=ctx["@context"], auto_compact=True))
    if len(set(ox.parse(text.encode("utf-8"), format=ox.RdfFormat.JSON_LD))) == len(set(quads)):
        return text
    # rdflib's compaction (7.6) drops a blank node that only refers to itself; write the expanded form
    # (pyoxigraph) under the same context instead, which keeps every quad.
    expanded = json.loads(ox.serialize(quads, format=ox.RdfFormat.JSON_LD) or b"[]")
    return json.dumps({"@context": ctx["@context"], "@graph": expanded}, ensure_ascii=False, indent=2) + "\n"
