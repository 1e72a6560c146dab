"""Push the built dataset into a triple store: Graph Store Protocol or SPARQL Update, verified by COUNT."""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from yrd_kg.errors import InputError
from yrd_kg.namespaces import BASE, skolem
from yrd_kg.sparql.remote import RemoteEngine, RemoteVerifyError, _check_status, check_iri


@dataclass
class PushResult:
    """What ``push`` loaded: triples per target graph (verified by COUNT), chunks sent, protocol used."""

    graphs: dict[str, int] = field(default_factory=dict)
    chunks: int = 0
    protocol: str = "gsp"

    @property
    def triples(self) -> int:
        """All triples loaded."""
        return sum(self.graphs.values())


def read_quads(nq: Path, target_graph: str | None = None) -> dict[str, list[str]]:
    """N-Triples lines per target graph, blank nodes skolemised (:func:`yrd_kg.namespaces.skolem`; sorted, distinct).

    The build's blank-node labels are unique across its graphs, so a label's skolem IRI is the same in
    every push, reasoner input and report.
    """
    from yrd_kg.dataset.loader import check_file

    out: dict[str, set[str]] = {}
    check_file(nq)  # a FIFO, a folder or a device is named as such (never opened, never a hang)
    with nq.open("rb") as fh:
        for q in ox.parse(fh, format=ox.RdfFormat.N_QUADS):
            src = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
            terms = []
            for t in (q.subject, q.predicate, q.object):
                if isinstance(t, ox.BlankNode):
                    terms.append(f"<{skolem(t.value)}>")
                else:
                    terms.append(str(t))
            tgt = target_graph or src or f"{BASE}graph/default"
            out.setdefault(tgt, set()).add(" ".join(terms) + " .")
    return {g: sorted(lines) for g, lines in sorted(out.items())}


def _chunks(lines: Sequence[str], n: int) -> Iterator[Sequence[str]]:
    for i in range(0, len(lines), n):
        yield lines[i:i + n]


def default_gsp_url(endpoint: str) -> str:
    """The Graph Store endpoint next to a query endpoint (Oxigraph: ``/query`` → ``/store``)."""
    return re.sub(r"/query/?$", "/store", endpoint) if re.search(r"/query/?$", endpoint) else endpoint


def default_update_url(endpoint: str) -> str:
    """The update endpoint next to a query endpoint (Oxigraph: ``/query`` → ``/update``)."""
    return re.sub(r"/query/?$", "/update", endpoint) if re.search(r"/query/?$", endpoint) else endpoint


def _with_graph(url: str, graph: str, param: str = "graph") -> str:
    parts = urllib.parse.urlsplit(url)
    q = [*urllib.parse.parse_qsl(parts.query), (param, graph)]
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, urllib.parse.urlencode(q), ""))


def count_triples(engine: RemoteEngine, graph: str) -> int:
    """``SELECT (COUNT(*) AS ?n) WHERE { GRAPH <graph> { ?s ?p ?o } }`` on the endpoint."""
    _cols, rows = engine.select_rows(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    if not rows or rows[0][0] is None:
        raise RemoteVerifyError("the COUNT query returned no row", url=engine.endpoint)
    return int(rows[0][0].value)


def push(endpoint: str, *, nq: Path | None = None, graph: str | None = None, chunk: int = 20000,
         protocol: str = "gsp", gsp_url: str | None = None, update_url: str | None = None,
         engine: RemoteEngine | None = None, graph_param: str = "graph") -> PushResult:
    """Load the built dataset into the store at ``endpoint`` and verify the triple count of every graph.

    Each named graph of ``build/yrd-kg.nq`` goes to the same graph in the store (or all into ``graph``).
    ``protocol="gsp"``: PUT the first chunk (replaces the graph), POST the rest, as N-Triples.
    ``protocol="update"``: ``DROP SILENT GRAPH`` then ``INSERT DATA`` per chunk. Rerunning gives the same
    state (idempotent).
    """
    if chunk < 1:
        raise InputError("chunk must be at least 1")
    if protocol not in ("gsp", "update"):
        raise InputError("protocol must be 'gsp' or 'update'")
    if nq is None:
        from yrd_kg.dataset.build import NQ
        from yrd_kg.dataset.store import open_dataset

        ds = open_dataset()  # builds when needed and checks the artefact's checksum
        nq = Path(ds.source) / NQ
    if graph is not None:
        check_iri(graph)
    eng = engine if engine is not None else RemoteEngine(endpoint)
    gsp = gsp_url or default_gsp_url(endpoint)
    upd = update_url or default_update_url(endpoint)
    result = PushResult(protocol=protocol)
    for g, lines in read_quads(nq, graph).items():
        for i, part in enumerate(_chunks(lines, chunk)):
            body = ("\n".join(part) + "\n").encode("utf-8")
            if protocol == "gsp":
                resp = eng.request("PUT" if i == 0 else "POST", _with_graph(gsp, g, graph_param), body=body,
                                   headers={"Content-Type": "application/n-triples"})
                _check_status(resp)
            else:
                if i == 0:
                    eng.update(f"DROP SILENT GRAPH <{g}>", upd)
                eng.update(f"INSERT DATA {{ GRAPH <{g}> {{\n" + "\n".join(part) + "\n} }", upd)
            result.chunks += 1
        have = count_triples(eng, g)
        if have != len(lines):
            raise RemoteVerifyError(f"graph <{g}> holds {have} triples after the push, expected {len(lines)}",
                                    url=endpoint)
        result.graphs[g] = have
    return result
