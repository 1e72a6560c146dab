"""Run untrusted or unbounded work in a child process with a wall-clock limit and a memory cap.

pyoxigraph evaluates a query in Rust and cannot be interrupted from another Python thread, and pySHACL
may loop for a long time on a hostile shapes graph. So the work runs in a worker process (``fork`` on
POSIX, so an in-memory store is shared copy-on-write) that is killed (``SIGKILL``) when the limit
passes; the caller gets :class:`SandboxTimeout` whose message says ``… exceeded N s and was stopped``.
An address-space limit (``memory_mb``) turns a runaway allocation into :class:`SandboxMemoryError`
instead of swapping the machine. The worker's exception is raised again in the caller, same class.

>>> run_with_timeout(sum, [1, 2, 3], timeout=10)
6
"""

from __future__ import annotations

import contextlib
import importlib
import multiprocessing as mp
import os
import pickle
import signal
from collections.abc import Callable
from typing import Any, TypeVar

from yrd_kg.errors import EnvironmentFault

#: default wall-clock limit of work run from the command line (seconds)
DEFAULT_TIMEOUT = 60.0

T = TypeVar("T")


class SandboxError(EnvironmentFault):
    """The worker could not give an answer (crashed, killed, or its result could not be returned)."""


class SandboxTimeout(SandboxError):
    """The work did not finish within ``timeout`` seconds and its worker was killed."""

    def __init__(self, what: str, timeout: float) -> None:
        self.timeout = timeout
        self.what = what
        super().__init__(f"{what} exceeded {timeout:g} s and was stopped (raise the limit with --timeout)")


class SandboxMemoryError(SandboxError):
    """The worker ran out of its memory allowance (``memory_mb``)."""


# --------------------------------------------------------------------------- the worker


def _send_exception(conn: Any, exc: BaseException) -> None:
    cls = type(exc)
    payload = ("exc", cls.__module__, cls.__qualname__, exc.args, dict(getattr(exc, "__dict__", {})), str(exc))
    try:
        conn.send(payload)
    except (pickle.PicklingError, TypeError, AttributeError):
        conn.send(("exc", cls.__module__, cls.__qualname__, (str(exc),), {}, str(exc)))


def _rebuild_exception(module: str, qualname: str, args: tuple[Any, ...], state: dict[str, Any],
                       text: str) -> BaseException:
    """The worker's exception as the same class (built without calling ``__init__``), else a SandboxError."""
    try:
        obj: Any = importlib.import_module(module)
        for part in qualname.split("."):
            obj = getattr(obj, part)
        if isinstance(obj, type) and issubclass(obj, BaseException):
            exc = obj.__new__(obj)
            exc.args = args
            exc.__dict__.update(state)
            return exc
    except (ImportError, AttributeError, TypeError):
        pass
    return SandboxError(f"{qualname}: {text}")


def _limit_memory(memory_mb: int) -> None:
    import resource

    base = 0
    with contextlib.suppress(OSError, ValueError), open("/proc/self/statm", encoding="ascii") as fh:
        base = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    limit = base + memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _child(conn: Any, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any],
           memory_mb: int | None) -> None:
    try:
        if memory_mb is not None:
            _limit_memory(memory_mb)
        result = fn(*args, **kwargs)
        try:
            conn.send(("ok", result))
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            conn.send(("exc", __name__, "SandboxError", (f"the result could not be returned: {exc}",), {}, str(exc)))
    except MemoryError:
        conn.send(("exc", __name__, "SandboxMemoryError",
                   (f"the worker ran out of memory (limit {memory_mb} MB)",), {}, "out of memory"))
    except BaseException as exc:  # everything goes back to the caller
        _send_exception(conn, exc)
    finally:
        conn.close()


def _context() -> Any:
    methods = mp.get_all_start_methods()
    return mp.get_context("fork" if "fork" in methods else "spawn")


def run_with_timeout(fn: Callable[..., T], /, *args: Any, timeout: float, memory_mb: int | None = None,
                     what: str = "the task", **kwargs: Any) -> T:
    """``fn(*args, **kwargs)`` in a worker process, killed after ``timeout`` seconds.

    The worker's exception is raised again here (same class and attributes); a timeout raises
    :class:`SandboxTimeout` (``what`` names the work in its message), a crash :class:`SandboxError`,
    running past ``memory_mb`` (an address-space limit on top of what the worker starts with)
    :class:`SandboxMemoryError`. The result must be picklable.
    """
    if timeout <= 0:
        raise ValueError(f"timeout must be positive, got {timeout!r}")
    ctx = _context()
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, fn, args, kwargs, memory_mb), daemon=True)
    proc.start()
    child.close()
    try:
        if not parent.poll(timeout):
            raise SandboxTimeout(what, timeout)
        try:
            msg = parent.recv()
        except EOFError:
            proc.join(5)
            code = proc.exitcode
            if memory_mb is not None and code in (-signal.SIGKILL, -signal.SIGABRT, -signal.SIGSEGV, -signal.SIGBUS):
                raise SandboxMemoryError(
                    f"{what}: the worker died (signal {-code}), most likely out of memory (limit {memory_mb} MB)") from None
            raise SandboxError(f"{what}: the worker died without an answer (exit code {code})") from None
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(5)
        parent.close()
        with contextlib.suppress(ValueError, AttributeError):
            proc.close()
    if msg[0] == "ok":
        return msg[1]  # type: ignore[no-any-return]
    raise _rebuild_exception(*msg[1:])
