"""The library's error taxonomy: what a command's exit code will be is decided by the class of the error.

Every error a user can cause or an environment can impose derives from :class:`YrdKgError`, so the
command line maps it in one place (:mod:`yrd_kg.cli.errors`):

=========================  ====  ==========================================================
class                      exit  meaning
=========================  ====  ==========================================================
:class:`FoundWanting`      1     checked and found wanting (validation fails, inconsistent ontology, no chain)
:class:`InputError`        2     bad input: a file, a parameter, a query text, a name
:class:`EnvironmentFault`  2     an unusable environment: a missing tool, a busy port, a full disk, a limit hit
=========================  ====  ==========================================================

The subclasses keep their historical bases too (``LookupError``, ``ValueError``) where callers relied on them.
"""

from __future__ import annotations

from typing import ClassVar


class YrdKgError(Exception):
    """Base of every error the library raises on purpose; ``exit_code`` is the command's exit status."""

    exit_code: ClassVar[int] = 2


class InputError(YrdKgError):
    """The input is wrong: a file that cannot be read or parsed, a bad parameter, an unknown name."""


class EnvironmentFault(YrdKgError):
    """The environment cannot do the job: a missing program, a busy port, a timeout, no memory, no disk."""


class FoundWanting(YrdKgError):
    """The input was checked and found wanting (the answer is "no", not an error of the run)."""

    exit_code: ClassVar[int] = 1
