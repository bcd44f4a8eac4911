"""Scopus CSV export ("Export → CSV" on a Scopus results page).

A comma-separated table with Scopus's own column names: ``Authors``,
``Author full names``, ``Title``, ``Year``, ``Source title``, ``DOI``,
``Link``, ``Abstract``, ``Author Keywords``, ``Index Keywords``, ``EID`` …
It is told from a generic CSV by its header (``Source title`` with ``EID``
or ``Link``), and read with the ``csv`` module like one (see ``csvfile``).

Scopus writes ``[No abstract available]`` where there is no abstract, and
closes most abstracts with the publisher's copyright line (``© 2020 Elsevier
Ltd. All rights reserved.``): both are dropped, they are not the paper's
text.  Authors come from ``Author full names`` (``Smith, John (57190000001)``,
the Scopus author id dropped) when the export has it, else from ``Authors``
(``Smith, J.; Doe, A.``, or ``Smith J., Doe A.`` in older exports).
Keywords are the author keywords then the indexed ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kg.read.base import ReadContext
from kg.read.csvfile import Row, columns_of, rows
from kg.read.meta import parse_year, person_name, split_list, strip_copyright, unique
from kg.records import Paper

NAME = "scopus-csv"

_NO_ABSTRACT = "[no abstract available]"
_AUTHOR_ID = re.compile(r"\s*\(\d+\)\s*$")
_NO_AUTHOR = "[no author name available]"


def sniff(head: str, path: Path) -> bool:
    columns = columns_of(head)
    return {"title", "source title"} <= columns and bool(columns & {"eid", "link"})


def _authors(row: Row) -> list[str]:
    full = row.get("author full names", "")
    if full.strip():
        names = [_AUTHOR_ID.sub("", name) for name in split_list(full)]
    else:
        short = row.get("authors", "")
        names = split_list(short) if ";" in short else split_list(short, ",")
    return unique(person_name(name) for name in names if name.casefold() != _NO_AUTHOR)


def _meta(row: Row) -> dict[str, Any]:
    return {
        "authors": _authors(row),
        "year": parse_year(row.get("year")),
        "doi": row.get("doi"),
        "url": row.get("link", "").strip(),
        "venue": row.get("source title", "").strip(),
        "keywords": unique(split_list(row.get("author keywords", "")) + split_list(row.get("index keywords", ""))),
    }


def read(ctx: ReadContext) -> Iterator[Paper]:
    for record, (line, row) in enumerate(rows(ctx, "title"), start=1):
        abstract = row.get("abstract", "").strip()
        if abstract.casefold() == _NO_ABSTRACT:
            abstract = ""
        paper = ctx.paper(record, title=row.get("title"), abstract=strip_copyright(abstract), line=line,
                          **_meta(row))
        if paper is not None:
            yield paper
