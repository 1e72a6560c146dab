"""The public API's examples run: every ``>>>`` in src/yrd_kg (doctest), and the package docstring's tour."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import yrd_kg

MODULES = sorted(m.name for m in pkgutil.walk_packages(yrd_kg.__path__, "yrd_kg.") if not m.name.endswith("__main__"))
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


@pytest.mark.parametrize("name", ["yrd_kg", *MODULES])
def test_examples(name: str, build_dir: object) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=FLAGS, verbose=False, report=True)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"


def test_the_public_api_has_examples() -> None:
    """The entry points a user starts from show how they are called."""
    counts = {}
    for name in ("yrd_kg", "yrd_kg.sparql.results", "yrd_kg.sparql.run", "yrd_kg.namespaces", "yrd_kg.dataset.store",
                 "yrd_kg.progress", "yrd_kg.sparql.auth", "yrd_kg.linking.match"):
        finder = doctest.DocTestFinder()
        counts[name] = sum(len(t.examples) for t in finder.find(importlib.import_module(name)))
    assert all(n > 0 for n in counts.values()), counts
    assert counts["yrd_kg"] >= 10
    results = importlib.import_module("yrd_kg.sparql.results")
    assert ">>> df = t.to_pandas()" in (results.ResultTable.to_pandas.__doc__ or "")
