"""Validate an SSSOM/TSV file with sssom-py's own command (``sssom validate``), as a user of the set would."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path


def sssom_validate(path: Path) -> tuple[int, str]:
    """Exit status and output of ``sssom validate PATH`` (JSON schema, prefix map completeness, strict CURIEs)."""
    exe = shutil.which("sssom") or str(Path(sys.executable).parent / "sssom")
    proc = subprocess.run([exe, "validate", str(path)], capture_output=True, text=True, timeout=300, check=False)
    return proc.returncode, proc.stdout + proc.stderr
