"""SHACL-SPARQL pre-binding (SHACL §5.3.1) by analysis of the query's tokens.

Decides whether a query may run once for all focus nodes (``$this`` bound wherever it is read when the focus
pattern is joined at the top of ``WHERE``) or must run per focus node with ``$this`` substituted; refuses
the forms SHACL forbids.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

from yrd_kg.errors import InputError


class UnsupportedShapes(InputError):
    """A shape uses a constraint kind the set-based engine does not evaluate (the reference engine may)."""


class ShapesForbidden(UnsupportedShapes):
    """A shape is not valid SHACL (a SPARQL form SHACL forbids, a query that does not parse): no engine may run it."""


# ------------------------------------------------------------------------------------------- SPARQL text

_TOKEN = re.compile(r'''(?P<ws>\s+)|(?P<comment>\#[^\n]*)
    |(?P<str>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
    |(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)|(?P<var>[?$][A-Za-z0-9_\u00b7-\uffff]+)
    |(?P<punct>[{}()\[\];,])|(?P<word>[^\s{}()\[\];,"'<>?$\#]+)|(?P<other>.)''', re.X | re.S)
_PREBOUND = {"this", "currentShape", "shapesGraph"}
_AGG = {"COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT"}


class _Tok(NamedTuple):
    kind: str
    text: str
    start: int

    @property
    def up(self) -> str:
        return self.text.upper()

    @property
    def var(self) -> str | None:
        return self.text[1:] if self.kind == "var" else None


def _tokens(q: str) -> list[_Tok]:
    return [_Tok(m.lastgroup or "other", m.group(), m.start()) for m in _TOKEN.finditer(q)
            if m.lastgroup not in ("ws", "comment")]


class _Ev(NamedTuple):
    """What a group does at its own level: a triple pattern, a FILTER or a BIND (reading $this or not)."""

    kind: str  # triple, expr, bind
    reads: bool
    subs: list[_Group]


@dataclass
class _Group:
    """A ``{ … }`` group: kind (where, group, optional, graph, minus, exists, subselect), events, sub-groups."""

    kind: str
    events: list[_Ev] = field(default_factory=list)
    children: list[_Group] = field(default_factory=list)


class Analysis:
    """Token-level reading of a SHACL-SPARQL ``SELECT``: its groups, the forbidden forms, where to splice."""

    def __init__(self, query: str) -> None:
        self.toks = t = _tokens(query)
        self.forbidden: list[str] = []
        self.limit = self.aggregate = self.projects_this = self.projects_all = False
        self.group_by: tuple[int, bool] | None = None  # (char offset after BY, whether it has $this)
        self.projected: set[str] = set()
        self.mentions = {x.text[1:] for x in t if x.kind == "var"}
        self.not_exists: list[tuple[int, int, _Group, int]] = []  # top-level FILTER NOT EXISTS: tokens, group
        i = next((k for k, x in enumerate(t) if x.up == "SELECT"), None)
        if i is None:
            raise ShapesForbidden("sh:select is not a SELECT query")
        j = self._projection(i + 1, top=True)
        self.select_end = t[j - 1].start + len(t[j - 1].text)
        j += t[j].up == "WHERE"
        self.where_open = t[j].start + 1  # char offset just after the WHERE '{'
        self.root, after = self._group(j, "where")
        for k in range(after, len(t)):  # solution modifiers
            u = t[k].up
            self.limit |= u in ("LIMIT", "OFFSET")
            self.aggregate |= u in _AGG
            if u == "VALUES":
                self.forbidden.append("VALUES")
            if u == "BY" and t[k - 1].up == "GROUP":
                ends = ("HAVING", "ORDER", "LIMIT", "OFFSET", "VALUES")
                m = next((m for m in range(k + 1, len(t)) if t[m].up in ends), len(t))
                self.group_by = (t[k].start + 2, any(x.var == "this" for x in t[k + 1:m]))

    def _projection(self, j: int, top: bool) -> int:
        """Scan a projection from j to its WHERE / '{'; returns that index (``top``: record what it projects)."""
        t = self.toks
        proj_this = False
        while t[j].text != "{" and t[j].up != "WHERE":
            proj_this |= t[j].var == "this"
            if top:
                self.projects_all |= t[j].text == "*"
                self.aggregate |= t[j].up in _AGG
                if t[j].var:
                    self.projected.add(t[j].text[1:])
            if t[j].up == "AS" and t[j + 1].var in _PREBOUND:
                self.forbidden.append(f"AS {t[j + 1].text}")
            j += 1
        if top:
            self.projects_this = proj_this or self.projects_all
        elif not proj_this:
            self.forbidden.append("a sub-query that does not project $this")
        return j

    def _balanced(self, i: int) -> tuple[int, bool, list[_Group]]:
        """From '(' at i to after its ')': whether $this is read outside EXISTS groups, and those groups."""
        t = self.toks
        depth, reads, groups = 0, False, []
        while i < len(t):
            x = t[i]
            if x.up == "EXISTS" and t[i + 1].text == "{":
                sub, i = self._group(i + 1, "exists")
                groups.append(sub)
                continue
            depth += {"(": 1, ")": -1}.get(x.text, 0)
            if x.text == ")" and depth == 0:
                return i + 1, reads, groups
            reads |= x.var == "this"
            if x.up == "AS" and t[i + 1].var in _PREBOUND:
                self.forbidden.append(f"AS {t[i + 1].text}")
            i += 1
        raise ShapesForbidden("unbalanced parentheses in a SPARQL constraint")

    def _group(self, i: int, kind: str) -> tuple[_Group, int]:
        """Parse the group whose '{' is at i; returns it and the index after its '}'."""
        t = self.toks
        g = _Group(kind)
        i += 1
        if t[i].up == "SELECT":  # sub-select: { SELECT … WHERE { … } modifiers }
            j = self._projection(i + 1, top=False)
            sub, j = self._group(j + (t[j].up == "WHERE"), "subselect")
            g.children.append(sub)
            depth = 0
            while t[j].text != "}" or depth:
                depth += {"{": 1, "}": -1}.get(t[j].text, 0)
                if t[j].up == "VALUES":
                    self.forbidden.append("VALUES")
                j += 1
            return g, j + 1
        while i < len(t):
            x, u = t[i], t[i].up
            if x.text == "}":
                return g, i + 1
            if x.text == "{":
                sub, i = self._group(i, "group")
                g.children.append(sub)
            elif u in ("OPTIONAL", "MINUS", "GRAPH", "SERVICE"):
                if u in ("MINUS", "SERVICE"):
                    self.forbidden.append(u)
                if u == "GRAPH" and t[i + 1].var == "this":
                    g.events.append(_Ev("triple", True, []))
                while t[i].text != "{":
                    i += 1
                sub, i = self._group(i, u.lower())
                g.children.append(sub)
            elif u == "VALUES":
                self.forbidden.append("VALUES")
                while t[i].text != "}":
                    i += 1
                i += 1
            elif u in ("FILTER", "BIND"):
                j = i + 1 + (t[i + 1].up == "NOT")
                if t[j].up == "EXISTS":
                    sub, after = self._group(j + 1, "exists")
                    g.events.append(_Ev("expr", False, [sub]))
                    if kind == "where" and j > i + 1:
                        self.not_exists.append((i, j, sub, after))
                    i = after
                    continue
                while t[j].text != "(":
                    j += 1
                i, reads, subs = self._balanced(j)
                g.events.append(_Ev("expr" if u == "FILTER" else "bind", reads, subs))
            else:
                if x.var == "this":
                    g.events.append(_Ev("triple", True, []))
                i += 1
        raise ShapesForbidden("unbalanced braces in a SPARQL constraint")

    def as_minus(self, query: str) -> str:
        """Top-level ``FILTER NOT EXISTS { P }`` as ``MINUS { P }`` where the two are equivalent.

        They are when P binds $this by a triple pattern, shares no other variable with the rest of the
        query and holds no sub-group: then a solution is removed exactly when P has a solution with its
        $this. Oxigraph plans a NOT EXISTS body in its written order for every row (SubPointRemedyShape:
        196 s at 100k triples); a MINUS is one hash anti-join (3 ms).
        """
        t, out, last = self.toks, [], 0
        for fi, ei, sub, after in self.not_exists:
            inside = {x.var for x in t[ei:after] if x.var}
            outside = {x.var for k, x in enumerate(t) if x.var and not ei <= k < after}
            if (sub.children or any(e.subs for e in sub.events) or (inside - {"this"}) & outside
                    or not any(e.kind == "triple" and e.reads for e in sub.events)):
                continue
            out.append(query[last:t[fi].start] + "MINUS")
            last = t[ei].start + len(t[ei].text)
        return "".join(out) + query[last:]

    def set_safe(self) -> bool:
        """Whether joining the focus pattern at the top of WHERE gives the pre-binding semantics."""
        return not self.limit and not (self.aggregate and self.group_by is None) and _safe(self.root, True, True)


def bound_prebound(q: str) -> str:
    """``bound($this)`` (and of the other pre-bound variables) is true: rewritten token by token."""
    toks = _tokens(q)
    out, last = [], 0
    for i in range(len(toks) - 3):
        a, b, c, d = toks[i:i + 4]
        if a.up == "BOUND" and b.text == "(" and c.var in _PREBOUND and d.text == ")":
            out.append(q[last:a.start] + "(true)")
            last = d.start + 1
    return "".join(out) + q[last:]


def _mentions_this(g: _Group) -> bool:
    return any(e.reads or any(_mentions_this(s) for s in e.subs) for e in g.events) or any(
        _mentions_this(c) for c in g.children)


def _safe(g: _Group, bound: bool, filter_bound: bool) -> bool:
    """Whether every read of $this in ``g`` sees it bound when the focus pattern is joined at the top.

    ``bound``: $this is bound before the group's first element; ``filter_bound``: when its FILTERs run
    (an OPTIONAL's filters see the left side). Groups are evaluated on their own (SPARQL's bottom-up
    semantics), EXISTS with the solution substituted; a sub-query that reads $this is never safe.
    """
    if g.kind == "subselect":
        return not _mentions_this(g)
    fb = filter_bound or any(e.kind == "triple" and e.reads for e in g.events)
    seen = bound
    for e in g.events:
        seen |= e.kind == "triple" and e.reads
        ctx = fb if e.kind == "expr" else seen
        reads = e.reads or any(_mentions_this(s) for s in e.subs)  # EXISTS sees $this only if it is bound here
        if e.kind != "triple" and ((reads and not ctx) or not all(_safe(s, ctx, ctx) for s in e.subs)):
            return False
    return all(_safe(c, False, (bound or fb) if c.kind == "optional" else False)
               for c in g.children if c.kind != "exists")


