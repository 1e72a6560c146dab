r"""The read-only guard: only SELECT, ASK, CONSTRUCT and DESCRIBE run; SERVICE and remote FROM only when allow-listed.

One text is checked and the same text runs. rdflib's parser (which decides here) expands ``\uXXXX`` /
``\UXXXXXXXX`` codepoint escapes over the whole text before parsing, as the SPARQL spec says; Oxigraph
(which executes) reads them only inside strings and IRIs. So a text like ``"P\u0022 . ?s ?p " . SERVICE
<…> { … } #"`` is one literal to rdflib and a ``SERVICE`` call to Oxigraph. :func:`normalise` closes that
gap: it expands every escape once, refuses an escape that stands for an ASCII delimiter or control
character (quote, ``<``, ``>``, ``#``, backslash, newline …) and refuses a text that still holds an escape
afterwards (a double escape). The normalised text has no escape left, so both parsers read the same
characters, and :func:`checked` hands that text on to be executed.

Beyond the guard, untrusted texts are evaluated in a worker with no network at all
(:func:`yrd_kg.worker.network_isolation`); where the OS grants no network namespace, ``strict=True``
refuses every text holding the letters ``service`` outside an IRI (:func:`strict_problem`), and
``--allow-endpoint`` runs require each ``SERVICE`` to name an allow-listed IRI in full.

Nesting is measured on the text (brackets) and capped at :data:`MAX_NESTING`; the parser then runs in
a thread with a large stack and a raised recursion limit, so a legitimate query (50 nested
``OPTIONAL``s) is analysed rather than refused (figures in ``docs/SECURITY.md``).
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

from rdflib import URIRef

from yrd_kg.namespaces import BASE
from yrd_kg.sparql.errors import QueryError, ReadOnlyError
from yrd_kg.sparql.lexer import tokens

#: IRIs under this base are local (allowed in FROM / FROM NAMED without an allow-list).
LOCAL_BASE = BASE
#: deepest bracket nesting ``{ ( [`` a query may have (rdflib analyses 1000 levels in < 3 s in the
#: thread below; Oxigraph parses 2000 nested groups on an 8 MB stack and segfaults at 2500)
MAX_NESTING = 1000
#: stack of the analysing thread and the recursion limit while it runs (rdflib needs ~60 frames a level)
ANALYSIS_STACK_BYTES = 64 * 1024 * 1024
ANALYSIS_RECURSION_LIMIT = 200_000

_ESCAPE_RE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
#: any codepoint escape as rdflib reads them (``\u`` with 4 or 8 hex digits, any case): none may remain
_ANY_ESCAPE_RE = re.compile(r"\\[uU][0-9A-Fa-f]{4}")
#: an IRIREF as the SPARQL grammar has it (no space, quote, brace, angle bracket): it cannot hide a call
_IRIREF_RE = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_SERVICE_RE = re.compile(r"service", re.I)
_ALLOWED_CALL_RE = re.compile(r"\s*(?:silent\s*)?(<[^<>\"{}|^`\\\x00-\x20]*>)\s*\{", re.I)

T = TypeVar("T")


@dataclass(frozen=True)
class Checked:
    """A text that passed the guard: the normalised ``text`` to execute and its query ``form``."""

    text: str
    form: str


def normalise(text: str) -> str:
    """``text`` with its codepoint escapes expanded once; :class:`ReadOnlyError` for an unsafe or double escape."""

    def expand(m: re.Match[str]) -> str:
        cp = int(m.group(1) or m.group(2), 16)
        if cp > 0x10FFFF or 0xD800 <= cp <= 0xDFFF:
            raise QueryError(f"SPARQL error: {m.group(0)} is not a Unicode character")
        ch = chr(cp)
        if cp < 0x80 and not ch.isalnum():
            raise ReadOnlyError(f"refused: the escape {m.group(0)} stands for {ch!r}, a character that delimits "
                                "SPARQL tokens (the parsers would read the text differently); write it as it is")
        return ch

    if "\\" not in text:
        return text
    out = _ESCAPE_RE.sub(expand, text)
    if _ANY_ESCAPE_RE.search(out):
        raise ReadOnlyError("refused: a codepoint escape is left after expanding the escapes once "
                            "(a double escape such as \\u005Cu0041); write the character itself")
    return out


def nesting(text: str) -> int:
    """The deepest nesting of ``{ ( [`` in ``text`` (brackets in strings and comments count too: an upper bound)."""
    depth = top = 0
    for ch in text:
        if ch in "{([":
            depth += 1
            top = max(top, depth)
        elif ch in "})]":
            depth = max(depth - 1, 0)
    return top


_DEEP_LOCK = threading.Lock()


def run_deep(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` in a thread with a large stack and a raised recursion limit (both restored after)."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["ok"] = fn(*args)
        except BaseException as exc:  # handed to the caller
            box["exc"] = exc

    with _DEEP_LOCK:
        old_stack, old_limit = threading.stack_size(), sys.getrecursionlimit()
        try:
            threading.stack_size(ANALYSIS_STACK_BYTES)
            sys.setrecursionlimit(max(old_limit, ANALYSIS_RECURSION_LIMIT))
            th = threading.Thread(target=target, name="yrd-kg-sparql-guard", daemon=True)
            th.start()
            th.join()
        finally:
            threading.stack_size(old_stack)
            sys.setrecursionlimit(old_limit)
    if "exc" in box:
        raise box["exc"]
    return box["ok"]  # type: ignore[no-any-return]


def nested_service(text: str) -> bool:
    """Whether a ``SERVICE`` keyword stands inside the group of another (by the lexer; strings and comments skipped)."""
    depth, open_at = 0, list[int]()  # brace depth of each SERVICE group still open
    for kind, tok in tokens(text):
        if kind == "brace":
            depth += 1 if tok == "{" else -1
            while open_at and depth <= open_at[-1]:
                open_at.pop()
        elif kind == "word" and tok.upper() == "SERVICE":
            if open_at:
                return True
            open_at.append(depth)
    return False


def _parse(text: str) -> Any:
    """The rdflib algebra of ``text``; :class:`QueryError` / :class:`ReadOnlyError` when it is not a query."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        parsed = parseQuery(text)
    except ParseException as exc:
        try:
            parseUpdate(text)
        except ParseException:
            raise QueryError(f"SPARQL syntax error: {str(exc).splitlines()[0]}") from None
        raise ReadOnlyError("refused: the text is a SPARQL Update (INSERT/DELETE/LOAD/CLEAR/DROP/CREATE/"
                            "ADD/MOVE/COPY); only read-only queries run") from None
    try:
        return translateQuery(parsed).algebra
    except RecursionError:
        raise
    except Exception as exc:  # rdflib raises many types for semantic errors
        raise QueryError(f"SPARQL error: {exc}") from None


@lru_cache(maxsize=512)
def _analyse(text: str) -> tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(form, FROM IRIs, SERVICE endpoints, projected variables) of a normalised text, by parsing it."""
    from rdflib.plugins.sparql.parserutils import CompValue

    depth = nesting(text)
    if nested_service(text):  # rdflib's parse action re-reads the whole text at each nested SERVICE: no end
        raise ReadOnlyError("refused: SERVICE inside SERVICE (rdflib's parser cannot analyse nested SERVICE "
                            "patterns; remote endpoints run only when allow-listed)")
    if depth > MAX_NESTING:
        raise QueryError(f"SPARQL error: the query nests brackets {depth} levels deep, over the limit of "
                         f"{MAX_NESTING}; refused")
    try:
        algebra = run_deep(_parse, text)
    except RecursionError:
        raise QueryError("SPARQL error: the query is too deeply nested to analyse; refused") from None
    froms = tuple(str(next(iter(v for k, v in dc.items() if k in ("default", "named"))))
                  for dc in (algebra.get("datasetClause") or ()))
    services: list[str] = []
    stack: list[Any] = [algebra]
    while stack:  # iterative: a long UNION chain makes a deep algebra
        node = stack.pop()
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                term = node.get("term")
                services.append(str(term) if isinstance(term, URIRef) else f"?{term}")
            stack.extend(node.values())
        elif isinstance(node, list | tuple):
            stack.extend(node)
    form = {"SelectQuery": "SELECT", "ConstructQuery": "CONSTRUCT", "AskQuery": "ASK",
            "DescribeQuery": "DESCRIBE"}.get(algebra.name, algebra.name)
    pv = tuple(str(v) for v in (algebra.get("PV") or ()))
    return form, froms, tuple(dict.fromkeys(services)), pv


def strict_problem(text: str, allow_endpoints: Iterable[str] | None = None) -> str | None:
    """Why a normalised text fails the strict textual check, or None.

    Without ``allow_endpoints`` (None): any ``service`` (any case, even inside a word, a string or a
    comment) outside an IRIREF. With them: every such occurrence must be ``SERVICE [SILENT] <iri> {``
    with an allow-listed ``iri``. An IRIREF holds no space, brace or angle bracket, so it can never hide
    a call; everything else is scanned, so no difference between two parsers' reading of strings,
    comments or names can hide one.
    """
    allowed = None if allow_endpoints is None else set(allow_endpoints)
    blanked = _IRIREF_RE.sub(lambda m: " " * len(m.group(0)), text)
    for m in _SERVICE_RE.finditer(blanked):
        if allowed is None:
            return ("refused: the text holds the word SERVICE and no network namespace is available here to "
                    "make a federated call impossible (strict textual fallback)")
        call = _ALLOWED_CALL_RE.match(text, m.end())
        iri = call.group(1)[1:-1] if call else None
        if iri is None or iri not in allowed:
            what = f"<{iri}>" if iri else "something other than a full allow-listed IRI"
            return (f"refused: SERVICE {what} (with --allow-endpoint every SERVICE must name an allow-listed "
                    "endpoint as a full <IRI>; the word may appear nowhere else)")
    return None


def checked(text: str, *, allow_endpoints: Iterable[str] = (), strict: bool = False) -> Checked:
    """The text to execute and its form, after every check (see :func:`check_read_only`)."""
    norm = normalise(text)
    allowed = tuple(allow_endpoints)
    if strict or allowed:
        why = strict_problem(norm, allowed if allowed else None)
        if why:
            raise ReadOnlyError(why)
    form, froms, services, _ = _analyse(norm)
    for s in services:
        if s not in allowed:
            raise ReadOnlyError(f"refused: SERVICE {s} (remote endpoints run only when allow-listed)")
    for f in froms:
        if not f.startswith(LOCAL_BASE) and f not in allowed:
            raise ReadOnlyError(f"refused: FROM <{f}> is not a local graph (allow-list it to use it)")
    return Checked(norm, form)


def check_read_only(text: str, *, allow_endpoints: Iterable[str] = (), strict: bool = False) -> str:
    """Refuse anything but a read-only query; return its form (SELECT, CONSTRUCT, ASK, DESCRIBE).

    Raises :class:`ReadOnlyError` for updates, ``SERVICE`` and ``FROM``/``FROM NAMED`` IRIs that are
    neither local (under ``https://w3id.org/yrd-kg/``) nor in ``allow_endpoints``, escapes the parsers
    would read differently (:func:`normalise`) and, with ``strict``, any ``service`` at all; and
    :class:`QueryError` for a text that does not parse as a query. Execute :func:`checked`'s text, or
    ``text`` itself: after these checks both read the same to rdflib and Oxigraph.
    """
    return checked(text, allow_endpoints=allow_endpoints, strict=strict).form
