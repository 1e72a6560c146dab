"""A small SPARQL lexer: enough to find variables, ``WHERE`` and comments without touching strings or IRIs.

It never decides what a query *does* (:mod:`yrd_kg.sparql.guard` parses for that); it finds where
parameters stand so :mod:`yrd_kg.sparql.binding` can put constants there.

>>> [k for k, _ in tokens('SELECT ?x WHERE { ?x <p> "a#b" } # c')][:4]
['word', 'other', 'var', 'other']
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_IRIREF_RE = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_WORD_RE = re.compile(r"[A-Za-z0-9_\-.:%\u00b7\u00c0-\uffff]+")
_VAR_RE = re.compile(r"[?$][A-Za-z0-9_\u00b7\u00c0-\uffff]+")


def tokens(text: str) -> Iterable[tuple[str, str]]:
    """Split SPARQL text into (kind, token): comment, string, iri, var, word, brace, other."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            j = text.find("\n", i)
            j = n if j < 0 else j
            yield "comment", text[i:j]
            i = j
        elif c in "\"'":
            triple = text.startswith(c * 3, i)
            quote = c * 3 if triple else c
            j = i + len(quote)
            while j < n:
                if text[j] == "\\":
                    j += 2
                    continue
                if text.startswith(quote, j):
                    j += len(quote)
                    break
                if not triple and text[j] == "\n":
                    break
                j += 1
            yield "string", text[i:j]
            i = j
        elif c == "<" and (m := _IRIREF_RE.match(text, i)):
            yield "iri", m.group(0)
            i = m.end()
        elif c in "?$" and (m := _VAR_RE.match(text, i)):
            yield "var", m.group(0)
            i = m.end()
        elif c in "{}":
            yield "brace", c
            i += 1
        elif m := _WORD_RE.match(text, i):
            yield "word", m.group(0)
            i = m.end()
        else:
            yield "other", c
            i += 1


def where_brace(text: str) -> int:
    """Offset just after the ``{`` that opens the outermost ``WHERE`` group; -1 if none."""
    pos, depth, seen_where = 0, 0, False
    for kind, tok in tokens(text):
        pos += len(tok)
        if kind == "brace":
            if tok == "{":
                if depth == 0 and seen_where:
                    return pos
                depth += 1
            else:
                depth -= 1
        elif kind == "word" and depth == 0 and tok.upper() == "WHERE":
            seen_where = True
    return -1


def strip_comments(text: str) -> str:
    """The query text with comments blanked (strings and IRIs kept), for scanning."""
    return "".join(" " * len(tok) if kind == "comment" else tok for kind, tok in tokens(text))
