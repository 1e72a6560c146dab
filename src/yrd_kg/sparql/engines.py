"""Query engines behind one interface: pyoxigraph (the default) and rdflib (the reference).

The third, a SPARQL 1.1 endpoint, is :class:`yrd_kg.sparql.remote.RemoteEngine`. Every engine answers
with pyoxigraph terms, so results compare across engines and print the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import pyoxigraph as ox

from yrd_kg.dataset.terms import to_ox
from yrd_kg.sparql.errors import QueryError
from yrd_kg.sparql.results import ResultTable

if TYPE_CHECKING:  # pragma: no cover
    from rdflib import Dataset as RdflibDataset
    from rdflib import Graph

    from yrd_kg.dataset.store import Dataset


@runtime_checkable
class Engine(Protocol):
    """Something that evaluates a (checked, bound) query text.

    ``select`` answers SELECT and ASK; ``construct`` answers CONSTRUCT and DESCRIBE.
    """

    name: str

    def select(self, query_text: str) -> ResultTable:
        """Evaluate a SELECT or ASK query."""
        ...

    def construct(self, query_text: str) -> list[ox.Triple]:
        """Evaluate a CONSTRUCT or DESCRIBE query."""
        ...


def _cell(t: Any) -> Any:
    if t is None or isinstance(t, ox.NamedNode | ox.BlankNode | ox.Literal):
        return t
    raise QueryError(f"unsupported term in result: {t!r}")


class OxigraphEngine:
    """Evaluate with pyoxigraph over a store or a :class:`~yrd_kg.dataset.store.Dataset` (default graph = union).

    ``max_rows`` (optional) caps the rows or triples read from pyoxigraph's lazy results; after a run,
    ``truncated`` says whether any were cut.
    """

    name = "oxigraph"

    def __init__(self, store: ox.Store | Dataset, max_rows: int | None = None) -> None:
        if max_rows is not None and max_rows < 0:
            raise ValueError(f"max_rows must be >= 0, got {max_rows}")
        self.store: ox.Store = store if isinstance(store, ox.Store) else store.store
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
        res = self.store.query(query_text, use_default_graph_as_union=True)
        if isinstance(res, ox.QueryBoolean):
            return ResultTable.from_boolean(bool(res))
        if not isinstance(res, ox.QuerySolutions):
            raise QueryError("expected a SELECT or ASK query")
        cols = tuple(v.value for v in res.variables)
        n = len(cols)
        rows = [tuple(sol[i] for i in range(n)) for sol in self._take(res)]
        return ResultTable(cols, rows)

    def construct(self, query_text: str) -> list[ox.Triple]:
        """Evaluate a CONSTRUCT or DESCRIBE query."""
        res = self.store.query(query_text, use_default_graph_as_union=True)
        if not isinstance(res, ox.QueryTriples):
            raise QueryError("expected a CONSTRUCT or DESCRIBE query")
        return self._take(res)


class RdflibEngine:
    """Evaluate with rdflib over an rdflib Dataset or Graph (default graph = union); never loads remote graphs."""

    name = "rdflib"

    def __init__(self, dataset: RdflibDataset | Graph) -> None:
        import rdflib.plugins.sparql as rsparql

        rsparql.SPARQL_LOAD_GRAPHS = False
        rsparql.SPARQL_DEFAULT_GRAPH_UNION = True
        self.dataset = dataset

    def select(self, query_text: str) -> ResultTable:
        """Evaluate a SELECT or ASK query."""
        res = self.dataset.query(query_text)
        if res.type == "ASK":
            return ResultTable.from_boolean(bool(res.askAnswer))
        if res.type != "SELECT":
            raise QueryError("expected a SELECT or ASK query")
        cols = tuple(str(v) for v in (res.vars or ()))
        rows = [tuple(_cell(to_ox(r[i])) for i in range(len(cols))) for r in res]  # type: ignore[index]
        return ResultTable(cols, rows)

    def construct(self, query_text: str) -> list[ox.Triple]:
        """Evaluate a CONSTRUCT or DESCRIBE query."""
        res = self.dataset.query(query_text)
        if res.type not in ("CONSTRUCT", "DESCRIBE") or res.graph is None:
            raise QueryError("expected a CONSTRUCT or DESCRIBE query")
        return [ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in res.graph]
