"""Parameter binding: values checked against their declared type, built as RDF terms, put where the variable stands.

Values are never formatted into the query text: each is built as a pyoxigraph term (proper escaping)
and substituted for the parameter's variable token; where a constant may not stand, a ``VALUES`` block
at the start of the outermost ``WHERE`` group binds it instead.

>>> from yrd_kg.sparql.catalogue import Param
>>> str(make_term(Param("_problem_iri", "iri"), "problem:P1.1"))
'<https://w3id.org/yrd-kg/id/problem/P1.1>'
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

import pyoxigraph as ox
from rdflib.namespace import XSD

import yrd_kg.dataset.terms as terms
from yrd_kg.namespaces import expand
from yrd_kg.sparql.catalogue import Param, norm_key, param_names
from yrd_kg.sparql.errors import ParameterError, QueryError
from yrd_kg.sparql.lexer import tokens, where_brace

_IRI_OK_RE = re.compile(r"^(?:https?://[^\s/]+[^\s]*|urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:\S+)$")
_IRI_BAD_RE = re.compile(r'[<>"{}|\\^`\s\x00-\x1f]')
_LANG_RE = re.compile(r"^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$")
_INT_RE = re.compile(r"^[+-]?\d+$")
_ESCAPE_LIKE_RE = re.compile(r"\\[uU][0-9A-Fa-f]{4}")


def expand_curie(value: str) -> str:
    """``problem:P1.1`` -> the full IRI when the prefix is a project prefix; otherwise unchanged."""
    return expand(value) or value


#: longest parameter value accepted (characters), for every type
MAX_VALUE_CHARS = 10_000
#: the range of ``int`` parameters: Oxigraph's xsd:integer is a signed 64-bit integer
INT_MIN, INT_MAX = -(2**63), 2**63 - 1
#: ``num`` parameters: Oxigraph's xsd:decimal holds 18 fractional digits and magnitudes below ~1.7e20
DECIMAL_MAX_EXPONENT = 20
DECIMAL_MAX_PLACES = 18


def _int_term(name: str, value: Any) -> ox.Literal:
    if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, str) and _INT_RE.match(value.strip()))):
        raise ParameterError(name, f"parameter {name!r} must be an integer, got {_short(value)}")
    if isinstance(value, str) and len(value.strip().lstrip("+-")) > 19:  # never convert a huge digit string
        raise ParameterError(name, f"parameter {name!r} must be between {INT_MIN} and {INT_MAX}, got {_short(value)}")
    number = int(value)
    if not INT_MIN <= number <= INT_MAX:
        raise ParameterError(name, f"parameter {name!r} must be between {INT_MIN} and {INT_MAX}, got {_short(value)}")
    return terms.literal(str(number), datatype=str(XSD.integer))


def _num_term(name: str, value: Any) -> ox.Literal:
    try:
        if isinstance(value, bool):
            raise InvalidOperation
        if isinstance(value, int) and abs(value).bit_length() > 80:
            raise OverflowError
        num = Decimal(str(value).strip())
        if not num.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        raise ParameterError(name, f"parameter {name!r} must be a number, got {_short(value)}") from None
    except OverflowError:
        num = Decimal("Infinity")
    # checked on the exponent, before any digit is written out: 1e999999999 is refused in microseconds
    if num and (not num.is_finite() or num.adjusted() >= DECIMAL_MAX_EXPONENT):
        raise ParameterError(name, f"parameter {name!r} is out of range: a decimal's magnitude must stay below "
                                   f"1e{DECIMAL_MAX_EXPONENT}, got {_short(value)}")
    _, digits, exponent = num.as_tuple()
    assert isinstance(exponent, int)
    trailing = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    if num and exponent + trailing < -DECIMAL_MAX_PLACES:
        raise ParameterError(name, f"parameter {name!r} has more than {DECIMAL_MAX_PLACES} decimal places, "
                                   f"got {_short(value)}")
    return terms.literal(format(num, "f") if num else "0", datatype=str(XSD.decimal))


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:60]}… ({len(text)} characters)"


def make_term(param: Param, value: Any) -> ox.NamedNode | ox.Literal:
    """The RDF term for ``value`` checked against ``param``'s type and range; :class:`ParameterError` otherwise.

    Every value is range-checked before a term is built: at most :data:`MAX_VALUE_CHARS` characters;
    ``int`` within a signed 64-bit integer; ``num`` below ``1e20`` with at most 18 decimal places (what
    Oxigraph's ``xsd:decimal`` holds).
    """
    name = param.name
    if isinstance(value, ox.NamedNode | ox.Literal):
        value = value.value
    if isinstance(value, str) and len(value) > MAX_VALUE_CHARS:
        raise ParameterError(name, f"parameter {name!r} is {len(value)} characters long, over the cap of "
                                   f"{MAX_VALUE_CHARS}")
    if param.type == "iri":
        if not isinstance(value, str):
            raise ParameterError(name, f"parameter {name!r} must be an IRI, got {type(value).__name__}")
        iri = expand_curie(value.strip())
        if _IRI_BAD_RE.search(iri) or not _IRI_OK_RE.match(iri):
            raise ParameterError(
                name, f"parameter {name!r} must be an absolute http(s) or urn IRI without spaces or <>\"{{}}|\\^`, "
                f"got {_short(value)}")
        return terms.iri(iri)
    if param.type == "int":
        return _int_term(name, value)
    if param.type == "num":
        return _num_term(name, value)
    if not isinstance(value, str):
        raise ParameterError(name, f"parameter {name!r} must be a string, got {type(value).__name__}")
    if _ESCAPE_LIKE_RE.search(value):
        raise ParameterError(name, f"parameter {name!r} holds a codepoint escape sequence (\\uXXXX), which SPARQL "
                                   "expands before parsing, so the parsers would read the value differently; refused")
    if param.type == "lang":
        if not _LANG_RE.match(value):
            raise ParameterError(name, f"parameter {name!r} must be a language tag such as 'zh' or 'en', "
                                       f"got {_short(value)}")
        return terms.literal(value.lower())
    return terms.literal(value)


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
    given = {norm_key(k): v for k, v in values.items()}
    by_name = {p.name: p for p in params}
    unknown = sorted(k for k in given if k not in by_name)
    if unknown:
        raise ParameterError(unknown[0], f"{name}: unknown parameter {unknown[0]!r}; valid: {param_names(params)}")
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
                                         f"valid: {param_names(params)}")
        bound.append((p, str(make_term(p, value))))
    return bound


def _values_block(text: str, bound: Sequence[tuple[Param, str]], name: str) -> str:
    at = where_brace(text)
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
    for kind, tok in tokens(text):
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
