"""Limits cover the whole job, and limits that would refuse real work are set from measurement.

``--timeout`` and the row cap cover parsing, the read-only check, YAML headers, ``--with`` loading,
``--allow-endpoint`` runs and remote calls; a memory cap applies to every worker by default; parameters
are range-checked before they become terms; hostile files give a clear error or load within the caps,
never a crash; 50 nested OPTIONALs run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

import yrd_kg.sparql.limited as limited
import yrd_kg.worker as worker
from yrd_kg.dataset.loader import LoadError, parse_file
from yrd_kg.sparql.errors import ParameterError, QueryError

YRD = "PREFIX yrd: <https://w3id.org/yrd-kg/ontology#>\n"


def _cli(*args: str, stdin: str | None = None, env: dict[str, str] | None = None,
         timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "yrd_kg", *args], input=stdin, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


def nested_optionals(n: int) -> str:
    """A legitimate query: each shortcoming, with ``n`` nested OPTIONALs that find nothing."""
    body = "?v0 a yrd:Shortcoming . " + "".join(
        f"OPTIONAL {{ ?v{i} yrd:noSuchProperty{i} ?v{i + 1} . " for i in range(n)) + "}" * n
    return YRD + f"SELECT ?v0 ?v{n} WHERE {{ {body} }}"


# --------------------------------------------------------------------------- depth: measured, not guessed


def test_fifty_nested_optionals_run(build_dir: Path, tmp_path: Path) -> None:
    q = tmp_path / "deep.rq"
    q.write_text(nested_optionals(50), encoding="utf-8")
    out = _cli("sparql", str(q), "--format", "csv", env={"YRD_KG_BUILD": str(build_dir)})
    assert out.returncode == 0, out.stderr
    rows = out.stdout.strip().splitlines()
    ids = sorted(r.split(",")[0].rsplit("/", 1)[-1].rsplit(":", 1)[-1] for r in rows[1:])
    assert rows[0] == "v0,v50" and ids == ["P1", "P2", "P3", "P4"]


def test_nesting_limit_is_what_the_parsers_survive() -> None:
    """1000 nested groups are analysed (rdflib in a deep-stack thread); 1001 are refused at once, clearly."""
    from yrd_kg.sparql.guard import MAX_NESTING, check_read_only

    assert MAX_NESTING == 1000
    t = time.monotonic()
    assert check_read_only("SELECT * WHERE " + "{ " * 1000 + "?s ?p ?o " + "} " * 1000) == "SELECT"
    assert time.monotonic() - t < 20
    t = time.monotonic()
    with pytest.raises(QueryError, match="1001 levels deep, over the limit of 1000"):
        check_read_only("SELECT * WHERE " + "{ " * 1001 + "?s ?p ?o " + "} " * 1001)
    assert time.monotonic() - t < 1
    assert sys.getrecursionlimit() < 10_000  # raised only while the guard's thread runs


# --------------------------------------------------------------------------- the timeout covers the whole job


def test_timeout_covers_parsing_and_the_guard(store: Any) -> None:
    """rdflib needs ~8 s for a 20 000-row VALUES block: the limit stops it, where the old guard ran unbounded."""
    text = "SELECT * WHERE { VALUES ?x { " + " ".join(f'"v{i}"' for i in range(20_000)) + " } }"
    t = time.monotonic()
    with pytest.raises(worker.SandboxTimeout, match="exceeded 1 s"):
        limited.run_sparql(text, store=store, timeout=1)
    assert time.monotonic() - t < 5


def test_timeout_covers_with_loading(build_dir: Path, tmp_path: Path) -> None:
    """A million blank nodes in a --with file: within the caps it loads; past the limit, a clear stop."""
    big = tmp_path / "bnodes.nt"
    with big.open("w", encoding="ascii") as fh:
        for i in range(1_000_000):
            fh.write(f"_:b{i} <urn:x:p> _:c{i} .\n")
    t = time.monotonic()
    out = _cli("sparql", "-", "--with", str(big), "--timeout", "2", stdin="ASK { ?s ?p ?o }",
               env={"YRD_KG_BUILD": str(build_dir)})
    assert out.returncode == 2 and "exceeded 2 s and was stopped" in out.stderr, out.stderr
    assert time.monotonic() - t < 15
    small = tmp_path / "small.nt"
    small.write_text("".join(f"_:b{i} <urn:x:p> _:c{i} .\n" for i in range(200_000)), encoding="ascii")
    ok = _cli("sparql", "-", "--with", str(small), "--format", "csv", env={"YRD_KG_BUILD": str(build_dir)},
              stdin="SELECT (COUNT(*) AS ?n) WHERE { ?s <urn:x:p> ?o }")
    assert ok.returncode == 0 and ok.stdout.split() == ["n", "200000"], ok.stderr


class _Hang:
    """A server on 127.0.0.1 that accepts and never answers."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        stop = self.stop

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a: Any) -> None:
                pass

            def do_GET(self) -> None:
                stop.wait(60)

            do_POST = do_GET

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize("how", ["allow-endpoint", "endpoint"])
def test_timeout_covers_remote_calls(build_dir: Path, how: str) -> None:
    hang = _Hang()
    try:
        if how == "allow-endpoint":
            args = ["--allow-endpoint", hang.url]
            text = f"SELECT * WHERE {{ SERVICE <{hang.url}> {{ ?s ?p ?o }} }}"
        else:
            args = ["--endpoint", hang.url]
            text = "SELECT * WHERE { ?s ?p ?o }"
        t = time.monotonic()
        out = _cli("sparql", "-", "--timeout", "1.5", *args, stdin=text, env={"YRD_KG_BUILD": str(build_dir)}, timeout=30)
        assert out.returncode == 2, out.stdout + out.stderr
        assert "exceeded 1.5 s" in out.stderr or "1.5" in out.stderr, out.stderr
        assert time.monotonic() - t < 10
    finally:
        hang.close()


def test_yaml_header_is_parsed_safely(build_dir: Path) -> None:
    """Anchors, aliases and deep nesting in a #+ header are refused (no alias expansion at all)."""
    laughs = "#+ a: &a [x, x, x, x, x, x, x, x, x]\n#+ b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n" \
             "#+ c: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nASK { ?s ?p ?o }"
    deep = "#+ a: " + "[" * 5000 + "]" * 5000 + "\nASK { ?s ?p ?o }"
    for text, why in ((laughs, "anchors or aliases"), (deep, "over the limit of 20")):
        out = _cli("sparql", "-", stdin=text, env={"YRD_KG_BUILD": str(build_dir)})
        assert out.returncode == 2 and why in out.stderr and "Traceback" not in out.stderr, out.stderr


# --------------------------------------------------------------------------- memory


def _allocate() -> int:
    blocks = [bytearray(64 * 1024 * 1024) for _ in range(64)]  # 4 GiB if nothing stops it
    return len(blocks)


def test_memory_cap_applies_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    assert worker.default_memory_mb() == worker.DEFAULT_MEMORY_MB == 4096
    monkeypatch.setenv(worker.MEMORY_ENV, "256")
    with pytest.raises(worker.SandboxMemoryError, match="memory"):
        worker.run_with_timeout(_allocate, timeout=60, what="allocation")
    monkeypatch.setenv(worker.MEMORY_ENV, "lots")
    with pytest.raises(worker.EnvironmentFault, match="YRD_KG_MEMORY_MB"):
        worker.default_memory_mb()


def test_memory_option_of_the_command_line(build_dir: Path) -> None:
    binds = " ".join(f"BIND(CONCAT(?x{i}, ?x{i}) AS ?x{i + 1})" for i in range(32))  # 2^32 copies of a string
    text = f'SELECT (STRLEN(?x32) AS ?n) WHERE {{ BIND("0123456789" AS ?x0) {binds} }}'
    t = time.monotonic()
    out = _cli("sparql", "-", "--memory", "300", "--timeout", "120", stdin=text, env={"YRD_KG_BUILD": str(build_dir)})
    assert out.returncode == 2 and "memory" in out.stderr and "Traceback" not in out.stderr, out.stderr
    assert out.stderr.strip().splitlines()[-1].startswith("error: ") and time.monotonic() - t < 60


# --------------------------------------------------------------------------- parameters


@pytest.mark.parametrize("typ,value,why", [
    ("num", "1e999999999", "out of range"),
    ("num", "-1E+2147483647", "out of range"),
    ("num", "1e-999999999", "more than 18 decimal places"),
    ("int", "9" * 5000, "between"),
    ("int", str(2**63), "between"),
    ("string", "x" * 20_000, "over the cap of 10000"),
    ("iri", "https://w3id.org/" + "a" * 20_000, "over the cap of 10000"),
])
def test_parameters_are_range_checked_in_milliseconds(typ: str, value: str, why: str) -> None:
    from yrd_kg.sparql.binding import make_term
    from yrd_kg.sparql.catalogue import Param

    t = time.perf_counter()
    with pytest.raises(ParameterError, match=why) as ei:
        make_term(Param("_x", typ), value)  # type: ignore[arg-type]
    assert time.perf_counter() - t < 0.05
    assert ei.value.param == "x" and len(str(ei.value)) < 300


def test_parameters_in_range_still_bind() -> None:
    from yrd_kg.sparql.binding import make_term
    from yrd_kg.sparql.catalogue import Param

    assert str(make_term(Param("_n", "num"), "0.1990")) == '"0.1990"^^<http://www.w3.org/2001/XMLSchema#decimal>'
    assert str(make_term(Param("_n", "num"), "-12.5E+3")) == '"-12500"^^<http://www.w3.org/2001/XMLSchema#decimal>'
    assert str(make_term(Param("_n", "int"), str(2**63 - 1))).startswith('"9223372036854775807"')


# --------------------------------------------------------------------------- loading


def test_json_ld_numbers_become_valid_xsd(tmp_path: Path) -> None:
    f = tmp_path / "n.jsonld"
    f.write_text('{"@id": "urn:x:a", "urn:x:big": 1e999999, "urn:x:small": -1e999999, "urn:x:nan": NaN, '
                 '"urn:x:inf": Infinity, "urn:x:long": ' + "9" * 5000 + ', "urn:x:plain": 1.5}', encoding="utf-8")
    got = {t[1].value.rsplit(":", 1)[-1]: (t[2].value, t[2].datatype.value.rsplit("#", 1)[-1]) for t in parse_file(f).triples}
    assert got["big"] == ("INF", "double") and got["small"] == ("-INF", "double")
    assert got["nan"] == ("NaN", "double") and got["inf"] == ("INF", "double")
    assert got["long"] == ("9" * 5000, "integer") and got["plain"][1] == "double"


def test_very_long_literals(tmp_path: Path) -> None:
    ok = tmp_path / "ok.nt"
    ok.write_text('<urn:x:a> <urn:x:p> "' + "x" * 15_000_000 + '" .\n', encoding="ascii")
    assert len(parse_file(ok).triples[0][2].value) == 15_000_000
    big = tmp_path / "big.nt"
    big.write_text('<urn:x:a> <urn:x:p> "' + "x" * 20_000_000 + '" .\n', encoding="ascii")
    with pytest.raises(LoadError, match=r"big\.nt: a single term .* longer than the parser's limit"):
        parse_file(big)


def _deep_owl(tmp_path: Path, kind: str, n: int) -> Path:
    if kind == "ofn":
        expr = "ObjectIntersectionOf(:A " * n + ":B" + ")" * n
        text = (f"Prefix(:=<http://x/>)\nOntology(<http://x/o>\nDeclaration(Class(:A))\nDeclaration(Class(:B))\n"
                f"SubClassOf(:B {expr})\n)\n")
    else:
        text = f"Prefix: : <http://x/>\nOntology: <http://x/o>\nClass: A\nClass: B\n    SubClassOf: {'(A and ' * n}B{')' * n}\n"
    path = tmp_path / f"deep.{kind}"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("kind,n", [("ofn", 10_000), ("omn", 2_000)])
def test_deep_owl_nesting_is_a_clear_error_not_a_crash(build_dir: Path, tmp_path: Path, kind: str, n: int) -> None:
    """py-horned-owl segfaults at ~1000 (Manchester) / ~6500 (functional) levels: capped at 500, parsed in a worker."""
    out = _cli("link", str(_deep_owl(tmp_path, kind, n)), env={"YRD_KG_BUILD": str(build_dir)})
    assert out.returncode == 2, (out.returncode, out.stderr[-500:])
    assert out.stderr.strip().splitlines() == [
        f"error: {tmp_path / f'deep.{kind}'}:5: nesting deeper than the cap of 500 levels (OWL syntax parsers "
        "crash on deep nesting); refused"], out.stderr


def test_shallow_owl_syntax_still_links(tmp_path: Path) -> None:
    from yrd_kg.linking.propose import load_external

    g, fmt = load_external(_deep_owl(tmp_path, "omn", 50))
    assert fmt == "manchester" and len(g) >= 2


@pytest.mark.java
@pytest.mark.skipif(__import__("shutil").which("java") is None, reason="no Java runtime: HermiT cannot run")
def test_reason_input_loading_is_under_the_timeout(build_dir: Path, tmp_path: Path) -> None:
    big = tmp_path / "bnodes.nt"
    with big.open("w", encoding="ascii") as fh:
        for i in range(1_000_000):
            fh.write(f"_:b{i} <urn:x:p> _:c{i} .\n")
    t = time.monotonic()
    out = _cli("reason", "--data", str(big), "--timeout", "2", env={"YRD_KG_BUILD": str(build_dir)})
    assert out.returncode == 2 and "loading the data files exceeded 2 s" in out.stderr, out.stderr
    assert time.monotonic() - t < 15


def test_figures_are_recorded() -> None:
    """docs/SECURITY.md quotes the measured limits this file tests."""
    doc = (Path(__file__).resolve().parents[1] / "docs" / "SECURITY.md").read_text(encoding="utf-8")
    for figure in ("1000", "2500", "500", "4096", "16 MB"):
        assert figure in doc, figure
