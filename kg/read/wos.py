"""Web of Science plain-text export ("Full Record" saved as "Plain text file").

::

    FN Clarivate Analytics Web of Science
    VR 1.0
    PT J
    AU Smith, J
       Doe, A
    TI A title that goes on
       to a second line
    ...
    ER

    EF

Each line is a two-character tag, a space and a value; a line starting with
three spaces continues the tag above.  For AU/AF (and other list tags) each
continuation line is one more item; for TI/AB/SO it is more of the same text.
The format is this simple, so it is read by hand, line by line, streaming;
a record cut off before its ``ER`` (a truncated file) is reported, not read.

Fields: title TI, abstract AB (its closing copyright notice dropped), authors
AF (full names) else AU, written ``First Last``; year PY, date from PY + PD
(``MAR 15``), DOI DI, venue SO, keywords DE (author keywords) then ID
(Keywords Plus); url the DOI link DL when the export has one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kg.read.base import ReadContext
from kg.read.meta import iso_date, month_number, parse_year, person_name, split_list, strip_copyright, unique
from kg.records import Paper

NAME = "wos"

_TAG = re.compile(r"^([A-Z][A-Z0-9])(?: |$)")
_DAY = re.compile(r"\b(\d{1,2})\b")


def sniff(head: str, path: Path) -> bool:
    first = head.lstrip().split("\n", 1)[0]
    return first.startswith("FN ") or bool(re.match(r"PT [A-Z]\s*$", first))


def _records(ctx: ReadContext) -> Iterator[tuple[int, dict[str, list[str]] | None]]:
    """(line of ``PT``, the record's tags with their lines, or None when it has no ``ER``)."""
    start, record, last = 0, None, ""
    for number, raw in ctx.lines():
        match = _TAG.match(raw)
        if match is None:
            if record is not None and raw.strip():
                record.setdefault(last, []).append(raw.strip())
            continue
        tag = match.group(1)
        if tag == "PT":
            if record is not None:
                yield start, None
            start, record, last = number, {}, tag
        elif record is None:
            continue  # FN, VR, EF and blank lines between records
        elif tag == "ER":
            yield start, record
            record = None
        else:
            record.setdefault(tag, []).append(raw[3:].strip())
            last = tag
    if record is not None:
        yield start, None


def _joined(record: dict[str, list[str]], tag: str) -> str:
    return " ".join(record.get(tag, []))


def _meta(record: dict[str, list[str]]) -> dict[str, Any]:
    year = parse_year(_joined(record, "PY"))
    published = _joined(record, "PD")
    day = _DAY.search(published)
    date = iso_date(year, month_number(published), int(day.group(1)) if day else None) \
        or iso_date(year, month_number(published))
    keywords = split_list(_joined(record, "DE")) + split_list(_joined(record, "ID"))
    return {
        "authors": unique(person_name(name) for name in record.get("AF") or record.get("AU") or []),
        "date": date,
        "year": year,
        "doi": _joined(record, "DI"),
        "url": _joined(record, "DL"),
        "venue": _joined(record, "SO"),
        "keywords": unique(keywords),
    }


def read(ctx: ReadContext) -> Iterator[Paper]:
    for record_no, (line, record) in enumerate(_records(ctx), start=1):
        if record is None:
            ctx.skip("record has no ER line (truncated file?)", line=line)
            continue
        paper = ctx.paper(record_no, title=_joined(record, "TI"), abstract=strip_copyright(_joined(record, "AB")),
                          line=line, **_meta(record))
        if paper is not None:
            yield paper
