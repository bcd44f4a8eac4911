"""Export steps in forked processes: results come back, failures fail the build, nothing outlives an error."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from kg.export.files import atomic_writer
from kg.export.steps import ExportStepError, ExportSteps


def _write(path: str, text: str) -> dict:
    Path(path).write_text(text)
    return {"pid": os.getpid(), "size": len(text)}


def _fail(message: str) -> None:
    raise ValueError(message)


def _sleep_then_write(path: str) -> None:
    time.sleep(30)
    Path(path).write_text("too late")


def test_steps_run_in_other_processes_and_return_their_results(tmp_path):
    with ExportSteps(jobs=2) as steps:
        steps.start("a", _write, tmp_path / "a.txt", "alpha")
        steps.start("b", _write, tmp_path / "b.txt", "beta!")
        results = steps.wait()
    assert (tmp_path / "a.txt").read_text() == "alpha" and (tmp_path / "b.txt").read_text() == "beta!"
    assert results["a"]["size"] == 5 and results["b"]["size"] == 5
    assert {results["a"]["pid"], results["b"]["pid"]}.isdisjoint({os.getpid()})


def test_one_job_runs_each_step_at_once_in_this_process(tmp_path):
    steps = ExportSteps(jobs=1)
    steps.start("a", _write, tmp_path / "a.txt", "alpha")
    assert (tmp_path / "a.txt").read_text() == "alpha"  # before wait()
    assert steps.wait()["a"]["pid"] == os.getpid()


def test_a_failed_step_raises_with_its_message(tmp_path):
    with ExportSteps(jobs=2) as steps:
        steps.start("ok", _write, tmp_path / "a.txt", "alpha")
        steps.start("broken", _fail, "no disk left")
        with pytest.raises(ExportStepError, match=r"'broken' failed: ValueError: no disk left"):
            steps.wait()


def test_leaving_on_an_error_stops_the_children(tmp_path):
    target = tmp_path / "late.txt"
    with pytest.raises(KeyboardInterrupt):
        with ExportSteps(jobs=2) as steps:
            steps.start("slow", _sleep_then_write, target)
            process = steps._running["slow"][0]
            raise KeyboardInterrupt
    assert process.poll() is not None  # ended
    assert not target.exists()


def test_a_step_must_be_importable_by_name(tmp_path):
    with pytest.raises(ValueError, match="module-level function"):
        ExportSteps(jobs=2).start("lambda", lambda: None)


def test_a_step_cannot_be_started_twice(tmp_path):
    steps = ExportSteps(jobs=1)
    steps.start("a", _write, tmp_path / "a.txt", "x")
    with pytest.raises(ValueError, match="started twice"):
        steps.start("a", _write, tmp_path / "a.txt", "x")


def test_atomic_writer_keeps_the_old_file_when_the_writing_fails(tmp_path):
    path = tmp_path / "graph.nt"
    path.write_bytes(b"old\n")
    with pytest.raises(RuntimeError):
        with atomic_writer(path) as handle:
            handle.write(b"half of the new")
            raise RuntimeError("interrupted")
    assert path.read_bytes() == b"old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["graph.nt"]  # no temporary file left
    with atomic_writer(path) as handle:
        handle.write(b"new\n")
    assert path.read_bytes() == b"new\n"


def test_a_step_ends_when_the_build_is_killed(tmp_path):
    """SIGKILL gives the build no chance to stop its steps: they must not go on writing into its folder."""
    import signal
    import subprocess
    import sys

    system_tmp, staging = tmp_path / "tmp", tmp_path / "staging"
    system_tmp.mkdir()
    staging.mkdir()
    script = ("import sys, time; from pathlib import Path; from kg.export.steps import ExportSteps; "
              "from tests.export.test_steps import _sleep_then_write; "
              "s = ExportSteps(jobs=2, workdir=Path(sys.argv[2])); s.start('slow', _sleep_then_write, sys.argv[1]); "
              "print(s._running['slow'][0].pid, flush=True); time.sleep(60)")
    build = subprocess.Popen([sys.executable, "-c", script, str(tmp_path / "late.txt"), str(staging)],
                             stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[2],
                             env={**os.environ, "TMPDIR": str(system_tmp)})
    step_pid = int(build.stdout.readline())
    build.send_signal(signal.SIGKILL)
    build.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(step_pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        pytest.fail("the step outlived the build")
    # The killed build could not remove its step's result file: it is in the staging folder, which
    # the next build clears, not in the system's temporary folder.
    assert list(system_tmp.iterdir()) == []
    assert [p.name.startswith("kg-step-") for p in staging.iterdir()] == [True]


def _grow_and_count(items: list) -> dict:
    items.append("seen only by the child")
    return {"pid": os.getpid(), "count": len(items)}


needs_fork = pytest.mark.skipif(not ExportSteps(jobs=2).can_fork, reason="export steps fork on Linux only")


@needs_fork
def test_a_forked_step_sees_this_process_memory_and_changes_none_of_it(tmp_path):
    items = ["a", "b"]
    with ExportSteps(jobs=2, workdir=tmp_path) as steps:
        steps.fork("count", _grow_and_count, items)
        results = steps.wait()
    assert results["count"]["count"] == 3 and results["count"]["pid"] != os.getpid()
    assert items == ["a", "b"]
    assert list(tmp_path.iterdir()) == []  # its result file is gone


@needs_fork
def test_a_failed_forked_step_raises_with_its_message(tmp_path):
    with ExportSteps(jobs=2, workdir=tmp_path) as steps:
        steps.fork("broken", _fail, "no disk left")
        with pytest.raises(ExportStepError, match=r"'broken' failed: ValueError: no disk left"):
            steps.wait()


@needs_fork
def test_leaving_on_an_error_stops_a_forked_child(tmp_path):
    target = tmp_path / "late.txt"
    with pytest.raises(KeyboardInterrupt):
        with ExportSteps(jobs=2, workdir=tmp_path) as steps:
            steps.fork("slow", _sleep_then_write, target)
            pid = steps._forked["slow"][0]
            raise KeyboardInterrupt
    with pytest.raises(ChildProcessError):  # ended and reaped
        os.waitpid(pid, os.WNOHANG)
    assert not target.exists() and list(tmp_path.iterdir()) == []


def test_one_job_does_not_fork(tmp_path):
    with pytest.raises(RuntimeError, match="fork only"):
        ExportSteps(jobs=1).fork("count", _grow_and_count, [])


@needs_fork
def test_a_forked_step_and_a_started_one_cannot_share_a_name(tmp_path):
    with ExportSteps(jobs=2, workdir=tmp_path) as steps:
        steps.fork("a", _grow_and_count, [])
        with pytest.raises(ValueError, match="started twice"):
            steps.start("a", _write, tmp_path / "a.txt", "x")
        steps.wait()
