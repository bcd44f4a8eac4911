"""arXiv API Atom feeds."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.errors import InputError
from kg.read import detect_format, iter_file, read_papers

DATA = Path(__file__).resolve().parents[1] / "data" / "read"
SAMPLE = DATA / "arxiv_atom_100.xml"

FEED = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">
  <title>arXiv Query</title>
{entries}
</feed>
"""


def _feed(tmp_path: Path, entries: str) -> Path:
    path = tmp_path / "feed.xml"
    path.write_text(FEED.format(entries=entries), encoding="utf-8")
    return path


def test_sample_gives_100_papers_all_with_abstracts() -> None:
    result = read_papers([SAMPLE])
    assert len(result.papers) == 100
    assert sum(1 for p in result.papers if p.abstract) == 100
    assert result.skipped == []


def test_sample_is_sniffed_as_arxiv_atom() -> None:
    assert detect_format(SAMPLE) == "arxiv-atom"


def test_metadata_is_kept() -> None:
    first = read_papers([SAMPLE]).papers[0]
    assert first.id == "arxiv:2202.12139"
    assert first.arxiv_id == "2202.12139"
    assert first.title == "Testing Deep Learning Models: A First Comparative Study of Multiple Testing Techniques"
    assert first.authors == ["Mohit Kumar Ahuja", "Arnaud Gotlieb", "Helge Spieker"]
    assert first.n_authors == 3
    assert (first.date, first.year) == ("2022-02-24", 2022)
    assert first.doi == "10.1109/icstw55395.2022.00035"
    assert first.keywords == ["cs.SE", "cs.LG"]
    assert first.url == "https://arxiv.org/abs/2202.12139v1"
    assert first.venue.startswith("Artificial Intelligence in Software Testing")
    assert first.source.format == "arxiv-atom" and first.source.record == 1


def test_entry_without_title_is_skipped_and_without_summary_kept(tmp_path: Path) -> None:
    path = _feed(tmp_path, """
  <entry><id>http://arxiv.org/abs/2401.00001v2</id><title>  A   paper
     without   abstract </title><published>2024-01-01T00:00:00Z</published></entry>
  <entry><id>http://arxiv.org/abs/2401.00002v1</id><title></title><summary>Orphan text.</summary></entry>
""")
    ctx, records = iter_file(path)
    papers = list(records)
    assert [(p.id, p.title, p.abstract, p.date) for p in papers] == [
        ("arxiv:2401.00001", "A paper without abstract", "", "2024-01-01")]
    assert [(s.reason, s.record) for s in ctx.skipped] == [("record has no title", 2)]


def test_truncated_feed_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "cut.xml"
    path.write_bytes(SAMPLE.read_bytes()[:20_000])
    with pytest.raises(InputError, match=r"cut\.xml, line \d+: broken XML") as error:
        list(iter_file(path, "arxiv-atom")[1])
    assert error.value.line is not None and error.value.line > 1


def test_entities_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "xxe.xml"
    path.write_text('<?xml version="1.0"?>\n<!DOCTYPE feed [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
                    '<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&xxe;</title></entry></feed>')
    with pytest.raises(InputError, match="XML refused"):
        list(iter_file(path, "arxiv-atom")[1])


def test_api_error_feed_is_an_input_error(tmp_path: Path) -> None:
    path = _feed(tmp_path, """
  <entry><id>http://arxiv.org/api/errors#incorrect_id_format_for_1234.1</id><title>Error</title>
  <summary>incorrect id format for 1234.1</summary></entry>""")
    with pytest.raises(InputError, match="arXiv API returned an error: incorrect id format"):
        list(iter_file(path)[1])


def test_other_xml_is_not_an_atom_feed(tmp_path: Path) -> None:
    path = tmp_path / "rss.xml"
    path.write_text('<?xml version="1.0"?><rss version="2.0"><channel/></rss>')
    with pytest.raises(InputError, match="not an Atom feed"):
        list(iter_file(path, "arxiv-atom")[1])


@pytest.mark.parametrize("encoding", ["UTF-8x", "utf-32", "rot13"])
def test_unusable_declared_encoding_is_an_input_error(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "enc.xml"
    path.write_text(f'<?xml version="1.0" encoding="{encoding}"?>\n'
                    '<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>x</title></entry></feed>')
    with pytest.raises(InputError, match="broken XML"):
        list(iter_file(path, "arxiv-atom")[1])
