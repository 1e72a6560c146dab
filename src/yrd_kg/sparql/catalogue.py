"""The saved-query catalogue: ``queries/*.rq`` with their ``#+`` headers, parsed once, by one function.

Each ``.rq`` file opens with a grlc-style header: lines starting with ``#+`` hold YAML (``summary``,
``description``, ``tags``, ``columns``, optional ``defaults`` and ``params``; violation queries add
``message_zh`` / ``message_en`` templates). The summary is written ``中文 / English`` or
``English / 中文``; each half goes to its own language by its script. Parameters are the variables whose
name starts with an underscore (``?_problem_iri``); the suffix gives the type:

============  =============================================================
suffix        bound as
============  =============================================================
``_iri``      an IRI (absolute ``http(s):`` or ``urn:``; ``prefix:local`` with a project prefix is expanded)
``_lang``     a language tag (plain literal, e.g. ``"zh"``); ``?_lang`` is the label language
``_int``      an ``xsd:integer``
``_num``      an ``xsd:decimal``
(other)       a plain literal (``xsd:string``)
============  =============================================================

Every consumer (the command line, validation's violation queries, the benchmarks, the site) reads
queries through :func:`load_query` / :func:`list_queries`.

>>> split_summary("短板 / Shortcomings")
('短板', 'Shortcomings')
>>> split_summary("Orphans / 孤立实例")
('孤立实例', 'Orphans')
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from typing import Literal as TypingLiteral

import yaml

import yrd_kg.resources as resources
from yrd_kg.sparql.errors import ParameterError, QueryError, UnknownQueryError
from yrd_kg.sparql.lexer import tokens

Kind = TypingLiteral["report", "construct", "violation"]
ParamType = TypingLiteral["iri", "lang", "int", "num", "literal"]

DEFAULT_LANG = "en"
#: saved queries renamed so that their names say what they return: old name → new name
RENAMED = {"place-roles": "city-mentions"}
#: a header longer than this is refused (the YAML is user-editable text)
MAX_HEADER_CHARS = 64 * 1024
#: deepest nesting of lists and mappings in a ``#+`` header
MAX_HEADER_DEPTH = 20

_HEADER_RE = re.compile(r"^#\+ ?(.*)$")
_PARAM_RE = re.compile(r"[?$](_[A-Za-z0-9_]+)")
_CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


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

    def message(self, lang: str = DEFAULT_LANG) -> str:
        """A violation query's message template in ``lang`` (``{?var}`` filled per row); the summary otherwise."""
        key = "message_zh" if lang.lower().startswith("zh") else "message_en"
        return str(self.header.get(key) or self.summary(lang) or self.name)

    def param(self, key: str) -> Param:
        """The parameter called ``key`` (``problem_iri``, ``_problem_iri`` or ``?_problem_iri``)."""
        norm = norm_key(key)
        for p in self.params:
            if p.name == norm:
                return p
        raise ParameterError(key, f"query {self.name!r} has no parameter {key!r}; valid: {param_names(self.params)}")


def header_lines(text: str) -> list[str]:
    """The YAML lines of the leading ``#+`` block (blank lines before it skipped)."""
    lines: list[str] = []
    for line in text.splitlines():
        m = _HEADER_RE.match(line)
        if m is None:
            if lines or line.strip():
                break
            continue
        lines.append(m.group(1))
    return lines


def parse_header(text: str, *, source: str = "query") -> dict[str, Any]:
    """The YAML of the leading ``#+`` lines (``{}`` when there is none); :class:`QueryError` when it is not YAML.

    Parsed with ``yaml.safe_load`` after refusing anchors and aliases (no alias expansion at all) and
    headers over :data:`MAX_HEADER_CHARS`.
    """
    lines = header_lines(text)
    if not lines:
        return {}
    block = "\n".join(lines)
    if len(block) > MAX_HEADER_CHARS:
        raise QueryError(f"{source}: #+ header longer than {MAX_HEADER_CHARS} characters; refused")
    try:
        events = list(yaml.parse(block, Loader=yaml.SafeLoader))
        if any(isinstance(e, yaml.AliasEvent) or getattr(e, "anchor", None) for e in events):
            raise QueryError(f"{source}: #+ header uses YAML anchors or aliases; refused")
        depth = top = 0
        for e in events:
            depth += isinstance(e, yaml.CollectionStartEvent) - isinstance(e, yaml.CollectionEndEvent)
            top = max(top, depth)
        if top > MAX_HEADER_DEPTH:
            raise QueryError(f"{source}: #+ header nests {top} levels deep, over the limit of {MAX_HEADER_DEPTH}; refused")
        data = yaml.safe_load(block)
    except RecursionError:
        raise QueryError(f"{source}: #+ header nested too deeply to read; refused") from None
    except yaml.YAMLError as exc:
        raise QueryError(f"{source}: #+ header is not valid YAML: {str(exc).splitlines()[0]}") from exc
    if not isinstance(data, dict):
        raise QueryError(f"{source}: #+ header is not a mapping of keys to values")
    return data


def split_summary(value: Any) -> tuple[str, str]:
    """(zh, en) of a summary written ``a / b`` in either order, or as a ``{zh:, en:}`` mapping.

    The half with the larger share of CJK characters is the Chinese one.
    """
    if isinstance(value, dict):
        return str(value.get("zh", "")).strip(), str(value.get("en", "")).strip()
    s = str(value or "").strip()
    if " / " not in s:
        return (s, "") if _CJK.search(s) else ("", s)
    a, b = (p.strip() for p in s.split(" / ", 1))

    def share(t: str) -> float:
        return len(_CJK.findall(t)) / max(1, len(t))

    return (a, b) if share(a) >= share(b) else (b, a)


def param_type(var: str) -> ParamType:
    """The type a parameter's name declares (see the module docstring)."""
    for suffix, t in (("_iri", "iri"), ("_lang", "lang"), ("_int", "int"), ("_num", "num")):
        if var.endswith(suffix) or var == suffix:
            return t  # type: ignore[return-value]
    return "literal"


def norm_key(key: str) -> str:
    """``?_problem_iri`` / ``_problem_iri`` / ``problem_iri`` → ``problem_iri``."""
    k = key.lstrip("?$")
    return k[1:] if k.startswith("_") else k


def param_names(params: Sequence[Param]) -> str:
    """The parameter names for a message (``(none)`` when there are none)."""
    names = [p.name for p in params]
    return ", ".join(names) if names else "(none)"


def params_of(text: str, header: Mapping[str, Any]) -> tuple[Param, ...]:
    """The parameters of a query text: its ``?_name`` variables, with defaults and descriptions from the header."""
    defaults_raw = header.get("defaults") or {}
    defaults: dict[str, str] = {}
    if isinstance(defaults_raw, list):
        for item in defaults_raw:
            if isinstance(item, dict):
                defaults.update({norm_key(str(k)): str(v) for k, v in item.items()})
    elif isinstance(defaults_raw, dict):
        defaults = {norm_key(str(k)): str(v) for k, v in defaults_raw.items()}
    descr_raw = header.get("params") or {}
    descr = {norm_key(str(k)): str(v) for k, v in descr_raw.items()} if isinstance(descr_raw, dict) else {}
    seen: dict[str, Param] = {}
    scan = "".join(tok for kind, tok in tokens(text) if kind in ("var", "other", "word"))
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


def kind_of(name: str) -> Kind:
    """The kind a file name declares: ``construct-*``, ``*-violation`` or a report."""
    if name.startswith("construct-"):
        return "construct"
    if name.endswith("-violation"):
        return "violation"
    return "report"


def load_query(path: Path) -> SavedQuery:
    """Read and parse one ``.rq`` file (cached until the file changes)."""
    try:
        st = path.stat()
    except OSError as exc:
        raise UnknownQueryError(f"{path}: cannot read the query: {exc.strerror or exc}") from exc
    return _load_query(path.resolve(), st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=512)
def _load_query(path: Path, _mtime: int, _size: int) -> SavedQuery:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryError(f"{path}: cannot read the query: {exc}") from exc
    header = parse_header(text, source=str(path))
    zh, en = split_summary(header.get("summary"))
    tags = header.get("tags") or ()
    cols = header.get("columns") or ()
    return SavedQuery(
        name=path.stem,
        path=path,
        kind=kind_of(path.stem),
        summary_zh=zh,
        summary_en=en,
        description=" ".join(str(header.get("description", "")).split()),
        tags=tuple(str(t) for t in (tags if isinstance(tags, list) else [tags])),
        params=params_of(text, header),
        columns=tuple(str(c).lstrip("?") for c in (cols if isinstance(cols, list) else str(cols).split())),
        text=text,
        header=header,
    )


def _folder(directory: Path | None) -> Path:
    return Path(directory) if directory is not None else resources.queries_dir()


def list_queries(directory: Path | None = None, *, kind: Kind | None = None) -> list[SavedQuery]:
    """Every saved query in ``directory`` (default: the packaged ``queries/``), sorted by name."""
    out = [load_query(p) for p in sorted(_folder(directory).glob("*.rq"))]
    return [q for q in out if kind is None or q.kind == kind]


def query_names(directory: Path | None = None) -> list[str]:
    """The names of the saved queries, sorted."""
    return [p.stem for p in sorted(_folder(directory).glob("*.rq"))]


def get_query(name: str, directory: Path | None = None) -> SavedQuery:
    """The saved query called ``name`` (with or without ``.rq``); an unknown name suggests the closest ones."""
    stem = name[:-3] if name.endswith(".rq") else name
    folder = _folder(directory)
    if not stem or "/" in stem or "\\" in stem or stem.startswith(".") or "\x00" in stem:
        raise UnknownQueryError(f"invalid query name {name!r}")
    path = folder / f"{stem}.rq"
    if not path.is_file() and stem in RENAMED and (folder / f"{RENAMED[stem]}.rq").is_file():
        raise UnknownQueryError(f"no saved query {name!r}: it was renamed to {RENAMED[stem]!r}")
    if not path.is_file():
        names = query_names(directory)
        close = difflib.get_close_matches(stem, names, n=3, cutoff=0.5)
        hint = f"; did you mean {' or '.join(close)}?" if close else ""
        raise UnknownQueryError(f"no saved query {name!r}{hint} (`yrd-kg queries` lists all {len(names)})")
    return load_query(path)
