"""The Virtuoso fixtures: every saved query on a real Virtuoso 7 (``python -m pytest -k virtuoso``).

Registered from tests/test_remote.py with ``pytest_plugins``; the options live in tests/conftest.py. The
tests marked ``virtuoso`` run wherever ``virtuoso-t`` is installed and skip, naming the package, elsewhere
(``--no-virtuoso`` skips them anyway).

The fixture starts a private Virtuoso (``virtuoso-t`` from the Debian package
``virtuoso-opensource``) on 127.0.0.1, on free ports, with its database in a temporary folder, grants the
anonymous ``SPARQL`` user the update role there, and stops it by its process id afterwards.
``--virtuoso-endpoint URL`` uses a running Virtuoso instead (loopback only).
"""

from __future__ import annotations

import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

INI = """\
[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
CaseMode = 2
DirsAllowed = .
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {d}
ServerThreads = 10
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 60
"""


def _ready(url: str, proc: subprocess.Popen[bytes], deadline: float) -> None:
    probe = url + "?query=" + urllib.request.quote("ASK {}")
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"virtuoso-t exited with {proc.returncode} before it answered")
        try:
            with urllib.request.urlopen(probe, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"Virtuoso did not answer on {url} in time")


@pytest.fixture(scope="session")
def virtuoso_endpoint(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A loopback Virtuoso SPARQL endpoint: the one given, or a private one started here (stopped by pid)."""
    url = request.config.getoption("--virtuoso-endpoint")
    if url:
        if not str(url).startswith(("http://127.0.0.1", "http://localhost")):
            pytest.fail("the Virtuoso endpoint must be on 127.0.0.1")
        yield str(url)
        return
    exe, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt") or shutil.which("isql")
    if not exe or not isql:
        pytest.fail("--virtuoso needs virtuoso-t and isql-vt (apt install virtuoso-opensource) or --virtuoso-endpoint")
    from oxigraph_support import free_port

    d: Path = tmp_path_factory.mktemp("virtuoso")
    sql, http = free_port(), free_port()
    (d / "virtuoso.ini").write_text(INI.format(d=d, sql=sql, http=http), encoding="utf-8")
    log = (d / "stdout.txt").open("wb")
    proc = subprocess.Popen([exe, "+foreground", "+configfile", str(d / "virtuoso.ini")], cwd=d,
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{http}/sparql"
    try:
        _ready(url, proc, time.monotonic() + 120)
        subprocess.run([isql, f"127.0.0.1:{sql}", "dba", "dba", 'exec=GRANT SPARQL_UPDATE TO "SPARQL";'],
                       check=True, capture_output=True, timeout=60)
        yield url
    finally:
        proc.kill()
        proc.wait(timeout=30)
        log.close()
