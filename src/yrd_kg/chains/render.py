"""Render traces as pictures: Mermaid, Graphviz DOT, SVG and PNG (text and JSON in :mod:`yrd_kg.chains.text`).

Pictures are layered left to right by role: causes (deeper causes further left), the problem, effects,
actions/measures, paths/recommendations, instruments, actors. Colour gives the node kind, line colour the
relation, the line's dashes the link's strength (stated solid, echoed long dashes, interpreted short dashes),
a dotted line ``partOf``; every picture carries a legend.

SVG/PNG come from Graphviz ``dot`` when it is installed (``engine="graphviz"``, the default ``auto``
picks it), otherwise from a layered layout computed here and written as SVG by hand (``engine="python"``).
A PNG without ``dot`` is converted from that SVG with ``rsvg-convert`` if present, else drawn with
matplotlib if installed; otherwise :class:`RenderError` says what to install. A PNG in Chinese where no
CJK font is installed is drawn in English, with one notice on standard error (:data:`NO_CJK_NOTICE`),
instead of boxes of missing glyphs.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import warnings
from typing import Any
from xml.sax.saxutils import escape

from yrd_kg.chains.layout import Scene, edge_geometry, layout, scene_from_trace, text_width, wrap
from yrd_kg.chains.model import KINDS, ChainEdge, TraceResult, natural_key
from yrd_kg.chains.style import (
    DOT_FONT,
    FONT_FAMILY,
    KIND_NAME,
    KIND_STYLE,
    NO_CJK_NOTICE,
    RELATION_COLOUR,
    RELATION_NAME,
    STATUS_DASH,
    STATUS_DOT,
    STATUS_MERMAID,
    STATUS_NAME,
    RenderError,
    _lang,
    cjk_font_available,
)
from yrd_kg.chains.text import trace_text

FORMATS = ("text", "json", "mermaid", "dot", "svg", "png")


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
            text = "<br/>".join(_mm_text(line) for line in wrap(n.title(scene.lang), 16 if scene.lang == "zh" else 26, 4))
            out.append(f'    {ids[iri]}["{text}"]:::{scene.kind(iri)}')
        out.append("  end")
    rel = RELATION_NAME[scene.lang]
    link_styles: list[str] = []
    for i, e in enumerate(scene.edges):
        arrow = STATUS_MERMAID.get(e.status, "-.->")
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
        style = "dotted" if e.relation == "partOf" else STATUS_DOT.get(e.status, "dashed")
        attrs = f'color="{colour}", style="{style}", tooltip={_dot_str(_tooltip(e, scene))}'
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
    rows.append(f'<tr><td align="left"><b>— —</b> {escape(st["echoed"])}</td></tr>')
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
        x1, y1, c1x, c1y, c2x, c2y, x2, y2 = edge_geometry(lay, e)
        colour = RELATION_COLOUR.get(e.relation, "#333")
        pattern = "2 3" if e.relation == "partOf" else STATUS_DASH.get(e.status, "4 4")
        dash = f' stroke-dasharray="{pattern}"' if pattern else ""
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
    for status in ("stated", "echoed", "interpreted"):
        dash = f' stroke-dasharray="{STATUS_DASH[status]}"' if STATUS_DASH[status] else ""
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
        from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, PathPatch
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
    _mpl_legend(ax, scene)
    for e in scene.edges:
        if e.source not in lay.boxes or e.target not in lay.boxes:
            continue
        x1, y1, c1x, c1y, c2x, c2y, x2, y2 = edge_geometry(lay, e)
        style = ":" if e.relation == "partOf" else {"stated": "-", "echoed": "-."}.get(e.status, "--")
        colour = RELATION_COLOUR.get(e.relation, "#333")
        path = MPath([(x1, y1), (c1x, c1y), (c2x, c2y), (x2, y2)], [MPath.MOVETO, MPath.CURVE4, MPath.CURVE4, MPath.CURVE4])
        ax.add_patch(PathPatch(path, fill=False, edgecolor=colour, linestyle=style, lw=1.0))
        ax.add_patch(FancyArrowPatch((c2x if abs(c2x - x2) > 1 else x2 - 1, y2), (x2, y2), arrowstyle="-|>",
                                     mutation_scale=9, color=colour, lw=0, shrinkA=0, shrinkB=0))
    for iri, b in lay.boxes.items():
        fill, colour = KIND_STYLE.get(b.kind, KIND_STYLE["other"])
        ax.add_patch(FancyBboxPatch((b.x, b.y), b.w, b.h, boxstyle="round,pad=0,rounding_size=6", fc=fill, ec="#444", lw=0.6))
        for j, line in enumerate(b.lines):
            ax.text(b.x + lay.pad, b.y + lay.pad + (j + 0.8) * lay.line_h, line, fontsize=lay.font * 0.72, color=colour,
                    fontweight="bold" if j == 0 and scene.nodes[iri].notation else "normal", va="baseline")
    buf = io.BytesIO()
    with warnings.catch_warnings():  # a glyph a font lacks is drawn as a box; the fallback to English avoids most
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font")
        fig.savefig(buf, format="png", dpi=dpi * 1.5, facecolor="white")
    plt.close(fig)
    return buf.getvalue()


def _mpl_legend(ax: Any, scene: Scene) -> None:
    """The legend of :func:`_svg_legend` drawn with matplotlib: kinds as swatches, relations and strengths as lines."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyBboxPatch

    names, rels, st = KIND_NAME[scene.lang], RELATION_NAME[scene.lang], STATUS_NAME[scene.lang]
    cx, y = 20.0, 42.0
    present = {scene.kind(i) for i in scene.nodes}
    for k in KINDS:
        if k in present:
            ax.add_patch(FancyBboxPatch((cx, y), 14, 14, boxstyle="round,pad=0,rounding_size=3", fc=KIND_STYLE[k][0],
                                        ec="#444", lw=0.5))
            ax.text(cx + 18, y + 11, names[k], fontsize=8, color="#222", va="baseline")
            cx += 30 + text_width(names[k]) * 11
    cx, y2 = 20.0, y + 24 + 7
    for r in (r for r in RELATION_COLOUR if any(e.relation == r for e in scene.edges)):
        ax.add_line(Line2D([cx, cx + 26], [y2, y2], color=RELATION_COLOUR[r], lw=1.6,
                           linestyle=":" if r == "partOf" else "-"))
        ax.text(cx + 30, y2 + 4, rels[r], fontsize=8, color="#222", va="baseline")
        cx += 44 + text_width(rels[r]) * 11
    strengths: tuple[tuple[str, Any], ...] = (("stated", "-"), ("echoed", "-."), ("interpreted", "--"))
    for status, style in strengths:
        ax.add_line(Line2D([cx, cx + 30], [y2, y2], color="#333", lw=1.4, linestyle=style))
        ax.text(cx + 34, y2 + 4, st[status], fontsize=8, color="#222", va="baseline")
        cx += 48 + text_width(st[status]) * 11


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
    if fmt == "png" and lang == "zh" and not cjk_font_available():
        print(NO_CJK_NOTICE, file=sys.stderr)
        lang = "en"
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
