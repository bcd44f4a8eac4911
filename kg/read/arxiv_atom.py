"""arXiv API responses: an Atom 1.0 feed with one ``<entry>`` per paper.

Parsed with defusedxml, which refuses DTDs and entity declarations: an XML
file from the web is not trusted to expand entities or fetch external ones.
The feed is read entry by entry (``iterparse``), so large result pages
stream.  From each entry: the arXiv id from ``<id>`` (version dropped), the
first version's date (``<published>``), authors, ``<arxiv:doi>``, the
categories as keywords (primary first), the journal reference as venue, and
the abstract page as url.  The arXiv API reports a bad query as a feed with
one "Error" entry: that is an ``InputError``, not a paper.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from kg.errors import InputError
from kg.read.base import ReadContext
from kg.read.meta import parse_date, unique
from kg.records import Paper

NAME = "arxiv-atom"

_ATOM = "{http://www.w3.org/2005/Atom}"
_ARXIV = "{http://arxiv.org/schemas/atom}"


def sniff(head: str, path: Path) -> bool:
    return head.lstrip().startswith("<") and "http://www.w3.org/2005/Atom" in head and "arxiv" in head.casefold()


def _text(entry: Element, tag: str) -> str:
    child = entry.find(tag)
    return (child.text or "").strip() if child is not None else ""


def _meta(entry: Element) -> dict[str, Any]:
    date, year = parse_date(_text(entry, f"{_ATOM}published") or _text(entry, f"{_ATOM}updated"))
    primary = entry.find(f"{_ARXIV}primary_category")
    categories = [primary.get("term", "")] if primary is not None else []
    categories += [c.get("term", "") for c in entry.iter(f"{_ATOM}category")]
    url = next((link.get("href") for link in entry.iter(f"{_ATOM}link")
                if link.get("rel") == "alternate" and link.get("href")), None)
    return {
        "authors": unique(" ".join((a.text or "").split()) for a in entry.iter(f"{_ATOM}name")),
        "date": date,
        "year": year,
        "doi": _text(entry, f"{_ARXIV}doi"),
        "arxiv_id": _text(entry, f"{_ATOM}id"),
        "url": url,
        "venue": " ".join(_text(entry, f"{_ARXIV}journal_ref").split()),
        "keywords": unique(c.strip() for c in categories),
    }


def _entries(ctx: ReadContext) -> Iterator[Element]:
    """The feed's entries one at a time (each cleared once read); ``InputError`` for broken or unsafe XML."""
    root: Element | None = None
    try:
        for event, element in SafeET.iterparse(str(ctx.path), events=("start", "end"), forbid_dtd=True):
            if root is None:
                root = element
                if root.tag != f"{_ATOM}feed":
                    raise InputError(str(ctx.path), f"not an Atom feed (root element {root.tag!r})")
            if event == "end" and element.tag == f"{_ATOM}entry":
                yield element
                element.clear()
    except ParseError as exc:
        line, _column = exc.position
        raise InputError(str(ctx.path), f"broken XML: {str(exc).split(': line ')[0]}", line=line) from None
    except DefusedXmlException as exc:
        raise InputError(str(ctx.path), f"XML refused ({type(exc).__name__}): a feed declaring a DTD or entities "
                                        "is not read, for safety") from None
    except (LookupError, ValueError) as exc:  # an XML declaration naming an unknown or unusable encoding
        raise InputError(str(ctx.path), f"broken XML: cannot decode it ({exc})", line=1) from None
    except OSError as exc:
        raise InputError(str(ctx.path), exc.strerror or str(exc)) from None


def read(ctx: ReadContext) -> Iterator[Paper]:
    for record, entry in enumerate(_entries(ctx), start=1):
        if "arxiv.org/api/errors" in _text(entry, f"{_ATOM}id"):
            raise InputError(str(ctx.path), f"the arXiv API returned an error: {_text(entry, f'{_ATOM}summary')}")
        paper = ctx.paper(record, title=_text(entry, f"{_ATOM}title"), abstract=_text(entry, f"{_ATOM}summary"),
                          **_meta(entry))
        if paper is not None:
            yield paper
