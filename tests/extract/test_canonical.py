"""Corpus-wide merging of variants and acronyms, without spaCy (raw mentions made by hand)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kg.extract.canonical import canonicalise, resolve_short_forms, slug, variant_key
from kg.extract.pipeline import RawMention, RawPaper
from kg.records import ENTITY_TYPES, Paper


def m(text, type_, key, source="phrase", field="abstract", start=0):
    return RawMention(field, start, start + len(text), text, type_, key, source)


def _by_name(extracted):
    return {e.name: e for item in extracted for e in item.entities}


def test_case_hyphen_spacing_and_plural_variants_are_one_entity():
    raws = [
        RawPaper("p1", [m("fine-tuning", "Method", "fine-tuning")]),
        RawPaper("p2", [m("Fine tuning", "Method", "fine tuning")]),
        RawPaper("p3", [m("fine-tuning", "Method", "fine-tuning"), m("Transformers", "Model", "transformers", start=20)]),
        RawPaper("p4", [m("Transformer", "Model", "transformer")]),
    ]
    papers = [Paper(r.paper_id, "t") for r in raws]
    entities = _by_name(canonicalise(papers, raws))
    assert set(entities) == {"fine-tuning", "Transformer"}
    tuning = entities["fine-tuning"]
    assert tuning.id == "method:fine-tuning"
    assert tuning.alias_reasons == {"Fine tuning": "variant"}
    assert entities["Transformer"].alias_reasons == {"Transformers": "inflection"}


def test_a_name_whose_last_word_is_no_head_keeps_its_plural():
    raws = [
        RawPaper("p1", [m("Mixture of Experts", "Method", "mixture of experts")]),
        RawPaper("p2", [m("Mixture of Experts", "Method", "mixture of experts")]),
        RawPaper("p3", [m("mixture of expert", "Method", "mixture of expert")]),
    ]
    entities = _by_name(canonicalise([Paper(r.paper_id, "t") for r in raws], raws))
    assert set(entities) == {"Mixture of Experts"}
    assert entities["Mixture of Experts"].alias_reasons == {"mixture of expert": "inflection"}


def test_an_acronym_links_to_its_long_form_in_its_paper_and_where_the_corpus_agrees():
    defined = RawPaper("p1", [m("Large Language Models", "Model", "large language model", "acronym"),
                              m("LLMs", "Model", "large language model", "acronym", start=30)],
                       acronyms={"llm": "large language model"})
    alone = RawPaper("p2", [m("LLM", None, "llm", "short")])
    unknown = RawPaper("p3", [m("XYZ", None, "xyz", "short")])
    papers = [Paper(r.paper_id, "t") for r in (defined, alone, unknown)]
    out = canonicalise(papers, [defined, alone, unknown])
    assert [e.id for e in out[1].entities] == ["model:large-language-model"]
    assert out[2].entities == []  # an acronym nobody defines is not an entity
    entity = out[0].entities[0]
    assert entity.name == "Large Language Model"
    assert entity.alias_reasons["LLMs"] == "acronym" and entity.alias_reasons["LLM"] == "acronym"


def test_a_disputed_acronym_links_nowhere():
    raws = [RawPaper("a", acronyms={"ppo": "proximal policy optimization"}),
            RawPaper("b", acronyms={"ppo": "pixel path ordering"})]
    assert resolve_short_forms(raws) == {}
    raws.append(RawPaper("c", acronyms={"ppo": "proximal policy optimization"}))
    raws.append(RawPaper("d", acronyms={"ppo": "proximal policy optimization"}))
    assert resolve_short_forms(raws) == {"ppo": "proximalpolicyoptimization"}


def test_the_majority_type_wins_and_ids_are_stable():
    raws = [RawPaper(str(i), [m("diffusion model", "Model" if i < 2 else "Method", "diffusion model")])
            for i in range(3)]
    papers = [Paper(r.paper_id, "t") for r in raws]
    first = canonicalise(papers, raws)
    assert {e.id for item in first for e in item.entities} == {"model:diffusion-model"}
    assert [i.to_json() for i in canonicalise(papers, raws)] == [i.to_json() for i in first]


def test_keys():
    assert variant_key("Pre-Training") == variant_key("pretraining") == "pretraining"
    assert slug("Fréchet Inception Distance") == "frechet-inception-distance"


def test_an_acronym_found_by_any_source_joins_its_long_form():
    defined = RawPaper("p1", [m("Large Language Models", "Model", "large language model", "acronym"),
                              m("LLMs", "Model", "large language model", "acronym", start=30)],
                       acronyms={"llm": "large language model"})
    by_ner = RawPaper("p2", [m("LLM", "Model", "llm", "ner")])
    out = canonicalise([Paper("p1", "t"), Paper("p2", "t")], [defined, by_ner])
    assert [e.id for e in out[1].entities] == ["model:large-language-model"]


def test_a_phrase_opening_with_a_defined_acronym_joins_its_spelt_out_form():
    defined = RawPaper("p1", [m("Kullback-Leibler (KL) divergence", "Metric", "kullback-leibler divergence",
                                "acronym")], acronyms={"kl": "kullback-leibler"})
    short = RawPaper("p2", [m("KL divergence", "Metric", "kl divergence"), m("KL-divergence", "Metric",
                                                                             "kl-divergence", start=20)])
    in_paper = RawPaper("p3", [m("OOD detection", "Task", "ood detection")], acronyms={"ood": "out-of-distribution"})
    other = RawPaper("p4", [m("out-of-distribution detection", "Task", "out-of-distribution detection")])
    raws = [defined, short, in_paper, other]
    out = canonicalise([Paper(r.paper_id, "t") for r in raws], raws)
    (entity,) = out[1].entities
    assert [e.id for e in out[0].entities] == [entity.id] == ["metric:kullback-leibler-divergence"]
    assert entity.name == "Kullback-Leibler divergence"  # spelt out, without its acronym
    assert entity.alias_reasons == {"KL divergence": "acronym", "KL-divergence": "acronym",
                                    "Kullback-Leibler (KL) divergence": "variant"}
    assert out[2].entities[0].id == out[3].entities[0].id  # defined in the phrase's own paper


def test_a_phrase_with_an_acronym_stays_apart_when_the_corpus_lacks_the_spelt_out_form():
    raws = [RawPaper("p1", [m("Large Language Models", "Model", "large language model", "acronym")],
                     acronyms={"llm": "large language model"}),
            RawPaper("p2", [m("LLM agents", "Method", "llm agent")])]
    out = canonicalise([Paper(r.paper_id, "t") for r in raws], raws)
    assert [e.name for e in out[1].entities] == ["LLM agent"]


def test_definitions_that_give_no_entity_vote_on_an_acronym_and_link_nothing():
    named = RawPaper("p1", [m("Alignment Resampling", "Method", "alignment resampling", "acronym"),
                            m("AR", "Method", "alignment resampling", "acronym", start=30)],
                     acronyms={"ar": "alignment resampling"})
    adjective = [RawPaper(f"q{i}", [m("AR", "Task", "ar", "ner")], unlinked={"ar": "autoregressive"}) for i in range(2)]
    elsewhere = RawPaper("p4", [m("AR", None, "ar", "short")])
    coined = RawPaper("p5", [m("RED", "Method", "red", "ner")], unlinked={"red": "regularization by denoising"})
    raws = [named, *adjective, elsewhere, coined]
    assert resolve_short_forms(raws)["ar"] == "autoregressive"
    out = canonicalise([Paper(r.paper_id, "t") for r in raws], raws)
    assert [e.name for e in out[0].entities] == ["Alignment Resampling"]
    assert out[1].entities == out[2].entities == out[3].entities == []  # "AR" here means autoregressive
    assert [e.name for e in out[4].entities] == ["RED"]  # a name's acronym stands alone


def test_a_name_followed_by_a_word_for_its_kind_joins_the_name():
    defined = RawPaper("p1", [
        m("Direct Preference Knowledge Distillation", "Method", "direct preference knowledge distillation", "acronym"),
        m("DPKD", "Method", "dpkd", "short", start=50),
        m("DPKD approach", "Method", "dpkd approach", start=60),
        m("DPKD method", "Method", "dpkd method", start=80),
    ], acronyms={"dpkd": "direct preference knowledge distillation"})
    gpt = RawPaper("p2", [m("GPT", "Model", "gpt"), m("GPT models", "Model", "gpt model", start=10)])
    raws = [defined, gpt]
    out = canonicalise([Paper(r.paper_id, "t") for r in raws], raws)
    (dpkd,) = out[0].entities
    assert dpkd.id == "method:direct-preference-knowledge-distillation"
    assert dpkd.name == "Direct Preference Knowledge Distillation"
    assert dpkd.alias_reasons == {"DPKD": "acronym", "DPKD approach": "kind", "DPKD method": "kind"}
    assert [m.text for m in dpkd.mentions] == ["Direct Preference Knowledge Distillation", "DPKD",
                                               "DPKD approach", "DPKD method"]
    (model,) = out[1].entities
    assert (model.id, model.name, model.alias_reasons) == ("model:gpt", "GPT", {"GPT models": "kind"})


def test_a_name_with_a_kind_word_stays_apart_from_a_name_of_another_type_or_none():
    raws = [
        RawPaper("p1", [m("ImageNet", "Dataset", "imagenet"), m("ImageNet models", "Model", "imagenet model", start=20)]),
        RawPaper("p2", [m("LoRA", "Method", "lora"), m("LoRA-based approaches", "Method", "lora-based approach",
                                                         start=20)]),
        RawPaper("p3", [m("fine-tuning method", "Method", "fine-tuning method")]),  # no "fine-tuning" anywhere
    ]
    names = {e.name: e.type for item in canonicalise([Paper(r.paper_id, "t") for r in raws], raws)
             for e in item.entities}
    assert names == {"ImageNet": "Dataset", "ImageNet model": "Model", "LoRA": "Method",
                     "LoRA-based approach": "Method", "fine-tuning method": "Method"}


def test_a_kind_phrase_takes_its_variants_and_acronym_along_and_loses_no_mention():
    # "inference learning algorithm (IL)": IL was defined by the kind phrase, so it follows it.
    il = RawPaper("p1", [
        m("Inference Learning", "Method", "inference learning", field="title"),
        m("inference learning algorithm", "Method", "inference learning algorithm", "acronym", start=10),
        m("IL", None, "il", "short", start=40),
        m("IL", None, "il", "short", start=60),
    ], acronyms={"il": "inference learning algorithm"})
    f1 = RawPaper("p2", [m("F1", "Metric", "f1"), m("F1 score", "Metric", "f1 score", start=10)])
    f1_hyphen = RawPaper("p3", [m("F1-score", "Metric", "f1-score")])  # no "F1" in this paper: follows "F1 score"
    raws = [il, f1, f1_hyphen]
    out = canonicalise([Paper(r.paper_id, "t") for r in raws], raws)
    (learning,) = out[0].entities
    assert learning.name == "Inference Learning"
    assert learning.alias_reasons == {"IL": "acronym", "inference learning algorithm": "kind"}
    assert len(learning.mentions) == 4
    assert [e.id for e in out[1].entities] == [e.id for e in out[2].entities] == ["metric:f1"]
    assert out[1].entities[0].alias_reasons == {"F1 score": "kind", "F1-score": "kind"}


_NAMES = ["GPT", "LoRA", "fine-tuning", "F1", "GPT model"]
_KINDS = ["model", "models", "approach", "method", "family", "score"]


@st.composite
def _kind_phrases(draw):
    papers = []
    for p in range(draw(st.integers(1, 4))):
        mentions = []
        for i in range(draw(st.integers(1, 5))):
            words = [draw(st.sampled_from(_NAMES))] + draw(st.lists(st.sampled_from(_KINDS), max_size=2))
            text = draw(st.sampled_from([" ", "-"])).join(words) if len(words) > 1 else words[0]
            key = " ".join(w[:-1] if w == "models" else w for w in text.lower().split())
            mentions.append(m(text, draw(st.sampled_from(ENTITY_TYPES)), key, start=100 * i))
        papers.append(RawPaper(f"p{p}", mentions))
    return papers


@given(_kind_phrases())
@settings(max_examples=200, deadline=None)
def test_joining_kind_phrases_loses_no_typed_mention(raws):
    out = canonicalise([Paper(r.paper_id, "t") for r in raws], raws)
    for raw, item in zip(raws, out, strict=True):
        found = {(x.start, x.text) for e in item.entities for x in e.mentions}
        assert {(x.start, x.text) for x in raw.mentions} == found
