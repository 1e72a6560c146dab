"""``describe`` and ``mentions`` as text (terminal), Markdown or JSON, in zh or en. Quotes are never cut."""

from __future__ import annotations

import json
from collections.abc import Callable

from yrd_kg.answers.describe import Description, LinkView, Quote
from yrd_kg.answers.mentions import Mentions
from yrd_kg.chains.model import STRENGTH_WORDS
from yrd_kg.namespaces import compact

FORMATS = ("text", "json", "md")

_WORDS = {
    "zh": {"quotes": "原文", "links_out": "链接(本节点为主语)", "links_in": "链接(本节点为宾语)",
           "relations": "其他关系", "figures": "数字与表格单元格", "identifiers": "外部标识符", "definition": "定义",
           "statement": "论断", "alt": "又称", "part": "所在部分", "comment": "注", "facts": "属性", "none": "无",
           "because": "理由", "shared": "共有措辞", "passages": "段", "sections": "个部分", "labels": "标签含该词",
           "searched": "检索词", "this": "本节点", "no_part": "(不属于论文某一部分)"},
    "en": {"quotes": "In the paper", "links_out": "Links (it is the subject)", "links_in": "Links (it is the object)",
           "relations": "Other relations", "figures": "Figures and table cells", "identifiers": "External identifiers",
           "definition": "definition", "statement": "statement", "alt": "also", "part": "stands in", "comment": "note",
           "facts": "Facts", "none": "none", "because": "because", "shared": "shared wording",
           "passages": "passage(s)", "sections": "section(s)", "labels": "labels that contain it",
           "searched": "searched", "this": "this node", "no_part": "(in no part of the paper)"},
}


def _lang(lang: str) -> str:
    return "en" if lang == "en" else "zh"


def _pick(d: dict[str, str], lang: str) -> str:
    other = "en" if lang == "zh" else "zh"
    return d.get(lang) or d.get(other) or d.get("", "")


def _quote_line(q: Quote) -> str:
    pos = f" [{q.start}–{q.end}]" if q.start is not None else ""
    return f"“{q.quote}” — {q.locator}{pos}"


def _strength(s: str, lang: str) -> str:
    return STRENGTH_WORDS[lang].get(s, s)


def _link_lines(v: LinkView, lang: str, w: dict[str, str], bullet: str, indent: str) -> list[str]:
    other = _pick(v.other_label, lang) or compact(v.other)
    pred = _pick(v.predicate_label, lang) or v.predicate
    strength = f" ({_strength(v.strength, lang)})" if v.strength else ""
    head = (f"{bullet}—{pred}{strength}→ {other} ‹{compact(v.other)}›" if v.direction == "out"
            else f"{bullet}{other} ‹{compact(v.other)}› —{pred}{strength}→ {w['this']}")
    lines = [head]
    lines += [f"{indent}{_quote_line(q)}" for q in v.evidence]
    if v.shared_wording:
        lines.append(f"{indent}{w['shared']}: " + "、".join(v.shared_wording))
    if v.strength != "stated" and _pick(v.rationale, lang):
        lines.append(f"{indent}{w['because']}: {_pick(v.rationale, lang)}")
    return lines


def describe_text(d: Description, lang: str = "zh", *, md: bool = False) -> str:
    """A description as terminal text, or as Markdown (``md``)."""
    lang = _lang(lang)
    w = _WORDS[lang]
    other = "en" if lang == "zh" else "zh"
    cls = ", ".join(f"{_pick(labels, lang)} ({c})" if _pick(labels, lang) else c for c, labels in d.classes)
    title = " ".join(x for x in (d.notation, _pick(d.labels, lang)) if x) or d.curie
    h1, h2, bullet, indent = ("# ", "## ", "- ", "    ") if md else ("", "== ", "  ", "      ")
    out = [f"{h1}{title}", f"{d.curie} · {cls}" if not md else f"`{d.curie}` · {cls}"]
    if md:
        out.insert(1, "")
    if d.labels.get(other):
        out.append(f"{other}: {d.labels[other]}")
    if d.alt_labels:
        out.append(f"{w['alt']}: " + "; ".join(f"{t}" + (f" @{la}" if la else "") for t, la in d.alt_labels))
    for key in ("definition", "statement"):
        text = _pick(getattr(d, key), lang)
        if text:
            out.append(f"{w[key]}: {text}")
    if d.in_part:
        out.append(f"{w['part']}: " + "; ".join(f"{c} {_pick(t, lang)}".strip() for c, t in d.in_part))
    out += [f"{w['comment']}: {t}" for t, la in d.comments if la in (lang, "")] or \
           [f"{w['comment']}: {t}" for t, _ in d.comments]

    def section(name: str, lines: list[str]) -> None:
        out.append("")
        out.append(f"{h2}{w[name]} ({count[name]})")
        out.extend(lines or [f"{bullet}{w['none']}"])

    count = {"quotes": len(d.quotes), "links_out": sum(v.direction == "out" for v in d.links),
             "links_in": sum(v.direction == "in" for v in d.links), "relations": len(d.relations),
             "figures": len(d.figures), "identifiers": len(d.identifiers), "facts": len(d.facts)}
    section("quotes", [f"{bullet}{_quote_line(q)}" for q in d.quotes])
    for direction in ("out", "in"):
        lines: list[str] = []
        for v in (v for v in d.links if v.direction == direction):
            lines += _link_lines(v, lang, w, bullet, indent)
        section(f"links_{direction}", lines)
    rel_lines = []
    for r in d.relations:
        pred = _pick(r.predicate_label, lang) or r.predicate
        oth = f"{_pick(r.other_label, lang)} ‹{compact(r.other)}›".strip()
        rel_lines.append(f"{bullet}—{pred}→ {oth}" if r.direction == "out" else f"{bullet}{oth} —{pred}→ {w['this']}")
    section("relations", rel_lines)
    fig_lines = []
    for f in d.figures:
        cell = f" · row {f.row}, column {f.column}" if f.row is not None else ""
        head = f" ({f.heading})" if f.heading else ""
        fig_lines.append(f"{bullet}{_pick(f.label, lang) or compact(f.observation)} = {f.printed}{head} · "
                         f"{f.dataset}{cell} · {f.why} ‹{compact(f.observation)}›")
    section("figures", fig_lines)
    if d.facts:
        section("facts", [f"{bullet}{_pick(lab, lang) or p}: {v}" for p, lab, v in d.facts])
    section("identifiers", [f"{bullet}{p}: {v}" for p, v in d.identifiers])
    return "\n".join(out) + "\n"


def mentions_text(m: Mentions, lang: str = "zh", *, md: bool = False) -> str:
    """Mentions as terminal text, or as Markdown (``md``), section by section."""
    lang = _lang(lang)
    w = _WORDS[lang]
    h1, h2, bullet, indent = ("# ", "## ", "- ", "    - ") if md else ("", "== ", "  ", "      ↳ ")
    what = f" ({compact(m.entity)})" if m.entity else ""
    out = [f"{h1}{m.term}{what}", f"{w['searched']}: " + " · ".join(m.needles),
           f"{m.passage_count} {w['passages']} · {len(m.sections)} {w['sections']}"]
    if md:
        out.insert(1, "")
    for s in m.sections:
        out.append("")
        title = w["no_part"] if s.part == compact("urn:yrd-kg:no-part") else _pick(s.title, lang)
        out.append(f"{h2}{title}")
        for p in s.passages:
            pos = f" [{p.start}–{p.end}]" if p.start is not None else ""
            out.append(f"{bullet}{p.locator}{pos} “{p.quote}”")
            for x in p.supports:
                strength = f" ({_strength(x.strength, lang)})" if x.strength else ""
                out.append(f"{indent}{_pick(x.title, lang)}{strength} ‹{compact(x.iri)}›" if x.kind != "link"
                           else f"{indent}{_pick(x.title, lang)}{strength}")
        if s.labels:
            out.append(f"{bullet}{w['labels']}: " + "; ".join(f"{_pick(x.title, lang)} ‹{compact(x.iri)}›"
                                                            for x in s.labels))
    return "\n".join(out) + "\n"


def render(obj: Description | Mentions, fmt: str = "text", lang: str = "zh") -> str:
    """``text``, ``md`` or ``json`` of a description or of mentions."""
    if fmt == "json":
        return json.dumps(obj.as_dict(), ensure_ascii=False, indent=1) + "\n"
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    writer: Callable[..., str] = describe_text if isinstance(obj, Description) else mentions_text
    return writer(obj, lang, md=fmt == "md")
