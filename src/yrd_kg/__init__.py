"""yrd-kg: a knowledge graph of 陈晓峰、张其松 (2023) on co-building world-class advanced manufacturing clusters in the YRD.

The library API; the ``yrd-kg`` command line only wraps it. Heavy modules are imported lazily.
The examples below run in the test suite (tests/test_doctests.py) on the built dataset.

Open the built dataset (built on first use) and ask a saved question; results are typed tables:

>>> from yrd_kg.dataset.store import open_dataset
>>> from yrd_kg.sparql.run import run_query
>>> table = run_query("problems-and-sub-points", lang="en", store=open_dataset())
>>> table.columns[:3]
('shortcoming', 'shortcoming_notation', 'shortcoming_label')
>>> df = table.to_pandas()  # pandas: pip install 'yrd-kg[pandas]'
>>> len(df), df.loc[0, "sub_point_notation"]
(12, 'P1.1')

Trace the causal chains of a problem and draw them:

>>> from yrd_kg.chains.graph import load_chain_graph
>>> from yrd_kg.chains.trace import trace
>>> from yrd_kg.chains.render import render_trace
>>> cg = load_chain_graph()
>>> res = trace(cg, cg.resolve("P1.1"), depth=1)
>>> render_trace(res, "mermaid", "en").decode().splitlines()[0]
'flowchart LR'

The version, declared once in pyproject.toml:

>>> from yrd_kg.namespaces import VERSION
>>> VERSION == __version__
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from yrd_kg.namespaces import VERSION as __version__

if TYPE_CHECKING:
    from yrd_kg.dataset.build import BuildResult

__all__ = ["__version__", "build"]


def build(*, force: bool = False, out_dir: Any = None) -> BuildResult:
    """Build the dataset (see :func:`yrd_kg.build.build`)."""
    from yrd_kg.dataset.build import build as _build

    return _build(force=force, out_dir=out_dir)
