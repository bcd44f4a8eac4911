"""OpenAlex /works responses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.read import detect_format, iter_file, read_papers
from kg.read.openalex import rebuild_abstract

DATA = Path(__file__).resolve().parents[1] / "data" / "read"
SAMPLE = DATA / "openalex_works.json"


def _works() -> list[dict]:
    return json.loads(SAMPLE.read_text(encoding="utf-8"))["results"]


def test_sample_gives_47_papers_44_with_abstracts() -> None:
    result = read_papers([SAMPLE])
    assert result.inputs[0].records == 49
    assert len(result.papers) == 47
    assert sum(1 for p in result.papers if p.abstract) == 44
    assert [m.reason for m in result.merges] == ["same title", "same title"]


def test_sample_is_sniffed_as_openalex() -> None:
    assert detect_format(SAMPLE) == "openalex"


def test_abstract_is_rebuilt_in_word_order() -> None:
    assert rebuild_abstract({"learning": [1, 3], "Deep": [0], "is": [2]}) == "Deep learning is learning"
    assert rebuild_abstract(None) == ""
    assert rebuild_abstract({"odd": ["x", None, True], "ok": [0]}) == "ok"


def test_metadata_is_kept() -> None:
    first = read_papers([SAMPLE]).papers[0]
    assert first.title.startswith("Redefining climate regions in the United States")
    assert first.abstract.startswith("Existing climate classification has not been designed")
    assert first.doi == "10.4081/gh.2014.294" and first.id == "doi:10.4081/gh.2014.294"
    assert (first.date, first.year) == ("2014-12-01", 2014)
    assert first.authors == ["Alexander Liss", "Magaly Koch", "Elena N. Naumova"]
    assert first.venue == "Geospatial Health"
    assert first.keywords == ["Exposure Assessment"]
    assert first.url == "https://doi.org/10.4081/gh.2014.294"


def test_arxiv_id_comes_from_an_arxiv_location() -> None:
    papers = {p.title: p for p in read_papers([SAMPLE]).papers}
    fairness = next(p for t, p in papers.items() if t.startswith("Connecting Fairness in Machine Learning"))
    assert fairness.arxiv_id == "2304.04761"
    assert "doi:10.1109/ichi57859.2023.00127" in fairness.merged_ids  # the published article


@pytest.mark.parametrize("shape", ["list", "one", "lines", "pretty"])
def test_other_shapes(tmp_path: Path, shape: str) -> None:
    works = _works()[:2]
    path = tmp_path / "works.json"
    if shape == "list":
        path.write_text(json.dumps(works))
    elif shape == "one":
        path.write_text(json.dumps(works[0]))
    elif shape == "lines":
        path.write_text("\n".join(json.dumps(w) for w in works) + "\n")
    else:
        path.write_text(json.dumps({"meta": {}, "results": works}, indent=2))
    assert detect_format(path) == "openalex"
    papers = list(iter_file(path)[1])
    assert [p.doi for p in papers] == [w["doi"].removeprefix("https://doi.org/").lower() for w in works][:len(papers)]
    assert len(papers) == (1 if shape == "one" else 2)


def test_work_without_abstract_is_kept_and_junk_entries_skipped(tmp_path: Path) -> None:
    path = tmp_path / "works.json"
    path.write_text(json.dumps({"results": [
        {"id": "https://openalex.org/W1", "display_name": "Only a display name", "publication_year": 2020},
        None,
        {"id": "https://openalex.org/W2", "title": None},
    ]}))
    ctx, records = iter_file(path)
    papers = list(records)
    assert [(p.title, p.abstract, p.year, p.date) for p in papers] == [("Only a display name", "", 2020, None)]
    assert [(s.reason, s.record) for s in ctx.skipped] == [
        ("not an OpenAlex work (JSON null)", 2), ("record has no title", 3)]


def test_truncated_response_is_invalid_json_with_line(tmp_path: Path) -> None:
    path = tmp_path / "cut.json"
    path.write_text(json.dumps({"meta": {}, "results": _works()[:3]}, indent=1)[:5000])
    with pytest.raises(InputError, match=r"cut\.json, line \d+: invalid JSON") as error:
        list(iter_file(path)[1])
    assert error.value.line > 1


def test_error_response_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "error.json"
    path.write_text('{"error": "Invalid query parameters error.", "message": "foo is not a valid field"}')
    with pytest.raises(InputError, match="OpenAlex error response: foo is not a valid field"):
        list(iter_file(path, "openalex")[1])
