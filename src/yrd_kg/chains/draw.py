"""Render traces and chains: text tree (zh/en), JSON, Mermaid, Graphviz DOT, SVG and PNG.

Pictures are layered left to right by role: causes (deeper causes further left), the problem, effects,
actions/measures, paths/recommendations, instruments, actors. Colour gives the node kind, line colour the
relation, a dashed line an interpreted link, a dotted line ``partOf``; every picture carries a legend.

SVG/PNG come from Graphviz ``dot`` when it is installed (``engine="graphviz"``, the default ``auto``
picks it), otherwise from a layered layout computed here and written as SVG by hand (``engine="python"``).
A PNG without ``dot`` is converted from that SVG with ``rsvg-convert`` if present, else drawn with
matplotlib if installed; otherwise :class:`RenderError` says what to install.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from yrd_kg.chains.graph import (
    KINDS,
    Analysis,
    Chain,
    ChainEdge,
    ChainGraph,
    ChainNode,
    TraceResult,
    compact,
    natural_key,
)

__all__ = [
    "FORMATS",
    "RenderError",
    "Scene",
    "render_analysis",
    "render_explain",
    "render_trace",
    "scene_from_trace",
]

FORMATS = ("text", "json", "mermaid", "dot", "svg", "png")

#: fill colour, text colour per node kind
KIND_STYLE: dict[str, tuple[str, str]] = {
    "cause": ("#fdae61", "#1a1a1a"),
    "problem": ("#d73027", "#ffffff"),
    "effect": ("#fee08b", "#1a1a1a"),
    "action": ("#abd9e9", "#1a1a1a"),
    "measure": ("#b8e186", "#1a1a1a"),
    "path": ("#4575b4", "#ffffff"),
    "recommendation": ("#1a9850", "#ffffff"),
    "instrument": ("#c2a5cf", "#1a1a1a"),
    "actor": ("#e0e0e0", "#1a1a1a"),
    "other": ("#ffffff", "#1a1a1a"),
}
#: line colour per relation
RELATION_COLOUR: dict[str, str] = {
    "causes": "#b2182b",
    "contributesTo": "#ef8a62",
    "addresses": "#2166ac",
    "supports": "#1b7837",
    "uses": "#762a83",
    "involves": "#737373",
    "partOf": "#9e9e9e",
}
KIND_NAME = {
    "zh": {"cause": "成因", "problem": "问题", "effect": "后果", "action": "路径行动", "measure": "建议措施",
           "path": "突破路径", "recommendation": "对策建议", "instrument": "政策工具", "actor": "主体", "other": "其他"},
    "en": {"cause": "cause", "problem": "problem", "effect": "effect", "action": "action", "measure": "measure",
           "path": "path", "recommendation": "recommendation", "instrument": "instrument", "actor": "actor",
           "other": "other"},
}
RELATION_NAME = {
    "zh": {"causes": "导致", "contributesTo": "促成", "addresses": "回应", "supports": "支撑", "uses": "使用工具",
           "involves": "涉及主体", "partOf": "属于"},
    "en": {r: r for r in RELATION_COLOUR},
}
STATUS_NAME = {"zh": {"stated": "陈述", "interpreted": "解释"}, "en": {"stated": "stated", "interpreted": "interpreted"}}
SECTION_NAME = {
    "zh": {"structure": "子问题", "causes": "成因(上溯)", "effects": "后果(下行)", "remedies": "回应:路径行动与建议措施",
           "mentions": "问题文本中点名的工具与主体", "answers": "回应的问题"},
    "en": {"structure": "sub-points", "causes": "causes (upstream)", "effects": "effects (downstream)",
           "remedies": "remedies: path actions and measures", "mentions": "instruments and actors the problem text names",
           "answers": "problems answered"},
}
FONT_FAMILY = "Noto Sans CJK SC, Source Han Sans SC, WenQuanYi Zen Hei, Microsoft YaHei, PingFang SC, sans-serif"
DOT_FONT = "Noto Sans CJK SC,WenQuanYi Zen Hei,sans-serif"


class RenderError(RuntimeError):
    """A format cannot be produced here (a tool is missing)."""


# =========================================================================== text


def _lang(lang: str) -> str:
    return "en" if lang == "en" else "zh"


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


@dataclass
class Scene:
    """Nodes with their column, edges, and a title: the input of every picture format."""

    title: str
    lang: str
    nodes: dict[str, ChainNode]
    roles: dict[str, str]
    columns: dict[str, tuple[int, int]]
    edges: list[ChainEdge] = field(default_factory=list)

    def kind(self, iri: str) -> str:
        """The node's kind as drawn (a factor's role in the trace: cause or effect)."""
        role = self.roles.get(iri) or self.nodes[iri].kind
        return role if role in KIND_STYLE else self.nodes[iri].kind

    def column_order(self) -> list[tuple[int, int]]:
        """The distinct columns, left to right."""
        return sorted(set(self.columns.values()))


LAYER = {"cause": 0, "problem": 1, "effect": 2, "action": 3, "measure": 3, "path": 4, "recommendation": 4,
         "instrument": 5, "actor": 6}


def scene_from_trace(res: TraceResult, lang: str = "zh") -> Scene:
    """Place every node of a trace in a column: (layer by kind, sub-column by distance)."""
    lang = _lang(lang)
    cols: dict[str, tuple[int, int]] = {}
    roles: dict[str, str] = {}
    for iri, n in res.nodes.items():
        role = res.roles.get(iri, n.kind)
        if role not in LAYER:
            role = n.kind if n.kind in LAYER else "cause"
        roles[iri] = role
        hop = res.hops.get(iri, 0)
        layer = LAYER[role]
        if role == "cause":
            sub = -hop
        elif role == "effect":
            sub = hop
        elif role in ("action", "measure"):
            sub = -hop if res.reverse else max(hop - 1, 0)
        elif role == "problem":
            sub = 0
        else:
            sub = 0
        cols[iri] = (layer, sub)
    start = res.nodes[res.start]
    what = ("反向追踪" if lang == "zh" else "reverse trace") if res.reverse else ("因果链" if lang == "zh" else "causal chains")
    flt = (" · 仅陈述" if lang == "zh" else " · stated only") if res.only_stated else ""
    title = f"{start.title(lang)} — {what} (depth {res.depth}{flt})"
    return Scene(title, lang, dict(res.nodes), roles, cols, res.edges)


# =========================================================================== text wrapping


def _char_width(ch: str) -> float:
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1.0
    if ch in "il.,:;|!'’ ":
        return 0.3
    if ch.isupper() or ch in "mwMW":
        return 0.7
    return 0.55


def text_width(text: str) -> float:
    """Approximate width in em."""
    return sum(_char_width(c) for c in text)


def _tokens(text: str) -> list[str]:
    out: list[str] = []
    buf = ""
    for ch in text:
        wide = unicodedata.east_asian_width(ch) in ("W", "F")
        if wide:
            if buf:
                out.append(buf)
                buf = ""
            out.append(ch)
        elif ch == " ":
            buf += ch
            out.append(buf)
            buf = ""
        else:
            buf += ch
    if buf:
        out.append(buf)
    return out


def wrap(text: str, width_em: float, max_lines: int = 4) -> list[str]:
    """Greedy wrap by CJK character or Latin word; the last line ends with … when cut."""
    lines: list[str] = []
    cur = ""
    for tok in _tokens(text):
        if cur and text_width(cur + tok.rstrip()) > width_em:
            lines.append(cur.rstrip())
            cur = tok.lstrip()
        else:
            cur += tok
        while text_width(cur) > width_em:  # a single over-long word
            cut = len(cur)
            while cut > 1 and text_width(cur[:cut]) > width_em:
                cut -= 1
            lines.append(cur[:cut])
            cur = cur[cut:]
    if cur.strip():
        lines.append(cur.rstrip())
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and text_width(last + "…") > width_em:
            last = last[:-1]
        lines = [*lines[: max_lines - 1], last.rstrip() + "…"]
    return lines


# =========================================================================== Mermaid


def _mm_text(text: str) -> str:
    return text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def render_mermaid(scene: Scene) -> str:
    """A Mermaid flowchart (LR): one subgraph per layer, class per kind, dashed interpreted links."""
    ids = {iri: f"n{i}" for i, iri in enumerate(sorted(scene.nodes, key=lambda x: (scene.columns[x], x)))}
    out = ["flowchart LR", f"  %% {_mm_text(scene.title)}"]
    for kind, (fill, colour) in KIND_STYLE.items():
        out.append(f"  classDef {kind} fill:{fill},stroke:#333,color:{colour}")
    names = KIND_NAME[scene.lang]
    by_layer: dict[int, list[str]] = {}
    for iri, (layer, _) in scene.columns.items():
        by_layer.setdefault(layer, []).append(iri)
    for layer in sorted(by_layer):
        kinds = sorted({scene.kind(i) for i in by_layer[layer]}, key=lambda k: KINDS.index(k) if k in KINDS else 99)
        out.append(f'  subgraph L{layer}["{" / ".join(names.get(k, k) for k in kinds)}"]')
        out.append("    direction TB")
        for iri in sorted(by_layer[layer], key=lambda x: (scene.columns[x], natural_key(scene.nodes[x].notation or x))):
            n = scene.nodes[iri]
            text = "<br/>".join(wrap(n.title(scene.lang), 16 if scene.lang == "zh" else 26, 4))
            out.append(f'    {ids[iri]}["{_mm_text(text)}"]:::{scene.kind(iri)}')
        out.append("  end")
    rel = RELATION_NAME[scene.lang]
    link_styles: list[str] = []
    for i, e in enumerate(scene.edges):
        arrow = "-->" if e.stated else "-.->"
        out.append(f"  {ids[e.source]} {arrow}|{_mm_text(rel.get(e.relation, e.relation))}| {ids[e.target]}")
        link_styles.append(f"  linkStyle {i} stroke:{RELATION_COLOUR.get(e.relation, '#333')}")
    return "\n".join(out + link_styles) + "\n"


# =========================================================================== DOT


def _dot_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _tooltip(e: ChainEdge, scene: Scene) -> str:
    s, t = scene.nodes[e.source], scene.nodes[e.target]
    head = f"{s.notation or s.label(scene.lang)} {e.relation} {t.notation or t.label(scene.lang)} ({e.status})"
    quotes = [f"“{ev.quote}” ({ev.locator})" for ev in e.evidence]
    return "\n".join([head, *quotes])


def render_dot(scene: Scene) -> str:
    """Graphviz DOT: rankdir LR, one rank per column (kept in order by invisible anchors), a legend."""
    ids = {iri: f"n{i}" for i, iri in enumerate(sorted(scene.nodes, key=lambda x: (scene.columns[x], x)))}
    cols = scene.column_order()
    colidx = {c: i for i, c in enumerate(cols)}
    wrap_em = 15 if scene.lang == "zh" else 24
    out = [
        "digraph trace {",
        f'  graph [rankdir=LR, newrank=true, nodesep=0.12, ranksep=0.7, fontname="{DOT_FONT}", fontsize=16, '
        f'labelloc=t, label={_dot_str(scene.title)}, bgcolor="white"];',
        f'  node [shape=box, style="rounded,filled", fontname="{DOT_FONT}", fontsize=11, margin="0.10,0.05", penwidth=0.8];',
        '  edge [arrowsize=0.6, penwidth=1.1];',
    ]
    for i, c in enumerate(cols):
        members = [iri for iri, cc in scene.columns.items() if cc == c]
        members.sort(key=lambda x: natural_key(scene.nodes[x].notation or scene.nodes[x].label("en")))
        out.append(f"  {{ rank=same; a{i} [style=invis, shape=point, width=0, label=\"\"];")
        for iri in members:
            n = scene.nodes[iri]
            fill, colour = KIND_STYLE[scene.kind(iri)]
            text = "\n".join(wrap(n.title(scene.lang), wrap_em, 4))
            out.append(f"    {ids[iri]} [label={_dot_str(text)}, fillcolor=\"{fill}\", fontcolor=\"{colour}\", "
                       f"tooltip={_dot_str(n.curie + ' · ' + n.label(scene.lang))}];")
        out.append("  }")
    if len(cols) > 1:
        out.append("  " + " -> ".join(f"a{i}" for i in range(len(cols))) + " [style=invis, weight=100];")
    for e in scene.edges:
        colour = RELATION_COLOUR.get(e.relation, "#333333")
        style = "dotted" if e.relation == "partOf" else ("solid" if e.stated else "dashed")
        attrs = f'color="{colour}", style={style}, tooltip={_dot_str(_tooltip(e, scene))}'
        cs, ct = colidx[scene.columns[e.source]], colidx[scene.columns[e.target]]
        if cs > ct:  # draw right-to-left edges reversed so the ranks stay in column order
            out.append(f"  {ids[e.target]} -> {ids[e.source]} [{attrs}, dir=back];")
        elif cs == ct:
            out.append(f"  {ids[e.source]} -> {ids[e.target]} [{attrs}, constraint=false];")
        else:
            out.append(f"  {ids[e.source]} -> {ids[e.target]} [{attrs}];")
    out.append(f"  legend [shape=plaintext, style=\"\", margin=0, label=<{_legend_html(scene)}>];")
    out.append("  { rank=same; a0; legend; }" if cols else "")
    out.append("}")
    return "\n".join(x for x in out if x) + "\n"


def _legend_html(scene: Scene) -> str:
    names = KIND_NAME[scene.lang]
    rels = RELATION_NAME[scene.lang]
    st = STATUS_NAME[scene.lang]
    rows = ['<table border="0" cellborder="0" cellspacing="2" cellpadding="3" bgcolor="white">',
            f'<tr><td align="left"><b>{"图例" if scene.lang == "zh" else "Legend"}</b></td></tr>']
    present = {scene.kind(i) for i in scene.nodes}
    for k in KINDS:
        if k in present:
            fill, colour = KIND_STYLE[k]
            rows.append(f'<tr><td bgcolor="{fill}" border="1" align="left">'
                        f'<font color="{colour}">{escape(names[k])}</font></td></tr>')
    rel_present = {e.relation for e in scene.edges}
    for r, colour in RELATION_COLOUR.items():
        if r in rel_present:
            rows.append(f'<tr><td align="left"><font color="{colour}"><b>——</b> {escape(rels[r])}</font></td></tr>')
    rows.append(f'<tr><td align="left">—— {escape(st["stated"])}</td></tr>')
    rows.append(f'<tr><td align="left">- - - {escape(st["interpreted"])}</td></tr>')
    rows.append("</table>")
    return "".join(rows)


def _run_dot(dot_text: str, fmt: str) -> bytes:
    exe = shutil.which("dot")
    if exe is None:
        raise RenderError("Graphviz `dot` is not installed")
    proc = subprocess.run([exe, f"-T{fmt}"], input=dot_text.encode("utf-8"), capture_output=True, timeout=120, check=False)
    if proc.returncode != 0:
        raise RenderError(f"dot failed: {proc.stderr.decode('utf-8', 'replace')[:500]}")
    return proc.stdout


# =========================================================================== pure-Python layout and SVG


@dataclass
class Box:
    """A placed node."""

    iri: str
    x: float
    y: float
    w: float
    h: float
    lines: list[str]
    kind: str


@dataclass
class Layout:
    """Boxes, canvas size and the layout constants the renderers share."""

    width: float
    height: float
    boxes: dict[str, Box]
    top: float
    font: float = 12.0
    line_h: float = 15.0
    pad: float = 6.0


def layout(scene: Scene) -> Layout:
    """Layered layout: columns left to right, order inside a column by barycentre sweeps."""
    font, line_h, pad = 12.0, 15.0, 6.0
    box_w = 200.0 if scene.lang == "zh" else 220.0
    wrap_em = (box_w - 2 * pad) / font
    cols = scene.column_order()
    members: dict[tuple[int, int], list[str]] = {c: [] for c in cols}
    for iri, c in scene.columns.items():
        members[c].append(iri)
    for c in cols:
        members[c].sort(key=lambda x: (natural_key(scene.nodes[x].notation) if scene.nodes[x].notation else [(1, "")],
                                       scene.nodes[x].label(scene.lang)))
    nbrs: dict[str, list[str]] = {i: [] for i in scene.nodes}
    for e in scene.edges:
        if e.source in nbrs and e.target in nbrs and e.source != e.target:
            nbrs[e.source].append(e.target)
            nbrs[e.target].append(e.source)
    pos: dict[str, float] = {}

    def index_positions() -> None:
        for c in cols:
            k = len(members[c])
            for j, iri in enumerate(members[c]):
                pos[iri] = (j + 0.5) / k

    index_positions()
    for sweep in range(8):
        seq = cols if sweep % 2 == 0 else list(reversed(cols))
        for c in seq:
            def bary(iri: str, c: tuple[int, int] = c) -> float:
                ps = [pos[n] for n in nbrs[iri] if scene.columns[n] != c]
                return sum(ps) / len(ps) if ps else pos[iri]
            members[c].sort(key=lambda x: (bary(x), pos[x]))
            k = len(members[c])
            for j, iri in enumerate(members[c]):
                pos[iri] = (j + 0.5) / k
    lines = {i: [*([n.notation] if n.notation else []), *wrap(n.label(scene.lang), wrap_em, 4)]
             for i, n in scene.nodes.items()}
    heights = {i: len(ls) * line_h + 2 * pad for i, ls in lines.items()}
    gap_v = 10.0
    col_h = {c: sum(heights[i] for i in members[c]) + gap_v * max(len(members[c]) - 1, 0) for c in cols}
    legend_h = 58.0
    top = 40.0 + legend_h
    inner_h = max(col_h.values(), default=0.0)
    # vertical positions: start stacked and centred, then pull each box towards its neighbours' centres
    ys: dict[str, float] = {}
    for c in cols:
        y = top + (inner_h - col_h[c]) / 2
        for iri in members[c]:
            ys[iri] = y
            y += heights[iri] + gap_v
    bottom = top + inner_h
    for sweep in range(10):
        seq = cols if sweep % 2 == 0 else list(reversed(cols))
        for c in seq:
            order = members[c]
            want = []
            for iri in order:
                ps = [ys[n] + heights[n] / 2 for n in nbrs[iri] if scene.columns[n] != c]
                centre = sum(ps) / len(ps) if ps else ys[iri] + heights[iri] / 2
                want.append(centre - heights[iri] / 2)
            _pack(order, want, heights, gap_v, top, bottom, ys)
    boxes: dict[str, Box] = {}
    x = 20.0
    prev_layer: int | None = None
    for c in cols:
        if prev_layer is not None:
            x += 70.0 if c[0] != prev_layer else 40.0
        for iri in members[c]:
            boxes[iri] = Box(iri, x, ys[iri], box_w, heights[iri], lines[iri], scene.kind(iri))
        x += box_w
        prev_layer = c[0]
    width = max(x + 20.0, 760.0)
    return Layout(width, bottom + 24.0, boxes, top, font, line_h, pad)


def _pack(order: Sequence[str], want: Sequence[float], heights: dict[str, float], gap: float, top: float,
          bottom: float, ys: dict[str, float]) -> None:
    """Place boxes in ``order`` as close to ``want`` as the no-overlap and top/bottom bounds allow."""
    n = len(order)
    y = [0.0] * n
    for i in range(n):  # forward: no overlap with the box above
        lo = top if i == 0 else y[i - 1] + heights[order[i - 1]] + gap
        y[i] = max(want[i], lo)
    for i in range(n - 1, -1, -1):  # backward: stay above the bottom and the box below
        hi = bottom - heights[order[i]] if i == n - 1 else y[i + 1] - heights[order[i]] - gap
        y[i] = min(y[i], hi)
    for i in range(n):  # forward again: the top bound wins
        lo = top if i == 0 else y[i - 1] + heights[order[i - 1]] + gap
        y[i] = max(y[i], lo)
    for iri, v in zip(order, y, strict=True):
        ys[iri] = v


def _edge_geometry(lay: Layout, e: ChainEdge) -> tuple[float, float, float, float, float, float, float, float]:
    """Start, two control points and end of the cubic curve of an edge."""
    a, b = lay.boxes[e.source], lay.boxes[e.target]
    ay, by = a.y + a.h / 2, b.y + b.h / 2
    if abs(a.x - b.x) < 1:  # same column: bulge out to the left
        x1, x2 = a.x, b.x
        bulge = 30.0 + min(abs(ay - by) / 6, 60.0)
        return x1, ay, x1 - bulge, ay, x2 - bulge, by, x2, by
    if a.x < b.x:
        x1, x2 = a.x + a.w, b.x
    else:
        x1, x2 = a.x, b.x + b.w
    dx = max(abs(x2 - x1) / 2, 30.0) * (1 if x2 > x1 else -1)
    return x1, ay, x1 + dx, ay, x2 - dx, by, x2, by


def render_svg(scene: Scene) -> str:
    """A standalone SVG drawn from :func:`layout` (no external tool)."""
    lay = layout(scene)
    rels = RELATION_NAME[scene.lang]
    st = STATUS_NAME[scene.lang]
    w, h = lay.width, lay.height
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0f}" height="{h:.0f}" viewBox="0 0 {w:.0f} {h:.0f}" '
        f'font-family="{FONT_FAMILY}" font-size="{lay.font:.0f}">',
        f"<title>{escape(scene.title)}</title>",
        "<defs>",
    ]
    for r, colour in RELATION_COLOUR.items():
        out.append(f'<marker id="arrow-{r}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
                   f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>')
    out.append("</defs>")
    out.append(f'<rect x="0" y="0" width="{w:.0f}" height="{h:.0f}" fill="white"/>')
    out.append(f'<text x="20" y="26" font-size="16" font-weight="bold" fill="#111">{escape(scene.title)}</text>')
    out.extend(_svg_legend(scene, 20.0, 42.0, w - 40))
    out.append('<g id="edges" fill="none">')
    for e in scene.edges:
        if e.source not in lay.boxes or e.target not in lay.boxes:
            continue
        x1, y1, c1x, c1y, c2x, c2y, x2, y2 = _edge_geometry(lay, e)
        colour = RELATION_COLOUR.get(e.relation, "#333")
        dash = ' stroke-dasharray="2 3"' if e.relation == "partOf" else ("" if e.stated else ' stroke-dasharray="6 4"')
        out.append(f'<path d="M{x1:.1f},{y1:.1f} C{c1x:.1f},{c1y:.1f} {c2x:.1f},{c2y:.1f} {x2:.1f},{y2:.1f}" '
                   f'stroke="{colour}" stroke-width="1.3" stroke-opacity="0.85"{dash} marker-end="url(#arrow-{e.relation})">'
                   f"<title>{escape(rels.get(e.relation, e.relation))} ({st[e.status]})\n"
                   f"{escape(_tooltip(e, scene))}</title></path>")
    out.append("</g>")
    out.append('<g id="nodes">')
    for iri, b in lay.boxes.items():
        fill, colour = KIND_STYLE.get(b.kind, KIND_STYLE["other"])
        n = scene.nodes[iri]
        out.append(f'<g class="node {b.kind}"><title>{escape(n.curie)} · {escape(n.label(scene.lang))}</title>')
        out.append(f'<rect x="{b.x:.1f}" y="{b.y:.1f}" width="{b.w:.1f}" height="{b.h:.1f}" rx="6" ry="6" '
                   f'fill="{fill}" stroke="#444" stroke-width="0.8"/>')
        for j, line in enumerate(b.lines):
            weight = ' font-weight="bold"' if j == 0 and n.notation else ""
            ty = b.y + lay.pad + (j + 0.8) * lay.line_h
            out.append(f'<text x="{b.x + lay.pad:.1f}" y="{ty:.1f}" fill="{colour}"{weight}>{escape(line)}</text>')
        out.append("</g>")
    out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _svg_legend(scene: Scene, x: float, y: float, max_w: float) -> list[str]:
    names = KIND_NAME[scene.lang]
    rels = RELATION_NAME[scene.lang]
    st = STATUS_NAME[scene.lang]
    out = [f'<g id="legend" font-size="11"><title>{"图例" if scene.lang == "zh" else "Legend"}</title>']
    cx = x
    present = {scene.kind(i) for i in scene.nodes}
    for k in KINDS:
        if k not in present:
            continue
        fill, _ = KIND_STYLE[k]
        label = names[k]
        out.append(f'<rect x="{cx:.1f}" y="{y:.1f}" width="14" height="14" rx="3" fill="{fill}" '
                   'stroke="#444" stroke-width="0.6"/>')
        out.append(f'<text x="{cx + 18:.1f}" y="{y + 11:.1f}" fill="#222">{escape(label)}</text>')
        cx += 30 + text_width(label) * 11
    y2 = y + 24
    cx = x
    rel_present = [r for r in RELATION_COLOUR if any(e.relation == r for e in scene.edges)]
    for r in rel_present:
        colour = RELATION_COLOUR[r]
        dash = ' stroke-dasharray="2 3"' if r == "partOf" else ""
        out.append(f'<line x1="{cx:.1f}" y1="{y2 + 7:.1f}" x2="{cx + 26:.1f}" y2="{y2 + 7:.1f}" stroke="{colour}" '
                   f'stroke-width="2"{dash}/>')
        label = rels[r]
        out.append(f'<text x="{cx + 30:.1f}" y="{y2 + 11:.1f}" fill="#222">{escape(label)}</text>')
        cx += 44 + text_width(label) * 11
    for status, dash in (("stated", ""), ("interpreted", ' stroke-dasharray="6 4"')):
        out.append(f'<line x1="{cx:.1f}" y1="{y2 + 7:.1f}" x2="{cx + 30:.1f}" y2="{y2 + 7:.1f}" stroke="#333" '
                   f'stroke-width="1.6"{dash}/>')
        out.append(f'<text x="{cx + 34:.1f}" y="{y2 + 11:.1f}" fill="#222">{escape(st[status])}</text>')
        cx += 48 + text_width(st[status]) * 11
    out.append("</g>")
    return out


def _svg_to_png(svg: str) -> bytes | None:
    exe = shutil.which("rsvg-convert")
    if exe is None:
        return None
    proc = subprocess.run([exe, "-f", "png", "-z", "1.5", "-b", "white"], input=svg.encode("utf-8"),
                          capture_output=True, timeout=120, check=False)
    return proc.stdout if proc.returncode == 0 and proc.stdout else None


def render_png_matplotlib(scene: Scene) -> bytes:
    """The pure-Python layout drawn with matplotlib (only when it is installed)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.patches import FancyBboxPatch, PathPatch
        from matplotlib.path import Path as MPath
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RenderError(
            "PNG needs Graphviz `dot` (apt-get install graphviz), `rsvg-convert` (apt-get install librsvg2-bin) "
            "or matplotlib (pip install matplotlib); none is available. Use --format svg instead."
        ) from exc
    import io

    plt.rcParams["font.sans-serif"] = ["Noto Sans CJK SC", "WenQuanYi Zen Hei", "Source Han Sans SC", "DejaVu Sans"]
    lay = layout(scene)
    dpi = 100
    fig = plt.figure(figsize=(lay.width / dpi, lay.height / dpi), dpi=dpi)
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_xlim(0, lay.width)
    ax.set_ylim(lay.height, 0)
    ax.axis("off")
    ax.text(20, 26, scene.title, fontsize=12, fontweight="bold", va="baseline")
    for e in scene.edges:
        x1, y1, c1x, c1y, c2x, c2y, x2, y2 = _edge_geometry(lay, e)
        style = ":" if e.relation == "partOf" else ("-" if e.stated else "--")
        path = MPath([(x1, y1), (c1x, c1y), (c2x, c2y), (x2, y2)], [MPath.MOVETO, MPath.CURVE4, MPath.CURVE4, MPath.CURVE4])
        ax.add_patch(PathPatch(path, fill=False, edgecolor=RELATION_COLOUR.get(e.relation, "#333"), linestyle=style, lw=1.0))
    for iri, b in lay.boxes.items():
        fill, colour = KIND_STYLE.get(b.kind, KIND_STYLE["other"])
        ax.add_patch(FancyBboxPatch((b.x, b.y), b.w, b.h, boxstyle="round,pad=0,rounding_size=6", fc=fill, ec="#444", lw=0.6))
        for j, line in enumerate(b.lines):
            ax.text(b.x + lay.pad, b.y + lay.pad + (j + 0.8) * lay.line_h, line, fontsize=lay.font * 0.72, color=colour,
                    fontweight="bold" if j == 0 and scene.nodes[iri].notation else "normal", va="baseline")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi * 1.5, facecolor="white")
    plt.close(fig)
    return buf.getvalue()


# =========================================================================== dispatch


def picture(scene: Scene, fmt: str, engine: str = "auto") -> bytes:
    """SVG or PNG bytes: Graphviz when ``engine`` is ``graphviz`` (or ``auto`` and dot is installed)."""
    if engine not in ("auto", "graphviz", "python"):
        raise ValueError(f"unknown engine {engine!r}")
    use_dot = engine == "graphviz" or (engine == "auto" and shutil.which("dot") is not None)
    if use_dot:
        return _run_dot(render_dot(scene), fmt)
    svg = render_svg(scene)
    if fmt == "svg":
        return svg.encode("utf-8")
    png = _svg_to_png(svg)
    if png is not None:
        return png
    return render_png_matplotlib(scene)


def render_trace(res: TraceResult, fmt: str = "text", lang: str = "zh", *, engine: str = "auto") -> bytes:
    """A trace in any of :data:`FORMATS` (bytes: PNG is binary)."""
    lang = _lang(lang)
    if fmt == "text":
        return trace_text(res, lang).encode("utf-8")
    if fmt == "json":
        return (json.dumps(res.as_dict(), ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    scene = scene_from_trace(res, lang)
    if fmt == "mermaid":
        return render_mermaid(scene).encode("utf-8")
    if fmt == "dot":
        return render_dot(scene).encode("utf-8")
    if fmt in ("svg", "png"):
        return picture(scene, fmt, engine)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
