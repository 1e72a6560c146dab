"""Build the static site: :func:`build_site` (the entry point ``yrd-kg site`` calls).

The site is rendered in memory from the model (:mod:`.model`, SPARQL on the store), then written
into a temporary folder beside ``output`` and renamed into place, so a reader never sees half a
site and a failed build leaves the old one. An existing ``output`` is replaced only when it is a
site built by this function (it holds the marker file ``.yrd-kg-site``) or empty. The same
dataset gives byte-identical files: nothing depends on time, order of dictionaries or blank-node
identifiers.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from yrd_kg.errors import InputError

from .adapters import (
    SourceUnavailable,
    chain_triples,
    default_source,
    read_source_text,
    run_saved_report,
    saved_queries,
    track,
)
from .adapters import shapes_store as _shapes_store
from .catalogue import MAX_ROWS, queries_index, query_page
from .charts import charts_page, cube_table
from .explorer import explorer_data, explorer_page, explorer_script
from .home import home_page, landing_html, search_page
from .model import load_model
from .ontodoc import ontology_index, term_page
from .pages import class_members, entity_page, list_page, lists_index
from .paper import paper_page
from .render import LANGS, Context, Page, page_html, page_paths
from .search import build_index, documents, index_script
from .shapes import load_shapes, shapes_page

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph as ox

MARKER = ".yrd-kg-site"
STATIC = Path(__file__).resolve().parent / "static"
#: static files copied into ``assets/`` (vendored libraries keep their folder and licence)
ASSETS = ("site.css", "site.js", "paper.js", "search.js", "explorer.js")


class SiteError(InputError):
    """The site cannot be written (the output is something else, or the source is unusable)."""


@dataclass(frozen=True)
class SiteResult:
    """What a build wrote."""

    output: Path
    pages: int
    files: int
    bytes: int
    entities: int
    terms: int
    queries: int
    shapes: int
    evidence: int
    quotes_highlighted: int
    spans: int
    links: int
    source: Path | None
    source_problem: str
    seconds: float

    def summary(self) -> str:
        """One line for the command line."""
        src = str(self.source) if self.source else f"no source ({self.source_problem})"
        return (f"{self.pages} pages ({self.files} files, {self.bytes / 1e6:.1f} MB) in {self.output}: {self.entities} entities, "
                f"{self.terms} ontology terms, {self.queries} queries, {self.shapes} shapes, "
                f"{self.quotes_highlighted}/{self.evidence} quotes highlighted in {self.spans} spans; "
                f"text: {src}; {self.seconds:.1f} s")


def _source(source: Path | None) -> tuple[str | None, Path | None, str]:
    """The raw text, its path and why it is missing (an explicit ``source`` must be usable)."""
    path = Path(source) if source is not None else default_source()
    try:
        return read_source_text(path), path, ""
    except SourceUnavailable as exc:
        if source is not None:
            raise SiteError(str(exc)) from exc
        return None, None, str(exc)


@dataclass
class Rendered:
    """The files of a site (path from the root → bytes) and what they hold."""

    files: dict[str, bytes]
    entities: int = 0
    terms: int = 0
    queries: int = 0
    shapes: int = 0
    evidence: int = 0
    anchored: int = 0
    spans: int = 0
    links: int = 0
    source: Path | None = None
    problem: str = ""


def render_site(store: ox.Store, *, source: Path | None = None, endpoint: str | None = None) -> Rendered:
    """Every file of the site, in memory."""
    model = load_model(store)
    raw, src_path, problem = _source(source)
    paths = page_paths(model)
    queries = saved_queries()
    shapes = load_shapes(_shapes_store(store))
    triples = chain_triples(store)
    files: dict[str, bytes] = {}
    pages: list[tuple[Context, Page]] = []
    anchored = spans = 0
    for lang in LANGS:
        ctx = Context(model, lang, endpoint, paths)
        members = class_members(ctx)
        tables = {n: cube_table(ctx, f"{lang}/paper.html", n) for n in (1, 2)}
        paper = paper_page(ctx, raw, problem, tables)
        anchored, spans = paper.anchored, paper.spans
        data = explorer_data(ctx, triples)
        if lang == LANGS[0]:
            files["data/explorer.js"] = explorer_script(data).encode()
            files["data/search-index.js"] = index_script(build_index(documents(model, paths, queries), model)).encode()
        pages += [(ctx, p) for p in (home_page(ctx, members, anchored), paper.page, explorer_page(ctx, data), charts_page(ctx),
                                     search_page(ctx), shapes_page(ctx, shapes), ontology_index(ctx, members),
                                     lists_index(ctx, members), queries_index(ctx, queries))]
        pages.extend((ctx, term_page(ctx, t, shapes, members)) for t in model.terms())
        pages.extend((ctx, entity_page(ctx, e)) for e in model.entities())
        pages.extend((ctx, list_page(ctx, c, v)) for c, v in members.items())
        for q in queries:
            results = run_saved_report(store, q.name, lang, MAX_ROWS) if q.kind == "report" and not q.open_params else None
            pages.append((ctx, query_page(ctx, q, results)))
    for ctx, page in track(pages, "site: writing pages"):
        if page.path in files:
            raise SiteError(f"two pages at {page.path}")
        files[page.path] = page_html(ctx, page).encode()
    files["index.html"] = landing_html().encode()
    for name in ASSETS:
        files[f"assets/{name}"] = (STATIC / name).read_bytes()
    vendor = STATIC / "vendor"
    for f in sorted(vendor.rglob("*")):
        if f.is_file():
            files["assets/vendor/" + f.relative_to(vendor).as_posix()] = f.read_bytes()
    files[MARKER] = b"yrd-kg static site (python -m yrd_kg.site); this folder is replaced on every build\n"
    return Rendered(dict(sorted(files.items())), len(model.entities()), len(model.terms()), len(queries), len(shapes),
                    len(model.evidence), anchored, spans, len(model.links), src_path, problem)


def write_atomically(files: dict[str, bytes], output: Path) -> None:
    """Write ``files`` into a temporary folder beside ``output``, then rename it into place."""
    output = Path(output).absolute()
    if output.exists() and not output.is_dir():
        raise SiteError(f"{output}: exists and is not a folder")
    if output.is_dir() and any(output.iterdir()) and not (output / MARKER).is_file():
        raise SiteError(f"{output}: not empty and not a yrd-kg site (no {MARKER}); refusing to replace it")
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{output.name}.new-", dir=output.parent))
    old: Path | None = None
    try:
        for rel_path, data in files.items():
            target = tmp / rel_path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        os.chmod(tmp, 0o755)  # noqa: S103 -- a web site is meant to be readable
        if output.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{output.name}.old-", dir=output.parent)) / "site"
            output.rename(old)
        tmp.rename(output)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None and old.exists() and not output.exists():
            with contextlib.suppress(OSError):
                old.rename(output)
        raise
    finally:
        if old is not None:
            shutil.rmtree(old.parent, ignore_errors=True)


def build_site(store: ox.Store | None, output: Path, *, source: Path | None = None, endpoint: str | None = None) -> SiteResult:
    """Build the static site of the dataset in ``store`` into ``output``.

    ``source``: the paper's text (default: :func:`yrd_kg.resources.default_source`; an explicit file
    must exist and match the checksum, a missing default gives a paper page of quotes only).
    ``endpoint``: the SPARQL endpoint URL the query pages link to (e.g. ``/sparql``); none by default.
    """
    t0 = time.perf_counter()
    if store is None:
        from yrd_kg.dataset.store import open_dataset

        store = open_dataset().store
    r = render_site(store, source=source, endpoint=endpoint)
    write_atomically(r.files, output)
    return SiteResult(
        output=Path(output).absolute(), pages=sum(1 for p in r.files if p.endswith(".html")), files=len(r.files),
        bytes=sum(len(b) for b in r.files.values()), entities=r.entities, terms=r.terms, queries=r.queries, shapes=r.shapes,
        evidence=r.evidence, quotes_highlighted=r.anchored, spans=r.spans, links=r.links, source=r.source,
        source_problem=r.problem, seconds=time.perf_counter() - t0)
