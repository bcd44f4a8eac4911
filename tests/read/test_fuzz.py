"""Property tests: whatever the bytes, a reader yields papers or raises InputError — nothing else.

Every reader is fed random bytes, and truncated or mutated copies of the real
samples and fixtures of every format (a reader also meets other formats'
files when the user passes the wrong ``-f``).
"""

from __future__ import annotations

import contextlib
import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.errors import InputError
from kg.read import READERS, detect_format, iter_file
from kg.records import Paper

DATA = Path(__file__).resolve().parents[1] / "data" / "read"
SEED_PAGE = Path(__file__).resolve().parents[2] / "kg" / "data" / "seeds" / "000_1308f4ad2165222f.txt"


def _small_samples() -> dict[str, bytes]:
    """Whole, small documents of every format (mutations then break them in every place)."""
    atom = (DATA / "arxiv_atom_100.xml").read_text(encoding="utf-8")
    third_entry_end = [m.end() for m in re.finditer("</entry>", atom)][2]
    openalex = json.loads((DATA / "openalex_works.json").read_text(encoding="utf-8"))
    openalex["results"] = openalex["results"][:2]
    bib = (DATA / "mendeley.bib").read_text(encoding="utf-8")
    samples = {
        "arxiv-atom": (atom[:third_entry_end] + "\n</feed>\n").encode(),
        "openalex": json.dumps(openalex, indent=1).encode(),
        "bibtex": bib[: bib.index("@", 6000)].encode(),
        "hf-page": SEED_PAGE.read_bytes()[:6000],
    }
    for name in ("s2_batch.json", "papers.jsonl", "papers.ris", "wos_savedrecs.txt", "scopus.csv", "papers.csv"):
        samples[name] = (DATA / name).read_bytes()
    return samples


SAMPLES = _small_samples()
FORMATS = list(READERS)


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz") / "input"


def _read_all(path: Path, fmt: str) -> None:
    try:
        _ctx, records = iter_file(path, fmt)
        for paper in records:
            assert isinstance(paper, Paper)
            assert paper.title or paper.abstract
    except InputError:
        pass


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(SAMPLES[draw(st.sampled_from(sorted(SAMPLES)))])
    for _ in range(draw(st.integers(0, 4))):
        where = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["truncate", "delete", "insert", "duplicate"]))
        if action == "truncate":
            del data[where:]
        elif action == "delete":
            del data[where:where + draw(st.integers(1, 200))]
        elif action == "insert":
            data[where:where] = draw(st.binary(min_size=1, max_size=20)
                                     | st.sampled_from([b"\n", b"{", b"}", b"[", b'"', b"<", b"@", b",", b"\x00",
                                                        b"\xff", b"null", b"TY  - ", b"ER  - ", b"PT J\n", b"ER\n"]))
        else:
            end = min(len(data), where + draw(st.integers(1, 500)))
            data[where:where] = data[where:end]
    return bytes(data)


FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.mark.parametrize("fmt", FORMATS)
@FUZZ
@given(content=st.binary(max_size=3000))
def test_random_bytes(fmt: str, content: bytes, target: Path) -> None:
    target.write_bytes(content)
    _read_all(target, fmt)


@pytest.mark.parametrize("fmt", FORMATS)
@FUZZ
@given(content=mutated())
def test_mutated_samples(fmt: str, content: bytes, target: Path) -> None:
    target.write_bytes(content)
    _read_all(target, fmt)


@FUZZ
@given(content=mutated() | st.binary(max_size=3000))
def test_detect_format_names_a_reader_or_raises_input_error(content: bytes, target: Path) -> None:
    target.write_bytes(content)
    with contextlib.suppress(InputError):
        assert detect_format(target) in READERS


# Inputs that once broke a reader (found by fuzzing), kept as regression cases.
NASTY = [
    ("jsonl", b'{"title": "A", "year": 1e999, "upvotes": -1e999}\n'),
    ("arxiv-atom", b'<?xml version="1.0" encoding="UTF-81e999"?><feed xmlns="http://www.w3.org/2005/Atom"/>'),
    ("openalex", b'{"results": [{"title": "A", "publication_year": 1e999, "abstract_inverted_index": '
                 b'{"a": [1e999, 99999999999999999999]}}]}'),
    ("s2", b'[' * 50_000),
    ("csv", b"\x01\r\x01"),
    ("s2", b'{"paperId": "a", "x": ' + b'[' * 50_000 + b']' * 50_000 + b'}'),
]


@pytest.mark.parametrize(("fmt", "content"), NASTY)
def test_known_nasty_inputs(fmt: str, content: bytes, tmp_path: Path) -> None:
    path = tmp_path / "nasty"
    path.write_bytes(content)
    with contextlib.suppress(InputError):
        detect_format(path)
    _read_all(path, fmt)
