"""Small typed records passed between the stages of the flow.

read → ``Paper``; extract → ``ExtractedPaper`` (a paper with its ``Entity``
list, each with ``Mention`` offsets).  The records are plain data so that they
cross process boundaries (multiprocessing, Dask) and serialise to JSON as they
are.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

EntityType = Literal["Method", "Model", "Dataset", "Task", "Metric"]
ENTITY_TYPES: tuple[str, ...] = ("Method", "Model", "Dataset", "Task", "Metric")

Field = Literal["title", "abstract"]


@dataclass(frozen=True)
class Source:
    """Where a record came from: the file, its format and the record or line number."""

    file: str
    format: str
    record: int


@dataclass
class Paper:
    """One paper as read from an input file, its text already cleaned.

    ``title`` and ``abstract`` are the exact strings that mention offsets index.
    """

    id: str
    title: str
    abstract: str = ""
    authors: list[str] = field(default_factory=list)
    n_authors: int | None = None
    date: str | None = None
    year: int | None = None
    doi: str | None = None
    arxiv_id: str | None = None
    url: str | None = None
    venue: str | None = None
    keywords: list[str] = field(default_factory=list)
    upvotes: int | None = None
    organisation: str | None = None
    source: Source | None = None
    # Identifiers of records merged into this one (kept so nothing is lost).
    merged_ids: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """Plain dict without empty fields, in a fixed key order."""
        data = asdict(self)
        out: dict[str, Any] = {}
        for key, value in data.items():
            if value is None or value == [] or value == "" and key != "abstract":
                continue
            out[key] = value
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Paper:
        data = dict(data)
        if isinstance(data.get("source"), dict):
            data["source"] = Source(**data["source"])
        return cls(**data)


@dataclass(frozen=True)
class Skipped:
    """A record that was not read, and why: every dropped record leaves one."""

    file: str
    reason: str
    line: int | None = None
    record: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    def location(self) -> str:
        """``file, line N`` (or ``, record N``): where a person looks for the record."""
        if self.line is not None:
            return f"{self.file}, line {self.line}"
        if self.record is not None:
            return f"{self.file}, record {self.record}"
        return self.file


@dataclass(frozen=True)
class Merge:
    """Two records found to be one paper: ``dropped`` was merged into ``kept``."""

    kept: str
    dropped: str
    reason: str
    dropped_source: Source | None = None

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass(frozen=True, slots=True)
class Mention:
    """Where an entity is written in a paper: field, character offsets, text as written."""

    field: str
    start: int
    end: int
    text: str


@dataclass
class Entity:
    """An entity as found in one paper, already given its corpus-wide id.

    ``aliases`` and ``alias_reasons`` may be shared by the entity's records in
    every paper (a million papers would otherwise hold a million copies): read
    them, and build new ones to change them.
    """

    id: str
    name: str
    type: str
    aliases: list[str] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    # Why each alias was merged: "acronym", "inflection", "variant", "kind", "curation".
    alias_reasons: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "type": self.type,
            "aliases": list(self.aliases),
            "mentions": [asdict(m) for m in self.mentions],
        }


@dataclass
class ExtractedPaper:
    """A paper and the entities it mentions."""

    paper: Paper
    entities: list[Entity] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.paper.id,
            "title": self.paper.title,
            "entities": [e.to_json() for e in self.entities],
        }


# --- identifiers -----------------------------------------------------------

_NON_WORD = re.compile(r"[^0-9a-z]+")


def normalise_title(title: str) -> str:
    """Lower-case, accent-free, punctuation-free title used to match duplicates."""
    text = unicodedata.normalize("NFKD", title)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", text.casefold()).strip()


def paper_id(*, title: str, doi: str | None = None, arxiv_id: str | None = None) -> str:
    """Stable paper id: arXiv id, else DOI, else a hash of the normalised title."""
    if arxiv_id:
        return f"arxiv:{arxiv_id}"
    if doi:
        return f"doi:{doi.lower()}"
    digest = hashlib.sha1(normalise_title(title).encode("utf-8")).hexdigest()[:16]
    return f"title:{digest}"
