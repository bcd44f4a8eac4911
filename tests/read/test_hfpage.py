"""The Hugging Face Daily Papers page reader on the four real seed pages and small variants."""

from __future__ import annotations

import pytest

from kg.build import sample_inputs
from kg.read import detect_format, read_papers


@pytest.mark.parametrize(("index", "count"), [(0, 62), (1, 58), (2, 67), (3, 450)])
def test_each_seed_page_gives_its_papers(index, count):
    path = sample_inputs()[index]
    assert detect_format(path) == "hf-page"
    result = read_papers([path])
    assert len(result.papers) == count
    assert all(p.abstract for p in result.papers)
    assert not result.skipped


def test_all_seed_pages_together_give_584_distinct_papers():
    result = read_papers(sample_inputs())
    assert len(result.papers) == 584
    assert len({p.id for p in result.papers}) == 584
    # The first two pages share 53 papers: each share is reported as a merge.
    assert len(result.merges) == 53
    assert all(m.reason == "same id" or m.reason.startswith("same") for m in result.merges)


def test_page_chrome_never_becomes_a_paper():
    titles = {p.title for p in read_papers(sample_inputs()).papers}
    for chrome in ("new", "Subscribe", "Daily Papers", "byAK and the research community", "Nov 10"):
        assert chrome not in titles


def test_title_glued_to_subscribe_is_repaired():
    papers = read_papers([sample_inputs()[3]]).papers
    assert papers[0].title.startswith("Synergistic Integration of Large Language Models")


PAGE = """new

Get trending papers in your email inbox!

Subscribe

Daily Papers

byAK and the research community

Nov 10

LongWriter: Unleashing 10,000+ Word Generation from Long Context LLMs

Current long context large language models (LLMs) can process inputs up to 100,000 tokens.

  • 9 authors
·
Aug 13, 2024 6

Densing Law of LLMs

Large Language Models (LLMs) have emerged as a milestone in artificial intelligence.

openbmb OpenBMB
·
Dec 5, 2024 2

CASTILLO: Characterizing Response Length Distributions of Large Language Models

Efficiently managing compute resources for LLM inference remains challenging.

  • 3 authors
·
May 22
"""


def test_metadata_lines_are_read(write):
    papers = read_papers([write("page.txt", PAGE)]).papers
    assert [p.title.split(":")[0] for p in papers] == ["LongWriter", "Densing Law of LLMs", "CASTILLO"]
    longwriter, densing, castillo = papers
    assert (longwriter.n_authors, longwriter.date, longwriter.year, longwriter.upvotes) == (9, "2024-08-13", 2024, 6)
    assert (densing.organisation, densing.date, densing.upvotes) == ("openbmb OpenBMB", "2024-12-05", 2)
    # A date without a year keeps its text.
    assert (castillo.date, castillo.year, castillo.upvotes) == ("May 22", None, None)


def test_layout_without_blank_lines(write):
    text = "\n".join(line for line in PAGE.splitlines() if line.strip())
    papers = read_papers([write("dense.txt", text)]).papers
    assert len(papers) == 3
    assert papers[1].abstract.startswith("Large Language Models (LLMs)")
