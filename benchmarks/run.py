"""Benchmark runner: the project's engine, rdflib's memory store and pyoxigraph directly, side by side.

    python benchmarks/run.py [--quick] [--sizes paper,10k,100k,1m] [--repeats 5]

For each size (``paper`` = the paper's graph alone; ``10k`` = the paper plus 10k generated triples;
``100k`` / ``1m`` = the paper plus generated data up to that total), each engine runs in its own
worker process (so peak memory is its own): load, then every saved query (medians over repeats).
Then validation, chain tracing and cold CLI timings. Results go to ``benchmarks/results/<date>.json``
and a table into ``benchmarks/README.md``. ``--quick`` (about a minute): the paper's graph only, fewer
repeats, short rdflib timeouts.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from generate import parse_size, write  # noqa: E402

CACHE = ROOT / "build" / "bench"
RESULTS = HERE / "results"
PARAMS = {
    "problem_iri": "https://w3id.org/yrd-kg/id/problem/P1.1",
    "node_iri": "https://w3id.org/yrd-kg/id/problem/P1.1",
    "remedy_iri": "https://w3id.org/yrd-kg/id/path/B1.1",
}
ENGINES = ("project", "pyoxigraph", "rdflib")


# ----------------------------------------------------------------------------------------- helpers


class Timeout(Exception):
    pass


def _alarm(_signum: int, _frame: Any) -> None:
    raise Timeout


def timed(fn: Callable[[], Any], repeats: int, budget: float | None = None) -> tuple[float | None, Any, int]:
    """(median seconds, last result, samples); a first run longer than 1 s is not repeated.

    ``budget`` (seconds) interrupts a run with SIGALRM (pure-Python engines only): median is None.
    """
    samples: list[float] = []
    result = None
    for i in range(repeats):
        if budget:
            signal.signal(signal.SIGALRM, _alarm)
            signal.setitimer(signal.ITIMER_REAL, budget)
        try:
            t = time.perf_counter()
            result = fn()
            samples.append(time.perf_counter() - t)
        except Timeout:
            return None, None, 0
        finally:
            if budget:
                signal.setitimer(signal.ITIMER_REAL, 0)
        if i == 0 and samples[0] > 1.0:
            break
    return statistics.median(samples), result, len(samples)


def timed_forked(fn: Callable[[], Any], repeats: int, budget: float) -> dict[str, Any]:
    """:func:`timed` in a forked child (the loaded store is shared copy-on-write), killed after ``budget`` s."""
    import select

    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(r)
        try:
            med, res, n = timed(fn, repeats)
            payload = {"median_s": med, "samples": n, "rows": len(res) if res is not None else None}
        except Exception as exc:  # record and go on
            payload = {"error": f"{type(exc).__name__}: {exc}"[:300]}
        os.write(w, json.dumps(payload).encode())
        os._exit(0)
    os.close(w)
    ready, _, _ = select.select([r], [], [], budget)
    if not ready:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(r)
        return {"median_s": None, "samples": 0, "rows": None, "timeout_s": budget}
    chunks = []
    while chunk := os.read(r, 65536):
        chunks.append(chunk)
    os.close(r)
    os.waitpid(pid, 0)
    return json.loads(b"".join(chunks) or b'{"error": "worker died"}')


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def data_files(size: str, seed: int) -> tuple[list[Path], int]:
    """The N-Quads files of a size (paper build + generated part) and the generated triple count."""
    from yrd_kg.dataset.build import build

    res = build()
    paper = res.out_dir.resolve() / "yrd-kg.nq"
    if size == "paper":
        return [paper], 0
    n = parse_size(size)
    paper_n = res.triples
    gen = n if n <= 2 * paper_n else n - paper_n
    return [paper, write(CACHE / f"synthetic-{gen}-s{seed}.nq", gen, seed)], gen


def saved_queries() -> list[Any]:
    from yrd_kg.sparql.catalogue import list_queries

    return list_queries()


def bound_text(q: Any) -> tuple[str, str]:
    from yrd_kg.sparql.binding import bind_parameters
    from yrd_kg.sparql.guard import check_read_only

    params = {p.name: PARAMS[p.name] for p in q.params if p.name in PARAMS}
    return bind_parameters(q.text, q.params, params, lang="en", name=q.name), check_read_only(q.text)


def q_params(q: Any) -> dict[str, str]:
    return {p.name: PARAMS[p.name] for p in q.params if p.name in PARAMS}


# ----------------------------------------------------------------------------------------- workers


def worker_engine(engine: str, size: str, seed: int, repeats: int, budget: float,
                  a_budget_ox: float = 30.0) -> dict[str, Any]:
    import pyoxigraph as ox

    files, _ = data_files(size, seed)
    base_rss = rss_mb()
    out: dict[str, Any] = {"engine": engine, "rss_base_mb": round(base_rss, 1)}
    qs = saved_queries()
    texts = {q.name: bound_text(q) for q in qs}
    run: Callable[[Any], Any]
    if engine == "project":
        from yrd_kg.dataset.store import load_memory_store, open_persistent
        from yrd_kg.sparql.engines import OxigraphEngine
        from yrd_kg.sparql.run import run_query

        if size == "paper":
            from yrd_kg.dataset.store import open_store

            t = time.perf_counter()
            store = open_store()  # the default: in memory
            out["load_memory_s"] = time.perf_counter() - t

            def run(q: Any) -> Any:
                return run_query(q.name, **q_params(q))  # the library's own default path
        else:
            # the persistent store (created, then reopened), measured for its load figures only
            target = CACHE / f"store-{size}-s{seed}"
            for p in (target, target.with_suffix(".json")):  # measure creation, not reuse
                shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)
            t = time.perf_counter()
            disk = open_persistent(files[0].parent, files=files, key=f"bench-{size}-{seed}", directory=target)
            out["load_s"] = time.perf_counter() - t
            del disk
            t = time.perf_counter()
            disk = open_persistent(files[0].parent, files=files, key=f"bench-{size}-{seed}", directory=target)
            out["open_s"] = time.perf_counter() - t
            del disk
            # the default store the queries run on: in memory (as open_store() gives)
            t = time.perf_counter()
            store = load_memory_store(files)
            out["load_memory_s"] = time.perf_counter() - t
            eng = OxigraphEngine(store)

            def run(q: Any) -> Any:
                return run_query(q.name, engine=eng, **q_params(q))
        out["triples"] = len(store)
    elif engine == "pyoxigraph":
        t = time.perf_counter()
        store = ox.Store()
        for f in files:
            store.bulk_load(path=str(f), format=ox.RdfFormat.N_QUADS)
        out["load_s"] = time.perf_counter() - t
        out["triples"] = len(store)

        def run(q: Any) -> Any:
            text, form = texts[q.name]
            res = store.query(text, use_default_graph_as_union=True)
            if form in ("CONSTRUCT", "DESCRIBE"):
                return [(t.subject, t.predicate, t.object) for t in res]
            if isinstance(res, ox.QueryBoolean):
                return [bool(res)]
            n = len(res.variables)
            return [[sol[i] for i in range(n)] for sol in res]
    else:
        from rdflib import Dataset

        from yrd_kg.sparql.engines import RdflibEngine
        from yrd_kg.sparql.run import run_query

        t = time.perf_counter()
        ds = Dataset(default_union=True)
        for f in files:
            ds.parse(str(f), format="nquads")
        out["load_s"] = time.perf_counter() - t
        out["triples"] = len(ds)
        eng_r = RdflibEngine(ds)

        def run(q: Any) -> Any:
            return run_query(q.name, engine=eng_r, **q_params(q))
    out["rss_loaded_mb"] = round(rss_mb(), 1)
    results: dict[str, Any] = {}
    for q in qs:
        fn: Callable[[], Any] = lambda q=q: run(q)  # noqa: E731
        # each query in a forked child with a hard wall-clock budget (also for pyoxigraph: a query
        # that scales badly must not stall the run); the project engine gets the same budget
        results[q.name] = timed_forked(fn, repeats, budget if engine == "rdflib" else max(budget, a_budget_ox))
    out["queries"] = results
    out["rss_peak_mb"] = round(rss_mb(), 1)
    return out


def worker_validate(size: str, seed: int) -> dict[str, Any]:
    """The project's validate() on the data of a size (rdflib graph built first, not timed)."""
    from rdflib import Graph

    from yrd_kg.validate.run import validate

    files, _ = data_files(size, seed)
    t = time.perf_counter()
    if size == "paper":
        g = None
    else:
        g = Graph()
        for f in files:
            ds_text = f.read_bytes()
            from rdflib import Dataset

            ds = Dataset()
            ds.parse(data=ds_text, format="nquads")
            for s, p, o, _g in ds.quads((None, None, None, None)):
                g.add((s, p, o))
    load = time.perf_counter() - t
    t = time.perf_counter()
    rep = validate(graph=g) if g is not None else validate()
    took = time.perf_counter() - t
    return {"load_s": load, "validate_s": took, "results": len(rep.results), "counts": rep.counts,
            "engine": rep.engine, "rss_peak_mb": round(rss_mb(), 1)}


def worker_trace(size: str, seed: int, repeats: int, nodes: int) -> dict[str, Any]:
    import pyoxigraph as ox
    from generate import generate

    from yrd_kg.chains.graph import build_chain_graph, chain_graph_from_store
    from yrd_kg.chains.trace import trace

    out: dict[str, Any] = {}
    if size:
        files, _ = data_files(size, seed)
        store = ox.Store()
        for f in files:
            store.bulk_load(path=str(f), format=ox.RdfFormat.N_QUADS)
        t = time.perf_counter()
        cg = chain_graph_from_store(store)
        out["build_s"] = time.perf_counter() - t
        out["nodes"] = len(cg)
        out["edges"] = cg.g.number_of_edges()
        starts = [n.iri for n in cg.subpoints()][:: max(1, len(cg.subpoints()) // 5)][:5]
        meds = []
        for s in starts:
            med, res, _ = timed(lambda s=s: trace(cg, s, depth=3), repeats)
            meds.append(med)
        out["trace_s"] = statistics.median(meds)
        out["trace_max_s"] = max(meds)
        out["trace_nodes"] = len(res.nodes)
        return out
    # a graph of about ``nodes`` chain nodes straight from the generator (no store, no evidence)
    per_unit_nodes = 21
    per_unit_lines = 330
    text = generate(nodes // per_unit_nodes * per_unit_lines, seed, evidence=False).encode()
    triples = [(q.subject, q.predicate, q.object) for q in ox.parse(text, format=ox.RdfFormat.N_QUADS)]
    t = time.perf_counter()
    cg = build_chain_graph(triples)
    out["build_s"] = time.perf_counter() - t
    out["nodes"] = len(cg)
    out["edges"] = cg.g.number_of_edges()
    subs = cg.subpoints()
    starts = [n.iri for n in subs[:: max(1, len(subs) // 5)]][:5]
    meds, maxs = [], []
    for s in starts:
        for depth in (3, 6):
            med, res, _ = timed(lambda s=s, d=depth: trace(cg, s, depth=d), repeats)
            meds.append(med)
        maxs.append(len(res.nodes))
    out["trace_s"] = statistics.median(meds)
    out["trace_max_s"] = max(meds)
    out["trace_nodes_max"] = max(maxs)
    out["rss_peak_mb"] = round(rss_mb(), 1)
    return out


# ----------------------------------------------------------------------------------------- driver


def spawn(args: list[str], timeout: float) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", *args]
    t = time.perf_counter()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {timeout:.0f} s", "timeout_s": timeout}
    if p.returncode != 0:
        return {"error": (p.stderr or p.stdout).strip().splitlines()[-1:] or ["?"], "wall_s": time.perf_counter() - t}
    return json.loads(p.stdout.strip().splitlines()[-1])


def cli_timings(repeats: int, validate_timeout: float) -> dict[str, Any]:
    exe = shutil.which("yrd-kg", path=str(Path(sys.executable).parent)) or "yrd-kg"
    cases = {
        "yrd-kg --help": ([exe, "--help"], repeats),
        "yrd-kg query links-by-status": ([exe, "query", "links-by-status"], repeats),
        "yrd-kg query problem-chain -p problem_iri=problem:P1.1": (
            [exe, "query", "problem-chain", "-p", "problem_iri=problem:P1.1"], repeats),
        "yrd-kg query remedies-per-problem": ([exe, "query", "remedies-per-problem"], repeats),
        "yrd-kg validate --no-source": ([exe, "validate", "--no-source"], max(1, repeats // 3)),
    }
    subprocess.run([exe, "build"], capture_output=True, cwd=ROOT)  # the build is not what is measured
    subprocess.run([exe, "query", "links-by-status"], capture_output=True, cwd=ROOT)  # nor the store creation
    out: dict[str, Any] = {}
    for name, (cmd, n) in cases.items():
        samples = []
        code = None
        for _ in range(n):
            t = time.perf_counter()
            try:
                p = subprocess.run(cmd, capture_output=True, cwd=ROOT, timeout=validate_timeout)
                code = p.returncode
            except subprocess.TimeoutExpired:
                samples = []
                code = "timeout"
                break
            samples.append(time.perf_counter() - t)
        out[name] = {"median_s": statistics.median(samples) if samples else None, "samples": len(samples),
                     "exit": code, **({"timeout_s": validate_timeout} if code == "timeout" else {})}
    return out


def machine() -> dict[str, Any]:
    import importlib.metadata as md

    cpu = "?"
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_kb = 0
    with open("/proc/meminfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("MemTotal"):
                mem_kb = int(line.split()[1])
    libs = {}
    for name in ("rdflib", "pyoxigraph", "pyshacl", "networkx", "owlrl", "oxrdflib", "pyrudof"):
        with contextlib.suppress(md.PackageNotFoundError):
            libs[name] = md.version(name)
    return {"nproc": os.cpu_count(), "memory_gb": round(mem_kb / 1024 / 1024, 1), "cpu": cpu,
            "python": platform.python_version(), "platform": platform.platform(), "libraries": libs}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="about a minute: size paper, 3 repeats, short rdflib timeouts")
    ap.add_argument("--sizes", default=None, help="comma list of paper,10k,100k,1m (default: all; quick: paper)")
    ap.add_argument("--repeats", type=int, default=None)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--rdflib-timeout", type=float, default=None, help="seconds per rdflib query (default 30; quick 2)")
    ap.add_argument("--trace-nodes", type=int, default=None, help="nodes of the synthetic trace graph (default 100000)")
    ap.add_argument("--no-cli", action="store_true")
    ap.add_argument("--no-validate", action="store_true")
    ap.add_argument("--validate-timeout", type=float, default=None, help="seconds (default 300; quick 120)")
    ap.add_argument("--output", type=Path, default=None, help="results file (default results/<date>.json)")
    ap.add_argument("--no-readme", action="store_true", help="do not rewrite the table in README.md")
    ap.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.worker:
        kind, *rest = a.worker
        if kind == "engine":
            res = worker_engine(rest[0], rest[1], int(rest[2]), int(rest[3]), float(rest[4]))
        elif kind == "validate":
            res = worker_validate(rest[0], int(rest[1]))
        else:
            res = worker_trace(rest[0] if rest[0] != "-" else "", int(rest[1]), int(rest[2]), int(rest[3]))
        print(json.dumps(res, default=str))
        return 0
    sizes = (a.sizes or ("paper" if a.quick else "paper,10k,100k,1m")).split(",")
    repeats = a.repeats or (3 if a.quick else 5)
    budget = a.rdflib_timeout or (2.0 if a.quick else 30.0)
    vtimeout = a.validate_timeout or (120.0 if a.quick else 300.0)
    trace_nodes = a.trace_nodes or (10_000 if a.quick else 100_000)
    started = dt.datetime.now(dt.UTC)
    report: dict[str, Any] = {"date": started.isoformat(timespec="seconds"), "machine": machine(),
                              "args": {"sizes": sizes, "repeats": repeats, "seed": a.seed, "rdflib_timeout_s": budget,
                                       "quick": a.quick}, "sizes": {}}
    for size in sizes:
        _, gen = data_files(size, a.seed)
        entry: dict[str, Any] = {"generated_triples": gen, "engines": {}}
        report["sizes"][size] = entry
        for eng in ENGINES:
            print(f"[{size}] {eng} …", file=sys.stderr, flush=True)
            entry["engines"][eng] = spawn(["engine", eng, size, str(a.seed), str(repeats), str(budget)], timeout=7200)
        entry["triples"] = entry["engines"]["pyoxigraph"].get("triples")
        if not a.no_validate and not (a.quick and size == "paper"):  # quick: the CLI timing covers it
            print(f"[{size}] validate …", file=sys.stderr, flush=True)
            entry["validate"] = spawn(["validate", size, str(a.seed)], timeout=vtimeout)
        print(f"[{size}] trace …", file=sys.stderr, flush=True)
        entry["trace"] = spawn(["trace", size, str(a.seed), str(repeats), "0"], timeout=1800)
        _save(report, a.output, started)
    print(f"[trace] synthetic {trace_nodes} nodes …", file=sys.stderr, flush=True)
    report["trace_synthetic"] = spawn(["trace", "-", str(a.seed), str(repeats), str(trace_nodes)], timeout=1800)
    if not a.no_cli:
        print("[cli] …", file=sys.stderr, flush=True)
        report["cli"] = cli_timings(repeats, vtimeout)
    report["seconds"] = round((dt.datetime.now(dt.UTC) - started).total_seconds(), 1)
    path = _save(report, a.output, started)
    from summarise import readme_table

    table = readme_table(report)
    print(table)
    if not a.no_readme:
        _write_readme(table)
    print(f"results: {path}", file=sys.stderr)
    return 0


def _save(report: dict[str, Any], output: Path | None, started: dt.datetime) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    suffix = "-quick" if report["args"]["quick"] else ""
    path = output or RESULTS / f"{started.strftime('%Y-%m-%d')}{suffix}.json"
    path.write_text(json.dumps(report, indent=1, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    return path


def _write_readme(table: str) -> None:
    readme = HERE / "README.md"
    start, end = "<!-- results:start -->", "<!-- results:end -->"
    text = readme.read_text(encoding="utf-8") if readme.is_file() else f"# Benchmarks\n\n{start}\n{end}\n"
    if start not in text:
        text += f"\n{start}\n{end}\n"
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    readme.write_text(f"{head}{start}\n{table}\n{end}{tail}", encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
