"""Tables 1 and 2 from the data cube (printed values, the paper's slips marked) and as SVG charts.

A table is read from its ``qb:DataSet``: every observation with ``yrd:tableRow`` and
``yrd:tableColumn`` is a cell; a row is named by the dimension value its cells share, a column
by its cells' shared dimension value (and the printed ``yrd:columnHeading``). Values are always
shown as printed (``yrd:printedForm``); a cell whose printed total or share disagrees with its
parts (:attr:`SiteModel.slips`), or that a ``yrd:Finding`` names, is marked, never corrected.
The charts are hand-written SVG (no library): grouped bars with the printed value on each bar.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from .model import ID, QB, SiteModel, Y
from .render import Context, Page, esc

DATASETS = {1: ID + "dataset/table1", 2: ID + "dataset/table2"}
DIMS = (Y + "refIndustry", Y + "refIndicator", Y + "refRegion")
PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#e15759", "#9c755f")


@dataclass
class Cube:
    """A printed table: ordered rows and columns, the observation in each cell."""

    dataset: str
    rows: list[tuple[int, str]] = field(default_factory=list)  # (row number, row dimension value)
    cols: list[tuple[int, str, str]] = field(default_factory=list)  # (column number, heading, column dimension value)
    cells: dict[tuple[int, int], str] = field(default_factory=dict)


def _shared(model: SiteModel, obs: list[str], dims: tuple[str, ...]) -> str:
    """The dimension value all of ``obs`` share (the first such dimension), or ""."""
    for d in dims:
        vals = {v.value for o in obs for v in model.values(o, d)}
        if len(vals) == 1 and all(model.values(o, d) for o in obs):
            return vals.pop()
    return ""


def read_cube(model: SiteModel, dataset: str) -> Cube:
    """The table of ``dataset`` as printed."""
    cube = Cube(dataset)
    for o in model.subjects(QB + "dataSet", dataset):
        rt, ct = model.value(o, Y + "tableRow"), model.value(o, Y + "tableColumn")
        if rt is not None and ct is not None:
            cube.cells[(int(rt.value), int(ct.value))] = o
    rows = sorted({r for r, _ in cube.cells})
    cols = sorted({c for _, c in cube.cells})
    for r in rows:
        obs = [o for (rr, _), o in cube.cells.items() if rr == r]
        cube.rows.append((r, _shared(model, obs, DIMS)))
    for c in cols:
        obs = [o for (_, cc), o in sorted(cube.cells.items()) if cc == c]
        heads = sorted({h.value for o in obs for h in model.values(o, Y + "columnHeading")})
        cube.cols.append((c, heads[0] if heads else "", _shared(model, obs, DIMS)))
    return cube


def printed(model: SiteModel, obs: str) -> str:
    """The value of a cell as printed."""
    pf = model.value(obs, Y + "printedForm")
    return pf.value if pf else ""


def _num(s: str) -> Decimal | None:
    try:
        return Decimal(s)
    except (InvalidOperation, ValueError):
        return None


def slip_notes(ctx: Context, page: str, obs: str) -> list[str]:
    """The paper's slips recorded for a cell, as HTML sentences."""
    m = ctx.model
    out = []
    for s in m.slips:
        if s.obs == obs:
            check = ctx.t("check_sum" if s.check == "sum" else "check_share")
            out.append(f'{ctx.link(page, obs)}: {esc(ctx.t("printed"))} <b>{esc(s.printed)}</b>, '
                       f'{esc(ctx.t("computed"))} ({esc(check)}) <b>{esc(s.computed)}</b>')
    out.extend(f'{ctx.link(page, obs)}: {esc(ctx.t("finding"))} {ctx.link(page, f)}' for f in m.cell_findings.get(obs, []))
    return out


def cube_table(ctx: Context, page: str, n: int) -> str:
    """Table ``n`` rendered from the cube, each cell linked to its page, slips marked."""
    m = ctx.model
    ds = DATASETS[n]
    cube = read_cube(m, ds)
    if not cube.cells:
        return ""
    head = "".join(f'<th scope="col">{_col_head(ctx, page, heading, dim)}</th>' for _c, heading, dim in cube.cols)
    body, notes = [], []
    for r, dim in cube.rows:
        tds = []
        for c, _h, _d in cube.cols:
            o = cube.cells.get((r, c))
            if o is None:
                tds.append("<td></td>")
                continue
            sn = slip_notes(ctx, page, o)
            notes.extend(sn)
            cls = "num slip" if sn else "num"
            mark = '<span class="slipmark" aria-hidden="true">⚠</span>' if sn else ""
            h = ctx.href(page, o)
            tds.append(f'<td class="{cls}" data-obs="{esc(o)}"><a href="{esc(h or "")}">{esc(printed(m, o))}</a>{mark}</td>')
        body.append(f'<tr><th scope="row">{ctx.link(page, dim) if dim else ""}</th>{"".join(tds)}</tr>')
    src = m.text(ds, "http://purl.org/dc/terms/source")
    foot = f'<p class="tsource">{esc(src.get(ctx.lang))}</p>' if src else ""
    if notes:
        slip = esc(ctx.t("slip"))
        foot += '<ul class="slips">' + "".join(f"<li>⚠ {slip}: {x}</li>" for x in notes) + "</ul>"
    return (f'<figure class="cube" id="cube-table{n}"><figcaption>{ctx.link(page, ds)} '
            f'<span class="small">({esc(ctx.t("from_cube"))})</span></figcaption>'
            f'<div class="scroll"><table class="cubetable"><thead><tr><th></th>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>{foot}</figure>')


def _col_head(ctx: Context, page: str, heading: str, dim: str) -> str:
    if dim and ctx.lang == "en":
        return f'{ctx.link(page, dim)}<br><span class="small" lang="zh">{esc(heading)}</span>'
    if dim:
        return ctx.link(page, dim, heading or None)
    return f'<span lang="zh">{esc(heading)}</span>'


# ----------------------------------------------------------------------------------------- SVG


def _fmt(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _text(x: float, y: float, s: str, cls: str = "", anchor: str = "start", lang: str = "") -> str:
    la = f' lang="{lang}"' if lang else ""
    return f'<text x="{_fmt(x)}" y="{_fmt(y)}" text-anchor="{anchor}" class="{cls}"{la}>{esc(s)}</text>'


def _text_width(s: str) -> float:
    """Rough width in px of ``s`` at 12px (CJK characters are square, Latin about half)."""
    return sum(12.5 if ord(ch) > 0x2E80 else 7.0 for ch in s)


def bar_panel(title: str, groups: list[tuple[str, list[tuple[str, str, bool]]]], series: list[str],
              lang: str, unit: str = "") -> str:
    """Horizontal grouped bars: ``groups`` of (label, [(series name, printed value, slip)])."""
    bar_h, gap, width = 13, 10, 900
    label_w = min(340, 16 + max((_text_width(g) for g, _ in groups), default=80))
    plot_w = width - label_w - 90
    vals = [_num(v) for _, bars in groups for _, v, _s in bars]
    top = max((float(v) for v in vals if v is not None), default=1.0) or 1.0
    y = 30
    parts = []
    colour = {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(series)}
    for label, bars in groups:
        parts.append(_text(label_w - 8, y + bar_h * len(bars) / 2 + 4, label, "glabel", "end"))
        for name, value, slip in bars:
            v = _num(value)
            w = 0.0 if v is None else float(v) / top * plot_w
            cls = "bar slip" if slip else "bar"
            parts.append(f'<rect x="{label_w}" y="{y}" width="{_fmt(max(w, 0.5))}" height="{bar_h - 2}" '
                         f'fill="{colour[name]}" class="{cls}"><title>{esc(name)}: {esc(value)}</title></rect>')
            parts.append(_text(label_w + w + 4, y + bar_h - 3, value + (" ⚠" if slip else ""), "val slip" if slip else "val"))
            y += bar_h
        y += gap
    legend_y = y + 8
    x = label_w
    for s in series:
        parts.append(f'<rect x="{x}" y="{legend_y}" width="10" height="10" fill="{colour[s]}"/>')
        parts.append(_text(x + 14, legend_y + 9, s, "legend"))
        x += 24 + _text_width(s)
    if unit:
        parts.append(_text(width - 10, 16, unit, "unit", "end"))
    height = legend_y + 24
    return (f'<svg class="chart" role="img" viewBox="0 0 {width} {_fmt(height)}" width="{width}" height="{_fmt(height)}" '
            f'xmlns="http://www.w3.org/2000/svg" lang="{lang}"><title>{esc(title)}</title>{"".join(parts)}</svg>')


def _is_slip(m: SiteModel, obs: str) -> bool:
    return any(s.obs == obs for s in m.slips) or obs in m.cell_findings


def table1_charts(ctx: Context) -> str:
    """Table 1: profit by province per industry, and the YRD share of the national profit."""
    m = ctx.model
    cube = read_cube(m, DATASETS[1])
    if not cube.cells:
        return ""
    prov_cols = [(c, d) for c, _h, d in cube.cols if Y + "ProvinceLevelDivision" in m.types(d)]
    share_cols = [c for c, _h, _d in cube.cols
                  if any(m.values(cube.cells[(r, c)], Y + "nationalShare") for r, _ in cube.rows if (r, c) in cube.cells)]
    series = [ctx.label(d) for _c, d in prov_cols]
    groups, share_groups = [], []
    for r, dim in cube.rows:
        bars = [(ctx.label(d), printed(m, cube.cells[(r, c)]), _is_slip(m, cube.cells[(r, c)])) for c, d in prov_cols
                if (r, c) in cube.cells]
        groups.append((ctx.label(dim), bars))
        for c in share_cols:
            if (r, c) in cube.cells:
                o = cube.cells[(r, c)]
                share_groups.append((ctx.label(dim), [(ctx.label(Y + "nationalShare"), printed(m, o), _is_slip(m, o))]))
    unit = m.value(DATASETS[1], Y + "unit")
    title = ctx.label(DATASETS[1])
    share_title = f"{ctx.t('table1')}: {ctx.label(Y + 'nationalShare')}"
    a = bar_panel(title, groups, series, ctx.lang, unit.value if unit else "")
    b = bar_panel(share_title, share_groups, [ctx.label(Y + "nationalShare")], ctx.lang)
    return (f'<figure class="chartfig" id="chart-table1"><figcaption>{esc(title)}</figcaption>{a}</figure>'
            f'<figure class="chartfig" id="chart-table1-share"><figcaption>{esc(share_title)}</figcaption>{b}</figure>')


def table2_charts(ctx: Context) -> str:
    """Table 2: per indicator, the count of each province and of the YRD total, as printed."""
    m = ctx.model
    cube = read_cube(m, DATASETS[2])
    if not cube.cells:
        return ""
    shown = [(r, d) for r, d in cube.rows if Y + "ProvinceLevelDivision" in m.types(d) or d.endswith("/place/yrd")]
    series = [ctx.label(d) for _r, d in shown]
    groups = []
    for c, _h, dim in cube.cols:
        bars = [(ctx.label(d), printed(m, cube.cells[(r, c)]), _is_slip(m, cube.cells[(r, c)])) for r, d in shown
                if (r, c) in cube.cells]
        groups.append((ctx.label(dim), bars))
    title = ctx.label(DATASETS[2])
    panel = bar_panel(title, groups, series, ctx.lang)
    return f'<figure class="chartfig" id="chart-table2"><figcaption>{esc(title)}</figcaption>{panel}</figure>'


def charts_page(ctx: Context) -> Page:
    """Charts of Table 1 and Table 2, and the tables themselves from the cube."""
    path = f"{ctx.lang}/charts.html"
    body = (f'<h1>{esc(ctx.t("charts"))}</h1>'
            f'<section id="table1"><h2>{esc(ctx.t("table1"))}</h2>{table1_charts(ctx)}{cube_table(ctx, path, 1)}</section>'
            f'<section id="table2"><h2>{esc(ctx.t("table2"))}</h2>{table2_charts(ctx)}{cube_table(ctx, path, 2)}</section>')
    return Page(path, ctx.lang, ctx.t("charts"), body, wide=True)
