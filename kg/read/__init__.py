"""Read input files into ``Paper`` records: pick a reader, read, de-duplicate.

Readers know nothing of spaCy or of the graph; they only turn files into papers
and say what they could not read.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from kg.errors import InputError, StrictModeError
from kg.read import arxiv_atom, bibtex, csvfile, hfpage, jsonl, openalex, ris, s2, scopus, wos
from kg.read.base import ReadContext
from kg.read.dedupe import deduplicate
from kg.records import Merge, Paper, Skipped

# Sniffing order matters: the most specific formats first (API JSON before JSON Lines,
# Scopus CSV before any CSV).
READERS: dict[str, ModuleType] = {
    module.NAME: module
    for module in (hfpage, arxiv_atom, openalex, s2, jsonl, wos, ris, bibtex, scopus, csvfile)
}

_SNIFF_BYTES = 64 * 1024


@dataclass
class InputSummary:
    """What one input file gave."""

    file: str
    format: str
    records: int
    skipped: int
    decode_errors: int

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class ReadResult:
    """Papers after de-duplication, and everything a report must say about them."""

    papers: list[Paper]
    inputs: list[InputSummary] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    merges: list[Merge] = field(default_factory=list)


def formats() -> list[str]:
    """The ``--format`` values, in sniffing order."""
    return list(READERS)


def _looks_binary(head: bytes) -> bool:
    return b"\x00" in head[:4096]


def detect_format(path: Path) -> str:
    """Sniff a file's content (its extension only breaks ties) and name its format."""
    if not path.exists():
        raise InputError(str(path), "no such file")
    if path.is_dir():
        raise InputError(str(path), "is a directory, not a file")
    try:
        with path.open("rb") as handle:
            head_bytes = handle.read(_SNIFF_BYTES)
    except OSError as exc:
        raise InputError(str(path), exc.strerror or str(exc)) from None
    if not head_bytes.strip():
        raise InputError(str(path), "file is empty")
    if _looks_binary(head_bytes):
        raise InputError(str(path), "binary file, not text")
    head = head_bytes.decode("utf-8", errors="replace").lstrip("\ufeff")
    for name, module in READERS.items():
        if module.sniff(head, path):
            return name
    lowered = head.lstrip()[:200].casefold()
    if lowered.startswith(("<!doctype html", "<html")):
        raise InputError(str(path), "an HTML page, not an export of papers")
    if lowered.startswith(("{", "[")):
        raise InputError(str(path), "a JSON document that is neither an OpenAlex nor a Semantic Scholar response; "
                                    "for your own papers write JSON Lines (one object with \"title\" and "
                                    "\"abstract\" a line) and pass -f jsonl")
    raise InputError(str(path), f"unknown format; pass -f with one of: {', '.join(formats())}")


def iter_file(path: Path, fmt: str | None = None) -> tuple[ReadContext, Iterator[Paper]]:
    """Start reading one file; the context collects what was skipped as it goes."""
    path = Path(path)
    if fmt is None:
        fmt = detect_format(path)
    elif fmt not in READERS:
        raise InputError(str(path), f"unknown format {fmt!r}; valid formats: {', '.join(formats())}")
    elif not path.is_file():
        detect_format(path)  # raises the right message for a missing path or a folder
    ctx = ReadContext(path=path, format=fmt)
    return ctx, READERS[fmt].read(ctx)


def read_papers(paths: Iterable[str | Path], *, fmt: str | None = None, strict: bool = False) -> ReadResult:
    """Read every input, de-duplicate across all of them, and account for every record.

    Raises ``InputError`` when a file as a whole is unreadable, and
    ``StrictModeError`` when ``strict`` is set and any record was skipped.
    """
    papers: list[Paper] = []
    result = ReadResult(papers=[])
    for path in paths:
        ctx, records = iter_file(Path(path), fmt)
        count = 0
        for paper in records:
            papers.append(paper)
            count += 1
        if count == 0 and not ctx.skipped:
            raise InputError(str(path), f"no papers found (read as {ctx.format})")
        if count == 0:
            first = ctx.skipped[0]
            where = f"line {first.line}" if first.line is not None else f"record {first.record}"
            raise InputError(str(path), f"no readable paper ({len(ctx.skipped)} skipped; {where}: {first.reason})")
        result.inputs.append(InputSummary(file=str(path), format=ctx.format, records=count,
                                          skipped=len(ctx.skipped), decode_errors=ctx.decode_errors))
        result.skipped.extend(ctx.skipped)
        if ctx.decode_errors:
            result.skipped.append(Skipped(file=str(path), reason=f"invalid UTF-8 replaced on {ctx.decode_errors} line(s)"))
    if strict and result.skipped:
        first = result.skipped[0]
        raise StrictModeError(f"{first.location()}: {first.reason} (--strict)")
    result.papers, result.merges = deduplicate(papers)
    return result
