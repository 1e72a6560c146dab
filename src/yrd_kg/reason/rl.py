"""Java-free OWL 2 RL: the closure of a graph (the Rust ``reasonable``, or ``owlrl``) and what it shows of clashes."""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.term import Node

_OWLRL_ERROR = URIRef("http://www.daml.org/2002/03/agents/agent-ont#ErrorMessage")


def rl_engine() -> str:
    """The OWL-RL engine :func:`materialise_rl` uses: ``reasonable`` (Rust) if installed, else ``owlrl``."""
    try:
        import reasonable  # noqa: F401
    except ImportError:
        return "owlrl"
    return "reasonable"


def _closure_reasonable(graph: Graph) -> Iterable[tuple[Node, Node, Node]]:
    import reasonable

    r = reasonable.PyReasoner()
    r.from_graph(graph)
    for s, p, o in r.reason():
        # reasonable returns plain literals as xsd:string-typed ones: give them back their input form
        if isinstance(o, Literal) and o.datatype == XSD.string and (s, p, o) not in graph:
            o = Literal(str(o))
        yield s, p, o


def _closure_owlrl(graph: Graph) -> Iterable[tuple[Node, Node, Node]]:
    import owlrl

    g = Graph()
    g += graph
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(g)
    errors = set(g.subjects(RDF.type, _OWLRL_ERROR))
    return (t for t in g if t[0] not in errors)


def materialise_rl(graph: Graph, *, engine: str | None = None) -> Graph:
    """Return a new graph: ``graph`` plus its OWL 2 RL closure.

    The SHACL shapes assume this entailment (the OWL 2 RL rules, which include RDFS): rdf:type
    through rdfs:subClassOf, rdfs:domain and rdfs:range, rdfs:subPropertyOf, owl:inverseOf,
    owl:TransitiveProperty, owl:equivalentClass/Property, owl:sameAs. ``engine`` is ``"reasonable"``
    (default when installed, ~15x faster) or ``"owlrl"``. Engine noise is dropped so both give the
    same instance-level result: reflexive owl:sameAs, ``rdf:type owl:Thing``, literals as subjects
    and owlrl's error-message nodes (clashes: see :func:`explain_clashes`).
    """
    engine = engine or rl_engine()
    if engine == "reasonable":
        inferred = _closure_reasonable(graph)
    elif engine == "owlrl":
        inferred = _closure_owlrl(graph)
    else:
        raise ValueError(f"unknown OWL-RL engine {engine!r} (reasonable, owlrl)")
    out = Graph()
    for prefix, ns in graph.namespaces():
        out.bind(prefix, ns, override=False)
    out += graph
    for s, p, o in inferred:
        if isinstance(s, Literal) or (p == OWL.sameAs and s == o) or (p == RDF.type and o == OWL.Thing):
            continue
        out.add((s, p, o))
    return out


_NUMERIC = {XSD.integer, XSD.int, XSD.long, XSD.short, XSD.nonNegativeInteger, XSD.positiveInteger}
_COMPATIBLE: dict[URIRef, set[URIRef | None]] = {
    XSD.integer: set(_NUMERIC),
    XSD.decimal: {*_NUMERIC, XSD.decimal},
    XSD.string: {None, XSD.string},
    XSD.gYear: {XSD.gYear},
}


def _members(g: Graph, node: Node | None) -> list[Node]:
    from rdflib.collection import Collection

    return list(Collection(g, node)) if isinstance(node, BNode | URIRef) else []


def explain_clashes(graph: Graph, closure: Graph | None = None) -> list[str]:
    """Why a graph is inconsistent, as far as the OWL 2 RL closure shows (fast, Java-free).

    Checks the axiom kinds the ontology uses: disjoint classes, functional properties with two
    different values, irreflexive self-links, datatype ranges, owl:Nothing. An empty list means
    the clash needs full OWL 2 DL reasoning to see.
    """
    c = closure if closure is not None else materialise_rl(graph)
    msgs: list[str] = []
    pairs: set[tuple[Node, Node]] = set()
    for node in c.subjects(RDF.type, OWL.AllDisjointClasses):
        ms = _members(c, c.value(node, OWL.members))
        pairs.update((a, b) for i, a in enumerate(ms) for b in ms[i + 1 :])
    pairs.update(c.subject_objects(OWL.disjointWith))
    for a, b in pairs:
        for x in set(c.subjects(RDF.type, a)) & set(c.subjects(RDF.type, b)):
            msgs.append(f"{x} is in disjoint classes {a} and {b}")
    different: set[frozenset[Node]] = set()
    for node in c.subjects(RDF.type, OWL.AllDifferent):
        ms = _members(c, c.value(node, OWL.distinctMembers) or c.value(node, OWL.members))
        different.update(frozenset((a, b)) for i, a in enumerate(ms) for b in ms[i + 1 :])
    different.update(frozenset(t) for t in c.subject_objects(OWL.differentFrom))
    for prop in set(c.subjects(RDF.type, OWL.FunctionalProperty)):
        for x in set(c.subjects(prop, None)):
            values = sorted(set(c.objects(x, prop)), key=str)
            lits = {v.toPython() for v in values if isinstance(v, Literal)}
            if len(lits) > 1 or any(frozenset((a, b)) in different for a in values for b in values if a != b):
                shown = ", ".join(str(v) for v in values)
                msgs.append(f"{x} has more than one value for functional property {prop}: {shown}")
    for prop in set(c.subjects(RDF.type, OWL.IrreflexiveProperty)):
        msgs.extend(f"{x} {prop} itself (irreflexive)" for x, y in c.subject_objects(prop) if x == y)
    for prop, rng in c.subject_objects(RDFS.range):
        if (prop, RDF.type, OWL.DatatypeProperty) in c and isinstance(rng, URIRef) and rng in _COMPATIBLE:
            for x, v in c.subject_objects(prop):
                if isinstance(v, Literal) and (v.language or v.datatype not in _COMPATIBLE[rng]):
                    msgs.append(f"{x} {prop} {v.n3()}: outside the range {rng}")
    msgs.extend(f"{x} is of type owl:Nothing" for x in c.subjects(RDF.type, OWL.Nothing))
    return sorted(set(msgs))
