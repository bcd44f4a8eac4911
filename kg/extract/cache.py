"""Extraction cache: work done once is never done again.

Raw mentions are stored in SQLite keyed by the hash of the paper's text and the
pipeline fingerprint (versions, word lists, gazetteer, component code), so a
changed model or configuration misses the cache instead of serving stale
results.  SQLite's journal keeps the file whole if a build is killed.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

from kg.extract.pipeline import RawPaper


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ExtractionCache:
    """A small key–value store of raw extraction results for one pipeline fingerprint."""

    def __init__(self, path: str | Path, fingerprint: str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fingerprint = fingerprint
        self.db = sqlite3.connect(self.path)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS raw (fingerprint TEXT, text_hash TEXT, data TEXT,"
            " PRIMARY KEY (fingerprint, text_hash))"
        )
        self.db.commit()

    def _rows(self, columns: str, hashes: Iterable[str]) -> Iterator[tuple]:
        hashes = list(hashes)
        for i in range(0, len(hashes), 500):
            chunk = hashes[i : i + 500]
            marks = ",".join("?" * len(chunk))
            yield from self.db.execute(
                f"SELECT {columns} FROM raw WHERE fingerprint = ? AND text_hash IN ({marks})",
                [self.fingerprint, *chunk],
            )

    def keys(self, hashes: Iterable[str]) -> set[str]:
        """Which of ``hashes`` the cache holds (without reading their results)."""
        return {text_hash for (text_hash,) in self._rows("text_hash", hashes)}

    def get_many(self, hashes: Iterable[str]) -> dict[str, RawPaper]:
        return {text_hash: RawPaper.from_json(json.loads(data))
                for text_hash, data in self._rows("text_hash, data", hashes)}

    def put_many(self, items: Iterable[tuple[str, RawPaper]]) -> None:
        with self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO raw VALUES (?, ?, ?)",
                [(self.fingerprint, h, json.dumps(raw.to_json(), ensure_ascii=False)) for h, raw in items],
            )

    def close(self) -> None:
        self.db.close()
