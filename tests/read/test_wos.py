"""Web of Science plain-text exports."""

from __future__ import annotations

from pathlib import Path

from kg.read import detect_format, iter_file, read_papers

DATA = Path(__file__).resolve().parents[1] / "data" / "read"
SAMPLE = DATA / "wos_savedrecs.txt"


def test_fixture_counts_and_skips() -> None:
    result = read_papers([SAMPLE])
    assert len(result.papers) == 3
    assert sum(1 for p in result.papers if p.abstract) == 2
    assert [(s.reason, s.line) for s in result.skipped] == [("record has no title", 73)]


def test_fixture_is_sniffed_as_wos() -> None:
    assert detect_format(SAMPLE) == "wos"


def test_metadata_is_kept() -> None:
    deep, overview, lstm = read_papers([SAMPLE]).papers
    assert deep.authors == ["Yann LeCun", "Yoshua Bengio", "Geoffrey Hinton"]  # AF, not AU
    assert (deep.date, deep.year, deep.doi, deep.venue) == ("2015-05-28", 2015, "10.1038/nature14539", "NATURE")
    assert deep.keywords == ["NEURAL-NETWORKS", "BACKPROPAGATION", "RECOGNITION"]
    # continuation lines: the title goes on, the keywords too; the copyright line is dropped
    assert overview.title == "Deep learning in neural networks: An overview"
    assert overview.keywords[:4] == ["Deep learning", "Supervised learning", "Unsupervised learning",
                                     "Reinforcement learning"]
    assert overview.abstract.endswith("much of it from the previous millennium.")
    assert overview.date == "2015-01"
    assert (lstm.abstract, lstm.authors, lstm.date) == ("", ["S Hochreiter", "J Schmidhuber"], "1997-11-15")


def test_truncated_last_record_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "cut.txt"
    text = SAMPLE.read_text(encoding="utf-8-sig")
    path.write_text(text[: text.index("PD JAN")], encoding="utf-8")
    ctx, records = iter_file(path)
    assert [p.title for p in records] == ["Deep learning"]
    assert [(s.reason, s.line) for s in ctx.skipped] == [("record has no ER line (truncated file?)", 33)]


def test_header_less_export_is_sniffed(tmp_path: Path) -> None:
    path = tmp_path / "records.txt"
    path.write_text("PT J\nTI One\nER\n")
    assert detect_format(path) == "wos"
    assert [p.title for p in iter_file(path)[1]] == ["One"]
