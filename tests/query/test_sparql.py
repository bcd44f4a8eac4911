"""SPARQL library and ``kg sparql``: shipped queries, parameters bound as terms, updates refused, formats."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.errors import GraphNotFoundError, QueryError
from kg.graph.build import build_graph
from kg.query.cooccur import cooccurring
from kg.query.sparql import bind, header, known_queries, load_query, query_form, run_query

from .conftest import papers, write_test_rdf

UPDATES = [
    "INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
    "PREFIX ex: <http://x/> WITH ex:g DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "LOAD <http://example.org/data.ttl>",
    "CLEAR ALL", "clear default", "DROP ALL", "DROP GRAPH <http://x/g>", "CREATE GRAPH <http://x/g>",
    "ADD DEFAULT TO <http://x/g>", "MOVE DEFAULT TO <http://x/g>", "COPY DEFAULT TO <http://x/g>",
    "# a comment first\nPREFIX select: <http://x/>\ninsert data { select:a select:b select:c }",
]


@pytest.fixture(scope="module")
def graph_dir(tmp_path_factory) -> Path:
    return write_test_rdf(tmp_path_factory.mktemp("sparql"))


def triple_count(graph_dir: Path) -> int:
    return len(list(ox.Store.read_only(str(graph_dir / "store"))))


# --- shipped queries -------------------------------------------------------------------

def test_at_least_ten_shipped_queries_with_a_description():
    queries = known_queries()
    assert len(queries) >= 10
    for name, path in queries.items():
        loaded = load_query(name)
        assert loaded.description, name
        assert path.read_text(encoding="utf-8").startswith("#"), name


@pytest.mark.parametrize("name", sorted(known_queries()))
def test_every_shipped_query_parses_and_runs(graph_dir, name):
    result = run_query(graph_dir, name)
    assert result.kind in ("select", "ask", "graph")
    for fmt in ("table", "csv", "json"):
        assert result.format(fmt)


@pytest.mark.parametrize("name", ["entity_counts", "top_entities", "papers_mentioning", "cooccurring",
                                  "datasets_for_method", "neighbourhood", "acronyms", "mentions_of",
                                  "similar_papers", "dataset_description", "entity_card"])
def test_shipped_queries_return_rows_on_the_small_graph(graph_dir, name):
    bindings = {"papers_mentioning": {"entity": "LLM"}, "cooccurring": {"entity": "LoRA"},
                "datasets_for_method": {"method": "LoRA"}, "entity_card": {"entity": "gsm8k"},
                "neighbourhood": {"entity": "LoRA"}}.get(name)
    assert len(run_query(graph_dir, name, bindings=bindings)) > 0


def test_papers_mentioning_matches_aliases_and_plurals_case_insensitively(graph_dir):
    for value in ("LLM", "llms", "Large Language Models", "large language model"):
        rows = run_query(graph_dir, "papers_mentioning", bindings={"entity": value}).records()
        assert {r["paper"].rsplit("/", 1)[1] for r in rows} == {"arxiv:2401.00001",
                                                               "doi:10.1%2Fabc%20%22x%22%20%7By%7D"}
    rows = run_query(graph_dir, "mentions_of", bindings={"entity": "lora"}).records()
    assert {(r["field"], r["start"], r["end"], r["exact"]) for r in rows} == {
        ("title", "0", "4", "LoRA"), ("abstract", "23", "27", "LoRA"), ("title", "24", "28", "LoRA")}


def test_query_file_path_and_text(graph_dir, tmp_path):
    path = tmp_path / "mine.rq"
    path.write_text("# Papers.\n# param t: Question answering with LoRA\n"
                    "PREFIX dcterms: <http://purl.org/dc/terms/>\n"
                    "SELECT ?p WHERE { ?p dcterms:title ?t }\n", encoding="utf-8")
    assert len(run_query(graph_dir, str(path))) == 1
    assert len(run_query(graph_dir, str(path), bindings={"t": "nothing"})) == 0
    assert run_query(graph_dir, "ASK { ?s a schema:ScholarlyArticle }").boolean is True
    with pytest.raises(QueryError, match="known queries: .*top_entities"):
        run_query(graph_dir, "no_such_query")
    with pytest.raises(QueryError, match="invalid SPARQL"):
        run_query(graph_dir, "SELECT ?x WHERE { ?x ")
    with pytest.raises(GraphNotFoundError):
        run_query(tmp_path / "nowhere", "entity_counts")


def test_header_declares_defaults():
    assert header("# What it does.\n#param a: 1\n# param b:\n\nSELECT ?a ?b {}") == ("What it does.",
                                                                                  {"a": "1", "b": None})


# --- parameters are terms, never text ---------------------------------------------------

INJECTIONS = [
    'LoRA" } } ; DROP ALL ; SELECT * { { "',
    "LoRA' } UNION { ?e ?p ?o } #",
    '"} UNION {?s ?p ?o} FILTER("1"="1',
    "\\u0022 } ; DROP ALL #",
    "<http://x> } ; CLEAR ALL",
    "\n}\nCONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o ",
]


@pytest.mark.parametrize("value", INJECTIONS)
def test_a_value_full_of_quotes_and_braces_is_just_a_string(graph_dir, value):
    before = triple_count(graph_dir)
    for name in ("papers_mentioning", "cooccurring", "mentions_of"):
        result = run_query(graph_dir, name, bindings={"entity": value})
        assert result.kind == "select" and len(result) == 0
    echoed = run_query(graph_dir, "SELECT ?v WHERE { }", bindings={"v": value})
    assert [row[0].value for row in echoed.rows] == [value]
    assert triple_count(graph_dir) == before


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_any_bound_text_comes_back_unchanged(text):
    store = ox.Store()
    query = bind("SELECT ?v ?w WHERE { BIND(STRLEN(?v) AS ?w) }", {"v": text})
    rows = list(store.query(query))
    assert len(rows) == 1 and rows[0]["v"].value == text


def test_iri_values_and_bad_parameter_names(graph_dir):
    iri = "<https://w3id.org/kg/entity/method:lora>"
    rows = run_query(graph_dir, "SELECT ?n WHERE { ?e <http://www.w3.org/2004/02/skos/core#prefLabel> ?n }",
                     bindings={"e": iri}).records()
    assert rows == [{"n": "LoRA"}]
    with pytest.raises(QueryError, match="no variable"):
        run_query(graph_dir, "entity_counts", bindings={"nope": "x"})
    with pytest.raises(QueryError, match="invalid parameter name"):
        bind("SELECT ?x WHERE { }", {"x y": "1"})


def test_values_go_into_the_where_group_not_a_template_or_expression():
    text = 'CONSTRUCT { ?s ?p "{" } WHERE { ?s ?p ?o FILTER(?o = ?x) }'
    assert 'WHERE {\n  VALUES ?x { "1" }' in bind(text, {"x": "1"})
    text = 'SELECT (EXISTS { ?a ?b ?c } AS ?e) ?x # {\nWHERE { ?x ?y ?z }'
    bound = bind(text, {"x": "1"})
    assert bound.index("VALUES") > bound.index("WHERE")
    with pytest.raises(QueryError, match="short"):
        bind("CONSTRUCT WHERE { ?x ?p ?o }", {"x": "1"})


# --- updates are refused ------------------------------------------------------------------

@pytest.mark.parametrize("update", UPDATES)
def test_updates_are_refused(graph_dir, update):
    before = triple_count(graph_dir)
    with pytest.raises(QueryError, match="not allowed"):
        run_query(graph_dir, update)
    assert triple_count(graph_dir) == before


def test_keywords_inside_strings_iris_and_comments_are_not_updates(graph_dir):
    query = ('PREFIX drop: <http://x/insert#>\n# DELETE everything? no.\n'
             'SELECT ("INSERT DATA {}" AS ?x) (drop:clear AS ?y) WHERE { }')
    assert query_form(query) == "SELECT"
    assert run_query(graph_dir, query).records() == [{"x": "INSERT DATA {}", "y": "http://x/insert#clear"}]


# --- the command ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cli():
    from kg.cli import main

    runner = CliRunner()
    return lambda *args: runner.invoke(main, list(args))


def test_kg_sparql_formats(cli, graph_dir):
    table = cli("sparql", "entity_counts", "--graph", str(graph_dir))
    assert table.exit_code == 0, table.output
    assert table.output.splitlines()[0].split() == ["type", "entities", "paperLinks"]
    assert "(3 rows)" in table.output

    out = cli("sparql", "papers_mentioning", "--graph", str(graph_dir), "--bind", "entity=LoRA", "--format", "csv")
    assert out.exit_code == 0, out.output
    rows = list(csv.DictReader(io.StringIO(out.output)))
    assert [r["title"] for r in rows] == ["LoRA for large language models", "Question answering with LoRA"]

    out = cli("sparql", "top_entities", "--graph", str(graph_dir), "--bind", "type=dataset", "--format", "json")
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["head"]["vars"] == ["entity", "name", "papers", "aliases"]
    (row,) = data["results"]["bindings"]
    assert row["name"] == {"type": "literal", "value": "GSM8K"}
    assert row["papers"]["datatype"] == "http://www.w3.org/2001/XMLSchema#integer"

    out = cli("sparql", "ASK { ?s a kg:CoOccurrence }", "--graph", str(graph_dir), "--format", "json")
    assert json.loads(out.output) == {"head": {}, "boolean": True}

    out = cli("sparql", "entity_card", "--graph", str(graph_dir), "--bind", "entity=LoRA")
    assert out.exit_code == 0 and "skos:prefLabel \"LoRA\"" in out.output
    out = cli("sparql", "entity_card", "--graph", str(graph_dir), "--bind", "entity=LoRA", "--format", "json")
    assert any(node["@id"].endswith("entity/method:lora") for node in json.loads(out.output))


def test_kg_sparql_errors_and_list(cli, graph_dir):
    out = cli("sparql", "DROP ALL", "--graph", str(graph_dir))
    assert out.exit_code == 1 and "Error:" in out.output and "not allowed" in out.output
    out = cli("sparql", "entity_counts", "--graph", str(graph_dir / "missing"))
    assert out.exit_code == 1 and "Error:" in out.output
    out = cli("sparql", "papers_mentioning", "--graph", str(graph_dir), "--bind", "no-equals-sign")
    assert out.exit_code == 2
    out = cli("sparql", "--list")
    assert out.exit_code == 0 and "papers_mentioning" in out.output and "entity='large language model'" in out.output
    assert cli("sparql", "--help").exit_code == 0 and cli("serve", "--help").exit_code == 0


# --- entities resolved before the query ------------------------------------------------

_BY_FILTER = """# param entity:
PREFIX kg: <https://w3id.org/kg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?e ?other WHERE {
  ?e a kg:Entity ;
     skos:prefLabel|skos:altLabel ?label .
  BIND(LCASE(STR(?label)) AS ?l)
  BIND(LCASE(STR(?entity)) AS ?q)
  FILTER(?l = ?q || ?l = CONCAT(?q, "s") || CONCAT(?l, "s") = ?q)
  ?e kg:cooccursWith ?other .
} ORDER BY ?e ?other"""
_RESOLVED = """# param entity:
# resolve entity: e
PREFIX kg: <https://w3id.org/kg/ontology#>
SELECT DISTINCT ?e ?other WHERE { ?e a kg:Entity ; kg:cooccursWith ?other . } ORDER BY ?e ?other"""


@pytest.mark.parametrize("name", ["LoRA", "lora", "LLMs", "large language models", "Large Language Model",
                                  "gsm8k", "no such entity", 'x" } ?e ?p ?o . { "'])
def test_a_resolved_entity_gives_what_the_label_filter_gives(graph_dir, name):
    """``# resolve entity: e`` finds the entities first (Oxigraph runs a label FILTER last): same answers."""
    by_filter = run_query(graph_dir, _BY_FILTER, bindings={"entity": name}).records()
    resolved = run_query(graph_dir, _RESOLVED, bindings={"entity": name}).records()
    assert resolved == by_filter
    if name in ("LoRA", "lora", "LLMs"):
        assert resolved  # the comparison is not between two empty answers


def test_a_resolved_parameter_takes_an_iri_and_gives_way_to_an_explicit_binding(graph_dir):
    lora = run_query(graph_dir, _RESOLVED, bindings={"entity": "LoRA"}).records()
    iri = lora[0]["e"]
    assert run_query(graph_dir, _RESOLVED, bindings={"entity": f"<{iri}>"}).records() == lora
    assert run_query(graph_dir, _RESOLVED, bindings={"entity": "no such entity", "e": f"<{iri}>"}).records() == lora
    assert run_query(graph_dir, _RESOLVED).records() != []  # no name given: ?e stays free


# --- co-occurrence scores, computed by the query from the counts in the dump ---------------

@pytest.mark.parametrize("name", ["LoRA", "LLM", "GSM8K"])
def test_cooccurring_scores_are_those_of_kg_cooccur(graph_dir, name):
    graph = build_graph(papers(), min_cooccur=1)
    rows = {row["name"]: row for row in run_query(graph_dir, "cooccurring", bindings={"entity": name}).records()}
    assert rows
    for measure in ("npmi", "jaccard", "association"):
        expected = {r["name"]: r["score"] for r in cooccurring(graph, name, measure=measure)["results"]}
        assert {other: float(row[measure]) for other, row in rows.items()} == pytest.approx(expected, rel=1e-5)
    expected = {r["name"]: r["papers"] for r in cooccurring(graph, name, measure="count")["results"]}
    assert {other: int(row["common"]) for other, row in rows.items()} == expected


@pytest.mark.parametrize("args, value", [
    ("1, 2, 2, 3", -0.26186), ("3, 3, 3, 3", 1.0),
    ('"1", 2, 2, 3', None), ("1.5, 2, 2, 3", None), ("<http://x/1>, 2, 2, 3", None),
    ("0, 2, 2, 3", None), ("3, 2, 2, 3", None), ("1, 2, 5, 3", None), ('"x"^^xsd:integer, 2, 2, 3', None),
])
def test_the_npmi_function_is_unbound_for_counts_that_cannot_be(graph_dir, args, value):
    (row,) = run_query(graph_dir, f"SELECT ?v WHERE {{ BIND(kg:npmi({args}) AS ?v) }}").records()
    assert (float(row["v"]) if "v" in row else None) == value


def test_acronyms_pairs_a_short_label_with_its_expansion_not_with_a_longer_name_it_opens(tmp_path):
    store = ox.Store(str(tmp_path / "store"))
    store.load(b"""@prefix kg: <https://w3id.org/kg/ontology#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        <http://x/lora> a kg:Method ; kg:paperCount 2 ; skos:prefLabel "Low-Rank Adaptation" ; skos:altLabel "LoRA" .
        <http://x/gpt> a kg:Model ; kg:paperCount 3 ; skos:prefLabel "GPT" ; skos:altLabel "GPT models" .
        <http://x/ft> a kg:Method ; kg:paperCount 4 ; skos:prefLabel "fine-tuning" ;
            skos:altLabel "Fine-Tuning" , "Fine-Tuning Framework" , "finetuning method" .""", ox.RdfFormat.TURTLE)
    store.flush()
    del store
    rows = run_query(tmp_path, "acronyms").records()
    assert [(r["acronym"], r["longForm"]) for r in rows] == [("LoRA", "Low-Rank Adaptation")]
