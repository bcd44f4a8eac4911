"""Convert the shared annotated corpora into spaCy DocBins for ``spacy train``.

    python training/prepare.py [--shared ../shared/eval] [--out training/corpus]

Labels are mapped to kg's types:

* SciERC (train.jsonl only; dev.jsonl is kept for evaluation): Method → Method,
  Material → Dataset, Task → Task, Metric → Metric; OtherScientificTerm and
  Generic are dropped (their tokens are "outside").
* TDMSci: TASK, DATASET, METRIC → Task, Dataset, Metric.  Every 5th line
  (lines 5, 10, 15 … counting from 1) is held out for evaluation and written to
  ``tdmsci_heldout.jsonl``; it is never trained on.  ``--heldout-fold K`` (1–4)
  holds out lines K, K + 5, K + 10 … instead, to check a change on a fifth it
  was not chosen on.
* SciREX (full papers): Method → Method, Material → Dataset, Task → Task,
  Metric → Metric.  Papers are cut at blank lines into sections, sections into
  sentences (never inside an entity), and sentences grouped into chunks of about
  ``--chunk-words`` words.  ``--scirex-sections front`` keeps the title,
  abstract, introduction and conclusion only, the parts written like abstracts.

The model is chosen on ``dev.spacy``: every 10th SciERC train abstract and every
20th TDMSci sentence (lines 2, 22, 42 …; with fold 2, lines 3, 23, 43 …) —
neither SciERC dev nor the TDMSci held-out fifth is ever seen in training or
model selection.  Everything is deterministic: the same inputs give
byte-identical files.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

import spacy
from spacy.tokens import Doc, DocBin
from spacy.util import filter_spans

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.extract.acronyms import make_split_stops  # noqa: E402

LABEL_MAPS = {
    "scierc": {"Method": "Method", "Material": "Dataset", "Task": "Task", "Metric": "Metric"},
    "tdmsci": {"TASK": "Task", "DATASET": "Dataset", "METRIC": "Metric"},
    "scirex": {"Method": "Method", "Material": "Dataset", "Task": "Task", "Metric": "Metric"},
}
FRONT_SECTIONS = re.compile(r"^section: (?:Abstract|Introduction|Conclusions?|Concluding|Summary)", re.I)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\[(])")
HELDOUT_EVERY = 5  # TDMSci: line numbers divisible by 5 (1-based) are held out


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


class Converter:
    """Text + character spans → a tokenised ``Doc`` with ``doc.ents`` set."""

    def __init__(self) -> None:
        self.nlp = spacy.blank("en")
        self.split_stops = make_split_stops(self.nlp, "kg_split_stops")
        self.stats: Counter = Counter()

    def doc(self, text: str, spans: list[tuple[int, int, str]]) -> Doc:
        doc = self.split_stops(self.nlp.make_doc(text))
        ents = []
        for start, end, label in spans:
            span = doc.char_span(start, end, label=label)
            if span is None:  # not on token boundaries: take the tokens it covers
                span = doc.char_span(start, end, label=label, alignment_mode="expand")
                self.stats["expanded"] += 1
            if span is not None and len(span):
                ents.append(span)
        kept = filter_spans(ents)
        self.stats["overlapping dropped"] += len(ents) - len(kept)
        doc.set_ents(kept, default="outside")
        for span in kept:
            self.stats[span.label_] += 1
        return doc


def mapped(record: dict, corpus: str) -> list[tuple[int, int, str]]:
    labels = LABEL_MAPS[corpus]
    return [(e["start"], e["end"], labels[e["label"]]) for e in record["entities"] if e["label"] in labels]


def scirex_chunks(record: dict, *, sections: str, chunk_words: int) -> list[tuple[str, list[tuple[int, int, str]]]]:
    """A SciREX paper cut into chunks of whole sentences, each with its spans re-based."""
    text, spans = record["text"], sorted(mapped(record, "scirex"))
    inside = bytearray(len(text) + 1)
    for start, end, _ in spans:
        inside[start:end] = b"\x01" * (end - start)
    chunks = []
    pos = 0
    for number, block in enumerate(text.split("\n\n")):
        begin, pos = pos, pos + len(block) + 2
        if not block.strip() or (sections == "front" and number > 0 and not FRONT_SECTIONS.match(block)):
            continue
        cuts = [m.end() for m in SENTENCE_END.finditer(block) if not inside[begin + m.start()]]
        # Whole sentences are grouped until a chunk holds at least ``chunk_words`` words.
        chunk_start, previous, words = 0, 0, 0
        for cut in cuts + [len(block)]:
            words += len(block[previous:cut].split())
            previous = cut
            if words < chunk_words and cut != len(block):
                continue
            s, e = begin + chunk_start, begin + len(block[:cut].rstrip())
            if text[s:e].strip():
                chunks.append((text[s:e], [(a - s, b - s, label) for a, b, label in spans if s <= a and b <= e]))
            chunk_start, words = cut, 0
    return chunks


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "eval")
    parser.add_argument("--out", type=Path, default=ROOT / "training" / "corpus")
    parser.add_argument("--scirex-sections", choices=("all", "front", "none"), default="front")
    parser.add_argument("--scirex-every", type=int, default=1, help="Keep every Nth SciREX chunk.")
    parser.add_argument("--chunk-words", type=int, default=120)
    parser.add_argument("--scierc-repeat", type=int, default=3,
                        help="Add each SciERC training abstract this many times (weights its conventions).")
    parser.add_argument("--tdmsci-repeat", type=int, default=3,
                        help="Add each TDMSci training sentence this many times (weights its conventions).")
    parser.add_argument("--heldout-fold", type=int, choices=range(HELDOUT_EVERY), default=0,
                        help="Hold out the TDMSci lines whose number leaves this remainder by 5 (default 0: "
                             "lines 5, 10, 15 ...).")
    parser.add_argument("--tdmsci-missing", action="store_true",
                        help="Mark TDMSci tokens outside its entities as missing, not 'outside' (it does not "
                             "annotate methods).")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    conv = Converter()
    train, dev = DocBin(store_user_data=False), DocBin(store_user_data=False)
    counts: Counter = Counter()

    for i, record in enumerate(read_jsonl(args.shared / "scierc" / "train.jsonl")):
        target = dev if i % 10 == 9 else train
        doc = conv.doc(record["text"], mapped(record, "scierc"))
        for _ in range(1 if target is dev else args.scierc_repeat):
            target.add(doc)
        counts["scierc " + ("dev" if target is dev else "train")] += 1

    heldout = []
    # Model selection takes every 20th line from the first residue that is never held out (1 by default).
    dev_line = next(r for r in range(1, 20) if (r + 1) % HELDOUT_EVERY != args.heldout_fold)
    for i, record in enumerate(read_jsonl(args.shared / "tdmsci" / "train.jsonl")):
        if (i + 1) % HELDOUT_EVERY == args.heldout_fold:
            heldout.append(record)
            continue
        doc = conv.doc(record["text"], mapped(record, "tdmsci"))
        if args.tdmsci_missing:
            doc.set_ents(list(doc.ents), default="missing")
        target = dev if i % 20 == dev_line else train
        for _ in range(1 if target is dev else args.tdmsci_repeat):
            target.add(doc)
        counts["tdmsci " + ("dev" if target is dev else "train")] += 1

    if args.scirex_sections != "none":
        n = 0
        for record in read_jsonl(args.shared / "scirex" / "train.jsonl"):
            for text, spans in scirex_chunks(record, sections=args.scirex_sections, chunk_words=args.chunk_words):
                if n % args.scirex_every == 0:
                    train.add(conv.doc(text, spans))
                    counts["scirex train chunks"] += 1
                    counts["scirex train words"] += len(text.split())
                n += 1

    train.to_disk(args.out / "train.spacy")
    dev.to_disk(args.out / "dev.spacy")
    with (args.out / "tdmsci_heldout.jsonl").open("w", encoding="utf-8") as handle:
        for record in heldout:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    counts["tdmsci heldout"] = len(heldout)
    stats = {"units": dict(counts), "spans": dict(conv.stats), "args": {k: str(v) for k, v in vars(args).items()}}
    (args.out / "stats.json").write_text(json.dumps(stats, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(stats, indent=2))


if __name__ == "__main__":
    main()
