"""Sniffing across formats: every sample is told apart, and JSON is never mistaken for JSON Lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.errors import InputError
from kg.read import READERS, detect_format, read_papers

DATA = Path(__file__).resolve().parents[1] / "data" / "read"

EXPECTED = {
    "arxiv_atom_100.xml": "arxiv-atom",
    "openalex_works.json": "openalex",
    "s2_batch.json": "s2",
    "s2_paper_with_citations.json": "s2",
    "papers.jsonl": "jsonl",
    "wos_savedrecs.txt": "wos",
    "papers.ris": "ris",
    "mendeley.bib": "bibtex",
    "scopus.csv": "scopus-csv",
    "papers.csv": "csv",
}


def test_sniffing_order() -> None:
    assert list(READERS) == ["hf-page", "arxiv-atom", "openalex", "s2", "jsonl", "wos", "ris", "bibtex",
                             "scopus-csv", "csv"]


@pytest.mark.parametrize(("name", "fmt"), sorted(EXPECTED.items()))
def test_every_sample_is_detected(name: str, fmt: str, tmp_path: Path) -> None:
    assert detect_format(DATA / name) == fmt
    # content decides, not the extension
    renamed = tmp_path / "input.txt"
    renamed.write_bytes((DATA / name).read_bytes())
    if fmt != "csv":
        assert detect_format(renamed) == fmt


def test_pretty_printed_json_is_not_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "papers.json"
    path.write_text('{\n  "title": "A paper",\n  "abstract": "Its abstract."\n}\n')
    with pytest.raises(InputError, match=r"neither an OpenAlex nor a Semantic Scholar response.*-f jsonl"):
        detect_format(path)
    listed = tmp_path / "list.json"
    listed.write_text('[{"title": "A paper"}]')
    with pytest.raises(InputError, match="neither an OpenAlex nor a Semantic Scholar"):
        read_papers([listed])


def test_json_lines_stay_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "mine.json"
    path.write_text('{"title": "One", "abstract": "A."}\n{"title": "Two", "abstract": "B."}\n')
    assert detect_format(path) == "jsonl"
    assert [p.title for p in read_papers([path]).papers] == ["One", "Two"]
