"""SPARQL over the graph's Oxigraph store: named queries, safe parameters, result formats.

``run_query(graph_dir, query, bindings=…)`` opens ``<graph_dir>/store`` read-only
and runs one SELECT, ASK, CONSTRUCT or DESCRIBE query.  ``query`` is the query
text, the path of a ``.rq`` file, or the name of a shipped query
(``top_entities`` → ``queries/top_entities.rq``; ``kg sparql --list`` lists them).

Updates (INSERT, DELETE, LOAD, CLEAR, DROP, CREATE, ADD, MOVE, COPY) are refused
with ``QueryError``; they could not run anyway: the store is opened read-only and
only Oxigraph's query parser sees the text.

Parameters.  A query file declares its parameters in its leading comments, one a
line, with a default value or none::

    # param entity: large language model
    # param paper:

A value is bound to the variable of the same name (``?entity``) as an RDF term,
never spliced into the text: a ``VALUES ?entity { "…" }`` block, the term
written by Oxigraph's serialiser, is put at the start of the query's top-level
WHERE group, so a value full of quotes and braces is one string literal that
matches nothing.  A value is a plain string literal, or an IRI when written
``<https://…>``; queries compare strings with ``LCASE(STR(?x))`` and cast numbers
with ``xsd:integer(?x)``.  Being in the top-level group, a parameter is not seen
inside sub-queries (SPARQL evaluates them first): use it at the top level.
Declared parameters without a value and not bound stay unbound.

Entities by name.  ``# resolve entity: e`` in the header says that the value of
``?entity`` names entities (prefLabel or altLabel, any case, a final "s"
ignored; an IRI names itself): they are looked up first, on their own, and
bound to ``?e`` as a ``VALUES`` block of IRIs, in place of ``?entity``; a value
given for ``?e`` itself wins.  Oxigraph evaluates a label ``FILTER`` after the
rest of a query's pattern, so a query doing the lookup itself took 15 s to
minutes on 10,000 papers where the same query from the IRIs takes about a second.

Functions.  ``kg:npmi(?common, ?count1, ?count2, ?papers)`` gives the NPMI of two
entities from the papers they share, their paper counts and the number of papers
(the dump stores counts, not scores: see ``queries/cooccurring.rq``).  SPARQL has no
logarithm to compute it with; another engine leaves the variable unbound.

Results: ``SparqlResult`` with ``to_table()``, ``to_csv()``, ``to_tsv()``,
``to_json()`` (SPARQL 1.1 Query Results JSON), ``to_xml()``; CONSTRUCT and
DESCRIBE results give triples, written as Turtle (table), CSV of N-Triples terms,
or JSON-LD.  The queries may use the ``PREFIXES`` of ``kg.export.rdf`` without
declaring them.

This module opens the store and runs the query; reading the query text (files,
headers, the read-only check, binding) is in ``kg.query.sparql_text`` and the
result formats in ``kg.query.sparql_results``; their public names are
imported here too.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from kg.errors import GraphNotFoundError, QueryError
from kg.export.rdf import DEFAULT_BASE_IRI, KG, PREFIXES, STORE, VOID, XSD, all_prefixes
# Imported for callers of kg.query.sparql (the server, the CLI, tests) as well as for use here.
from kg.query.sparql_results import CELL_WIDTH, FORMATS, SparqlResult
from kg.query.sparql_text import (QUERY_FORMS, UPDATE_FORMS, QueryText, bind, check_read_only, header,
                                  known_queries, load_query, query_dirs, query_form, query_text, term)


def store_path(graph_dir: str | Path) -> Path:
    return Path(graph_dir) / STORE


def open_store(graph_dir: str | Path) -> ox.Store:
    """The graph's Oxigraph store, read-only; ``GraphNotFoundError`` when there is none."""
    path = store_path(graph_dir)
    if not path.is_dir():
        raise GraphNotFoundError(f"no SPARQL store in {graph_dir} (expected {path}); run 'kg build' first")
    try:
        return ox.Store.read_only(str(path))
    except OSError as exc:
        raise GraphNotFoundError(f"cannot open the SPARQL store {path}: {exc}") from None


def data_prefixes(store: ox.Store) -> dict[str, str]:
    """Vocabulary prefixes plus the data prefixes of the base IRI recorded in the store (``void:uriSpace``)."""
    base = DEFAULT_BASE_IRI
    try:
        for row in store.query(f"SELECT ?base WHERE {{ ?d <{VOID}uriSpace> ?base }} LIMIT 1"):
            base = row["base"].value
    except (OSError, SyntaxError, RuntimeError):
        pass
    return all_prefixes(base)


def npmi_function(common, count1, count2, papers) -> ox.Literal | None:
    """``kg:npmi``: the NPMI of a pair from its counts, as ``xsd:double``; unbound (``None``) for bad input.

    The same figure as ``kg cooccur --measure npmi`` (``kg.graph.cooccurrence.score``).
    """
    from kg.graph.cooccurrence import score  # scipy: loaded only by a query that calls the function

    terms = (common, count1, count2, papers)
    if not all(isinstance(t, ox.Literal) and t.datatype.value in _INTEGER_TYPES for t in terms):
        return None
    try:
        c, a, b, n = (int(t.value) for t in terms)
    except ValueError:  # an ill-formed literal: "x"^^xsd:integer
        return None
    if not (0 < c <= min(a, b) and max(a, b) <= n):
        return None
    return ox.Literal(repr(score("npmi", c, a, b, n)), datatype=ox.NamedNode(XSD + "double"))


_INTEGER_TYPES = frozenset(XSD + name for name in ("integer", "int", "long", "short", "nonNegativeInteger",
                                                    "positiveInteger", "unsignedInt", "unsignedLong"))
FUNCTIONS = {ox.NamedNode(KG + "npmi"): npmi_function}


_ENTITY_LOOKUP = """SELECT DISTINCT ?e WHERE {
  ?e a kg:Entity ;
     skos:prefLabel|skos:altLabel ?label .
  BIND(LCASE(STR(?label)) AS ?l)
  BIND(LCASE(STR(?name)) AS ?q)
  FILTER(?l = ?q || ?l = CONCAT(?q, "s") || CONCAT(?l, "s") = ?q)
} ORDER BY ?e"""


def entity_iris(store: ox.Store, name, *, prefixes: dict[str, str] | None = None) -> list[ox.NamedNode]:
    """The entities a name stands for: prefLabel or altLabel, any case, a final "s" ignored; an IRI is itself.

    A query declaring ``# resolve entity: e`` gets these bound to ``?e`` before
    it runs: Oxigraph joins a label ``FILTER`` after the rest of a query's
    pattern rather than first (the ``cooccurring`` query took 15 s on 10,000
    papers that way, 0.5 s from the entity's IRI), so the lookup runs alone.
    """
    value = term(name)
    if isinstance(value, ox.NamedNode):
        return [value]
    answer = store.query(bind(_ENTITY_LOOKUP, {"name": name}), prefixes=dict(prefixes or PREFIXES))
    return [row["e"] for row in answer]


def execute(store: ox.Store, query: QueryText | str, bindings: dict | None = None, *,
            prefixes: dict[str, str] | None = None) -> SparqlResult:
    """Run one query on an open store, with the file's default parameters under ``bindings``."""
    if isinstance(query, str):
        query = query_text(query, "<text>")
    values = {name: value for name, value in query.params.items() if value is not None}
    values.update(bindings or {})
    check_read_only(query.text)
    for param, variable in query.resolve.items():
        name = values.pop(param, None)
        if name is not None and variable not in (bindings or {}):
            values[variable] = entity_iris(store, name, prefixes=prefixes)
    text = bind(query.text, values)
    try:
        answer = store.query(text, prefixes=dict(prefixes or PREFIXES), custom_functions=FUNCTIONS)
    except SyntaxError as exc:
        raise QueryError(f"invalid SPARQL query ({query.source}): {exc}") from None
    except (OSError, RuntimeError, ValueError) as exc:
        raise QueryError(f"query failed ({query.source}): {exc}") from None
    result_prefixes = prefixes if prefixes is not None else dict(PREFIXES)
    try:
        if isinstance(answer, ox.QueryBoolean):
            return SparqlResult(kind="ask", boolean=bool(answer), prefixes=result_prefixes)
        if isinstance(answer, ox.QuerySolutions):
            variables = [v.value for v in answer.variables]
            rows = [tuple(solution[v] for v in variables) for solution in answer]
            return SparqlResult(kind="select", variables=variables, rows=rows, prefixes=result_prefixes)
        return SparqlResult(kind="graph", triples=list(answer), prefixes=result_prefixes)
    except (OSError, RuntimeError, ValueError) as exc:
        raise QueryError(f"query failed ({query.source}): {exc}") from None


def run_query(graph_dir: str | Path, query: str, *, bindings: dict[str, str] | None = None) -> SparqlResult:
    """Run a query (text, ``.rq`` path or shipped name) over ``<graph_dir>/store``.

    ``bindings`` map parameter names to values (see the module docstring);
    they override the defaults the query file declares.
    """
    loaded = load_query(query)
    check_read_only(loaded.text)
    store = open_store(graph_dir)
    try:
        return execute(store, loaded, bindings, prefixes=data_prefixes(store))
    finally:
        del store


__all__ = ["run_query", "execute", "open_store", "load_query", "known_queries", "SparqlResult", "QueryText",
           "bind", "term", "query_text", "check_read_only", "query_form", "FORMATS"]

