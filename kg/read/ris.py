"""RIS (Research Information Systems), the tagged format of EndNote, Zotero, Mendeley, PubMed and most publishers.

One record runs from ``TY  - JOUR`` to ``ER  -``; each line is a two-letter
tag, two spaces, a hyphen and a space, then the value; an untagged line
continues the previous value.  rispy parses the tags (mapping, list tags,
continuations); this module cuts the file into records first, so records
stream, keep their line numbers, and a last record without ``ER`` (a
truncated file) is reported instead of vanishing silently.

Fields: title TI, else T1; abstract AB, else N2; authors AU, else A1 (written
``First Last``); year PY / Y1 / DA with the most precise date among them; DOI
DO; url the first UR (an arXiv URL also gives the arXiv id); venue T2, else
JF / JO / JA / J2; keywords KW (one a line, or ``;``-separated).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import rispy

from kg.read.base import ReadContext
from kg.read.meta import arxiv_id_from, parse_date, person_name, split_list, unique
from kg.records import Paper

NAME = "ris"

_TAG = re.compile(r"^([A-Z][A-Z0-9])  -(?: |$)")
_FIRST_TAG = re.compile(r"^\s*TY  - ", re.MULTILINE)


def sniff(head: str, path: Path) -> bool:
    return bool(_FIRST_TAG.search(head))


def _records(ctx: ReadContext) -> Iterator[tuple[int, list[str] | None]]:
    """(line of ``TY``, the record's lines ending with ``ER``, or None when it never ends)."""
    start, lines = 0, None
    for number, raw in ctx.lines():
        match = _TAG.match(raw.lstrip())
        tag = match.group(1) if match else None
        if tag == "TY":
            if lines is not None:
                yield start, None
            start, lines = number, [raw.lstrip()]
        elif lines is None:
            continue  # blank lines and header text between records
        elif tag == "ER" or raw.strip() == "ER":
            yield start, [*lines, "ER  - "]
            lines = None
        else:
            lines.append(raw)
    if lines is not None:
        yield start, None


def _first(record: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        value = record.get(key)
        if isinstance(value, list):
            value = next((v for v in value if isinstance(v, str) and v.strip()), None)
        if isinstance(value, str) and value.strip():
            return value
    return None


def _date(record: dict[str, Any]) -> tuple[str | None, int | None]:
    parsed = [parse_date(record.get(key)) for key in ("date", "publication_year", "year")]
    date = max((d for d, _ in parsed if d), key=len, default=None)
    year = next((y for _, y in reversed(parsed) if y), None)
    return date, year


def _meta(record: dict[str, Any]) -> dict[str, Any]:
    date, year = _date(record)
    urls = [u for u in record.get("urls") or [] if isinstance(u, str)]
    authors = record.get("authors") or record.get("first_authors") or []
    keywords = [k for value in record.get("keywords") or [] for k in split_list(value)]
    return {
        "authors": unique(person_name(a) for a in authors if isinstance(a, str)),
        "date": date,
        "year": year,
        "doi": _first(record, "doi"),
        "arxiv_id": arxiv_id_from(*urls, record.get("doi")),
        "url": urls[0] if urls else None,
        "venue": _first(record, "secondary_title", "alternate_title3", "journal_name", "alternate_title2",
                        "alternate_title1"),
        "keywords": unique(keywords),
    }


def read(ctx: ReadContext) -> Iterator[Paper]:
    parser = rispy.RisParser()
    for record_no, (line, lines) in enumerate(_records(ctx), start=1):
        if lines is None:
            ctx.skip("record has no ER line (truncated file?)", line=line)
            continue
        parsed = parser.parse_lines(iter(lines))
        if not parsed:
            ctx.skip("RIS record could not be parsed", line=line)
            continue
        record = parsed[0]
        paper = ctx.paper(record_no, title=_first(record, "title", "primary_title"),
                          abstract=_first(record, "abstract", "notes_abstract"), line=line, **_meta(record))
        if paper is not None:
            yield paper
