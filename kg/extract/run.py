"""Drive extraction over many papers: cache first, then local processes or Dask.

Only papers whose text (and pipeline) the cache has not seen go to spaCy.  The
local engine sends batches of papers to a pool of processes that each load the
pipeline once (plain records travel, not spaCy ``Doc`` objects); the Dask engine sends
batches of papers to a ``dask.distributed`` cluster whose workers each load the
pipeline once.  Both return raw results in input order, so the outputs are the
same whichever engine ran.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from kg.extract.cache import ExtractionCache, text_key
from kg.extract.canonical import canonicalise
from kg.extract.pipeline import RawPaper, extract_raw, load_pipeline, paper_text, pipeline_fingerprint
from kg.gc_pause import cycle_collection_paused
from kg.records import ExtractedPaper, Paper

Engine = Literal["local", "dask"]
ENGINES = ("local", "dask")
# A second process pays when each gets at least this many papers: forking a worker and loading
# the pipeline takes about a second, some 30 papers' worth.  Measured: 100 new papers on top of
# 3,000 cached ones took 3.8 s to extract with two processes, 4.7 s with one.
MIN_PAPERS_PER_PROCESS = 50
DASK_BATCH = 256
LOCAL_BATCH = 32


@dataclass
class ExtractStats:
    papers: int = 0
    cached: int = 0
    extracted: int = 0


_WORKER_NLP = None


def _init_local_worker() -> None:
    """Each local worker loads the pipeline once; Ctrl-C is the main process's to handle."""
    global _WORKER_NLP
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER_NLP = load_pipeline()


def _local_worker_extract(papers: list[Paper]) -> list[RawPaper]:
    return list(extract_raw(papers, nlp=_WORKER_NLP, n_process=1))


def _in_process_batches(papers: Sequence[Paper]) -> Iterator[list[RawPaper]]:
    if not papers:  # no pipeline loaded for nothing
        return
    batch: list[RawPaper] = []
    for raw in extract_raw(papers, n_process=1):
        batch.append(raw)
        if len(batch) == LOCAL_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def pool_batches(papers: Sequence[Paper], jobs: int) -> list[list[Paper]]:
    """``papers`` in batches of at most ``LOCAL_BATCH``, as many for each of ``jobs`` processes.

    A few new papers would otherwise be cut into full batches and a rest, and one
    process would do twice the work of the other (100 papers on 2: 64 and 36).

    >>> [len(b) for b in pool_batches(list(range(100)), 2)], len(pool_batches(list(range(10_000)), 2)[0])
    ([25, 25, 25, 25], 32)
    """
    n = len(papers)
    count = -(-n // LOCAL_BATCH)
    count = -(-count // jobs) * jobs  # a multiple of jobs
    size = -(-n // count) if n else 1
    return [list(papers[i : i + size]) for i in range(0, n, size)]


class _PoolBatches:
    """Raw results in input order from a pool of processes, started at once.

    The workers load the pipeline (about a second) and start on the papers while the
    caller goes on (decoding the cached papers); ``close`` stops them, finished or not.
    Only plain records cross between processes; no papers, no pipeline loaded.
    """

    def __init__(self, papers: Sequence[Paper], jobs: int):
        batches = pool_batches(papers, jobs)
        context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
        self.pool = context.Pool(jobs, initializer=_init_local_worker)
        self.results = self.pool.imap(_local_worker_extract, batches)

    def __iter__(self) -> Iterator[list[RawPaper]]:
        return self.results

    def close(self) -> None:
        self.pool.terminate()
        self.pool.join()


def _local_batches(papers: Sequence[Paper], jobs: int) -> Iterator[list[RawPaper]]:
    """Raw results in input order, a batch at a time; with ``jobs`` > 1 from a pool of processes started now."""
    if jobs <= 1 or not papers:
        return _in_process_batches(papers)
    return _PoolBatches(papers, jobs)


def _dask_worker_extract(papers: list[Paper]) -> list[dict]:
    """Runs on a Dask worker: the pipeline is loaded once per worker process."""
    from distributed import get_worker

    worker = get_worker()
    nlp = getattr(worker, "_kg_nlp", None)
    if nlp is None:
        nlp = worker._kg_nlp = load_pipeline()
    return [raw.to_json() for raw in extract_raw(papers, nlp=nlp, n_process=1)]


def _dask_batches(papers: Sequence[Paper], scheduler: str | None) -> Iterator[list[RawPaper]]:
    """Raw results in input order, a batch at a time, from a Dask cluster (a ``LocalCluster`` without ``scheduler``)."""
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
        for future in futures:  # gathered in input order
            yield [RawPaper.from_json(data) for data in future.result()]
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
        cached = cache.keys(set(hashes)) if cache else set()
        todo = [i for i, h in enumerate(hashes) if h not in cached]
        stats.cached = len(papers) - len(todo)
        stats.extracted = len(todo)
        todo_papers = [papers[i] for i in todo]
        if engine == "dask" and todo_papers:
            batches = _dask_batches(todo_papers, scheduler)
        else:
            n_process = max(1, min(jobs, len(todo_papers) // MIN_PAPERS_PER_PROCESS))
            batches = _local_batches(todo_papers, n_process)  # a pool's workers start now
        fresh: list[RawPaper] = []
        with closing(batches):  # an error here stops the workers at once
            with cycle_collection_paused():  # decoded while the workers load the pipeline
                known = cache.get_many(cached) if cache else {}
            progress(stats.cached)
            for batch in batches:
                if cache:  # each batch is kept as it comes: an interrupted build loses none of it
                    done = len(fresh)
                    cache.put_many((hashes[i], raw) for i, raw in zip(todo[done : done + len(batch)], batch,
                                                                      strict=True))
                fresh.extend(batch)
                progress(len(batch))
        by_index = dict(zip(todo, fresh, strict=True))
        raws = []
        for i, paper in enumerate(papers):
            raw = by_index.get(i) or known[hashes[i]]
            raws.append(replace(raw, paper_id=paper.id))  # a cached record may be of another paper with the same text
    finally:
        if cache:
            cache.close()
    with cycle_collection_paused():
        return canonicalise(papers, raws), stats
