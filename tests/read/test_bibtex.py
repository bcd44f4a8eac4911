"""BibTeX files."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.read import detect_format, iter_file, read_papers
from kg.read.bibtex import tex_to_text

DATA = Path(__file__).resolve().parents[1] / "data" / "read"
SAMPLE = DATA / "mendeley.bib"


def _by_title(title: str):
    return next(p for p in read_papers([SAMPLE]).papers if p.title == title)


def test_sample_gives_227_papers_52_with_abstracts() -> None:
    result = read_papers([SAMPLE])
    assert result.inputs[0].records == 229
    assert len(result.papers) == 227
    assert sum(1 for p in result.papers if p.abstract) == 52
    assert result.skipped == []


def test_sample_is_sniffed_as_bibtex() -> None:
    assert detect_format(SAMPLE) == "bibtex"


def test_placeholder_abstracts_are_dropped_but_papers_kept() -> None:
    assert _by_title("Mean Entropy of States in Quantum-Statistical Mechanics").abstract == ""  # "lanford68"
    assert _by_title("Entropy Inequalities").abstract == ""  # "."


def test_metadata_is_kept() -> None:
    renes = _by_title("Operationally-Motivated Uncertainty Relations for Joint Measurability and the "
                      "Error-Disturbance Tradeoff")
    assert renes.authors == ["Joseph M. Renes", "Volkher B. Scholz"]
    assert renes.arxiv_id == "1402.6711" and renes.id == "arxiv:1402.6711"
    assert (renes.date, renes.year) == ("2014-02", 2014)
    assert renes.url == "http://arxiv.org/abs/1402.6711"
    assert renes.abstract.startswith("We derive new Heisenberg-type uncertainty relations")
    dammeier = _by_title("Uncertainty Relations for Angular Momentum")
    assert dammeier.authors == ["Lars Dammeier", "René Schwonnek", "Reinhard F Werner"]
    assert dammeier.doi == "10.1088/1367-2630/17/9/093046"
    assert dammeier.venue == "New Journal of Physics"
    assert (dammeier.date, dammeier.year) == ("2015-09", 2015)
    diqkd = _by_title("Device-Independent Quantum Key Distribution with Commuting Measurements")
    assert diqkd.keywords == ["Cryptography and Security", "Quantum Physics"]


def test_latex_is_made_readable() -> None:
    titles = {p.title for p in read_papers([SAMPLE]).papers}
    assert "Rényi Entropy and the Uncertainty Relations" in titles
    assert not any("{" in t or "}" in t or "\\" in t for t in titles)
    assert tex_to_text(r"R$\backslash$'enyi {\$}\backslashrho{\_}{\{}AB{\}}{\$}") == r"Rényi $\rho_AB$"
    assert tex_to_text(r"{\c{C}}a{\u{g}}lar \emph{et al.} 50\% {\L}ukasz") == "Çağlar et al. 50% Łukasz"


def test_edge_cases(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text(r"""% exported by hand
@string{nat = "Nature"}
@article{good,
  title = {{A {GPU} Study}},
  author = {{Barnes and Noble} and Doe, Jane and others},
  journal = nat,
  year = 2020, month = mar,
  eprint = {2003.01234}, archivePrefix = {arXiv},
  keywords = {gpu; benchmarks}
}
@article{notitle, author = {Doe, J.}, year = {2001}}
@article{broken, title = {Never closed
@inproceedings{after, title = "Read after the broken one", booktitle = {Proc. of Things}, date = {2019-06-03}}
""")
    ctx, records = iter_file(path)
    papers = list(records)
    assert [p.title for p in papers] == ["A GPU Study", "Read after the broken one"]
    good, after = papers
    assert good.authors == ["Barnes and Noble", "Jane Doe"]
    assert (good.venue, good.year, good.date, good.arxiv_id) == ("Nature", 2020, "2020-03", "2003.01234")
    assert good.keywords == ["gpu", "benchmarks"]
    assert (after.venue, after.date, after.year) == ("Proc. of Things", "2019-06-03", 2019)
    reasons = [(s.reason.split(":")[0], s.line) for s in ctx.skipped]
    assert reasons == [("record has no title", 11), ("BibTeX entry could not be parsed", 12)]


@pytest.mark.parametrize("text", ["@article{a,\n title={x}\n}\n", "% comment\n\n@inproceedings {key-1 ,\n"])
def test_sniffing_finds_entries(tmp_path: Path, text: str) -> None:
    path = tmp_path / "x.txt"
    path.write_text(text)
    assert detect_format(path) == "bibtex"
