"""The prebuilt search index: labels and quotes in zh and en, searchable without a server.

Documents are the entity pages (labels, alternative labels, notation), the ontology terms, the
saved queries (their questions) and the quotes (one document per distinct anchored span, linked
to its place in the paper). Chinese is indexed by character bigrams (a one-character query looks
up every bigram holding it), Latin text by lower-cased word tokens (matched by prefix); the
browser then confirms each candidate by substring, so n-gram collisions never show. The index is
one script, ``data/search-index.js`` (``window.YRD_SEARCH``), so it loads from ``file://`` too.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from typing import Any

from .adapters import QueryInfo
from .model import ID, SKOS, SiteModel, Y, compact
from .render import FALLBACK_LABELS

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[a-z0-9]+")


def normalise(text: str) -> str:
    """The form documents and queries are compared in: NFKC, lower case, whitespace removed."""
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


def keys(text: str) -> set[str]:
    """Index keys of ``text``: CJK character bigrams (a lone character stands alone) and Latin words."""
    norm = unicodedata.normalize("NFKC", text).lower()
    out: set[str] = set()
    for run in _CJK.findall(norm):
        if len(run) == 1:
            out.add(run)
        out.update(run[i:i + 2] for i in range(len(run) - 1))
    out.update(_WORD.findall(norm))
    return out


def _doc(kind: str, url: str, zh: str, en: str, extra: str = "", cls: str = "") -> dict[str, Any]:
    d = {"k": kind, "u": url, "zh": zh, "en": en}
    if cls:
        d["c"] = cls
    if extra.strip():
        d["x"] = extra.strip()
    return d


def doc_text(d: dict[str, Any]) -> str:
    """The normalised text a document is matched against (``search.js`` builds the same)."""
    return normalise(" ".join((d["zh"], d["en"], d.get("x", ""))))


def documents(model: SiteModel, paths: dict[str, str], queries: list[QueryInfo]) -> list[dict[str, Any]]:
    """Every searchable document, in a stable order."""
    docs = []
    for iri in model.entities():
        if iri not in paths:
            continue
        lab = model.labels.get(iri)
        n = model.notation(iri)
        alts = " ".join(t.value for t in model.values(iri, SKOS + "altLabel"))
        types = model.types(iri)
        zh = lab.zh if lab else compact(iri)
        en = lab.en if lab else compact(iri)
        if iri.startswith(ID + "part/"):
            n = ""  # parts are named by their heading; the slug stays searchable below
        docs.append(_doc("e", paths[iri], f"{n} {zh}".strip() if n and n not in zh else zh,
                         f"{n} {en}".strip() if n and n not in en else en, f"{alts} {compact(iri)}",
                         compact(model.primary_type(iri)) if types else ""))
    for iri in model.terms():
        lab = model.labels.get(iri)
        docs.append(_doc("t", paths[iri], lab.zh if lab else "", lab.en if lab else "", "yrd:" + iri[len(Y):]))
    for q in queries:
        docs.append(_doc("q", f"queries/{q.name}.html", q.summary_zh, q.summary_en, q.name))
    seen: dict[tuple[int, int], dict[str, Any]] = {}
    for ev in model.evidence:
        if not ev.anchored:
            continue
        span = (ev.start or 0, ev.end or 0)
        holder = model.link_by_iri[ev.holder].subject if ev.holder in model.link_by_iri else ev.holder
        if span in seen:
            if paths.get(holder) and paths[holder] not in seen[span]["h"]:
                seen[span]["h"].append(paths[holder])
            continue
        d = _doc("p", f"paper.html#{ev.key}", ev.quote, "", "")
        d["h"] = [paths[holder]] if paths.get(holder) else []
        d["loc"] = model.notation(ev.locator)
        seen[span] = d
        docs.append(d)
    return docs


def build_index(docs: list[dict[str, Any]], model: SiteModel | None = None) -> dict[str, Any]:
    """Postings (key → sorted document numbers) over ``docs``, and the zh/en names of their classes."""
    post: dict[str, set[int]] = defaultdict(set)
    for i, d in enumerate(docs):
        for k in keys(" ".join((d["zh"], d["en"], d.get("x", "")))):
            post[k].add(i)
    classes: dict[str, dict[str, str]] = {}
    if model is not None:
        iris = {compact(c): c for iri in model.entities() for c in model.types(iri)}
        for c in sorted({d["c"] for d in docs if d.get("c")}):
            full = iris.get(c, c)
            zh, en = FALLBACK_LABELS.get(full, (model.label(full, "zh"), model.label(full, "en")))
            classes[c] = {"zh": model.label(full, "zh") if full in model.labels else zh,
                          "en": model.label(full, "en") if full in model.labels else en}
    return {"docs": docs, "post": {k: sorted(v) for k, v in sorted(post.items())}, "classes": classes}


def index_script(index: dict[str, Any]) -> str:
    """``data/search-index.js``."""
    return "window.YRD_SEARCH = " + json.dumps(index, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + ";\n"


def search(index: dict[str, Any], query: str) -> list[int]:
    """The documents matching ``query`` (what ``search.js`` does, for tests): every key, then substring."""
    qn = normalise(query)
    if not qn:
        return []
    cand: set[int] | None = None
    for k in sorted(keys(query)) or [qn]:
        if _CJK.fullmatch(k) and len(k) == 1:
            hits = {i for key, ids in index["post"].items() if k in key for i in ids}
        elif _CJK.fullmatch(k):
            hits = set(index["post"].get(k, ()))
        else:
            hits = {i for key, ids in index["post"].items() if key.startswith(k) for i in ids}
        cand = hits if cand is None else cand & hits
    parts = [p for p in re.split(r"\s+", unicodedata.normalize("NFKC", query).lower()) if p]
    return sorted(i for i in (cand or set()) if all(p in doc_text(index["docs"][i]) for p in parts))
