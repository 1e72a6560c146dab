"""Saved SPARQL queries: the catalogue in ``queries/*.rq`` and a safe, read-only way to run them.

Each ``.rq`` file opens with a grlc-style header: lines starting with ``#+`` hold YAML
(``summary``, ``description``, ``tags``, ``columns``, optional ``defaults``). Parameters are the
variables whose name starts with an underscore (``?_problem_iri``); the suffix gives the type:

============  =============================================================
suffix        bound as
============  =============================================================
``_iri``      an IRI (absolute ``http(s):`` or ``urn:``; ``prefix:local`` with a project prefix is expanded)
``_lang``     a language tag (plain literal, e.g. ``"zh"``); ``?_lang`` is the label language
``_int``      an ``xsd:integer``
``_num``      an ``xsd:decimal``
(other)       a plain literal (``xsd:string``)
============  =============================================================

Values are checked against their type, built as RDF terms (pyoxigraph, proper escaping) and
substituted for the parameter's variable token (a ``VALUES`` block at the start of the outermost
``WHERE`` group where the variable stands where a constant may not): never by string formatting of
the query text. Only read-only query forms run: a text that parses as a SPARQL Update,
or that uses ``SERVICE`` / ``FROM`` with a non-local IRI (unless allow-listed), is refused before
evaluation.

Two engines share one interface (:class:`Engine`): :class:`OxigraphEngine` (the default, over
:func:`yrd_kg.store.open_store`) and :class:`RdflibEngine` (over :func:`yrd_kg.build.load_dataset`),
so a test can show every saved query returns the same rows on both. A remote engine
(``--endpoint URL``) only has to implement :class:`Engine`.

>>> [q.name for q in list_queries()][:1] != []
True
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable
from typing import Literal as TypingLiteral

import yaml
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier

import yrd_kg.resources as resources
from yrd_kg.namespaces import BASE, PREFIXES

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph as ox
    from rdflib import Dataset

__all__ = [
    "Engine",
    "OxigraphEngine",
    "Param",
    "ParameterError",
    "QueryError",
    "RdflibEngine",
    "ReadOnlyError",
    "ResultTable",
    "SavedQuery",
    "UnknownQueryError",
    "bind_parameters",
    "check_read_only",
    "get_query",
    "list_queries",
    "run_query",
    "run_query_rdflib",
    "run_sparql",
    "run_sparql_rdflib",
]

Kind = TypingLiteral["report", "construct", "violation"]
ParamType = TypingLiteral["iri", "lang", "int", "num", "literal"]
Cell = Identifier | None

#: IRIs under this base are local (allowed in FROM / FROM NAMED without an allow-list).
LOCAL_BASE = BASE
DEFAULT_LANG = "en"
_XSD_STRING = str(XSD.string)


# --------------------------------------------------------------------------- errors


class QueryError(Exception):
    """A query could not be run (unknown name, bad parameter, refused form, syntax error)."""


class UnknownQueryError(QueryError):
    """No saved query has this name."""


class ParameterError(QueryError):
    """A parameter is unknown, missing or has a value of the wrong type; ``param`` names it."""

    def __init__(self, param: str, message: str) -> None:
        self.param = param
        super().__init__(message)


class ReadOnlyError(QueryError):
    """The text is not a read-only query (an update, SERVICE, or a remote FROM)."""


# --------------------------------------------------------------------------- catalogue


@dataclass(frozen=True)
class Param:
    """A query parameter: ``var`` as written (``_problem_iri``), ``name`` without the underscore."""

    var: str
    type: ParamType
    default: str | None = None
    description: str = ""

    @property
    def name(self) -> str:
        """The parameter name used on the command line and as a keyword (``problem_iri``)."""
        return self.var[1:]

    @property
    def required(self) -> bool:
        """A parameter without a default must be given (``_lang`` always has one)."""
        return self.default is None


@dataclass(frozen=True)
class SavedQuery:
    """One ``.rq`` file of the catalogue, with its parsed header."""

    name: str
    path: Path
    kind: Kind
    summary_zh: str
    summary_en: str
    description: str
    tags: tuple[str, ...]
    params: tuple[Param, ...]
    columns: tuple[str, ...]
    text: str
    header: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def summary(self, lang: str = DEFAULT_LANG) -> str:
        """The summary in ``lang`` (``zh`` or ``en``), falling back to the other language."""
        if lang.lower().startswith("zh"):
            return self.summary_zh or self.summary_en
        return self.summary_en or self.summary_zh

    def param(self, key: str) -> Param:
        """The parameter called ``key`` (``problem_iri``, ``_problem_iri`` or ``?_problem_iri``)."""
        norm = _norm_key(key)
        for p in self.params:
            if p.name == norm:
                return p
        raise ParameterError(key, f"query {self.name!r} has no parameter {key!r}; valid: {_names(self.params)}")


_HEADER_RE = re.compile(r"^#\+ ?(.*)$")
_PARAM_RE = re.compile(r"[?$](_[A-Za-z0-9_]+)")


def parse_header(text: str) -> dict[str, Any]:
    """The YAML of the leading ``#+`` lines (``{}`` when there is none or it is not a mapping)."""
    lines: list[str] = []
    for line in text.splitlines():
        m = _HEADER_RE.match(line)
        if m is None:
            if lines or not line.strip():
                if lines:
                    break
                continue
            break
        lines.append(m.group(1))
    if not lines:
        return {}
    try:
        data = yaml.safe_load("\n".join(lines))
    except yaml.YAMLError:
        # lenient fallback: one ``key: value`` per line (a summary may contain ": ")
        data = {}
        for line in lines:
            key, sep, value = line.partition(":")
            if sep and key.strip() and not line.startswith((" ", "-")):
                data[key.strip()] = value.strip()
    return data if isinstance(data, dict) else {}


def _split_summary(value: Any) -> tuple[str, str]:
    if isinstance(value, dict):
        return str(value.get("zh", "")).strip(), str(value.get("en", "")).strip()
    s = str(value or "").strip()
    if " / " in s:
        zh, en = s.split(" / ", 1)
        return zh.strip(), en.strip()
    return ("", s) if s.isascii() else (s, "")


def param_type(var: str) -> ParamType:
    """The type a parameter's name declares (see the module docstring)."""
    for suffix, t in (("_iri", "iri"), ("_lang", "lang"), ("_int", "int"), ("_num", "num")):
        if var.endswith(suffix) or var == suffix:
            return t  # type: ignore[return-value]
    return "literal"


def _strip_comments(text: str) -> str:
    """The query text with comments blanked (strings and IRIs kept), for scanning."""
    out: list[str] = []
    for kind, tok in _tokens(text):
        out.append(" " * len(tok) if kind == "comment" else tok)
    return "".join(out)


def _params_of(text: str, header: Mapping[str, Any]) -> tuple[Param, ...]:
    defaults_raw = header.get("defaults") or {}
    defaults: dict[str, str] = {}
    if isinstance(defaults_raw, list):
        for item in defaults_raw:
            if isinstance(item, dict):
                defaults.update({_norm_key(str(k)): str(v) for k, v in item.items()})
    elif isinstance(defaults_raw, dict):
        defaults = {_norm_key(str(k)): str(v) for k, v in defaults_raw.items()}
    descr_raw = header.get("params") or {}
    descr = {_norm_key(str(k)): str(v) for k, v in descr_raw.items()} if isinstance(descr_raw, dict) else {}
    seen: dict[str, Param] = {}
    scan = "".join(tok for kind, tok in _tokens(text) if kind in ("var", "other", "word"))
    for m in _PARAM_RE.finditer(scan):
        var = m.group(1)
        if var not in seen:
            name = var[1:]
            default = defaults.get(name)
            t = param_type(var)
            if t == "lang" and var == "_lang" and default is None:
                default = DEFAULT_LANG
            seen[var] = Param(var, t, default, descr.get(name, ""))
    return tuple(seen.values())


def _kind_of(name: str) -> Kind:
    if name.startswith("construct-"):
        return "construct"
    if name.endswith("-violation"):
        return "violation"
    return "report"


def load_query(path: Path) -> SavedQuery:
    """Read and parse one ``.rq`` file (cached until the file changes)."""
    st = path.stat()
    return _load_query(path.resolve(), st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=256)
def _load_query(path: Path, _mtime: int, _size: int) -> SavedQuery:
    text = path.read_text(encoding="utf-8")
    header = parse_header(text)
    zh, en = _split_summary(header.get("summary"))
    tags = header.get("tags") or ()
    cols = header.get("columns") or ()
    return SavedQuery(
        name=path.stem,
        path=path,
        kind=_kind_of(path.stem),
        summary_zh=zh,
        summary_en=en,
        description=" ".join(str(header.get("description", "")).split()),
        tags=tuple(str(t) for t in (tags if isinstance(tags, list) else [tags])),
        params=_params_of(text, header),
        columns=tuple(str(c).lstrip("?") for c in (cols if isinstance(cols, list) else str(cols).split())),
        text=text,
        header=header,
    )


def list_queries(directory: Path | None = None, *, kind: Kind | None = None) -> list[SavedQuery]:
    """Every saved query in ``directory`` (default: the packaged ``queries/``), sorted by name."""
    folder = Path(directory) if directory is not None else resources.queries_dir()
    out = [load_query(p) for p in sorted(folder.glob("*.rq"))]
    return [q for q in out if kind is None or q.kind == kind]


def get_query(name: str, directory: Path | None = None) -> SavedQuery:
    """The saved query called ``name`` (with or without ``.rq``)."""
    stem = name[:-3] if name.endswith(".rq") else name
    folder = Path(directory) if directory is not None else resources.queries_dir()
    if "/" in stem or "\\" in stem or stem.startswith("."):
        raise UnknownQueryError(f"invalid query name {name!r}")
    path = folder / f"{stem}.rq"
    if not path.is_file():
        known = ", ".join(p.stem for p in sorted(folder.glob("*.rq")))
        raise UnknownQueryError(f"no saved query {name!r}; known: {known}")
    return load_query(path)


# --------------------------------------------------------------------------- lexing (for binding)

_IRIREF_RE = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_WORD_RE = re.compile(r"[A-Za-z0-9_\-.:%\u00b7\u00c0-\uffff]+")
_VAR_RE = re.compile(r"[?$][A-Za-z0-9_\u00b7\u00c0-\uffff]+")


def _tokens(text: str) -> Iterable[tuple[str, str]]:
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


def _where_brace(text: str) -> int:
    """Offset just after the ``{`` that opens the outermost ``WHERE`` group; -1 if none."""
    pos, depth, seen_where = 0, 0, False
    for kind, tok in _tokens(text):
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


# --------------------------------------------------------------------------- parameter values

_IRI_OK_RE = re.compile(r"^(?:https?://[^\s/]+[^\s]*|urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:\S+)$")
_IRI_BAD_RE = re.compile(r'[<>"{}|\\^`\s\x00-\x1f]')
_LANG_RE = re.compile(r"^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$")
_INT_RE = re.compile(r"^[+-]?\d+$")
_CURIE_RE = re.compile(r"^([A-Za-z][\w\-]*):([^\s/][^\s]*)?$")


def _norm_key(key: str) -> str:
    return key.lstrip("?$").lstrip("_") if key.lstrip("?$").startswith("_") else key.lstrip("?$")


def _names(params: Iterable[Param]) -> str:
    names = [p.name for p in params]
    return ", ".join(names) if names else "(none)"


def expand_curie(value: str) -> str:
    """``problem:P1.1`` -> the full IRI when the prefix is a project prefix; otherwise unchanged."""
    m = _CURIE_RE.match(value)
    if m and m.group(1) in PREFIXES and m.group(1) not in ("http", "https", "urn"):
        return PREFIXES[m.group(1)] + (m.group(2) or "")
    return value


def make_term(param: Param, value: Any) -> ox.NamedNode | ox.Literal:
    """The RDF term for ``value`` checked against ``param``'s type; :class:`ParameterError` otherwise."""
    import pyoxigraph as ox

    name = param.name
    if param.type == "iri":
        if isinstance(value, ox.NamedNode):
            value = value.value
        if not isinstance(value, str):
            raise ParameterError(name, f"parameter {name!r} must be an IRI, got {type(value).__name__}")
        iri = expand_curie(value.strip())
        if _IRI_BAD_RE.search(iri) or not _IRI_OK_RE.match(iri):
            raise ParameterError(
                name, f"parameter {name!r} must be an absolute http(s) or urn IRI without spaces or <>\"{{}}|\\^`, "
                f"got {value!r}")
        return ox.NamedNode(iri)
    if isinstance(value, ox.Literal):
        value = value.value
    if param.type == "int":
        if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, str)
                                                                        and _INT_RE.match(value.strip()))):
            raise ParameterError(name, f"parameter {name!r} must be an integer, got {value!r}")
        return ox.Literal(str(int(value)), datatype=ox.NamedNode(str(XSD.integer)))
    if param.type == "num":
        try:
            if isinstance(value, bool):
                raise InvalidOperation
            num = Decimal(str(value).strip())
            if not num.is_finite():
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            raise ParameterError(name, f"parameter {name!r} must be a number, got {value!r}") from None
        return ox.Literal(format(num, "f"), datatype=ox.NamedNode(str(XSD.decimal)))
    if not isinstance(value, str):
        raise ParameterError(name, f"parameter {name!r} must be a string, got {type(value).__name__}")
    if param.type == "lang":
        if not _LANG_RE.match(value):
            raise ParameterError(name, f"parameter {name!r} must be a language tag such as 'zh' or 'en', "
                                       f"got {value!r}")
        return ox.Literal(value.lower())
    return ox.Literal(value)


def bind_parameters(text: str, params: Sequence[Param], values: Mapping[str, Any], *,
                    lang: str | None = None, name: str = "query") -> str:
    """The query text with every parameter bound to a term checked against its type.

    ``values`` maps parameter names (``problem_iri``; ``_problem_iri`` also accepted) to values.
    ``lang`` fills ``?_lang`` when it is not among ``values``. Each value is built as an RDF term
    (pyoxigraph, proper escaping) and substituted for the variable token wherever it is used
    (:func:`inline_terms`); where a parameter stands where a constant may not (a ``SELECT`` list,
    ``AS``, a ``VALUES`` header, ``GROUP BY``/``ORDER BY``), one ``VALUES`` block at the start of the
    outermost ``WHERE`` group binds them instead.
    """
    bound = _bound_terms(params, values, lang, name)
    if not bound:
        return text
    inlined = inline_terms(text, {p.var: t for p, t in bound})
    if inlined is not None:
        return inlined
    return _values_block(text, bound, name)


def _bound_terms(params: Sequence[Param], values: Mapping[str, Any], lang: str | None,
                 name: str) -> list[tuple[Param, str]]:
    given = {_norm_key(k): v for k, v in values.items()}
    by_name = {p.name: p for p in params}
    unknown = sorted(k for k in given if k not in by_name)
    if unknown:
        raise ParameterError(unknown[0], f"{name}: unknown parameter {unknown[0]!r}; valid: {_names(params)}")
    if lang is not None and "lang" in by_name and "lang" not in given:
        given["lang"] = lang
    bound: list[tuple[Param, str]] = []
    for p in params:
        if p.name in given:
            value = given[p.name]
        elif p.default is not None:
            value = p.default
        else:
            missing = [q.name for q in params if q.required and q.name not in given]
            raise ParameterError(p.name, f"{name}: missing parameter(s) {', '.join(missing)}; "
                                         f"valid: {_names(params)}")
        bound.append((p, str(make_term(p, value))))
    return bound


def _values_block(text: str, bound: Sequence[tuple[Param, str]], name: str) -> str:
    at = _where_brace(text)
    if at < 0:
        raise QueryError(f"{name}: cannot bind parameters: no WHERE {{ … }} group found")
    head = " ".join(f"?{p.var}" for p, _ in bound)
    row = " ".join(t for _, t in bound)
    block = f"\n  VALUES ({head}) {{ ({row}) }}\n"
    return text[:at] + block + text[at:]


_NO_CONST_AFTER = frozenset({"SELECT", "VALUES", "GROUP", "ORDER"})
_CLAUSE_END = frozenset({"WHERE", "LIMIT", "OFFSET", "HAVING", "FROM"})


def inline_terms(text: str, terms: Mapping[str, str]) -> str | None:
    """``text`` with each variable in ``terms`` (name without ``?``) replaced by its serialised term.

    Tokens are replaced whole (never inside strings, IRIs or comments). Returns None when a variable
    stands where SPARQL allows no constant (after ``AS``; in a ``SELECT`` list, a ``VALUES`` header, a
    ``GROUP BY``/``ORDER BY`` clause): the caller binds with ``VALUES`` then. Constants bind the same way
    on every store; Virtuoso, for one, does not let a ``FILTER`` inside ``OPTIONAL`` see a variable bound
    by an outer ``VALUES``, and plans property paths with a constant end far better.
    """
    out: list[str] = []
    clause: str | None = None  # inside SELECT / VALUES / GROUP / ORDER, up to its end
    prev = ""
    for kind, tok in _tokens(text):
        if kind == "word":
            up = tok.upper()
            if up in _NO_CONST_AFTER:
                clause = up
            elif up in _CLAUSE_END:
                clause = None
        elif kind == "brace":
            clause = None
        if kind == "var" and tok[1:] in terms:
            if clause is not None or prev == "AS":
                return None
            out.append(terms[tok[1:]])
        else:
            out.append(tok)
        if kind != "comment" and not tok.isspace():
            prev = tok.upper() if kind == "word" else tok
    return "".join(out)


# --------------------------------------------------------------------------- read-only guard


@lru_cache(maxsize=512)
def _analyse(text: str) -> tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(form, FROM IRIs, SERVICE endpoints, projected variables) by parsing; QueryError when not a query."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
    from rdflib.plugins.sparql.parserutils import CompValue

    try:
        parsed = parseQuery(text)
    except RecursionError:
        raise QueryError("SPARQL error: the query is nested too deeply to analyse; refused") from None
    except ParseException as exc:
        try:
            parseUpdate(text)
        except ParseException:
            raise QueryError(f"SPARQL syntax error: {str(exc).splitlines()[0]}") from None
        raise ReadOnlyError("refused: the text is a SPARQL Update (INSERT/DELETE/LOAD/CLEAR/DROP/CREATE/"
                            "ADD/MOVE/COPY); only read-only queries run") from None
    try:
        q = translateQuery(parsed)
    except RecursionError:
        raise QueryError("SPARQL error: the query is nested too deeply to analyse; refused") from None
    except Exception as exc:  # rdflib raises many types for semantic errors
        raise QueryError(f"SPARQL error: {exc}") from None
    algebra = q.algebra
    froms = tuple(str(next(iter(v for k, v in dc.items() if k in ("default", "named"))))
                  for dc in (algebra.get("datasetClause") or ()))
    services: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                term = node.get("term")
                services.append(str(term) if isinstance(term, URIRef) else f"?{term}")
            for v in node.values():
                walk(v)
        elif isinstance(node, list | tuple):
            for v in node:
                walk(v)

    walk(algebra)
    form = {"SelectQuery": "SELECT", "ConstructQuery": "CONSTRUCT", "AskQuery": "ASK",
            "DescribeQuery": "DESCRIBE"}.get(algebra.name, algebra.name)
    pv = tuple(str(v) for v in (algebra.get("PV") or ()))
    return form, froms, tuple(services), pv


def check_read_only(text: str, *, allow_endpoints: Iterable[str] = ()) -> str:
    """Refuse anything but a read-only query; return its form (SELECT, CONSTRUCT, ASK, DESCRIBE).

    Raises :class:`ReadOnlyError` for updates, ``SERVICE`` and ``FROM``/``FROM NAMED`` IRIs that are
    neither local (under ``https://w3id.org/yrd-kg/``) nor in ``allow_endpoints``, and
    :class:`QueryError` for a text that does not parse as a query.
    """
    form, froms, services, _ = _analyse(text)
    allowed = set(allow_endpoints)
    for s in services:
        if s not in allowed:
            raise ReadOnlyError(f"refused: SERVICE {s} (remote endpoints run only when allow-listed)")
    for f in froms:
        if not f.startswith(LOCAL_BASE) and f not in allowed:
            raise ReadOnlyError(f"refused: FROM <{f}> is not a local graph (allow-list it to use it)")
    return form


# --------------------------------------------------------------------------- results


def _compact(iri: str) -> str:
    best = ""
    for pfx, ns in PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(PREFIXES.get(best, "")):
            best = pfx
    if best:
        local = iri[len(PREFIXES[best]):]
        if local and " " not in local:
            return f"{best}:{local}"
    return iri


def _display(term: Cell, compact: bool = True) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return _compact(str(term)) if compact else str(term)
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def _json_term(term: Identifier) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    assert isinstance(term, Literal)
    out = {"type": "literal", "value": str(term)}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype is not None and str(term.datatype) != _XSD_STRING:
        out["datatype"] = str(term.datatype)
    return out


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in s)


@dataclass
class ResultTable:
    """Rows of a query: ``columns``; ``rows`` as tuples of rdflib terms (``None`` = unbound).

    ``kind`` is ``select``, ``ask`` or ``construct``. A CONSTRUCT/DESCRIBE result keeps its
    ``graph`` and shows it as rows of (subject, predicate, object).
    """

    columns: tuple[str, ...]
    rows: list[tuple[Cell, ...]]
    kind: str = "select"
    graph: Graph | None = None
    name: str | None = None

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Any:
        return iter(self.rows)

    @property
    def boolean(self) -> bool | None:
        """The answer of an ASK query (``None`` for other kinds)."""
        if self.kind != "ask":
            return None
        first = self.rows[0][0] if self.rows else None
        return bool(isinstance(first, Literal) and first.toPython())

    def values(self) -> list[tuple[Any, ...]]:
        """Rows as typed Python values: literals via ``toPython()`` (int, Decimal, str, date…), IRIs as URIRef."""
        return [tuple(_py(t) for t in row) for row in self.rows]

    def records(self) -> list[dict[str, Any]]:
        """Rows as dicts of typed Python values keyed by column."""
        return [dict(zip(self.columns, r, strict=True)) for r in self.values()]

    def column(self, name: str) -> list[Any]:
        """One column's typed Python values."""
        i = self.columns.index(name)
        return [r[i] for r in self.values()]

    def to_csv(self) -> str:
        """SPARQL 1.1 CSV results: header of names, values as plain strings."""
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(self.columns)
        for row in self.rows:
            w.writerow([_display(t, compact=False) for t in row])
        return buf.getvalue()

    def to_tsv(self) -> str:
        """SPARQL 1.1 TSV results: ``?var`` header, terms in Turtle/N-Triples syntax."""
        lines = ["\t".join(f"?{c}" for c in self.columns)]
        for row in self.rows:
            lines.append("\t".join("" if t is None else _nt_term(t) for t in row))
        return "\n".join(lines) + "\n"

    def to_json(self, *, indent: int | None = 1) -> str:
        """W3C SPARQL 1.1 Query Results JSON (an ASK result gives ``{"boolean": …}``)."""
        if self.kind == "ask":
            return json.dumps({"head": {}, "boolean": bool(self.boolean)}, indent=indent)
        bindings = [{c: _json_term(t) for c, t in zip(self.columns, row, strict=True) if t is not None}
                    for row in self.rows]
        return json.dumps({"head": {"vars": list(self.columns)}, "results": {"bindings": bindings}},
                          ensure_ascii=False, indent=indent)

    def to_markdown(self) -> str:
        """A GitHub-flavoured Markdown table (IRIs compacted with the project prefixes)."""
        def esc(s: str) -> str:
            return s.replace("|", "\\|").replace("\n", " ")

        lines = ["| " + " | ".join(self.columns) + " |", "|" + "|".join("---" for _ in self.columns) + "|"]
        for row in self.rows:
            lines.append("| " + " | ".join(esc(_display(t)) for t in row) + " |")
        return "\n".join(lines) + "\n"

    def to_text_table(self, *, max_width: int = 60) -> str:
        """An aligned plain-text table for terminals (CJK counted double width)."""
        def cut(s: str) -> str:
            s = s.replace("\n", " ")
            if _width(s) <= max_width:
                return s
            out, w = "", 0
            for ch in s:
                cw = _width(ch)
                if w + cw > max_width - 1:
                    break
                out, w = out + ch, w + cw
            return out + "…"

        cells = [[cut(_display(t)) for t in row] for row in self.rows]
        widths = [max([_width(c)] + [_width(r[i]) for r in cells]) for i, c in enumerate(self.columns)]

        def line(vals: Sequence[str]) -> str:
            return "  ".join(v + " " * (w - _width(v)) for v, w in zip(vals, widths, strict=True)).rstrip()

        out = [line(self.columns), line(["-" * w for w in widths])]
        out += [line(r) for r in cells]
        out.append(f"({len(self.rows)} row{'s' if len(self.rows) != 1 else ''})")
        return "\n".join(out) + "\n"

    def to_turtle(self) -> str:
        """The CONSTRUCT graph as Turtle (project prefixes bound)."""
        if self.graph is None:
            raise QueryError("only CONSTRUCT/DESCRIBE results serialise as Turtle")
        g = self.graph
        for k, v in PREFIXES.items():
            g.bind(k, v, override=True)
        return g.serialize(format="turtle")

    def to_dataframe(self) -> Any:
        """A pandas DataFrame of the typed values (needs pandas)."""
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("to_dataframe() needs pandas: pip install pandas") from exc
        return pd.DataFrame(self.values(), columns=list(self.columns))

    def format(self, fmt: str) -> str:
        """Serialise as ``table``, ``csv``, ``tsv``, ``json``, ``md`` or ``ttl``."""
        fmts = {"table": self.to_text_table, "csv": self.to_csv, "tsv": self.to_tsv, "json": self.to_json,
                "md": self.to_markdown, "ttl": self.to_turtle}
        if fmt not in fmts:
            raise QueryError(f"unknown format {fmt!r}; expected one of {', '.join(fmts)}")
        return fmts[fmt]()


def _py(t: Cell) -> Any:
    if isinstance(t, Literal):
        return t.toPython()
    return t


def _nt_term(t: Identifier) -> str:
    if isinstance(t, Literal) and t.datatype is not None and str(t.datatype) == _XSD_STRING:
        return Literal(str(t)).n3()
    return t.n3()


def _graph_rows(g: Graph) -> list[tuple[Cell, ...]]:
    triples: list[tuple[Cell, ...]] = [(s, p, o) for s, p, o in g]  # type: ignore[misc]
    return sorted(triples, key=lambda r: tuple(x.n3() if x is not None else "" for x in r))


# --------------------------------------------------------------------------- engines


@runtime_checkable
class Engine(Protocol):
    """Something that evaluates a (checked, bound) query text.

    ``select`` answers SELECT and ASK; ``construct`` answers CONSTRUCT and DESCRIBE. A remote
    SPARQLWrapper engine (``yrd-kg query --endpoint URL``) implements the same two methods.
    """

    name: str

    def select(self, query_text: str) -> ResultTable:
        """Evaluate a SELECT or ASK query."""
        ...

    def construct(self, query_text: str) -> Graph:
        """Evaluate a CONSTRUCT or DESCRIBE query."""
        ...


def _from_ox(t: Any) -> Cell:
    from yrd_kg.dataset.terms import from_ox

    try:
        return from_ox(t)  # type: ignore[no-any-return]
    except ValueError as exc:
        raise QueryError(f"unsupported term in result: {t!r}") from exc


class OxigraphEngine:
    """Evaluate with pyoxigraph over a store (default graph = union of the named graphs).

    ``max_rows`` (optional) caps the rows or triples read from pyoxigraph's lazy results; after a run,
    ``truncated`` says whether any were cut.
    """

    name = "oxigraph"

    def __init__(self, store: ox.Store, max_rows: int | None = None) -> None:
        if max_rows is not None and max_rows < 0:
            raise ValueError(f"max_rows must be >= 0, got {max_rows}")
        self.store = store
        self.max_rows = max_rows
        self.truncated = False

    def _take(self, it: Iterable[Any]) -> list[Any]:
        if self.max_rows is None:
            return list(it)
        rows = list(islice(it, self.max_rows + 1))
        if len(rows) > self.max_rows:
            self.truncated = True
            del rows[self.max_rows:]
        return rows

    def select(self, query_text: str) -> ResultTable:
        """Evaluate a SELECT or ASK query."""
        import pyoxigraph as ox

        res = self.store.query(query_text, use_default_graph_as_union=True)
        if isinstance(res, ox.QueryBoolean):
            return ResultTable(("result",), [(Literal(bool(res)),)], kind="ask")
        if not isinstance(res, ox.QuerySolutions):
            raise QueryError("expected a SELECT or ASK query")
        cols = tuple(v.value for v in res.variables)
        rows = [tuple(_from_ox(sol[i]) for i in range(len(cols))) for sol in self._take(res)]
        return ResultTable(cols, rows)

    def construct(self, query_text: str) -> Graph:
        """Evaluate a CONSTRUCT or DESCRIBE query."""
        import pyoxigraph as ox

        res = self.store.query(query_text, use_default_graph_as_union=True)
        if not isinstance(res, ox.QueryTriples):
            raise QueryError("expected a CONSTRUCT or DESCRIBE query")
        g = Graph()
        for tr in self._take(res):
            s, p, o = _from_ox(tr.subject), _from_ox(tr.predicate), _from_ox(tr.object)
            g.add((s, p, o))  # type: ignore[arg-type]
        return g


class RdflibEngine:
    """Evaluate with rdflib over a Dataset (default graph = union); never loads remote graphs."""

    name = "rdflib"

    def __init__(self, dataset: Dataset | Graph) -> None:
        import rdflib.plugins.sparql as rsparql

        rsparql.SPARQL_LOAD_GRAPHS = False
        rsparql.SPARQL_DEFAULT_GRAPH_UNION = True
        self.dataset = dataset

    def select(self, query_text: str) -> ResultTable:
        """Evaluate a SELECT or ASK query."""
        res = self.dataset.query(query_text)
        if res.type == "ASK":
            return ResultTable(("result",), [(Literal(bool(res.askAnswer)),)], kind="ask")
        if res.type != "SELECT":
            raise QueryError("expected a SELECT or ASK query")
        cols = tuple(str(v) for v in (res.vars or ()))
        rows = [tuple(_norm_rdflib(r[i]) for i in range(len(cols))) for r in res]  # type: ignore[index]
        return ResultTable(cols, rows)

    def construct(self, query_text: str) -> Graph:
        """Evaluate a CONSTRUCT or DESCRIBE query."""
        res = self.dataset.query(query_text)
        if res.type not in ("CONSTRUCT", "DESCRIBE") or res.graph is None:
            raise QueryError("expected a CONSTRUCT or DESCRIBE query")
        g = Graph()
        for t in res.graph:
            g.add(t)
        return g


def _norm_rdflib(t: Any) -> Cell:
    if isinstance(t, Literal) and t.datatype is not None and str(t.datatype) == _XSD_STRING:
        return Literal(str(t))
    return t  # type: ignore[no-any-return]


_STORE_CACHE: dict[tuple[str, float], ox.Store] = {}


def default_store() -> ox.Store:
    """The store of the default build, opened once per process (reopened when the build changes)."""
    from yrd_kg.dataset.build import build
    from yrd_kg.dataset.store import open_store

    result = build()
    nq = result.out_dir / "yrd-kg.nq"
    key = (str(nq.resolve()), nq.stat().st_mtime)
    if key not in _STORE_CACHE:
        _STORE_CACHE.clear()
        _STORE_CACHE[key] = open_store(result.out_dir)
    return _STORE_CACHE[key]


def make_engine(*, store: ox.Store | None = None, with_files: Iterable[Path | str] = (),
                endpoint: str | None = None) -> Engine:
    """The engine for a run: pyoxigraph over ``store`` (or the default build, plus ``with_files``).

    ``endpoint``: a SPARQL 1.1 endpoint instead (:class:`yrd_kg.remote.RemoteEngine`, SPARQLWrapper).
    """
    if endpoint is not None:
        from yrd_kg.sparql.remote import RemoteEngine

        return RemoteEngine(endpoint)
    files = [Path(f) for f in with_files]
    if files:
        from yrd_kg.dataset.store import add_file, open_store

        for f in files:
            if not f.is_file():
                raise QueryError(f"--with {f}: no such file")
        if store is None:
            return OxigraphEngine(open_store(extra=files))  # a writable in-memory copy with the extra graphs
        for f in files:
            add_file(store, f)  # the caller's store must be writable
        return OxigraphEngine(store)
    return OxigraphEngine(store if store is not None else default_store())


# --------------------------------------------------------------------------- running


def _execute(engine: Engine, text: str, form: str, name: str | None) -> ResultTable:
    if form in ("CONSTRUCT", "DESCRIBE"):
        g = engine.construct(text)
        return ResultTable(("subject", "predicate", "object"), _graph_rows(g), kind="construct", graph=g, name=name)
    table = engine.select(text)
    table.name = name
    return table


def _prepare(text: str, params: Sequence[Param], values: Mapping[str, Any], lang: str | None,
             allow_endpoints: Iterable[str], name: str) -> tuple[str, str]:
    form = check_read_only(text, allow_endpoints=allow_endpoints)
    return bind_parameters(text, params, values, lang=lang, name=name), form


def run_query(name: str, *, lang: str = DEFAULT_LANG, store: ox.Store | None = None,
              with_files: Iterable[Path | str] = (), engine: Engine | None = None,
              allow_endpoints: Iterable[str] = (), directory: Path | None = None,
              params: Mapping[str, Any] | None = None, **kwparams: Any) -> ResultTable:
    """Run the saved query ``name`` with its parameters (keyword per parameter, e.g. ``problem_iri=…``).

    ``params`` (a mapping) is merged with the keyword parameters; use it for names that clash with
    this function's own arguments. ``lang`` fills ``?_lang`` (label language). The engine is
    pyoxigraph over ``store`` (default: the built dataset, plus ``with_files``) unless ``engine`` is given.
    """
    q = get_query(name, directory)
    values = {**(params or {}), **kwparams}
    text, form = _prepare(q.text, q.params, values, lang, allow_endpoints, q.name)
    eng = engine if engine is not None else make_engine(store=store, with_files=with_files)
    return _execute(eng, text, form, q.name)


def run_sparql(text: str, *, lang: str = DEFAULT_LANG, store: ox.Store | None = None,
               with_files: Iterable[Path | str] = (), engine: Engine | None = None,
               allow_endpoints: Iterable[str] = (), params: Mapping[str, Any] | None = None,
               **kwparams: Any) -> ResultTable:
    """Run an ad hoc read-only query (``?_name`` variables are parameters, as in saved queries)."""
    header = parse_header(text)
    ps = _params_of(text, header)
    values = {**(params or {}), **kwparams}
    bound, form = _prepare(text, ps, values, lang, allow_endpoints, "query")
    eng = engine if engine is not None else make_engine(store=store, with_files=with_files)
    return _execute(eng, bound, form, None)


def run_query_rdflib(name: str, *, lang: str = DEFAULT_LANG, dataset: Dataset | Graph | None = None,
                     directory: Path | None = None, **params: Any) -> ResultTable:
    """Run a saved query with the rdflib engine over :func:`yrd_kg.build.load_dataset` (the fallback)."""
    from yrd_kg.dataset.build import load_dataset

    ds = dataset if dataset is not None else load_dataset()
    return run_query(name, lang=lang, engine=RdflibEngine(ds), directory=directory, **params)


def run_sparql_rdflib(text: str, *, lang: str = DEFAULT_LANG, dataset: Dataset | Graph | None = None,
                      **params: Any) -> ResultTable:
    """Run an ad hoc read-only query with the rdflib engine."""
    from yrd_kg.dataset.build import load_dataset

    ds = dataset if dataset is not None else load_dataset()
    return run_sparql(text, lang=lang, engine=RdflibEngine(ds), **params)


def catalogue_markdown(queries: Iterable[SavedQuery] | None = None) -> str:
    """A Markdown table of the catalogue (name, question in en and zh, parameters, columns)."""
    qs = list(queries) if queries is not None else list_queries()
    lines = ["| query | question | 问题 | parameters | columns |", "|---|---|---|---|---|"]
    for q in qs:
        ps = ", ".join(f"`{p.name}` ({p.type})" for p in q.params) or "—"
        cols = ", ".join(q.columns) or "—"
        lines.append(f"| `{q.name}` | {q.summary_en} | {q.summary_zh} | {ps} | {cols} |")
    return "\n".join(lines) + "\n"
