"""The one name resolver: a short id, section number, CURIE, IRI or label fragment → the IRI of a node.

Every place that expects a node uses it: ``trace P4.3`` (over the chain graph), ``describe 链长制`` and
``mentions`` (over every labelled entity of the graph), ``query -p problem_iri=P4.3`` (a saved query's
``_iri`` parameter, :func:`resolve_parameters`). The order of the tests:

1. an IRI or a CURIE with a project prefix that names a candidate (or, for parameters, any node the graph has);
2. a section number: ``3.1.1`` → ``P1.1`` (三), ``4.2`` → ``B2`` (四), ``5.2.3`` → ``R2.3`` (五);
3. a notation (``P1.1``, ``B2.3``, ``R4.2``, ``c14``, ``[14]``, ``s3.1.1``), case-insensitive;
4. a whole zh/en label, then a fragment of a preferred or alternative label (preferred kinds first); a
   document part that carries the same title as the one node it holds yields to that node.

Several matches raise :class:`AmbiguousNodeError` (exit 2, the candidates listed); none,
:class:`NodeNotFoundError`.

>>> c = [Candidate("https://w3id.org/yrd-kg/id/problem/P1.1", ("problem",), "P1.1", "集群同质化竞争比较明显", "x")]
>>> resolve_name("3.1.1", c)
'https://w3id.org/yrd-kg/id/problem/P1.1'
>>> resolve_name("同质化", c)
'https://w3id.org/yrd-kg/id/problem/P1.1'
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from yrd_kg.errors import InputError
from yrd_kg.namespaces import ID, compact, expand
from yrd_kg.sparql.catalogue import Param, norm_key
from yrd_kg.sparql.errors import ParameterError

#: section (first digit of a "3.1.1"-style number) → notation letter
SECTION_LETTER = {"3": "P", "4": "B", "5": "R"}
_SECTION_NUMBER = re.compile(r"([345])\.(\d+)(?:\.(\d+))?")
#: at most this many candidates are listed in an ambiguity message
MAX_LISTED = 40
#: kinds of a document part: a part titled like the sub-point, path or measure it holds yields to it
#: (the part itself is named by its notation, ``s3.1.1``, or its CURIE)
PART_KINDS = frozenset({"yrd:Section", "yrd:Subsection", "yrd:SubPoint", "yrd:DocumentPart", "yrd:Table", "yrd:Note"})


class Named(Protocol):
    """What the resolver reads of a candidate (a :class:`Candidate` or a chain node)."""

    @property
    def iri(self) -> str: ...  # noqa: D102

    @property
    def kinds(self) -> tuple[str, ...]: ...  # noqa: D102

    @property
    def notation(self) -> str: ...  # noqa: D102

    @property
    def label_zh(self) -> str: ...  # noqa: D102

    @property
    def label_en(self) -> str: ...  # noqa: D102

    @property
    def alt_labels(self) -> tuple[str, ...]: ...  # noqa: D102

    @property
    def kind(self) -> str: ...  # noqa: D102

    @property
    def curie(self) -> str: ...  # noqa: D102

    def label(self, lang: str = "zh") -> str: ...  # noqa: D102


@dataclass(frozen=True)
class Candidate:
    """A labelled entity of the graph: IRI, kinds (class CURIEs, most specific first), notation and labels."""

    iri: str
    kinds: tuple[str, ...]
    notation: str = ""
    label_zh: str = ""
    label_en: str = ""
    alt_labels: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        """The first kind (a class CURIE such as ``yrd:ProblemSubPoint``)."""
        return self.kinds[0] if self.kinds else "other"

    @property
    def curie(self) -> str:
        """Compact IRI (``problem:P1.1``)."""
        return compact(self.iri)

    def label(self, lang: str = "zh") -> str:
        """The preferred label in ``lang`` (falling back to the other language, then the CURIE)."""
        first, second = (self.label_zh, self.label_en) if lang == "zh" else (self.label_en, self.label_zh)
        return first or second or self.curie


class NodeNotFoundError(InputError, LookupError):
    """No node matches the name."""


class AmbiguousNodeError(InputError, LookupError):
    """Several nodes match the name; :attr:`matches` lists them."""

    def __init__(self, query: str, matches: Sequence[Any]) -> None:
        self.query = query
        self.matches = list(matches)
        super().__init__(self.message("en"))

    def message(self, lang: str = "zh") -> str:
        """The matches, one per line (at most :data:`MAX_LISTED`)."""
        lines = [f"ambiguous: {self.query!r} matches {len(self.matches)} nodes; "
                 "give a number, an IRI or a longer label:"]
        for n in self.matches[:MAX_LISTED]:
            lines.append(f"  {n.curie:<44} {n.kind:<22} {n.label(lang)}")
        if len(self.matches) > MAX_LISTED:
            lines.append(f"  … +{len(self.matches) - MAX_LISTED}")
        return "\n".join(lines)


def norm(text: str) -> str:
    """Case-folded text with runs of whitespace as one space (how labels are compared)."""
    return " ".join(text.casefold().split())


def notation_of(query: str) -> str:
    """``3.1.1`` → ``P1.1``, ``4.2`` → ``B2``; anything else unchanged."""
    m = _SECTION_NUMBER.fullmatch(query.strip())
    if not m:
        return query.strip()
    return SECTION_LETTER[m.group(1)] + m.group(2) + (f".{m.group(3)}" if m.group(3) else "")


def _natural(text: str) -> list[tuple[int, Any]]:
    return [(0, int(t)) if t.isdigit() else (1, t) for t in re.split(r"(\d+)", text) if t]


def resolve_name(query: str, candidates: Iterable[Named], prefer: Iterable[str] = (), *,
                 rank: Callable[[Named], int] | None = None, known: Callable[[str], bool] | None = None) -> str:
    """The IRI of the one candidate ``query`` names (see the module docstring for the order of the tests).

    ``prefer``: kinds searched first for a label (all candidates when none of them matches). ``rank``
    orders the candidates of an ambiguity message. ``known(iri)``: accept an IRI that is no candidate
    (a node the graph has without a label).
    """
    q = query.strip()
    if not q:
        raise NodeNotFoundError("empty node name")
    nodes = list(candidates)
    by_iri = {n.iri: n for n in nodes}
    iri = expand(q)
    if iri is not None and (iri in by_iri or (known is not None and known(iri))):
        return iri
    wanted = notation_of(q).casefold()
    hits = [n for n in nodes if n.notation and n.notation.casefold() == wanted]
    order = rank or (lambda n: 0)

    def key(n: Named) -> tuple[Any, ...]:
        return (order(n), _natural(n.notation) if n.notation else [(1, "")], n.iri)

    if len({n.iri for n in hits}) == 1:
        return hits[0].iri
    if hits:
        raise AmbiguousNodeError(query, sorted(hits, key=key))
    needle = norm(q)
    pref = set(prefer)
    groups = [[n for n in nodes if pref & set(n.kinds)]] if pref else []
    groups.append(nodes)

    def whole(n: Named) -> bool:
        return needle in {norm(n.label_zh), norm(n.label_en)}

    def fragment(n: Named) -> bool:
        return any(needle in norm(t) for t in (n.label_zh, n.label_en, *n.alt_labels) if t)

    for test in (whole, fragment):  # a whole label anywhere beats a fragment of a preferred kind
        for group in groups:
            found = [n for n in group if test(n)]
            content = [n for n in found if not PART_KINDS & set(n.kinds)]
            if len(found) == 1 or len(content) == 1:  # a document part shares its title with what it says
                return (content or found)[0].iri
            if found:
                raise AmbiguousNodeError(query, sorted(found, key=key))
    if iri is not None and iri.startswith(str(ID)):
        raise NodeNotFoundError(f"no node {compact(iri)} in the graph")
    raise NodeNotFoundError(f"no node matches {query!r} (try a number like P1.1 / 3.1.1 / R2.3, an IRI or a label)")


# --------------------------------------------------------------------------- the graph's entities

#: every labelled or numbered entity of the graph, with its classes
INDEX_QUERY = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?x ?class ?notation ?label ?alt WHERE {
  ?x a ?class .
  { ?x skos:prefLabel ?label FILTER(LANG(?label) IN ("zh", "en")) } UNION { ?x skos:altLabel ?alt }
  UNION { ?x skos:notation ?notation }
  FILTER(isIRI(?x) && STRSTARTS(STR(?x), "https://w3id.org/yrd-kg/id/"))
}
"""

#: classes in the order an ambiguity lists them (the argument first, then what it acts on); others after
CLASS_RANK = tuple(f"yrd:{c}" for c in (
    "Shortcoming", "ProblemSubPoint", "BreakthroughPath", "PathAction", "PolicyRecommendation", "PolicyMeasure",
    "Cause", "Effect", "CausalFactor", "PolicyInstrument", "Actor", "Organisation", "PolicyDocument", "Exemplar",
    "TheoryOrConcept", "Argument", "AttributedPosition", "Finding", "IndustrialCluster", "Industry", "Indicator",
    "ProvinceLevelDivision", "City", "MacroRegion", "CrossBoundaryArea", "Country", "Region", "ForeignLocation",
    "Section", "Subsection", "SubPoint", "Reference", "Citation", "CitedWork"))


def class_rank(n: Named) -> int:
    """Position of the candidate's best-ranked class in :data:`CLASS_RANK` (unknown classes last)."""
    return min((CLASS_RANK.index(k) for k in n.kinds if k in CLASS_RANK), default=len(CLASS_RANK))


def candidates_from_rows(rows: Iterable[Sequence[Any]]) -> list[Candidate]:
    """Candidates from rows of (x, class, notation, label, alt) pyoxigraph terms (``None`` when unbound)."""
    acc: dict[str, dict[str, Any]] = {}
    for x, cls, notation, label, alt in rows:
        d = acc.setdefault(x.value, {"kinds": set(), "notation": [], "zh": [], "en": [], "alt": set()})
        d["kinds"].add(compact(cls.value))
        if notation is not None:
            d["notation"].append(notation.value)
        if label is not None and label.language in ("zh", "en"):
            d[label.language].append(label.value)
        if alt is not None:
            d["alt"].add(alt.value)
    out = []
    for iri, d in acc.items():
        kinds = tuple(sorted(d["kinds"], key=lambda k: (CLASS_RANK.index(k) if k in CLASS_RANK
                                                         else 99 if k.startswith("yrd:") else 100, k)))
        out.append(Candidate(iri, kinds, min(d["notation"], default=""), min(d["zh"], default=""),
                             min(d["en"], default=""), tuple(sorted(d["alt"]))))
    return sorted(out, key=lambda c: c.iri)


class _Selecting(Protocol):
    def select(self, query_text: str) -> Any: ...


def graph_candidates(engine: _Selecting) -> list[Candidate]:
    """Every labelled or numbered entity of the graph ``engine`` answers for."""
    cache = getattr(engine, "_yrd_candidates", None)
    if cache is None:
        cache = candidates_from_rows(engine.select(INDEX_QUERY).rows)
        with contextlib.suppress(AttributeError):  # an engine with __slots__ just does not cache
            engine._yrd_candidates = cache  # type: ignore[attr-defined]
    return cache


def in_graph(engine: _Selecting, iri: str) -> bool:
    """True when some triple of the graph has ``iri`` as its subject or object."""
    import pyoxigraph as ox

    node = str(ox.NamedNode(iri))
    return bool(engine.select(f"ASK {{ {{ {node} ?p ?o }} UNION {{ ?s ?p {node} }} }}").boolean)


#: parameter name (without ``_iri``) → kinds preferred for a label
PARAM_PREFER: Mapping[str, tuple[str, ...]] = {
    "problem": ("yrd:Shortcoming", "yrd:ProblemSubPoint"),
    "remedy": ("yrd:PathAction", "yrd:PolicyMeasure", "yrd:BreakthroughPath", "yrd:PolicyRecommendation"),
}


def resolve_parameters(params: Sequence[Param], values: Mapping[str, Any], engine: _Selecting) -> dict[str, Any]:
    """``values`` with every ``_iri`` parameter given as a name resolved to the IRI of a node of the graph.

    An IRI or CURIE must name a node the graph has; a short id, section number or label is resolved
    with :func:`resolve_name` over the graph's entities. Either failure is a :class:`ParameterError`
    naming the parameter (exit 2). Values that are not strings, and values of other types, pass through
    (binding checks them).
    """
    from yrd_kg.sparql.binding import make_term

    by_name = {p.name: p for p in params}
    out = dict(values)
    for key, value in values.items():
        p = by_name.get(norm_key(key))
        if p is None or p.type != "iri" or not isinstance(value, str):
            continue
        text = value.strip()
        iri = expand(text)
        if iri is not None:
            node = make_term(p, text).value  # refuses what is no IRI before any query sees it
            if not in_graph(engine, node):
                raise ParameterError(p.name, f"parameter {p.name!r}: {compact(node)} is not a node of the graph "
                                             "(no triple names it)")
            out[key] = node
            continue
        prefer = PARAM_PREFER.get(p.name.removesuffix("_iri"), ())
        try:
            out[key] = resolve_name(text, graph_candidates(engine), prefer, rank=class_rank)
        except (NodeNotFoundError, AmbiguousNodeError) as exc:
            msg = exc.message("en") if isinstance(exc, AmbiguousNodeError) else str(exc)
            raise ParameterError(p.name, f"parameter {p.name!r}: {msg}") from exc
    return out
