"""Semantic Scholar Graph API paper objects.

Accepted shapes: one paper (``/paper/{id}``), a list of papers (a
``/paper/batch`` response, where an id that was not found comes back as
``null``: it is reported as skipped), a page ``{"data": [...]}`` (search,
an author's papers, or a citations/references page, whose entries wrap the
paper in ``citingPaper`` / ``citedPaper``), or JSON Lines of papers (the
Datasets API).  A paper's nested ``citations`` and ``references`` are not read
as papers: the file is about the paper itself, and the citing papers are a
different corpus (they would swamp it: one paper can carry 1,000 of them).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kg.errors import InputError
from kg.read import jsondoc
from kg.read.base import ReadContext
from kg.read.jsondoc import get, text
from kg.read.meta import parse_date, parse_year, unique
from kg.records import Paper

NAME = "s2"


def sniff(head: str, path: Path) -> bool:
    return jsondoc.looks_like_json(head) and '"paperId"' in head


def _papers(document: Any) -> Iterator[Any]:
    if isinstance(document, list):
        yield from document
    elif isinstance(document, dict) and isinstance(document.get("data"), list):
        for entry in document["data"]:
            wrapped = get(entry, "citingPaper") or get(entry, "citedPaper")
            yield wrapped if isinstance(wrapped, dict) else entry
    else:
        yield document


def _meta(paper: dict) -> dict[str, Any]:
    date, year = parse_date(paper.get("publicationDate"))
    authors = [text(get(a, "name")) for a in paper.get("authors") or [] if isinstance(a, dict)]
    return {
        "authors": unique(a for a in authors if a),
        "date": date,
        "year": parse_year(paper.get("year")) or year,
        "doi": text(get(paper, "externalIds", "DOI")),
        "arxiv_id": text(get(paper, "externalIds", "ArXiv")),
        "url": text(paper.get("url")),
        "venue": text(paper.get("venue")) or text(get(paper, "publicationVenue", "name"))
        or text(get(paper, "journal", "name")),
    }


def read(ctx: ReadContext) -> Iterator[Paper]:
    record = 0
    for line, document in jsondoc.documents(ctx):
        if isinstance(document, dict) and not document.keys() & {"paperId", "title", "data"} \
                and document.keys() & {"error", "message"}:
            raise InputError(str(ctx.path), "a Semantic Scholar error response: "
                             f"{document.get('error') or document.get('message')}", line=line)
        for paper in _papers(document):
            record += 1
            where = {"line": line} if line is not None else {"record": record}
            if paper is None:
                ctx.skip("paper not found (null entry)", **where)
                continue
            if not isinstance(paper, dict):
                ctx.skip(f"not a Semantic Scholar paper (JSON {jsondoc.kind(paper)})", **where)
                continue
            result = ctx.paper(record, title=text(paper.get("title")), abstract=text(paper.get("abstract")),
                               line=line, **_meta(paper))
            if result is not None:
                yield result
