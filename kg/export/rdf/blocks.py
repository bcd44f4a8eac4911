"""Where each subject block of ``graph.nt`` lies in the dumps, so that a rebuild copies what did not change.

``graph.nt`` is written a block at a time (a paper with its authors and
annotations, an entity, a co-occurrence; see ``triples``), and the same block
always gives the same Turtle and the same JSON-LD.  A daily feed changes a few
per cent of the blocks, so a rebuild need not serialise the whole graph again:
each dump records, in ``.blocks/`` beside it, where each block's bytes start
and end, and ``graph.nt``'s record also holds a digest of each block.  The next
build copies the bytes of every block whose digest it finds there and
serialises only the others (on the 10,000-paper benchmark graph: 99% of the
paper blocks, most of the file, are copied).

A record is used only when it describes the file beside it (its SHA-256 is
checked) and was written by the same serialisers (``RECORD_TAG``): anything
else and the dump is written from scratch.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import mmap
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyoxigraph as ox

from kg.export.files import atomic_writer

BLOCKS = ".blocks"  # the records' folder among the outputs
DIGEST_BYTES = 16  # of a block's SHA-256: a false match between two blocks is a 1 in 2^128 chance
# The N-Triples serialised at a time: bounds the memory of a cold build's Turtle and JSON-LD.
RUN_BYTES = 32 << 20

# A lone surrogate (from broken JSON input) is not encodable text: it is written as U+FFFD.
codecs.register_error("kg.replace", lambda error: ("\ufffd", error.end))


def encode(text: str) -> bytes:
    """Text of a dump as UTF-8, lone surrogates as U+FFFD."""
    return text.encode("utf-8", "kg.replace")


def digest(data: bytes) -> bytes:
    """What identifies a block: SHA-256, not a faster hash, because its text comes from the inputs, and
    crafted text must not pass for another block."""
    return hashlib.sha256(data).digest()[:DIGEST_BYTES]


def _record_tag() -> str:
    """Which serialisers made a record: this module's and ``serialise``'s code, and Oxigraph's version."""
    digest = hashlib.sha256(ox.__version__.encode())
    for name in ("blocks.py", "jsonld.py", "serialise.py", "vocabulary.py"):
        digest.update((Path(__file__).parent / name).read_bytes())
    return digest.hexdigest()


RECORD_TAG = _record_tag()


@dataclass
class Blocks:
    """Block ``i`` of a file is ``data[starts[i]:ends[i]]``; ``digests[i]`` identifies its N-Triples."""

    starts: np.ndarray  # int64
    ends: np.ndarray  # int64
    digests: np.ndarray  # uint8, (blocks, DIGEST_BYTES); in graph.nt's record only

    def __len__(self) -> int:
        return len(self.starts)

    def keys(self) -> list[bytes]:
        return [row.tobytes() for row in self.digests]


class BlockWriter:
    """Writes blocks of bytes to ``handle``, noting where each lies and, if asked, its digest."""

    def __init__(self, handle: BinaryIO, *, digests: bool = False):
        self.handle, self.position = handle, 0
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.digests: list[bytes] | None = [] if digests else None

    def write(self, data: bytes) -> None:
        """Bytes that belong to no block (a header, a separator)."""
        self.handle.write(data)
        self.position += len(data)

    def block(self, data: bytes) -> None:
        self.starts.append(self.position)
        self.write(data)
        self.ends.append(self.position)
        if self.digests is not None:
            self.digests.append(digest(data))

    def blocks(self) -> Blocks:
        digests = np.frombuffer(b"".join(self.digests or []), dtype=np.uint8).reshape(-1, DIGEST_BYTES)
        return Blocks(starts=np.asarray(self.starts, dtype=np.int64), ends=np.asarray(self.ends, dtype=np.int64),
                      digests=digests)


def record_path(folder: Path, name: str) -> Path:
    return Path(folder) / BLOCKS / f"{name}.npz"


def save_record(folder: Path, name: str, blocks: Blocks, *, file_sha256: str, ntriples_sha256: str,
                lines: int | None = None) -> None:
    """Record where the blocks of ``folder/name`` lie; ``file_sha256`` is that file's digest, ``lines`` its
    number of lines (``graph.nt``'s: its triples)."""
    meta = json.dumps({"tag": RECORD_TAG, "sha256": file_sha256, "ntriples_sha256": ntriples_sha256,
                       "lines": lines})
    with atomic_writer(record_path(folder, name)) as handle:
        np.savez(handle, starts=blocks.starts, ends=blocks.ends, digests=blocks.digests, meta=np.array(meta))


def load_record(folder: Path, name: str) -> tuple[Blocks, dict] | None:
    """The record of ``folder/name`` and its metadata, or None if missing, unreadable or from other serialisers."""
    try:
        with np.load(record_path(folder, name), allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            blocks = Blocks(starts=data["starts"], ends=data["ends"], digests=data["digests"])
    except (OSError, ValueError, KeyError):
        return None
    if meta.get("tag") != RECORD_TAG or blocks.digests.ndim != 2 or len(blocks.ends) != len(blocks.starts):
        return None
    return blocks, meta


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


class PreviousDump:
    """The blocks of a previous build's dump, by digest of their N-Triples: what a rebuild may copy."""

    def __init__(self, data: mmap.mmap | bytes, spans: dict[bytes, tuple[int, int]]):
        self.data, self.spans = data, spans

    def get(self, key: bytes) -> bytes | None:
        span = self.spans.get(key)
        return None if span is None else self.data[span[0]:span[1]]

    @staticmethod
    @contextmanager
    def open(previous: str | Path, name: str) -> Iterator[PreviousDump | None]:
        """The previous build's ``name`` (Turtle or JSON-LD) if its records vouch for it; else None."""
        if not previous:
            yield None
            return
        previous = Path(previous)
        nt, dump = load_record(previous, "graph.nt"), load_record(previous, name)
        if nt is None or dump is None or len(nt[0]) != len(dump[0]) \
                or dump[1]["ntriples_sha256"] != nt[1]["sha256"] or not (previous / name).is_file() \
                or file_sha256(previous / name) != dump[1]["sha256"]:
            yield None
            return
        spans = dict(zip(nt[0].keys(), zip(dump[0].starts.tolist(), dump[0].ends.tolist(), strict=True)))
        with open(previous / name, "rb") as handle:
            size = handle.seek(0, 2)
            data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
            try:
                yield PreviousDump(data, spans)
            finally:
                if size:
                    data.close()


@dataclass
class Run:
    """Consecutive blocks of ``graph.nt`` that a dump must convert: their indices and their bytes, from ``first``."""

    indices: list[int]
    first: int
    data: bytes


def dump_walk(nt_path: Path, blocks: Blocks, previous: PreviousDump | None) -> Iterator[bytes | Run]:
    """The blocks of ``nt_path`` in order, for a dump: the dump's bytes of a block ``previous`` holds, else
    runs of consecutive blocks to convert, read together up to about ``RUN_BYTES``.

    Read, not mapped: the pages of a mapped ``graph.nt`` stay in the process's memory
    until it is unmapped, and at 100k papers that is 4 GB counted against the build.
    """
    starts, ends = blocks.starts.tolist(), blocks.ends.tolist()
    run: list[int] = []
    with open(nt_path, "rb") as handle:

        def read_run() -> Run:
            first = starts[run[0]]
            handle.seek(first)
            done = Run(run.copy(), first, handle.read(ends[run[-1]] - first))
            run.clear()
            return done

        for i, key in enumerate(blocks.keys()):
            copied = previous.get(key) if previous is not None else None
            if copied is None:
                run.append(i)
                if ends[i] - starts[run[0]] >= RUN_BYTES:
                    yield read_run()
                continue
            if run:
                yield read_run()
            yield copied
        if run:
            yield read_run()
