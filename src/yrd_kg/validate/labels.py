"""Readable labels for the nodes a validation result names (never a bare blank node)."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.term import Node

from yrd_kg.namespaces import QB, YRD, compact


class Labeller:
    """Readable labels for nodes of the data graph."""

    def __init__(self, graph: Graph, lang: str = "en") -> None:
        self.g = graph
        self.lang = lang

    def qname(self, node: Node) -> str:
        """``prefix:local`` for an IRI in a known namespace, ``<iri>`` otherwise."""
        return compact(str(node), brackets=True) if isinstance(node, URIRef) else str(node)

    def _pref(self, node: Node) -> str | None:
        best: dict[str, str] = {}
        for p in (SKOS.prefLabel, RDFS.label):
            for o in self.g.objects(node, p):  # type: ignore[arg-type]
                if isinstance(o, Literal):
                    best.setdefault(o.language or "", str(o))
            if best:
                break
        for lang in (self.lang, "en" if self.lang == "zh" else "zh", ""):
            if lang in best:
                return best[lang]
        return next(iter(best.values()), None)

    def label(self, node: Node | None, *, depth: int = 0) -> str:
        """The focus label: prefLabel, or a Link as ``s → p → o``, or an Evidence's quote, or a description."""
        if node is None:
            return ""
        if isinstance(node, Literal):
            return str(node)
        types = set(self.g.objects(node, RDF.type))  # type: ignore[arg-type]
        if YRD.Link in types and depth < 2:
            s, p, o = (self.g.value(node, q) for q in (YRD.linkSubject, YRD.linkPredicate, YRD.linkObject))  # type: ignore[arg-type]
            return (f"{self.label(s, depth=depth + 1) or '?'} → {self.qname(p) if p is not None else '?'} → "
                    f"{self.label(o, depth=depth + 1) or '?'}")
        if YRD.Evidence in types or (node, YRD.quote, None) in self.g:
            q = self.g.value(node, YRD.quote)  # type: ignore[arg-type]
            if q is not None:
                return f"“{q}”"
        pref = self._pref(node)
        if pref:
            return pref
        if QB.Observation in types and depth < 2:
            dims = [self.label(o, depth=depth + 1) for p, o in sorted(self.g.predicate_objects(node))  # type: ignore[arg-type]
                    if p not in (RDF.type, QB.dataSet) and isinstance(o, URIRef) and self._pref(o)]
            if dims:
                return "observation (" + ", ".join(dims) + ")"
        notation = self.g.value(node, SKOS.notation)  # type: ignore[arg-type]
        if notation is not None:
            return str(notation)
        if isinstance(node, URIRef):
            return self.qname(node)
        kinds = ", ".join(sorted(self.qname(t) for t in types)) or "node"
        props = sorted({self.qname(p) for p in self.g.predicates(node, None) if p != RDF.type})  # type: ignore[arg-type]
        return f"[{kinds}{(' with ' + ', '.join(props[:4])) if props else ''}]"

    def evidence_quote(self, node: Node | None) -> str | None:
        """The first evidence quote (by position) of ``node``, or its own quote when it is an Evidence."""
        if node is None or isinstance(node, Literal):
            return None
        own = self.g.value(node, YRD.quote)  # type: ignore[arg-type]
        if own is not None:
            return str(own)
        quotes = []
        for ev in self.g.objects(node, YRD.hasEvidence):  # type: ignore[arg-type]
            q = self.g.value(ev, YRD.quote)  # type: ignore[arg-type]
            if q is not None:
                st = self.g.value(ev, YRD.start)  # type: ignore[arg-type]
                quotes.append((int(st) if isinstance(st, Literal) and str(st).isdigit() else 10**9, str(q)))
        return min(quotes)[1] if quotes else None
