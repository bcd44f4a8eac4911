"""Scopus CSV exports."""

from __future__ import annotations

from pathlib import Path

from kg.read import detect_format, iter_file, read_papers

DATA = Path(__file__).resolve().parents[1] / "data" / "read"
SAMPLE = DATA / "scopus.csv"


def test_fixture_counts_and_skips() -> None:
    result = read_papers([SAMPLE])
    assert len(result.papers) == 3
    assert sum(1 for p in result.papers if p.abstract) == 2  # "[No abstract available]" is no abstract
    assert [(s.reason, s.line) for s in result.skipped] == [("record has no title", 6)]


def test_fixture_is_sniffed_as_scopus_before_csv() -> None:
    assert detect_format(SAMPLE) == "scopus-csv"


def test_metadata_is_kept() -> None:
    overview, deep, lstm = read_papers([SAMPLE]).papers
    assert overview.authors == ["Jürgen Schmidhuber"]  # from "Author full names", id dropped
    assert overview.abstract.endswith("much of it from the previous millennium.")  # © line dropped
    assert (overview.year, overview.doi, overview.venue) == (2015, "10.1016/j.neunet.2014.09.003", "Neural Networks")
    assert overview.keywords[0] == "Deep learning" and "Neural Networks, Computer" in overview.keywords
    assert overview.url.startswith("https://www.scopus.com/inward/record.uri?eid=2-s2.0-84910651844")
    assert deep.authors == ["Yann LeCun", "Yoshua Bengio", "Geoffrey Hinton"]
    assert "abstraction. These methods" in deep.abstract  # a quoted newline inside the cell
    assert lstm.abstract == ""


def test_older_export_authors(tmp_path: Path) -> None:
    path = tmp_path / "scopus.csv"
    path.write_text('Authors,Title,Year,Source title,Link,Abstract\n'
                    '"Smith J., Doe A.B.",A title,2010,A Journal,https://www.scopus.com/x,An abstract.\n')
    assert detect_format(path) == "scopus-csv"
    paper = next(iter_file(path)[1])
    assert (paper.authors, paper.year, paper.venue) == (["Smith J.", "Doe A.B."], 2010, "A Journal")
