"""``kg ingest``, ``kg extract`` and ``kg build``: from input files to outputs.

spaCy is imported inside the commands that need it, so that the query commands
start fast and never load it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from kg.cli import main

_FORMAT_HELP = "Input format (default: sniffed from the content)."


def _format_choice() -> click.Choice:
    from kg.read import formats

    return click.Choice(formats())


def _inputs(func):
    func = click.argument("inputs", nargs=-1, type=click.Path(path_type=Path))(func)
    func = click.option("--sample", is_flag=True, help="Use the bundled sample corpus (four Daily Papers pages).")(func)
    func = click.option("-f", "--format", "fmt", type=_format_choice(), default=None, help=_FORMAT_HELP)(func)
    func = click.option("--strict", is_flag=True, help="Fail on any skipped record instead of reporting it.")(func)
    return func


def _resolve_inputs(inputs: tuple[Path, ...], sample: bool) -> list[Path]:
    from kg.build import sample_inputs

    paths = list(inputs)
    if sample:
        paths += sample_inputs()
    if not paths:
        raise click.UsageError("give at least one INPUT file, or --sample")
    return paths


def _write_jsonl(lines, out: Path | None) -> None:
    """JSON Lines to stdout, or atomically to a file."""
    if out is None:
        for line in lines:
            click.echo(line)
        return
    from kg.export.files import write_text_atomic

    write_text_atomic(out, "".join(line + "\n" for line in lines))


def _progress_bar(total: int, label: str):
    from tqdm import tqdm

    return tqdm(total=total, desc=label, unit="paper", disable=not sys.stderr.isatty(), leave=False)


@main.command()
@_inputs
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Write JSON Lines here instead of standard output.")
def ingest(inputs, sample, fmt, strict, output):
    """Read and de-duplicate papers; print them as JSON Lines.

    One paper a line: id, title, abstract and the metadata the input has
    (authors, n_authors, date, year, doi, arxiv_id, url, upvotes, source).
    """
    from kg.read import read_papers

    result = read_papers(_resolve_inputs(inputs, sample), fmt=fmt, strict=strict)
    _write_jsonl((json.dumps(p.to_json(), ensure_ascii=False) for p in result.papers), output)
    if result.skipped:
        first = result.skipped[0]
        click.echo(f"{len(result.skipped)} record(s) skipped; first: {first.location()}: {first.reason}", err=True)


@main.command()
@_inputs
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Write JSON Lines here instead of standard output.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="Processes (default: all cores).")
def extract(inputs, sample, fmt, strict, output, jobs):
    """Read papers and print each with its entities, as JSON Lines.

    Each entity has its id, name, type (Method, Model, Dataset, Task, Metric),
    aliases and mentions: field (title or abstract), start and end character
    offsets into that field as 'kg ingest' prints it, and the text.
    """
    from kg.extract.pipeline import default_jobs
    from kg.extract.run import extract_papers
    from kg.read import read_papers

    result = read_papers(_resolve_inputs(inputs, sample), fmt=fmt, strict=strict)
    with _progress_bar(len(result.papers), "extract") as bar:
        extracted, _ = extract_papers(result.papers, jobs=jobs or default_jobs(), progress=bar.update)
    _write_jsonl((json.dumps(item.to_json(), ensure_ascii=False) for item in extracted), output)


@main.command()
@_inputs
@click.option("-o", "--output", "out", type=click.Path(path_type=Path), default=Path("output"), show_default=True,
              help="Output folder.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="Local processes (default: all cores).")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Run extraction in local processes or on a Dask cluster.")
@click.option("--scheduler", default=None, help="Dask scheduler address (default: a local 2-worker cluster).")
@click.option("--curation", type=click.Path(path_type=Path), default=None,
              help="YAML or TOML file of aliases to merge, names to block and type overrides.")
@click.option("--no-cache", is_flag=True, help="Do not reuse or store extraction results.")
@click.option("--no-html", is_flag=True, help="Skip the interactive map.")
@click.option("--base-iri", default=None, help="Base IRI of papers and entities in the RDF.")
@click.option("--map-top", type=click.IntRange(min=1), default=300, show_default=True,
              help="Entities drawn on the map (top by weighted degree).")
@click.option("--map-min-papers", type=click.IntRange(min=1), default=2, show_default=True,
              help="Map edges need at least this many papers in common.")
def build(inputs, sample, fmt, strict, out, jobs, engine, scheduler, curation, no_cache, no_html, base_iri, map_top,
          map_min_papers):
    """Build the knowledge graph of INPUTS into a folder.

    Writes graph.ttl, graph.nt, graph.jsonld (RDF), graph.graphml, graph.html
    (an interactive map), papers.csv, entities.csv and report.json, all moved
    into place together when the build succeeds.
    """
    from kg.build import DEFAULT_BASE_IRI, BuildOptions
    from kg.build import build as run_build
    from kg.extract.pipeline import default_jobs

    paths = _resolve_inputs(inputs, sample)
    options = BuildOptions(fmt=fmt, strict=strict, jobs=jobs or default_jobs(), engine=engine, scheduler=scheduler,
                           cache=not no_cache, html=not no_html, base_iri=base_iri or DEFAULT_BASE_IRI,
                           map_top=map_top, map_min_papers=map_min_papers, curation=curation)
    bar = None

    def progress(stage: str, done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = _progress_bar(total, stage)
        bar.n = done
        bar.refresh()

    try:
        report = run_build(paths, out, options, progress=progress)
    finally:
        if bar is not None:
            bar.close()
    click.echo(f"{report['papers']} papers, {report['entities']} entities, {report['mentions']} mentions "
               f"({len(report['skipped'])} records skipped, {len(report['merged'])} merged) "
               f"in {report['seconds']['total']:.1f} s")
    if report.get("curation"):
        done = report["curation"]
        click.echo(f"Curation: {len(done['blocked'])} blocked, {len(done['merged'])} merged, "
                   f"{len(done['retyped'])} retyped, {len(done['aliases_added'])} aliases added")
    click.echo(f"Wrote {', '.join(report['files'])} to {out}/")
