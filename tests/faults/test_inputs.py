"""Broken inputs through the real commands: one error line for a broken document, named skips for broken records.

A JSON document cut short (a truncated download) makes the whole file
unreadable: ``kg ingest`` and ``kg build`` exit 1 with one ``Error: <path>,
line N: invalid JSON: …`` line and write nothing.  In JSON Lines a broken line
is skipped and named (file and line) in ``report.json`` and the good lines are
built; ``--strict`` turns the first skip into one error line instead.  Records
over the size limits: ``test_limits.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main

DATA = Path(__file__).resolve().parents[1] / "data" / "read"


def kg(*args: str):
    """Run the CLI in-process; ``result.stdout`` and ``result.stderr`` are kept apart."""
    return CliRunner().invoke(main, [str(a) for a in args])


def json_error(text: str) -> json.JSONDecodeError:
    with pytest.raises(json.JSONDecodeError) as caught:
        json.loads(text)
    return caught.value


def truncated_message(path: Path) -> str:
    """The one line ``kg`` prints for a JSON document that stops short (computed from ``json`` itself)."""
    exc = json_error(path.read_text(encoding="utf-8"))
    return (f"Error: {path}, line {exc.lineno}: invalid JSON: {exc.msg} (column {exc.colno}); "
            "is the file truncated?\n")


def _cut_in_half(source: Path, target: Path, *, indent: int | None) -> Path:
    text = source.read_text(encoding="utf-8")
    if indent is not None:
        text = json.dumps(json.loads(text), indent=indent, ensure_ascii=False)
    target.write_text(text[: len(text) // 2], encoding="utf-8")
    return target


TRUNCATED = [
    ("openalex_works.json", None),  # the API response as saved: one line
    ("openalex_works.json", 2),  # pretty-printed: the error is on a later line
    ("s2_batch.json", None),
    ("s2_batch.json", 2),
]


@pytest.mark.parametrize(("sample", "indent"), TRUNCATED)
def test_a_truncated_json_document_is_one_error_line(tmp_path, sample, indent):
    path = _cut_in_half(DATA / sample, tmp_path / f"cut-{indent}-{sample}", indent=indent)
    expected = truncated_message(path)
    if indent is not None:
        assert ", line 1:" not in expected  # the line named is where parsing stopped
    written = tmp_path / "papers.jsonl"
    result = kg("ingest", path, "-o", written)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", expected)
    assert not written.exists()  # nothing half-written
    out = tmp_path / "output"
    result = kg("build", path, "-o", out, "-j", "1")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", expected)
    assert not out.exists() and not list(tmp_path.glob(".output.staging-*"))


def test_a_truncated_document_leaves_a_previous_build_as_it_was(tmp_path):
    out = tmp_path / "output"
    out.mkdir()
    (out / "report.json").write_text('{"papers": 1}\n')
    path = _cut_in_half(DATA / "s2_batch.json", tmp_path / "cut.json", indent=None)
    result = kg("build", path, "-o", out)
    assert result.exit_code == 1 and result.stderr == truncated_message(path)
    assert [p.name for p in out.iterdir()] == ["report.json"]
    assert (out / "report.json").read_text() == '{"papers": 1}\n'


# --- JSON Lines with a broken line among good ones ------------------------------------------

GOOD = [
    {"id": "good-1", "title": "Low-Rank Adaptation of Large Language Models",
     "abstract": "We fine-tune GPT-4 with LoRA on GSM8K and report accuracy."},
    {"id": "good-2", "title": "BERT for question answering", "abstract": "BERT is evaluated on SQuAD with F1."},
    {"id": "good-3", "title": "Residual networks", "abstract": "ResNet-50 is trained on ImageNet."},
]
BROKEN_LINE = '{"id": "cut", "title": "Half a rec'


def mixed_lines() -> list[str]:
    """Three good papers around a broken line, a blank line and a line that is not an object."""
    return [
        json.dumps(GOOD[0]),
        json.dumps(GOOD[1]),
        BROKEN_LINE,  # line 3
        "",  # line 4: blank lines are not records
        json.dumps(GOOD[2]),
        "[1, 2, 3]",  # line 6
    ]


def expected_skips(path: Path) -> list[dict]:
    exc = json_error(BROKEN_LINE)
    return [
        {"file": str(path), "line": 3, "reason": f"invalid JSON: {exc.msg} (column {exc.colno})"},
        {"file": str(path), "line": 6, "reason": "line is not a JSON object"},
    ]


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    root = tmp_path_factory.mktemp("mixed")
    path = root / "mixed.jsonl"
    path.write_text("\n".join(mixed_lines()) + "\n", encoding="utf-8")
    out = root / "output"
    result = kg("build", path, "-o", out, "-j", "1")
    assert result.exit_code == 0, result.output
    return {"path": path, "out": out, "result": result,
            "report": json.loads((out / "report.json").read_text(encoding="utf-8"))}


def test_a_broken_line_is_skipped_named_and_the_good_ones_built(mixed):
    report, path = mixed["report"], mixed["path"]
    assert report["papers"] == 3 and report["extraction"]["extracted"] == 3
    assert report["skipped"] == expected_skips(path)
    assert report["inputs"] == [{"file": str(path), "format": "jsonl", "records": 3, "skipped": 2,
                                 "decode_errors": 0}]
    papers = (mixed["out"] / "papers.csv").read_text(encoding="utf-8")
    assert all(p["id"] in papers for p in GOOD) and "cut" not in papers
    assert "(2 records skipped, 0 merged)" in mixed["result"].stdout and mixed["result"].stderr == ""


def test_strict_turns_the_first_skip_into_one_error_line(tmp_path, mixed):
    path = mixed["path"]
    exc = json_error(BROKEN_LINE)
    line = f"Error: {path}, line 3: invalid JSON: {exc.msg} (column {exc.colno}) (--strict)\n"
    out = tmp_path / "output"
    result = kg("build", path, "-o", out, "--strict")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", line)
    assert not out.exists()
    result = kg("ingest", path, "--strict")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", line)


def test_ingest_prints_the_good_papers_and_counts_the_skips(mixed):
    result = kg("ingest", mixed["path"])
    assert result.exit_code == 0
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["good-1", "good-2", "good-3"]
    first = expected_skips(mixed["path"])[0]
    assert result.stderr == f"2 record(s) skipped; first: {mixed['path']}, line {first['line']}: {first['reason']}\n"


def test_a_truncated_json_lines_dump_skips_only_its_last_line(tmp_path):
    """An S2 or OpenAlex bulk dump (JSON Lines) cut mid-record: the earlier records are read."""
    works = json.loads((DATA / "openalex_works.json").read_text(encoding="utf-8"))["results"][:5]
    text = "".join(json.dumps(w) + "\n" for w in works)
    path = tmp_path / "works.jsonl"
    path.write_text(text[: len(text) - len(json.dumps(works[-1])) // 2], encoding="utf-8")
    whole = tmp_path / "first4.jsonl"
    whole.write_text("".join(json.dumps(w) + "\n" for w in works[:4]), encoding="utf-8")
    result = kg("ingest", path)
    assert result.exit_code == 0
    ids = [json.loads(line)["id"] for line in result.stdout.splitlines()]
    assert ids and ids == [json.loads(line)["id"] for line in kg("ingest", whole).stdout.splitlines()]
    assert result.stderr.startswith(f"1 record(s) skipped; first: {path}, line 5: invalid JSON: ")
    exc = json_error(path.read_text(encoding="utf-8").splitlines()[4])
    result = kg("ingest", path, "--strict")
    assert (result.exit_code, result.stderr) == (
        1, f"Error: {path}, line 5: invalid JSON: {exc.msg} (column {exc.colno}) (--strict)\n")
