"""JSON Lines: one paper a line, with ``title`` and ``abstract`` (or ``text`` alone).

The user's own ``id`` is kept, and their text is kept exactly as given so that
offsets index it.  A broken line is skipped and named; the good lines are read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from kg.read.base import ReadContext
from kg.records import Paper

NAME = "jsonl"

_META_KEYS = ("authors", "n_authors", "date", "year", "doi", "arxiv_id", "url", "venue", "keywords",
              "upvotes", "organisation")


def sniff(head: str, path: Path) -> bool:
    first = next((line.strip() for line in head.splitlines() if line.strip()), "")
    if not first.startswith("{"):
        return False
    try:
        return isinstance(json.loads(first), dict)
    except ValueError:
        # A single pretty-printed JSON document also starts with "{"; JSONL is
        # only claimed when the first line is a whole object or the extension says so.
        return path.suffix.lower() in (".jsonl", ".ndjson")


def _meta(obj: dict) -> dict:
    meta = {}
    for key in _META_KEYS:
        value = obj.get(key)
        if value is None:
            continue
        if key == "authors":
            if isinstance(value, str):
                value = [a.strip() for a in value.split(";") if a.strip()]
            elif isinstance(value, list):
                value = [str(a) for a in value if a]
            else:
                continue
        elif key == "keywords":
            value = [str(k) for k in value] if isinstance(value, list) else [str(value)]
        elif key in ("year", "n_authors", "upvotes"):
            try:
                value = int(value)
            except (TypeError, ValueError, OverflowError):  # "year": 1e999
                continue
        else:
            value = str(value)
        meta[key] = value
    return meta


def read(ctx: ReadContext) -> Iterator[Paper]:
    record = 0
    for number, line in ctx.lines():
        if not line.strip():
            continue
        record += 1
        try:
            obj = json.loads(line)
        except ValueError as exc:
            ctx.skip(f"invalid JSON: {exc.msg} (column {exc.colno})", line=number)
            continue
        if not isinstance(obj, dict):
            ctx.skip("line is not a JSON object", line=number)
            continue
        title = obj.get("title")
        abstract = obj.get("abstract")
        if abstract is None:
            abstract = obj.get("text")
            if title is None and abstract is not None:
                title = ""
        if title is not None and not isinstance(title, str) or abstract is not None and not isinstance(abstract, str):
            ctx.skip("title and abstract must be strings", line=number)
            continue
        raw_id = obj.get("id")
        pid = str(raw_id) if raw_id not in (None, "") else None
        paper = ctx.paper(record, title=title, abstract=abstract, id=pid, raw_text=True, line=number,
                          **_meta(obj))
        if paper is not None:
            yield paper
