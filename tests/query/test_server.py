"""``kg serve``: a read-only SPARQL 1.1 Protocol endpoint, queried with SPARQLWrapper and urllib."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from SPARQLWrapper import CSV, JSON, POST, TURTLE, SPARQLWrapper

from kg.query.server import ServerError, make_server

from .conftest import write_test_rdf

SELECT = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX kg: <https://w3id.org/kg/ontology#>
SELECT ?name ?papers WHERE { ?e a kg:Entity ; skos:prefLabel ?name ; kg:paperCount ?papers } ORDER BY ?name"""


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    folder = write_test_rdf(tmp_path_factory.mktemp("serve"))
    server = make_server(folder, "127.0.0.1", 0, quiet=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.folder = folder
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def wrapper(url: str) -> SPARQLWrapper:
    sparql = SPARQLWrapper(url)
    sparql.setTimeout(10)
    return sparql


@pytest.fixture(scope="module")
def url(endpoint) -> str:
    return endpoint.url


def test_select_returns_rows(url):
    endpoint = url
    assert endpoint.startswith("http://127.0.0.1:")
    sparql = wrapper(endpoint)
    sparql.setQuery(SELECT)
    sparql.setReturnFormat(JSON)
    data = sparql.query().convert()
    assert [b["name"]["value"] for b in data["results"]["bindings"]] == ["GSM8K", "LoRA", "large language model"]
    sparql.setMethod(POST)
    assert len(sparql.query().convert()["results"]["bindings"]) == 3


def test_ask_csv_and_construct(url):
    sparql = wrapper(url)
    sparql.setQuery("ASK { ?s a <http://schema.org/ScholarlyArticle> }")
    sparql.setReturnFormat(JSON)
    assert sparql.query().convert()["boolean"] is True
    sparql.setQuery(SELECT)
    sparql.setReturnFormat(CSV)
    assert sparql.query().convert().decode("utf-8").splitlines()[0] == "name,papers"
    sparql.setQuery("CONSTRUCT { ?e ?p ?o } WHERE { ?e a <https://w3id.org/kg/ontology#Dataset> ; ?p ?o }")
    sparql.setReturnFormat(TURTLE)
    turtle = sparql.query().convert()
    turtle = turtle.decode("utf-8") if isinstance(turtle, bytes) else turtle.serialize(format="turtle")
    assert "GSM8K" in turtle


def test_update_is_refused_with_4xx(url):
    sparql = wrapper(url)
    sparql.setMethod(POST)
    sparql.setQuery("INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }")
    with pytest.raises(urllib.error.HTTPError) as caught:
        sparql.query()
    assert 400 <= caught.value.code < 500
    # Nothing was added.
    sparql = wrapper(url)
    sparql.setQuery("ASK { <http://x/a> ?p ?o }")
    sparql.setReturnFormat(JSON)
    assert sparql.query().convert()["boolean"] is False


def request(url: str, *, data: bytes | None = None, headers: dict | None = None, method: str | None = None):
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return response.status, response.headers.get("Content-Type"), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type"), exc.read()


def test_protocol_by_hand(url):
    endpoint = url
    get = endpoint + "?" + urllib.parse.urlencode({"query": SELECT})
    status, ctype, body = request(get, headers={"Accept": "text/csv"})
    assert status == 200 and ctype.startswith("text/csv") and body.startswith(b"name,papers\r\n")
    status, ctype, body = request(get, headers={"Accept": "application/sparql-results+xml"})
    assert status == 200 and b"<literal>GSM8K</literal>" in body
    status, ctype, body = request(get, headers={"Accept": "text/tab-separated-values"})
    assert status == 200 and body.startswith(b"?name\t?papers\n")
    status, ctype, body = request(endpoint, data=SELECT.encode(), headers={"Content-Type": "application/sparql-query"})
    assert status == 200 and ctype.startswith("application/sparql-results+json")
    assert len(json.loads(body)["results"]["bindings"]) == 3
    construct = "CONSTRUCT WHERE { ?s a <https://w3id.org/kg/ontology#Method> }"
    status, ctype, body = request(endpoint + "?" + urllib.parse.urlencode({"query": construct}),
                                  headers={"Accept": "application/n-triples"})
    assert status == 200 and ctype.startswith("application/n-triples") and body.count(b"\n") == 1
    # Updates in every shape are refused; bad queries are 400; other paths 404; PUT 405.
    form = urllib.parse.urlencode({"update": "DROP ALL"}).encode()
    assert request(endpoint, data=form, headers={"Content-Type": "application/x-www-form-urlencoded"})[0] == 403
    assert request(endpoint, data=b"DROP ALL", headers={"Content-Type": "application/sparql-update"})[0] == 403
    assert request(endpoint + "?" + urllib.parse.urlencode({"query": "CLEAR ALL"}))[0] == 403
    assert request(endpoint + "?" + urllib.parse.urlencode({"query": "SELECT ?x WHERE {"}))[0] == 400
    assert request(endpoint + "?" + urllib.parse.urlencode({"query": "entity_counts"}))[0] == 400
    assert request(endpoint.replace("/sparql", "/nothing"))[0] == 404
    assert request(endpoint, data=b"x", method="PUT")[0] == 405


def test_a_taken_port_is_a_clear_error(endpoint):
    port = endpoint.server_address[1]
    with pytest.raises(ServerError, match="cannot listen"):
        make_server(endpoint.folder, "127.0.0.1", port, quiet=True)
