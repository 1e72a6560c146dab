"""Shared by test_site.py and test_site_browser.py: the static site built once per test session."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SOURCE = Path(os.environ.get("YRD_KG_SOURCE", ROOT.parent / "shared" / "source" / "paper.zh.txt"))


@dataclass(frozen=True)
class BuiltSite:
    """A site built from the session's store, and what the build reported."""

    path: Path
    result: Any
    has_source: bool


_CACHE: dict[str, BuiltSite] = {}


def built_site(store: Any) -> BuiltSite:
    """The site of ``store`` (built on first use into a temporary folder, removed at exit)."""
    if "site" not in _CACHE:
        from yrd_kg.site.build import build_site

        tmp = Path(tempfile.mkdtemp(prefix="yrd-site-test-"))
        atexit.register(shutil.rmtree, tmp, True)
        has_source = SOURCE.is_file()
        result = build_site(store, tmp / "site", source=SOURCE if has_source else None)
        _CACHE["site"] = BuiltSite(tmp / "site", result, has_source and not result.source_problem)
    return _CACHE["site"]
