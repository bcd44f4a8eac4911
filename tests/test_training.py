"""training/prepare.py: which TDMSci lines are held out, selected on, and trained on, per fold."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
import spacy
from spacy.tokens import DocBin

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def prepare():
    spec = importlib.util.spec_from_file_location("prepare", REPO / "training" / "prepare.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def shared(tmp_path):
    """A tiny corpus in the shared layout: 60 TDMSci sentences, each naming its line number."""
    root = tmp_path / "eval"
    for name in ("scierc", "tdmsci"):
        (root / name).mkdir(parents=True)
    (root / "scierc" / "train.jsonl").write_text(json.dumps(
        {"id": "s", "text": "We parse text.", "entities": [{"start": 3, "end": 8, "label": "Task"}]}) + "\n")
    lines = []
    for n in range(1, 61):
        text = f"Line {n} reports BLEU."
        lines.append(json.dumps({"id": str(n), "text": text,
                                 "entities": [{"start": text.index("BLEU"), "end": len(text) - 1, "label": "METRIC"}]}))
    (root / "tdmsci" / "train.jsonl").write_text("\n".join(lines) + "\n")
    return root


@pytest.mark.parametrize("fold", [0, 1, 2, 3, 4])
def test_each_fold_holds_out_its_fifth_and_never_selects_on_it(prepare, shared, tmp_path, fold):
    out = tmp_path / f"fold{fold}"
    prepare.main(["--shared", str(shared), "--out", str(out), "--heldout-fold", str(fold),
                  "--scirex-sections", "none"])
    held = [int(json.loads(line)["id"]) for line in (out / "tdmsci_heldout.jsonl").read_text().splitlines()]
    assert held == [n for n in range(1, 61) if n % 5 == fold]
    nlp = spacy.blank("en")

    def tdmsci_lines(path):
        return {int(doc[1].text) for doc in DocBin().from_disk(path).get_docs(nlp.vocab) if doc[0].text == "Line"}

    dev, train = tdmsci_lines(out / "dev.spacy"), tdmsci_lines(out / "train.spacy")
    assert dev and not dev & set(held) and not dev & train
    assert dev | train | set(held) == set(range(1, 61))
