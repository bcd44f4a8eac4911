"""Real builds killed or interrupted at known points leave the previous outputs as they were."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.export.files import COMMIT, recover

PAPERS = [
    {"id": f"p{i}", "title": f"Low-Rank Adaptation of Vision Transformers, part {i}",
     "abstract": "Large Language Models (LLMs) are fine-tuned with LoRA on GSM8K and MMLU; accuracy improves."}
    for i in range(12)
]


def _kg(args, env_extra=None, **kwargs):
    env = {**os.environ, "TQDM_DISABLE": "1", **(env_extra or {})}
    # A test run started in the background inherits "ignore Ctrl-C"; a user's terminal does not.
    return subprocess.Popen([sys.executable, "-m", "kg", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL), **kwargs)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture(scope="module")
def previous(tmp_path_factory):
    """A first, good build; each test then tries to overwrite it and is cut short."""
    root = tmp_path_factory.mktemp("faults")
    first = root / "first.jsonl"
    first.write_text("".join(json.dumps(p) + "\n" for p in PAPERS[:6]))
    second = root / "second.jsonl"
    second.write_text("".join(json.dumps(p) + "\n" for p in PAPERS))
    out = root / "output"
    proc = _kg(["build", str(first), "-o", str(out), "-j", "1"])
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    return {"out": out, "second": second, "before": _snapshot(out)}


def _run_until(previous, point: str, tmp_path: Path) -> subprocess.Popen:
    marker = tmp_path / "marker"
    proc = _kg(["build", str(previous["second"]), "-o", str(previous["out"]), "-j", "1"],
               {"KG_TEST_PAUSE": point, "KG_TEST_PAUSE_MARKER": str(marker), "KG_TEST_PAUSE_SECONDS": "60"})
    deadline = time.monotonic() + 240
    while not marker.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the build never reached " + point
        time.sleep(0.1)
    return proc


@pytest.mark.parametrize("point", ["extracted", "exporting", "publish"])
def test_sigkill_leaves_previous_outputs_untouched(previous, point, tmp_path):
    proc = _run_until(previous, point, tmp_path)
    proc.kill()
    proc.wait(timeout=30)
    assert _snapshot(previous["out"]) == previous["before"]
    # The next run clears what the killed one left behind.
    recover(previous["out"])
    assert not list(previous["out"].parent.glob(".output.staging-*"))


@pytest.mark.parametrize("point", ["extracted", "publish"])
def test_ctrl_c_prints_one_line_and_exits_130(previous, point, tmp_path):
    proc = _run_until(previous, point, tmp_path)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert err.strip().splitlines() == ["Interrupted; outputs left as they were."]
    assert "Traceback" not in err
    assert _snapshot(previous["out"]) == previous["before"]
    assert not list(previous["out"].parent.glob(".output.staging-*"))


def test_cache_survives_a_kill_and_a_new_build_completes(previous, tmp_path):
    proc = _run_until(previous, "exporting", tmp_path)
    proc.kill()
    proc.wait(timeout=30)
    cache = previous["out"] / ".cache" / "extract.sqlite"
    with sqlite3.connect(cache) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    done = _kg(["build", str(previous["second"]), "-o", str(previous["out"]), "-j", "1"])
    _, err = done.communicate(timeout=300)
    assert done.returncode == 0, err
    report = json.loads((previous["out"] / "report.json").read_text())
    assert report["papers"] == 12
    assert report["extraction"]["extracted"] == 0  # the killed run's extraction was kept


def test_an_interrupted_publish_is_finished_by_the_next_run(tmp_path):
    out = tmp_path / "output"
    out.mkdir()
    (out / "a.txt").write_text("old a")
    (out / "b.txt").write_text("old b")
    staging = tmp_path / ".output.staging-999999"
    staging.mkdir()
    (staging / "b.txt").write_text("new b")  # "a.txt" was already moved before the crash
    (out / "a.txt").write_text("new a")
    (staging / COMMIT).write_text(json.dumps(["a.txt", "b.txt"]))
    recover(out)
    assert (out / "a.txt").read_text() == "new a" and (out / "b.txt").read_text() == "new b"
    assert not staging.exists()


def test_an_uncommitted_staging_folder_of_a_dead_process_is_dropped(tmp_path):
    out = tmp_path / "output"
    out.mkdir()
    (out / "a.txt").write_text("old")
    staging = tmp_path / ".output.staging-999999"
    staging.mkdir()
    (staging / "a.txt").write_text("half")
    recover(out)
    assert (out / "a.txt").read_text() == "old" and not staging.exists()
