"""Draw the seeded sample of links for the second annotator (docs/ARGUMENT.md, "Agreement check").

The population is every causal and remedy link of the argument (yrd:causes, yrd:contributesTo,
yrd:addresses, yrd:supports), sorted by link IRI; ``random.Random(SEED).sample`` draws ``SIZE`` of them.
Writes two files:

- data/review/sample.tsv: what the second annotator sees: link id, predicate, both ends (CURIE, zh label,
  the part each stands in) and every quote with its locator. Not the strength, the rationale or the
  shared words: they would give the first annotator's answer away.
- data/review/annotator-1.tsv: link id and the first annotator's strength (the one in data/).

Usage: python tools/review_sample.py [--check]   (--check: exit 1 if the committed files differ)
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from yrd_kg.dataset.store import open_dataset

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "review"
SEED = 18  # the number of the issue that asked for the agreement check
SIZE = 40
YRD = Namespace("https://w3id.org/yrd-kg/ontology#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
PREDICATES = ("causes", "contributesTo", "addresses", "supports")
SAMPLE_COLUMNS = ("link", "predicate", "subject", "subject_label_zh", "subject_part", "object", "object_label_zh",
                  "object_part", "quotes")


def _curie(g: Graph, node: Node | None) -> str:
    return g.namespace_manager.normalizeUri(node) if isinstance(node, URIRef) else str(node)


def _zh(g: Graph, node: Node | None) -> str:
    return next((str(o) for o in g.objects(node, SKOS.prefLabel) if isinstance(o, Literal) and o.language == "zh"), "")


def _cell(text: str) -> str:
    return " ".join(text.split("\t")).replace("\n", " ")


def population(g: Graph) -> list[URIRef]:
    """The causal and remedy links, sorted by IRI."""
    preds = {YRD[p] for p in PREDICATES}
    return sorted(link for link, p in g.subject_objects(YRD.linkPredicate) if p in preds and isinstance(link, URIRef))


def draw(g: Graph, seed: int = SEED, size: int = SIZE) -> list[URIRef]:
    """The seeded sample, in draw order sorted by IRI for readability."""
    return sorted(random.Random(seed).sample(population(g), size))


def rows(g: Graph, links: list[URIRef]) -> tuple[list[list[str]], list[list[str]]]:
    """(sample rows, annotator-1 rows)."""
    sample, ann = [], []
    for link in links:
        s, p, o = (g.value(link, YRD[k]) for k in ("linkSubject", "linkPredicate", "linkObject"))
        evs = []
        for ev in g.objects(link, YRD.hasEvidence):
            start = g.value(ev, YRD.start)
            evs.append((int(str(start)) if start is not None else 0, str(g.value(ev, YRD.quote)),
                        _curie(g, g.value(ev, YRD.locator))))
        quotes = " | ".join(f"“{q}” [{loc}]" for _, q, loc in sorted(evs))
        sample.append([_curie(g, link), _curie(g, p), _curie(g, s), _zh(g, s), _curie(g, g.value(s, YRD.inPart)),
                       _curie(g, o), _zh(g, o), _curie(g, g.value(o, YRD.inPart)), quotes])
        status = str(g.value(link, YRD.assertionStatus)).rsplit("#", 1)[-1].lower()
        ann.append([_curie(g, link), status])
    return sample, ann


def tsv(header: tuple[str, ...], body: list[list[str]]) -> str:
    """Tab-separated text with a header line."""
    return "\n".join("\t".join(_cell(c) for c in r) for r in [list(header), *body]) + "\n"


def main() -> None:
    """Write (or with --check, compare) data/review/sample.tsv and annotator-1.tsv."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()
    if (OUT / "annotator-2.tsv").is_file():
        # the blind second pass is done: sample.tsv and annotator-1.tsv are the record of what it was given and
        # of the first pass; the data have since been adjudicated (data/review/adjudication.tsv)
        print(f"closed: {OUT / 'annotator-2.tsv'} exists; the sample and the first pass are kept as recorded")
        sys.exit(0 if a.check else 1)
    g = Graph()
    g += open_dataset().rdflib_graph()
    g.namespace_manager.bind("link", URIRef("https://w3id.org/yrd-kg/id/link/"))
    sample, ann = rows(g, draw(g))
    files = {OUT / "sample.tsv": tsv(SAMPLE_COLUMNS, sample), OUT / "annotator-1.tsv": tsv(("link", "strength"), ann)}
    if a.check:
        stale = [p for p, text in files.items() if not p.is_file() or p.read_text(encoding="utf-8") != text]
        print("\n".join(f"stale: {p}" for p in stale) or "up to date")
        sys.exit(1 if stale else 0)
    OUT.mkdir(parents=True, exist_ok=True)
    for p, text in files.items():
        p.write_text(text, encoding="utf-8")
    print(f"{len(sample)} of {len(population(g))} links (seed {SEED}) → {', '.join(str(p) for p in files)}")


if __name__ == "__main__":
    main()
