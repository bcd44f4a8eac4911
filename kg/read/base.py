"""What every reader shares: decoding, skipping with a reason, making ``Paper`` records.

A reader is a module with ``NAME`` (its ``--format`` value), ``sniff(head, path)``
(does this text look like my format?) and ``read(ctx)`` yielding ``Paper``
records.  A reader never drops a record silently: it calls ``ctx.skip`` with a
reason, and raises ``InputError`` only when the file as a whole is unreadable.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import InputError
from kg.read.clean import clean_text, normalise_arxiv_id, normalise_doi
from kg.records import Paper, Skipped, Source, paper_id

# A larger abstract is not an abstract: skip it rather than feed it to spaCy.
MAX_ABSTRACT_CHARS = 1_000_000
MAX_TITLE_CHARS = 10_000

# Characters no output can hold: XML 1.0 (GraphML) forbids the C0 controls other than
# tab, LF and CR, and U+FFFE/U+FFFF; UTF-8 cannot encode a lone surrogate (JSON "\ud800").
# Each becomes one character (a space for a whitespace control, else U+FFFD), so offsets hold.
_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def writable(value: Any) -> Any:
    """A string (or list of strings) with the characters no output can hold replaced, one for one."""
    if isinstance(value, str):
        return _UNWRITABLE.sub(lambda m: " " if m.group(0).isspace() else "\ufffd", value)
    if isinstance(value, list):
        return [writable(v) for v in value]
    return value


@dataclass
class ReadContext:
    """One input file being read: its path, format, and what was skipped."""

    path: Path
    format: str
    skipped: list[Skipped] = field(default_factory=list)
    decode_errors: int = 0

    # --- decoding ------------------------------------------------------------

    def _decode(self, data: bytes) -> str:
        try:
            return data.decode("utf-8-sig") if data.startswith(b"\xef\xbb\xbf") else data.decode("utf-8")
        except UnicodeDecodeError:
            self.decode_errors += 1
            return data.decode("utf-8", errors="replace")

    def text(self) -> str:
        """The whole file as text (invalid UTF-8 replaced and counted)."""
        try:
            return self._decode(self.path.read_bytes())
        except OSError as exc:
            raise InputError(str(self.path), exc.strerror or str(exc)) from None

    def lines(self) -> Iterator[tuple[int, str]]:
        """Numbered lines (from 1), read one at a time so large files stream."""
        try:
            with self.path.open("rb") as handle:
                for number, raw in enumerate(handle, start=1):
                    if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                        raw = raw[3:]
                    yield number, self._decode(raw).rstrip("\r\n")
        except OSError as exc:
            raise InputError(str(self.path), exc.strerror or str(exc)) from None

    def text_stream(self) -> io.TextIOBase:
        """A text stream over the file for parsers that read one (csv)."""
        handle = self.path.open("rb")
        return io.TextIOWrapper(handle, encoding="utf-8-sig", errors="replace", newline="")

    # --- records -------------------------------------------------------------

    def skip(self, reason: str, *, line: int | None = None, record: int | None = None) -> None:
        self.skipped.append(Skipped(file=str(self.path), reason=reason, line=line, record=record))

    def paper(
        self,
        record: int,
        *,
        title: Any,
        abstract: Any = "",
        id: str | None = None,
        raw_text: bool = False,
        latex: bool = False,
        line: int | None = None,
        **meta: Any,
    ) -> Paper | None:
        """Clean a record's text and make a ``Paper``, or skip it with a reason.

        ``raw_text`` keeps title and abstract exactly as given (JSONL text the
        user made themselves); otherwise they are cleaned.
        """
        where = {"line": line} if line is not None else {"record": record}
        if title is not None and not isinstance(title, str):
            title = str(title)
        if abstract is not None and not isinstance(abstract, str):
            abstract = str(abstract)
        if raw_text:
            title, abstract = title or "", abstract or ""
        else:
            title, abstract = clean_text(title, latex=latex), clean_text(abstract, latex=latex)
        title, abstract, id = writable(title), writable(abstract), writable(id)
        meta = {k: writable(v) for k, v in meta.items()}
        if not title.strip() and not (raw_text and abstract.strip()):
            self.skip("record has no title", **where)
            return None
        if len(abstract) > MAX_ABSTRACT_CHARS:
            self.skip(f"abstract longer than {MAX_ABSTRACT_CHARS:,} characters", **where)
            return None
        if len(title) > MAX_TITLE_CHARS:
            self.skip(f"title longer than {MAX_TITLE_CHARS:,} characters", **where)
            return None
        meta["doi"] = normalise_doi(meta.get("doi"))
        meta["arxiv_id"] = normalise_arxiv_id(meta.get("arxiv_id"))
        meta = {k: v for k, v in meta.items() if v not in (None, "", [])}
        if "authors" in meta and "n_authors" not in meta:
            meta["n_authors"] = len(meta["authors"])
        pid = id or paper_id(title=title or abstract, doi=meta.get("doi"), arxiv_id=meta.get("arxiv_id"))
        return Paper(
            id=pid,
            title=title,
            abstract=abstract,
            source=Source(file=str(self.path), format=self.format, record=record),
            **meta,
        )
