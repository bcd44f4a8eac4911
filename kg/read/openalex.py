"""OpenAlex works: a ``/works`` response, a list of works, one work, or JSON Lines of works.

A ``/works`` response is ``{"meta": …, "results": [...]}``; a snapshot is JSON
Lines of works.

OpenAlex does not ship abstracts as text: ``abstract_inverted_index`` maps
each word to its positions, and the abstract is rebuilt by putting the words
back in position order.  The venue is the primary location's source; the
arXiv id comes from any location served by arXiv (a preprint and its article
are often two works, and the arXiv id or the title then merges them).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kg.errors import InputError
from kg.read import jsondoc
from kg.read.base import ReadContext
from kg.read.jsondoc import get, text
from kg.read.meta import arxiv_id_from, parse_date, parse_year, unique
from kg.records import Paper

NAME = "openalex"


def sniff(head: str, path: Path) -> bool:
    return jsondoc.looks_like_json(head) and ('"https://openalex.org/W' in head or '"abstract_inverted_index"' in head)


def rebuild_abstract(index: Any) -> str:
    """``{"Deep": [0], "learning": [1, 3], "is": [2]}`` → ``Deep learning is learning``."""
    if not isinstance(index, dict):
        return ""
    placed = sorted(
        (position, word)
        for word, positions in index.items()
        if isinstance(positions, list)
        for position in positions
        if isinstance(position, int) and not isinstance(position, bool)
    )
    return " ".join(word for _, word in placed)


def _works(document: Any) -> Iterator[Any]:
    if isinstance(document, list):
        yield from document
    elif isinstance(document, dict) and isinstance(document.get("results"), list):
        yield from document["results"]
    else:
        yield document


def _locations(work: dict) -> list[dict]:
    found = [work.get("primary_location"), work.get("best_oa_location")]
    if isinstance(work.get("locations"), list):
        found.extend(work["locations"])
    return [location for location in found if isinstance(location, dict)]


def _meta(work: dict) -> dict[str, Any]:
    locations = _locations(work)
    date, year = parse_date(work.get("publication_date"))
    authors = [text(get(a, "author", "display_name")) or text(get(a, "raw_author_name"))
               for a in work.get("authorships") or [] if isinstance(a, dict)]
    keywords = [text(get(k, "display_name")) or text(get(k, "keyword"))
                for k in work.get("keywords") or [] if isinstance(k, dict)]
    doi = text(work.get("doi")) or text(get(work, "ids", "doi"))
    urls = [text(location.get(key)) for location in locations for key in ("landing_page_url", "pdf_url")]
    return {
        "authors": unique(a for a in authors if a),
        "date": date,
        "year": parse_year(work.get("publication_year")) or year,
        "doi": doi,
        "arxiv_id": arxiv_id_from(doi, *urls),
        "url": text(get(work, "primary_location", "landing_page_url")) or doi or text(work.get("id")),
        "venue": text(get(work, "primary_location", "source", "display_name"))
        or text(get(work, "host_venue", "display_name")),
        "keywords": unique(k for k in keywords if k),
    }


def read(ctx: ReadContext) -> Iterator[Paper]:
    record = 0
    for line, document in jsondoc.documents(ctx):
        if isinstance(document, dict) and "error" in document and "results" not in document:
            message = document.get("message") or document["error"]
            raise InputError(str(ctx.path), f"an OpenAlex error response: {message}", line=line)
        for work in _works(document):
            record += 1
            where = {"line": line} if line is not None else {"record": record}
            if not isinstance(work, dict):
                ctx.skip(f"not an OpenAlex work (JSON {jsondoc.kind(work)})", **where)
                continue
            paper = ctx.paper(record, title=text(work.get("title")) or text(work.get("display_name")),
                              abstract=rebuild_abstract(work.get("abstract_inverted_index")), line=line,
                              **_meta(work))
            if paper is not None:
                yield paper
