"""Dev tool: fill yrd:start/yrd:end of every evidence quote in the given Turtle files (in place).

Usage: python tools/anchor.py [--source ../shared/source/paper.zh.txt] data/problems.ttl ...
Prints each quote that cannot be anchored (file:line, locator, reason) and exits 1 if any.
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from yrd_kg.validate.anchoring import anchor_turtle, canonical, read_source, segment

ap = argparse.ArgumentParser()
ap.add_argument("--source", default=str(Path(__file__).resolve().parents[2] / "shared/source/paper.zh.txt"))
ap.add_argument("files", nargs="+")
a = ap.parse_args()
text = read_source(Path(a.source))
canon = canonical(text)
spans = {p.slug: (p.start, p.end) for p in segment(text)}
bad = 0
for f in a.files:
    p = Path(f)
    new, problems = anchor_turtle(p.read_text(encoding="utf-8"), canon, spans, f)
    for pr in problems:
        bad += 1
        print(f"{pr.file}:{pr.line}: part:{pr.locator}: {pr.reason}")
    if new != p.read_text(encoding="utf-8"):
        p.write_text(new, encoding="utf-8")
print(f"{bad} unanchored quote(s)")
sys.exit(1 if bad else 0)
