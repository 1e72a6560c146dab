"""Query results as a typed table of pyoxigraph terms, and its writers.

Rows stay pyoxigraph terms as they come out of the engine; Python values and rdflib terms are made
only when a caller asks (:meth:`ResultTable.values`, :meth:`ResultTable.graph`). The writers are our own
rather than pyoxigraph's serialisers: those serialise a live ``QuerySolutions`` iterator once, while a
table is read several times (row cap and truncation notice, plain and raw views, several formats).

>>> import pyoxigraph as ox
>>> t = ResultTable(("s", "n"), [(ox.NamedNode("https://w3id.org/yrd-kg/id/problem/P1"), ox.Literal("2"))])
>>> print(t.to_csv(plain_values=True), end="")
s,n
problem:P1,2
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox
from rdflib import Graph

from yrd_kg.dataset.terms import from_ox, to_graph
from yrd_kg.namespaces import PREFIXES, compact
from yrd_kg.sparql.errors import QueryError

Cell = ox.NamedNode | ox.BlankNode | ox.Literal | None
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
#: a wrap unit: a space-led run of narrow non-space characters, or one character of any other kind
_CHUNK_RE = re.compile(r"\s*[!-~\u00a0-\u10ff]+|\s+|.", re.S)
#: formats a table writes (``ttl``/``nt``/``jsonld`` only for CONSTRUCT results)
FORMATS = ("table", "csv", "tsv", "json", "xml", "md", "ttl", "nt", "jsonld")


def plain(term: Cell, *, curies: bool = True) -> str:
    """A term as a person reads it: an IRI as a CURIE (or in full), a literal's lexical form, a blank node ``_:b``."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return compact(term.value) if curies else term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def json_term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> dict[str, str]:
    """A term in the SPARQL 1.1 Query Results JSON form."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != _XSD_STRING:
        out["datatype"] = term.datatype.value
    return out


def _xml_term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
    if term.datatype.value != _XSD_STRING:
        return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
    return f"<literal>{escape(term.value)}</literal>"


def width(s: str) -> int:
    """Display width in a terminal (East Asian wide characters count two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in s)


def wrap_cell(text: str, max_width: int | None) -> list[str]:
    """``text`` as lines no wider than ``max_width`` display columns (at spaces where it can); ``None``: one line."""
    text = text.replace("\r", " ").replace("\n", " ")
    if max_width is None or width(text) <= max_width:
        return [text]
    lines: list[str] = []
    cur, w = "", 0
    for word in _CHUNK_RE.findall(text):
        ww = width(word)
        if w + ww > max_width and cur.strip():
            lines.append(cur.rstrip())
            cur, w = "", 0
            word = word.lstrip()
            ww = width(word)
        while ww > max_width:  # one chunk wider than the column: split it by characters
            head, hw = "", 0
            for ch in word:
                if hw + width(ch) > max_width:
                    break
                head, hw = head + ch, hw + width(ch)
            lines.append(head)
            word, ww = word[len(head):], ww - hw
        cur, w = cur + word, w + ww
    if cur.strip():
        lines.append(cur.rstrip())
    return lines or [""]


def star_variables(text: str) -> list[str] | None:
    """The variables of a ``SELECT *`` query in the order the text first names them (None for any other form)."""
    from yrd_kg.sparql.lexer import tokens

    toks = [(k, t) for k, t in tokens(text) if k not in ("comment",) and not t.isspace()]
    for i, (k, t) in enumerate(toks):
        if k == "word" and t.upper() == "SELECT":
            j = i + 1
            while j < len(toks) and toks[j][0] == "word" and toks[j][1].upper() in ("DISTINCT", "REDUCED"):
                j += 1
            if j >= len(toks) or toks[j][1] != "*":
                return None
            seen: dict[str, None] = {}
            for kk, tt in toks[j + 1:]:
                if kk == "var":
                    seen.setdefault(tt[1:], None)
            return list(seen)
        if k == "word" and t.upper() in ("CONSTRUCT", "ASK", "DESCRIBE"):
            return None
    return None


def python_value(term: Cell) -> Any:
    """A literal as a Python value (int, Decimal, str, date, bool …), an IRI as an rdflib ``URIRef``."""
    if term is None:
        return None
    t = from_ox(term)
    return t.toPython() if hasattr(t, "toPython") and isinstance(term, ox.Literal) else t


@dataclass
class ResultTable:
    """Rows of a query: ``columns``; ``rows`` as tuples of pyoxigraph terms (``None`` = unbound).

    ``kind`` is ``select``, ``ask`` or ``construct``. A CONSTRUCT/DESCRIBE result keeps its ``triples``
    and shows them as rows of (subject, predicate, object).
    """

    columns: tuple[str, ...]
    rows: list[tuple[Cell, ...]]
    kind: str = "select"
    name: str | None = None
    triples: list[ox.Triple] | None = None

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Any:
        return iter(self.rows)

    @classmethod
    def from_triples(cls, triples: Sequence[ox.Triple], name: str | None = None) -> ResultTable:
        """A CONSTRUCT result: the triples, shown as sorted (subject, predicate, object) rows."""
        uniq = sorted(set(triples), key=str)
        rows: list[tuple[Cell, ...]] = [(t.subject, t.predicate, t.object) for t in uniq]  # type: ignore[misc]
        return cls(("subject", "predicate", "object"), rows, "construct", name, uniq)

    @classmethod
    def from_boolean(cls, value: bool, name: str | None = None) -> ResultTable:
        """An ASK result."""
        lit = ox.Literal("true" if value else "false", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))
        return cls(("result",), [(lit,)], "ask", name)

    @property
    def boolean(self) -> bool | None:
        """The answer of an ASK query (``None`` for other kinds)."""
        if self.kind != "ask":
            return None
        first = self.rows[0][0] if self.rows else None
        return isinstance(first, ox.Literal) and first.value == "true"

    @cached_property
    def graph(self) -> Graph | None:
        """A CONSTRUCT result as an rdflib graph (made on first use; ``None`` for other kinds)."""
        return to_graph(self.triples) if self.triples is not None else None

    def rdflib_rows(self) -> list[tuple[Any, ...]]:
        """The rows as rdflib terms (made on request; ``None`` = unbound)."""
        return [tuple(from_ox(t) for t in row) for row in self.rows]

    def values(self) -> list[tuple[Any, ...]]:
        """Rows as typed Python values: literals as int, Decimal, str, date …; IRIs as rdflib URIRef."""
        return [tuple(python_value(t) for t in row) for row in self.rows]

    def records(self) -> list[dict[str, Any]]:
        """Rows as dicts of typed Python values keyed by column."""
        return [dict(zip(self.columns, r, strict=True)) for r in self.values()]

    def column(self, name: str) -> list[Any]:
        """One column's typed Python values."""
        i = self.columns.index(name)
        return [python_value(r[i]) for r in self.rows]

    # ------------------------------------------------------------------ writers

    def to_csv(self, *, plain_values: bool = False) -> str:
        """SPARQL 1.1 CSV (full IRIs, literals' lexical forms); ``plain_values``: IRIs as CURIEs."""
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(self.columns)
        for row in self.rows:
            w.writerow([plain(t, curies=plain_values) for t in row])
        return buf.getvalue()

    def to_tsv(self, *, plain_values: bool = False) -> str:
        """SPARQL 1.1 TSV (``?var`` header, terms in N-Triples syntax); ``plain_values``: CURIEs and plain text."""
        if not plain_values:
            lines = ["\t".join(f"?{c}" for c in self.columns)]
            lines += ["\t".join("" if t is None else str(t) for t in row) for row in self.rows]
        else:
            def cell(t: Cell) -> str:
                return plain(t).replace("\t", " ").replace("\r", " ").replace("\n", " ")

            lines = ["\t".join(self.columns)] + ["\t".join(cell(t) for t in row) for row in self.rows]
        return "\n".join(lines) + "\n"

    def to_json(self, *, indent: int | None = 1) -> str:
        """W3C SPARQL 1.1 Query Results JSON (an ASK result gives ``{"boolean": …}``)."""
        if self.kind == "ask":
            return json.dumps({"head": {}, "boolean": bool(self.boolean)}, indent=indent)
        bindings = [{c: json_term(t) for c, t in zip(self.columns, row, strict=True) if t is not None}
                    for row in self.rows]
        return json.dumps({"head": {"vars": list(self.columns)}, "results": {"bindings": bindings}},
                          ensure_ascii=False, indent=indent)

    def to_xml(self) -> str:
        """W3C SPARQL Query Results XML."""
        out = ['<?xml version="1.0" encoding="utf-8"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">']
        if self.kind == "ask":
            out += ["  <head/>", f"  <boolean>{'true' if self.boolean else 'false'}</boolean>", "</sparql>"]
            return "\n".join(out) + "\n"
        out.append("  <head>" + "".join(f"<variable name={quoteattr(c)}/>" for c in self.columns) + "</head>")
        out.append("  <results>")
        for row in self.rows:
            cells = "".join(f"<binding name={quoteattr(c)}>{_xml_term(t)}</binding>"
                            for c, t in zip(self.columns, row, strict=True) if t is not None)
            out.append(f"    <result>{cells}</result>")
        out += ["  </results>", "</sparql>"]
        return "\n".join(out) + "\n"

    def to_markdown(self, *, plain_values: bool = True) -> str:
        """A GitHub-flavoured Markdown table (IRIs compacted with the project prefixes; RDF terms with ``plain_values=False``)."""
        def esc(s: str) -> str:
            return s.replace("|", "\\|").replace("\n", " ")

        def text(t: Cell) -> str:
            return plain(t) if plain_values else ("" if t is None else str(t))

        lines = ["| " + " | ".join(self.columns) + " |", "|" + "|".join("---" for _ in self.columns) + "|"]
        lines += ["| " + " | ".join(esc(text(t)) for t in row) + " |" for row in self.rows]
        return "\n".join(lines) + "\n"

    def to_text_table(self, *, max_width: int | None = 60, plain_values: bool = True) -> str:
        """An aligned plain-text table for terminals (CJK counted double width).

        A cell wider than ``max_width`` is wrapped onto more lines (never cut), and the rows of a table that
        wraps are set apart by a blank line; ``max_width=None`` keeps every cell on one line (``--wide``).
        ``plain_values=False`` shows RDF terms in N-Triples syntax.
        """
        def text(t: Cell) -> str:
            return plain(t) if plain_values else ("" if t is None else str(t))

        cells = [[wrap_cell(text(t), max_width) for t in row] for row in self.rows]
        widths = [max([width(c)] + [width(ln) for r in cells for ln in r[i]]) for i, c in enumerate(self.columns)]

        def line(vals: Sequence[str]) -> str:
            return "  ".join(v + " " * (w - width(v)) for v, w in zip(vals, widths, strict=True)).rstrip()

        wrapped = any(len(c) > 1 for r in cells for c in r)
        out = [line(self.columns), line(["-" * w for w in widths])]
        for i, r in enumerate(cells):
            if wrapped and i:
                out.append("")
            height = max((len(c) for c in r), default=1)
            out += [line([c[k] if k < len(c) else "" for c in r]) for k in range(height)]
        out.append(f"({len(self.rows)} row{'s' if len(self.rows) != 1 else ''})")
        return "\n".join(out) + "\n"

    def ordered_as_written(self, text: str) -> ResultTable:
        """For ``SELECT *``: the columns in the order the query text first names them (engines sort them their own way)."""
        order = star_variables(text)
        if order is None or self.kind != "select":
            return self
        rank = {v: i for i, v in enumerate(order)}
        idx = sorted(range(len(self.columns)), key=lambda i: (rank.get(self.columns[i], len(rank)), i))
        if idx == list(range(len(self.columns))):
            return self
        return ResultTable(tuple(self.columns[i] for i in idx), [tuple(r[i] for i in idx) for r in self.rows],
                           self.kind, self.name, self.triples)

    def _graph_text(self, fmt: ox.RdfFormat) -> str:
        if self.triples is None:
            raise QueryError("only CONSTRUCT/DESCRIBE results serialise as RDF")
        prefixes = {k: v for k, v in PREFIXES.items() if k != "yid"}
        data = ox.serialize(self.triples, format=fmt, prefixes=prefixes if fmt == ox.RdfFormat.TURTLE else None)
        return (data or b"").decode("utf-8")

    def to_turtle(self) -> str:
        """The CONSTRUCT graph as Turtle (project prefixes bound)."""
        return self._graph_text(ox.RdfFormat.TURTLE)

    def to_ntriples(self) -> str:
        """The CONSTRUCT graph as N-Triples (sorted)."""
        return self._graph_text(ox.RdfFormat.N_TRIPLES)

    def to_pandas(self) -> Any:
        """A pandas DataFrame of the typed values (pandas is the optional extra ``yrd-kg[pandas]``).

        >>> t = ResultTable(("province", "share"), [(ox.Literal("江苏"), ox.Literal("0.25", datatype=ox.NamedNode(
        ...     "http://www.w3.org/2001/XMLSchema#decimal")))])
        >>> df = t.to_pandas()
        >>> list(df.columns), df.loc[0, "province"], float(df.loc[0, "share"])
        (['province', 'share'], '江苏', 0.25)
        """
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("to_pandas() needs pandas: pip install 'yrd-kg[pandas]'") from exc
        return pd.DataFrame(self.values(), columns=list(self.columns))

    def format(self, fmt: str, *, plain_values: bool = True, max_width: int | None = 60) -> str:
        """Serialise as one of :data:`FORMATS`.

        ``plain_values`` (the default) shows table, csv, tsv and md cells as a person reads them: IRIs as CURIEs,
        literals without quotes, language tags or datatypes; ``False`` gives RDF terms (SPARQL 1.1 CSV/TSV,
        N-Triples syntax in a table). ``max_width``: the table's cell width before it wraps (None: no wrapping).
        json and xml are always the W3C results formats; ttl, nt and jsonld serialise a CONSTRUCT graph.
        """
        writers: dict[str, Callable[[], str]] = {
                   "table": lambda: self.to_text_table(max_width=max_width, plain_values=plain_values),
                   "json": self.to_json, "xml": self.to_xml, "md": lambda: self.to_markdown(plain_values=plain_values),
                   "ttl": self.to_turtle, "nt": self.to_ntriples,
                   "csv": lambda: self.to_csv(plain_values=plain_values),
                   "tsv": lambda: self.to_tsv(plain_values=plain_values)}
        if fmt == "jsonld":
            from yrd_kg.dataset.export import jsonld_of_triples

            if self.triples is None:
                raise QueryError("only CONSTRUCT/DESCRIBE results serialise as JSON-LD")
            return jsonld_of_triples(self.triples)
        if fmt not in writers:
            raise QueryError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
        return writers[fmt]()
