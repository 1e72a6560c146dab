"""Cohen's kappa between two annotators' link strengths (docs/ARGUMENT.md, "Agreement check").

Each input is a TSV with a header and the columns ``link`` and ``strength`` (data/review/annotator-1.tsv and
the second annotator's file). Only links both files rate are compared.

Usage: python tools/kappa.py data/review/annotator-1.tsv data/review/annotator-2.tsv
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Agreement:
    """Cohen's kappa with its parts."""

    n: int
    observed: float
    expected: float
    kappa: float
    confusion: dict[tuple[str, str], int]


def cohen_kappa(a: Sequence[str], b: Sequence[str]) -> Agreement:
    """κ = (p_o − p_e) / (1 − p_e) for two equally long sequences of category labels."""
    if len(a) != len(b) or not a:
        raise ValueError("two non-empty rating sequences of the same length are needed")
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    ca, cb = Counter(a), Counter(b)
    expected = sum(ca[k] * cb[k] for k in set(ca) | set(cb)) / (n * n)
    kappa = 1.0 if expected == 1 else (observed - expected) / (1 - expected)
    return Agreement(n, observed, expected, kappa, dict(Counter(zip(a, b, strict=True))))


def read_ratings(path: Path) -> dict[str, str]:
    """``link`` → ``strength`` from a TSV with a header."""
    with path.open(encoding="utf-8", newline="") as fh:
        return {r["link"]: r["strength"].strip().lower() for r in csv.DictReader(fh, delimiter="\t") if r["strength"].strip()}


def kappa_of_files(first: Path, second: Path) -> Agreement:
    """Cohen's kappa over the links both files rate."""
    r1, r2 = read_ratings(first), read_ratings(second)
    common = sorted(set(r1) & set(r2))
    return cohen_kappa([r1[k] for k in common], [r2[k] for k in common])


def main() -> None:
    """Print n, observed and expected agreement, kappa and the confusion counts."""
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    ag = kappa_of_files(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"n = {ag.n}  p_o = {ag.observed:.3f}  p_e = {ag.expected:.3f}  kappa = {ag.kappa:.3f}")
    for (x, y), c in sorted(ag.confusion.items()):
        print(f"  {x:12} {y:12} {c}")


if __name__ == "__main__":
    main()
