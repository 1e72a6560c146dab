"""Progress bars for work that takes more than a couple of seconds (``rich``, on standard error).

One switch for the whole process: bars are drawn only when standard error is a terminal, ``--quiet``
(:func:`set_quiet`) was not given and ``YRD_KG_QUIET`` is unset; otherwise every call here is a no-op, so
library code may always report progress. Bars are transient: they vanish when the work ends, leaving the
command's own output alone.

>>> set_quiet(True)
>>> with task("counting", total=3) as advance:
...     for _ in range(3):
...         advance()
>>> list(track(range(3), "again"))
[0, 1, 2]
>>> set_quiet(False)

Wired in: reasoning (:mod:`yrd_kg.reason`), linking (:mod:`yrd_kg.linking.propose`), site building and
the release. A hook for other long work (validation with inference, benchmarks): wrap the loop in
:func:`track` or a ``with task(...)`` block; nothing else is needed.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")

_quiet = False


def set_quiet(quiet: bool = True) -> None:
    """Silence (or allow again) every progress bar of this process (the CLI's ``--quiet``)."""
    global _quiet
    _quiet = quiet


def enabled() -> bool:
    """Whether bars are drawn: not quiet, ``YRD_KG_QUIET`` unset, standard error a terminal."""
    if _quiet or os.environ.get("YRD_KG_QUIET"):
        return False
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # a closed or replaced stream
        return False


def _noop(step: float = 1) -> None:
    return None


@contextmanager
def task(description: str, total: float | None = None) -> Iterator[Callable[..., None]]:
    """A bar for one piece of work; yields ``advance(step=1)``. ``total=None`` shows a spinner."""
    if not enabled():
        yield _noop
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed:.0f}/{task.total:.0f}")
               if total is not None else TextColumn(""), TimeElapsedColumn()]
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        tid = bar.add_task(description, total=total)

        def advance(step: float = 1) -> None:
            bar.advance(tid, step)

        yield advance


def track(items: Iterable[T], description: str, total: float | None = None) -> Iterator[T]:
    """Iterate ``items`` with a bar (``total`` defaults to ``len(items)`` when it has one)."""
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    with task(description, total) as advance:
        for item in items:
            yield item
            advance()
