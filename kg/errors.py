"""Exceptions raised by the library; the CLI prints each as one ``Error: …`` line."""

from __future__ import annotations


class KgError(Exception):
    """Base class of every error the library raises on purpose."""


class InputError(KgError):
    """An input file cannot be read: missing, empty, unknown format or broken."""

    def __init__(self, path: str, message: str, *, line: int | None = None, record: int | None = None):
        self.path = str(path)
        self.line = line
        self.record = record
        where = self.path
        if line is not None:
            where += f", line {line}"
        elif record is not None:
            where += f", record {record}"
        super().__init__(f"{where}: {message}")


class StrictModeError(KgError):
    """A record was skipped while ``--strict`` asked for none to be."""


class GraphNotFoundError(KgError):
    """The graph folder holds no build output."""


class EntityNotFoundError(KgError):
    """A name matches no entity (or several); ``candidates`` lists the closest ones."""

    def __init__(self, name: str, candidates: list[str], *, ambiguous: bool = False):
        self.name = name
        self.candidates = candidates
        self.ambiguous = ambiguous
        kind = "is ambiguous" if ambiguous else "matches no entity"
        hint = f"; closest: {', '.join(candidates)}" if candidates else ""
        super().__init__(f"{name!r} {kind}{hint}")


class QueryError(KgError):
    """A SPARQL query is invalid or not allowed (updates are refused)."""
