"""A CSV (or TSV) table with a header row: one paper a row.

Columns are found by name, case-insensitively: ``title`` (required) and
``abstract``, and optionally ``id``, ``doi``, ``arxiv_id``, ``year``, ``date``,
``authors`` (``;``-separated; ``author`` also accepted), ``url``, ``venue`` (or
``source`` / ``journal``) and ``keywords`` (``;``-separated).  Other columns
are ignored.  A given ``id`` is kept as the paper's id, as in JSON Lines.

The delimiter (comma, tab or semicolon) is the one that splits the header
into most columns.  Rows are read one at a time with the ``csv`` module, so
large tables stream; a row without a title is skipped with its line number.
A table without a title column is not a table of papers: ``InputError``
naming the columns it has.  A row the ``csv`` module cannot parse (a cell
over its size limit, which no real abstract reaches) stops the file.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kg.errors import InputError
from kg.read.base import ReadContext
from kg.read.meta import arxiv_id_from, parse_date, parse_year, person_name, split_list, unique
from kg.records import Paper

NAME = "csv"

_DELIMITERS = (",", "\t", ";")
Row = dict[str, str]


def _split(line: str, delimiter: str) -> list[str]:
    """One line's cells; none when it is not a CSV line (a stray carriage return …)."""
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return []


def delimiter_of(header: str) -> str:
    return max(_DELIMITERS, key=lambda d: len(_split(header, d)))


def columns_of(head: str) -> set[str]:
    """The header's column names, lower-cased."""
    header = head.lstrip("\r\n").split("\n", 1)[0].rstrip("\r")
    return {name.strip().casefold() for name in _split(header, delimiter_of(header))}


def sniff(head: str, path: Path) -> bool:
    return "title" in columns_of(head) or path.suffix.lower() in (".csv", ".tsv")


def rows(ctx: ReadContext, required: str) -> Iterator[tuple[int, Row]]:
    """(line where the row starts, {lower-cased column: cell}) for every non-blank row.

    Raises ``InputError`` when the header lacks the ``required`` column or a row cannot be parsed.
    """
    try:
        stream = ctx.text_stream()
    except OSError as exc:
        raise InputError(str(ctx.path), exc.strerror or str(exc)) from None
    with stream:
        offset, header_line = 1, stream.readline()
        while header_line and not header_line.strip():
            offset, header_line = offset + 1, stream.readline()
        delimiter = delimiter_of(header_line)
        header = [name.strip().casefold() for name in _split(header_line.rstrip("\r\n"), delimiter)]
        if required not in header:
            shown = ", ".join(repr(name) for name in header[:30] if name) or "none"
            raise InputError(str(ctx.path), f"no {required!r} column; the columns are: {shown}", line=offset)
        reader = csv.reader(stream, delimiter=delimiter)
        end = 0  # lines the reader has consumed
        try:
            for cells in reader:
                start, end = offset + end + 1, reader.line_num
                if any(cell.strip() for cell in cells):
                    row: Row = {}
                    for name, cell in zip(header, cells, strict=False):
                        row.setdefault(name, cell)
                    yield start, row
        except csv.Error as exc:
            raise InputError(str(ctx.path), f"broken CSV row: {exc}", line=offset + end + 1) from None


def _meta(row: Row) -> dict[str, Any]:
    date, year = parse_date(row.get("date", ""))
    authors = split_list(row.get("authors") or row.get("author") or "")
    return {
        "authors": unique(person_name(a) for a in authors),
        "date": date,
        "year": parse_year(row.get("year")) or year,
        "doi": row.get("doi"),
        "arxiv_id": row.get("arxiv_id") or arxiv_id_from(row.get("url"), row.get("doi")),
        "url": row.get("url", "").strip(),
        "venue": (row.get("venue") or row.get("source") or row.get("journal") or "").strip(),
        "keywords": split_list(row.get("keywords", "")),
    }


def read(ctx: ReadContext) -> Iterator[Paper]:
    for record, (line, row) in enumerate(rows(ctx, "title"), start=1):
        pid = row.get("id", "").strip() or None
        paper = ctx.paper(record, title=row.get("title"), abstract=row.get("abstract"), id=pid, line=line,
                          **_meta(row))
        if paper is not None:
            yield paper
