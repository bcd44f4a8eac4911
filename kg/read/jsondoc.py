"""JSON input for the API readers (OpenAlex, Semantic Scholar): one document, or JSON Lines.

An API response saved to a file is one JSON document, often on a single line;
bulk dumps of the same APIs are JSON Lines.  A file is read as JSON Lines when
its first non-blank line is a whole JSON value *and* another non-blank line
follows; otherwise it is one document, and a document that does not parse
(typically a truncated download) makes the whole file unreadable:
``InputError`` with the line where parsing stopped.  In JSON Lines a broken
line is skipped with its line number, as the ``jsonl`` reader does.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from kg.errors import InputError
from kg.read.base import ReadContext


def looks_like_json(head: str) -> bool:
    return head.lstrip().startswith(("{", "["))


def _is_json_lines(ctx: ReadContext) -> bool:
    """Two non-blank lines or more, the first a whole JSON value."""
    lines: list[bytes] = []
    try:
        with ctx.path.open("rb") as handle:
            for raw in handle:
                if raw.strip():
                    lines.append(raw)
                    if len(lines) == 2:
                        break
    except OSError as exc:
        raise InputError(str(ctx.path), exc.strerror or str(exc)) from None
    if len(lines) < 2:
        return False
    try:
        json.loads(lines[0])
    except (ValueError, RecursionError):
        return False
    return True


def documents(ctx: ReadContext) -> Iterator[tuple[int | None, Any]]:
    """(line number or None for a whole-file document, parsed JSON value)."""
    if not _is_json_lines(ctx):
        try:
            document = json.loads(ctx.text())
        except json.JSONDecodeError as exc:
            raise InputError(str(ctx.path), f"invalid JSON: {exc.msg} (column {exc.colno}); is the file truncated?",
                             line=exc.lineno) from None
        except RecursionError:
            raise InputError(str(ctx.path), "invalid JSON: nested too deeply") from None
        yield None, document
        return
    for number, line in ctx.lines():
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as exc:
            ctx.skip(f"invalid JSON: {exc.msg} (column {exc.colno})", line=number)
        except RecursionError:
            ctx.skip("invalid JSON: nested too deeply", line=number)


def text(value: Any) -> str | None:
    """A JSON value as a non-empty string, or None (numbers become strings)."""
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def kind(value: Any) -> str:
    """The JSON name of a value's type, for messages."""
    names = {type(None): "null", bool: "boolean", int: "number", float: "number", str: "string", list: "array"}
    return names.get(type(value), "object")


def get(obj: Any, *keys: str) -> Any:
    """``obj[k1][k2]…`` through dicts only; None when any step is missing."""
    for key in keys:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj
