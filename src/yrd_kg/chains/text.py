"""Chains as text: the trace tree, the explained chains and the analyses, in zh or en (or JSON).

Relations are worded from the node the line hangs under, so each reads right in either direction
("P1.1 is addressed by B2.3", "B2.3 addresses P1.1"; a problem's passage *names* an instrument, it does
not use it), and every link shows its strength in words (原文明说 / 措辞呼应 / 图谱解读).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from yrd_kg.chains.analysis import Analysis
from yrd_kg.chains.graph import ChainGraph
from yrd_kg.chains.model import (
    EXTRA_KINDS,
    KINDS,
    STRENGTH_WORDS,
    STRENGTHS,
    Chain,
    ChainEdge,
    ChainNode,
    TraceResult,
    natural_key,
)
from yrd_kg.chains.style import KIND_NAME, _lang
from yrd_kg.namespaces import compact
from yrd_kg.sparql.results import width

#: names of the kinds :data:`KIND_NAME` (the pictures' legend) does not have, and of a factor that is a part
EXTRA_KIND_NAME = {
    "zh": {"factor": "因素", "document": "政策文件", "exemplar": "范例", "part": "组成部分"},
    "en": {"factor": "factor", "document": "policy document", "exemplar": "exemplar", "part": "part"},
}
#: relation → (words when the line's parent is the subject, words when it is the object)
RELATION_WORDS: dict[str, dict[str, tuple[str, str]]] = {
    "zh": {"causes": ("导致", "起因于"), "contributesTo": ("促成", "部分起因于"), "addresses": ("回应", "得到回应"),
           "supports": ("支撑", "得到支撑"), "uses": ("使用工具", "被使用于"), "involves": ("涉及主体", "参与"),
           "partOf": ("属于", "包含"), "cites": ("援引文件", "被援引于"), "exemplifiedBy": ("借鉴范例", "被借鉴于"),
           "names": ("文中点名", "被点名于")},
    "en": {"causes": ("causes", "is caused by"), "contributesTo": ("contributes to", "is contributed to by"),
           "addresses": ("addresses", "is addressed by"), "supports": ("supports", "is supported by"),
           "uses": ("uses", "is used by"), "involves": ("involves", "takes part in"),
           "partOf": ("is part of", "has part"), "cites": ("cites", "is cited by"),
           "exemplifiedBy": ("follows the example of", "is the example for"), "names": ("names", "is named in")},
}
SECTION_WORDS = {
    "zh": {"structure": "组成部分", "causes": "成因(上溯)", "effects": "后果(下行)",
           "neighbourhood": "因果邻域:成因的其他后果、后果的其他成因", "remedies": "回应:路径行动与建议措施",
           "mentions": "问题文本中点名的工具与主体", "answers": "回应的问题"},
    "en": {"structure": "parts", "causes": "causes (upstream)", "effects": "effects (downstream)",
           "neighbourhood": "causal neighbourhood: the causes' other effects, the effects' other causes",
           "remedies": "remedies: path actions and measures", "mentions": "instruments and actors the problem text names",
           "answers": "problems it helps remedy"},
}
FILTER_WORDS = {
    "zh": {"stated": "仅原文明说", "echoed": "原文明说与措辞呼应", "interpreted": "全部链接(原文明说、措辞呼应、图谱解读)"},
    "en": {"stated": "stated links only", "echoed": "stated and echoed links",
           "interpreted": "all links (stated, echoed, interpreted)"},
}


def kind_name(kind: str, lang: str) -> str:
    """A node kind (or role) in words."""
    return KIND_NAME[lang].get(kind) or EXTRA_KIND_NAME[lang].get(kind, kind)


def relation_words(e: ChainEdge, parent: str, kinds: dict[str, ChainNode], lang: str) -> str:
    """The edge's relation read from ``parent``: the active words when it is the subject, else the inverse."""
    rel = e.relation
    if rel in ("uses", "involves") and kinds[e.source].kind == "problem":
        rel = "names"  # a problem's passage names an instrument or actor: it does not use it
    forward, inverse = RELATION_WORDS[lang].get(rel, (rel, rel))
    return forward if e.source == parent else inverse


def strength_words(status: str, lang: str) -> str:
    """A link's strength in words (原文明说 / 措辞呼应 / 图谱解读)."""
    return STRENGTH_WORDS[_lang(lang)].get(status, status)


def _node_line(n: ChainNode, lang: str, role: str | None = None) -> str:
    r = role or n.kind
    kind = kind_name(n.what if r == "other" else r, lang)
    ident = "" if n.notation else f"  ‹{n.curie}›"
    return f"[{kind}] {n.title(lang)}{ident}"


def _edge_words(e: ChainEdge, parent: str, nodes: dict[str, ChainNode], lang: str) -> str:
    arrow = "→" if e.source == parent else "←"
    strength = "" if e.relation == "partOf" else f" ({strength_words(e.status, lang)})"
    return f"{arrow} {relation_words(e, parent, nodes, lang)}{strength}"


def _evidence_lines(e: ChainEdge, lang: str) -> list[str]:
    out = [f"“{ev.quote}” — {ev.locator}" for ev in e.evidence]
    if not e.stated and e.rationale(lang):
        out.append(("∵ " if lang == "zh" else "because: ") + e.rationale(lang))
    return out


def _child_sort_key(cg_nodes: dict[str, ChainNode], roles: dict[str, str]) -> Any:
    order = KINDS + EXTRA_KINDS

    def key(item: tuple[str, ChainEdge]) -> tuple[Any, ...]:
        n = cg_nodes[item[0]]
        role = roles.get(item[0], n.kind)
        role = n.what if role == "other" else role
        return (order.index(role) if role in order else 99, natural_key(n.notation) if n.notation else [(1, "")],
                n.label("zh"), item[1].relation)
    return key


def trace_text(res: TraceResult, lang: str = "zh", *, evidence: bool = True) -> str:
    """The trace as an indented tree, one section per kind of chain, quotes under each hop."""
    lang = _lang(lang)
    start = res.nodes[res.start]
    mode = ("反向" if lang == "zh" else "reverse") if res.reverse else ("正向" if lang == "zh" else "forward")
    flt = FILTER_WORDS[lang]["stated" if res.only_stated else res.min_strength]
    lines = [_node_line(start, lang), f"  {start.curie} · {mode} · depth {res.depth} · {flt}"]
    order = ["answers"] if res.reverse else ["structure", "causes", "effects", "neighbourhood", "remedies", "mentions"]
    for section in order:
        steps = res.steps.get(section)
        if not steps:
            if section in ("causes", "effects", "remedies", "answers"):
                lines.append(f"├─ {SECTION_WORDS[lang][section]}: " + ("无" if lang == "zh" else "none"))
            continue
        lines.append(f"├─ {SECTION_WORDS[lang][section]}")
        children: dict[str, list[tuple[str, ChainEdge]]] = {}
        for a, b, e in steps:
            children.setdefault(a, []).append((b, e))
        key = _child_sort_key(res.nodes, res.roles)
        for kids in children.values():
            kids.sort(key=key)
        printed: set[str] = set(res.roots) if section != "neighbourhood" else set()
        if section == "structure":
            roots = [res.start]
        elif section == "neighbourhood":
            targets = {b for _, b, _ in steps}
            roots = [a for a in children if a not in targets] or list(children)[:1]
        else:
            roots = [r for r in res.roots if r in children]
        factor_role = {"causes": "cause", "effects": "effect"}.get(section)

        def role_of(iri: str, parent: str, e: ChainEdge, section: str = section,
                    factor_role: str | None = factor_role) -> str | None:
            n = res.nodes[iri]
            if section == "structure" and n.kind != "problem":
                return "part"
            if section == "neighbourhood" and n.what in ("cause", "effect", "factor"):
                return "effect" if e.source == parent else "cause"
            if factor_role and n.what in ("cause", "effect", "factor"):
                return factor_role
            return res.roles.get(iri)

        def emit(node: str, prefix: str, printed: set[str] = printed,
                 children: dict[str, list[tuple[str, ChainEdge]]] = children) -> None:
            kids = children.get(node, [])
            for i, (kid, e) in enumerate(kids):
                last = i == len(kids) - 1
                branch, cont = ("└─ ", "   ") if last else ("├─ ", "│  ")
                seen = kid in printed
                mark = ("  (见上)" if lang == "zh" else "  (see above)") if seen and children.get(kid) else ""
                node_text = _node_line(res.nodes[kid], lang, role_of(kid, node, e))
                lines.append(f"{prefix}{branch}{_edge_words(e, node, res.nodes, lang)} {node_text}{mark}")
                if evidence:
                    lines.extend(f"{prefix}{cont}    {t}" for t in _evidence_lines(e, lang))
                if not seen:
                    printed.add(kid)
                    emit(kid, prefix + cont)

        for r in roots:
            if (len(res.roots) > 1 and section != "structure") or section == "neighbourhood":
                part = r in res.roots and r != res.start and res.nodes[r].kind != "problem"
                lines.append(f"│  {_node_line(res.nodes[r], lang, 'part' if part else res.roles.get(r))}")
                printed.add(r)
                emit(r, "│  │  ")
            else:
                emit(r, "│  ")
    if res.reverse:
        probs = sorted((n for n in res.problems()), key=lambda n: natural_key(n.notation or n.iri))
        label = SECTION_WORDS[lang]["answers"]
        lines.append(f"└─ {label} ({len(probs)}): " + ", ".join(n.notation or n.curie for n in probs))
    else:
        counts = {k: len(res.nodes_of(k)) for k in KINDS}
        summary = " · ".join(f"{KIND_NAME[lang][k]} {v}" for k, v in counts.items() if v)
        strengths = {s: sum(1 for e in res.edges if e.relation != "partOf" and e.status == s) for s in STRENGTHS}
        words = " · ".join(f"{strength_words(s, lang)} {n}" for s, n in strengths.items() if n)
        lines.append(f"└─ {len(res.chains)} " + ("条链" if lang == "zh" else "chains") + f" · {summary}"
                     + (f" · {words}" if words else ""))
    return "\n".join(lines) + "\n"


def explain_text(cg: ChainGraph, a: str, b: str, chains: Sequence[Chain], lang: str = "zh", *, directed: bool = False) -> str:
    """Each shortest chain hop by hop: relation (read from the hop's first node), strength, quotes and locators."""
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
            rel = relation_words(e, u, cg.nodes, lang)
            arrow = f"—{rel}→" if e.source == u else f"←{rel}—"
            status = "" if e.relation == "partOf" else f"  [{strength_words(e.status, lang)}]"
            lines.append(f"   {j + 1}) {cg.nodes[u].title(lang)}  {arrow}  {cg.nodes[v].title(lang)}{status}")
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
    words = " / ".join(strength_words(st, lang) for st in STRENGTHS)
    kinds = {"zh": {"causal": "因果", "remedy": "对策(回应)", "support": "支撑"},
             "en": {"causal": "causal", "remedy": "remedy (addresses)", "support": "support"}}[lang]
    out = ["== " + (f"论证链接按强度计数({words})" if zh else f"Links of the argument per strength ({words})")]
    pad = max(width(x) for x in kinds.values())
    out += [f"  {kinds[k]}{' ' * (pad - width(kinds[k]))}  " + "  ".join(f"{n:>3}" for n in v) + f"  = {sum(v)}"
            for k, v in an.links_by_strength.items()]
    out.append("== " + ("回应问题最多的措施与行动(直接 / 含经支撑的行动)" if zh else
                        "Remedies that address the most problems (direct / including through supported actions)"))
    out += [f"  {tot:>2} / {d:>2}  {t(r)}" for r, d, tot in an.remedy_reach[:top]]
    out.append("== " + ("各路径与建议覆盖的子问题数" if zh else "Sub-points reached by each path and recommendation"))
    out += [f"  {n:>2}  {t(r)}" for r, n in an.recommendation_reach]
    out.append("== " + ("没有原文明说回应的子问题" if zh else "Sub-points no stated remedy link reaches"))
    out += [f"  {t(p)}" for p in an.no_stated] or ["  " + ("无" if zh else "none")]
    out.append("== " + ("只有图谱解读回应的子问题" if zh else "Sub-points whose remedy links are all interpreted"))
    out += [f"  {t(p)}" for p in an.only_interpreted] or ["  " + ("无" if zh else "none")]
    out.append("== " + (f"各子问题的回应链接({words})" if zh else f"Remedy links per sub-point ({words})"))
    out += ["  " + " / ".join(f"{n:>2}" for n in v) + f"  {t(p)}" for p, v in an.stated_counts.items()]
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


