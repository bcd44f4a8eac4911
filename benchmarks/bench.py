"""kg's benchmark: build speed against bare spaCy, stage costs, memory, incremental
rebuilds and SPARQL against rdflib, all measured in one run on this machine.

    python benchmarks/bench.py                      # 1k, 10k and 100k papers (make bench, about 65-75 minutes)
    python benchmarks/bench.py --sizes 200 --quick  # what CI runs: no targets checked
    python benchmarks/bench.py --sizes 1000,10000   # the ratios only (about 25 minutes)

It prints a table and writes the figures, with the machine and versions, to
``benchmarks/results/bench-<sizes>.json``.  Targets (ratios, so that a noisy
shared machine matters less): build / bare spaCy ≤ 1.0; graph + RDF + HTML +
CSV ≤ 15% of the build at 10k papers; kg's own spaCy components ≤ half the time of
the whole English pipeline on the same texts (timed once, on up to 500 papers of the
first size); incremental rebuild with 1% new papers ≤ 10% of the
cold build; ``kg sparql`` ≥ 10× faster than rdflib; memory linear in papers,
under 4 GB at 100k.

Sizes above ``--full-up-to`` (10,000) measure the cold build only (seconds per
stage and memory): bare spaCy is timed on the first 10,000 texts whatever the
size, and rdflib cannot hold the 30 M triples of 100,000 papers in memory.

Each build is preceded by a warm-up that imports kg and loads the pipeline in a
process of its own (``warm_up``), so that the build reads its code from memory,
not from disk, as bare spaCy's loaded model does.

Memory is the peak of the summed PSS (proportional set size) of ``kg build``
and its processes, sampled every second: forked processes share their parent's
pages, which a sum of RSS would count once per process.  Reading PSS makes the
kernel walk each process's page tables; sampled every 0.25 s this took 8.5 s
of CPU during a 150 s build of 10,000 papers, taken from the build it measures
(its export is CPU-bound on two cores).  The sampler's own CPU time is recorded
with each build (``monitor_cpu_s``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.corpus import write_corpus  # noqa: E402

EXPORT_STAGES = ("graph", "export")  # "export": the wall time of RDF, GraphML, CSV and map, written side by side
BASELINE_MAX = 10_000  # bare spaCy on more papers than this is timed on the first 10k
COOCCUR_QUERY = """
PREFIX schema: <http://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?other ?label (COUNT(DISTINCT ?paper) AS ?papers) WHERE {
  ?entity skos:prefLabel ?name .
  FILTER(LCASE(STR(?name)) = "large language model")
  ?paper schema:mentions ?entity .
  ?paper schema:mentions ?other .
  FILTER(?other != ?entity)
  ?other skos:prefLabel ?label .
} GROUP BY ?other ?label ORDER BY DESC(?papers) ?label LIMIT 20
"""
# The patterns are in the order a person would write them for a fast plan: Oxigraph follows the order
# given (the same query starting from the pairs of mentions took 33 s instead of 2.8 s at 10k papers).


def _texts(corpus: Path, limit: int) -> list[str]:
    texts = []
    with corpus.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            texts.append(record["title"] + "\n\n" + record["abstract"])
            if len(texts) >= limit:
                break
    return texts


def bare_spacy(corpus: Path, n: int) -> dict:
    """The English pipeline with all its components, one process, nlp.pipe."""
    import spacy

    from kg.extract.pipeline import PIPELINE_PACKAGE

    texts = _texts(corpus, min(n, BASELINE_MAX))
    nlp = spacy.load(PIPELINE_PACKAGE)
    start = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=64):
        pass
    seconds = time.perf_counter() - start
    return {"papers": len(texts), "seconds": round(seconds, 2), "papers_per_s": round(len(texts) / seconds, 2)}


COMPONENT_TEXTS = 500  # texts on which kg's own components are timed against the English pipeline


def component_cost(corpus: Path, n: int, *, repeats: int = 2) -> dict:
    """What kg's own spaCy components cost, against the whole English pipeline on the same texts.

    kg's pipeline is timed with and without its components (``kg_split_stops``,
    ``kg_acronyms``, ``kg_ner``, ``kg_entities``); the difference is their cost.  Each of
    the three runs is repeated and the fastest kept, in turn, so that a slow minute on a
    shared machine does not fall on one of them only.  Target: share ≤ 0.5.
    """
    import spacy

    from kg.extract.pipeline import PIPELINE_PACKAGE, load_pipeline

    texts = _texts(corpus, min(n, COMPONENT_TEXTS))
    english, kg_nlp = spacy.load(PIPELINE_PACKAGE), load_pipeline()
    own = [name for name in kg_nlp.pipe_names if name.startswith("kg_")]

    def run(nlp, disable=()):
        with nlp.select_pipes(disable=list(disable)):
            start = time.perf_counter()
            for _ in nlp.pipe(texts, batch_size=64):
                pass
            return time.perf_counter() - start

    run(kg_nlp)  # loads the lazy tables (lemmatizer nouns) before anything is timed
    best = {"english": float("inf"), "kg": float("inf"), "kg_without_own": float("inf")}
    for _ in range(repeats):
        best["english"] = min(best["english"], run(english))
        best["kg"] = min(best["kg"], run(kg_nlp))
        best["kg_without_own"] = min(best["kg_without_own"], run(kg_nlp, own))
    components = max(best["kg"] - best["kg_without_own"], 0.0)
    return {"papers": len(texts), "components": own, "english_s": round(best["english"], 2),
            "kg_pipeline_s": round(best["kg"], 2), "kg_without_components_s": round(best["kg_without_own"], 2),
            "components_s": round(components, 2), "share": round(components / best["english"], 3)}


def _pss(pid: int) -> int:
    """A process's proportional set size in bytes, from ``/proc/PID/smaps_rollup`` (cheap to read)."""
    with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
        for line in handle:
            if line.startswith(b"Pss:"):
                return int(line.split()[1]) * 1024
    return 0


class PeakMemory(threading.Thread):
    """Samples the summed PSS of a process and its children (see the module's docstring).

    Read from ``smaps_rollup``: psutil's ``memory_full_info`` parses the whole
    ``smaps`` and took a third of a core sampling a build of 10,000 papers.
    """

    INTERVAL = 1.0  # seconds; see the module's docstring for what sampling costs

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.process = psutil.Process(pid)
        self.peak = 0
        self.running = True

    def run(self) -> None:
        while self.running:
            try:
                procs = [self.process, *self.process.children(recursive=True)]
            except psutil.Error:
                procs = []
            total = 0
            for p in procs:
                try:
                    total += _pss(p.pid)
                except OSError:  # ended between the listing and the reading
                    pass
            self.peak = max(self.peak, total)
            time.sleep(self.INTERVAL)


_WARM_UP = "import kg.cli, kg.extract.pipeline as p; p.load_pipeline()"


def warm_up(env: dict) -> float:
    """Read kg's and spaCy's modules and the pipeline's files into the page cache; the seconds it took.

    Like a benchmark's warm-up run: this machine's memory reclaim (DAMON, see the
    README) drops files left idle from the page cache, so a build started after a
    pause would read its code from disk, a cost of 3 to 18 s that depends on how
    long the machine was idle.  Bare spaCy is timed after its model
    is loaded; kg's builds still pay their start, imports and model load, from memory.
    """
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", _WARM_UP], env=env, check=True, capture_output=True)
    return round(time.perf_counter() - start, 2)


def kg_build(inputs: list[Path], out: Path, *extra: str) -> dict:
    """Run ``kg build`` as a user would, in its own process; wall time, peak RSS, report."""
    cmd = [sys.executable, "-m", "kg", "build", *map(str, inputs), "-o", str(out), *extra]
    env = {**os.environ, "TQDM_DISABLE": "1", "PYTHONPATH": str(HERE.parent)}
    warm_up_s = warm_up(env)
    start, cpu_start = time.perf_counter(), time.process_time()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    monitor = PeakMemory(proc.pid)
    monitor.start()
    streams: dict[str, str] = {}
    readers = [threading.Thread(target=lambda name, stream: streams.__setitem__(name, stream.read()), args=item)
               for item in (("out", proc.stdout), ("err", proc.stderr))]
    for reader in readers:
        reader.start()
    proc.wait()
    seconds = time.perf_counter() - start  # when the build's process ended, as a shell would see it
    for reader in readers:
        reader.join()
    pipes_closed = time.perf_counter() - start  # later if a child of the build kept its output open
    err = streams.get("err", "")
    monitor.running = False
    monitor_cpu = time.process_time() - cpu_start  # this process only waits meanwhile: the sampler's CPU
    if proc.returncode != 0:
        raise SystemExit(f"kg build failed: {err}")
    report = json.loads((out / "report.json").read_text())
    return {"seconds": round(seconds, 2), "pipes_closed_s": round(pipes_closed, 2), "warm_up_s": warm_up_s,
            "peak_pss_mb": round(monitor.peak / 2**20, 1),
            "monitor_cpu_s": round(monitor_cpu, 2), "report": report}


_RDFLIB_SCRIPT = """
import sys, time, rdflib
graph = rdflib.Graph()
start = time.perf_counter(); graph.parse(sys.argv[1], format="nt"); load = time.perf_counter() - start
start = time.perf_counter(); rows = list(graph.query(sys.stdin.read())); query = time.perf_counter() - start
print(load, query, len(rows))
"""


def sparql_vs_rdflib(out: Path, *, timeout: float = 600) -> dict:
    """The same co-occurrence query on kg's Oxigraph store and on rdflib's in-memory graph.

    rdflib runs in its own process with a time limit: past it, the speed-up is
    reported as a lower bound.
    """
    from kg.query.sparql import run_query

    start = time.perf_counter()
    ours = run_query(out, COOCCUR_QUERY)
    kg_seconds = time.perf_counter() - start
    env = {**os.environ, "PYTHONPATH": str(HERE.parent)}
    start = time.perf_counter()
    cli = subprocess.run([sys.executable, "-m", "kg", "sparql", COOCCUR_QUERY, "--graph", str(out)],
                         capture_output=True, text=True, env=env)
    cli_seconds = time.perf_counter() - start
    try:
        done = subprocess.run([sys.executable, "-c", _RDFLIB_SCRIPT, str(out / "graph.nt")], input=COOCCUR_QUERY,
                              capture_output=True, text=True, timeout=timeout, check=True)
        load_seconds, rdflib_seconds, rdflib_rows = done.stdout.split()
        rdflib_seconds = float(rdflib_seconds)
        timed_out = False
    except subprocess.TimeoutExpired:
        load_seconds, rdflib_seconds, rdflib_rows, timed_out = None, timeout, None, True
    return {"kg_query_s": round(kg_seconds, 4), "kg_sparql_cli_s": round(cli_seconds, 3), "cli_ok": cli.returncode == 0,
            "rows": len(ours.rows), "rdflib_load_s": load_seconds and round(float(load_seconds), 2),
            "rdflib_query_s": round(rdflib_seconds, 4), "rdflib_rows": rdflib_rows and int(rdflib_rows),
            "rdflib_timed_out": timed_out, "speedup": round(rdflib_seconds / max(kg_seconds, 1e-6), 1)}


def run_size(n: int, work: Path, *, jobs: int | None, full: bool, baseline: dict | None,
             rdflib_timeout: float = 300, measure_components: bool = False) -> dict:
    """Measure one corpus size; ``full=False`` measures the cold build only."""
    corpus = write_corpus(work / f"corpus-{n}.jsonl", n)
    jobs_args = ["-j", str(jobs)] if jobs else []
    baseline = baseline or bare_spacy(corpus, n)
    out = work / f"out-{n}"
    cold = kg_build([corpus], out, *jobs_args)  # a fresh folder: an empty cache
    stages = cold["report"]["seconds"]
    kg_rate = n / cold["seconds"]
    export = sum(stages.get(s, 0.0) for s in EXPORT_STAGES)
    result = {
        "papers": n,
        "bare_spacy": baseline,
        "kg_build": {"seconds": cold["seconds"], "pipes_closed_s": cold["pipes_closed_s"],
                     "warm_up_s": cold["warm_up_s"],
                     "papers_per_s": round(kg_rate, 2), "peak_pss_mb": cold["peak_pss_mb"],
                     "monitor_cpu_s": cold["monitor_cpu_s"],
                     "main_process_peak_rss_mb": cold["report"].get("peak_rss_mb"), "stages": stages,
                     "entities": cold["report"]["entities"], "triples": cold["report"]["rdf"]["triples"]},
        "ratio_build_to_spacy": round(cold["seconds"] / (n / baseline["papers_per_s"]), 3),
        "export_share": round(export / cold["seconds"], 3),
        "incremental": None,
        "sparql": None,
        "components": component_cost(corpus, n) if measure_components else None,
    }
    if full:
        new = write_corpus(work / f"new-{n}.jsonl", max(1, n // 100), offset=n)
        warm = kg_build([corpus, new], out, *jobs_args)
        result["incremental"] = {"new_papers": max(1, n // 100), "seconds": warm["seconds"],
                                 "pipes_closed_s": warm["pipes_closed_s"], "warm_up_s": warm["warm_up_s"],
                                 "peak_pss_mb": warm["peak_pss_mb"],
                                 "extracted": warm["report"]["extraction"]["extracted"],
                                 "stages": warm["report"]["seconds"],
                                 "store": warm["report"]["rdf"].get("store"),
                                 "ratio_to_cold": round(warm["seconds"] / cold["seconds"], 3)}
        result["sparql"] = sparql_vs_rdflib(out, timeout=rdflib_timeout)
    shutil.rmtree(out, ignore_errors=True)
    return result


def machine() -> dict:
    import spacy

    import kg

    return {"platform": platform.platform(), "python": platform.python_version(), "cpus": os.cpu_count(),
            "memory_gb": round(psutil.virtual_memory().total / 2**30, 1), "kg": kg.__version__,
            "spacy": spacy.__version__}


def check(results: list[dict]) -> list[str]:
    """The targets that were missed (empty when all are met)."""
    missed = []
    for r in results:
        n = r["papers"]
        if r["ratio_build_to_spacy"] > 1.0:
            missed.append(f"{n}: build/spaCy {r['ratio_build_to_spacy']} > 1.0")
        if n == 10_000 and r["export_share"] > 0.15:  # the target is set at 10k papers; at 100k it is reported
            missed.append(f"{n}: export share {r['export_share']} > 0.15")
        if n >= 10_000 and r["incremental"] and r["incremental"]["ratio_to_cold"] > 0.10:
            missed.append(f"{n}: incremental {r['incremental']['ratio_to_cold']} > 0.10")
        if r.get("components") and r["components"]["share"] > 0.5:
            missed.append(f"{n}: kg's components cost {r['components']['share']} of the English pipeline > 0.5")
        sparql = r["sparql"]
        if sparql and sparql["speedup"] < 10:
            if sparql["rdflib_timed_out"]:  # a lower bound below 10: neither met nor missed, not known
                missed.append(f"{n}: SPARQL speed-up not determined: rdflib stopped at {sparql['rdflib_query_s']} s, "
                              f"kg took {sparql['kg_query_s']} s (≥ {sparql['speedup']}×)")
            else:
                missed.append(f"{n}: SPARQL speed-up {sparql['speedup']} < 10")
    if len(results) >= 2:
        small, large = results[0], results[-1]
        per_paper_small = small["kg_build"]["peak_pss_mb"] / small["papers"]
        per_paper_large = large["kg_build"]["peak_pss_mb"] / large["papers"]
        if per_paper_large > per_paper_small * 1.5:
            missed.append("memory grows faster than the number of papers")
    if results and results[-1]["papers"] >= 100_000 and results[-1]["kg_build"]["peak_pss_mb"] > 4096:
        missed.append("100k papers took more than 4 GB")
    return missed


def _speedup(sparql: dict | None) -> str:
    if not sparql:
        return "-"
    return ("≥ " if sparql["rdflib_timed_out"] else "") + f"{sparql['speedup']:.0f}"


def table(results: list[dict]) -> str:
    head = ["papers", "spaCy p/s", "kg p/s", "kg/spaCy", "parts/spaCy", "export %", "incr/cold", "memory MB",
            "SPARQL ×"]
    rows = [[f"{r['papers']:,}", f"{r['bare_spacy']['papers_per_s']:.1f}", f"{r['kg_build']['papers_per_s']:.1f}",
             f"{r['ratio_build_to_spacy']:.2f}",
             f"{r['components']['share']:.2f}" if r.get("components") else "-", f"{100 * r['export_share']:.1f}",
             f"{r['incremental']['ratio_to_cold']:.3f}" if r["incremental"] else "-",
             f"{r['kg_build']['peak_pss_mb']:.0f}",
             _speedup(r["sparql"])] for r in results]
    widths = [max(len(x) for x in col) for col in zip(head, *rows)]
    lines = ["  ".join(c.rjust(w) for c, w in zip(row, widths)) for row in [head, *rows]]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated corpus sizes")
    parser.add_argument("--full-up-to", type=int, default=10_000,
                        help="larger sizes measure the cold build only (default 10000)")
    parser.add_argument("--jobs", type=int, default=None, help="kg build --jobs (default: all cores)")
    parser.add_argument("--quick", action="store_true", help="measure and print, but check no target")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--rdflib-timeout", type=float, default=300, help="seconds rdflib may take on the query")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    work = Path(tempfile.mkdtemp(prefix="kg-bench-"))
    results = []
    (HERE / "results").mkdir(exist_ok=True)
    out = HERE / "results" / f"bench-{'-'.join(map(str, sizes))}.json"
    try:
        for n in sizes:
            print(f"… {n:,} papers", file=sys.stderr, flush=True)
            baseline = next((r["bare_spacy"] for r in results if r["bare_spacy"]["papers"] >= BASELINE_MAX), None)
            results.append(run_size(n, work, jobs=args.jobs, full=n <= args.full_up_to, baseline=baseline,
                                    rdflib_timeout=args.rdflib_timeout, measure_components=not results))
            # Written after each size, so a long run that is stopped keeps what it measured.
            out.write_text(json.dumps({"machine": machine(), "results": results, "missed": check(results)},
                                      indent=2) + "\n")
            print(table(results[-1:]), file=sys.stderr, flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(table(results))
    for r in results:
        print(f"{r['papers']:,} papers, seconds per stage: {r['kg_build']['stages']}")
    missed = check(results)
    print(f"figures written to {out.relative_to(HERE.parent)}")
    if args.quick:
        return 0
    for line in missed:
        print(f"target missed: {line}")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
