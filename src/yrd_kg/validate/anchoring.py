"""Anchoring evidence quotes in the source text.

Canonical form (documented in README "Evidence"): the source text with every whitespace
character removed (``str.isspace``: spaces, tabs, line ends, U+3000), indexed in Unicode code
points. Page breaks in the extraction split sentences and even words with blank lines; in the
canonical form they vanish, so a quote is compared with its whitespace removed too. A quote
anchors when its canonical form occurs in the canonical source exactly at ``[start, end)``,
inside the span of the part its locator names. Nothing is fuzzy-matched.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from yrd_kg.errors import InputError
from yrd_kg.namespaces import SOURCE_SHA256

_CN_NUM = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5}
_ORDINAL = {"第一": 1, "第二": 2, "第三": 3}


def canonical(text: str) -> str:
    """Return ``text`` with every whitespace character removed."""
    return "".join(ch for ch in text if not ch.isspace())


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


class SourceError(InputError):
    """The source text is missing or is not the text the evidence was anchored in."""


def read_source(path: Path, *, check_sha: bool = True) -> str:
    """Read the source text; refuse a file whose checksum differs from :data:`SOURCE_SHA256`."""
    from yrd_kg.dataset.loader import LoadError, read_file

    try:
        data = read_file(path, max_bytes=64 * 1024 * 1024)
    except LoadError as exc:  # a FIFO, a folder, a device or a missing file is named as such
        raise SourceError(f"source text {exc}" if exc.reason != "no such file" else
                          f"{path}: source text not found") from exc
    if check_sha:
        digest = hashlib.sha256(data).hexdigest()
        if digest != SOURCE_SHA256:
            raise SourceError(f"{path}: SHA-256 {digest} is not the paper's ({SOURCE_SHA256})")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(f"{path}: source text is not UTF-8 ({exc.reason} at byte {exc.start})") from exc


@dataclass(frozen=True)
class PartSpan:
    """A structural part of the paper and its span ``[start, end)`` in the canonical text."""

    slug: str
    kind: str
    order: int
    start: int
    end: int
    heading: str
    parent: str | None


def _offset_of_line(lines: list[str], index: int) -> int:
    return len(canonical("\n".join(lines[:index])))


def segment(text: str) -> list[PartSpan]:
    """Split the paper into parts (front matter, sections, subsections, sub-points, tables, notes)."""
    lines = text.split("\n")
    canon = canonical(text)
    total = len(canon)
    starts: list[tuple[int, str, str, int, str, str | None]] = []

    def at(i: int) -> int:
        return _offset_of_line(lines, i)

    # front matter, by 0-based line ranges [first, last]
    front_lines = {
        "column-heading": (2, 2), "title-zh": (4, 4), "authors-zh": (6, 6), "abstract-zh": (8, 8),
        "keywords-zh": (10, 10), "article-info": (12, 12), "funding": (14, 15), "bio-chen": (17, 17),
        "bio-zhang": (19, 19),
    }
    parts: list[PartSpan] = [PartSpan("front", "front", 0, 0, at(21), lines[4].strip(), None)]
    for n, (slug, (first, last)) in enumerate(front_lines.items(), start=1):
        s = at(first)
        e = s + len(canonical("\n".join(lines[first:last + 1])))
        parts.append(PartSpan(slug, "front-part", n, s, e, lines[first].strip()[:40], "front"))
    section = sub = 0
    for i, line in enumerate(lines):
        stripped = line.strip()
        if m := re.match(r"^([一二三四五])、(.*)$", stripped):
            section, sub = _CN_NUM[m.group(1)], 0
            starts.append((at(i), f"s{section}", "section", section, stripped, None))
        elif section and (m := re.match(r"^(\d)\.\s*(.*)$", stripped)) and not stripped.startswith("- "):
            sub = int(m.group(1))
            starts.append((at(i), f"s{section}.{sub}", "subsection", sub, stripped, f"s{section}"))
        elif stripped.startswith(("表1", "表2")):
            starts.append((at(i), f"table{stripped[1]}", "table", int(stripped[1]), stripped, f"s{section}.{sub}"))
        elif stripped == "注释":
            section = 0
            starts.append((at(i), "notes", "notes", 6, stripped, None))
        elif stripped == "参考文献":
            starts.append((at(i), "references", "references", 7, stripped, None))
        elif stripped.startswith("Research on the Yangtze"):
            starts.append((at(i), "back-en", "back", 8, stripped, None))
    starts.sort()
    # spans: a section ends where the next section-level part starts; subsections likewise
    level = {"section": 0, "notes": 0, "references": 0, "back": 0, "subsection": 1}
    for idx, (s, slug, kind, order, heading, parent) in enumerate(starts):
        if kind == "table":
            continue
        end = total
        for s2, _sl, k2, *_ in starts[idx + 1:]:
            if k2 != "table" and level[k2] <= level[kind]:
                end = s2
                break
        parts.append(PartSpan(slug, kind, order, s, end, heading, parent))
    # tables: from the caption to the end of the source line (资料来源…)
    for s, slug, _kind, order, heading, parent in starts:
        if _kind != "table":
            continue
        m = re.search(r"资料来源[^。]*。", canon[s:])
        assert m is not None
        parts.append(PartSpan(slug, "table", order, s, s + m.end(), heading, parent))
    # sub-points: 第一/第二/第三 inside subsections of sections 三, 四, 五
    for p in list(parts):
        if p.kind != "subsection" or not p.slug.startswith(("s3.", "s4.", "s5.")):
            continue
        body = canon[p.start:p.end]
        marks = [(m.start(), _ORDINAL[m.group(1)]) for m in re.finditer(r"(第[一二三]),", body)]
        for j, (off, n) in enumerate(marks):
            end = p.start + marks[j + 1][0] if j + 1 < len(marks) else p.end
            lead = body[off:].split("。", 1)[0]
            parts.append(PartSpan(f"{p.slug}.{n}", "subpoint", n, p.start + off, end, lead, p.slug))
    # notes ① ② and the English back matter lines
    for i, line in enumerate(lines):
        st = line.strip()
        if st.startswith(("①", "②")):
            s = at(i)
            parts.append(PartSpan(f"note{1 if st[0] == '①' else 2}", "note", 1 if st[0] == "①" else 2,
                                  s, s + len(canonical(line)), st[:20], "notes"))
        if m := re.match(r"^- \[(\d+)\]", st):
            s = at(i)
            # a reference may continue over a page break onto following lines
            j = i + 1
            while j < len(lines) and lines[j].strip() and not lines[j].strip().startswith("- ["):
                j += 1
            k = j
            while k < len(lines) and not lines[k].strip():
                k += 1
            e_line = k if k < len(lines) and not lines[k].strip().startswith(("- [", "Research")) else i + 1
            e = at(e_line + 1) if e_line != i + 1 else s + len(canonical(line))
            parts.append(PartSpan(f"ref{m.group(1)}", "reference", int(m.group(1)), s, e, st[:30], "references"))
    back = {187: "title-en", 189: "authors-en", 191: "abstract-en", 193: "keywords-en", 195: "editor"}
    for n, (i, slug) in enumerate(back.items(), start=1):
        s = at(i)
        parts.append(PartSpan(slug, "back-part", n, s, s + len(canonical(lines[i])), lines[i][:40], "back-en"))
    return sorted(parts, key=lambda p: (p.start, -p.end))


@dataclass(frozen=True)
class Anchor:
    """Where a quote stands: ``[start, end)`` in the canonical text."""

    start: int
    end: int


class AnchorError(Exception):
    """A quote cannot be anchored (absent, or not where its position or locator says)."""


def find_all(canon: str, quote: str) -> list[int]:
    """Every start offset of the canonical ``quote`` in ``canon``."""
    q = canonical(quote)
    if not q:
        return []
    out, i = [], canon.find(q)
    while i >= 0:
        out.append(i)
        i = canon.find(q, i + 1)
    return out


def locate(canon: str, quote: str, within: tuple[int, int] | None = None) -> Anchor:
    """Anchor ``quote``: the single occurrence, or the single one inside ``within``."""
    hits = find_all(canon, quote)
    if within is not None:
        hits = [h for h in hits if within[0] <= h and h + len(canonical(quote)) <= within[1]]
    if not hits:
        raise AnchorError(f"quote not found{' inside its locator' if within else ''}: {quote!r}")
    if len(hits) > 1:
        raise AnchorError(f"quote occurs {len(hits)} times{' inside its locator' if within else ''}: {quote!r}")
    return Anchor(hits[0], hits[0] + len(canonical(quote)))


_EVIDENCE_RE = re.compile(
    r'yrd:quote\s+"((?:[^"\\]|\\.)*)"\s*;\s*yrd:locator\s+part:([\w.\-]+)'
    r"(\s*;\s*yrd:start\s+\d+\s*;\s*yrd:end\s+\d+)?"
)


def _unescape(s: str) -> str:
    return s.encode("utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8") if "\\" in s else s


@dataclass(frozen=True)
class AnchorProblem:
    """A quote in a data file that could not be anchored."""

    file: str
    line: int
    locator: str
    quote: str
    reason: str


def anchor_turtle(
    ttl: str, canon: str, spans: dict[str, tuple[int, int]], file: str = "<text>"
) -> tuple[str, list[AnchorProblem]]:
    """Fill in ``yrd:start``/``yrd:end`` after every ``yrd:quote "…" ; yrd:locator part:X`` in Turtle text.

    Returns the new text and the quotes that could not be anchored (left unchanged).
    """
    problems: list[AnchorProblem] = []

    def repl(m: re.Match[str]) -> str:
        quote, loc = _unescape(m.group(1)), m.group(2)
        line = ttl.count("\n", 0, m.start()) + 1
        if loc not in spans:
            problems.append(AnchorProblem(file, line, loc, quote, f"unknown locator part:{loc}"))
            return m.group(0)
        try:
            a = locate(canon, quote, spans[loc])
        except AnchorError as exc:
            problems.append(AnchorProblem(file, line, loc, quote, str(exc)))
            return m.group(0)
        head = m.group(0)[: m.end(2) - m.start(0)]
        return f"{head} ; yrd:start {a.start} ; yrd:end {a.end}"

    return _EVIDENCE_RE.sub(repl, ttl), problems
