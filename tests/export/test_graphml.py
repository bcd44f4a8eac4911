"""GraphML: kg's writer gives networkx's bytes, and hands to networkx what it does not handle itself."""

from __future__ import annotations

import io

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.export import graphml
from kg.export.graphml import graphml_chunks, write_graphml
from kg.graph.io import encode_for_graphml


def _networkx_bytes(graph: nx.Graph) -> bytes:
    buffer = io.BytesIO()
    nx.write_graphml(graph, buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue()


def _kg_bytes(graph: nx.Graph) -> bytes:
    return "".join(graphml_chunks(graph)).encode("utf-8")


# Text with what XML escapes (& < > " and line ends) and what it cannot hold (most control characters).
_XML = list("aZ é&<>\"'\t\n\r\U0001f600")
texts = st.text(alphabet=st.sampled_from(_XML * 40 + ["\x00", "\x0b", "\ufffe", "\ud800"]), max_size=8)
values = st.one_of(texts, st.integers(-10**20, 10**20), st.floats(allow_nan=True), st.booleans())
attributes = st.dictionaries(st.sampled_from(["kind", "name", "papers", "score", "a&b", 'q"']), values, max_size=4)


@st.composite
def graphs(draw) -> nx.Graph:
    graph = nx.Graph()
    graph.graph.update(draw(st.dictionaries(st.sampled_from(["name", "kind"]), values, max_size=2)))
    for node in draw(st.lists(st.one_of(texts, st.integers(0, 50)), max_size=6, unique=True)):
        graph.add_node(node, **draw(attributes))
    nodes = list(graph)
    for _ in range(draw(st.integers(0, 8)) if nodes else 0):
        graph.add_edge(draw(st.sampled_from(nodes)), draw(st.sampled_from(nodes)), **draw(attributes))
    return graph


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs())
def test_the_same_bytes_as_networkx_or_networkx_itself(graph):
    try:
        expected = _networkx_bytes(graph)
    except ValueError:  # text XML cannot hold: lxml refuses it, and so must kg's writer
        with pytest.raises(graphml._Unsupported):
            _kg_bytes(graph)
        return
    try:
        ours = _kg_bytes(graph)
    except graphml._Unsupported:
        return  # written by networkx, as above
    assert ours == expected


def test_kg_writes_a_plain_graph_itself_and_it_reads_back(tmp_path, monkeypatch):
    graph = nx.Graph(name="kg")
    graph.add_node("p1", kind="paper", title='Fish & "Chips" <at> sea\r\n')
    graph.add_node("method:lora", kind="entity", papers=2, aliases=["LoRA", "low-rank adaptation"])
    graph.add_node("isolated")
    graph.add_edge("p1", "method:lora", kind="mentions", count=1, npmi=0.25, kept=True)
    expected = _networkx_bytes(encode_for_graphml(graph))

    def refuse(*args, **kwargs):
        raise AssertionError("networkx's writer was used")

    monkeypatch.setattr(graphml.nx, "write_graphml", refuse)
    path = write_graphml(graph, tmp_path)
    assert path.read_bytes() == expected
    back = nx.read_graphml(path)
    assert back.nodes["p1"]["title"] == 'Fish & "Chips" <at> sea\r\n'
    assert back.nodes["method:lora"]["aliases"] == '["LoRA", "low-rank adaptation"]'
    assert back.edges["p1", "method:lora"] == {"kind": "mentions", "count": 1, "npmi": 0.25, "kept": True}
    assert graph.nodes["method:lora"]["aliases"] == ["LoRA", "low-rank adaptation"]  # not consumed


def test_what_kg_does_not_write_networkx_does(tmp_path):
    graph = nx.Graph()
    graph.add_node("a", label="x\x0by")
    with pytest.raises(ValueError):  # lxml refuses a vertical tab; the build fails rather than write bad XML
        write_graphml(graph, tmp_path)
    assert not (tmp_path / "graph.graphml").exists()
    graph.nodes["a"]["label"] = "xy"
    graph.graph["id"] = "g1"  # a graph id: networkx's writer
    path = write_graphml(graph, tmp_path)
    assert b'<graph edgedefault="undirected" id="g1">' in path.read_bytes()
