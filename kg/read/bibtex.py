r"""BibTeX (and BibLaTeX) files, as exported by Mendeley, Zotero, JabRef or Google Scholar.

Parsed with bibtexparser 2: it splits the file into blocks, resolves
``@string`` macros, and reports each block it could not parse (with its
line) instead of failing the whole file; such a block is skipped with the
parser's reason.  An entry whose only fault is a repeated field or citation
key is read anyway (de-duplication handles real duplicates).

Values are LaTeX: Mendeley's escapes (``{\$}``, ``$\backslash$``) are undone,
accents made readable (``Ren{\'{e}}`` → ``René``), formatting commands
(``\emph``) and grouping braces removed.  Accents are converted here, before
the braces go (``\c{c}`` needs its braces), so ``ctx.paper`` gets plain text.
Math stays as written, minus braces.

Authors are split on ``and`` outside braces and written ``First Last``;
``and others`` (et al.) is dropped.  The arXiv id comes from ``eprint``
(when the archive is arXiv), Mendeley's ``arxivId``, or an arXiv URL/DOI.

An abstract field with fewer than three words (a word: two or more letters)
is not an abstract — Mendeley leaves citation keys ("lanford68") and stray
punctuation (".") there — and is dropped; the paper is kept without it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import bibtexparser
from bibtexparser.model import DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, Entry, ParsingFailedBlock

from kg.read.base import ReadContext
from kg.read.clean import clean_text, latex_to_text
from kg.read.meta import arxiv_id_from, iso_date, month_number, parse_date, parse_year, person_name, split_list
from kg.records import Paper

NAME = "bibtex"

_ENTRY_START = re.compile(r"^[ \t]*@[A-Za-z]+[ \t]*[{(][ \t]*[^\s,{}()]*[ \t]*,", re.MULTILINE)
_MENDELEY_ESCAPES = (
    ("$\\backslash$", "\\"), ("\\backslash", "\\"), ("{\\$}", "$"), ("{\\_}", "_"), ("{\\&}", "&"),
    ("{\\%}", "%"), ("{\\#}", "#"), ("{\\{}", "{"), ("{\\}}", "}"), ("{\\^{}}", "^"), ("{\\~{}}", "~"),
)
_FORMATTING = re.compile(r"\\(?:emph|textit|textbf|textsc|texttt|textrm|textsf|textup|mathrm|mathbf|mathit|"
                         r"mathcal|mbox|text|em|it|bf|sc)(?![A-Za-z])\s*")
_ESCAPED = re.compile(r"\\([&%$#_{}])")
_BRACES = re.compile(r"[{}]")
_BRACE_OR_AND = re.compile(r"[{}]|\s+and\s+", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]{2,}")
_URL = re.compile(r"https?://[^\s\\]+")
_MIN_ABSTRACT_WORDS = 3


def sniff(head: str, path: Path) -> bool:
    return bool(_ENTRY_START.search(head))


def tex_to_text(value: str) -> str:
    r"""``{\'{E}}cole {\$}\backslashrho{\$}`` → ``École $\rho$``."""
    for escaped, plain in _MENDELEY_ESCAPES:
        value = value.replace(escaped, plain)
    value = latex_to_text(value)
    value = _FORMATTING.sub("", value)
    value = _ESCAPED.sub(r"\1", value)
    return clean_text(_BRACES.sub("", value))


def _split_authors(value: str) -> list[str]:
    """Split on ``and`` at brace depth 0: ``{Barnes and Noble} and Smith, J.`` is two names."""
    names, depth, start = [], 0, 0
    for match in _BRACE_OR_AND.finditer(value):
        token = match.group(0)
        if token == "{":
            depth += 1
        elif token == "}":
            depth = max(depth - 1, 0)
        elif depth == 0:
            names.append(value[start:match.start()])
            start = match.end()
    names.append(value[start:])
    people = [person_name(tex_to_text(name)) for name in names]
    return [p for p in people if p and p.casefold() != "others"]


def _abstract(value: str) -> str:
    text = tex_to_text(value)
    return text if len(_WORD.findall(text)) >= _MIN_ABSTRACT_WORDS else ""


def _arxiv_id(fields: dict[str, str]) -> str | None:
    archive = (fields.get("archiveprefix") or fields.get("eprinttype") or "arxiv").casefold()
    eprint = fields.get("eprint") if archive == "arxiv" else None
    return eprint or fields.get("arxivid") or arxiv_id_from(fields.get("url"), fields.get("doi"),
                                                           fields.get("journal"))


def _meta(fields: dict[str, str]) -> dict[str, Any]:
    date, year = parse_date(fields.get("date", ""))
    year = parse_year(fields.get("year")) or year
    url = _URL.search(fields.get("url", "").replace("$\\backslash$", " "))
    return {
        "authors": _split_authors(fields.get("author", "")),
        "date": date or iso_date(year, month_number(fields.get("month"))),
        "year": year,
        "doi": fields.get("doi"),
        "arxiv_id": _arxiv_id(fields),
        "url": url.group(0) if url else None,
        "venue": tex_to_text(fields.get("journal") or fields.get("journaltitle") or fields.get("booktitle") or ""),
        "keywords": split_list(tex_to_text(fields.get("keywords", "")), ",;"),
    }


def _entry(block: Any) -> Entry | None:
    """The entry of a block, also for blocks failed only on a repeated key or field."""
    if isinstance(block, Entry):
        return block
    repeated_only = isinstance(block, (DuplicateBlockKeyBlock, DuplicateFieldKeyBlock))
    if repeated_only and isinstance(block.ignore_error_block, Entry):
        return block.ignore_error_block
    return None


def _reason(block: ParsingFailedBlock) -> str:
    error = block.error
    detail = getattr(error, "abort_reason", None) or getattr(error, "message", None) or str(error)
    detail = detail or type(error).__name__
    return f"BibTeX entry could not be parsed: {' '.join(str(detail).split())}"


def read(ctx: ReadContext) -> Iterator[Paper]:
    library = bibtexparser.parse_string(ctx.text())
    record = 0
    for block in library.blocks:
        entry = _entry(block)
        if entry is None and not isinstance(block, ParsingFailedBlock):
            continue  # @string, @preamble, @comment and text between entries
        record += 1
        line = block.start_line + 1 if block.start_line is not None else None
        if entry is None:
            ctx.skip(_reason(block), line=line)
            continue
        fields = {field.key.casefold(): str(field.value) for field in entry.fields}
        paper = ctx.paper(record, title=tex_to_text(fields.get("title", "")),
                          abstract=_abstract(fields.get("abstract", "")), line=line, **_meta(fields))
        if paper is not None:
            yield paper
