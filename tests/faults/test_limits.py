"""Size limits: a record over them is skipped and reported, never fed to spaCy; big inputs stream.

``kg.read.base.MAX_ABSTRACT_CHARS`` (1,000,000) and ``MAX_TITLE_CHARS``
(10,000) bound one record; a file is read line by line (JSON Lines), so the
memory ``kg ingest`` needs follows what it keeps, not the size of the file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.read.base import MAX_ABSTRACT_CHARS, MAX_TITLE_CHARS

REPO = Path(__file__).resolve().parents[2]

GOOD = [
    {"id": "good-1", "title": "Low-Rank Adaptation of Large Language Models",
     "abstract": "We fine-tune GPT-4 with LoRA on GSM8K and report accuracy."},
    {"id": "good-2", "title": "BERT for question answering", "abstract": "BERT is evaluated on SQuAD with F1."},
]
HUGE_ABSTRACT = {"id": "huge", "title": "A huge abstract", "abstract": "LoRA " * (MAX_ABSTRACT_CHARS // 5 + 1)}
LONG_TITLE = {"id": "long-title", "title": "T" * (MAX_TITLE_CHARS + 1), "abstract": "BERT on SQuAD."}
# Exactly at the limit is still a paper.
AT_LIMIT = {"id": "at-limit", "title": "An abstract at the limit", "abstract": "x" * MAX_ABSTRACT_CHARS}


@pytest.fixture(scope="module")
def limits(tmp_path_factory):
    """``kg build`` of two good papers, one at the limit and two over it, recording what reached spaCy."""
    import kg.extract.run as run

    root = tmp_path_factory.mktemp("limits")
    path = root / "limits.jsonl"
    records = [GOOD[0], HUGE_ABSTRACT, GOOD[1], LONG_TITLE, AT_LIMIT]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    seen: list[tuple[str, int]] = []
    real = run.extract_raw

    def recording(papers, **kwargs):
        def spy():
            for paper in papers:
                seen.append((paper.id, len(paper.abstract)))
                yield paper
        return real(spy(), **kwargs)

    out = root / "output"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(run, "extract_raw", recording)
        result = CliRunner().invoke(main, ["build", str(path), "-o", str(out), "-j", "1", "--no-html"])
    assert result.exit_code == 0, result.output
    return {"path": path, "out": out, "seen": seen, "stdout": result.stdout,
            "report": json.loads((out / "report.json").read_text(encoding="utf-8"))}


def test_records_over_the_limits_are_skipped_and_reported(limits):
    report, path = limits["report"], str(limits["path"])
    assert report["skipped"] == [
        {"file": path, "line": 2, "reason": "abstract longer than 1,000,000 characters"},
        {"file": path, "line": 4, "reason": "title longer than 10,000 characters"},
    ]
    assert report["papers"] == 3
    assert "3 papers" in limits["stdout"] and "(2 records skipped" in limits["stdout"]
    papers = (limits["out"] / "papers.csv").read_text(encoding="utf-8")
    assert "good-1" in papers and "at-limit" in papers and "huge" not in papers and "long-title" not in papers


def test_records_over_the_limits_never_reach_spacy(limits):
    assert limits["report"]["extraction"]["extracted"] == 3
    assert sorted(limits["seen"]) == sorted([("at-limit", MAX_ABSTRACT_CHARS), ("good-1", len(GOOD[0]["abstract"])),
                                             ("good-2", len(GOOD[1]["abstract"]))])


def test_strict_refuses_a_record_over_the_limit(tmp_path):
    path = tmp_path / "huge.jsonl"
    path.write_text(json.dumps(GOOD[0]) + "\n" + json.dumps(HUGE_ABSTRACT) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["ingest", str(path), "--strict"])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"Error: {path}, line 2: abstract longer than 1,000,000 characters (--strict)\n"


# --- memory on a large input ------------------------------------------------------------------

MB = 1 << 20


def _write_large_input(path: Path, size: int) -> tuple[list[str], int]:
    """About ``size`` bytes of JSON Lines, nearly all of it broken or oversized: (ids kept, lines)."""
    over = "word " * (MAX_ABSTRACT_CHARS // 5 + 2000)  # ~1 MB: just over the limit
    kept, lines = [], 1
    with path.open("w", encoding="utf-8") as handle:
        handle.write(json.dumps({"id": "keep-0", "title": "Streaming", "abstract": "LoRA on GSM8K."}) + "\n")
        kept.append("keep-0")
        i = 0
        while handle.tell() < size:
            i += 1
            if i % 2:  # an oversized record
                handle.write(json.dumps({"id": f"big-{i}", "title": f"Big {i}", "abstract": over}) + "\n")
                lines += 1
            else:  # a broken record as big (cut before its end), then many small broken lines
                handle.write('{"id": "cut-%d", "title": "Cut", "abstract": "%s\n' % (i, over))
                handle.write('{"title": "broken\n' * 200)
                lines += 201
            if i % 50 == 0:
                kept.append(f"keep-{i}")
                handle.write(json.dumps({"id": f"keep-{i}", "title": f"Kept paper {i}", "abstract": "BERT."}) + "\n")
                lines += 1
    return kept, lines


def _peak_rss_mb(args: list[str], stdout: Path) -> tuple[int, float, str]:
    """Run ``python -m kg ARGS``; its exit code, peak resident memory (MiB) and stderr.

    ``os.wait4`` gives the rusage of this one child: ``getrusage(RUSAGE_CHILDREN)``
    is the largest of all the children waited for so far, builds that loaded
    spaCy included, and would hide the number looked for.
    """
    env = {**os.environ, "TQDM_DISABLE": "1", "PYTHONPATH": str(REPO)}
    with stdout.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "kg", *args], stdout=out, stderr=subprocess.PIPE, env=env)
        err = proc.stderr.read().decode("utf-8", "replace")
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    proc.stderr.close()
    return proc.returncode, usage.ru_maxrss / 1024, err  # ru_maxrss is in KiB on Linux


def test_ingest_memory_does_not_grow_with_the_file(tmp_path):
    small = tmp_path / "small.jsonl"
    small.write_text(json.dumps(GOOD[0]) + "\n", encoding="utf-8")
    code, baseline, err = _peak_rss_mb(["ingest", str(small)], tmp_path / "small.out")
    assert code == 0, err

    large = tmp_path / "large.jsonl"
    kept, lines = _write_large_input(large, 200 * MB)
    size_mb = large.stat().st_size / MB
    assert size_mb >= 200
    out = tmp_path / "large.out"
    code, peak, err = _peak_rss_mb(["ingest", str(large)], out)
    assert code == 0, err
    assert [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()] == kept
    assert err.startswith(f"{lines - len(kept)} record(s) skipped; first: ")
    large.unlink()
    # Reading 200 MB keeps one line at a time: far less than the file, whatever the machine.
    assert peak - baseline < 150, f"peak {peak:.0f} MiB vs {baseline:.0f} MiB for one paper ({size_mb:.0f} MB file)"
