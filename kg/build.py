"""``kg build``: read → extract → graph → export, all outputs published together.

Every file is written into a staging folder beside the output folder and moved
into place only when all of them are complete (see ``kg.export.files``), so an
interrupted build leaves the previous outputs as they were.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from kg import __version__
from kg.export.files import staged_output, write_text_atomic
from kg.gc_pause import cycle_collection_paused
from kg.read import ReadResult, read_papers

OUTPUT_FILES = ("graph.ttl", "graph.nt", "graph.jsonld", "graph.graphml", "graph.html", "papers.csv",
                "entities.csv", "report.json")
DEFAULT_BASE_IRI = "https://w3id.org/kg/"
# GraphML is written by a forked child while the build writes the rest, up to this many edges: the
# child copies the pages of the graph it walks (at 10,000 papers, 241,000 edges: 210 MB of its own,
# and a rebuild with 100 new papers took 7 s to export instead of 10).  Past it (2.4 M edges at
# 100,000 papers) that copy would cost gigabytes, and GraphML is written here after the rest.
FORK_GRAPHML_MAX_EDGES = 600_000


def sample_inputs() -> list[Path]:
    """The bundled sample corpus: four Hugging Face Daily Papers pages."""
    folder = resources.files("kg") / "data" / "seeds"
    return sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith(".txt"))


@dataclass
class BuildOptions:
    fmt: str | None = None
    strict: bool = False
    jobs: int = 1
    engine: str = "local"
    scheduler: str | None = None
    cache: bool = True
    html: bool = True
    base_iri: str = DEFAULT_BASE_IRI
    map_top: int = 300
    map_min_papers: int = 2
    min_cooccur: int = 2
    curation: str | Path | None = None


@dataclass
class BuildReport:
    data: dict = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    peak_rss_mb: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str):
        """Time a stage, and note the build process's peak memory so far when it ends (how memory grows)."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = round(self.seconds.get(name, 0.0) + time.perf_counter() - start, 3)
            self.peak_rss_mb[name] = _peak_rss_mb()


def _peak_rss_mb() -> float:
    """This process's peak resident memory in MiB (its export steps and extraction workers not included)."""
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (2**20 if sys.platform == "darwin" else 2**10), 1)


def _read_report(result: ReadResult) -> dict:
    return {
        "papers": len(result.papers),
        "papers_with_abstract": sum(1 for p in result.papers if p.abstract.strip()),
        "inputs": [i.to_json() for i in result.inputs],
        "skipped": [s.to_json() for s in result.skipped],
        "merged": [m.to_json() for m in result.merges],
    }


def build(
    inputs: Sequence[str | Path],
    out: str | Path = "output",
    options: BuildOptions | None = None,
    *,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict:
    """Build the graph of ``inputs`` into ``out``; returns the report (also in ``report.json``).

    ``progress(stage, done, total)`` is called as papers are extracted.
    """
    from kg.export.graphml import graphml_step
    from kg.export.rdf import write_rdf
    from kg.export.steps import ExportSteps
    from kg.extract.pipeline import ner_model_digest, pipeline_info
    from kg.extract.curation import apply_curation, load_curation
    from kg.extract.run import extract_papers
    from kg.graph.build import build_graph

    options = options or BuildOptions()
    out = Path(out)
    report = BuildReport()
    total_start = time.perf_counter()
    with report.stage("read"):
        result = read_papers(inputs, fmt=options.fmt, strict=options.strict)
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress("extract", done, len(result.papers))

    curation = load_curation(options.curation) if options.curation else None  # a bad file fails before spaCy runs
    with report.stage("extract"):
        cache_path = out / ".cache" / "extract.sqlite" if options.cache else None
        extracted, stats = extract_papers(result.papers, jobs=options.jobs, engine=options.engine,
                                          scheduler=options.scheduler, cache_path=cache_path, progress=tick)
        changes = None
        if curation is not None:
            extracted, changes = apply_curation(extracted, curation)
    _pause_for_tests("extracted")
    # From here on, nothing makes reference cycles: the cycle collector would only walk the graph again and again
    with cycle_collection_paused():
        n_mentions = sum(len(e.mentions) for item in extracted for e in item.entities)
        with report.stage("graph"):
            graph = build_graph(extracted, min_cooccur=options.min_cooccur)
        del extracted  # the graph holds all of it now; at 100k papers this is gigabytes
        info = pipeline_info()
        run_info = {"kg_version": __version__, **info}
        with staged_output(out) as staging, ExportSteps(jobs=options.jobs, workdir=staging) as steps:
            export_start = time.perf_counter()
            # Turtle, JSON-LD and the store are made from graph.nt by two other processes; the
            # tables, map and GraphML are written here meanwhile, GraphML by a forked child if the
            # graph is small enough for the child's copy of it.
            graphml_forked = steps.can_fork and graph.number_of_edges() <= FORK_GRAPHML_MAX_EDGES
            if graphml_forked:
                steps.fork("graphml", graphml_step, graph, staging)
            with report.stage("rdf"):
                rdf_counts = write_rdf(graph, staging, base_iri=options.base_iri, run_info=run_info, steps=steps,
                                       previous=out)
            map_counts = _write_graph_files(graph, staging, options, report, graphml=not graphml_forked)
            finished = steps.wait()
            _pause_for_tests("exporting")
            for step in finished.values():  # the step's own seconds; it overlaps the others, "export" is the wall time
                report.seconds.update(step["seconds"])
            # "loaded" afresh, or "updated" from the store of the outputs this build replaces (and how much changed)
            rdf_counts["store"] = {k: v for k, v in finished["store"].items() if k != "seconds"}
            # how many blocks of the previous build's Turtle and JSON-LD were copied rather than written again
            rdf_counts["copied_blocks"] = finished["turtle+jsonld"]["copied_blocks"]
            report.seconds["export"] = round(time.perf_counter() - export_start, 3)
            report.data = {
                "kg_version": __version__,
                **info,
                "ner_model_sha256": ner_model_digest(),
                **_read_report(result),
                "entities": rdf_counts["entities"],
                "entities_by_type": _count_types(graph),
                "mentions": n_mentions,
                "cooccurrence_edges": rdf_counts["cooccurrences"],
                "curation": changes,
                "extraction": {"engine": options.engine, "jobs": options.jobs, "cached": stats.cached,
                               "extracted": stats.extracted},
                "rdf": rdf_counts,
                "map": map_counts,
                "files": [f for f in OUTPUT_FILES if options.html or f != "graph.html"],
            }
            report.seconds["total"] = round(time.perf_counter() - total_start, 3)
            report.data["seconds"] = report.seconds
            report.data["peak_rss_mb"] = report.peak_rss_mb
            write_text_atomic(staging / "report.json", json.dumps(report.data, indent=2, ensure_ascii=False) + "\n")
            _pause_for_tests("publish")
    return report.data


def _write_graph_files(graph, staging: Path, options: BuildOptions, report: BuildReport, *,
                       graphml: bool = True) -> dict | None:
    """The CSV tables, the map and GraphML; the map's counts.  GraphML consumes the graph: it comes last."""
    from kg.export.graphml import write_graphml
    from kg.export.tables import write_tables

    with report.stage("csv"):
        write_tables(graph, staging)
    map_counts = None
    if options.html:
        from kg.view.map import write_map

        with report.stage("html"):
            map_counts = write_map(graph, staging / "graph.html", top=options.map_top,
                                   min_papers=options.map_min_papers)
    if graphml:
        with report.stage("graphml"):
            write_graphml(graph, staging, consume=True)
    return map_counts


def _pause_for_tests(point: str) -> None:
    """Let the fault tests kill a real build at a known point (``KG_TEST_PAUSE=point``).

    The build writes ``KG_TEST_PAUSE_MARKER`` when it gets there, then waits to be killed.
    """
    if os.environ.get("KG_TEST_PAUSE") != point:
        return
    marker = os.environ.get("KG_TEST_PAUSE_MARKER")
    if marker:
        Path(marker).write_text(point)
    time.sleep(float(os.environ.get("KG_TEST_PAUSE_SECONDS", "30")))


def _count_types(graph) -> dict[str, int]:
    counts: dict[str, int] = {}
    for _, data in graph.nodes(data=True):
        if data.get("kind") == "entity":
            counts[data["type"]] = counts.get(data["type"], 0) + 1
    return dict(sorted(counts.items()))
