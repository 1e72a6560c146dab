"""The stores: in memory by default; the persistent one created once, reopened read-only, rebuilt only when a source changed."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from yrd_kg.dataset.store import STORE_DIR, StoreError, add_file, open_persistent, open_store, persistent_key

ROOT = Path(__file__).resolve().parents[1]
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def _count(store: ox.Store) -> int:
    return int(next(iter(store.query(COUNT)))["n"].value)  # type: ignore[index]


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of ontology/, data/ and queries/ (so a test may change a source)."""
    for d in ("ontology", "data", "queries"):
        shutil.copytree(ROOT / d, tmp_path / "home" / d)
    monkeypatch.setenv("YRD_KG_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("YRD_KG_STORE", raising=False)
    return tmp_path / "home"


def test_persistent_same_quads_as_memory(tmp_path: Path, home: Path) -> None:
    out = tmp_path / "build"
    disk = open_store(out, persistent=True)
    mem = open_store(out)
    assert (out / STORE_DIR).is_dir() and (out / "store.json").is_file()
    assert len(disk) == len(mem) == _count(disk) > 10_000
    assert _masked(disk) == _masked(mem)  # blank-node labels are fresh per load


def _masked(store: ox.Store) -> Counter[tuple[str, ...]]:
    def m(t: object) -> str:
        return "_:b" if isinstance(t, ox.BlankNode) else str(t)

    return Counter((m(q.subject), m(q.predicate), m(q.object), m(q.graph_name))
                   for q in store.quads_for_pattern(None, None, None, None))


def test_reopened_not_rebuilt(tmp_path: Path, home: Path) -> None:
    out = tmp_path / "build"
    open_store(out, persistent=True)
    before = (out / STORE_DIR).stat().st_ino, (out / "store.json").read_text()
    again = open_store(out, persistent=True)
    assert ((out / STORE_DIR).stat().st_ino, (out / "store.json").read_text()) == before
    assert _count(again) > 10_000


def test_rebuilt_when_a_source_changes(tmp_path: Path, home: Path) -> None:
    out = tmp_path / "build"
    first = open_store(out, persistent=True)
    key = persistent_key(out)
    extra = "\n<https://w3id.org/yrd-kg/id/actor/test-only> a <https://w3id.org/yrd-kg/ontology#Actor> .\n"
    with (home / "data" / "actors.ttl").open("a", encoding="utf-8") as f:
        f.write(extra)
    second = open_store(out, persistent=True)
    assert persistent_key(out) != key
    assert len(second) == len(first) + 1
    ask = "ASK { <https://w3id.org/yrd-kg/id/actor/test-only> a ?t }"
    assert bool(second.query(ask, use_default_graph_as_union=True))
    assert not bool(first.query(ask, use_default_graph_as_union=True))  # the old handle still reads its files


def test_read_only_and_extra_in_memory(tmp_path: Path, home: Path) -> None:
    out = tmp_path / "build"
    extra = tmp_path / "extra.ttl"
    extra.write_text("<https://w3id.org/yrd-kg/id/actor/x> <http://www.w3.org/2000/01/rdf-schema#label> \"x\" .\n",
                     encoding="utf-8")
    disk = open_store(out, persistent=True)
    with pytest.raises(StoreError, match="read-only"):
        add_file(disk, extra)
    mem = open_store(out, extra=[extra], persistent=True)  # extra files: always in memory
    assert len(mem) == len(disk) + 1
    assert ox.NamedNode("https://w3id.org/yrd-kg/graph/extra/extra.ttl") in set(mem.named_graphs())


def test_default_is_memory_and_env_chooses(tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "build"
    st = open_store(out)
    assert not (out / STORE_DIR).exists()
    st.add(ox.Quad(ox.NamedNode("http://example.org/a"), ox.NamedNode("http://example.org/b"), ox.Literal("c")))
    monkeypatch.setenv("YRD_KG_STORE", "disk")
    disk = open_store(out)
    assert (out / STORE_DIR).is_dir() and len(disk) == len(st) - 1
    monkeypatch.setenv("YRD_KG_STORE", "memory")
    open_store(out, persistent=True).add(
        ox.Quad(ox.NamedNode("http://example.org/a"), ox.NamedNode("http://example.org/b"), ox.Literal("c")))


def test_fallback_when_disk_store_fails(tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import yrd_kg.dataset.store as store_mod

    def boom(*_a: object, **_k: object) -> ox.Store:
        raise StoreError("no disk")

    monkeypatch.setattr(store_mod, "open_persistent", boom)
    monkeypatch.setenv("YRD_KG_STORE", "disk")
    out = tmp_path / "build"
    assert _count(open_store(out)) > 10_000  # the environment's choice falls back to memory
    with pytest.raises(StoreError):
        open_store(out, persistent=True)


def test_other_processes_share_it(tmp_path: Path, home: Path) -> None:
    out = tmp_path / "build"
    held = open_store(out, persistent=True)
    code = ("import sys; from yrd_kg.dataset.store import open_store; "
            "s = open_store(sys.argv[1], persistent=True); print(len(s))")
    res = [subprocess.run([sys.executable, "-c", code, str(out)], capture_output=True, text=True, check=True)
           for _ in range(2)]
    assert {r.stdout.strip() for r in res} == {str(len(held))}


def test_open_persistent_for_other_files(tmp_path: Path) -> None:
    nq = tmp_path / "x.nq"
    nq.write_text('<http://example.org/s> <http://example.org/p> "o" <http://example.org/g> .\n', encoding="utf-8")
    st = open_persistent(tmp_path, files=[nq], key="k1", directory=tmp_path / "db")
    assert len(st) == 1
    assert (tmp_path / "db.json").is_file()
    nq.write_text(nq.read_text() + '<http://example.org/s> <http://example.org/p> "o2" <http://example.org/g> .\n')
    assert len(open_persistent(tmp_path, files=[nq], key="k1", directory=tmp_path / "db")) == 1  # same key: reused
    assert len(open_persistent(tmp_path, files=[nq], key="k2", directory=tmp_path / "db")) == 2  # new key: rebuilt
