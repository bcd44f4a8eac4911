"""Span rules on small real sentences: what is generic, how a statistical span is tidied."""

from __future__ import annotations

from kg.extract.spans import is_generic, tidy


def test_a_vague_head_with_a_specific_modifier_stays(nlp):
    doc = nlp("We study real-world applications, evaluation metrics and machine translation evaluation.")
    assert is_generic(doc.char_span(9, 32))  # real-world applications
    assert is_generic(doc.char_span(34, 52))  # evaluation metrics
    assert not is_generic(doc.char_span(57, 87))  # machine translation evaluation


def test_a_last_word_the_tagger_misreads_still_ends_a_name(nlp):
    doc = nlp("Early work on function labelling for German reports 94.2% accuracy.")
    assert doc[6].pos_ == "ADJ"  # "German": the case this test is about
    assert tidy(doc[3:7]).text == "function labelling for German"
    doc = nlp("We used the NIST 2005 MT evaluation set as our test set.")
    assert doc[7].tag_ == "VBD"  # "set"
    assert tidy(doc[2:8]).text == "NIST 2005 MT evaluation set"
    doc = nlp("The big dog is very happy.")
    assert tidy(doc[4:6]) is None  # "very happy": an adjective ends no name
