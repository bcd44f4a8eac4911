"""JSON Lines: ids and text kept exactly, broken lines named and skipped."""

from __future__ import annotations

import json

import pytest

from kg.errors import InputError, StrictModeError
from kg.read import read_papers


def test_id_and_text_are_kept_exactly(write):
    text = "  Two  spaces &amp; <b>tags</b> stay as given. "
    path = write("p.jsonl", json.dumps({"id": "my-1", "title": "A Title", "abstract": text, "year": "2024"}) + "\n")
    (paper,) = read_papers([path]).papers
    assert (paper.id, paper.abstract, paper.year) == ("my-1", text, 2024)
    assert paper.source.format == "jsonl"


def test_text_alone_is_the_abstract_with_an_empty_title(write):
    path = write("t.jsonl", json.dumps({"id": "t1", "text": "We fine-tune GPT-4 with LoRA."}) + "\n")
    (paper,) = read_papers([path]).papers
    assert (paper.title, paper.abstract) == ("", "We fine-tune GPT-4 with LoRA.")


def test_a_broken_line_is_skipped_and_named(write):
    lines = [json.dumps({"id": "a", "title": "Good one", "abstract": "x"}), '{"id": "b", "title": ',
             json.dumps({"id": "c", "title": "Good two"})]
    result = read_papers([write("mixed.jsonl", "\n".join(lines) + "\n")])
    assert [p.id for p in result.papers] == ["a", "c"]
    (skipped,) = result.skipped
    assert skipped.line == 2 and "invalid JSON" in skipped.reason


def test_strict_mode_turns_a_skip_into_an_error(write):
    path = write("mixed.jsonl", '{"title": "ok"}\nnot json\n')
    with pytest.raises(StrictModeError, match="line 2"):
        read_papers([path], strict=True)


def test_a_record_without_title_or_text_is_skipped(write):
    result = read_papers([write("n.jsonl", '{"id": "x", "year": 2020}\n{"title": "kept"}\n')])
    assert [p.title for p in result.papers] == ["kept"]
    assert result.skipped[0].reason == "record has no title"


def test_a_file_with_only_broken_lines_is_an_error(write):
    with pytest.raises(InputError, match=r"broken\.jsonl: no readable paper"):
        read_papers([write("broken.jsonl", '{"title": \n{"title": \n')])


def test_duplicate_titles_are_merged_keeping_the_longest_abstract(write):
    lines = [json.dumps({"id": "a", "title": "Attention Is All You Need", "abstract": "short"}),
             json.dumps({"id": "b", "title": "Attention is all you need.", "abstract": "a longer abstract",
                         "doi": "10.1000/XYZ"})]
    result = read_papers([write("d.jsonl", "\n".join(lines))])
    (paper,) = result.papers
    assert (paper.id, paper.doi, paper.merged_ids) == ("b", "10.1000/xyz", ["a"])
    assert result.merges[0].kept == "b" and result.merges[0].dropped == "a"
