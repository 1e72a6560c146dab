"""The one error policy of the command line: every exception a command lets out becomes an exit code here.

=====  ==================================================================================
exit   when
=====  ==================================================================================
0      success
1      checked and found wanting: :class:`yrd_kg.errors.FoundWanting` (validation fails,
       inconsistent ontology, no chain between two nodes)
2      bad input, an unusable environment, an I/O error: :class:`yrd_kg.errors.YrdKgError`,
       ``OSError`` (unreadable file, full disk, busy port, broken pipe), ``MemoryError``,
       ``ValueError``/``SyntaxError`` from a parser, a panic in the Rust engine
130    interrupted (Ctrl-C); 143 stopped by ``SIGTERM``, 129 by ``SIGHUP``
=====  ==================================================================================

The message is one line on standard error (``error: …``); no traceback reaches the user for any of these.
Anything else is a bug and is shown as one.

``SIGTERM`` and ``SIGHUP`` become an exception (:class:`Terminated`) while a command runs, so every
``finally`` runs as it does for Ctrl-C: workers are killed (:func:`yrd_kg.worker.run_with_timeout`), child
processes stopped, temporary folders and half-written files removed. Standard output is flushed inside
the policy, so a full disk or a closed pipe is reported like any other error.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import sys
import threading
from typing import Any

import click

from yrd_kg.errors import FoundWanting, YrdKgError

EXIT_WANTING = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130
#: the signals turned into :class:`Terminated` while a command runs
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


class Terminated(KeyboardInterrupt):
    """A command was stopped by a signal (``SIGTERM``, ``SIGHUP``); raised like Ctrl-C so cleanup runs."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(f"stopped by {signal.Signals(signum).name}")


def _terminate(signum: int, _frame: Any) -> None:
    raise Terminated(signum)


def _is_panic(exc: BaseException) -> bool:
    """A pyo3 ``PanicException`` (a panic in pyoxigraph's Rust code; a BaseException, not an Exception)."""
    return type(exc).__name__ == "PanicException"


_OUTPUT_ERRNOS = (errno.ENOSPC, errno.EIO, errno.EDQUOT, errno.EFBIG)


def describe(exc: BaseException) -> tuple[int, str]:
    """(exit code, one-line message) for an exception a command let out; re-raises one that is a bug."""
    if isinstance(exc, FoundWanting):
        return EXIT_WANTING, str(exc)
    if isinstance(exc, YrdKgError):
        return exc.exit_code, str(exc)
    if isinstance(exc, Terminated):
        return 128 + int(exc.signum), str(exc)
    if isinstance(exc, KeyboardInterrupt):
        return EXIT_INTERRUPTED, "interrupted"
    if isinstance(exc, BrokenPipeError):
        return EXIT_ERROR, "output closed early (broken pipe)"
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ("writing the output: " if exc.errno in _OUTPUT_ERRNOS else "")
        if exc.errno == errno.ENOSPC:
            return EXIT_ERROR, f"{where}no space left on the device"
        return EXIT_ERROR, f"{where}{exc.strerror or exc}"
    if isinstance(exc, MemoryError):
        return EXIT_ERROR, "out of memory (raise the limit or give the process more memory)"
    if isinstance(exc, RecursionError):
        return EXIT_ERROR, "input nested too deeply to process"
    if isinstance(exc, SyntaxError | ValueError | UnicodeError):
        return EXIT_ERROR, str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if _is_panic(exc):
        return EXIT_ERROR, f"the query engine failed on this input ({str(exc).splitlines()[0] if str(exc) else 'panic'})"
    raise exc


def report(exc: BaseException) -> int:
    """Print the one-line message of ``exc`` on standard error and return its exit code."""
    code, message = describe(exc)
    if message:
        with contextlib.suppress(OSError):
            click.echo(f"error: {message}", err=True)
    if isinstance(exc, OSError) and exc.errno in (errno.EPIPE, *_OUTPUT_ERRNOS):
        # keep Python from complaining again when it flushes the broken standard output at exit
        with contextlib.suppress(OSError, ValueError, AttributeError), open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), sys.stdout.fileno())
    return code


def found_wanting(message: str = "") -> FoundWanting:
    """The exception a command raises to exit 1 after printing its findings."""
    return FoundWanting(message)


class PolicyCommand(click.Command):
    """A click command whose exceptions go through this policy (also when it is invoked on its own)."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; map what it raises to one line and an exit code."""
        previous: dict[int, Any] = {}
        if threading.current_thread() is threading.main_thread():
            for sig in STOP_SIGNALS:
                previous[sig] = signal.signal(sig, _terminate)
        try:
            result = super().invoke(ctx)
            sys.stdout.flush()  # a full disk or a closed pipe is an error of this command, not of the exit
            return result
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort, SystemExit):
            raise
        except BaseException as exc:  # the policy decides; a bug is raised again in describe()
            ctx.exit(report(exc))
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
