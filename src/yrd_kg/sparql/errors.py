"""The errors of the SPARQL layer (all :class:`yrd_kg.errors.InputError`: exit 2 on the command line)."""

from __future__ import annotations

from yrd_kg.errors import InputError


class QueryError(InputError):
    """A query could not be run (unknown name, bad parameter, refused form, syntax error)."""


class UnknownQueryError(QueryError):
    """No saved query has this name."""


class ParameterError(QueryError):
    """A parameter is unknown, missing or has a value of the wrong type; ``param`` names it."""

    def __init__(self, param: str, message: str) -> None:
        self.param = param
        super().__init__(message)


class ReadOnlyError(QueryError):
    """The text is not a read-only query (an update, SERVICE, or a remote FROM)."""
