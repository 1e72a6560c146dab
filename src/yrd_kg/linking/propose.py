"""Link the graph with another ontology or thesaurus: load it beside ours, propose mappings by label and code.

``link_file(path)`` loads a local file (Turtle, RDF/XML, JSON-LD, N-Triples … through the safe
:func:`yrd_kg.loader.parse_file`; OWL Manchester or functional syntax through py-horned-owl) into its
own named graph ``…/graph/linked/<name>`` and proposes candidate mappings from our entities to its
entities as SSSOM rows with a score:

===========================  =====  =======================================================
evidence                     score  predicate proposed
===========================  =====  =======================================================
same NACE Rev. 2 code        0.95   the predicate our data already uses for that NACE code
same ISIC Rev. 4 code        0.90   ``skos:closeMatch``
same normalised label        1.00   ``skos:exactMatch`` (0.95 when only a variant matched)
token Jaccard >= min-score   J      ``skos:closeMatch`` (J >= 0.8) or ``skos:relatedMatch``
===========================  =====  =======================================================

Labels are normalised by NFKC, case-folding and removing punctuation and whitespace; words such as
"manufacture of" are kept. A second variant drops parenthesised qualifiers ("Economic instrument
(OEO)" → "economic instrument"). Chinese labels are compared as character bigrams.

``accept(reviewed, name)`` turns a reviewed candidates file into Turtle under
``mappings/accepted/<name>.ttl`` (see docs/LINKING.md for the review convention).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

import yrd_kg.resources as resources
from yrd_kg.dataset.build import write_atomic
from yrd_kg.dataset.loader import (
    DEFAULT_MAX_BYTES,
    FORMATS,
    OWL_SYNTAXES,
    LoadError,
    check_local_path,
    check_owl_nesting,
    parse_file,
    read_file,
    read_text,
)
from yrd_kg.errors import InputError
from yrd_kg.linking.sssom import (
    CURIE_MAP,
    NO_TERM_FOUND,
    REJECT_PREDICATES,
    CurieMap,
    MappingRow,
    MappingSet,
    SSSOMError,
    read_sssom,
    rows_to_graph,
    validate_sssom,
    write_sssom,
)
from yrd_kg.namespaces import BASE, GRAPH, ID, NACE2, NACE_RAMON, VERSION, YRD
from yrd_kg.worker import DEFAULT_TIMEOUT, SandboxError, SandboxTimeout, run_with_timeout

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph as ox

OBO_IN_OWL = "http://www.geneontology.org/formats/oboInOwl#"
IAO_ALT_LABEL = URIRef("http://purl.obolibrary.org/obo/IAO_0000118")
RAMON = "http://ec.europa.eu/eurostat/ramon/ontologies/nace.rdf#"
DEFAULT_MIN_SCORE = 0.5

#: properties whose literals are labels
LABEL_PROPS: tuple[URIRef, ...] = (
    SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel, RDFS.label, IAO_ALT_LABEL, URIRef(RAMON + "name"),
    *(URIRef(OBO_IN_OWL + p) for p in ("hasExactSynonym", "hasRelatedSynonym", "hasNarrowSynonym",
                                        "hasBroadSynonym", "hasSynonym")),
)
#: properties whose literals are codes, and the code system each gives
CODE_PROPS: dict[URIRef, str] = {
    URIRef(RAMON + "code"): "nace",
    URIRef(RAMON + "iSIC4Code"): "isic",
    YRD.isicRev4Code: "isic",
    YRD.gbt4754Code: "gbt4754",
    SKOS.notation: "notation",
}
#: the kinds of our entities offered for linking
LINKABLE_KINDS = ("industry", "gbt4754", "itype", "instrument", "place", "org", "actor", "document", "cluster",
                  "concept")


class LinkError(InputError):
    """Linking failed (bad file, bad review file …); the message says why."""


# --------------------------------------------------------------------------- loading


def _horned_graph(path: Path, fmt: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Graph:
    """Read OWL Manchester/functional syntax with py-horned-owl, in a worker (nesting capped first)."""
    p = check_local_path(path)
    check_owl_nesting(p, read_file(p, max_bytes=max_bytes))
    try:
        return run_with_timeout(_horned_graph_now, p, fmt, timeout=DEFAULT_TIMEOUT, network=False,
                                what=f"reading {p}")
    except SandboxTimeout:
        raise
    except SandboxError as exc:  # a crash of the Rust parser
        raise LoadError(p, f"py-horned-owl failed on this file: {exc}") from exc


def _horned_graph_now(p: Path, fmt: str) -> Graph:
    """Read OWL Manchester/functional syntax with py-horned-owl: classes, labels and named superclasses."""
    try:
        import pyhornedowl
    except ImportError:
        raise LoadError(p, f"unsupported format {fmt}: OWL {fmt} syntax needs py-horned-owl "
                           "(pip install 'yrd-kg[owl]')") from None
    try:  # imports are not followed: py-horned-owl reads the one file (nothing is fetched)
        onto = pyhornedowl.open_ontology_from_file(str(p), "omn" if fmt == "manchester" else "ofn")
    except Exception as exc:
        raise LoadError(p, f"cannot parse as OWL {fmt} syntax: {exc}") from exc
    g = Graph()
    label_props = [str(x) for x in LABEL_PROPS] + [str(SKOS.definition)]
    for kind, rdf_class, items in (
        ("class", OWL.Class, onto.get_classes()),
        ("individual", OWL.NamedIndividual, onto.get_named_individuals()),
    ):
        for iri in sorted(items):
            node = URIRef(iri)
            g.add((node, RDF.type, rdf_class))
            for prop in label_props:
                try:
                    values = onto.get_annotations(iri, prop)
                except Exception:  # noqa: S112 - an IRI the index does not know: no annotations
                    continue
                for v in values or ():
                    if isinstance(v, str) and v.strip():
                        g.add((node, URIRef(prop), Literal(v)))
            if kind == "class":
                for sup in sorted(onto.get_superclasses(iri) or ()):
                    if isinstance(sup, str):
                        g.add((node, RDFS.subClassOf, URIRef(sup)))
    return g


def load_external(path: Path | str, fmt: str | None = None) -> tuple[Graph, str]:
    """Parse a local ontology/thesaurus; returns the graph and the format used."""
    p = check_local_path(str(path))
    fmt = fmt or FORMATS.get(p.suffix.lower())
    if fmt in OWL_SYNTAXES:
        return _horned_graph(p, fmt), fmt
    loaded = parse_file(p, fmt)
    return loaded.graph, loaded.format


def graph_name(path: Path | str) -> str:
    """The slug of the linked graph for ``path`` (``nace_r2.ttl`` → ``nace-r2``)."""
    stem = Path(path).name.split(".")[0]
    slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")
    return slug or "linked"


def linked_graph_iri(name: str) -> URIRef:
    """``https://w3id.org/yrd-kg/graph/linked/<name>``."""
    return GRAPH[f"linked/{name}"]


def accepted_graph_iri(name: str) -> URIRef:
    """``https://w3id.org/yrd-kg/graph/mappings/accepted/<name>``."""
    return GRAPH[f"mappings/accepted/{name}"]


def default_accepted_dir() -> Path:
    """``mappings/accepted`` beside ``data/`` (versioned with the repository; see docs/LINKING.md)."""
    return resources.data_dir().parent / "mappings" / "accepted"


# --------------------------------------------------------------------------- normalising


_PAREN_RE = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]")
_CODE_PREFIX_RE = re.compile(r"^\s*[A-Z]?\d+(?:\.\d+)*\s*[-–—:]\s+")
_CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def normalise(label: str) -> str:
    """NFKC, case-folded, punctuation and whitespace removed (the form exact matches compare)."""
    s = unicodedata.normalize("NFKC", label).casefold()
    return "".join(ch for ch in s if unicodedata.category(ch)[0] in "LN")


def variants(label: str) -> list[str]:
    """The label and, when different, the label without a leading code ("29 - ") or parenthesised parts."""
    out = [label.strip()]
    bare = _CODE_PREFIX_RE.sub("", label)
    for v in (bare.strip(), re.sub(r"\s+", " ", _PAREN_RE.sub(" ", bare)).strip()):
        if v and v not in out:
            out.append(v)
    return out


def tokens(label: str) -> frozenset[str]:
    """Words (latin: light suffix stripping) and character bigrams of CJK runs."""
    s = unicodedata.normalize("NFKC", label).casefold()
    out: set[str] = set()
    for run in re.findall(r"[\u3400-\u9fff\uf900-\ufaff]+|[^\W_]+", s):
        if _CJK_RE.match(run):
            out.update(run[i:i + 2] for i in range(max(1, len(run) - 1)))
        else:
            out.add(re.sub(r"(ing|ed|es|s|e)$", "", run) if len(run) > 4 else run)
    return frozenset(out)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """|a ∩ b| / |a ∪ b| (0 for two empty sets)."""
    if not a and not b:
        return 0.0
    return len(a & b) / len(a | b)


# --------------------------------------------------------------------------- entities


@dataclass
class Entity:
    """Something to match: its IRI, labels (literal, property) and codes (system → values)."""

    iri: URIRef
    labels: list[tuple[Literal, URIRef]] = field(default_factory=list)
    codes: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    nace_predicates: dict[str, URIRef] = field(default_factory=dict)

    def label(self, lang: str = "en") -> str:
        """A display label (``lang`` preferred)."""
        for lit, _ in self.labels:
            if lit.language == lang:
                return str(lit)
        return str(self.labels[0][0]) if self.labels else ""


def _nace_code(iri: str) -> str | None:
    for ns in (str(NACE2), str(NACE_RAMON)):
        if iri.startswith(ns):
            code = iri[len(ns):].replace(".", "")
            if re.fullmatch(r"[A-U]|\d{2,4}", code):
                return code
    return None


def entities_of(g: Graph, *, ours: bool) -> dict[URIRef, Entity]:
    """The labelled (or coded) entities of ``g``; for ours, only the linkable kinds of :data:`LINKABLE_KINDS`."""
    out: dict[URIRef, Entity] = {}

    def ent(s: URIRef) -> Entity | None:
        if ours:
            rest = str(s)[len(str(ID)):] if str(s).startswith(str(ID)) else ""
            if rest.split("/", 1)[0] not in LINKABLE_KINDS:
                return None
        return out.setdefault(s, Entity(s))

    for p in LABEL_PROPS:
        for s, o in g.subject_objects(p):
            if isinstance(s, URIRef) and isinstance(o, Literal) and str(o).strip():
                e = ent(s)
                if e is not None:
                    e.labels.append((o, p))
    for p, system in CODE_PROPS.items():
        for s, o in g.subject_objects(p):
            if not isinstance(s, URIRef) or not isinstance(o, Literal):
                continue
            e = ent(s)
            if e is None:
                continue
            sys_ = system
            if system == "notation":
                if _nace_code(str(s)) is not None:
                    sys_ = "nace"
                elif str(s).startswith(str(ID["gbt4754/"])):
                    sys_ = "gbt4754"
            e.codes[sys_].add(str(o).replace(".", "") if sys_ == "nace" else str(o))
    for s in list(out) if not ours else []:
        code = _nace_code(str(s))
        if code:
            out[s].codes["nace"].add(code)
    if ours:  # NACE codes our data carries through its skos matches
        for p in (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch):
            for s, o in g.subject_objects(p):
                code = _nace_code(str(o)) if isinstance(o, URIRef) else None
                if code and isinstance(s, URIRef):
                    e = ent(s)
                    if e is not None:
                        e.codes["nace"].add(code)
                        e.nace_predicates.setdefault(code, p)
    return out


# --------------------------------------------------------------------------- proposing


@dataclass
class Candidate:
    """A proposed mapping with its score and what matched."""

    subject: Entity
    object: Entity
    predicate: URIRef
    score: float
    justification: str
    match_string: str
    subject_field: str
    object_field: str
    measure: str = ""


def propose(ours: dict[URIRef, Entity], theirs: dict[URIRef, Entity], *,
            min_score: float = DEFAULT_MIN_SCORE) -> list[Candidate]:
    """Candidate mappings from ``ours`` to ``theirs`` (best per pair), scored as in the module docstring."""
    best: dict[tuple[URIRef, URIRef], Candidate] = {}

    def keep(c: Candidate) -> None:
        if c.score < min_score:
            return
        k = (c.subject.iri, c.object.iri)
        if k not in best or c.score > best[k].score:
            best[k] = c

    # codes
    index: dict[tuple[str, str], list[Entity]] = defaultdict(list)
    for e in theirs.values():
        for system, values in e.codes.items():
            for v in values:
                index[(system, v)].append(e)
    for e in ours.values():
        for system, values in e.codes.items():
            if system == "gbt4754":
                continue  # GB/T codes are never compared with other systems' codes
            for v in sorted(values):
                for t in index.get((system, v), []):
                    if system == "nace":
                        pred = e.nace_predicates.get(v, SKOS.closeMatch)
                        keep(Candidate(e, t, pred, 0.95, "semapv:LexicalMatching", v,
                                       "nace-code", _code_field(t, "nace")))
                    elif system == "isic":
                        keep(Candidate(e, t, SKOS.closeMatch, 0.9, "semapv:LexicalMatching", v,
                                       str(YRD.isicRev4Code), _code_field(t, "isic")))
                    else:
                        keep(Candidate(e, t, SKOS.closeMatch, 0.8, "semapv:LexicalMatching", v,
                                       str(SKOS.notation), _code_field(t, system)))
    # labels
    exact: dict[str, list[tuple[Entity, URIRef, bool]]] = defaultdict(list)
    tok_index: dict[str, set[URIRef]] = defaultdict(set)
    their_tokens: dict[URIRef, list[tuple[frozenset[str], str, URIRef]]] = defaultdict(list)
    for t in theirs.values():
        for lit, prop in t.labels:
            for i, v in enumerate(variants(str(lit))):
                n = normalise(v)
                if n:
                    exact[n].append((t, prop, i == 0))
                toks = tokens(v)
                if toks:
                    their_tokens[t.iri].append((toks, v, prop))
                    for tok in toks:
                        tok_index[tok].add(t.iri)
    for e in ours.values():
        for lit, prop in e.labels:
            for i, v in enumerate(variants(str(lit))):
                n = normalise(v)
                for t, tprop, original in exact.get(n, []):
                    score = 1.0 if i == 0 and original else 0.95
                    keep(Candidate(e, t, SKOS.exactMatch, score, "semapv:LexicalMatching", v, str(prop), str(tprop)))
                toks = tokens(v)
                if not toks:
                    continue
                near: set[URIRef] = set()
                for tok in toks:
                    near |= tok_index.get(tok, set())
                for tiri in near:
                    for ttoks, tv, tprop in their_tokens[tiri]:
                        j = jaccard(toks, ttoks)
                        if j >= min_score and j < 1.0:
                            pred = SKOS.closeMatch if j >= 0.8 else SKOS.relatedMatch
                            keep(Candidate(e, theirs[tiri], pred, round(j, 3),
                                           "semapv:LexicalSimilarityThresholdMatching", f"{v} | {tv}",
                                           str(prop), str(tprop), "token Jaccard"))
    return sorted(best.values(), key=lambda c: (-c.score, str(c.subject.iri), str(c.object.iri)))


def _code_field(e: Entity, system: str) -> str:
    return {"nace": RAMON + "code", "isic": RAMON + "iSIC4Code"}.get(system, str(SKOS.notation))


# --------------------------------------------------------------------------- the command's library calls


@dataclass
class LinkResult:
    """What ``link_file`` did: the linked graph's name and IRI, its size, and the candidates (SSSOM text)."""

    name: str
    graph_iri: URIRef
    format: str
    triples: int
    candidates: list[Candidate]
    sssom: str


def _curie_map_for(g: Graph, name: str) -> dict[str, str]:
    cmap = dict(CURIE_MAP)
    known = set(cmap.values())
    for pfx, ns in g.namespaces():
        ns_s = str(ns)
        if ns_s in known:
            continue
        p = pfx or name
        if not re.fullmatch(r"[A-Za-z_][\w.\-]*", p) or p in cmap:
            p = f"{name}-{len(cmap)}"
        cmap[p] = ns_s
        known.add(ns_s)
    return cmap


def _ns_of(iri: str) -> str:
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[:cut + 1]


def link_file(path: Path | str, *, fmt: str | None = None, min_score: float = DEFAULT_MIN_SCORE,
              ours: Graph | None = None, store: ox.Store | None = None) -> LinkResult:
    """Load ``path`` beside our graph and propose candidate mappings (SSSOM text in the result).

    When ``store`` (pyoxigraph) is given, the external graph is also loaded into it, in the named
    graph ``…/graph/linked/<name>``; nothing is written to ``data/``.
    """
    if not 0.0 < min_score <= 1.0:
        raise LinkError(f"--min-score must be in (0, 1], got {min_score}")
    g, used_fmt = load_external(path, fmt)
    name = graph_name(path)
    if ours is None:
        from yrd_kg.dataset.store import open_dataset

        ours = open_dataset().rdflib_graph()
    cands = propose(entities_of(ours, ours=True), entities_of(g, ours=False), min_score=min_score)
    cmap = _curie_map_for(g, name)
    curies = CurieMap(cmap)
    for c in cands:  # a namespace for every IRI the map does not cover
        for iri in (str(c.object.iri), c.object_field, c.subject_field):
            if ":" not in iri:
                continue
            try:
                curies.compact(iri)
            except SSSOMError:
                cmap[f"{name}-{len(cmap)}"] = _ns_of(iri)
                curies = CurieMap(cmap)
    rows = [MappingRow(str(c.subject.iri), str(c.predicate), str(c.object.iri), c.justification,
                       subject_label=c.subject.label(), object_label=c.object.label(), confidence=c.score,
                       match_string=c.match_string,
                       subject_match_field=c.subject_field if ":" in c.subject_field else "",
                       object_match_field=c.object_field if ":" in c.object_field else "",
                       similarity_score=c.score if c.measure else None, similarity_measure=c.measure,
                       mapping_tool="yrd-kg link", comment="candidate: review before accepting")
            for c in cands]
    meta = {
        "mapping_set_id": f"{BASE}mappings/candidates/{name}",
        "mapping_set_version": VERSION,
        "mapping_set_title": f"Candidate mappings from yrd-kg to {Path(path).name} (for review)",
        "license": "https://spdx.org/licenses/MIT.html",
        "mapping_tool": "yrd-kg link",
        "mapping_tool_version": VERSION,
        "object_source": str(_ontology_iri(g) or linked_graph_iri(name)),
        "comment": "Proposed by label and code; not reviewed. See docs/LINKING.md for the review convention.",
    }
    text = write_sssom(rows, meta, cmap)
    if store is not None:
        load_into_store(store, g, name)
    return LinkResult(name, linked_graph_iri(name), used_fmt, len(g), cands, text)


def _ontology_iri(g: Graph) -> URIRef | None:
    for s in g.subjects(RDF.type, OWL.Ontology):
        if isinstance(s, URIRef):
            return s
    return None


def load_into_store(store: ox.Store, g: Graph, name: str, *, accepted: bool = False) -> ox.NamedNode:
    """Add ``g`` to a pyoxigraph store in ``…/graph/linked/<name>`` (or ``…/mappings/accepted/<name>``)."""
    import pyoxigraph as ox

    from yrd_kg.dataset.terms import from_graph

    gid = ox.NamedNode(str(accepted_graph_iri(name) if accepted else linked_graph_iri(name)))
    store.extend(from_graph(g, gid))
    return gid


def is_rejected(row: dict[str, str]) -> bool:
    """A reviewed row that must not be accepted (see docs/LINKING.md)."""
    if row.get("predicate_id", "") in REJECT_PREDICATES:
        return True
    if row.get("predicate_modifier", "").strip().lower() == "not":
        return True
    if row.get("object_id", "") in ("", NO_TERM_FOUND):
        return True
    return row.get("comment", "").strip().upper().startswith(("REJECT", "REJECTED"))


@dataclass
class AcceptResult:
    """What ``accept`` wrote: the Turtle file, accepted and rejected row counts."""

    path: Path
    graph_iri: URIRef
    accepted: int
    rejected: int


_PLAIN_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def check_plain_name(name: str) -> str:
    """``name`` when it is a plain file name (letters, digits, ``.``, ``_``, ``-``; no separator, no ``..``)."""
    if not _PLAIN_NAME_RE.fullmatch(name) or ".." in name:
        raise LinkError(f"--name {name!r}: must be a plain name (letters, digits, '.', '_', '-'; "
                        "no path separator, no '..', at most 100 characters)")
    return name


def accept(reviewed: Path | str, name: str, *, accepted_dir: Path | None = None) -> AcceptResult:
    """Write the accepted rows of a reviewed SSSOM file as Turtle under ``mappings/accepted/<name>.ttl``."""
    check_plain_name(name)
    p = Path(reviewed)
    text = read_text(p)
    problems = validate_sssom(text)
    if problems:
        raise LinkError(f"{p}: not a valid SSSOM/TSV file: " + "; ".join(problems[:5]))
    ms: MappingSet = read_sssom(text)
    keep = [r for r in ms.rows if not is_rejected(r)]
    curies = ms.curie_map
    g = rows_to_graph(keep, curies)
    for pfx, ns in curies.prefixes.items():
        g.bind(pfx, ns, override=True)
    out_dir = accepted_dir if accepted_dir is not None else default_accepted_dir()
    out = out_dir / f"{name}.ttl"
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    header = (f"# Accepted mappings from {p.name} (sha256 {digest}…), written by `yrd-kg link --accept`.\n"
              f"# Graph: {accepted_graph_iri(name)}. Rows rejected in review are left out; see docs/LINKING.md.\n")
    write_atomic(out, (header + g.serialize(format="turtle")).encode("utf-8"))
    return AcceptResult(out, accepted_graph_iri(name), len(g), len(ms.rows) - len(keep))


def accepted_files(accepted_dir: Path | None = None) -> list[Path]:
    """The accepted-mapping Turtle files (each goes into ``…/graph/mappings/accepted/<stem>``)."""
    d = accepted_dir if accepted_dir is not None else default_accepted_dir()
    return sorted(d.glob("*.ttl")) if d.is_dir() else []


def linked_store(linked: Iterable[Path | str] = (), *, accepted_dir: Path | None = None,
                 build_dir: Path | None = None) -> ox.Store:
    """The built dataset plus linked files (each in its ``linked/<name>`` graph) and the accepted mappings.

    Pass the result as ``store=`` to :func:`yrd_kg.sparql.run.run_query` so saved queries follow mappings.
    """
    from yrd_kg.dataset.store import open_dataset

    store = open_dataset(build_dir, persistent=False).copy().store  # writable: linked graphs are added to it
    for f in linked:
        g, _ = load_external(f)
        load_into_store(store, g, graph_name(f))
    for f in accepted_files(accepted_dir):
        load_into_store(store, parse_file(f).graph, f.stem, accepted=True)
    return store


def summary(result: LinkResult) -> dict[str, Any]:
    """Counts for the command's report."""
    by_pred: dict[str, int] = defaultdict(int)
    for c in result.candidates:
        by_pred[str(c.predicate).rsplit("#", 1)[-1]] += 1
    return {"graph": str(result.graph_iri), "format": result.format, "triples": result.triples,
            "candidates": len(result.candidates), "by_predicate": dict(sorted(by_pred.items()))}
