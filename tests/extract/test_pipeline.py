"""The raw records that carry a paper's mentions between extraction and canonicalisation."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from kg.extract.pipeline import RawMention, RawPaper

_text = st.text(max_size=20)
_mentions = st.builds(RawMention, st.sampled_from(["title", "abstract"]), st.integers(0, 10**6),
                      st.integers(0, 10**6), _text, st.none() | st.sampled_from(["Method", "Task"]), _text,
                      st.sampled_from(["acronym", "ner", "short"]))


@given(st.builds(RawPaper, _text, st.lists(_mentions, max_size=5), st.dictionaries(_text, _text, max_size=3),
                 st.dictionaries(_text, _text, max_size=3)))
def test_a_raw_paper_survives_its_json_form(raw):
    """The cache and the worker processes pass raw papers as JSON: nothing may be lost, votes included."""
    assert RawPaper.from_json(json.loads(json.dumps(raw.to_json()))) == raw
