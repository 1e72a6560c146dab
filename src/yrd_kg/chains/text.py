"""Chains as text: the trace tree, the explained chains and the analyses, in zh or en (or JSON)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from yrd_kg.chains.analysis import Analysis
from yrd_kg.chains.graph import ChainGraph
from yrd_kg.chains.model import KINDS, Chain, ChainEdge, ChainNode, TraceResult, natural_key
from yrd_kg.chains.style import KIND_NAME, RELATION_NAME, SECTION_NAME, STATUS_NAME, _lang
from yrd_kg.namespaces import compact


def _node_line(n: ChainNode, lang: str, role: str | None = None) -> str:
    kind = KIND_NAME[lang].get(role or n.kind, role or n.kind)
    ident = "" if n.notation else f"  ‹{n.curie}›"
    return f"[{kind}] {n.title(lang)}{ident}"


def _edge_words(e: ChainEdge, towards_parent: bool, lang: str) -> str:
    rel = RELATION_NAME[lang].get(e.relation, e.relation)
    arrow = "←" if towards_parent else "→"
    status = "" if e.relation == "partOf" else f" ({STATUS_NAME[lang][e.status]})"
    return f"{arrow} {rel}{status}"


def _evidence_lines(e: ChainEdge, lang: str) -> list[str]:
    out = [f"“{ev.quote}” — {ev.locator}" for ev in e.evidence]
    if not e.stated and e.rationale(lang):
        out.append(("∵ " if lang == "zh" else "because: ") + e.rationale(lang))
    return out


def _child_sort_key(cg_nodes: dict[str, ChainNode], roles: dict[str, str]) -> Any:
    def key(item: tuple[str, ChainEdge]) -> tuple[Any, ...]:
        n = cg_nodes[item[0]]
        role = roles.get(item[0], n.kind)
        return (KINDS.index(role) if role in KINDS else 99, natural_key(n.notation) if n.notation else [(1, "")],
                n.label("zh"), item[1].relation)
    return key


def trace_text(res: TraceResult, lang: str = "zh", *, evidence: bool = True) -> str:
    """The trace as an indented tree, one section per kind of chain, quotes under each hop."""
    lang = _lang(lang)
    start = res.nodes[res.start]
    mode = ("反向" if lang == "zh" else "reverse") if res.reverse else ("正向" if lang == "zh" else "forward")
    flt = {("zh", True): "仅陈述", ("en", True): "stated links only", ("zh", False): "全部链接",
           ("en", False): "all links"}[(lang, res.only_stated)]
    lines = [_node_line(start, lang), f"  {start.curie} · {mode} · depth {res.depth} · {flt}"]
    order = ["answers"] if res.reverse else ["structure", "causes", "effects", "remedies", "mentions"]
    for section in order:
        steps = res.steps.get(section)
        if not steps:
            if section in ("causes", "effects", "remedies", "answers"):
                lines.append(f"├─ {SECTION_NAME[lang][section]}: " + ("无" if lang == "zh" else "none"))
            continue
        lines.append(f"├─ {SECTION_NAME[lang][section]}")
        children: dict[str, list[tuple[str, ChainEdge]]] = {}
        for a, b, e in steps:
            children.setdefault(a, []).append((b, e))
        key = _child_sort_key(res.nodes, res.roles)
        for kids in children.values():
            kids.sort(key=key)
        printed: set[str] = set(res.roots)
        roots = [r for r in res.roots if r in children] if section != "structure" else [res.start]
        factor_role = {"causes": "cause", "effects": "effect"}.get(section)

        def role_of(iri: str, factor_role: str | None = factor_role) -> str | None:
            n = res.nodes[iri]
            if factor_role and n.kind in ("cause", "effect"):
                return factor_role
            return res.roles.get(iri)

        def emit(node: str, prefix: str, printed: set[str] = printed,
                 children: dict[str, list[tuple[str, ChainEdge]]] = children) -> None:
            kids = children.get(node, [])
            for i, (kid, e) in enumerate(kids):
                last = i == len(kids) - 1
                branch, cont = ("└─ ", "   ") if last else ("├─ ", "│  ")
                towards = e.target == node
                seen = kid in printed
                mark = ("  (见上)" if lang == "zh" else "  (see above)") if seen and children.get(kid) else ""
                node_text = _node_line(res.nodes[kid], lang, role_of(kid))
                lines.append(f"{prefix}{branch}{_edge_words(e, towards, lang)} {node_text}{mark}")
                if evidence:
                    lines.extend(f"{prefix}{cont}    {t}" for t in _evidence_lines(e, lang))
                if not seen:
                    printed.add(kid)
                    emit(kid, prefix + cont)

        for r in roots:
            if len(res.roots) > 1 and section != "structure":
                lines.append(f"│  {_node_line(res.nodes[r], lang)}")
                emit(r, "│  │  ")
            else:
                emit(r, "│  ")
    if res.reverse:
        probs = sorted((n for n in res.problems()), key=lambda n: natural_key(n.notation or n.iri))
        label = "回应的问题" if lang == "zh" else "problems answered"
        lines.append(f"└─ {label} ({len(probs)}): " + ", ".join(n.notation or n.curie for n in probs))
    else:
        counts = {k: len(res.nodes_of(k)) for k in KINDS}
        summary = " · ".join(f"{KIND_NAME[lang][k]} {v}" for k, v in counts.items() if v)
        lines.append(f"└─ {len(res.chains)} " + ("条链" if lang == "zh" else "chains") + f" · {summary}")
    return "\n".join(lines) + "\n"


def explain_text(cg: ChainGraph, a: str, b: str, chains: Sequence[Chain], lang: str = "zh", *, directed: bool = False) -> str:
    """Each shortest chain hop by hop: relation, status, quotes and locators."""
    lang = _lang(lang)
    na, nb = cg.nodes[a], cg.nodes[b]
    view = ("有向" if lang == "zh" else "directed") if directed else ("无向" if lang == "zh" else "undirected")
    head = f"{na.title(lang)}  ⇢  {nb.title(lang)}  ({view})"
    if not chains:
        return head + "\n" + ("  无连接链条\n" if lang == "zh" else "  no chain connects them\n")
    lines = [head, f"  {len(chains)} " + ("条最短链,每条" if lang == "zh" else "shortest chain(s) of ")
             + f"{len(chains[0])}" + (" 跳" if lang == "zh" else " hop(s)")]
    for i, c in enumerate(chains, 1):
        lines.append(f"{i}. " + " — ".join(cg.nodes[n].notation or cg.nodes[n].label(lang) for n in c.nodes))
        for j, e in enumerate(c.edges):
            u, v = c.nodes[j], c.nodes[j + 1]
            fwd = e.source == u
            rel = RELATION_NAME[lang].get(e.relation, e.relation)
            status = STATUS_NAME[lang][e.status]
            arrow = f"—{rel}→" if fwd else f"←{rel}—"
            lines.append(f"   {j + 1}) {cg.nodes[u].title(lang)}  {arrow}  {cg.nodes[v].title(lang)}  [{status}]")
            lines.extend(f"        {t}" for t in _evidence_lines(e, lang))
    return "\n".join(lines) + "\n"


def render_explain(cg: ChainGraph, a: str, b: str, chains: Sequence[Chain], fmt: str = "text", lang: str = "zh",
                   *, directed: bool = False) -> str:
    """``text`` or ``json``."""
    if fmt == "json":
        return json.dumps({"from": cg.nodes[a].as_dict(), "to": cg.nodes[b].as_dict(), "directed": directed,
                           "nodes": {compact(n): cg.nodes[n].as_dict() for c in chains for n in c.nodes},
                           "chains": [c.as_dict() for c in chains]}, ensure_ascii=False, indent=1) + "\n"
    return explain_text(cg, a, b, chains, lang, directed=directed)


def render_analysis(cg: ChainGraph, an: Analysis, fmt: str = "text", lang: str = "zh", *, top: int = 10) -> str:
    """The analyses as text (top ``top`` of each ranking) or JSON (everything)."""
    if fmt == "json":
        return json.dumps(an.as_dict(), ensure_ascii=False, indent=1) + "\n"
    lang = _lang(lang)

    def t(iri: str) -> str:
        n = cg.nodes[iri]
        return n.title(lang) if n.notation else f"{n.label(lang)} ‹{n.curie}›"

    zh = lang == "zh"
    out = ["== " + ("回应问题最多的措施与行动(直接 / 含经支撑的行动)" if zh else
                    "Remedies that address the most problems (direct / including through supported actions)")]
    out += [f"  {tot:>2} / {d:>2}  {t(r)}" for r, d, tot in an.remedy_reach[:top]]
    out.append("== " + ("各路径与建议覆盖的子问题数" if zh else "Sub-points reached by each path and recommendation"))
    out += [f"  {n:>2}  {t(r)}" for r, n in an.recommendation_reach]
    out.append("== " + ("只有解释性回应的子问题" if zh else "Sub-points whose remedies are all interpreted"))
    out += [f"  {t(p)}" for p in an.only_interpreted] or ["  " + ("无" if zh else "none")]
    out.append("== " + ("各子问题的回应链接(陈述 / 解释)" if zh else "Remedy links per sub-point (stated / interpreted)"))
    out += [f"  {s:>2} / {i:>2}  {t(p)}" for p, (s, i) in an.stated_counts.items()]
    out.append("== " + ("最常用的政策工具(入度)" if zh else "Most used instruments (in-degree)"))
    out += [f"  {n:>3}  {t(i)}" for i, n in an.instrument_indegree[:top]]
    out.append("== " + ("最居中的政策工具(无向介数中心性)" if zh else "Most central instruments (betweenness, undirected)"))
    out += [f"  {b:.4f}  {t(i)}" for i, b in an.instrument_betweenness[:top]]
    more = (" (截断)" if zh else " (truncated)") if an.cycles_truncated else ""
    out.append("== " + (f"因果子图中的环:{len(an.cycles)}" if zh else f"Cycles in the causal subgraph: {len(an.cycles)}") + more)
    for cyc in an.cycles[:top]:
        out.append("  " + " → ".join(cg.nodes[n].notation or cg.nodes[n].label(lang) for n in [*cyc, cyc[0]]))
    if len(an.cycles) > top:
        out.append(f"  … +{len(an.cycles) - top}")
    out.append("== " + ("不回应任何问题的行动/措施" if zh else "Actions/measures that address nothing"))
    out += [f"  {t(r)}" for r in an.remedies_addressing_nothing] or ["  " + ("无" if zh else "none")]
    out.append("== " + ("没有任何回应的子问题" if zh else "Sub-points no remedy reaches"))
    out += [f"  {t(p)}" for p in an.problems_unreached] or ["  " + ("无" if zh else "none")]
    out.append("== " + (f"未被任何路径/措施使用的政策工具:{len(an.instruments_unused)}" if zh else
                        f"Instruments no remedy uses: {len(an.instruments_unused)}"))
    out += [f"  {t(i)}" for i in an.instruments_unused[:top]]
    if len(an.instruments_unused) > top:
        out.append(f"  … +{len(an.instruments_unused) - top}")
    out.append("== " + (f"与任何问题都不相连的成因/后果:{len(an.factors_disconnected)}" if zh else
                        f"Causes/effects not connected to any problem: {len(an.factors_disconnected)}"))
    out += [f"  {t(f)}" for f in an.factors_disconnected]
    return "\n".join(out) + "\n"


# =========================================================================== scene (what a picture shows)


