"""Entity recognition and typing on small real sentences (statistical pipeline, loaded once)."""

from __future__ import annotations

import spacy

from kg.extract.pipeline import extract_raw
from kg.records import Paper


def _entities(nlp, text):
    doc = nlp(text)
    return {(doc.text[s:e], t) for s, e, t, _k, src in doc._.kg_entities if src != "short"}


def test_models_and_methods_are_told_apart(nlp):
    found = _entities(nlp, "We fine-tune GPT-4 and a diffusion model with LoRA and knowledge distillation.")
    assert ("GPT-4", "Model") in found
    assert ("diffusion model", "Model") in found
    assert ("LoRA", "Method") in found
    assert ("knowledge distillation", "Method") in found


def test_datasets_tasks_and_metrics(nlp):
    found = _entities(nlp, "On ImageNet and the GSM8K benchmark, image classification accuracy and BLEU improve "
                           "for machine translation.")
    assert {("ImageNet", "Dataset"), ("GSM8K", "Dataset"), ("image classification", "Task"),
            ("BLEU", "Metric"), ("machine translation", "Task")} <= found


def test_generic_phrases_are_not_entities(nlp):
    text = ("In this paper, our method and a novel framework achieve state-of-the-art performance in extensive "
            "experiments, and the model is simple.")
    assert _entities(nlp, text) == set()


def test_a_graph_neural_network_is_a_model(nlp):
    assert ("graph neural network", "Model") in _entities(nlp, "We train a graph neural network on molecules.")


def test_acronym_definitions_type_their_short_form(nlp):
    doc = nlp("Retrieval-Augmented Generation (RAG) helps. RAG is used widely.")
    spans = [(doc.text[s:e], t, k) for s, e, t, k, _src in doc._.kg_entities]
    assert ("RAG", "Method", spans[0][2]) in spans
    assert spans.count(("RAG", "Method", spans[0][2])) == 2


def test_offsets_index_the_fields(nlp):
    paper = Paper(id="p", title="Scaling Diffusion Models", abstract="We propose Low-Rank Adaptation (LoRA) for GPT-4.")
    (raw,) = list(extract_raw([paper], nlp=nlp))
    for m in raw.mentions:
        field = paper.title if m.field == "title" else paper.abstract
        assert field[m.start : m.end] == m.text
    assert {m.field for m in raw.mentions} == {"title", "abstract"}
    assert raw.acronyms == {"lora": "low-rank adaptation"}


def test_two_processes_give_the_same_results_as_one(nlp):
    papers = [Paper(id=str(i), title=f"Paper {i} on Vision Transformers",
                    abstract="Large Language Models (LLMs) such as GPT-4 are evaluated on MMLU with accuracy.")
              for i in range(8)]
    one = [r.to_json() for r in extract_raw(papers, nlp=nlp, n_process=1)]
    two = [r.to_json() for r in extract_raw(papers, nlp=nlp, n_process=2, batch_size=2)]
    assert one == two
    assert any(m[3] == "MMLU" for m in one[0]["mentions"])


def test_the_pipeline_serialises_with_its_components(nlp, tmp_path):
    nlp.to_disk(tmp_path / "pipeline")
    loaded = spacy.load(tmp_path / "pipeline")
    assert loaded.pipe_names == nlp.pipe_names
    text = "We evaluate GPT-4 on ImageNet."
    assert loaded(text)._.kg_entities == nlp(text)._.kg_entities


def test_vague_phrases_are_not_entities(nlp):
    found = _entities(nlp, "Our approach is useful for real-world applications and improves efficiency and "
                           "robustness on NLP tasks.")
    assert not {text for text, _ in found} & {"real-world applications", "efficiency", "robustness", "NLP tasks"}


def test_a_vague_head_with_a_specific_modifier_stays(nlp):
    from kg.extract.entities import _generic

    doc = nlp("We study real-world applications, evaluation metrics and machine translation evaluation.")
    assert _generic(doc.char_span(9, 32))  # real-world applications
    assert _generic(doc.char_span(34, 52))  # evaluation metrics
    assert not _generic(doc.char_span(57, 87))  # machine translation evaluation


def test_scores_of_a_known_metric_are_the_metric(nlp):
    found = _entities(nlp, "We report BLEU scores and ROUGE scores on the WMT14 test set.")
    assert {("BLEU", "Metric"), ("ROUGE", "Metric")} <= found
    assert not {text for text, _ in found} & {"BLEU scores", "ROUGE scores"}


def test_the_accuracy_of_a_task_is_a_task_and_a_metric(nlp):
    found = _entities(nlp, "We measure the classification accuracy of the tagger.")
    assert {("classification", "Task"), ("accuracy", "Metric")} <= found
    assert "classification accuracy" not in {text for text, _ in found}


def test_plural_task_words_and_praise_are_not_tasks(nlp):
    assert _entities(nlp, "The system produces fluent translations of the input.") == set()
    found = _entities(nlp, "The tagger reaches excellent precision.")
    assert ("precision", "Metric") in found
    assert "excellent precision" not in {text for text, _ in found}
