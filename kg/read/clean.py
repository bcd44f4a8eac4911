"""Text clean-up applied before offsets are assigned, so offsets index stored text."""

from __future__ import annotations

import html
import re
import unicodedata

# Only things that really look like HTML/XML tags: "<sub, pred, obj>" in an
# abstract is text and must stay.
_TAG = re.compile(
    r"</?[A-Za-z][A-Za-z0-9:-]*"
    r"(?:\s+[A-Za-z_:][A-Za-z0-9_.:-]*(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'=<>`]+))?)*"
    r"\s*/?>"
)
_WS = re.compile(r"\s+")

# LaTeX accent commands → Unicode combining marks.
_ACCENTS = {
    "'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303",
    "=": "\u0304", ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b",
    "c": "\u0327", "k": "\u0328", "r": "\u030a",
}
_LATEX_ACCENT = re.compile(
    r"\{?\\(?P<cmd>['`^\"~=.]|[uvHckr](?=[\s{]))\s*\{?(?P<char>\\?[A-Za-z])\}?\}?"
)
_LATEX_LETTERS = {
    r"\ss": "ß", r"\o": "ø", r"\O": "Ø", r"\ae": "æ", r"\AE": "Æ", r"\oe": "œ",
    r"\OE": "Œ", r"\aa": "å", r"\AA": "Å", r"\l": "ł", r"\L": "Ł", r"\i": "ı",
}
_LATEX_LETTER = re.compile(r"\{?(\\(?:ss|ae|AE|oe|OE|aa|AA|[oOlLi]))(?![A-Za-z])\}?")


def _accent(match: re.Match[str]) -> str:
    char = match.group("char").lstrip("\\")
    if char == "i":
        char = "i"
    return char + _ACCENTS[match.group("cmd")]


def latex_to_text(text: str) -> str:
    r"""Make LaTeX accents readable: ``Schr\"{o}dinger`` → ``Schrödinger``."""
    if "\\" not in text:
        return text
    text = _LATEX_ACCENT.sub(_accent, text)
    text = _LATEX_LETTER.sub(lambda m: _LATEX_LETTERS[m.group(1)], text)
    return unicodedata.normalize("NFC", text)


def clean_text(text: str | None, *, latex: bool = False) -> str:
    """NFC, HTML entities and tags removed, whitespace collapsed (LaTeX accents optional)."""
    if not text:
        return ""
    if latex:
        text = latex_to_text(text)
    if "<" in text:
        text = _TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    text = unicodedata.normalize("NFC", text)
    return _WS.sub(" ", text).strip()


_DOI = re.compile(r"10\.\d{4,9}/\S+", re.IGNORECASE)
_ARXIV_NEW = re.compile(r"(\d{4}\.\d{4,5})(?:v\d+)?")
_ARXIV_OLD = re.compile(r"([a-z-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?", re.IGNORECASE)


def normalise_doi(value: str | None) -> str | None:
    """``https://doi.org/10.1/ABC`` → ``10.1/abc`` (DOIs are case-insensitive)."""
    if not value:
        return None
    match = _DOI.search(str(value))
    return match.group(0).rstrip(".,;").lower() if match else None


def normalise_arxiv_id(value: str | None) -> str | None:
    """``http://arxiv.org/abs/2401.01234v2`` or ``arXiv:2401.01234`` → ``2401.01234``."""
    if not value:
        return None
    text = str(value)
    match = _ARXIV_NEW.search(text) or _ARXIV_OLD.search(text)
    return match.group(1) if match else None
