"""From what a person types to one entity id, or an error naming the closest ones."""

from __future__ import annotations

import pytest

from kg.errors import EntityNotFoundError, KgError
from kg.query.resolve import closest_entities, resolve_entity

from .test_graph_queries import make_graph, roundtrip

ENTITIES = {
    "model:large-language-model": ("large language model", "Model", ["LLM", "large language models", "LLMs"]),
    "method:lora": ("LoRA", "Method", ["low-rank adaptation"]),
    "model:lora": ("LoRA", "Model", []),
    "method:qlora": ("QLoRA", "Method", []),
    "dataset:glue": ("GLUE", "Dataset", ["General Language Understanding Evaluation"]),
    "method:llm": ("LLM", "Method", []),  # the name of one entity and the alias of another
}
PAPERS = {"p1": sorted(ENTITIES)}


@pytest.fixture(scope="module")
def graph():
    return make_graph(PAPERS, ENTITIES)


def test_alias_and_name_give_the_same_entity(graph):
    assert resolve_entity(graph, "large language models") == "model:large-language-model"
    assert resolve_entity(graph, "LLMs") == "model:large-language-model"
    assert resolve_entity(graph, "large language model") == "model:large-language-model"


@pytest.mark.parametrize("name", ["glue", "GLUE", "  Glue ", "general language understanding evaluation",
                                  "General-Language Understanding  Evaluation", "dataset:glue", "Dataset:GLUE"])
def test_case_spacing_and_ids(graph, name):
    assert resolve_entity(graph, name) == "dataset:glue"


def test_a_name_wins_over_an_alias(graph):
    # "LLM" is the name of method:llm and an alias of the model: the name wins.
    assert resolve_entity(graph, "llm") == "method:llm"


def test_ambiguous_name_lists_the_entities(graph):
    with pytest.raises(EntityNotFoundError) as caught:
        resolve_entity(graph, "lora")
    error = caught.value
    assert error.ambiguous
    assert error.candidates == ["LoRA (Method)", "LoRA (Model)"]
    assert str(error) == "'lora' is ambiguous; closest: LoRA (Method), LoRA (Model)"
    assert isinstance(error, KgError)


def test_a_candidate_as_shown_resolves(graph):
    assert resolve_entity(graph, "LoRA (Method)") == "method:lora"
    assert resolve_entity(graph, "lora (model)") == "model:lora"
    assert resolve_entity(graph, "model:lora") == "model:lora"
    assert resolve_entity(graph, "low-rank adaptation") == "method:lora"


def test_unknown_name_lists_the_closest(graph):
    with pytest.raises(EntityNotFoundError) as caught:
        resolve_entity(graph, "QLoRa-X")
    error = caught.value
    assert not error.ambiguous
    assert error.candidates[0] == "QLoRA (Method)"
    assert 1 <= len(error.candidates) <= 5
    assert str(error).startswith("'QLoRa-X' matches no entity; closest: QLoRA (Method)")


def test_nothing_close(graph):
    with pytest.raises(EntityNotFoundError) as caught:
        resolve_entity(graph, "zzz")
    assert caught.value.candidates == []
    assert str(caught.value) == "'zzz' matches no entity"


def test_at_most_five_candidates():
    entities = {f"method:net{i}": (f"Net{i}", "Method") for i in range(9)}
    graph = make_graph({"p1": sorted(entities)}, entities)
    assert closest_entities(graph, "Net") == [f"method:net{i}" for i in range(5)]
    with pytest.raises(EntityNotFoundError) as caught:
        resolve_entity(graph, "Net")
    assert caught.value.candidates == [f"Net{i} (Method)" for i in range(5)]


def test_a_paper_id_is_not_an_entity(graph):
    with pytest.raises(EntityNotFoundError):
        resolve_entity(graph, "p1")


def test_after_graphml_aliases_still_resolve(graph, tmp_path):
    loaded = roundtrip(graph, tmp_path / "out")
    assert resolve_entity(loaded, "large language models") == resolve_entity(loaded, "LLMs")
    assert resolve_entity(loaded, "LLMs") == "model:large-language-model"


def test_an_alias_shared_by_a_rare_variant_resolves_to_the_common_entity():
    import networkx as nx

    from kg.query.resolve import resolve_entity

    g = nx.Graph()
    g.add_node("method:low-rank-adaptation", kind="entity", name="Low-Rank Adaptation", type="Method",
               aliases=["LoRA"], papers=9)
    g.add_node("method:low-rank-adaption", kind="entity", name="low-rank adaption", type="Method",
               aliases=["LoRA"], papers=1)
    assert resolve_entity(g, "LoRA") == "method:low-rank-adaptation"
    g.nodes["method:low-rank-adaption"]["papers"] = 6
    with pytest.raises(EntityNotFoundError, match="ambiguous"):
        resolve_entity(g, "LoRA")
