"""Static files: the site at ``/`` and the query page's own assets, never anything outside their folder.

A path is percent-decoded once and refused (404) when it holds ``..``, a backslash, a NUL or a hidden
segment, or when the file it names resolves outside the root (a symbolic link pointing out). A folder
answers with its ``index.html``. Answers carry an ``ETag`` (size and modification time) and honour
``If-None-Match`` with 304.
"""

from __future__ import annotations

import mimetypes
import urllib.parse
from pathlib import Path

from yrd_kg.serve.wire import Response

TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".json": "application/json", ".svg": "image/svg+xml", ".png": "image/png", ".txt": "text/plain; charset=utf-8",
         ".md": "text/plain; charset=utf-8", ".ttl": "text/turtle; charset=utf-8"}


def resolve(root: Path, url_path: str) -> Path | None:
    """The file ``url_path`` names under ``root`` (``index.html`` for a folder), or None."""
    path = urllib.parse.unquote(url_path, errors="strict") if "%" in url_path else url_path
    parts = [p for p in path.split("/") if p]
    if any(p in (".", "..") or p.startswith(".") or "\\" in p or "\x00" in p for p in parts):
        return None
    base = root.resolve()
    target = base.joinpath(*parts) if parts else base
    try:
        real = target.resolve()
    except (OSError, RuntimeError):
        return None
    if real != base and base not in real.parents:
        return None
    if real.is_dir():
        real = real / "index.html"
    return real if real.is_file() else None


def serve_file(root: Path, url_path: str, if_none_match: str = "") -> Response | None:
    """The response for a static file, or None when there is none."""
    try:
        f = resolve(root, url_path)
    except UnicodeDecodeError:
        return None
    if f is None:
        return None
    st = f.stat()
    etag = f'"{st.st_size:x}-{st.st_mtime_ns:x}"'
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if if_none_match and etag in (t.strip() for t in if_none_match.split(",")):
        return Response(304, headers=headers)
    ctype = TYPES.get(f.suffix.lower()) or mimetypes.guess_type(f.name)[0] or "application/octet-stream"
    return Response(200, f.read_bytes(), ctype, headers)


def redirect_dir(root: Path, url_path: str) -> str | None:
    """``/en`` → ``/en/`` when it is a folder of the site (so relative links resolve)."""
    if url_path.endswith("/"):
        return None
    try:
        f = resolve(root, url_path)
    except UnicodeDecodeError:
        return None
    if f is not None and f.name == "index.html" and not url_path.endswith("index.html"):
        return url_path + "/"
    return None
