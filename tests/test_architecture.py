"""The package's shape stays the one docs/ARCHITECTURE.md describes: no import cycle, small modules, thin CLI.

Imports are read from the source (``ast``), lazy ones inside functions included: a lazy import is still
a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

PKG = Path(__file__).resolve().parents[1] / "src" / "yrd_kg"


def _modules() -> dict[str, Path]:
    out = {}
    for f in PKG.rglob("*.py"):
        parts = list(f.relative_to(PKG.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = f
    return out


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = name.split(".")
                keep = len(parts) - node.level + (1 if path.name == "__init__.py" else 0)
                base = ".".join(parts[:keep] + ([node.module] if node.module else []))
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names)
    return {m for m in found if m in MODULES and m != name}


def import_graph() -> nx.DiGraph:
    g = nx.DiGraph()
    for name, path in MODULES.items():
        g.add_node(name)
        g.add_edges_from((name, dep) for dep in _imports(name, path))
    return g


def test_no_import_cycle() -> None:
    cycles = [sorted(c) for c in nx.strongly_connected_components(import_graph()) if len(c) > 1]
    assert cycles == [], f"import cycles: {cycles}"


def test_the_checker_sees_a_cycle() -> None:
    """The test above can fail: a two-module cycle is found."""
    g = import_graph()
    g.add_edge("yrd_kg.namespaces", "yrd_kg.dataset.store")
    assert any(len(c) > 1 for c in nx.strongly_connected_components(g))


def test_no_module_imports_the_package_itself() -> None:
    """``from yrd_kg import x`` would make every module depend on the package's ``__init__``."""
    users = sorted(n for n in MODULES if n != "yrd_kg" and "yrd_kg" in _imports(n, MODULES[n]))
    assert users == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_module_size(name: str) -> None:
    lines = len(MODULES[name].read_text(encoding="utf-8").splitlines())
    limit = 150 if name.startswith("yrd_kg.cli.") and name not in ("yrd_kg.cli.errors",) else 600
    assert lines <= limit, f"{name}: {lines} lines (limit {limit})"


def test_the_layers_point_one_way() -> None:
    """Data flows sources → dataset → sparql/validate/chains/linking/reason → site/serve/answers/release → cli."""
    layer = {"namespaces": 0, "errors": 0, "resources": 0, "progress": 0, "dataset": 1, "worker": 1, "sparql": 2,
             "validate": 3, "chains": 3, "linking": 3, "reason": 3, "site": 4, "serve": 4, "answers": 4, "release": 4,
             "cli": 5}
    g = import_graph()
    wrong = []
    for a, b in g.edges:
        la, lb = (layer.get(x.split(".")[1], 6) if x != "yrd_kg" else 6 for x in (a, b))
        if lb > la:
            wrong.append(f"{a} -> {b}")
    assert wrong == [], "imports against the flow:\n" + "\n".join(wrong)


def test_one_term_converter_module() -> None:
    """pyoxigraph ↔ rdflib terms are converted in yrd_kg.dataset.terms only."""
    offenders = []
    for name, path in MODULES.items():
        if name == "yrd_kg.dataset.terms":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for fn in ast.walk(tree):
            if isinstance(fn, ast.FunctionDef):
                src = ast.get_source_segment(path.read_text(encoding="utf-8"), fn) or ""
                builds_rdflib = any(f"{c}(" in src for c in ("URIRef", "BNode", "Literal"))
                reads_ox = any(f"ox.{c}" in src for c in ("NamedNode", "BlankNode", "Literal"))
                if builds_rdflib and reads_ox and "isinstance" in src:
                    offenders.append(f"{name}.{fn.name}")
    assert offenders == []
