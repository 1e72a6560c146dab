"""The paper as hypertext: the whole source text, every anchored quote highlighted and linked.

Quotes that share the same canonical span form one *span* (``s<n>``); overlapping spans cut the
text into segments, each a ``<mark>`` listing the spans that cover it. Every evidence node has one
zero-width anchor ``<span class="ev-anchor" id="ev-<hex>">`` at its start (entity pages link
there), and every span a note, after its block, naming the entities it supports. Document parts
get anchors ``part-<slug>`` at their canonical start (the section navigation). Without the source
text the page lists the anchored quotes in order and says why.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass

from .model import Evidence, SiteModel, Y
from .pages import status_badge
from .render import Context, Page, esc, quote_html
from .text import Block, Run, blocks, lang_of, raw_positions, raw_span


@dataclass(frozen=True)
class Span:
    """A distinct canonical span ``[start, end)`` and the evidence anchored there."""

    n: int
    start: int
    end: int
    raw_start: int
    raw_end: int
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class PaperResult:
    """The paper page and what it anchored."""

    page: Page
    anchored: int
    spans: int
    unplaced: int


def make_spans(model: SiteModel, pos: list[int]) -> tuple[list[Span], list[Evidence]]:
    """The distinct spans of the anchored evidence, and the evidence that does not fit the text."""
    groups: dict[tuple[int, int], list[Evidence]] = defaultdict(list)
    unplaced = []
    for ev in model.evidence:
        if ev.start is None or ev.end is None:
            unplaced.append(ev)
            continue
        groups[(ev.start, ev.end)].append(ev)
    spans = []
    for n, ((s, e), evs) in enumerate(sorted(groups.items())):
        r = raw_span(pos, s, e)
        if r is None:
            unplaced.extend(evs)
            continue
        spans.append(Span(n, s, e, r[0], r[1], tuple(sorted(evs, key=lambda x: x.iri))))
    return spans, unplaced


def part_anchors(model: SiteModel, pos: list[int]) -> dict[int, list[str]]:
    """Raw position → anchor ids of the document parts starting there."""
    out: dict[int, list[str]] = defaultdict(list)
    for iri in model.entities():
        start = model.value(iri, Y + "spanStart")
        if start is None or iri.rsplit("/", 2)[-2] != "part":
            continue
        s = int(start.value)
        if 0 <= s < len(pos):
            out[pos[s]].append("part-" + iri.rsplit("/", 1)[-1])
    return {k: sorted(v) for k, v in out.items()}


def supported(ctx: Context, page: str, ev: Evidence) -> str:
    """What an evidence node supports: an entity, or a link (subject —predicate→ object, status)."""
    lk = ctx.model.link_by_iri.get(ev.holder)
    if lk is None:
        return ctx.link(page, ev.holder)
    h = ctx.href(page, lk.subject)
    subj = f'<a href="{esc(h)}#{esc(lk.key)}">{esc(ctx.title(lk.subject))}</a>' if h else esc(ctx.title(lk.subject))
    return (f'{subj} <span class="pred">—{esc(ctx.label(lk.predicate))}→</span> {ctx.link(page, lk.object)} '
            f"{status_badge(ctx, page, lk.status)}")


def _render_run(raw: str, run: Run, spans: list[Span], anchors: dict[int, list[str]]) -> str:
    """One run of raw text with its marks and anchors."""
    inside = [s for s in spans if s.raw_start < run.end and s.raw_end > run.start]
    points = {run.start, run.end}
    for s in inside:
        points.add(max(s.raw_start, run.start))
        points.add(min(s.raw_end, run.end))
    points.update(p for p in anchors if run.start <= p < run.end)
    bounds = sorted(points)
    out = []
    for x, y in itertools.pairwise(bounds):
        for a in anchors.get(x, ()):
            out.append(f'<span class="part-anchor" id="{esc(a)}"></span>')
        for s in inside:
            if s.raw_start == x:
                out.extend(f'<span class="ev-anchor" id="{esc(ev.key)}" data-s="{s.n}"></span>' for ev in s.evidence)
        seg = esc(raw[x:y])
        cover = [s.n for s in inside if s.raw_start <= x and s.raw_end >= y]
        if cover and raw[x:y].strip():
            depth = min(len(cover), 4)
            out.append(f'<mark class="q d{depth}" data-s="{" ".join(map(str, cover))}">{seg}</mark>')
        else:
            out.append(seg)
    return "".join(out)


def _notes(ctx: Context, page: str, spans: list[Span]) -> str:
    if not spans:
        return ""
    items = []
    for s in spans:
        sup = "".join(f'<li data-ev="{esc(ev.key)}">{supported(ctx, page, ev)}</li>' for ev in s.evidence)
        items.append(f'<li class="note" id="s-{s.n}" data-s="{s.n}">{quote_html(s.evidence[0].quote)}<ul>{sup}</ul></li>')
    n = sum(len(s.evidence) for s in spans)
    return (f'<details class="notes"><summary>{n} {esc(ctx.t("notes_n"))}</summary>'
            f'<ol class="notelist">{"".join(items)}</ol></details>')


_TAG = {"title": "h1", "h2": "h2", "h3": "h3", "caption": "p", "source": "p", "front": "p", "p": "p",
        "note": "p", "ref": "p", "en": "p"}


def _block_html(raw: str, b: Block, spans: list[Span], anchors: dict[int, list[str]], ctx: Context) -> str:
    la = f' lang="{b.lang}"'
    pb = f'<span class="pb" title="{esc(ctx.t("page_break"))}" aria-hidden="true">⁞</span>'
    if b.kind == "table":
        rows = []
        for i, row in enumerate(b.rows):
            tag = "th" if i == 0 else "td"
            cells = "".join(f"<{tag}>{_render_run(raw, r, spans, anchors)}</{tag}>" for r in row)
            rows.append(f"<tr>{cells}</tr>")
        return f'<table class="srctable"{la}>{"".join(rows)}</table>'
    inner = "".join((pb if r.page_break else "") + _render_run(raw, r, spans, anchors) for r in b.runs)
    tag = _TAG.get(b.kind, "p")
    return f'<{tag} class="b-{b.kind}"{la}>{inner}</{tag}>'


def toc(ctx: Context, page: str) -> str:
    """Section navigation: sections, subsections, tables, notes and references in text order."""
    m = ctx.model
    wanted = {Y + "Section", Y + "Subsection", Y + "Table", Y + "Note"}
    parts = []
    for iri in m.entities():
        if iri.rsplit("/", 2)[-2] != "part":
            continue
        types = set(m.types(iri))
        slug = iri.rsplit("/", 1)[-1]
        if types & wanted or slug in ("notes", "references", "abstract-zh", "back-en"):
            s = m.value(iri, Y + "spanStart")
            parts.append((int(s.value) if s else 0, slug, iri, bool(types & {Y + "Subsection", Y + "Table", Y + "Note"})))
    parts.sort()
    items = "".join(f'<li class="{"sub" if sub else "top"}"><a href="#part-{esc(slug)}">{esc(ctx.label(iri))}</a></li>'
                    for _s, slug, iri, sub in parts)
    return f'<nav class="toc" aria-label="{esc(ctx.t("sections"))}"><h2>{esc(ctx.t("sections"))}</h2><ol>{items}</ol></nav>'


def paper_page(ctx: Context, raw: str | None, reason: str, tables: dict[int, str]) -> PaperResult:
    """The paper page in ``ctx.lang``; ``tables`` maps 1, 2 to the cube renderings to show after them."""
    m = ctx.model
    path = f"{ctx.lang}/paper.html"
    title = ctx.t("paper")
    if raw is None:
        return _quotes_only(ctx, path, reason)
    pos = raw_positions(raw)
    spans, unplaced = make_spans(m, pos)
    anchors = part_anchors(m, pos)
    by_block: list[str] = []
    pending_table = 0
    starts = sorted(spans, key=lambda s: s.raw_start)
    bls = blocks(raw)
    si = 0
    for b in bls:
        in_block = []
        while si < len(starts) and starts[si].raw_start < b.end:
            in_block.append(starts[si])
            si += 1
        html = _block_html(raw, b, spans, anchors, ctx) + _notes(ctx, path, in_block)
        if b.kind == "caption":
            pending_table = int(raw[b.start + 1]) if raw[b.start + 1].isdigit() else 0
        if b.kind == "source" and pending_table in tables:
            html += tables[pending_table]
            pending_table = 0
        by_block.append(f'<div class="blk">{html}</div>')
    rest = ""
    if unplaced:
        items = "".join(f'<li>{quote_html(ev.quote)} — {supported(ctx, path, ev)}</li>' for ev in unplaced)
        rest = f'<section id="unplaced"><h2>{esc(ctx.t("not_anchored"))} ({len(unplaced)})</h2><ul>{items}</ul></section>'
    anchored = sum(len(s.evidence) for s in spans)
    body = (f'<h1>{esc(title)}: <span lang="zh">{esc(ctx.model.label(_paper_iri(m), "zh"))}</span></h1>'
            f'<p class="lead">{esc(ctx.t("paper_intro"))} <span class="count" id="anchored-count" data-n="{anchored}">'
            f'{anchored} {esc(ctx.t("notes_n"))}</span></p>'
            f'<div class="paper-layout">{toc(ctx, path)}<div class="paper" lang="zh">{"".join(by_block)}</div>'
            f'<aside id="qpanel" class="qpanel" aria-live="polite"><p class="small">{esc(ctx.t("panel_hint"))}</p></aside>'
            f"</div>{rest}")
    page = Page(path, ctx.lang, title, body, scripts=("assets/paper.js",), wide=True)
    return PaperResult(page, anchored, len(spans), len(unplaced))


def _paper_iri(m: SiteModel) -> str:
    papers = m.instances(Y + "Paper")
    return papers[0] if papers else ""


def _quotes_only(ctx: Context, path: str, reason: str) -> PaperResult:
    """Without the source: the anchored quotes in text order, with what they support."""
    m = ctx.model
    items = []
    for ev in m.evidence:
        loc = m.notation(ev.locator) or ev.locator.rsplit("/", 1)[-1]
        items.append(f'<li class="ev-anchor" id="{esc(ev.key)}">{quote_html(ev.quote)} '
                     f'<span class="loc">— {esc(loc)}</span> · {supported(ctx, path, ev)}</li>')
    anchored = sum(1 for ev in m.evidence if ev.anchored)
    body = (f'<h1>{esc(ctx.t("paper"))}</h1><p class="warning" role="note" id="no-source">{esc(ctx.t("source_missing"))}: '
            f'<code>{esc(reason)}</code></p><ol class="quotes-only" lang="{lang_of("中")}">{"".join(items)}</ol>')
    return PaperResult(Page(path, ctx.lang, ctx.t("paper"), body), anchored, 0, 0)
