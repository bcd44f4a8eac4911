"""Text clean-up: what is removed, and what must stay."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kg.read.clean import clean_text, latex_to_text, normalise_arxiv_id, normalise_doi


def test_html_tags_and_entities_go_but_angle_brackets_in_prose_stay():
    assert clean_text("<p>Deep &amp; <i>wide</i></p>") == "Deep & wide"
    assert clean_text("relation triplets <sub, pred, obj> in") == "relation triplets <sub, pred, obj> in"


def test_latex_accents_are_made_readable():
    assert latex_to_text(r"Schr\"{o}dinger and Erd\H{o}s, G\"odel, {\'e}t\'e") == "Schrödinger and Erdős, Gödel, été"
    assert clean_text(r"Schr\"{o}dinger", latex=True) == "Schrödinger"


def test_identifiers_are_normalised():
    assert normalise_doi("https://doi.org/10.1145/ABC.123.") == "10.1145/abc.123"
    assert normalise_arxiv_id("http://arxiv.org/abs/2401.01234v3") == "2401.01234"
    assert normalise_arxiv_id("arXiv:hep-th/9901001v1") == "hep-th/9901001"
    assert normalise_doi("no doi here") is None


@given(st.text())
def test_cleaning_is_idempotent_and_trimmed(text):
    once = clean_text(text)
    assert clean_text(once) == once
    assert once == once.strip()
