"""Dev entry point: ``python -m yrd_kg.site --output DIR [--source FILE] [--endpoint URL]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    """Build the dataset's store, then the site; print one line of figures."""
    ap = argparse.ArgumentParser(prog="python -m yrd_kg.site", description="Build the static site of the graph.")
    ap.add_argument("--output", "-o", type=Path, required=True, help="folder to write (replaced atomically)")
    ap.add_argument("--source", type=Path, default=None, help="the paper's text (default: $YRD_KG_SOURCE or ../shared/source)")
    ap.add_argument("--endpoint", default=None, help="SPARQL endpoint URL the query pages link to (e.g. /sparql)")
    args = ap.parse_args(argv)
    from ..store import open_store
    from .build import SiteError, build_site

    try:
        result = build_site(open_store(), args.output, source=args.source, endpoint=args.endpoint)
    except SiteError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if result.source_problem:
        print(f"warning: the paper page lists the quotes only: {result.source_problem}", file=sys.stderr)
    print(result.summary())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
