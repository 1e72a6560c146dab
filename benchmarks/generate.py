"""Seeded generator of policy-shaped synthetic data for the benchmarks.

The data has the shape of the paper's graph so that every saved query has work to do: shortcomings
with sub-points, cause and effect factors, path actions and policy measures that address the
sub-points, measures that support actions, instruments and actors used by the remedies, all as
qualified ``yrd:Link`` nodes with status, rationale and ``yrd:Evidence`` (quote, locator, offsets),
plus the derived direct triples, and ``qb:Observation`` rows in data sets. A share of the generated
remedies and causes also link to the paper's own sub-points (``problem:P1.1`` …), so the
parameterised queries on those grow with the size too.

The output is N-Quads (graph ``…/graph/bench/synthetic`` and ``…/graph/bench/derived``), the same
bytes for the same ``(triples, seed)``::

    python benchmarks/generate.py 100k --seed 7 -o build/bench/synthetic-100k.nq
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterator
from pathlib import Path

BASE = "https://w3id.org/yrd-kg/"
ID = BASE + "id/"
B = ID + "bench/"
Y = BASE + "ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SKOS = "http://www.w3.org/2004/02/skos/core#"
QB = "http://purl.org/linked-data/cube#"
XSD = "http://www.w3.org/2001/XMLSchema#"
G_DATA = f"<{BASE}graph/bench/synthetic>"
G_DERIVED = f"<{BASE}graph/bench/derived>"

PAPER_SUBPOINTS = [f"{ID}problem/P{i}.{j}" for i, n in ((1, 3), (2, 3), (3, 3), (4, 3)) for j in range(1, n + 1)]
PAPER_PARTS = [f"{ID}part/s3", f"{ID}part/s4", f"{ID}part/s5", f"{ID}part/s3.1", f"{ID}part/s4.2", f"{ID}part/s5.3"]
REGIONS = [f"{ID}place/{p}" for p in ("shanghai", "jiangsu", "zhejiang", "anhui", "yrd", "china")]
_HANZI = "长三角地区制造业集群协同创新产业链政策要素流动行政壁垒市场政府合力科技资源结构失衡同质化竞争利益分成机制飞地经济"
_WORDS = ("cluster", "chain", "policy", "coordination", "innovation", "factor", "market", "barrier", "region",
          "industry", "synergy", "competition", "resource", "benefit", "sharing", "platform", "talent")

SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}


def parse_size(text: str) -> int:
    """``10k`` / ``100k`` / ``1m`` / ``250000`` → a triple count."""
    t = text.strip().lower()
    if t in SIZES:
        return SIZES[t]
    mult = {"k": 1_000, "m": 1_000_000}.get(t[-1:], 1)
    return int(float(t[:-1] if mult > 1 else t) * mult)


def _lit(value: str, lang: str | None = None) -> str:
    v = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{v}"@{lang}' if lang else f'"{v}"'


def _typed(value: object, dt: str) -> str:
    return f'"{value}"^^<{XSD}{dt}>'


class _Unit:
    """One policy 'cluster' of the synthetic data: a shortcoming and everything around it."""

    def __init__(self, rng: random.Random, i: int, evidence: bool, pools: dict[str, list[str]]) -> None:
        self.rng, self.i, self.evidence, self.pools = rng, i, evidence, pools
        self.out: list[str] = []
        self.derived: list[str] = []
        self.link_no = 0

    def t(self, s: str, p: str, o: str) -> None:
        self.out.append(f"<{s}> <{p}> {o} {G_DATA} .")

    def iri(self, s: str, p: str, o: str) -> None:
        self.t(s, p, f"<{o}>")

    def zh(self, n: int) -> str:
        return "".join(self.rng.choice(_HANZI) for _ in range(n))

    def en(self, n: int) -> str:
        return " ".join(self.rng.choice(_WORDS) for _ in range(n))

    def labelled(self, s: str, types: tuple[str, ...], notation: str | None = None) -> None:
        for c in types:
            self.iri(s, RDF_TYPE, c)
        self.t(s, SKOS + "prefLabel", _lit(self.zh(self.rng.randint(8, 20)), "zh"))
        self.t(s, SKOS + "prefLabel", _lit(f"{self.en(self.rng.randint(3, 7))} {self.i}", "en"))
        if notation:
            self.t(s, SKOS + "notation", _lit(notation))

    def ev(self, owner: str) -> None:
        if not self.evidence:
            return
        e = f"{B}evidence/{self.i}-{len(self.out)}"
        self.iri(owner, Y + "hasEvidence", e)
        self.iri(e, RDF_TYPE, Y + "Evidence")
        self.t(e, Y + "quote", _lit(self.zh(self.rng.randint(12, 40))))
        self.iri(e, Y + "locator", self.rng.choice(PAPER_PARTS))
        start = self.rng.randint(0, 20_000)
        self.t(e, Y + "start", _typed(start, "integer"))
        self.t(e, Y + "end", _typed(start + self.rng.randint(12, 40), "integer"))

    def link(self, s: str, p: str, o: str) -> None:
        self.link_no += 1
        ln = f"{B}link/{self.i}-{self.link_no}"
        self.iri(ln, RDF_TYPE, Y + "Link")
        self.iri(ln, Y + "linkSubject", s)
        self.iri(ln, Y + "linkPredicate", Y + p)
        self.iri(ln, Y + "linkObject", o)
        stated = self.rng.random() < 0.7
        self.iri(ln, Y + "assertionStatus", Y + ("Stated" if stated else "Interpreted"))
        if not stated:
            self.t(ln, Y + "rationale", _lit(self.zh(16), "zh"))
            self.t(ln, Y + "rationale", _lit(self.en(8), "en"))
        for _ in range(1 if self.rng.random() < 0.75 else 2):
            self.ev(ln)
        self.derived.append(f"<{s}> <{Y}{p}> <{o}> {G_DERIVED} .")

    def build(self) -> list[str]:
        rng, i = self.rng, self.i
        short = f"{B}problem/S{i}"
        self.labelled(short, (Y + "Shortcoming",), f"S{i}")
        self.t(short, Y + "order", _typed(i, "integer"))
        self.iri(short, Y + "inPart", f"{ID}part/s3")
        self.ev(short)
        subs = []
        for j in range(1, 4):
            sp = f"{B}problem/S{i}.{j}"
            subs.append(sp)
            self.labelled(sp, (Y + "ProblemSubPoint",), f"S{i}.{j}")
            self.iri(sp, Y + "partOf", short)
            self.ev(sp)
        factors = []
        for k in range(8):
            f = f"{B}factor/{i}-{k}"
            factors.append(f)
            types = (Y + "Cause",) if k < 5 else (Y + "Effect",) if k > 5 else (Y + "Cause", Y + "Effect")
            self.labelled(f, types)
        prev = self.pools["factor"]
        # causal chains: cause -> cause -> sub-point -> effect, plus cross-unit and paper links
        for k in range(4):
            self.link(factors[k], "causes", factors[k + 1])
        for k in (2, 4, 5):
            self.link(factors[k], "contributesTo", rng.choice(subs))
        for sp in subs:
            self.link(sp, "causes", rng.choice(factors[5:]))
        if prev:
            self.link(rng.choice(prev), "contributesTo", factors[0])
        if rng.random() < 0.3:
            self.link(factors[3], "contributesTo", rng.choice(PAPER_SUBPOINTS))
        prev.extend(factors[:3])
        # remedies: a path with two actions, a recommendation with two measures
        path, rec = f"{B}path/B{i}", f"{B}recommendation/R{i}"
        self.labelled(path, (Y + "BreakthroughPath",), f"B{i}")
        self.labelled(rec, (Y + "PolicyRecommendation",), f"R{i}")
        actions, measures = [], []
        for j in (1, 2):
            a, m = f"{B}path/B{i}.{j}", f"{B}recommendation/R{i}.{j}"
            actions.append(a)
            measures.append(m)
            self.labelled(a, (Y + "PathAction",), f"B{i}.{j}")
            self.iri(a, Y + "partOf", path)
            self.labelled(m, (Y + "PolicyMeasure",), f"R{i}.{j}")
            self.iri(m, Y + "partOf", rec)
        for a in actions:
            self.link(a, "addresses", rng.choice(subs))
        for m in measures:
            self.link(m, "addresses", rng.choice(subs))
            self.link(m, "supports", rng.choice(actions))
        if rng.random() < 0.25:
            self.link(rng.choice(measures + actions), "addresses", rng.choice(PAPER_SUBPOINTS))
        # instruments and actors (shared pools that grow with the data)
        for r in (*actions, *measures, path):
            self.link(r, "usesInstrument", self._pooled("instrument"))
        for r in (actions[0], measures[0], rec):
            self.link(r, "involvesActor", self._pooled("actor"))
        # observations: a small data cube per unit
        ds = f"{B}dataset/d{i % 40}"
        if i < 40:
            self.iri(ds, RDF_TYPE, QB + "DataSet")
            self.t(ds, SKOS + "prefLabel", _lit(f"synthetic table {i}", "en"))
        for k in range(3):
            o = f"{B}obs/{i}-{k}"
            self.iri(o, RDF_TYPE, QB + "Observation")
            self.iri(o, QB + "dataSet", ds)
            self.iri(o, Y + "refIndustry", f"{B}industry/{rng.randrange(60)}")
            self.iri(o, Y + "refRegion", REGIONS[k % len(REGIONS)])
            self.t(o, Y + "profit", _typed(f"{rng.uniform(1, 3000):.2f}", "decimal"))
            self.t(o, Y + "nationalShare", _typed(f"{rng.uniform(1, 60):.2f}", "decimal"))
            self.t(o, Y + "refPeriod", _typed(2021, "gYear"))
        return self.out + self.derived

    def _pooled(self, kind: str) -> str:
        pool = self.pools[kind]
        if not pool or self.rng.random() < (0.35 if kind == "instrument" else 0.15):
            n = len(pool)
            node = f"{B}{kind}/{n}"
            pool.append(node)
            if kind == "instrument":
                self.labelled(node, (Y + "PolicyInstrument", SKOS + "Concept"))
                t = f"{B}instrument-type/{n % 24}"
                self.iri(node, Y + "hasInstrumentType", t)
                self.iri(node, SKOS + "inScheme", f"{B}scheme/instruments")
                if n < 24:
                    self.labelled(t, (Y + "InstrumentType", SKOS + "Concept"))
                    self.iri(t, SKOS + "inScheme", f"{B}scheme/instrument-types")
            else:
                self.labelled(node, (Y + "Actor",))
            self.ev(node)
            return node
        return self.rng.choice(pool)


def generate_lines(triples: int, seed: int = 7, *, evidence: bool = True) -> Iterator[str]:
    """N-Quads lines, unit by unit, until at least ``triples`` lines were produced."""
    rng = random.Random(seed)
    pools: dict[str, list[str]] = {"factor": [], "instrument": [], "actor": []}
    n = i = 0
    while n < triples:
        lines = _Unit(rng, i, evidence, pools).build()
        n += len(lines)
        i += 1
        yield from lines


def generate(triples: int, seed: int = 7, *, evidence: bool = True) -> str:
    """The N-Quads document of about ``triples`` quads (the last unit is complete)."""
    return "\n".join(generate_lines(triples, seed, evidence=evidence)) + "\n"


def write(path: Path, triples: int, seed: int = 7) -> Path:
    """Write the document to ``path`` unless it is already there (same size and seed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.is_file():
        tmp = path.with_suffix(".tmp")
        tmp.write_text(generate(triples, seed), encoding="utf-8")
        tmp.replace(path)
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("size", help="10k, 100k, 1m or a number of triples")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("-o", "--output", type=Path, default=None, help="file to write (default: stdout)")
    a = ap.parse_args(argv)
    text = generate(parse_size(a.size), a.seed)
    if a.output is None:
        sys.stdout.write(text)
    else:
        a.output.parent.mkdir(parents=True, exist_ok=True)
        a.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
