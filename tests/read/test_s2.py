"""Semantic Scholar Graph API paper objects."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.read import detect_format, iter_file, read_papers

DATA = Path(__file__).resolve().parents[1] / "data" / "read"
BATCH = DATA / "s2_batch.json"
WITH_CITATIONS = DATA / "s2_paper_with_citations.json"


def test_batch_gives_3_papers_and_reports_the_null_entry() -> None:
    result = read_papers([BATCH])
    assert len(result.papers) == 3
    assert sum(1 for p in result.papers if p.abstract) == 3
    assert [(s.reason, s.record) for s in result.skipped] == [("paper not found (null entry)", 1)]


def test_samples_are_sniffed_as_s2() -> None:
    assert detect_format(BATCH) == "s2"
    assert detect_format(WITH_CITATIONS) == "s2"


def test_nested_citations_are_not_papers() -> None:
    result = read_papers([WITH_CITATIONS])
    assert [p.title for p in result.papers] == ["Computing Machinery and Intelligence"]
    paper = result.papers[0]
    assert paper.authors == ["A. Turing"]
    assert (paper.date, paper.year) == ("1950-10-01", 1950)
    assert paper.doi == "10.1093/mind/lix.236.433"
    assert paper.venue == "The Philosophy of Artificial Intelligence"


def test_metadata_is_kept() -> None:
    first = read_papers([BATCH]).papers[0]
    assert first.title == "How Much Should We Trust Differences-in-Differences Estimates?"
    assert first.authors == ["Marianne Bertrand", "E. Duflo", "S. Mullainathan"]
    assert (first.date, first.year) == ("2001-10-01", 2001)
    assert first.doi == "10.2139/ssrn.288970"
    assert first.venue == "Experimental & Empirical Studies eJournal"  # "venue" is empty: the journal's name
    assert first.url == "https://www.semanticscholar.org/paper/c31c87c591a25c64fbaa82e8ac6a81831b6ac7ce"
    assert first.source.record == 2


def test_data_pages_and_citation_pages(tmp_path: Path) -> None:
    path = tmp_path / "page.json"
    path.write_text(json.dumps({"offset": 0, "next": 2, "data": [
        {"contexts": [], "citingPaper": {"paperId": "a", "title": "A citing paper", "year": 2021,
                                         "externalIds": {"ArXiv": "2101.00001"}}},
        {"paperId": "b", "title": "A plain entry", "abstract": None, "authors": [{"authorId": None, "name": "J. Doe"}]},
    ]}))
    papers = list(iter_file(path)[1])
    assert [(p.title, p.arxiv_id, p.year, p.abstract) for p in papers] == [
        ("A citing paper", "2101.00001", 2021, ""), ("A plain entry", None, None, "")]
    assert papers[1].authors == ["J. Doe"]


def test_json_lines_of_papers(tmp_path: Path) -> None:
    path = tmp_path / "papers.jsonl"
    path.write_text('{"paperId": "a", "title": "One"}\n\n{"paperId": "b", "title": "Two"}\n{"paperId": "c", "tit\n')
    assert detect_format(path) == "s2"
    ctx, records = iter_file(path)
    assert [p.title for p in records] == ["One", "Two"]
    assert [s.line for s in ctx.skipped] == [4]


def test_truncated_batch_is_invalid_json_with_line(tmp_path: Path) -> None:
    path = tmp_path / "cut.json"
    path.write_text(json.dumps(json.loads(BATCH.read_text()), indent=2)[:3000])
    with pytest.raises(InputError, match=r"cut\.json, line \d+: invalid JSON") as error:
        list(iter_file(path)[1])
    assert error.value.line > 1


def test_error_response_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "error.json"
    path.write_text('{"error": "Paper with id 123 not found"}')
    with pytest.raises(InputError, match="Semantic Scholar error response: Paper with id 123 not found"):
        list(iter_file(path, "s2")[1])
