"""Hugging Face Daily Papers page text, as copied from a browser.

The page is a run of title / abstract pairs, optionally followed by a
metadata block::

    Title
    Abstract
      • 4 authors        (optional)
    openbmb OpenBMB      (optional organisation)
    ·
    Aug 13, 2024 6       (date, then upvotes when there are any)

Blank lines may separate every line, or none.  Page chrome ("new",
"Subscribe", "Daily Papers", the page's own date …) is dropped, and a title
glued to the ``Subscribe`` button is repaired.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from kg.read.base import ReadContext
from kg.records import Paper

NAME = "hf-page"

_CHROME = {
    "new",
    "subscribe",
    "daily papers",
    "byak and the research community",
    "get trending papers in your email inbox!",
    "get trending papers in your email inbox once a day!",
}
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DATE = re.compile(
    r"^(?P<month>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? (?P<day>\d{1,2})"
    r"(?:, (?P<year>\d{4}))?(?: (?P<upvotes>\d+))?$"
)
_AUTHORS = re.compile(r"^•\s*(?P<n>\d+)\s+authors?$")
_DOT = "·"


def sniff(head: str, path: Path) -> bool:
    lowered = head.casefold()
    return "get trending papers in your email inbox" in lowered or "byak and the research community" in lowered


def _parse_date(text: str) -> tuple[str, int | None, int | None]:
    """``Aug 13, 2024 6`` → (``2024-08-13``, 2024, 6); a date without a year keeps its text."""
    match = _DATE.match(text)
    assert match is not None
    upvotes = int(match["upvotes"]) if match["upvotes"] else None
    if match["year"]:
        year = int(match["year"])
        month = _MONTHS.index(match["month"].casefold()[:3]) + 1
        try:
            return date(year, month, int(match["day"])).isoformat(), year, upvotes
        except ValueError:
            return f"{match['month']} {match['day']}, {year}", year, upvotes
    return f"{match['month']} {match['day']}", None, upvotes


def read(ctx: ReadContext) -> Iterator[Paper]:
    # Non-blank lines with their line numbers, chrome removed.
    lines: list[tuple[int, str]] = []
    for number, raw in ctx.lines():
        line = raw.strip()
        if not line or line.casefold() in _CHROME:
            continue
        if line.startswith("Subscribe") and len(line) > len("Subscribe"):
            line = line[len("Subscribe"):].strip()  # title glued to the button
        lines.append((number, line))
    # The page's own date stands before the first paper.
    while lines and _DATE.match(lines[0][1]):
        lines.pop(0)

    record = 0
    i = 0
    while i < len(lines):
        title_line, title = lines[i]
        if _AUTHORS.match(title) or title == _DOT:
            ctx.skip("metadata line without a paper", line=title_line)
            i += 1
            continue
        abstract = ""
        if i + 1 < len(lines) and not _is_meta_start(lines, i + 1):
            abstract = lines[i + 1][1]
            i += 2
        else:
            i += 1
        meta: dict[str, object] = {}
        # Optional metadata block.
        if i < len(lines) and (m := _AUTHORS.match(lines[i][1])):
            meta["n_authors"] = int(m["n"])
            i += 1
        if i + 1 < len(lines) and lines[i + 1][1] == _DOT and lines[i][1] != _DOT:
            meta["organisation"] = lines[i][1]
            i += 1
        if i < len(lines) and lines[i][1] == _DOT:
            i += 1
            if i < len(lines) and _DATE.match(lines[i][1]):
                meta["date"], meta["year"], meta["upvotes"] = _parse_date(lines[i][1])
                i += 1
        record += 1
        paper = ctx.paper(record, title=title, abstract=abstract, line=title_line, **meta)
        if paper is not None:
            yield paper


def _is_meta_start(lines: list[tuple[int, str]], i: int) -> bool:
    text = lines[i][1]
    return bool(_AUTHORS.match(text)) or text == _DOT or (i + 1 < len(lines) and lines[i + 1][1] == _DOT)
