"""Turn a results JSON into the Markdown tables of README.md (``python benchmarks/summarise.py FILE``)."""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path
from typing import Any


def _ms(s: float | None) -> str:
    if s is None:
        return "—"
    return f"{s * 1000:.1f} ms" if s < 1 else f"{s:.2f} s"


def _q(entry: dict[str, Any], eng: str) -> dict[str, Any]:
    return entry["engines"].get(eng, {}).get("queries", {}) or {}


def ratios(entry: dict[str, Any]) -> dict[str, Any]:
    """Per query: rdflib / project (≥ when rdflib timed out) and project / pyoxigraph."""
    proj, ox, rdf = _q(entry, "project"), _q(entry, "pyoxigraph"), _q(entry, "rdflib")
    speedup: dict[str, tuple[float, bool]] = {}
    overhead: dict[str, float] = {}
    for name, p in proj.items():
        pm = p.get("median_s")
        if not pm:
            continue
        r = rdf.get(name, {})
        if r.get("median_s"):
            speedup[name] = (r["median_s"] / pm, False)
        elif r.get("timeout_s"):
            speedup[name] = (r["timeout_s"] / pm, True)
        o = ox.get(name, {})
        if o.get("median_s"):
            overhead[name] = pm / o["median_s"]
    return {"speedup": speedup, "overhead": overhead}


def readme_table(rep: dict[str, Any]) -> str:
    m = rep["machine"]
    libs = ", ".join(f"{k} {v}" for k, v in m["libraries"].items())
    out = [f"Run of {rep['date']} ({'quick' if rep['args']['quick'] else 'full'}, {rep.get('seconds', '?')} s): "
           f"{m['nproc']} cores, {m['memory_gb']} GB, {m['cpu']}; Python {m['python']}; {libs}. "
           f"Medians of {rep['args']['repeats']} repeats (a first run over 1 s is not repeated); "
           f"rdflib queries stopped after {rep['args']['rdflib_timeout_s']:.0f} s (ratios then are lower bounds, ≥).",
           "",
           "| size | triples | load project (persistent create / reopen / in-memory) | load pyoxigraph | load rdflib "
           "| peak RSS project / pyoxigraph / rdflib | queries Σ project / pyoxigraph / rdflib "
           "| speed-up vs rdflib (min / median) | project ÷ pyoxigraph (median / max) | validate | trace |",
           "|---|---|---|---|---|---|---|---|---|---|---|"]
    for size, e in rep["sizes"].items():
        eng = e["engines"]
        p, o, r = eng.get("project", {}), eng.get("pyoxigraph", {}), eng.get("rdflib", {})
        rt = ratios(e)
        sp = rt["speedup"]
        ov = rt["overhead"]
        sums = []
        for x in (p, o, r):
            qs = x.get("queries", {}) or {}
            vals = [v.get("median_s") or v.get("timeout_s") or 0 for v in qs.values()]
            timeouts = sum(1 for v in qs.values() if v.get("timeout_s"))
            sums.append(_ms(sum(vals)) + (f" (≥, {timeouts} timeouts)" if timeouts else ""))
        if sp:
            worst = min(sp, key=lambda k: sp[k][0])
            spd = (f"{'≥' if sp[worst][1] else ''}{sp[worst][0]:.1f}× ({worst}) / "
                   f"{statistics.median(v for v, _ in sp.values()):.0f}×")
        else:
            spd = "—"
        if ov:
            worst_o = max(ov, key=lambda k: ov[k])
            ovd = f"{statistics.median(ov.values()):.2f}× / {ov[worst_o]:.1f}× ({worst_o})"
        else:
            ovd = "—"
        load_p = (f"{_ms(p.get('load_s'))} / {_ms(p.get('open_s'))} / {_ms(p.get('load_memory_s'))}"
                  if "load_s" in p else (f"reopen {_ms(p.get('open_s'))}" if "open_s" in p
                                         else f"in-memory {_ms(p.get('load_memory_s'))}"))
        v = e.get("validate", {})
        vtxt = _ms(v.get("validate_s")) if "validate_s" in v else ((v.get("error") and f"✗ {v['error']}") or "—")
        t = e.get("trace", {})
        ttxt = f"{_ms(t.get('trace_s'))} ({t.get('nodes', '?')} nodes)" if "trace_s" in t else "—"
        out.append(f"| {size} | {e.get('triples', '?'):,} | {load_p} | {_ms(o.get('load_s'))} | {_ms(r.get('load_s'))} "
                   f"| {p.get('rss_peak_mb', '?')} / {o.get('rss_peak_mb', '?')} / {r.get('rss_peak_mb', '?')} MB "
                   f"| {' / '.join(sums)} | {spd} | {ovd} | {vtxt} | {ttxt} |")
    ts = rep.get("trace_synthetic", {})
    if "trace_s" in ts:
        out += ["", f"Chain tracing on a generated chain graph of {ts['nodes']:,} nodes / {ts['edges']:,} edges: "
                    f"median {_ms(ts['trace_s'])}, max {_ms(ts['trace_max_s'])} (depth 3 and 6, 5 starts; "
                    f"graph built in {_ms(ts['build_s'])})."]
    cli = rep.get("cli") or {}
    if cli:
        out += ["", "| cold command (paper's graph) | median | exit |", "|---|---|---|"]
        for name, c in cli.items():
            out.append(f"| `{name}` | {_ms(c.get('median_s')) if c.get('median_s') else '✗ timeout'} | {c.get('exit')} |")
    out += ["", targets(rep)]
    largest = list(rep["sizes"])[-1]
    out += ["", per_query(rep, largest)]
    return "\n".join(out)


def targets(rep: dict[str, Any]) -> str:
    rows = ["| target | measured | met |", "|---|---|---|"]

    def row(name: str, value: str, ok: bool | None) -> None:
        rows.append(f"| {name} | {value} | {'✓' if ok else ('✗' if ok is not None else '—')} |")

    paper = rep["sizes"].get("paper")
    if paper:
        qs = _q(paper, "project")
        vals = {k: v.get("median_s") for k, v in qs.items() if v.get("median_s") is not None}
        if vals:
            worst = max(vals, key=lambda k: vals[k])
            over = sum(1 for x in vals.values() if x > 0.010)
            row("paper: every saved query ≤ 10 ms warm in-process", f"max {_ms(vals[worst])} ({worst}); "
                f"{over}/{len(vals)} over", over == 0)
    cli = rep.get("cli") or {}
    for name, limit in (("yrd-kg query links-by-status", 0.8), ("yrd-kg query problem-chain -p problem_iri=problem:P1.1", 0.8),
                        ("yrd-kg validate --no-source", 2.0), ("yrd-kg --help", 0.3)):
        c = cli.get(name)
        if c:
            ms = c.get("median_s")
            row(f"`{name}` ≤ {limit} s", _ms(ms) if ms else f"> {c.get('timeout_s')} s", ms is not None and ms <= limit)
    big = rep["sizes"].get("1m")
    if big:
        p = big["engines"].get("project", {})
        row("1M: load ≤ 5 s (project: persistent create / in-memory)",
            f"{_ms(p.get('load_s'))} / {_ms(p.get('load_memory_s'))}", (p.get("load_memory_s") or 99) <= 5)
        rt = ratios(big)
        sp, ov = rt["speedup"], rt["overhead"]
        if sp:
            worst = min(sp, key=lambda k: sp[k][0])
            below = sum(1 for v, _ in sp.values() if v < 10)
            row("1M: every saved query ≥ 10× faster than rdflib memory",
                f"min {sp[worst][0]:.1f}× ({worst}); {below}/{len(sp)} below 10×", below == 0)
        if ov:
            worst_o = max(ov, key=lambda k: ov[k])
            over = sum(1 for v in ov.values() if v > 1.5)
            row("1M: every saved query within 1.5× of pyoxigraph direct",
                f"max {ov[worst_o]:.1f}× ({worst_o}); {over}/{len(ov)} over 1.5×", over == 0)
        v = big.get("validate", {})
        row("1M: validation of our shapes ≤ 30 s", _ms(v.get("validate_s")) if "validate_s" in v else
            str(v.get("error", "not run")), ("validate_s" in v and v["validate_s"] <= 30) if v else None)
    ts = rep.get("trace_synthetic", {})
    if "trace_s" in ts:
        row(f"chain tracing on a {ts['nodes']:,}-node graph ≤ 0.1 s", f"max {_ms(ts['trace_max_s'])}",
            ts["trace_max_s"] <= 0.1 and ts["nodes"] >= 100_000)
    return "\n".join(rows)


def per_query(rep: dict[str, Any], size: str) -> str:
    e = rep["sizes"][size]
    proj, ox, rdf = _q(e, "project"), _q(e, "pyoxigraph"), _q(e, "rdflib")
    rows = [f"Per query at size `{size}` ({e.get('triples', '?'):,} triples):", "",
            "| query | rows | project | pyoxigraph | rdflib | rdflib ÷ project | project ÷ pyoxigraph |",
            "|---|---|---|---|---|---|---|"]
    for name in sorted(proj):
        p, o, r = proj[name], ox.get(name, {}), rdf.get(name, {})
        pm, om, rm = p.get("median_s"), o.get("median_s"), r.get("median_s")
        rtxt = _ms(rm) if rm else (f"> {r['timeout_s']:.0f} s" if r.get("timeout_s") else r.get("error", "—")[:40])
        sp = f"{rm / pm:.0f}×" if rm and pm else (f"≥ {r['timeout_s'] / pm:.0f}×" if r.get("timeout_s") and pm else "—")
        ov = f"{pm / om:.2f}×" if pm and om else "—"
        rows.append(f"| {name} | {p.get('rows', p.get('error', '?'))} | {_ms(pm)} | {_ms(om)} | {rtxt} | {sp} | {ov} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(readme_table(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))))
