"""Metadata helpers the readers share: years, ISO dates, person names, lists.

Dates are ISO 8601 at the precision the source gives: ``2014-02-24`` when the
day is known, ``2014-02`` with a month only; a year alone goes to ``year`` and
leaves ``date`` empty, so ``date`` never repeats ``year`` in another form.
Person names are written ``First Last`` whatever the export's order
(``Renes, Joseph M.`` → ``Joseph M. Renes``) so that one author read from
BibTeX, RIS, Web of Science and OpenAlex is one name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from kg.read.clean import clean_text, normalise_arxiv_id

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_DATE = re.compile(r"(?<!\d)(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?(?!\d)")
# "© 2020 Elsevier Ltd. All rights reserved." closing a Scopus or WoS abstract.
_COPYRIGHT = re.compile(r"\s*(?:©|\(C\)|Copyright\b ?©?)\s*(?:\d{4}\b|The Author)[^©]{0,300}$")


def parse_year(value: object) -> int | None:
    """The first plausible four-digit year in ``value`` (``"2014///"`` → 2014)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 1000 <= value <= 2999 else None
    if not isinstance(value, str):
        return None
    match = _YEAR.search(value)
    year = int(match.group(1)) if match else None
    return year if year is not None and 1000 <= year <= 2999 else None


def month_number(value: object) -> int | None:
    """``feb`` / ``February`` / ``2`` / ``MAR 15`` → the month's number."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 1 <= value <= 12 else None
    if not isinstance(value, str):
        return None
    text = value.strip(" {}.").casefold()
    if text.isdigit():
        return int(text) if len(text) <= 2 and 1 <= int(text) <= 12 else None
    return _MONTHS.index(text[:3]) + 1 if text[:3] in _MONTHS else None


def iso_date(year: int | None, month: int | None = None, day: int | None = None) -> str | None:
    """``2014-02-24`` or ``2014-02``; None for a year alone or an impossible date."""
    if year is None or month is None:
        return None
    try:
        date(year, month, day or 1)
    except ValueError:
        return None
    return f"{year:04d}-{month:02d}-{day:02d}" if day else f"{year:04d}-{month:02d}"


def parse_date(value: object) -> tuple[str | None, int | None]:
    """(ISO date, year) from ``2022-02-24T15:05:19Z``, ``2014/03/15/``, ``2014`` …"""
    if not isinstance(value, str):
        return None, parse_year(value)
    match = _DATE.search(value)
    if not match:
        return None, None
    year = parse_year(match.group(1))
    month = int(match.group(2)) if match.group(2) else None
    day = int(match.group(3)) if match.group(3) else None
    return iso_date(year, month, day) or iso_date(year, month), year


def person_name(name: str) -> str:
    """``Last, First`` (or ``Last, Jr., First``) → ``First Last (Jr.)``; other forms unchanged."""
    name = clean_text(name)
    parts = [p.strip() for p in name.split(",")]
    if len(parts) == 2 and all(parts):
        return f"{parts[1]} {parts[0]}"
    if len(parts) == 3 and all(parts):
        return f"{parts[2]} {parts[0]} {parts[1]}"
    return name


def split_list(value: object, separators: str = ";") -> list[str]:
    """Non-empty, cleaned items of a delimited string (or of a list of strings)."""
    if isinstance(value, str):
        items: Iterable[object] = re.split(f"[{re.escape(separators)}]", value)
    elif isinstance(value, list):
        items = value
    else:
        return []
    return unique(clean_text(item) for item in items if isinstance(item, str))


def unique(items: Iterable[str]) -> list[str]:
    """Non-empty items in order, each once (case-insensitively)."""
    seen: set[str] = set()
    out = []
    for item in items:
        key = item.casefold()
        if item and key not in seen:
            seen.add(key)
            out.append(item)
    return out


def arxiv_id_from(*values: object) -> str | None:
    """An arXiv id from an arXiv URL or an arXiv DOI (``10.48550/arXiv.…``), else None.

    Only values that say they are arXiv's are read: other DOIs and URLs may
    hold digit runs that look like arXiv ids.
    """
    for value in values:
        if not isinstance(value, str):
            continue
        lowered = value.casefold()
        if "arxiv.org/" in lowered or "10.48550/arxiv." in lowered or lowered.startswith("arxiv:"):
            found = normalise_arxiv_id(value)
            if found:
                return found
    return None


def strip_copyright(abstract: str) -> str:
    """Drop a closing copyright notice (``© 2020 Elsevier Ltd. All rights reserved.``)."""
    return _COPYRIGHT.sub("", abstract)
