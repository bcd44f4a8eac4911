"""Export steps side by side: each step in a forked process, so that two cores share the writing.

Writing the outputs of a large graph is several independent pieces of work
(Turtle, JSON-LD, GraphML, the map, the SPARQL store), each bound to one core.
``ExportSteps.start`` runs one in a forked child, which shares the parent's
memory without copying or pickling it; ``wait`` collects what each returned
(small plain data: counts and seconds).

A forked child shares memory only as long as neither side writes to it, and
in Python reading an object writes its reference count: a step that walked
the graph would copy it page by page (measured at 100,000 papers: 2 GB more).
So steps should work from files, as the Turtle and JSON-LD step works from
``graph.nt``; the objects that exist at the fork are frozen (``gc.freeze``) so
that the child's garbage collector does not walk them either.  With ``jobs=1``, or where ``fork`` is
not available, a step runs at once in the calling process instead.

A failed step fails the build: ``wait`` raises ``ExportStepError`` with the
child's traceback.  Leaving the ``with`` block on an error (Ctrl-C included)
terminates the children first, so the staging folder can be removed safely.
"""

from __future__ import annotations

import gc
import multiprocessing
import signal
import traceback
from collections.abc import Callable
from typing import Any


class ExportStepError(RuntimeError):
    """An export step failed in its own process."""


def _child(connection, fn: Callable[..., Any], args: tuple) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        connection.send(("ok", fn(*args)))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises
        connection.send(("error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"))
    finally:
        connection.close()


class ExportSteps:
    """Start steps now, collect their results later; ``with`` makes sure no child outlives an error."""

    def __init__(self, *, jobs: int = 1):
        self.parallel = jobs > 1 and "fork" in multiprocessing.get_all_start_methods()
        self._context = multiprocessing.get_context("fork") if self.parallel else None
        self._running: dict[str, tuple[Any, Any]] = {}
        self.results: dict[str, Any] = {}

    def start(self, name: str, fn: Callable[..., Any], *args: Any) -> None:
        """Run ``fn(*args)`` in a forked child (or now, in this process, when not parallel)."""
        if name in self._running or name in self.results:
            raise ValueError(f"export step {name!r} was started twice")
        if not self.parallel:
            self.results[name] = fn(*args)
            return
        receive, send = self._context.Pipe(duplex=False)
        process = self._context.Process(target=_child, args=(send, fn, args), name=f"kg-export-{name}", daemon=True)
        gc.freeze()  # the child's collector leaves the parent's objects (and their pages) alone
        try:
            process.start()
        finally:
            gc.unfreeze()
        send.close()
        self._running[name] = (process, receive)

    def wait(self) -> dict[str, Any]:
        """Wait for every started step; their results by name."""
        failures = []
        for name, (process, receive) in list(self._running.items()):
            try:
                status, value = receive.recv()
            except EOFError:  # the child died without a word (killed, out of memory)
                status, value = "error", f"the process ended with exit code {process.exitcode}"
            process.join()
            del self._running[name]
            if status == "ok":
                self.results[name] = value
            else:
                failures.append(f"export step {name!r} failed: {value}")
        if failures:
            raise ExportStepError("\n".join(failures))
        return self.results

    def terminate(self) -> None:
        for process, receive in self._running.values():
            process.terminate()
            process.join()
            receive.close()
        self._running.clear()

    def __enter__(self) -> ExportSteps:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.terminate()
