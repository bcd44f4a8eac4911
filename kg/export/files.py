"""Atomic output: every file is written in a staging folder, then moved into place.

A build writes all its files into ``.<name>.staging-<pid>`` beside the output
folder.  Only when every file is complete does it write a ``COMMIT`` list there
and move the files in with ``os.replace`` (atomic on one file system).  A run
killed before ``COMMIT`` leaves the old outputs untouched; a run killed while
moving is finished by the next ``publish``/``recover`` call, which sees the
``COMMIT`` list and moves the rest, so a half-old, half-new folder never lasts.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

COMMIT = "COMMIT"
_UMASK = os.umask(0)
os.umask(_UMASK)


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write one UTF-8 text file (line ends as given) atomically, as ``write_bytes_atomic``."""
    write_bytes_atomic(path, text.encode("utf-8"))


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    """Write one file through a temporary file in the same folder and ``os.replace``."""
    with atomic_writer(path) as handle:
        handle.write(data)


@contextmanager
def atomic_writer(path: str | Path) -> Iterator[BinaryIO]:
    """A binary file to write ``path`` as a stream: it replaces ``path`` only if the block ends without error.

    The data goes to a temporary file in the same folder, is flushed to disk,
    and is moved over ``path`` in one step; on any exception it is deleted.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_UMASK)  # mkstemp makes 0600; outputs are ordinary files
        with os.fdopen(fd, "wb", buffering=1 << 20) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _staging_dirs(out: Path) -> list[Path]:
    return sorted(out.parent.glob(f".{out.name}.staging-*"))


def recover(out: str | Path) -> None:
    """Finish a committed publish that was interrupted; drop uncommitted staging folders."""
    out = Path(out)
    for staging in _staging_dirs(out):
        if (staging / COMMIT).is_file():
            _move_all(staging, out)
        else:
            try:
                pid = int(staging.name.rsplit("-", 1)[1])
            except ValueError:
                pid = -1
            if pid == os.getpid() or not _alive(pid):
                shutil.rmtree(staging, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _move_all(staging: Path, out: Path) -> None:
    names = json.loads((staging / COMMIT).read_text(encoding="utf-8"))
    out.mkdir(parents=True, exist_ok=True)
    for name in names:
        source = staging / name
        if not source.exists():  # already moved before an interruption
            continue
        target = out / name
        if source.is_dir():
            # A folder (the SPARQL store) cannot be replaced in one step: move the
            # old one aside first, then drop it once the new one is in place.
            old = out / f".{name}.old"
            if old.exists():
                shutil.rmtree(old)
            if target.exists():
                os.replace(target, old)
            os.replace(source, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(source, target)
    shutil.rmtree(staging, ignore_errors=True)


@contextmanager
def staged_output(out: str | Path) -> Iterator[Path]:
    """Yield a staging folder; on a clean exit, move everything in it into ``out``.

    On any exception (Ctrl-C included) the staging folder is removed and ``out``
    is left exactly as it was.
    """
    out = Path(out)
    recover(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.staging-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir()
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    names = sorted(p.name for p in staging.iterdir())
    write_text_atomic(staging / COMMIT, json.dumps(names))
    _move_all(staging, out)
