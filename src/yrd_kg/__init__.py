"""yrd-kg: a knowledge graph of 陈晓峰、张其松 (2023) on co-building world-class advanced manufacturing clusters in the YRD.

The library API; the ``yrd-kg`` command line only wraps it. Heavy modules are imported lazily.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from yrd_kg.namespaces import VERSION as __version__

if TYPE_CHECKING:
    from yrd_kg.dataset.build import BuildResult

__all__ = ["__version__", "build"]


def build(*, force: bool = False, out_dir: Any = None) -> BuildResult:
    """Build the dataset (see :func:`yrd_kg.build.build`)."""
    from yrd_kg.dataset.build import build as _build

    return _build(force=force, out_dir=out_dir)
