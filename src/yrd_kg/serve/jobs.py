"""The work one request asks for, as it runs inside a query worker: check, evaluate, serialise.

Each job gets the store (shared copy-on-write with the server process) and returns an :class:`Answer`:
the bytes and content type to send. Everything a user's text can make expensive runs here, under the
worker's wall-clock limit and memory cap: the read-only guard (:func:`yrd_kg.sparql.guard.checked`,
the one guard), parameter binding, evaluation, the row cap and serialisation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

import pyoxigraph as ox

from yrd_kg.namespaces import GRAPH
from yrd_kg.serve.conneg import GRAPHS, RESULTS, Offer, choose, not_acceptable
from yrd_kg.serve.protocol import Dataset
from yrd_kg.sparql.engines import OxigraphEngine
from yrd_kg.sparql.guard import checked
from yrd_kg.sparql.results import ResultTable
from yrd_kg.sparql.run import run_query

#: the named graphs of the ontology (``/ontology`` dereferences to their merge)
ONTOLOGY_GRAPHS = str(GRAPH) + "ontology/"


class Unacceptable(Exception):
    """No format the client accepts fits the answer (406)."""


class NotFound(Exception):
    """Nothing is known about the IRI asked for (404)."""


@dataclass(frozen=True)
class Answer:
    """What to send: the body, its content type, and whether the row cap cut it (``count`` rows or triples)."""

    body: bytes
    content_type: str
    truncated: bool = False
    count: int = 0


def _take(items: Iterable[Any], max_rows: int) -> tuple[list[Any], bool]:
    rows = list(islice(items, max_rows + 1))
    return rows[:max_rows], len(rows) > max_rows


def _offer(accept: str, fmt: str, offers: Sequence[Offer]) -> Offer:
    offer = choose(accept, fmt, offers)
    if offer is None:
        raise Unacceptable(not_acceptable(offers))
    return offer


def graph_answer(triples: Sequence[ox.Triple], offer: Offer, truncated: bool = False) -> Answer:
    """Triples in the format ``offer`` names (Turtle with the project's prefixes, JSON-LD with the shipped context)."""
    if offer.key == "rdfxml":
        text = (ox.serialize(list(triples), format=ox.RdfFormat.RDF_XML) or b"").decode("utf-8")
    else:
        text = ResultTable.from_triples(triples).format(offer.key, plain_values=False)
    return Answer(text.encode("utf-8"), offer.content_type, truncated, len(triples))


def table_answer(table: ResultTable, offer: Offer, truncated: bool) -> Answer:
    """A SELECT/ASK table (or a CONSTRUCT's triples) in the format ``offer`` names."""
    if table.kind == "construct" and table.triples is not None:
        return graph_answer(table.triples, offer, truncated)
    return Answer(table.format(offer.key, plain_values=False).encode("utf-8"), offer.content_type, truncated,
                  len(table.rows))


def sparql_job(store: ox.Store, text: str, dataset: Dataset, accept: str, fmt: str, max_rows: int) -> Answer:
    """A query of the Protocol: guarded, evaluated on its dataset, capped and serialised."""
    chk = checked(text)  # the text that runs is the text checked (escapes expanded once)
    text, form = chk.text, chk.form
    graph = form in ("CONSTRUCT", "DESCRIBE")
    offer = _offer(accept, fmt, GRAPHS if graph else RESULTS)
    res = store.query(text, **dataset.options(text))  # type: ignore[arg-type]
    if isinstance(res, ox.QueryBoolean):
        return table_answer(ResultTable.from_boolean(bool(res)), offer, False)
    if isinstance(res, ox.QueryTriples):
        triples, cut = _take(res, max_rows)
        return graph_answer(triples, offer, cut)
    cols = tuple(v.value for v in res.variables)
    sols, cut = _take(res, max_rows)
    return table_answer(ResultTable(cols, [tuple(s[i] for i in range(len(cols))) for s in sols]), offer, cut)


def saved_job(store: ox.Store, name: str, values: Mapping[str, str], lang: str, accept: str, fmt: str,
              max_rows: int) -> Answer:
    """A saved query by name with its parameters: the rows ``yrd-kg query NAME`` prints."""
    from yrd_kg.sparql.catalogue import get_query

    form = checked(get_query(name).text).form
    offer = _offer(accept, fmt, GRAPHS if form in ("CONSTRUCT", "DESCRIBE") else RESULTS)
    engine = OxigraphEngine(store, max_rows)
    table = run_query(name, lang=lang, engine=engine, params=dict(values))
    return table_answer(table, offer, engine.truncated)


def concise_description(store: ox.Store, iri: str, max_rows: int) -> tuple[list[ox.Triple], bool]:
    """The concise bounded description of ``iri`` over the union of the graphs.

    Its statements, and recursively those of the blank nodes they lead to (at most ``max_rows``; cut: True).
    """
    seen: set[ox.Triple] = set()
    out: list[ox.Triple] = []
    todo: list[ox.NamedNode | ox.BlankNode] = [ox.NamedNode(iri)]
    done: set[ox.NamedNode | ox.BlankNode] = set()
    while todo:
        node = todo.pop()
        if node in done:
            continue
        done.add(node)
        for q in store.quads_for_pattern(node, None, None, None):
            t = ox.Triple(q.subject, q.predicate, q.object)
            if t in seen:
                continue
            if len(out) >= max_rows:
                return out, True
            seen.add(t)
            out.append(t)
            if isinstance(q.object, ox.BlankNode):
                todo.append(q.object)
    return out, False


def describe_job(store: ox.Store, iri: str, accept: str, fmt: str, max_rows: int) -> Answer:
    """The description of an entity (:func:`concise_description`); :class:`NotFound` when it has none."""
    offer = _offer(accept, fmt, GRAPHS)
    triples, cut = concise_description(store, iri, max_rows)
    if not triples:
        raise NotFound(f"nothing is known about <{iri}>")
    return graph_answer(triples, offer, cut)


def graphs_job(store: ox.Store, graphs: Sequence[str] | None, accept: str, fmt: str, max_rows: int,
               prefix: str = "") -> Answer:
    """The merge of named graphs: ``graphs`` by IRI, every graph whose IRI starts with ``prefix``, or (``None``) all."""
    offer = _offer(accept, fmt, GRAPHS)
    names = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    chosen = [g for g in names if (g in graphs if graphs is not None else g.startswith(prefix))]
    if not chosen:
        raise NotFound(f"no such graph: {', '.join(graphs) if graphs else prefix or '(none)'}")

    def triples() -> Iterable[ox.Triple]:
        seen: set[ox.Triple] = set()
        for g in chosen:
            for q in store.quads_for_pattern(None, None, None, ox.NamedNode(g)):
                t = ox.Triple(q.subject, q.predicate, q.object)
                if t not in seen:
                    seen.add(t)
                    yield t

    out, cut = _take(triples(), max_rows)
    return graph_answer(out, offer, cut)
