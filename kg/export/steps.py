"""Export steps side by side: each step in a fresh process, so that two cores share the writing.

Writing the outputs of a large graph is several independent pieces of work
(Turtle, JSON-LD, GraphML, the map, the SPARQL store), each bound to one core.
``ExportSteps.start`` runs one in a new (spawned) Python process; ``wait``
collects what each returned (small plain data: counts and seconds).  With
``jobs=1`` a step runs at once in the calling process instead.

A step is given file paths, never the graph: a forked child would share the
graph's memory only until either side wrote to it, and in Python even reading
an object writes its reference count, so the build walking its graph while a
forked child lived copied it page by page (measured at 100,000 papers: 2 GB
more).  A spawned process shares nothing and costs about half a second to start.

A failed step fails the build: ``wait`` raises ``ExportStepError`` with the
child's traceback.  Leaving the ``with`` block on an error (Ctrl-C included)
terminates the children first, so the staging folder can be removed safely.
"""

from __future__ import annotations

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
        self.parallel = jobs > 1
        self._context = multiprocessing.get_context("spawn") if self.parallel else None
        self._running: dict[str, tuple[Any, Any]] = {}
        self.results: dict[str, Any] = {}

    def start(self, name: str, fn: Callable[..., Any], *args: Any) -> None:
        """Run ``fn(*args)`` in a new process (or now, in this one, when not parallel).

        ``fn`` must be a module-level function and ``args`` small and picklable (paths, strings).
        """
        if name in self._running or name in self.results:
            raise ValueError(f"export step {name!r} was started twice")
        if not self.parallel:
            self.results[name] = fn(*args)
            return
        receive, send = self._context.Pipe(duplex=False)
        process = self._context.Process(target=_child, args=(send, fn, args), name=f"kg-export-{name}", daemon=True)
        process.start()
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
