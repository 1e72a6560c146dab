"""The paper's raw text as blocks of runs, and canonical offsets mapped back onto it.

Evidence offsets count code points of the *canonical* text (every whitespace character removed);
:func:`raw_positions` gives, for each canonical index, the index of that character in the raw
text, so ``[start, end)`` maps to ``[pos[start], pos[end - 1] + 1)``. :func:`blocks` splits the raw
text into display blocks (headings, paragraphs, table rows, notes, references), each a list of
:class:`Run` ranges of raw text; a paragraph split by a page break of the extraction is joined
again (the break is kept as a marker). Every non-whitespace character lies in exactly one run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_SECTION = re.compile(r"^[一二三四五]、")
_SUBSECTION = re.compile(r"^\d\.\s*\S")
_TABLE_CAPTION = re.compile(r"^表\d")
_REF = re.compile(r"^- \[(\d+)\]")
_NOTE = re.compile(r"^[①②③④⑤]")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
#: a body line ending with one of these closes its paragraph
_TERMINAL = ("。", "！", "？", "；", "：", ":")


def raw_positions(raw: str) -> list[int]:
    """Index in ``raw`` of every canonical (non-whitespace) character, in order."""
    return [i for i, ch in enumerate(raw) if not ch.isspace()]


def lang_of(text: str) -> str:
    """``zh`` when ``text`` has a CJK character, else ``en``."""
    return "zh" if _CJK.search(text) else "en"


@dataclass(frozen=True)
class Run:
    """A range ``[start, end)`` of the raw text shown as one piece (a line, or a table cell)."""

    start: int
    end: int
    #: a page break of the extraction stands right before this run
    page_break: bool = False


@dataclass
class Block:
    """A display block: ``kind`` is one of front, title, h2, h3, p, caption, table, source, note, ref, en."""

    kind: str
    runs: list[Run] = field(default_factory=list)
    #: for tables: the runs of each row (the first row is the header)
    rows: list[list[Run]] = field(default_factory=list)
    lang: str = "zh"

    @property
    def start(self) -> int:
        """Raw start of the block."""
        first = self.rows[0][0] if self.rows else self.runs[0]
        return first.start

    @property
    def end(self) -> int:
        """Raw end of the block."""
        last = self.rows[-1][-1] if self.rows else self.runs[-1]
        return last.end

    def all_runs(self) -> list[Run]:
        """Every run of the block in text order."""
        return [r for row in self.rows for r in row] if self.rows else list(self.runs)


def _line_run(line: str, offset: int) -> Run:
    """The run of a line without its leading and trailing whitespace."""
    lead = len(line) - len(line.lstrip())
    return Run(offset + lead, offset + len(line.rstrip()))


def _cells(line: str, offset: int) -> list[Run]:
    """The tab-separated cells of a table line as runs."""
    runs, pos = [], offset
    for cell in line.split("\t"):
        if cell.strip():
            runs.append(_line_run(cell, pos))
        pos += len(cell) + 1
    return runs


def _kind(line: str, in_body: bool, in_back: bool) -> str:
    s = line.strip()
    if in_back:
        return "en"
    if _SECTION.match(s) or s in ("注释", "参考文献"):
        return "h2"
    if in_body and _SUBSECTION.match(s):
        return "h3"
    if _TABLE_CAPTION.match(s):
        return "caption"
    if "\t" in line:
        return "table"
    if s.startswith("资料来源"):
        return "source"
    if _REF.match(s):
        return "ref"
    if _NOTE.match(s):
        return "note"
    return "p" if in_body else "front"


def blocks(raw: str) -> list[Block]:
    """Split the raw text into display blocks (see the module docstring)."""
    lines = raw.split("\n")
    offsets, pos = [], 0
    for line in lines:
        offsets.append(pos)
        pos += len(line) + 1
    out: list[Block] = []
    in_body = in_back = False
    title_done = False
    prev: Block | None = None
    for i, line in enumerate(lines):
        s = line.strip()
        if not s:
            continue
        if s.startswith("Research on the Yangtze"):
            in_back = True
        kind = _kind(line, in_body, in_back)
        if kind == "h2" and _SECTION.match(s):
            in_body = True
        if kind == "front" and not title_done and s.endswith("*"):
            kind, title_done = "title", True
        off = offsets[i]
        if kind == "table":
            cells = _cells(line, off)
            if prev is not None and prev.kind == "table":
                prev.rows.append(cells)
            else:
                prev = Block("table", rows=[cells])
                out.append(prev)
            continue
        run = _line_run(line, off)
        gap = i > 0 and not lines[i - 1].strip()
        if prev is not None and _continues(prev, kind, raw):
            prev.runs.append(Run(run.start, run.end, page_break=gap))
            continue
        prev = Block(kind, [run], lang=lang_of(s) if kind in ("en", "ref", "front") else "zh")
        out.append(prev)
    return out


def _continues(prev: Block, kind: str, raw: str) -> bool:
    """Whether a line of ``kind`` continues the paragraph ``prev`` (split by a page break)."""
    if kind == "p" and prev.kind == "p":
        return not raw[: prev.end].endswith(_TERMINAL)
    return kind in ("p", "front") and prev.kind == "ref"  # a reference printed over a page break


def raw_span(pos: list[int], start: int, end: int) -> tuple[int, int] | None:
    """The raw range of canonical ``[start, end)`` (None when it does not fit the text)."""
    if start < 0 or end <= start or end > len(pos):
        return None
    return pos[start], pos[end - 1] + 1
