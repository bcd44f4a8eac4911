"""The Oxigraph store of ``graph.nt``: bulk-loaded from scratch, or updated from the previous build's store.

A bulk load is the export's longest step (about 22 s for the 3.2 M triples of
10,000 papers).  A rebuild after a daily feed changes a few per cent of the
triples: the new papers and their mentions, and the counts of the entities and
pairs they touch (the dump holds no score that changes with the number of papers).  So when the output folder already holds a
store, ``load_store`` checkpoints it into the new output (RocksDB hard links:
no copy) and applies the difference between the old and the new ``graph.nt``,
found by comparing only the blocks whose digests differ (see ``blocks``); it
bulk-loads only when there is no usable old store or the difference is large.  Either way the store ends up holding exactly the triples of the new
``graph.nt``.

A store is used as a base only if it is known to hold the old ``graph.nt``:
each store carries ``KG_SOURCE``, the ``ntriples_id`` of the file it was made
from, which the old file's record of its blocks must name, and every block read
from the old file must still have its recorded digest.
"""

from __future__ import annotations

import gc
import itertools
import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyoxigraph as ox

from kg.export.rdf.blocks import Blocks, ForwardReader, digest, load_record, match_digests
from kg.export.rdf.vocabulary import NTRIPLES, STORE

SOURCE_FILE = "KG_SOURCE"  # inside the store folder; RocksDB leaves files it does not know alone
# Lines per bulk load: Oxigraph's bulk loader holds much of its input in memory while it sorts
# it.  Measured on 100,000 papers (30 M triples): one load of the whole file 174 s and 2.1 GB,
# loads of 1 M lines 190 s and 1.1 GB.
STORE_CHUNK_LINES = 1_000_000
# Given the file's path, Oxigraph parses N-Triples on every core: at 10,000 papers (2.9 M
# triples, 428 MB) 16.0 s and 1.7 GB against 21.5 s and 1.0 GB for loads of 1 M lines, and the
# extra 0.7 GB does not grow with the file (4 times the triples: 56 s and 1.8 GB against 94 s
# and 1.1 GB).  Up to this size the build itself holds under 1 GB beside it; past it (2.5 GB at
# 100,000 papers) the smaller footprint wins.
PARALLEL_LOAD_MAX_BYTES = 1 << 30
# Above this share of changed lines (added + removed, against the new file's), a bulk load is
# cheaper than applying the changes one by one.
MAX_CHANGED_SHARE = 0.25


def _chunks(lines: Iterator[bytes]) -> Iterator[bytes]:
    """Lines joined in blocks of ``STORE_CHUNK_LINES``, for Oxigraph to parse a block at a time."""
    while chunk := b"".join(itertools.islice(lines, STORE_CHUNK_LINES)):
        yield chunk


def build_store(path: Path, ntriples_file: Path, *, lenient: bool = False) -> None:
    """A fresh on-disk Oxigraph store at ``path`` loaded from an N-Triples file; closed on return.

    ``lenient`` skips Oxigraph's IRI checks (for a file it has already parsed strictly).
    """
    path = Path(path)
    if path.exists():
        shutil.rmtree(path)
    store = ox.Store(str(path))
    if Path(ntriples_file).stat().st_size <= PARALLEL_LOAD_MAX_BYTES:
        store.bulk_load(path=str(ntriples_file), format=ox.RdfFormat.N_TRIPLES, lenient=lenient)
    else:
        with open(ntriples_file, "rb") as lines:
            for chunk in _chunks(lines):
                store.bulk_load(chunk, format=ox.RdfFormat.N_TRIPLES, lenient=lenient)
    store.flush()
    del store  # releases RocksDB's lock so that the folder can be moved and opened again
    gc.collect()


def _block_lines(path: Path, blocks: Blocks, wanted: list[int]) -> set[bytes] | None:
    """The lines (without their line ends) of the ``wanted`` blocks of ``path``; None if one of them is not
    the block its digest says it is (the file was changed since it was recorded)."""
    starts, ends, digests = blocks.starts.tolist(), blocks.ends.tolist(), blocks.digests
    lines: set[bytes] = set()
    with open(path, "rb") as handle:
        reader = ForwardReader(handle)  # ``wanted`` is in ascending order
        for i in wanted:
            try:
                block = reader.read(starts[i], ends[i])
            except RuntimeError:  # the file is shorter than recorded
                return None
            if digest(block) != digests[i].tobytes():
                return None
            lines.update(block.split(b"\n"))
    lines.discard(b"")
    return lines


def _joined(lines: list[bytes]) -> Iterator[bytes]:
    """Lines joined in blocks of ``STORE_CHUNK_LINES``, each line ended."""
    for i in range(0, len(lines), STORE_CHUNK_LINES):
        yield b"\n".join(lines[i:i + STORE_CHUNK_LINES]) + b"\n"


def read_source(store_path: Path) -> str | None:
    """The ``ntriples_id`` of the ``graph.nt`` a store was made from, or None when unknown."""
    try:
        return json.loads((Path(store_path) / SOURCE_FILE).read_text(encoding="utf-8"))["ntriples"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_source(store_path: Path, ntriples: str) -> None:
    (Path(store_path) / SOURCE_FILE).write_text(json.dumps({"ntriples": ntriples}) + "\n", encoding="utf-8")


def update_store(path: Path, ntriples_file: Path, ntriples: str, old_store: Path,
                 old_ntriples: Path) -> dict | None:
    """Make ``path`` from ``old_store`` plus the changes from ``old_ntriples`` to ``ntriples_file``.

    ``ntriples`` is the ``ntriples_id`` of ``ntriples_file``, recorded in the new store.
    The changes are found block by block (see ``blocks``): only the lines of
    the blocks whose digest is in one file and not in the other are compared.

    Returns the counts of added and removed triples, or None (and writes
    nothing) when the old store is not a usable base: missing, not made from
    ``old_ntriples``, unreadable, without a record of the blocks of either
    file, or too different for an update to pay.
    """
    old_ntriples, ntriples_file = Path(old_ntriples), Path(ntriples_file)
    source = read_source(old_store)
    old_record = load_record(old_ntriples.parent, old_ntriples.name)
    new_record = load_record(ntriples_file.parent, ntriples_file.name)
    if source is None or old_record is None or new_record is None or not old_ntriples.is_file():
        return None
    # The old file is not hashed whole: the blocks read from it are checked against their digests, and a
    # block not read is one the new file holds unchanged, so the store's copy of it is right either way.
    if old_record[1]["ntriples"] != source or new_record[1]["ntriples"] != ntriples:
        return None
    old, new = old_record[0], new_record[0]
    gone = np.flatnonzero(match_digests(new.digests, old.digests) < 0).tolist()
    fresh = np.flatnonzero(match_digests(old.digests, new.digests) < 0).tolist()
    old_lines, new_lines = _block_lines(old_ntriples, old, gone), _block_lines(ntriples_file, new, fresh)
    if old_lines is None or new_lines is None:
        return None
    removed, added = list(old_lines - new_lines), list(new_lines - old_lines)  # a store is a set: any order
    del old_lines, new_lines
    if len(added) + len(removed) > MAX_CHANGED_SHARE * max(1, new_record[1].get("lines") or 0):
        return None
    path = Path(path)
    if path.exists():
        shutil.rmtree(path)
    try:
        base = ox.Store.read_only(str(old_store))
        base.backup(str(path))
        del base
    except OSError:
        shutil.rmtree(path, ignore_errors=True)
        return None
    store = ox.Store(str(path))
    for chunk in _joined(removed):
        for quad in ox.parse(chunk, format=ox.RdfFormat.N_TRIPLES, lenient=True):
            store.remove(quad)
    for chunk in _joined(added):  # none is in the store: bulk-loaded
        store.bulk_load(chunk, format=ox.RdfFormat.N_TRIPLES, lenient=True)
    store.flush()
    del store
    gc.collect()
    _write_source(path, ntriples)
    return {"added": len(added), "removed": len(removed)}


def load_store(folder: str | Path, ntriples: str = "", previous: str | Path = "") -> dict:
    """The store of ``folder/graph.nt`` (one export step): updated from ``previous/store`` when it can be.

    ``ntriples`` is the ``ntriples_id`` of ``folder/graph.nt`` (default: the one
    its record holds).  Returns the seconds it took and how the store was made:
    ``"updated"`` (with the counts of added and removed triples) or ``"loaded"``.
    """
    start = time.perf_counter()
    folder = Path(folder)
    if not ntriples:
        record = load_record(folder, NTRIPLES)
        ntriples = record[1]["ntriples"] if record is not None else ""
    result = None
    if previous and ntriples:
        previous = Path(previous)
        result = update_store(folder / STORE, folder / NTRIPLES, ntriples, previous / STORE, previous / NTRIPLES)
    if result is None:
        # Lenient: the Turtle step parses the same file strictly, and a malformed term fails the build there.
        build_store(folder / STORE, folder / NTRIPLES, lenient=True)
        _write_source(folder / STORE, ntriples)
        result = {"store": "loaded"}
    else:
        result = {"store": "updated", **result}
    return {"seconds": {"store": round(time.perf_counter() - start, 3)}, **result}
