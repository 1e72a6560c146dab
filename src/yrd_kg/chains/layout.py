"""The picture's scene and the built-in layered layout (used when Graphviz is absent)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from yrd_kg.chains.model import ChainEdge, ChainNode, TraceResult, natural_key
from yrd_kg.chains.style import KIND_STYLE, _lang


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


#: advance widths in em of DejaVu Sans (the widest common default sans), rounded up, so labels fit their boxes
_NARROW = dict.fromkeys("il.,:;|'’ ", 0.34) | dict.fromkeys("fjrtI()[]/-‐!", 0.42) | dict.fromkeys('"“”`–', 0.52)
_WIDE = dict.fromkeys("mw", 0.98) | dict.fromkeys("MW#+<=>^~", 1.0) | dict.fromkeys("—…%&@", 1.0)


def _char_width(ch: str) -> float:
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1.0
    if ch in _NARROW:
        return _NARROW[ch]
    if ch in _WIDE:
        return _WIDE[ch]
    if ch.isupper():
        return 0.79
    return 0.64


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


def edge_geometry(lay: Layout, e: ChainEdge) -> tuple[float, float, float, float, float, float, float, float]:
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


