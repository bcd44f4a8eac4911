"""The local and Dask engines give byte-identical outputs; the cache notices a changed pipeline."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from click.testing import CliRunner

from kg.build import OUTPUT_FILES
from kg.cli import main

ABSTRACTS = [
    "Large Language Models (LLMs) are fine-tuned with Low-Rank Adaptation (LoRA) on GSM8K.",
    "We train a diffusion model on ImageNet and report FID and Inception Score.",
    "Direct Preference Optimization (DPO) aligns GPT-4 outputs; win rate on AlpacaEval improves.",
    "A graph neural network is evaluated on node classification with accuracy and F1.",
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    path = tmp_path_factory.mktemp("engines") / "papers.jsonl"
    rows = [{"id": f"p{i:02d}", "title": f"Study {i} of LoRA and DPO", "abstract": " ".join([ABSTRACTS[i % 4]] * (1 + i % 3))}
            for i in range(24)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _build(corpus, out, *extra):
    result = CliRunner().invoke(main, ["build", str(corpus), "-o", str(out), "--no-cache", *extra],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads((out / "report.json").read_text())


def test_dask_engine_matches_the_local_engine(corpus, tmp_path):
    pytest.importorskip("distributed")
    local = tmp_path / "local"
    dask = tmp_path / "dask"
    _build(corpus, local, "-j", "1")
    report = _build(corpus, dask, "--engine", "dask")
    assert report["extraction"]["engine"] == "dask"
    for name in OUTPUT_FILES:
        if name != "report.json":
            assert (dask / name).read_bytes() == (local / name).read_bytes(), name


def test_local_processes_match_one_process(corpus, tmp_path, monkeypatch):
    import kg.extract.run as run

    monkeypatch.setattr(run, "MIN_PAPERS_PER_PROCESS", 1)
    monkeypatch.setattr(run, "LOCAL_BATCH", 5)
    one, two = tmp_path / "one", tmp_path / "two"
    _build(corpus, one, "-j", "1")
    _build(corpus, two, "-j", "2")
    for name in OUTPUT_FILES:
        if name != "report.json":
            assert (two / name).read_bytes() == (one / name).read_bytes(), name


def test_a_changed_pipeline_misses_the_cache(corpus, tmp_path, monkeypatch):
    out = tmp_path / "out"
    runner = CliRunner()
    assert runner.invoke(main, ["build", str(corpus), "-o", str(out), "-j", "1", "--no-html"]).exit_code == 0
    assert runner.invoke(main, ["build", str(corpus), "-o", str(out), "-j", "1", "--no-html"]).exit_code == 0
    assert json.loads((out / "report.json").read_text())["extraction"]["cached"] == 24
    import kg.extract.run as run

    monkeypatch.setattr(run, "pipeline_fingerprint", lambda: "another-pipeline")
    assert runner.invoke(main, ["build", str(corpus), "-o", str(out), "-j", "1", "--no-html"]).exit_code == 0
    assert json.loads((out / "report.json").read_text())["extraction"]["extracted"] == 24


def test_an_interrupted_extraction_keeps_the_batches_it_finished(corpus, tmp_path):
    """Stopped after its first batch, a build has cached that batch: the next build extracts the rest only."""
    from kg.extract.run import LOCAL_BATCH, extract_papers
    from kg.read import read_papers

    papers = [replace(p, id=f"{p.id}-{n}", abstract=f"{p.abstract} Copy {n}.")  # 48 texts: batches of 32 and 16
              for n, p in enumerate(read_papers([corpus]).papers * 2)]
    cache = tmp_path / "extract.sqlite"

    def stop_after_first_batch(done: int) -> None:
        if done:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        extract_papers(papers, jobs=1, cache_path=cache, progress=stop_after_first_batch)
    _, stats = extract_papers(papers, jobs=1, cache_path=cache)
    assert (stats.cached, stats.extracted) == (LOCAL_BATCH, len(papers) - LOCAL_BATCH)


def test_a_pool_beside_the_cache_gives_what_one_process_gives(corpus, tmp_path, monkeypatch):
    """Two processes start on the uncached papers while the cached ones are read: the same results, in order."""
    import kg.extract.run as run
    from kg.read import read_papers

    monkeypatch.setattr(run, "MIN_PAPERS_PER_PROCESS", 4)
    papers = read_papers([corpus]).papers
    cache = tmp_path / "extract.sqlite"
    run.extract_papers(papers[::2], jobs=1, cache_path=cache)  # every other paper cached
    pooled, stats = run.extract_papers(papers, jobs=2, cache_path=cache)
    assert (stats.cached, stats.extracted) == (12, 12)
    alone, _ = run.extract_papers(papers, jobs=1)
    assert pooled == alone
    _, stats = run.extract_papers(papers, jobs=2, cache_path=cache)
    assert (stats.cached, stats.extracted) == (24, 0)


@settings(deadline=None)  # the first example imports the extraction modules
@given(n=st.integers(1, 3000), jobs=st.integers(1, 4))
def test_new_papers_are_shared_evenly_between_the_processes(n, jobs):
    """Batches dealt in turn give no process much more than its share: 100 papers on 2 are 50 and 50, not 64 and 36."""
    from kg.extract.run import LOCAL_BATCH, pool_batches

    batches = [len(b) for b in pool_batches(list(range(n)), jobs)]
    assert max(batches) <= LOCAL_BATCH
    loads = [sum(batches[j::jobs]) for j in range(jobs)]
    assert sum(loads) == n
    assert max(loads) <= -(-n // jobs) + -(-n // (LOCAL_BATCH * jobs))
