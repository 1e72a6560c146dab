"""Hostile input at the loader: each case a clear error naming the file (and line), nothing merged."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from rdflib import Graph

from yrd_kg.dataset.loader import LoadError, load_with_imports, parse_file

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">
  <rdf:Description rdf:about="http://example.org/a"><ex:p>&lol3;</ex:p></rdf:Description>
</rdf:RDF>
"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE r [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">
  <rdf:Description rdf:about="http://example.org/a"><ex:p>&xxe;</ex:p></rdf:Description>
</rdf:RDF>
"""
TRIX_DTD = """<?xml version="1.0"?>
<!DOCTYPE TriX [ <!ENTITY x "y"> ]>
<TriX xmlns="http://www.w3.org/2004/03/trix/trix-1/"><graph><triple>
<uri>http://example.org/a</uri><uri>http://example.org/b</uri><plainLiteral>&x;</plainLiteral>
</triple></graph></TriX>
"""


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    p = tmp_path / name
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize(("name", "payload", "decl"), [
    ("laughs.rdf", BILLION_LAUGHS, "DOCTYPE"),
    ("xxe.rdf", EXTERNAL_ENTITY, "DOCTYPE"),
    ("laughs.trix", TRIX_DTD, "DOCTYPE"),
])
def test_xml_with_dtd_is_refused_before_parsing(tmp_path: Path, name: str, payload: str, decl: str) -> None:
    p = write(tmp_path, name, payload)
    t0 = time.perf_counter()
    with pytest.raises(LoadError) as err:
        parse_file(p)
    assert time.perf_counter() - t0 < 1.0
    assert str(p) in str(err.value) and decl in str(err.value) and err.value.line == 2


@pytest.mark.parametrize("ctx", [
    '"https://example.org/context.jsonld"',
    '"file:///etc/passwd"',
    '{"@import": "https://example.org/ctx.jsonld"}',
    '["https://w3id.org/yrd-kg/context.jsonld", "http://evil.example/c"]',
])
def test_jsonld_remote_or_file_context_is_refused(tmp_path: Path, ctx: str) -> None:
    p = write(tmp_path, "x.jsonld", f'{{"@context": {ctx}, "@id": "http://example.org/a", "http://example.org/p": "v"}}')
    with pytest.raises(LoadError, match="refused: JSON-LD"):
        parse_file(p)


def test_jsonld_with_the_shipped_context_loads(tmp_path: Path) -> None:
    p = write(tmp_path, "ok.jsonld",
              '{"@context": "https://w3id.org/yrd-kg/context.jsonld", "@id": "place:shanghai", "label": {"zh": "上海"}}')
    g = parse_file(p).graph
    assert len(g) == 1


@pytest.mark.parametrize("src", ["http://example.org/x.ttl", "https://example.org/x.ttl", "ftp://h/x.ttl",
                                 "file:///etc/passwd", "//server/share/x.ttl", "\\\\server\\share\\x.ttl",
                                 "/dev/stdin"])
def test_odd_sources_are_refused_without_the_allow_flag(src: str) -> None:
    with pytest.raises(LoadError, match="refused: the source is"):
        parse_file(src)


def test_unknown_extension_names_the_guessed_format(tmp_path: Path) -> None:
    p = write(tmp_path, "data", "@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\n")
    with pytest.raises(LoadError, match="looks like turtle"):
        parse_file(p)


def test_wrong_extension_names_the_format_guessed(tmp_path: Path) -> None:
    p = write(tmp_path, "x.ttl", BILLION_LAUGHS.split("<!DOCTYPE")[0] +
              '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n')
    with pytest.raises(LoadError, match=r"guessed from the extension \.ttl; the content looks like xml"):
        parse_file(p)


@pytest.mark.parametrize(("name", "text", "line"), [
    ("truncated.ttl", '@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:a ex:b "unterminated', 3),
    ("bad-iri.ttl", "@prefix ex: <http://example.org/> .\n\nex:a ex:b <bad iri> .\n", 3),
    ("bad-escape.ttl", '@prefix ex: <http://example.org/> .\nex:a ex:b "x\\q" .\n', 2),
    ("bad-lang.ttl", '@prefix ex: <http://example.org/> .\nex:a ex:b "x"@1bad .\n', 2),
    ("nul.ttl", '@prefix ex: <http://example.org/> .\nex:a ex:b "a\x00b" .\n', 2),
    ("bom.ttl", '\ufeff@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\n', 1),
])
def test_malformed_turtle_names_file_and_line(tmp_path: Path, name: str, text: str, line: int) -> None:
    p = write(tmp_path, name, text)
    with pytest.raises(LoadError) as err:
        parse_file(p)
    assert err.value.line == line, str(err.value)
    assert str(err.value).startswith(f"{p}:{line}:")


def test_size_cap(tmp_path: Path) -> None:
    p = write(tmp_path, "big.nt", "<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n" * 100)
    with pytest.raises(LoadError, match="over the cap"):
        parse_file(p, max_bytes=1000)


def test_deep_nesting_is_a_clear_error(tmp_path: Path) -> None:
    p = write(tmp_path, "deep.jsonld", '{"http://example.org/p": ' * 5000 + '"x"' + "}" * 5000)
    with pytest.raises(LoadError, match="nesting"):
        parse_file(p)
    q = write(tmp_path, "deep.ttl", "@prefix ex: <http://example.org/> .\nex:a ex:p " + "[ ex:p " * 3000 +
              "ex:z" + " ]" * 3000 + " .\n")
    try:
        g = parse_file(q).graph
        assert len(g) == 3001
    except LoadError as exc:  # either parsed or refused clearly, never a traceback
        assert "deep" in str(exc) or str(q) in str(exc)


def test_blank_node_labels_stay_distinct_across_files(tmp_path: Path) -> None:
    a = write(tmp_path, "a.ttl", '_:b1 <http://example.org/p> "from a" .\n')
    b = write(tmp_path, "b.ttl", '_:b1 <http://example.org/p> "from b" .\n')
    merged = Graph()
    merged += parse_file(a).graph
    merged += parse_file(b).graph
    assert len(set(merged.subjects())) == 2


def test_owl_imports_resolve_locally_and_cycles_end(tmp_path: Path) -> None:
    a = write(tmp_path, "a.ttl", "<http://example.org/A> a <http://www.w3.org/2002/07/owl#Ontology> ;"
              " <http://www.w3.org/2002/07/owl#imports> <http://example.org/B> .\n")
    b = write(tmp_path, "b.ttl", "<http://example.org/B> a <http://www.w3.org/2002/07/owl#Ontology> ;"
              " <http://www.w3.org/2002/07/owl#imports> <http://example.org/A> .\n")
    g = load_with_imports(a, {"http://example.org/B": b, "http://example.org/A": a})
    assert len(g) == 4
    with pytest.raises(LoadError, match="not in the local catalogue"):
        load_with_imports(a, {})


def _negative_syntax_tests(external: Path) -> list[Path]:
    manifest = Graph().parse(external / "w3c-rdf-tests" / "turtle" / "manifest.ttl", format="turtle")
    rdft = "http://www.w3.org/ns/rdftest#"
    mf = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
    from rdflib import RDF, URIRef

    out = []
    for t in manifest.subjects(RDF.type, URIRef(rdft + "TestTurtleNegativeSyntax")):
        action = manifest.value(t, URIRef(mf + "action"))
        out.append(external / "w3c-rdf-tests" / "turtle" / str(action).rsplit("/", 1)[-1])
    return sorted(out)


def test_w3c_turtle_negative_syntax_suite(external: Path) -> None:
    cases = _negative_syntax_tests(external)
    assert len(cases) == 94
    accepted = []
    for case in cases:
        try:
            parse_file(case)
        except LoadError as exc:
            assert str(case) in str(exc)
        else:
            accepted.append(case.name)
    assert accepted == [], f"negative syntax tests accepted: {accepted}"


def test_w3c_turtle_positive_syntax_suite_loads(external: Path) -> None:
    manifest = Graph().parse(external / "w3c-rdf-tests" / "turtle" / "manifest.ttl", format="turtle")
    from rdflib import RDF, URIRef

    rdft = "http://www.w3.org/ns/rdftest#"
    mf = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
    kind = URIRef(rdft + "TestTurtlePositiveSyntax")
    cases = [manifest.value(t, URIRef(mf + "action")) for t in manifest.subjects(RDF.type, kind)]
    assert len(cases) == 74
    refused = []
    for action in cases:
        path = external / "w3c-rdf-tests" / "turtle" / str(action).rsplit("/", 1)[-1]
        try:
            parse_file(path)
        except LoadError as exc:
            refused.append(str(exc))
    assert refused == [], refused
