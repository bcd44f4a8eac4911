"""The networkx graph: nodes, attributes, mention edges and co-occurrence scores."""

from __future__ import annotations

import networkx as nx
import pytest

from kg.graph.build import build_graph
from kg.graph.cooccurrence import cooccurrence_pairs, incidence, score
from kg.records import Entity, ExtractedPaper, Mention, Paper


def _paper(pid, date, *entity_ids):
    ents = [Entity(e, e.split(":")[1], e.split(":")[0].title(), mentions=[Mention("abstract", 0, 3, "abc")])
            for e in entity_ids]
    return ExtractedPaper(Paper(pid, f"Title {pid}", "abc", date=date), ents)


@pytest.fixture
def graph():
    # Four papers; a in 3 papers, b in 2, c in 2, d in 1.
    return build_graph([
        _paper("p1", "2024-01-05", "method:a", "method:b"),
        _paper("p2", "2024-03-01", "method:a", "method:b", "model:c"),
        _paper("p3", "Aug 1", "method:a", "model:c"),
        _paper("p4", None, "dataset:d"),
    ], min_cooccur=1)


def test_nodes_and_attributes(graph):
    a = graph.nodes["method:a"]
    assert (a["kind"], a["papers"], a["first_seen"], a["last_seen"]) == ("entity", 3, "2024-01-05", "2024-03-01")
    assert graph.nodes["p3"]["date"] == "Aug 1"
    assert graph.edges["p2", "model:c"]["kind"] == "mentions"
    assert graph.edges["p2", "model:c"]["mentions"] == [{"field": "abstract", "start": 0, "end": 3, "text": "abc"}]


def test_cooccurrence_edges_match_hand_computed_scores(graph):
    ab = graph.edges["method:a", "method:b"]
    # a: 3 papers, b: 2, together 2, of N = 4 papers.
    assert ab["papers"] == 2
    assert ab["association"] == pytest.approx(2 / (3 * 2), rel=1e-5)
    assert ab["jaccard"] == pytest.approx(2 / (3 + 2 - 2))
    import math
    assert ab["npmi"] == pytest.approx(math.log((2 / 4) / ((3 / 4) * (2 / 4))) / -math.log(2 / 4), rel=1e-5)
    assert not graph.has_edge("method:a", "dataset:d")


def test_threshold_keeps_only_pairs_with_enough_papers():
    g = build_graph([_paper("p1", None, "method:a", "method:b"), _paper("p2", None, "method:a", "model:c"),
                     _paper("p3", None, "method:a", "model:c")], min_cooccur=2)
    cooc = [(u, v) for u, v, d in g.edges(data=True) if d["kind"] == "cooccurs"]
    assert cooc == [("method:a", "model:c")]


def test_counts_agree_with_a_brute_force_count(graph):
    inc = incidence(graph)
    for pair in cooccurrence_pairs(inc):
        both = [p for p in inc.paper_ids if graph.has_edge(p, pair.source) and graph.has_edge(p, pair.target)]
        assert pair.papers == len(both)


def test_npmi_of_pairs_in_every_paper_is_one():
    assert score("npmi", 4, 4, 4, 4) == 1.0
    assert score("count", 3, 5, 5, 9) == 3.0
    with pytest.raises(ValueError, match="valid measures"):
        score("cosine", 1, 1, 1, 1)


def test_ids_must_be_unique():
    clash = ExtractedPaper(Paper("method:a", "t"), [Entity("method:a", "a", "Method")])
    with pytest.raises(ValueError, match="also a paper id"):
        build_graph([clash])


def test_graph_is_undirected_and_sorted(graph):
    assert isinstance(graph, nx.Graph) and not graph.is_directed()
    papers = [n for n, d in graph.nodes(data=True) if d["kind"] == "paper"]
    assert papers == sorted(papers)
