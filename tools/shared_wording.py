"""Annotator's aid for the echoed rule (docs/ARGUMENT.md): distinctive words two ends of a link share.

A word is *distinctive* when it occurs (in the whitespace-free text) in at most ``MAX_SUBPOINTS`` of the
paper's 39 sub-points (第一/第二/第三 of sections 三, 四, 五). For every causal or remedy link this lists the
maximal common substrings (>= 2 characters) of a quote from the subject's side and a quote from the
object's side ("side" = the quote's offsets lie inside the yrd:inPart span of that end), with the number
of sub-points each occurs in; ``*`` marks the distinctive ones.

Usage:
  python tools/shared_wording.py [--source PAPER] words 链长制 配套     # sub-point counts of given words
  python tools/shared_wording.py [--source PAPER] links [--status Interpreted]   # candidates per link
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rdflib import Graph, Literal, Namespace
from rdflib.term import Node

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
from yrd_kg.dataset.store import open_dataset
from yrd_kg.validate.anchoring import canonical, read_source, segment

YRD = Namespace("https://w3id.org/yrd-kg/ontology#")
MAX_SUBPOINTS = 4
PREDICATES = ("causes", "contributesTo", "addresses", "supports")


def subpoint_texts(source: Path) -> dict[str, str]:
    """Whitespace-free text of each of the 39 sub-points, by part slug (s3.1.1 …)."""
    text = read_source(source)
    canon = canonical(text)
    return {p.slug: canon[p.start:p.end] for p in segment(text)
            if p.slug.count(".") == 2 and p.slug[1] in "345"}


def frequency(word: str, subpoints: dict[str, str]) -> int:
    """In how many sub-points ``word`` occurs."""
    return sum(word in t for t in subpoints.values())


def common_substrings(a: str, b: str, min_len: int = 2) -> set[str]:
    """Maximal common substrings of ``a`` and ``b`` (none contained in another one found)."""
    found = {a[i:j] for i in range(len(a)) for j in range(i + min_len, len(a) + 1) if a[i:j] in b}
    return {s for s in found if not any(s != t and s in t for t in found)}


def _side_quotes(g: Graph, link: Node, end: Node | None) -> list[str]:
    part = g.value(end, YRD.inPart) if end is not None else None
    if part is None:
        return []
    ps, pe = g.value(part, YRD.spanStart), g.value(part, YRD.spanEnd)
    out = []
    for ev in g.objects(link, YRD.hasEvidence):
        a, b = g.value(ev, YRD.start), g.value(ev, YRD.end)
        if all(isinstance(x, Literal) for x in (a, b, ps, pe)) and int(str(a)) >= int(str(ps)) and int(str(b)) <= int(str(pe)):
            out.append("".join(str(g.value(ev, YRD.quote)).split()))
    return out


def link_candidates(g: Graph, subpoints: dict[str, str], status: str | None = None) -> list[tuple[str, str, list[str]]]:
    """(link label, status, ["word(count)*", …]) for every causal or remedy link."""
    rows = []
    for link in g.subjects(YRD.linkPredicate, None):
        pred = str(g.value(link, YRD.linkPredicate)).rsplit("#", 1)[-1]
        st = str(g.value(link, YRD.assertionStatus)).rsplit("#", 1)[-1]
        if pred not in PREDICATES or (status and st != status):
            continue
        s, o = g.value(link, YRD.linkSubject), g.value(link, YRD.linkObject)
        words: set[str] = set()
        for qa in _side_quotes(g, link, s):
            for qb in _side_quotes(g, link, o):
                words |= common_substrings(qa, qb)
        marked = sorted((f"{w}({frequency(w, subpoints)}){'*' if frequency(w, subpoints) <= MAX_SUBPOINTS else ''}"
                         for w in words), key=lambda x: (not x.endswith("*"), x))
        label = f"{g.namespace_manager.normalizeUri(str(s))} {pred} {g.namespace_manager.normalizeUri(str(o))}"
        rows.append((label, st, marked))
    return sorted(rows)


def main() -> None:
    """Command line."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", default=str(ROOT.parent / "shared/source/paper.zh.txt"))
    sub = ap.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("words")
    w.add_argument("words", nargs="+")
    ln = sub.add_parser("links")
    ln.add_argument("--status", choices=("Stated", "Echoed", "Interpreted"))
    a = ap.parse_args()
    subs = subpoint_texts(Path(a.source))
    if a.cmd == "words":
        for word in a.words:
            n = frequency(word, subs)
            print(f"{word}\t{n}\t{'distinctive' if n <= MAX_SUBPOINTS else 'common'}")
        return
    g = open_dataset().rdflib_graph()
    for label, st, words in link_candidates(g, subs, a.status):
        print(f"{st}\t{label}\t{' '.join(words)}")


if __name__ == "__main__":
    main()
