"""Entity recognition and typing on small real sentences (statistical pipeline, loaded once)."""

from __future__ import annotations

import pytest
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
    # The English nouns that make "Support Vector Machines" singular come back with the lemmatizer.
    text = "It explores interpretability in traditional models such as Decision Trees and Support Vector Machines."
    assert "support vector machine" in {key for *_, key, _src in loaded(text)._.kg_entities}


def test_the_actual_task_is_no_task(nlp):
    found = _entities(nlp, "It is possible to perfectly map models to algorithms even when these models are incapable "
                           "of solving the actual task.")
    assert not any("task" in text for text, _ in found)


def test_vague_phrases_are_not_entities(nlp):
    found = _entities(nlp, "Our approach is useful for real-world applications and improves efficiency and "
                           "robustness on NLP tasks.")
    assert not {text for text, _ in found} & {"real-world applications", "efficiency", "robustness", "NLP tasks"}


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


def _with_ner_spans(nlp, text, spans):
    """``kg_entities`` over ``text`` with the NER's spans given as (text, label): the rules alone decide."""
    with nlp.select_pipes(disable=["kg_ner", "kg_entities"]):
        doc = nlp(text)
    ents = []
    for piece, label in spans:
        start = text.index(piece)
        ents.append(doc.char_span(start, start + len(piece), label=label))
    doc.ents = ents
    doc = nlp.get_pipe("kg_entities")(doc)
    return {(doc.text[s:e], t) for s, e, t, _k, src in doc._.kg_entities if src != "short"}


def test_names_with_digits_are_kept(nlp):
    found = _with_ner_spans(nlp, "They all report results on ACE-2 and we tested on MT09.",
                            [("ACE-2", "Dataset"), ("MT09", "Dataset")])
    assert {("ACE-2", "Dataset"), ("MT09", "Dataset")} <= found


def test_a_known_name_in_the_plural_is_not_generic(nlp):
    found = _with_ner_spans(nlp, "The overall best accuracies achieved by language are 81.9% for KIN.",
                            [("accuracies", "Metric")])
    assert ("accuracies", "Metric") in found


def test_the_ner_keeps_a_task_against_some_method_head_words(nlp):
    text = "In statistical machine translation, word alignment attempts to find word correspondences."
    assert ("word alignment", "Task") in _with_ner_spans(nlp, text, [("word alignment", "Task")])
    assert ("word alignment", "Method") in _with_ner_spans(nlp, text, [("word alignment", "Method")])
    # Other Method heads still decide: distillation is a method, whatever the NER says.
    found = _with_ner_spans(nlp, "We apply online knowledge distillation to the student.",
                            [("online knowledge distillation", "Task")])
    assert ("online knowledge distillation", "Method") in found


def test_hardware_and_word_pieces_are_not_entities(nlp):
    found = _with_ner_spans(nlp, "Efficient pre- and post-processing runs on one A100 in BF16.",
                            [("pre-", "Metric"), ("A100", "Dataset"), ("BF16", "Dataset")])
    assert not {text for text, _ in found} & {"pre-", "A100", "BF16"}
    assert _entities(nlp, "Training runs on a graphics processing unit (GPU).") == set()


def test_an_acronym_keeps_the_word_that_gives_its_first_letter(nlp):
    found = _entities(nlp, "Partially Observable Markov Decision Processes (POMDPs) are used to model environments "
                           "where the state is hidden. Pathology slides are digitised into whole slide images (WSIs).")
    names = {text for text, _ in found}
    assert {"Partially Observable Markov Decision Processes", "whole slide images"} <= names
    assert not names & {"Observable Markov Decision Processes", "slide images"}


@pytest.mark.parametrize("text, key", [
    ("Partially Observable Markov Decision Processes (POMDPs) are used to model environments.",
     "partially observable markov decision process"),
    ("We compare three Decoding Strategies on summarisation.", "decoding strategy"),
    ("We release the Open License Corpus (OLC), a corpus of permissively licensed text.", "open license corpus"),
    ("The statistical distribution of model parameters, as well as their influence on initialization, training "
     "dynamics, and downstream efficiency, has received surprisingly little attention.", "training dynamics"),
    ("The methodological novelty is to use the prior to compute closed form expressions for word statistics.",
     "word statistics"),
    ("Diffusion Models generate images.", "diffusion model"),
    ("It explores interpretability in traditional models such as Decision Trees, Linear Regression, and Support "
     "Vector Machines, alongside the challenges of explaining deep learning models.", "support vector machine"),
    ("We address this by performing LLM-driven objective discovery to automatically discover new state-of-the-art "
     "preference optimization algorithms without (expert) human intervention.", "preference optimization algorithm"),
    ("We derive bounds on this risk using learning-theoretic frameworks (PAC-Bayes and Rademacher complexity).",
     "pac-bayes"),
    ("Sparse Mixture of Experts layers route tokens.", "mixture of experts"),  # the last word is no head
    # "data" is used as written: "datum" is no word a paper means
    ("These findings are substantiated through experiments on synthetic and real-world data, including SVHN.",
     "synthetic and real-world data"),
])
def test_keys_name_the_head_in_the_singular(nlp, text, key):
    doc = nlp(text)
    assert key in {k for _s, _e, _t, k, _src in doc._.kg_entities}


def test_a_naming_verb_is_not_part_of_the_name(nlp):
    found = _with_ner_spans(nlp, "Based on this framework, we design a novel algorithm, named AdvDM, which exploits "
                                 "a Monte-Carlo estimation.", [("named AdvDM", "Dataset")])
    assert {text for text, _ in found} >= {"AdvDM"} and "named AdvDM" not in {text for text, _ in found}


def test_solvers_samplers_and_optimizers_are_methods(nlp):
    found = _entities(nlp, "Training requires extensive backpropagation through ODE solvers, and we compare the "
                           "DDPM sampler with a stochastic optimizer.")
    assert {("ODE solvers", "Method"), ("DDPM sampler", "Method"), ("stochastic optimizer", "Method")} <= found


def test_what_is_done_to_a_model_is_not_a_model(nlp):
    found = _with_ner_spans(nlp, "We first validate our framework by successfully training diffusion models with images "
                                 "synthetically corrupted by noise. Aligning Large Language Models with human values "
                                 "is hard.",
                            [("successfully training diffusion models", "Method"),
                             ("Aligning Large Language Models", "Method")])
    names = {text for text, _ in found}
    assert not names & {"successfully training diffusion models", "training diffusion models",
                        "Aligning Large Language Models"}
    # A task may be a verb phrase: SciERC marks "categorizing unknown words" as one.
    found = _with_ner_spans(nlp, "The system is good at categorizing unknown words.",
                            [("categorizing unknown words", "Task")])
    assert ("categorizing unknown words", "Task") in found


def test_a_noun_phrase_starts_after_an_inner_article(nlp):
    found = _entities(nlp, "We fine-tune a base model to infer these markers automatically, which makes them optional.")
    assert "fine-tune a base model" not in {text for text, _ in found}


def test_a_processor_with_its_maker_or_model_is_hardware(nlp):
    text = "Using an NVIDIA A100 GPU, we make it possible to generate a high-quality image."
    found = _with_ner_spans(nlp, text, [("NVIDIA A100 GPU", "Method")])
    assert not any(t.endswith("GPU") for t, _ in found)
    assert not any(t.endswith("GPU") for t, _ in _entities(nlp, text))


def test_a_span_running_through_a_finite_verb_is_a_clause_not_a_name(nlp):
    found = _with_ner_spans(nlp, "Nevertheless, conventional MoE architectures encounter substantial challenges, "
                                 "including excessive memory utilization.",
                            [("MoE architectures encounter substantial challenges", "Method")])
    assert not any("encounter" in t for t, _ in found)
    # A participle the tagger reads as a past tense, or a verb inside a hyphenated word, does not count.
    found = _with_ner_spans(nlp, "We study the online self-play reinforcement learning algorithm and a "
                                 "reverse-KL regularized contextual bandit.",
                            [("online self-play reinforcement learning algorithm", "Method"),
                             ("reverse-KL regularized contextual bandit", "Method")])
    assert {"online self-play reinforcement learning algorithm", "reverse-KL regularized contextual bandit"} \
        <= {t for t, _ in found}


def test_a_known_dataset_or_task_with_its_kind_is_the_name(nlp):
    found = _with_ner_spans(nlp, "We train on the Europarl datasets for the question answering task.",
                            [("Europarl datasets", "Dataset"), ("question answering task", "Task")])
    assert {("Europarl", "Dataset"), ("question answering", "Task")} <= found
    assert not {text for text, _ in found} & {"Europarl datasets", "question answering task"}


def test_a_kind_of_task_is_not_a_task(nlp):
    found = _with_ner_spans(nlp, "The approach does well on semantic tasks and on parsing tasks.",
                            [("semantic tasks", "Task")])
    assert "semantic tasks" not in {text for text, _ in found}


def test_a_bare_generic_head_in_a_title_is_not_an_entity(nlp):
    names = {text for text, _ in _entities(nlp, "Great Models Think Alike: Improving Model Reliability")}
    assert "Models" not in names
    assert "Generative Models" in {text for text, _ in _entities(nlp, "Generative Models for Molecules")}


def test_a_participle_opening_a_clause_is_not_a_task(nlp):
    text = ("We support our empirical findings with theoretical insights, highlighting how adequate pre-training "
            "and task prompting help.")
    found = _with_ner_spans(nlp, text, [("highlighting", "Task"), ("pre-training", "Method")])
    assert found == {("pre-training", "Method")}
    # A gerund used as a noun stays a task.
    assert ("parsing", "Task") in _with_ner_spans(nlp, "We study parsing of long sentences.", [("parsing", "Task")])


def test_a_bare_word_for_a_way_or_an_amount_is_generic(nlp):
    text = ("It requires no parameter updates or learning, and we propose a new plug-and-play solution that "
            "lowers memory at a faster rate.")
    found = _with_ner_spans(nlp, text, [("learning", "Task"), ("solution", "Method"), ("memory", "Metric"),
                                        ("rate", "Metric"), ("parameter updates", "Method")])
    assert found == {("parameter updates", "Method")}
    # With a specific modifier the word names something.
    assert ("contrastive learning", "Method") in _with_ner_spans(
        nlp, "We pre-train the encoder with contrastive learning.", [("contrastive learning", "Method")])


def test_a_span_never_starts_inside_a_word(nlp):
    text = "We show that few-shot Chain-of-Thought prompting fails, and that components--Majority Voting helps."
    found = _with_ner_spans(nlp, text, [("-shot Chain-of-Thought prompting", "Method"),
                                        ("Majority Voting", "Method")])
    assert {name for name, _ in found} >= {"few-shot Chain-of-Thought prompting", "Majority Voting"}
    assert not {name for name, _ in found} & {"shot Chain-of-Thought prompting", "components--Majority Voting"}


def test_a_title_clause_with_its_subject_is_not_a_name(nlp):
    text = "Optimal Control Meets Flow Matching: A Principled Route to Multi-Subject Fidelity"
    found = _with_ner_spans(nlp, text, [("Optimal Control Meets Flow Matching", "Task")])
    assert "Optimal Control Meets Flow Matching" not in {name for name, _ in found}
    assert ("Flow Matching", "Method") in found


def test_meets_in_a_title_makes_a_clause_even_when_tagged_a_noun(nlp):
    for text, clause in [("Transformer Meets Text: A Study of Sequence Models", "Transformer Meets Text"),
                         ("Lean Meets Theoretical Computer Science: Scalable Synthesis of Theorem Proving "
                          "Challenges", "Lean Meets Theoretical Computer Science")]:
        found = _with_ner_spans(nlp, text, [(clause, "Dataset")])
        assert clause not in {name for name, _ in found}


def test_a_generic_head_after_vague_adverbs_is_generic(nlp):
    found = _entities(nlp, "A Provably Effective Method for Sparse Models")
    assert "Provably Effective Method" not in {name for name, _ in found}
    assert not _entities(nlp, "We propose a computationally-efficient algorithm.")


def test_a_known_name_with_a_version_keeps_its_type(nlp):
    text = "We compare Stable Diffusion XL, Stable Diffusion 3.5 and BART Large."
    found = _with_ner_spans(nlp, text, [("Stable Diffusion XL", "Method"), ("Stable Diffusion 3.5", "Method"),
                                        ("BART Large", "Task")])
    assert found >= {("Stable Diffusion XL", "Model"), ("Stable Diffusion 3.5", "Model"), ("BART Large", "Model")}
    # Not when what follows is more than a version: the NER's label stands.
    assert ("BART summarisation", "Task") in _with_ner_spans(nlp, "We run BART summarisation.",
                                                            [("BART summarisation", "Task")])


def test_a_lone_lower_case_word_is_no_dataset(nlp):
    text = "It adjusts local batch sizes to balance computation and communication on MNIST."
    found = _with_ner_spans(nlp, text, [("communication", "Dataset"), ("MNIST", "Dataset")])
    assert found == {("MNIST", "Dataset")}


def test_a_title_opening_verb_does_not_begin_a_name(nlp):
    text = "Mastering Ultra-Long Text Generation via Reinforcement Learning"
    found = _with_ner_spans(nlp, text, [("Mastering Ultra-Long Text Generation", "Task")])
    assert ("Ultra-Long Text Generation", "Task") in found
    assert "Mastering Ultra-Long Text Generation" not in {name for name, _ in found}
    text = "Improving Diffusion Models for Inverse Problems"
    found = _with_ner_spans(nlp, text, [("Improving Diffusion Models", "Method")])
    assert {name for name, _ in found} == {"Diffusion Models"}


def test_a_phrase_ending_in_a_known_name_takes_its_type(nlp):
    text = "We compare offline DPO with Dr. DPO, and study the interpretation of DPO."
    found = _with_ner_spans(nlp, text, [("offline DPO", "Dataset"), ("Dr. DPO", "Dataset"),
                                        ("interpretation of DPO", "Task")])
    assert found >= {("offline DPO", "Method"), ("Dr. DPO", "Method"), ("interpretation of DPO", "Task")}


def test_maximizing_a_metric_is_no_metric(nlp):
    text = "The scheduler balances maximizing accuracy against cost."
    found = _with_ner_spans(nlp, text, [("maximizing accuracy", "Metric")])
    assert "maximizing accuracy" not in {name for name, _ in found}


def test_code_models_are_models(nlp):
    found = _entities(nlp, "We evaluate StarCoder, WizardCoder-15b and CodeLlama-7B on HumanEval.")
    assert found >= {("StarCoder", "Model"), ("WizardCoder-15b", "Model"), ("CodeLlama-7B", "Model")}


def test_an_acronym_pair_that_modifies_a_noun_names_the_noun_phrase(nlp):
    doc = nlp("The sampling error, measured by the Kullback-Leibler (KL) divergence, decays. "
              "Managing key-value (KV) caches is costly, and the KV cache grows.")
    spans = {(doc.text[s:e], t, k) for s, e, t, k, _src in doc._.kg_entities}
    assert ("Kullback-Leibler (KL) divergence", "Metric", "kullback-leibler divergence") in spans
    assert ("key-value (KV) caches", "Method", "key-value cache") in spans
    assert ("KV cache", "Method", "key-value cache") in spans  # a later use before the same noun
    assert not {text for text, _t, _k in spans} & {"Kullback-Leibler", "key-value", "KL", "KV"}
    assert doc._.kg_definitions == [["kl", "kullback-leibler", 1], ["kv", "key-value", 1]]


def test_a_definition_that_gives_no_entity_is_kept_as_a_vote(nlp):
    doc = nlp("We train an autoregressive (AR) model and a fully sharded data parallel (FSDP) one.")
    assert ["ar", "autoregressive", 0] in doc._.kg_definitions
    assert all(long[0] == short[0] for short, long, _ in doc._.kg_definitions)  # no "FSDP" → "data parallel"


def test_a_typed_or_unhyphenated_long_form_keeps_its_own_name(nlp):
    found = _entities(nlp, "We study Low-Rank Adaptation (LoRA) weights in the high-bandwidth memory (HBM) "
                           "regime.")
    assert ("Low-Rank Adaptation", "Method") in found and ("LoRA", "Method") in found
    assert ("high-bandwidth memory", "Method") in found and ("HBM", "Method") in found


def test_organisations_and_venues_are_not_entities(nlp):
    released = ("We have publicly released the fine-tuning logs, benchmark evaluation artifacts, and source code "
                "online at W&B, Hugging Face, and GitHub, respectively.")
    found = {text for text, _ in _entities(nlp, released)}
    assert not found & {"Hugging Face", "GitHub"}
    venues = _entities(nlp, "Preliminary versions of this work appeared in ICALP 2018 and SOSA 2018, with models "
                            "from Google DeepMind and OpenAI.")
    assert not {text for text, _ in venues} & {"ICALP 2018", "SOSA 2018", "Google DeepMind", "OpenAI"}


def test_a_point_of_view_or_a_report_is_not_an_entity(nlp):
    found = {name for name, _ in _entities(nlp, "We give the mathematical foundations of score matching from a "
                                                "Bayesian inference view, in a Technical Report.")}
    assert not found & {"mathematical foundations", "Bayesian inference view", "Technical Report"}
    assert "score matching" in found


def test_a_web_address_is_not_an_entity_but_a_metric_at_k_is(nlp):
    text = ("In this survey, we provide a new efficiency-oriented perspective on model training, fast inference "
            "and reliable deployment, in a reader-friendly way. https://github.com/ponyzym/Efficient-DMs-Survey")
    found = {name for name, _ in _entities(nlp, text)}
    assert "model training" in found
    assert not [name for name in found if "github" in name]
    assert ("pass@1", "Metric") in _with_ner_spans(nlp, "Our model reaches 71% pass@1.", [("pass@1", "Metric")])
