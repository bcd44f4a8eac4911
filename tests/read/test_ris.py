"""RIS files."""

from __future__ import annotations

from pathlib import Path

from kg.read import detect_format, iter_file, read_papers

DATA = Path(__file__).resolve().parents[1] / "data" / "read"
SAMPLE = DATA / "papers.ris"


def test_fixture_counts_and_skips() -> None:
    result = read_papers([SAMPLE])
    assert [p.title for p in result.papers] == [
        "Deep learning", "Attention Is All You Need", "Deep Residual Learning for Image Recognition",
        "Long Short-Term Memory"]
    assert sum(1 for p in result.papers if p.abstract) == 3
    assert [(s.reason, s.line) for s in result.skipped] == [("record has no title", 70)]


def test_fixture_is_sniffed_as_ris() -> None:
    assert detect_format(SAMPLE) == "ris"


def test_metadata_is_kept() -> None:
    deep, attention, resnet, lstm = read_papers([SAMPLE]).papers
    assert deep.authors == ["Yann LeCun", "Yoshua Bengio", "Geoffrey Hinton"]
    assert (deep.date, deep.year, deep.doi, deep.venue) == ("2015-05-28", 2015, "10.1038/nature14539", "Nature")
    assert deep.keywords == ["Computer science", "Mathematics and computing"]
    assert deep.url == "https://www.nature.com/articles/nature14539"
    # continuation lines join the abstract; ";" separates keywords; an arXiv URL gives the id
    assert "recurrent or convolutional neural networks" in attention.abstract
    assert attention.keywords == ["machine translation", "attention"]
    assert (attention.arxiv_id, attention.date, attention.year) == ("1706.03762", None, 2017)
    assert attention.authors[6] == "Łukasz Kaiser"
    # T1 / N2 / A1 / Y1 / JO
    assert resnet.abstract.startswith("Deeper neural networks are more difficult to train.")
    assert resnet.authors[0] == "Kaiming He"
    assert (resnet.date, resnet.doi) == ("2016-06-27", "10.1109/cvpr.2016.90")
    assert resnet.venue == "2016 IEEE Conference on Computer Vision and Pattern Recognition (CVPR)"
    assert (lstm.abstract, lstm.venue, lstm.date) == ("", "Neural Computation", "1997-11-15")


def test_truncated_last_record_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "cut.ris"
    text = SAMPLE.read_text(encoding="utf-8")
    path.write_text(text[: text.index("PY  - 2017")], encoding="utf-8")
    ctx, records = iter_file(path)
    assert [p.title for p in records] == ["Deep learning"]
    assert [(s.reason, s.line) for s in ctx.skipped] == [("record has no ER line (truncated file?)", 22)]
