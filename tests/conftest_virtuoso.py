"""Opt-in Virtuoso run: ``python -m pytest -p tests.conftest_virtuoso --virtuoso [--virtuoso-endpoint URL]``.

Registered from tests/test_remote.py with ``pytest_plugins``; pass ``-p tests.conftest_virtuoso`` too so
that the option is known when the command line is parsed. Without ``--virtuoso`` every test marked
``virtuoso`` is skipped.
"""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("virtuoso")
    try:
        group.addoption("--virtuoso", action="store_true", default=False,
                        help="run the tests marked virtuoso against a local Virtuoso")
        group.addoption("--virtuoso-endpoint", default="http://127.0.0.1:8890/sparql",
                        help="Virtuoso's SPARQL endpoint (loopback only)")
    except ValueError:  # registered twice (-p tests.conftest_virtuoso and pytest_plugins)
        pass


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    try:
        enabled = config.getoption("--virtuoso")
    except ValueError:
        enabled = False
    if enabled:
        return
    skip = pytest.mark.skip(reason="Virtuoso tests are opt-in: python -m pytest -p tests.conftest_virtuoso --virtuoso")
    for item in items:
        if "virtuoso" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def virtuoso_endpoint(request: pytest.FixtureRequest) -> str:
    url = str(request.config.getoption("--virtuoso-endpoint"))
    if not url.startswith(("http://127.0.0.1", "http://localhost")):
        pytest.fail("the Virtuoso endpoint must be on 127.0.0.1")
    return url
