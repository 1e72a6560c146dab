"""The IRIs a release publishes, and the rule that none goes away: later releases keep it, live or deprecated.

A release's term list (``release/terms-<version>.txt`` in the repository, one IRI a line) holds every IRI
under ``https://w3id.org/yrd-kg/`` that is the subject of a triple in the ontology or data graphs, except
the nodes the build derives from their content (``…/id/evidence/…``, ``…/id/link/…``) and skolem IRIs.
A later dataset must still describe each of them; one that is no longer used carries ``owl:deprecated
true`` and ``dcterms:isReplacedBy`` (:func:`missing_or_undeprecated`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from yrd_kg.dataset.store import Dataset
from yrd_kg.namespaces import BASE, GENID, GRAPH

#: IRIs under these are derived by the build from their content (see data/CHANGELOG.md), not terms
DERIVED = (f"{BASE}id/evidence/", f"{BASE}id/link/", GENID)

_SUBJECTS = f"""
SELECT DISTINCT ?s WHERE {{
  GRAPH ?g {{ ?s ?p ?o }}
  FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{BASE}"))
  FILTER(STRSTARTS(STR(?g), "{GRAPH["ontology/"]}") || STRSTARTS(STR(?g), "{GRAPH["data/"]}"))
}}"""

_STATUS = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?s (BOUND(?dep) AS ?deprecated) ?by WHERE {
  VALUES ?s { %s }
  OPTIONAL { ?s owl:deprecated ?dep FILTER(STR(?dep) = "true") }
  OPTIONAL { ?s dcterms:isReplacedBy ?by }
}"""


def current_terms(ds: Dataset) -> list[str]:
    """The term and entity IRIs of the built dataset (see the module docstring), sorted."""
    out = {r[0].value for r in ds.query(_SUBJECTS, use_default_graph_as_union=False)}
    return sorted(i for i in out if not i.startswith(DERIVED))


def read_terms(path: Path) -> list[str]:
    """A committed term list (blank lines and ``#`` comments skipped)."""
    return [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")]


def terms_text(terms: Iterable[str], version: str) -> str:
    """A term list file: a comment naming the release, then one IRI a line."""
    body = "\n".join(sorted(terms))
    return (f"# yrd-kg {version}: every term and entity IRI of the release (see yrd_kg.release.terms).\n"
            f"# Later releases keep each one, live or with owl:deprecated true and dcterms:isReplacedBy.\n{body}\n")


def missing_or_undeprecated(released: Iterable[str], ds: Dataset) -> dict[str, str]:
    """IRIs of an earlier release that the dataset dropped, or deprecated without a replacement: IRI → why."""
    released = sorted(set(released))
    live = set(current_terms(ds))
    problems = {i: "no longer described (deprecate it: owl:deprecated true, dcterms:isReplacedBy)"
                for i in released if i not in live}
    for start in range(0, len(released), 500):
        chunk = released[start:start + 500]
        rows = ds.query(_STATUS % " ".join(f"<{i}>" for i in chunk))
        for s, dep, by in rows:
            if dep is not None and dep.value == "true" and by is None:
                problems[s.value] = "deprecated without dcterms:isReplacedBy"
    return problems
