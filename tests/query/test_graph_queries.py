"""The graph queries on graphs small enough to check by hand, and against brute force."""

from __future__ import annotations

import math

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.errors import EntityNotFoundError
from kg.graph.build import build_graph
from kg.graph.io import encode_for_graphml, load_graph
from kg.query.graph_queries import communities, cooccurring, neighbourhood, top_entities, trends
from kg.records import Entity, ExtractedPaper, Paper

ENTITIES = {
    "method:a": ("A", "Method"),
    "method:b": ("B", "Method"),
    "dataset:c": ("C", "Dataset"),
    "task:d": ("D", "Task"),
}
# Five papers, four entities.  s_A = 4, s_B = 3, s_C = 2, s_D = 2, N = 5;
# A shares 2 papers with B (p1, p2), 2 with C (p1, p3), 1 with D (p5).
PAPERS = {
    "p1": ["method:a", "method:b", "dataset:c"],
    "p2": ["method:a", "method:b"],
    "p3": ["method:a", "dataset:c"],
    "p4": ["method:b", "task:d"],
    "p5": ["method:a", "task:d"],
}


def make_graph(papers=PAPERS, entities=ENTITIES, *, dates=None, min_cooccur=2) -> nx.Graph:
    """A graph as ``kg build`` makes it; ``entities`` maps id → (name, type[, aliases])."""
    dates = dates or {}
    extracted = []
    for pid, ids in papers.items():
        date, year = dates.get(pid, (None, None))
        ents = [Entity(e, entities[e][0], entities[e][1], aliases=list(entities[e][2]) if len(entities[e]) > 2 else [])
                for e in ids]
        extracted.append(ExtractedPaper(Paper(pid, f"Paper {pid}", date=date, year=year), ents))
    return build_graph(extracted, min_cooccur=min_cooccur)


def roundtrip(graph: nx.Graph, folder) -> nx.Graph:
    """The graph as the query commands read it: through GraphML, as ``kg build`` writes it."""
    folder.mkdir(parents=True, exist_ok=True)
    nx.write_graphml(encode_for_graphml(graph), folder / "graph.graphml")
    return load_graph(folder)


def scores(answer):
    return [(r["name"], r["papers"], r["score"]) for r in answer["results"]]


# --- co-occurrence measures, by hand ---------------------------------------

def test_count():
    # c(A,B) = 2, c(A,C) = 2, c(A,D) = 1; ties by name.
    assert scores(cooccurring(make_graph(), "A", measure="count")) == [("B", 2, 2.0), ("C", 2, 2.0), ("D", 1, 1.0)]


def test_association_strength():
    # c / (s_i s_j): A–C 2/(4·2) = 0.25, A–B 2/(4·3) = 0.166667, A–D 1/(4·2) = 0.125.
    assert scores(cooccurring(make_graph(), "A", measure="association")) == [
        ("C", 2, 0.25), ("B", 2, 0.166667), ("D", 1, 0.125)]


def test_association_is_the_default_measure():
    answer = cooccurring(make_graph(), "A")
    assert answer["measure"] == "association"
    assert answer["entity"] == {"id": "method:a", "name": "A", "type": "Method"}
    assert set(answer["results"][0]) == {"id", "name", "type", "papers", "score"}


def test_jaccard():
    # c / (s_i + s_j − c): A–C 2/(4+2−2) = 0.5, A–B 2/(4+3−2) = 0.4, A–D 1/(4+2−1) = 0.2.
    assert scores(cooccurring(make_graph(), "A", measure="jaccard")) == [("C", 2, 0.5), ("B", 2, 0.4), ("D", 1, 0.2)]


def test_npmi():
    # log(p_ij / (p_i p_j)) / −log p_ij with p_A = .8, p_B = .6, p_C = p_D = .4:
    # A–C: log(.4/.32)/−log .4 = 0.223144/0.916291 = 0.243529
    # A–B: log(.4/.48)/−log .4 = −0.182322/0.916291 = −0.198978
    # A–D: log(.2/.32)/−log .2 = −0.470004/1.609438 = −0.292030
    # (scores carry six significant digits, as in kg.graph.cooccurrence.score)
    got = scores(cooccurring(make_graph(), "A", measure="npmi"))
    assert [name for name, _, _ in got] == ["C", "B", "D"]
    assert [s for _, _, s in got] == [0.243529, -0.198978, -0.29203]


def test_computed_from_incidence_not_from_the_stored_threshold():
    graph = make_graph(min_cooccur=2)
    assert not graph.has_edge("method:a", "task:d")  # one paper in common: below the stored threshold
    assert "task:d" in [r["id"] for r in cooccurring(graph, "A")["results"]]
    assert cooccurring(graph, "A") == cooccurring(make_graph(min_cooccur=1), "A")


def test_filters_and_top():
    graph = make_graph()
    assert [r["name"] for r in cooccurring(graph, "A", min_papers=2)["results"]] == ["C", "B"]
    assert [r["name"] for r in cooccurring(graph, "A", type="Dataset")["results"]] == ["C"]
    assert [r["name"] for r in cooccurring(graph, "A", type="method")["results"]] == ["B"]
    assert [r["name"] for r in cooccurring(graph, "A", top=1)["results"]] == ["C"]
    assert len(cooccurring(graph, "A", top=None)["results"]) == 3
    assert cooccurring(graph, "C", min_papers=3)["results"] == []


@pytest.mark.parametrize("kwargs, message", [
    ({"measure": "cosine"}, "unknown measure 'cosine'; valid measures: count, association, jaccard, npmi"),
    ({"type": "Paper"}, "unknown entity type 'Paper'; valid types: Method, Model, Dataset, Task, Metric"),
    ({"min_papers": 0}, "min_papers must be a whole number of at least 1, not 0"),
    ({"top": 0}, "top must be a whole number of at least 1, not 0"),
])
def test_arguments_are_checked_before_the_entity(kwargs, message):
    with pytest.raises(ValueError) as caught:
        cooccurring(make_graph(), "no such entity", **kwargs)
    assert str(caught.value) == message


def test_unknown_entity():
    with pytest.raises(EntityNotFoundError):
        cooccurring(make_graph(), "Z")


def test_same_answers_after_graphml(tmp_path):
    graph = make_graph()
    loaded = roundtrip(graph, tmp_path / "out")
    for measure in ("count", "association", "jaccard", "npmi"):
        assert cooccurring(loaded, "A", measure=measure) == cooccurring(graph, "A", measure=measure)
    assert neighbourhood(loaded, "A", hops=3) == neighbourhood(graph, "A", hops=3)
    assert top_entities(loaded, by="pagerank") == top_entities(graph, by="pagerank")


# --- co-occurrence against brute force --------------------------------------

incidences = st.lists(st.sets(st.integers(0, 5), max_size=6), min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(incidences, st.integers(1, 3))
def test_papers_in_common_match_brute_force(rows, min_cooccur):
    entities = {f"method:e{i}": (f"E{i}", "Method") for i in range(6)}
    papers = {f"p{k:02d}": [f"method:e{i}" for i in sorted(row)] for k, row in enumerate(rows)}
    graph = make_graph(papers, entities, min_cooccur=min_cooccur)
    holders = {e: {p for p, ids in papers.items() if e in ids} for e in entities}
    n = len(papers)
    for entity in (e for e in entities if holders[e]):
        got = {r["id"]: r for r in cooccurring(graph, entity, measure="count", top=None)["results"]}
        expected = {o: len(holders[entity] & holders[o]) for o in entities if o != entity}
        assert {o: r["papers"] for o, r in got.items()} == {o: c for o, c in expected.items() if c >= 1}
        for r in cooccurring(graph, entity, measure="association", top=None)["results"]:
            c, s_i, s_j = expected[r["id"]], len(holders[entity]), len(holders[r["id"]])
            assert r["score"] == pytest.approx(c / (s_i * s_j), rel=1e-5)
        for r in cooccurring(graph, entity, measure="npmi", top=None)["results"]:
            c, s_i, s_j = expected[r["id"]], len(holders[entity]), len(holders[r["id"]])
            want = 1.0 if c == n else math.log(c * n / (s_i * s_j)) / -math.log(c / n)
            assert r["score"] == pytest.approx(want, rel=1e-5, abs=1e-6)


# --- neighbourhood ----------------------------------------------------------

def hops_of(answer):
    return {n["id"]: n["hops"] for n in answer["nodes"]}


def test_neighbourhood_hops():
    graph = make_graph()
    assert hops_of(neighbourhood(graph, "A", hops=1)) == {"method:a": 0, "p1": 1, "p2": 1, "p3": 1, "p5": 1}
    two = neighbourhood(graph, "A")
    assert hops_of(two) == {"method:a": 0, "p1": 1, "p2": 1, "p3": 1, "p5": 1,
                            "method:b": 2, "dataset:c": 2, "task:d": 2}
    assert hops_of(neighbourhood(graph, "A", hops=3))["p4"] == 3
    assert hops_of(neighbourhood(graph, "A", hops=9)) == hops_of(neighbourhood(graph, "A", hops=3))


def test_neighbourhood_shape_and_order():
    answer = neighbourhood(make_graph(), "A", hops=2)
    assert answer["entity"] == {"id": "method:a", "name": "A", "type": "Method"}
    assert answer["nodes"][:2] == [
        {"id": "method:a", "kind": "entity", "name": "A", "type": "Method", "hops": 0},
        {"id": "p1", "kind": "paper", "name": "Paper p1", "type": None, "hops": 1},
    ]
    assert [(e["source"], e["target"]) for e in answer["edges"]] == [
        ("p1", "dataset:c"), ("p1", "method:a"), ("p1", "method:b"), ("p2", "method:a"), ("p2", "method:b"),
        ("p3", "dataset:c"), ("p3", "method:a"), ("p5", "method:a"), ("p5", "task:d")]
    assert {e["kind"] for e in answer["edges"]} == {"mentions"}


def test_neighbourhood_walks_mentions_only():
    graph = make_graph(min_cooccur=1)  # cooccurs edges A–B, A–C, A–D … must not count as a hop
    assert hops_of(neighbourhood(graph, "A", hops=1)) == {"method:a": 0, "p1": 1, "p2": 1, "p3": 1, "p5": 1}


def test_neighbourhood_type_filter():
    answer = neighbourhood(make_graph(), "A", hops=3, type="Dataset")
    assert hops_of(answer) == {"method:a": 0, "p1": 1, "p2": 1, "p3": 1, "p5": 1, "dataset:c": 2}
    assert all(e["target"] in ("method:a", "dataset:c") for e in answer["edges"])


def test_neighbourhood_checks_hops():
    with pytest.raises(ValueError, match="hops must be a whole number of at least 1, not 0"):
        neighbourhood(make_graph(), "A", hops=0)


# --- ranking and communities -------------------------------------------------

def test_top_by_papers_and_degree():
    graph = make_graph()
    assert [(r["name"], r["score"]) for r in top_entities(graph)["results"]] == [("A", 4), ("B", 3), ("C", 2), ("D", 2)]
    # degree from the incidence: A and B each meet 3 entities, C and D 2 (with min_cooccur=2 stored edges,
    # A–D and B–C and B–D would be missing).
    assert [(r["name"], r["score"]) for r in top_entities(graph, by="degree")["results"]] == [
        ("A", 3), ("B", 3), ("C", 2), ("D", 2)]
    assert [r["name"] for r in top_entities(graph, type="Task")["results"]] == ["D"]
    assert len(top_entities(graph, top=2)["results"]) == 2


def test_top_by_pagerank():
    results = top_entities(make_graph(), by="pagerank", top=None)["results"]
    assert sum(r["score"] for r in results) == pytest.approx(1.0, abs=1e-4)
    assert results[0]["name"] == "A"  # most papers in common with the others


def test_top_checks_by():
    with pytest.raises(ValueError, match="unknown ranking 'age'; valid rankings: papers, degree, pagerank"):
        top_entities(make_graph(), by="age")


def two_clusters(min_cooccur=2):
    entities = {f"method:{x}": (x.upper(), "Method") for x in "abcdef"}
    papers = {"p1": ["method:a", "method:b", "method:c"], "p2": ["method:a", "method:b"],
              "p3": ["method:b", "method:c"], "p4": ["method:d", "method:e", "method:f"],
              "p5": ["method:d", "method:e"], "p6": ["method:e", "method:f"], "p7": ["method:c", "method:d"]}
    return make_graph(papers, entities, min_cooccur=min_cooccur)


def test_communities():
    answer = communities(two_clusters())
    groups = answer["communities"]
    assert [c["members"] for c in groups] == [["method:a", "method:b", "method:c"],
                                              ["method:d", "method:e", "method:f"]]
    assert [c["id"] for c in groups] == [1, 2]
    assert groups[0]["label"] == "B, C, A"  # by papers (3, 3, 2), ties by name
    assert groups[0]["top"][0] == {"id": "method:b", "name": "B", "type": "Method", "papers": 3}
    assert 0.3 < answer["modularity"] <= 1


def test_communities_are_deterministic_and_ignore_the_stored_threshold():
    assert communities(two_clusters(1)) == communities(two_clusters(5)) == communities(two_clusters(1))
    many = communities(two_clusters(), resolution=5.0)["communities"]
    assert sorted(m for c in many for m in c["members"]) == [f"method:{x}" for x in "abcdef"]


# --- trends -------------------------------------------------------------------

def test_trends():
    dates = {"p1": ("2024-01-05", 2024), "p2": ("2024-03-30", 2024), "p3": ("2024-03", 2024),
             "p5": ("Aug 1", None)}
    graph = make_graph(dates=dates)
    answer = trends(graph, "A")
    assert answer["papers"] == 4
    assert answer["months"] == [{"month": "2024-01", "papers": 1}, {"month": "2024-02", "papers": 0},
                                {"month": "2024-03", "papers": 2}]
    assert answer["year_only"] == []
    assert answer["undated"] == 1  # p5: "Aug 1" and no year


def test_trends_year_only():
    graph = make_graph(dates={"p1": (None, 2022), "p2": ("Aug 1", 2023), "p3": ("2023-12-31", 2023)})
    answer = trends(graph, "A")
    assert answer["months"] == [{"month": "2023-12", "papers": 1}]
    assert answer["year_only"] == [{"year": 2022, "papers": 1}, {"year": 2023, "papers": 1}]
    assert answer["undated"] == 1
    assert answer["papers"] == sum(m["papers"] for m in answer["months"]) + 2 + 1
