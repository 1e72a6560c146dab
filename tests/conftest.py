"""Shared fixtures: the built dataset once per session, the source text, the external suites."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("YRD_KG_SHARED", ROOT.parent / "shared"))
SOURCE = Path(os.environ.get("YRD_KG_SOURCE", SHARED / "source" / "paper.zh.txt"))
EXTERNAL = SHARED / "external"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def build_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh build of the shipped ontology and data, once per test session."""
    from yrd_kg.dataset.build import build

    out = tmp_path_factory.mktemp("build")
    build(force=True, out_dir=out)
    return out


@pytest.fixture(scope="session")
def graph() -> Graph:
    """The union graph: ontology, data and derived links."""
    from yrd_kg.dataset.store import open_dataset

    return open_dataset().rdflib_graph()


@pytest.fixture(scope="session")
def store(build_dir: Path):  # type: ignore[no-untyped-def]
    """A pyoxigraph store loaded with the build."""
    from yrd_kg.dataset.store import open_store

    return open_store(build_dir)


@pytest.fixture(scope="session")
def source_text() -> str:
    """The paper's text; skips with a reason where the shared folder is absent."""
    if not SOURCE.is_file():
        pytest.skip(f"source text not found at {SOURCE} (set YRD_KG_SOURCE)")
    return SOURCE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def external() -> Path:
    """The pinned external suites; skips with a reason where absent."""
    if not EXTERNAL.is_dir():
        pytest.skip(f"external suites not found at {EXTERNAL}")
    return EXTERNAL


class Counter:
    """A server on 127.0.0.1 that counts every request (it must stay at zero)."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        hits = self.hits

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a: Any) -> None:
                pass

            def do_GET(self) -> None:
                hits.append(self.path)
                self.send_response(500)
                self.end_headers()

            do_POST = do_GET

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def counter() -> Iterator[Counter]:
    c = Counter()
    yield c
    c.close()


# --------------------------------------------------------------------------- Virtuoso (tests/conftest_virtuoso.py)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("virtuoso")
    group.addoption("--no-virtuoso", action="store_true", default=False,
                    help="skip the tests marked virtuoso even where virtuoso-t is installed")
    group.addoption("--virtuoso-endpoint", default=None,
                    help="use this running Virtuoso's SPARQL endpoint instead (loopback only)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Virtuoso tests run wherever ``virtuoso-t`` is installed (Debian's virtuoso-opensource), each with a
    private server on 127.0.0.1; elsewhere they skip and say what to install."""
    import shutil

    if config.getoption("--virtuoso-endpoint"):
        return
    reason = None
    if config.getoption("--no-virtuoso"):
        reason = "Virtuoso tests skipped (--no-virtuoso)"
    elif shutil.which("virtuoso-t") is None:
        reason = "virtuoso-t is not installed (apt-get install virtuoso-opensource): Virtuoso tests skipped"
    if reason is None:
        return
    skip = pytest.mark.skip(reason=reason)
    for item in items:
        if "virtuoso" in item.keywords:
            item.add_marker(skip)
