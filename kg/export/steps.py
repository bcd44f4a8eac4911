"""Export steps side by side: each step in a fresh Python process, so that two cores share the writing.

Writing the outputs of a large graph is several independent pieces of work
(Turtle, JSON-LD, GraphML, the map, the SPARQL store), each bound to one core.
``ExportSteps.start`` runs one in a new Python process (``python -m
kg.export.steps``); ``wait`` collects what each returned (small JSON data:
counts and seconds).  With ``jobs=1`` a step runs at once in the calling
process instead.

A step is given file paths, never the graph, and runs in a process that shares
nothing with the build:

* a forked child shares the graph's memory only until either side writes to
  it, and in Python even reading an object writes its reference count, so
  walking the graph copies it page by page (at 100,000 papers, a build whose
  forked child wrote GraphML peaked at 6.3 GB, its own process at 2.5 GB);
* ``multiprocessing``'s spawn and forkserver start methods import the caller's
  main module again, which breaks scripts that call ``kg.build`` without an
  ``if __name__ == "__main__"`` guard.

A step that needs the graph itself (GraphML) can instead be forked
(``ExportSteps.fork``) when the graph is small: the child walks the graph
while this process writes the rest; the pages it copies grow with the graph,
so the caller forks only a small one.

A failed step fails the build: ``wait`` raises ``ExportStepError`` with the
child's traceback.  Leaving the ``with`` block on an error (Ctrl-C included)
terminates the children first, so the staging folder can be removed safely.
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kg.gc_pause import cycle_collection_paused


# Forking is safe where the platform forks by default (Linux); elsewhere the caller does the work itself.
FORK_AVAILABLE = sys.platform.startswith("linux") and hasattr(os, "fork")


class ExportStepError(RuntimeError):
    """An export step failed in its own process."""


def _name_of(fn: Callable[..., Any]) -> str:
    if "<" in fn.__qualname__ or fn.__module__ == "__main__":
        raise ValueError(f"an export step must be a module-level function of an importable module, not {fn!r}")
    return f"{fn.__module__}:{fn.__qualname__}"


class ExportSteps:
    """Start steps now, collect their results later; ``with`` makes sure no child outlives an error."""

    def __init__(self, *, jobs: int = 1, workdir: Path | None = None):
        """``workdir`` holds each step's result file while it runs (default: the system's temporary
        folder); the build gives its staging folder, which is cleared even after a SIGKILL."""
        self.parallel = jobs > 1
        self.workdir = workdir
        self._running: dict[str, tuple[subprocess.Popen, Path]] = {}
        self._forked: dict[str, tuple[int, Path]] = {}
        self.results: dict[str, Any] = {}

    def start(self, name: str, fn: Callable[..., Any], *args: Any) -> None:
        """Run ``fn(*args)`` in a new process (or now, in this one, when not parallel).

        ``fn`` is a module-level function; ``args`` are JSON values or paths (passed as strings).
        """
        self._check_new(name)
        if not self.parallel:
            self.results[name] = fn(*args)
            return
        spec = json.dumps({"fn": _name_of(fn), "args": [str(a) if isinstance(a, Path) else a for a in args]})
        result_path = self._result_file("kg-step-")
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        process = subprocess.Popen([sys.executable, "-m", "kg.export.steps", spec, result_path, str(os.getpid())],
                                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                   env=env)
        self._running[name] = (process, result_path)

    def _check_new(self, name: str) -> None:
        if name in self._running or name in self._forked or name in self.results:
            raise ValueError(f"export step {name!r} was started twice")

    def _result_file(self, prefix: str) -> Path:
        """An empty file in ``workdir`` for a child to write its result into."""
        fd, path = tempfile.mkstemp(prefix=prefix, suffix=".json", dir=self.workdir)
        os.close(fd)
        return Path(path)

    @property
    def can_fork(self) -> bool:
        return self.parallel and FORK_AVAILABLE

    def fork(self, name: str, fn: Callable[..., Any], *args: Any) -> None:
        """Run ``fn(*args)`` in a forked child; only where ``can_fork``.

        The child sees this process's memory as it is now, so ``args`` may be anything; ``fn``
        returns JSON.  The child ends with ``os._exit``: nothing of the parent's runs twice.
        """
        self._check_new(name)
        if not self.can_fork:
            raise RuntimeError("export steps fork only on Linux, with more than one job")
        result_path = self._result_file("kg-fork-")
        parent = os.getpid()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the child
            code = 1
            try:
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                _die_with(parent)
                outcome = {"result": fn(*args)}
                code = 0
            except BaseException as exc:  # noqa: BLE001 - reported to the parent, which fails the build
                outcome = {"error": f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"}
            finally:
                try:
                    result_path.write_text(json.dumps(outcome), encoding="utf-8")
                finally:
                    os._exit(code)
        self._forked[name] = (pid, result_path)

    def wait(self) -> dict[str, Any]:
        """Wait for every started step; their results by name."""
        failures = []
        for name, (pid, result_path) in list(self._forked.items()):
            _, status = os.waitpid(pid, 0)
            del self._forked[name]
            try:
                outcome = json.loads(result_path.read_text(encoding="utf-8") or "{}")
            finally:
                result_path.unlink(missing_ok=True)
            code = os.waitstatus_to_exitcode(status)
            if code == 0 and "result" in outcome:
                self.results[name] = outcome["result"]
            else:
                failures.append(f"export step {name!r} failed: {outcome.get('error') or f'exit code {code}'}")
        for name, (process, result_path) in list(self._running.items()):
            _, err = process.communicate()
            del self._running[name]
            try:
                if process.returncode == 0:
                    self.results[name] = json.loads(result_path.read_text(encoding="utf-8"))
                else:
                    message = err.decode("utf-8", "replace").strip() or f"exit code {process.returncode}"
                    failures.append(f"export step {name!r} failed: {message}")
            finally:
                result_path.unlink(missing_ok=True)
        if failures:
            raise ExportStepError("\n".join(failures))
        return self.results

    def terminate(self) -> None:
        for pid, result_path in self._forked.values():
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            result_path.unlink(missing_ok=True)
        self._forked.clear()
        for process, result_path in self._running.values():
            process.kill()
            process.communicate()
            result_path.unlink(missing_ok=True)
        self._running.clear()

    def __enter__(self) -> ExportSteps:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.terminate()


def _die_with(parent: int) -> None:
    """On Linux, end this process when the build is killed (SIGKILL leaves no chance to stop its steps)."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the build was gone before that took effect
        sys.exit(1)


def _main(spec: str, result_path: str, parent: str) -> None:
    """A step's process: run the function named in ``spec`` and write its result as JSON."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the build's to handle
    _die_with(int(parent))
    spec = json.loads(spec)
    module, _, qualname = spec["fn"].partition(":")
    fn = importlib.import_module(module)
    for part in qualname.split("."):
        fn = getattr(fn, part)
    try:
        with cycle_collection_paused():
            result = fn(*spec["args"])
    except BaseException as exc:  # noqa: BLE001 - the build reads this first line, then the traceback
        sys.stderr.write(f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}")
        sys.exit(1)
    Path(result_path).write_text(json.dumps(result), encoding="utf-8")


if __name__ == "__main__":
    _main(*sys.argv[1:])
