"""Acronym definitions on a blank pipeline: no statistical model needed."""

from __future__ import annotations

import pytest
import spacy

from kg.extract.acronyms import find_long_form, is_short_form, short_form_key


@pytest.fixture(scope="module")
def blank():
    nlp = spacy.blank("en")
    nlp.add_pipe("kg_acronyms")
    return nlp


def _pairs(doc):
    return [(doc.text[a:b], doc.text[c:d]) for a, b, c, d in doc._.kg_acronyms]


def test_long_form_and_acronym_are_paired(blank):
    doc = blank("Scene Graph Generation (SGG) aims to detect relation triplets in an image.")
    assert _pairs(doc) == [("Scene Graph Generation", "SGG")]


def test_plural_acronym_and_words_before_the_long_form(blank):
    doc = blank("This paper explores the integration of Large Language Models (LLMs) and Cognitive Architectures (CAs).")
    assert _pairs(doc) == [("Large Language Models", "LLMs"), ("Cognitive Architectures", "CAs")]


def test_hyphenated_long_form(blank):
    doc = blank("Meanwhile, Mixture-of-Experts (MoE) has emerged as a leading approach.")
    assert _pairs(doc) == [("Mixture-of-Experts", "MoE")]


def test_later_uses_point_back_to_the_long_form(blank):
    doc = blank("We study Multi-Agent Debate (MAD) in depth. MAD improves reasoning, and MAD is cheap.")
    uses = [(doc.text[a:b], doc.text[c:d]) for a, b, c, d in doc._.kg_acronym_uses]
    assert uses == [("MAD", "Multi-Agent Debate"), ("MAD", "Multi-Agent Debate")]


def test_a_parenthesis_that_is_no_acronym_is_ignored(blank):
    doc = blank("The results (see Table 2) and the accuracy (92%) improve.")
    assert doc._.kg_acronyms == []


def test_letters_must_match_in_order(blank):
    doc = blank("We propose a fine method (XYZ) for this.")
    assert doc._.kg_acronyms == []


def test_a_name_in_mixed_case_needs_its_capitals_at_word_starts(blank):
    doc = blank("errors are associated with existing differences in operationalization across datasets "
                "(OntoNotes, PreCo, and Winogrande).")
    assert doc._.kg_acronyms == []
    doc = blank("We create mock observations of the galaxies for the Near Infrared Camera (NIRCam) to study them.")
    assert _pairs(doc) == [("Near Infrared Camera", "NIRCam")]
    doc = blank("It has gained popularity with the success of REPresentation Alignment (REPA).")
    assert _pairs(doc) == [("REPresentation Alignment", "REPA")]


def test_an_acronym_in_capitals_may_take_letters_inside_words(blank):
    doc = blank("Backpropagation (BP) is the most successful learning algorithm; single-layer sparse "
                "autoencoders (SAEs) with threshold activations recover the representations.")
    assert _pairs(doc) == [("Backpropagation", "BP"), ("sparse autoencoders", "SAEs")]


def test_helpers():
    assert short_form_key("LLMs") == "LLM" and short_form_key("GPUs") == "GPU" and short_form_key("Ms") == "Ms"
    assert is_short_form("GPT-4") and is_short_form("MoE") and not is_short_form("model") and not is_short_form("x")
    assert find_long_form("RL", ["using", "reinforcement", "learning"]) == 1


def test_component_survives_serialisation(blank, tmp_path):
    blank.to_disk(tmp_path / "nlp")
    loaded = spacy.load(tmp_path / "nlp")
    doc = loaded("Low-Rank Adaptation (LoRA) is cheap.")
    assert _pairs(doc) == [("Low-Rank Adaptation", "LoRA")]
