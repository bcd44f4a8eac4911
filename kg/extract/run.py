"""Drive extraction over many papers: cache first, then local processes or Dask.

Only papers whose text (and pipeline) the cache has not seen go to spaCy.  The
local engine uses spaCy's own ``nlp.pipe(n_process=N)``; the Dask engine sends
batches of papers to a ``dask.distributed`` cluster whose workers each load the
pipeline once.  Both return raw results in input order, so the outputs are the
same whichever engine ran.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from kg.extract.cache import ExtractionCache, text_key
from kg.extract.canonical import canonicalise
from kg.extract.pipeline import RawPaper, extract_raw, load_pipeline, paper_text, pipeline_fingerprint
from kg.records import ExtractedPaper, Paper

Engine = Literal["local", "dask"]
ENGINES = ("local", "dask")
# Starting a worker process costs about as much as extracting this many papers.
MIN_PAPERS_PER_PROCESS = 200
DASK_BATCH = 256


@dataclass
class ExtractStats:
    papers: int = 0
    cached: int = 0
    extracted: int = 0


def _dask_worker_extract(papers: list[Paper]) -> list[dict]:
    """Runs on a Dask worker: the pipeline is loaded once per worker process."""
    from distributed import get_worker

    worker = get_worker()
    nlp = getattr(worker, "_kg_nlp", None)
    if nlp is None:
        nlp = worker._kg_nlp = load_pipeline()
    return [raw.to_json() for raw in extract_raw(papers, nlp=nlp, n_process=1)]


def _extract_dask(papers: Sequence[Paper], scheduler: str | None, progress: Callable[[int], None]) -> list[RawPaper]:
    from distributed import Client, LocalCluster

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    try:
        batches = [list(papers[i : i + DASK_BATCH]) for i in range(0, len(papers), DASK_BATCH)]
        futures = client.map(_dask_worker_extract, batches, pure=False)
        results: list[RawPaper] = []
        for future, batch in zip(futures, batches, strict=True):  # gathered in input order
            results.extend(RawPaper.from_json(data) for data in future.result())
            progress(len(batch))
        return results
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def extract_papers(
    papers: Sequence[Paper],
    *,
    jobs: int = 1,
    engine: Engine = "local",
    scheduler: str | None = None,
    cache_path: str | Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[list[ExtractedPaper], ExtractStats]:
    """Extract entities from every paper and canonicalise them across the corpus."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; valid engines: {', '.join(ENGINES)}")
    progress = progress or (lambda n: None)
    stats = ExtractStats(papers=len(papers))
    hashes = [text_key(paper_text(p)) for p in papers]
    cache = ExtractionCache(cache_path, pipeline_fingerprint()) if cache_path else None
    try:
        known = cache.get_many(set(hashes)) if cache else {}
        todo = [i for i, h in enumerate(hashes) if h not in known]
        stats.cached = len(papers) - len(todo)
        stats.extracted = len(todo)
        progress(stats.cached)
        todo_papers = [papers[i] for i in todo]
        if not todo_papers:
            fresh: list[RawPaper] = []
        elif engine == "dask":
            fresh = _extract_dask(todo_papers, scheduler, progress)
        else:
            n_process = max(1, min(jobs, len(todo_papers) // MIN_PAPERS_PER_PROCESS))
            fresh = []
            for raw in extract_raw(todo_papers, n_process=n_process, batch_size=64):
                fresh.append(raw)
                progress(1)
        if cache and fresh:
            cache.put_many((hashes[i], raw) for i, raw in zip(todo, fresh, strict=True))
        by_index = dict(zip(todo, fresh, strict=True))
        raws = []
        for i, paper in enumerate(papers):
            raw = by_index.get(i) or known[hashes[i]]
            raws.append(RawPaper(paper_id=paper.id, mentions=raw.mentions, acronyms=raw.acronyms))
    finally:
        if cache:
            cache.close()
    return canonicalise(papers, raws), stats
