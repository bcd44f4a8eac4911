"""Synthetic corpora for the benchmarks: N papers recombined from the seed pages.

Each paper gets a title made of three seed-title halves and an abstract of 4–9
seed sentences, drawn with a fixed seed, so the same N always gives the same
corpus and its text looks like the real thing to spaCy.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

from kg.build import sample_inputs
from kg.read import read_papers

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def _pools() -> tuple[list[str], list[str], list[str]]:
    papers = read_papers(sample_inputs()).papers
    heads, tails, sentences = [], [], []
    for paper in papers:
        words = paper.title.split()
        cut = max(1, len(words) // 2)
        heads.append(" ".join(words[:cut]))
        tails.append(" ".join(words[cut:]) or words[-1])
        sentences.extend(s for s in _SENTENCE_END.split(paper.abstract) if len(s) > 20)
    return heads, tails, sentences


def write_corpus(path: str | Path, n: int, *, seed: int = 13, offset: int = 0) -> Path:
    """Write ``n`` papers as JSON Lines (ids ``s<offset+i>``); returns the path."""
    heads, tails, sentences = _pools()
    rng = random.Random(seed + offset)
    path = Path(path)
    with path.open("w", encoding="utf-8") as handle:
        for i in range(offset, offset + n):
            title = f"{rng.choice(heads)} {rng.choice(tails)}: {rng.choice(heads)}"
            abstract = " ".join(rng.sample(sentences, rng.randint(4, 9)))
            handle.write(json.dumps({"id": f"s{i}", "title": title, "abstract": abstract}) + "\n")
    return path


if __name__ == "__main__":
    import sys

    print(write_corpus(sys.argv[1], int(sys.argv[2])))
