"""Where each subject block of ``graph.nt`` lies in the dumps, so that a rebuild copies what did not change.

``graph.nt`` is written a block at a time (a paper with its authors and
annotations, an entity, a co-occurrence; see ``triples``), and the same block
always gives the same Turtle and the same JSON-LD.  A daily feed changes a few
per cent of the blocks, so a rebuild need not serialise the whole graph again:
each dump records, in ``.blocks/`` beside it, where each block's bytes start
and end, and ``graph.nt``'s record also holds a digest of each block.  The next
build copies the bytes of every block whose digest it finds there and
serialises only the others (on the 10,000-paper benchmark graph: 99% of the
paper blocks, most of the file, are copied); blocks that lie together in both
files are copied together, a stretch at a time.

A record is used only when it describes the file beside it (the file's size and
modification time are those recorded) and was written by the same serialisers
(``RECORD_TAG``): anything else and the dump is written from scratch.
"""

from __future__ import annotations

import codecs
import hashlib
import itertools
import json
import os
from collections.abc import Callable, Iterator
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
# The least a rebuild reads of a file at a time (see ``ForwardReader``).
READ_BYTES = 8 << 20

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


def ntriples_id(blocks: Blocks) -> str:
    """What identifies a ``graph.nt``: the SHA-256 of its blocks' digests, which cover the whole file
    (megabytes to hash where the file is gigabytes)."""
    return hashlib.sha256(np.ascontiguousarray(blocks.digests).tobytes()).hexdigest()


@dataclass
class Copy:
    """Consecutive blocks as the previous dump holds them, back to back: their bytes, and where each lies in them."""

    data: bytes
    starts: np.ndarray
    ends: np.ndarray


class BlockWriter:
    """Writes blocks of bytes to ``handle``, noting where each lies and, if asked, its digest."""

    def __init__(self, handle: BinaryIO, *, digests: bool = False):
        self.handle, self.position = handle, 0
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.sealed: list[tuple[np.ndarray, np.ndarray]] = []  # the positions of earlier blocks, as arrays
        self.count = 0
        self.digests: list[bytes] | None = [] if digests else None

    def write(self, data: bytes) -> None:
        """Bytes that belong to no block (a header, a separator)."""
        self.handle.write(data)
        self.position += len(data)

    def block(self, data: bytes) -> None:
        self.starts.append(self.position)
        self.write(data)
        self.ends.append(self.position)
        self.count += 1
        if self.digests is not None:
            self.digests.append(digest(data))

    def copy(self, piece: Copy) -> None:
        """Blocks copied from a previous dump, with what lies between them there."""
        self._seal()
        self.sealed.append((piece.starts + self.position, piece.ends + self.position))
        self.count += len(piece.starts)
        self.write(piece.data)

    def put(self, item: Copy | bytes) -> None:
        """What ``dump_walk`` hands out: copied blocks or one converted block."""
        if isinstance(item, bytes):
            self.block(item)
        else:
            self.copy(item)

    def _seal(self) -> None:
        if self.starts:
            self.sealed.append((np.asarray(self.starts, dtype=np.int64), np.asarray(self.ends, dtype=np.int64)))
            self.starts, self.ends = [], []

    def blocks(self) -> Blocks:
        self._seal()
        empty = np.zeros(0, dtype=np.int64)
        digests = np.frombuffer(b"".join(self.digests or []), dtype=np.uint8).reshape(-1, DIGEST_BYTES)
        return Blocks(starts=np.concatenate([s for s, _ in self.sealed] or [empty]).astype(np.int64, copy=False),
                      ends=np.concatenate([e for _, e in self.sealed] or [empty]).astype(np.int64, copy=False),
                      digests=digests)


def record_path(folder: Path, name: str) -> Path:
    return Path(folder) / BLOCKS / f"{name}.npz"


def save_record(folder: Path, name: str, blocks: Blocks, *, ntriples: str, lines: int | None = None) -> None:
    """Record where the blocks of the complete file ``folder/name`` lie, and its size and modification time;
    ``ntriples`` is the ``ntriples_id`` of the ``graph.nt`` it was made from, ``lines`` its number of lines
    (``graph.nt``'s: its triples)."""
    stat = (Path(folder) / name).stat()
    meta = json.dumps({"tag": RECORD_TAG, "ntriples": ntriples, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns,
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


def unchanged_since_recorded(path: Path, meta: dict) -> bool:
    """Whether ``path`` still has the size and modification time its record noted.

    The test make, rsync and git make before trusting what they know of a file:
    reading gigabytes to hash them cost a rebuild of 100,000 papers more than
    copying them did.  Any write to the file changes its modification time; a
    copy that keeps it (``cp -p``) keeps the bytes too.
    """
    try:
        stat = Path(path).stat()
    except OSError:
        return False
    return stat.st_size == meta.get("size") and stat.st_mtime_ns == meta.get("mtime_ns")


class ForwardReader:
    """Byte ranges of a file read mostly in ascending order, through a buffer of ``READ_BYTES`` or more.

    A rebuild reads scattered blocks: the changed ones of ``graph.nt``, the
    unchanged ones of the previous dumps.  One small read per block, with gaps
    between them, defeats the kernel's read-ahead, and a file the machine has
    dropped from its cache is then read from disk a page at a time (at 100k
    papers, 39 s to read the changed blocks of two ``graph.nt``, 23 s to copy the
    previous Turtle); large reads in order take a second or two.
    """

    def __init__(self, handle: BinaryIO):
        self.fd, self.name = handle.fileno(), handle.name
        self.buffer, self.offset = b"", 0

    def read(self, start: int, end: int) -> bytes:
        start, end = int(start), int(end)
        if not (self.offset <= start and end <= self.offset + len(self.buffer)):
            self.buffer, self.offset = os.pread(self.fd, max(end - start, READ_BYTES), start), start
            if len(self.buffer) < end - start:
                raise RuntimeError(f"{self.name} ended before its recorded blocks did")
        return self.buffer[start - self.offset:end - self.offset]


class PreviousDump:
    """A previous build's dump (Turtle or JSON-LD) and the digests of its blocks' N-Triples: what a rebuild may copy."""

    def __init__(self, handle: BinaryIO, digests: np.ndarray, starts: np.ndarray, ends: np.ndarray):
        self.reader, self.digests, self.starts, self.ends = ForwardReader(handle), digests, starts, ends
        self.copied = 0  # blocks handed out so far

    def copies(self, first: int, stop: int) -> Iterator[Copy]:
        """Previous blocks ``first`` to ``stop - 1`` with what lies between them, about ``RUN_BYTES`` at a time."""
        starts, ends = self.starts, self.ends
        while first < stop:
            end = max(first + 1, int(np.searchsorted(ends[first:stop], starts[first] + RUN_BYTES, "right")) + first)
            offset = int(starts[first])
            yield Copy(self.reader.read(offset, ends[end - 1]), starts[first:end] - offset, ends[first:end] - offset)
            self.copied += end - first
            first = end

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
                or dump[1].get("ntriples") != nt[1].get("ntriples") \
                or not unchanged_since_recorded(previous / name, dump[1]):
            yield None
            return
        with open(previous / name, "rb") as handle:
            yield PreviousDump(handle, nt[0].digests, dump[0].starts, dump[0].ends)


def _heads(digests: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(digests[:, :8]).view(np.uint64).ravel()


def match_digests(known: np.ndarray, digests: np.ndarray) -> np.ndarray:
    """For each of ``digests``, the index of the block of ``known`` with the same digest, or -1.

    A binary search on the digests' first 8 bytes, then a check of all of them;
    numpy over the arrays, where sets of a million 16-byte keys took seconds.

    >>> d = np.array([[1] * 16, [2] * 16, [3] * 16], dtype=np.uint8)
    >>> match_digests(d[[2, 0]], d).tolist()
    [1, -1, 0]
    """
    found = np.full(len(digests), -1, dtype=np.int64)
    if not len(known) or not len(digests):
        return found
    heads, wanted = _heads(known), _heads(digests)
    order = np.argsort(heads, kind="stable")
    sorted_heads = heads[order]
    at = np.searchsorted(sorted_heads, wanted)
    inside = at < len(order)
    at = np.minimum(at, len(order) - 1)
    candidate = order[at]
    hit = inside & (known[candidate] == digests).all(axis=1)
    found[hit] = candidate[hit]
    # Two digests may share their first 8 bytes: look along the rest with that head for the rare miss.
    for i in np.flatnonzero(~hit & inside & (sorted_heads[at] == wanted)).tolist():
        k = int(at[i]) + 1
        while k < len(order) and sorted_heads[k] == wanted[i]:
            if (known[order[k]] == digests[i]).all():
                found[i] = order[k]
                break
            k += 1
    return found


def dump_walk(nt_path: Path, blocks: Blocks, previous: PreviousDump | None,
              convert: Callable[[list[bytes]], list[bytes]]) -> Iterator[Copy | bytes]:
    """A dump's blocks in order: ``Copy`` pieces of the blocks ``previous`` holds, and the bytes of each other
    block, which ``convert`` makes from the blocks' N-Triples (a list in, a list of as many out).

    ``convert`` is given up to about ``RUN_BYTES`` of blocks at a time, taken
    together even when copied blocks lie between them: a call has a cost of its
    own (Oxigraph's serialiser is set up again), and a rebuild's changed blocks
    are scattered one or two at a time.  Blocks that follow one another in
    ``previous`` as well are copied together, with the bytes between them: a dump
    writes the same separator between any two blocks.  Read, never mapped: the
    pages of a mapped file stay in the process's memory until it is unmapped, and
    at 100k papers that is gigabytes counted against the build.
    """
    n = len(blocks)
    found = match_digests(previous.digests, blocks.digests) if previous is not None else np.full(n, -1, dtype=np.int64)
    copied = found >= 0
    # A stretch begins at the first block, where copying starts or stops, and where a copied block
    # does not follow its predecessor's place in the previous dump.
    begins = np.ones(n, dtype=bool)
    begins[1:] = (copied[1:] != copied[:-1]) | (copied[1:] & (found[1:] != found[:-1] + 1))
    bounds = np.append(np.flatnonzero(begins), n).tolist()
    starts, ends = blocks.starts, blocks.ends
    window: list[tuple[int, int]] = []  # stretches (first, stop) since the last conversion
    with open(nt_path, "rb") as handle:
        reader = ForwardReader(handle)

        def emit() -> Iterator[Copy | bytes]:
            """Convert the window's blocks in one call, then hand out its stretches in order."""
            data: list[bytes] = []
            for first, stop in window:
                if not copied[first]:
                    offset, cut = int(starts[first]), zip(starts[first:stop].tolist(), ends[first:stop].tolist())
                    chunk = reader.read(offset, ends[stop - 1])
                    data += [chunk[a - offset:b - offset] for a, b in cut]
            converted = convert(data) if data else []
            if len(converted) != len(data):
                raise RuntimeError(f"{len(data)} blocks were converted into {len(converted)}")
            done = 0
            for first, stop in window:
                if copied[first]:
                    yield from previous.copies(int(found[first]), int(found[first]) + stop - first)
                else:
                    yield from converted[done:done + stop - first]
                    done += stop - first
            window.clear()

        pending = 0  # bytes of N-Triples to convert in the window
        for first, stop in itertools.pairwise(bounds):
            if copied[first]:
                window.append((first, stop))
                continue
            while first < stop:  # up to and including the block that reaches RUN_BYTES
                end = min(stop, int(np.searchsorted(ends[first:stop], starts[first] + RUN_BYTES - pending)) + first + 1)
                window.append((first, end))
                pending += int(ends[end - 1] - starts[first])
                first = end
                if pending >= RUN_BYTES:
                    yield from emit()
                    pending = 0
        yield from emit()
