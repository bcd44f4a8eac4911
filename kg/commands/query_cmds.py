"""Query commands: ``kg cooccur``, ``kg neighbours``, ``kg top``, ``kg communities``, ``kg trends``.

Each loads the graph once, calls one function of ``kg.query.graph_queries`` and
prints its answer as an aligned table, or as JSON with ``--json``.  Nothing
here imports spaCy: a query starts fast.
"""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli import echo_json, graph_option, main
from kg.graph.io import load_graph
from kg.query.cooccur import MEASURE_NAMES
from kg.query.graph_queries import (MEASURES, RANKINGS, communities, cooccurring, neighbourhood, top_entities,
                                    trends)
from kg.records import ENTITY_TYPES

NAME_WIDTH = 60  # longer names and titles are cut in tables (never in JSON)
BAR_WIDTH = 40

type_option = click.option("--type", "entity_type", type=click.Choice(ENTITY_TYPES, case_sensitive=False),
                           default=None, help="Keep entities of this type only.")
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")


def choice_option(flag: str, choices, default: str, help: str):
    """An option taking one of ``choices`` (its default shown in ``--help``)."""
    return click.option(flag, type=click.Choice(choices), default=default, show_default=True, help=help)


def top_option(default: int = 20):
    return click.option("--top", type=click.IntRange(min=0), default=default, show_default=True,
                        help="How many results to show (0 for all).")


def _cut(text, width: int = NAME_WIDTH) -> str:
    text = " ".join(str(text if text is not None else "").split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _table(headers: list[str], rows: list[list], align: str) -> str:
    """Columns padded to their widest cell; ``align`` holds ``l`` or ``r`` per column."""
    cells = [[str(c) for c in headers]] + [["" if c is None else str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for row in cells:
        parts = [c.rjust(w) if a == "r" else c.ljust(w) for c, w, a in zip(row, widths, align)]
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


def _score(value, measure: str) -> str:
    return str(int(value)) if measure in ("count", "papers", "degree") else f"{value:.4g}"


def _label(entity: dict) -> str:
    return f"{entity['name']} ({entity['type']})"


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else plural or word + 's'}"


@main.command("cooccur")
@click.argument("entity")
@graph_option
@type_option
@choice_option("--measure", MEASURES, "association",
               "count: papers in common; association: c/(s_i·s_j) (van Eck & Waltman 2009); "
               "jaccard; npmi: normalised pointwise mutual information.")
@click.option("--min-papers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Keep entities sharing at least this many papers.")
@top_option()
@json_option
def cooccur_cmd(entity, graph_dir: Path, entity_type, measure, min_papers, top, as_json) -> None:
    """Entities that appear in the same papers as ENTITY (a name, alias or id)."""
    graph = load_graph(graph_dir)
    answer = cooccurring(graph, entity, type=entity_type, measure=measure, min_papers=min_papers, top=top or None)
    if as_json:
        echo_json(answer)
        return
    centre = answer["entity"]
    n_papers = int(graph.nodes[centre["id"]].get("papers", 0))
    click.echo(f"Co-occurring with {_label(centre)}, {_plural(n_papers, 'paper')}; "
               f"by {MEASURE_NAMES[measure]}")
    if not answer["results"]:
        click.echo(f"No {entity_type or 'entity'} shares at least {_plural(min_papers, 'paper')} with it.")
        return
    rows = [[i, _cut(r["name"]), r["type"], r["papers"], _score(r["score"], measure)]
            for i, r in enumerate(answer["results"], 1)]
    click.echo(_table(["#", "entity", "type", "papers", measure], rows, "rllrr"))


@main.command("neighbours")
@click.argument("entity")
@graph_option
@click.option("--hops", type=click.IntRange(min=1), default=2, show_default=True,
              help="Steps along paper–entity edges: 1 = its papers, 2 = their entities, …")
@type_option
@json_option
@click.option("--html", "html_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write an interactive map of the neighbourhood to this HTML file.")
def neighbours_cmd(entity, graph_dir: Path, hops, entity_type, as_json, html_path) -> None:
    """The papers mentioning ENTITY, the entities of those papers, and so on."""
    graph = load_graph(graph_dir)
    answer = neighbourhood(graph, entity, hops=hops, type=entity_type)
    if as_json:
        echo_json(answer)
    else:
        centre = answer["entity"]
        kinds = [n["kind"] for n in answer["nodes"][1:]]
        click.echo(f"Neighbourhood of {_label(centre)} within {_plural(hops, 'hop')}: "
                   f"{_plural(kinds.count('paper'), 'paper')}, {_plural(kinds.count('entity'), 'entity', 'entities')}, "
                   f"{_plural(len(answer['edges']), 'mention')}")
        rows = [[n["hops"], n["kind"], n["type"] or "", _cut(n["name"]), n["id"]] for n in answer["nodes"]]
        click.echo(_table(["hops", "kind", "type", "name", "id"], rows, "rllll"))
    if html_path is not None:
        from kg.view.map import write_ego_map  # lazy: the map brings its own dependencies

        write_ego_map(graph, answer["entity"]["id"], html_path, hops=hops)
        click.echo(f"Wrote {html_path}", err=True)


@main.command("top")
@graph_option
@type_option
@choice_option("--by", RANKINGS, "papers",
               "papers: papers mentioning it; degree: entities sharing a paper with it; "
               "pagerank: PageRank on the co-occurrence network.")
@top_option()
@json_option
def top_cmd(graph_dir: Path, entity_type, by, top, as_json) -> None:
    """The most frequent or most central entities."""
    graph = load_graph(graph_dir)
    answer = top_entities(graph, type=entity_type, by=by, top=top or None)
    if as_json:
        echo_json(answer)
        return
    click.echo(f"Top {entity_type + ' entities' if entity_type else 'entities'} by {by}")
    if by == "papers":
        rows = [[i, _cut(r["name"]), r["type"], r["papers"]] for i, r in enumerate(answer["results"], 1)]
        click.echo(_table(["#", "entity", "type", "papers"], rows, "rllr"))
    else:
        rows = [[i, _cut(r["name"]), r["type"], r["papers"], _score(r["score"], by)]
                for i, r in enumerate(answer["results"], 1)]
        click.echo(_table(["#", "entity", "type", "papers", by], rows, "rllrr"))


@main.command("communities")
@graph_option
@click.option("--resolution", type=click.FloatRange(min=0, min_open=True), default=1.0, show_default=True,
              help="Louvain resolution: above 1 gives more, smaller communities.")
@json_option
def communities_cmd(graph_dir: Path, resolution, as_json) -> None:
    """Groups of entities that appear in the same papers (Louvain)."""
    graph = load_graph(graph_dir)
    answer = communities(graph, resolution=resolution)
    if as_json:
        echo_json(answer)
        return
    found = answer["communities"]
    click.echo(f"{_plural(len(found), 'community', 'communities')} "
               f"(resolution {resolution:g}, modularity {answer['modularity']:.3f})")
    rows = [[c["id"], c["size"], _cut(c["label"], 2 * NAME_WIDTH)] for c in found]
    click.echo(_table(["#", "size", "top entities by papers"], rows, "rrl"))


def _bar(count: int, largest: int) -> str:
    if count == 0 or largest == 0:
        return ""
    return "#" * max(1, round(BAR_WIDTH * count / largest))


@main.command("trends")
@click.argument("entity")
@graph_option
@json_option
def trends_cmd(entity, graph_dir: Path, as_json) -> None:
    """Papers mentioning ENTITY per month (per year where only the year is known)."""
    graph = load_graph(graph_dir)
    answer = trends(graph, entity)
    if as_json:
        echo_json(answer)
        return
    click.echo(f"{_label(answer['entity'])}: {_plural(answer['papers'], 'paper')}")
    largest = max([m["papers"] for m in answer["months"]] + [y["papers"] for y in answer["year_only"]] + [0])
    rows = [[m["month"], m["papers"], _bar(m["papers"], largest)] for m in answer["months"]]
    if answer["year_only"]:
        rows.append(["year only", "", ""])
        rows += [[y["year"], y["papers"], _bar(y["papers"], largest)] for y in answer["year_only"]]
    rows.append(["undated", answer["undated"], ""])
    click.echo(_table(["month", "papers", ""], rows, "lrl"))
