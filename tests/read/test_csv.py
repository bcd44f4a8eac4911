"""Plain CSV / TSV tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.errors import InputError
from kg.read import detect_format, iter_file, read_papers

DATA = Path(__file__).resolve().parents[1] / "data" / "read"
SAMPLE = DATA / "papers.csv"


def test_fixture_counts_and_skips() -> None:
    result = read_papers([SAMPLE])
    assert [p.id for p in result.papers] == ["p1", "p2", "p3", "p5"]  # the file's own ids
    assert sum(1 for p in result.papers if p.abstract) == 3
    assert [(s.reason, s.line) for s in result.skipped] == [("record has no title", 6)]  # row p2 spans 2 lines


def test_fixture_is_sniffed_as_csv() -> None:
    assert detect_format(SAMPLE) == "csv"


def test_metadata_is_kept() -> None:
    bert, adam, dropout, _ = read_papers([SAMPLE]).papers
    assert bert.authors == ["Jacob Devlin", "Ming-Wei Chang", "Kenton Lee", "Kristina Toutanova"]
    assert (bert.year, bert.doi, bert.venue, bert.url) == (2019, "10.18653/v1/n19-1423", "NAACL-HLT",
                                                           "https://aclanthology.org/N19-1423")
    assert bert.keywords == ["language model", "pre-training"]
    assert adam.arxiv_id == "1412.6980"
    assert adam.abstract.endswith("functions, based on adaptive estimates of lower-order moments.")
    assert (dropout.abstract, dropout.venue) == ("", "JMLR")


def test_tab_and_semicolon_delimiters(tmp_path: Path) -> None:
    tsv = tmp_path / "papers.tsv"
    tsv.write_text("TITLE\tabstract\tDate\nA tab paper\tIts abstract, with a comma.\t2020-05-01\n")
    semi = tmp_path / "papers.csv"
    semi.write_text("Title;Abstract;Source\nA semicolon paper;Its abstract, with a comma.;Some Venue\n")
    [tab_paper] = read_papers([tsv]).papers
    assert (tab_paper.abstract, tab_paper.date, tab_paper.year) == ("Its abstract, with a comma.", "2020-05-01", 2020)
    [semi_paper] = read_papers([semi]).papers
    assert (semi_paper.title, semi_paper.venue) == ("A semicolon paper", "Some Venue")


def test_no_title_column_names_the_columns(tmp_path: Path) -> None:
    path = tmp_path / "table.csv"
    path.write_text("name,summary,year\na,b,2020\n")
    assert detect_format(path) == "csv"  # by extension: then told what is wrong
    with pytest.raises(InputError, match=r"table\.csv, line 1: no 'title' column; the columns are: "
                                         r"'name', 'summary', 'year'"):
        read_papers([path])


def test_broken_row_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_text('title,abstract\nok,fine\nhuge,"' + "x" * 200_000 + '"\n')
    with pytest.raises(InputError, match=r"big\.csv, line 3: broken CSV row"):
        list(iter_file(path)[1])
