"""Counts per class and per property over the built graph, as text, JSON or CSV."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass

_CLASS_Q = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?c (COUNT(DISTINCT ?s) AS ?n) (SAMPLE(?l) AS ?label) WHERE {
  ?s a ?c . OPTIONAL { ?c rdfs:label ?l FILTER(LANG(?l) = "%s") }
} GROUP BY ?c ORDER BY DESC(?n) ?c
"""
_PROP_Q = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?p (COUNT(*) AS ?n) (SAMPLE(?l) AS ?label) WHERE {
  ?s ?p ?o . OPTIONAL { ?p rdfs:label ?l FILTER(LANG(?l) = "%s") }
} GROUP BY ?p ORDER BY DESC(?n) ?p
"""


@dataclass(frozen=True)
class Count:
    """How many instances a class has, or how many triples use a property."""

    iri: str
    label: str | None
    count: int


@dataclass(frozen=True)
class Stats:
    """Counts per class and per property."""

    classes: list[Count]
    properties: list[Count]
    triples: int

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form: ``quads``, ``classes`` and ``properties`` (each ``iri``, ``id`` (CURIE), ``label``, ``count``)."""
        from yrd_kg.namespaces import compact

        def rows(cs: list[Count]) -> list[dict[str, object]]:
            return [{**asdict(c), "id": compact(c.iri)} for c in cs]

        return {"quads": self.triples, "classes": rows(self.classes), "properties": rows(self.properties)}

    def to_json(self) -> str:
        """The counts as JSON (see :meth:`as_dict`)."""
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=1) + "\n"

    def to_csv(self) -> str:
        """One CSV row per class and per property: ``kind,id,iri,label,count`` (kind ``class`` or ``property``)."""
        from yrd_kg.namespaces import compact

        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["kind", "id", "iri", "label", "count"])
        for kind, cs in (("class", self.classes), ("property", self.properties)):
            for c in cs:
                w.writerow([kind, compact(c.iri), c.iri, c.label or "", c.count])
        return buf.getvalue()


def stats(lang: str = "en") -> Stats:
    """Compute the counts on the built dataset (union of all graphs)."""
    if lang not in ("zh", "en"):
        raise ValueError(f"--lang must be zh or en, got {lang!r}")
    from yrd_kg.dataset.store import open_store

    store = open_store()

    def run(q: str, var: str) -> list[Count]:
        out = []
        for row in store.query(q % lang, use_default_graph_as_union=True):  # type: ignore[union-attr]
            label = row["label"]
            out.append(Count(row[var].value, label.value if label is not None else None, int(row["n"].value)))
        return out

    return Stats(run(_CLASS_Q, "c"), run(_PROP_Q, "p"), len(store))
