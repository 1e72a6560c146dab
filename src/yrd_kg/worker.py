"""Run untrusted or unbounded work in a child process with a wall-clock limit, a memory cap and no network.

pyoxigraph evaluates a query in Rust and cannot be interrupted from another Python thread, and pySHACL
may loop for a long time on a hostile shapes graph. So the work runs in a worker process (``fork`` on
POSIX, so an in-memory store is shared copy-on-write) that is killed (``SIGKILL``) when the limit
passes; the caller gets :class:`SandboxTimeout` whose message says ``… exceeded N s and was stopped``.
An address-space limit (``memory_mb``; default :func:`default_memory_mb`, ``$YRD_KG_MEMORY_MB``) turns a
runaway allocation into :class:`SandboxMemoryError` instead of swapping the machine. The worker's
exception is raised again in the caller, same class.

Three more guarantees, by construction rather than by checking the work:

- **no network** (``network=False``): the worker enters a new, empty network namespace before it runs
  anything (``unshare(CLONE_NEWNET)``; ``CLONE_NEWUSER|CLONE_NEWNET`` without root), so every
  ``connect`` fails whatever the work asks for (a SPARQL ``SERVICE``, an ``owl:imports``).
  :func:`network_isolation` says whether the OS grants it; where it does not, callers fall back to a
  strict textual refusal (:mod:`yrd_kg.sparql.guard`);
- **no orphan**: the worker asks the kernel to kill it when its parent dies (``PR_SET_PDEATHSIG``), and
  the parent kills it on every way out of :func:`run_with_timeout` (result, timeout, signal);
- the worker ignores ``SIGINT`` (the parent decides, then kills it).

>>> run_with_timeout(sum, [1, 2, 3], timeout=10)
6
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import multiprocessing as mp
import os
import pickle
import signal
import sys
from collections.abc import Callable
from functools import lru_cache
from typing import Any, TypeVar

from yrd_kg.errors import EnvironmentFault

#: default wall-clock limit of work run from the command line (seconds)
DEFAULT_TIMEOUT = 60.0
#: default memory allowance of a worker (MB of address space on top of what it starts with)
DEFAULT_MEMORY_MB = 4096
#: environment variable that overrides :data:`DEFAULT_MEMORY_MB` (0: no cap)
MEMORY_ENV = "YRD_KG_MEMORY_MB"
#: environment variable that turns network namespaces off (``1``), to use or test the textual fallback
NO_NETNS_ENV = "YRD_KG_NO_NETNS"

_PR_SET_PDEATHSIG = 1
_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000

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


# --------------------------------------------------------------------------- process-level protections


def _libc() -> Any:
    return ctypes.CDLL(None, use_errno=True)


def set_parent_death_signal(sig: int = signal.SIGKILL) -> bool:
    """Ask Linux to send ``sig`` to this process when its parent dies; False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        return bool(_libc().prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def enter_empty_network() -> str | None:
    """Move this (single-threaded, freshly forked) process into a new network namespace with no interface up.

    Returns how (``"network namespace"`` as root, ``"user and network namespace"`` otherwise), or None
    when the OS refuses both. After it, every connection attempt fails ("network is unreachable").
    """
    if not sys.platform.startswith("linux") or os.environ.get(NO_NETNS_ENV, "") not in ("", "0"):
        return None
    try:
        libc = _libc()
    except OSError:
        return None
    if libc.unshare(_CLONE_NEWNET) == 0:
        return "network namespace"
    if libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNET) == 0:
        return "user and network namespace"
    return None


def _probe() -> None:
    os._exit(0 if enter_empty_network() else 1)


@lru_cache(maxsize=1)
def network_isolation() -> str | None:
    """How untrusted work is kept off the network on this machine (probed once per process), or None.

    None means the OS grants no network namespace: :mod:`yrd_kg.sparql.guard` then refuses every text
    that holds the word ``SERVICE`` at all (the strict textual fallback).
    """
    if not hasattr(os, "fork") or os.environ.get(NO_NETNS_ENV, "") not in ("", "0"):
        return None
    ctx = _context()
    proc = ctx.Process(target=_probe, daemon=True)
    proc.start()
    proc.join(10)
    if proc.is_alive():
        proc.kill()
        proc.join(5)
        return None
    if proc.exitcode != 0:
        return None
    return "network namespace (unshare CLONE_NEWNET)" if os.geteuid() == 0 else \
        "user and network namespace (unshare CLONE_NEWUSER|CLONE_NEWNET)"


def protection() -> str:
    """One line: what keeps untrusted query text off the network here (for ``--help`` and debug output)."""
    how = network_isolation()
    if how:
        return f"untrusted queries run in a worker inside an empty {how}: no connection can be made"
    return ("no network namespace is available here: every query text holding the word SERVICE is refused "
            "(strict textual fallback)")


def default_memory_mb() -> int:
    """The memory allowance of a worker: ``$YRD_KG_MEMORY_MB`` (0 for none) or :data:`DEFAULT_MEMORY_MB`."""
    raw = os.environ.get(MEMORY_ENV, "").strip()
    if not raw:
        return DEFAULT_MEMORY_MB
    try:
        value = int(raw)
    except ValueError:
        raise EnvironmentFault(f"{MEMORY_ENV}={raw!r}: expected a whole number of MB (0 for no cap)") from None
    if value < 0:
        raise EnvironmentFault(f"{MEMORY_ENV}={raw!r}: expected a whole number of MB (0 for no cap)")
    return value


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


def _enter_worker(parent: int, memory_mb: int, network: bool, isolation: str | None) -> None:
    """What a worker does first: die with its parent, leave signals to it, drop the network, cap memory."""
    set_parent_death_signal(signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the death signal was armed
        os._exit(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)
    if not network and isolation is not None and enter_empty_network() is None:
        raise SandboxError("the worker could not enter an empty network namespace; refused to run untrusted work")
    if memory_mb:
        _limit_memory(memory_mb)


#: True inside a worker: work asked for there runs in place (a daemonic worker may not start another; it
#: already has the limits, and the no-network namespace when it was asked for)
_IN_WORKER = False


def _child(conn: Any, parent: int, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any],
           memory_mb: int, network: bool, isolation: str | None) -> None:
    global _IN_WORKER
    try:
        _enter_worker(parent, memory_mb, network, isolation)
        _IN_WORKER = True
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
                     what: str = "the task", network: bool = True, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)`` in a worker process, killed after ``timeout`` seconds.

    The worker's exception is raised again here (same class and attributes); a timeout raises
    :class:`SandboxTimeout` (``what`` names the work in its message), a crash :class:`SandboxError`,
    running past ``memory_mb`` (an address-space limit on top of what the worker starts with; None: the
    default, 0: none) :class:`SandboxMemoryError`. ``network=False`` runs the work in an empty network
    namespace where the OS grants one (:func:`network_isolation`). The result must be picklable.
    """
    if timeout <= 0:
        raise ValueError(f"timeout must be positive, got {timeout!r}")
    if _IN_WORKER:
        return fn(*args, **kwargs)
    cap = default_memory_mb() if memory_mb is None else memory_mb
    isolation = None if network else network_isolation()
    ctx = _context()
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, os.getpid(), fn, args, kwargs, cap, network, isolation),
                       daemon=True)
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
            if cap and code in (-signal.SIGKILL, -signal.SIGABRT, -signal.SIGSEGV, -signal.SIGBUS):
                raise SandboxMemoryError(
                    f"{what}: the worker died (signal {-code}), most likely out of memory (limit {cap} MB) "
                    "or out of stack on deeply nested input") from None
            raise SandboxError(f"{what}: the worker died without an answer (exit code {code})") from None
    finally:  # every way out (result, timeout, Ctrl-C, a signal turned into an exception) stops the worker
        if proc.is_alive():
            proc.kill()
        proc.join(5)
        parent.close()
        with contextlib.suppress(ValueError, AttributeError):
            proc.close()
    if msg[0] == "ok":
        return msg[1]  # type: ignore[no-any-return]
    raise _rebuild_exception(*msg[1:])
