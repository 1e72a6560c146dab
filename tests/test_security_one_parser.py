"""One parser decides: what the guard checked is what runs, and untrusted text cannot reach the network at all.

The bypass this closes: rdflib (the guard) expands ``\\uXXXX`` escapes over the whole text before parsing;
Oxigraph (the engine) reads them only inside strings. ``"P\\u0022 } VALUES ?y { " } SERVICE <…> {…} #"``
is a string to rdflib and a ``SERVICE`` call to Oxigraph: before this round ``yrd-kg sparql`` sent a
request to the address. The shapes guard was a regular expression; ``FILTER(?o<?o)SERVICE?e{…}FILTER(?x>?o)``
looked like an IRI to it and ran a federated call from a shape's ``sh:select``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

import yrd_kg.worker as worker
from yrd_kg.sparql.errors import QueryError, ReadOnlyError

if TYPE_CHECKING:
    from conftest import Counter  # the counting local server fixture (tests/conftest.py)

needs_netns = pytest.mark.skipif(getattr(worker, "network_isolation", lambda: "?")() is None,
                                 reason="the OS grants no network namespace here (the textual fallback is tested below)")


def escape_bypass(base: str) -> str:
    """A string to rdflib, a SERVICE call to Oxigraph (the codepoint-escape parser difference)."""
    return 'SELECT * WHERE { VALUES ?x { "P\\u0022 } VALUES ?y { " } SERVICE <' + base + '/sparql> { ?a ?b ?c } #" }\n}'


def _cli(*args: str, stdin: str | None = None, env: dict[str, str] | None = None,
         timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "yrd_kg", *args], input=stdin, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


def test_escape_bypass_from_the_command_line_is_closed(build_dir: Path, counter: Counter) -> None:
    out = _cli("sparql", "-", stdin=escape_bypass(counter.base), env={"YRD_KG_BUILD": str(build_dir)})
    assert counter.hits == [], "the engine contacted the address"
    assert out.returncode == 2, out.stdout + out.stderr
    assert out.stderr.startswith("error: ") and "\\u0022" in out.stderr and "Traceback" not in out.stderr


def test_guard_and_engine_see_one_text() -> None:
    """The guard expands escapes once and hands on the text it checked; unsafe and double escapes are refused."""
    from yrd_kg.sparql.guard import checked, normalise

    ok = checked('SELECT ?l WHERE { ?s ?p "\\u4E2D\\u56FD" }')
    assert ok.text == 'SELECT ?l WHERE { ?s ?p "中国" }' and "\\u" not in ok.text and ok.form == "SELECT"
    assert normalise("ASK { ?s ?p \"\\u0041\" }") == 'ASK { ?s ?p "A" }'
    for bad in ('"\\u0022"', "'\\u0027'", "<x\\u003E", "# \\u000A", '"\\u005C"', '"\\U00000022"'):
        with pytest.raises(ReadOnlyError, match="stands for"):
            normalise(bad)
    with pytest.raises(ReadOnlyError, match="double escape"):
        normalise('ASK { ?s ?p "\\\\u00750041" }')  # backslash, \u0075 (u), 0041: \u0041 after one round


def test_shape_select_bypass_is_refused(tmp_path: Path, counter: Counter) -> None:
    """A comparison written without spaces looked like an IRI to the old regular expression."""
    import yrd_kg.validate.run as vrun
    import yrd_kg.validate.shapes as vshapes

    shapes = tmp_path / "s.ttl"
    shapes.write_text(f"""@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <urn:x:> .
ex:S a sh:NodeShape ; sh:targetClass ex:C ;
  sh:sparql [ sh:select \"\"\"SELECT $this WHERE {{ $this ?p ?o . VALUES ?e {{ <{counter.base}/sparql> }}
    FILTER(?o<?o)SERVICE?e{{?s?q?x}}FILTER(?x>?o) }}\"\"\" ] .
""", encoding="utf-8")
    data = tmp_path / "d.ttl"
    data.write_text("<urn:x:a> a <urn:x:C> ; <urn:x:p> 1 .\n", encoding="utf-8")
    from yrd_kg.dataset.loader import parse_file

    with pytest.raises(vshapes.UnsafeShapesError, match="SERVICE"):
        vrun.validate_limited(graph=parse_file(data).graph, shapes=[shapes], queries=[], timeout=60)
    with pytest.raises(Exception, match="SERVICE"):
        vrun.validate(graph=parse_file(data).graph, shapes=[shapes], queries=[])
    assert counter.hits == []


@needs_netns
def test_the_worker_has_no_network(counter: Counter) -> None:
    """By construction: a worker for untrusted work cannot connect anywhere, whatever it runs."""
    host, port = counter.server.server_address[:2]

    def connect() -> str:
        with socket.create_connection((host, port), timeout=5):
            return "connected"

    with pytest.raises(OSError):
        worker.run_with_timeout(connect, timeout=20, network=False, what="connect")
    assert worker.run_with_timeout(connect, timeout=20, what="connect") == "connected"  # the default keeps it
    assert len(counter.hits) <= 1


@needs_netns
def test_engine_cannot_federate_even_past_the_guard(store: Any, counter: Counter,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Were the guard wrong, the engine in the worker still could not reach the address."""
    import yrd_kg.sparql.limited as limited
    import yrd_kg.sparql.run as run
    from yrd_kg.sparql.guard import Checked

    monkeypatch.setattr(run, "checked", lambda text, **_: Checked(text, "SELECT"))  # a guard that lets all pass
    text = f"SELECT * WHERE {{ SERVICE <{counter.base}/sparql> {{ ?s ?p ?o }} }}"
    with pytest.raises(OSError, match=r"(?i)unreachable|connect|network"):
        limited.run_sparql(text, store=store, timeout=30)
    assert counter.hits == []


def test_strict_textual_fallback_without_namespaces(store: Any, counter: Counter,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the OS refuses a namespace: any 'service' outside an IRI is refused, and the help says so."""
    import yrd_kg.sparql.limited as limited

    monkeypatch.setenv(worker.NO_NETNS_ENV, "1")
    worker.network_isolation.cache_clear()
    try:
        assert worker.network_isolation() is None
        assert "strict textual fallback" in worker.protection()
        for text in ['SELECT * WHERE { ?s ?p "a public service" }', "SELECT ?service WHERE { ?service ?p ?o }",
                     "SELECT * WHERE { ?s ?p 1SERVICE <http://127.0.0.1:9/> { ?a ?b ?c } }"]:
            with pytest.raises(ReadOnlyError, match="strict textual fallback"):
                limited.run_sparql(text, store=store, timeout=30)
        ok = limited.run_sparql("SELECT * WHERE { <http://example.org/service> ?p ?o }", store=store, timeout=30)
        assert len(ok.table) == 0  # an IRI cannot hide a call
        out = _cli("sparql", "--help", env={worker.NO_NETNS_ENV: "1"})
        assert "strict textual fallback" in " ".join(out.stdout.split())
    finally:
        worker.network_isolation.cache_clear()
    assert counter.hits == []


@needs_netns
def test_help_names_the_active_protection() -> None:
    out = _cli("sparql", "--help")
    assert "Network: untrusted queries run in a worker inside an empty" in " ".join(out.stdout.split())


def test_allow_endpoint_keeps_only_the_allow_listed_endpoint(store: Any, counter: Counter) -> None:
    import yrd_kg.sparql.limited as limited

    allowed = f"{counter.base}/sparql"
    with pytest.raises(OSError):  # the allowed endpoint is contacted (the fake answers 500)
        limited.run_sparql(f"SELECT * WHERE {{ SERVICE <{allowed}> {{ ?s ?p ?o }} }}", store=store, timeout=30,
                           allow_endpoints=[allowed])
    assert counter.hits == ["/sparql"]
    refused = [
        f"SELECT * WHERE {{ SERVICE <{counter.base}/other> {{ ?s ?p ?o }} }}",
        f'SELECT * WHERE {{ SERVICE <{allowed}> {{ ?s ?p ?o }} FILTER(?o != "service") }}',
        f"PREFIX e: <{counter.base}/> SELECT * WHERE {{ SERVICE e:sparql {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ BIND(<{allowed}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
        escape_bypass(counter.base),
    ]
    for text in refused:
        with pytest.raises(ReadOnlyError):
            limited.run_sparql(text, store=store, timeout=30, allow_endpoints=[allowed])
    assert counter.hits == ["/sparql"]


@pytest.mark.parametrize("name", ["service03.rq", "service06.rq"])
def test_nested_service_is_refused_as_service(external: Path, name: str) -> None:
    """rdflib's parser recurses without end on nested SERVICE; the guard refuses them as SERVICE, at once."""
    import time

    from yrd_kg.sparql.guard import check_read_only

    text = (external / "w3c-rdf-tests" / "sparql11" / "service" / name).read_text(encoding="utf-8")
    t = time.monotonic()
    with pytest.raises(ReadOnlyError, match=r"^refused: SERVICE"):
        check_read_only(text)
    assert time.monotonic() - t < 5


def test_bound_ad_hoc_text_is_checked_again(store: Any) -> None:
    """The binder's lexer is not trusted with ad hoc text: the bound text goes through the guard too."""
    from yrd_kg.sparql.run import run_sparql

    with pytest.raises(QueryError):
        run_sparql("SELECT * WHERE { ?s ?p ?_x }", store=store, x="a\\u0022b")


@pytest.mark.java
@pytest.mark.skipif(__import__("shutil").which("java") is None, reason="no Java runtime: HermiT cannot run")
def test_reason_never_follows_imports(build_dir: Path, tmp_path: Path, counter: Counter) -> None:
    """owlready2 follows owl:imports over the network and into local files: they are removed before it runs."""
    data = tmp_path / "imports.ttl"
    data.write_text(f"""@prefix owl: <http://www.w3.org/2002/07/owl#> .
<https://w3id.org/yrd-kg/ontology> owl:imports <{counter.base}/evil.owl> , <file:///etc/hostname> .
<urn:x:a> a owl:Thing .
""", encoding="utf-8")
    out = _cli("reason", "--data", str(data), "--no-property-values", env={"YRD_KG_BUILD": str(build_dir)}, timeout=300)
    assert counter.hits == []
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"owl:imports <{counter.base}/evil.owl> not followed" in out.stderr
    assert "owl:imports <file:///etc/hostname> not followed" in out.stderr and "Traceback" not in out.stderr
