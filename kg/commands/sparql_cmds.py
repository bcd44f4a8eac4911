"""SPARQL commands: ``kg sparql`` (one query) and ``kg serve`` (a read-only SPARQL endpoint).

Both work on the Oxigraph store ``kg build`` writes into ``<graph>/store``;
see ``kg.query.sparql`` for parameters and formats and ``kg.query.server`` for
the endpoint.
"""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli import graph_option, main
from kg.query.sparql import FORMATS, known_queries, load_query, run_query


def _parse_binds(values: tuple[str, ...]) -> dict[str, str]:
    bindings: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="--bind")
        bindings[name.strip()] = value
    return bindings


@main.command("sparql")
@click.argument("query", required=False)
@graph_option
@click.option("--bind", "binds", multiple=True, metavar="NAME=VALUE",
              help="Give the query parameter NAME (the variable ?NAME) a value; repeatable. "
                   "A value is a string, or an IRI when written <https://…>.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
              help="table, csv or json (SPARQL 1.1 Query Results JSON; JSON-LD for CONSTRUCT).")
@click.option("--list", "list_queries", is_flag=True, help="List the shipped queries and their parameters.")
def sparql_cmd(query: str | None, graph_dir: Path, binds: tuple[str, ...], fmt: str, list_queries: bool) -> None:
    """Run a read-only SPARQL query over the graph's Oxigraph store.

    QUERY is the query text, a .rq file, or the name of a shipped query
    (e.g. top_entities; see --list).  A query file declares its parameters
    and their defaults in its header ("# param entity: LoRA"); --bind
    overrides them, binding the value as an RDF term, never as query text.
    Updates (INSERT, DELETE, LOAD, DROP…) are refused.

    \b
    Examples:
      kg sparql entity_counts
      kg sparql papers_mentioning --bind entity=LoRA --format csv
      kg sparql 'SELECT ?e ?n WHERE { ?e a kg:Method ; kg:paperCount ?n } ORDER BY DESC(?n) LIMIT 5'
    """
    if list_queries:
        for name, path in known_queries().items():
            loaded = load_query(str(path))
            params = ", ".join(f"{k}={v!r}" if v is not None else k for k, v in loaded.params.items())
            click.echo(f"{name:24} {loaded.description}" + (f"  [{params}]" if params else ""))
        return
    if not query:
        raise click.UsageError("give a QUERY (text, .rq file or name), or --list")
    result = run_query(graph_dir, query, bindings=_parse_binds(binds))
    click.echo(result.format(fmt), nl=False)


@main.command("serve")
@graph_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to listen on; keep 127.0.0.1 unless the network is trusted.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="TCP port (0: any free port).")
def serve_cmd(graph_dir: Path, host: str, port: int) -> None:
    """Serve the graph as a read-only SPARQL 1.1 endpoint at http://HOST:PORT/sparql.

    GET ?query=… or POST (form or application/sparql-query); results as
    SPARQL JSON, CSV, TSV or XML, CONSTRUCT results as Turtle, N-Triples or
    JSON-LD, chosen by the Accept header.  Updates get 403.  Ctrl-C stops it.
    """
    from kg.query.server import serve

    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"Warning: listening on {host}: anyone who can reach it can query the graph.", err=True)
    serve(graph_dir, host, port, announce=lambda text: click.echo(text, err=True))
