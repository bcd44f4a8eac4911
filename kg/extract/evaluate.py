"""Score kg's entity extraction against human-annotated spans (``kg eval``).

The gold file is JSON Lines, one text per line::

    {"id": "...", "text": "...", "entities": [{"start": 0, "end": 9, "text": "...", "label": "Task"}]}

Each text goes through kg's own pipeline as the abstract of a paper with an
empty title; the typed entities it keeps (``doc._.kg_entities``, without the
``short`` acronyms whose type is left to the corpus) are mapped to the gold
corpus's labels by ``scheme``:

* ``scierc`` — kg Method and Model → Method, Dataset → Material, Task → Task,
  Metric → Metric; gold OtherScientificTerm and Generic spans are dropped.
* ``tdmsci`` — kg Task, Dataset, Metric → TASK, DATASET, METRIC; kg Method
  and Model predictions are dropped (the corpus does not annotate them).

Both corpora annotate an acronym definition as one span, "machine translation
(MT)", where kg keeps two mentions (the long form and the short form, which it
links); ``kg_predictor`` scores such an adjacent pair of the same type as the one
span (``join_definitions=False`` scores kg's mentions as they are).

Two matchings, each giving precision, recall and F1 per label and overall
(micro-averaged: the counts of all labels summed):

* **exact** — a prediction is correct when a gold span has the same start, end
  and label.
* **overlap** — a prediction and a gold span of the same label *match* when
  they share at least one character; predictions and gold spans are then paired
  one to one (a maximum matching in each text), so a prediction overlapping two
  gold spans, or two predictions inside one gold span, count once.  ``correct``
  is the number of pairs; precision = correct / predicted, recall = correct /
  gold.  Every exact match is an overlap match, so overlap figures are never
  below exact ones.

Spans are sets within a text: a span predicted (or annotated) twice with the
same label counts once.  A ratio with a zero denominator is 0.0.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from kg.errors import InputError, KgError

Scheme = Literal["scierc", "tdmsci"]
SCHEMES: tuple[str, ...] = ("scierc", "tdmsci")
MATCHINGS: tuple[str, ...] = ("exact", "overlap")

# kg type → gold label, per scheme; a kg type not listed is not scored.
TYPE_MAPS: dict[str, dict[str, str]] = {
    "scierc": {"Method": "Method", "Model": "Method", "Dataset": "Material", "Task": "Task", "Metric": "Metric"},
    "tdmsci": {"Task": "TASK", "Dataset": "DATASET", "Metric": "METRIC"},
}
# Gold labels scored, in table order; other gold labels are dropped.
LABELS: dict[str, tuple[str, ...]] = {
    "scierc": ("Method", "Material", "Task", "Metric"),
    "tdmsci": ("TASK", "DATASET", "METRIC"),
}

Span = tuple[int, int, str]  # start_char, end_char, label
# texts → per text, (start, end, kg type) predictions
Predictor = Callable[[Sequence[str]], Iterable[Iterable[tuple[int, int, str]]]]


@dataclass(frozen=True)
class GoldText:
    id: str
    text: str
    spans: frozenset[Span]  # only the labels the scheme scores


def check_scheme(scheme: str) -> str:
    if scheme not in SCHEMES:
        raise KgError(f"unknown scheme {scheme!r}: use one of {', '.join(SCHEMES)}")
    return scheme


def detect_scheme(labels: Iterable[str]) -> str | None:
    """The scheme whose labels a gold file uses, or None when it is not clear."""
    labels = set(labels)
    found = [s for s in SCHEMES if labels & set(LABELS[s])]
    return found[0] if len(found) == 1 else None


def read_gold(path: str | Path, scheme: str | None = None) -> list[GoldText]:
    """Read a gold JSONL file; with ``scheme``, keep only the spans it scores."""
    path = Path(path)
    if not path.is_file():
        raise InputError(str(path), "no such file")
    keep = set(LABELS[check_scheme(scheme)]) if scheme else None
    out = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                text = data["text"]
                spans = set()
                for ent in data.get("entities") or []:
                    start, end, label = int(ent["start"]), int(ent["end"]), str(ent["label"])
                    if not 0 <= start < end <= len(text):
                        raise ValueError(f"span {start}–{end} outside the text")
                    if keep is None or label in keep:
                        spans.add((start, end, label))
            except (ValueError, KeyError, TypeError) as exc:
                raise InputError(str(path), f"not a gold record ({exc})", line=number) from None
            if not isinstance(text, str):
                raise InputError(str(path), "not a gold record ('text' is not a string)", line=number)
            out.append(GoldText(str(data.get("id", number)), text, frozenset(spans)))
    if not out:
        raise InputError(str(path), "no gold records")
    return out


_OPEN = re.compile(r"\s*\(\s*")
_CLOSE = re.compile(r"\s*\)")


def join_definitions(text: str, spans: list[tuple[int, int, str, str]]) -> list[tuple[int, int, str]]:
    """``(start, end, type, source)`` spans, with "Long Form (LF)" pairs of one type made one span.

    >>> join_definitions("machine translation (MT) works", [(0, 19, "Task", "acronym"), (21, 23, "Task", "acronym")])
    [(0, 24, 'Task')]
    """
    spans = sorted(spans)
    out, i = [], 0
    while i < len(spans):
        start, end, type_, _ = spans[i]
        if i + 1 < len(spans):
            s2, e2, t2, src2 = spans[i + 1]
            opening = _OPEN.fullmatch(text, end, s2)
            closing = _CLOSE.match(text, e2)
            if opening and closing and t2 == type_ and src2 == "acronym":
                out.append((start, closing.end(), type_))
                i += 2
                continue
        out.append((start, end, type_))
        i += 1
    return out


def kg_predictor(nlp=None, *, n_process: int = 1, join: bool = True) -> Predictor:
    """kg's extraction: each text is the abstract of a paper with an empty title.

    With ``join``, a definition kept as two mentions is scored as one span (see
    ``join_definitions``).
    """

    def predict(texts: Sequence[str]) -> list[list[tuple[int, int, str]]]:
        from kg.extract.pipeline import extract_raw
        from kg.records import Paper

        papers = [Paper(id=str(i), title="", abstract=text) for i, text in enumerate(texts)]
        out = []
        for raw, text in zip(extract_raw(papers, nlp=nlp, n_process=n_process), texts, strict=True):
            spans = [(m.start, m.end, m.type, m.source) for m in raw.mentions
                     if m.field == "abstract" and m.type is not None and m.source != "short"]
            out.append(join_definitions(text, spans) if join else [s[:3] for s in spans])
        return out

    return predict


def _ratio(num: int, den: int) -> float:
    return num / den if den else 0.0


def _figures(gold: int, predicted: int, correct: int) -> dict:
    p, r = _ratio(correct, predicted), _ratio(correct, gold)
    return {"precision": p, "recall": r, "f1": _ratio(2 * p * r, p + r) if p + r else 0.0,
            "gold": gold, "predicted": predicted, "correct": correct}


def _overlap_pairs(gold: list[Span], pred: list[Span]) -> int:
    """Size of a maximum one-to-one matching of predictions to gold spans they overlap."""
    edges = [[j for j, g in enumerate(gold) if p[0] < g[1] and g[0] < p[1]] for p in pred]
    owner: dict[int, int] = {}  # gold index → prediction index

    def augment(i: int, seen: set[int]) -> bool:
        for j in edges[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in owner or augment(owner[j], seen):
                owner[j] = i
                return True
        return False

    return sum(augment(i, set()) for i in range(len(pred)))


def score(gold: Sequence[frozenset[Span] | set[Span]], predicted: Sequence[Iterable[Span]],
          labels: Sequence[str]) -> dict:
    """Exact and overlap P/R/F1 per label and overall, from gold and predicted spans per text.

    Both sides already carry the scheme's labels; predicted spans with another
    label are ignored.
    """
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold texts but {len(predicted)} predictions")
    counts = {m: {label: [0, 0, 0] for label in labels} for m in MATCHINGS}  # gold, predicted, correct
    for gold_spans, pred_spans in zip(gold, predicted, strict=True):
        pred_set = {s for s in pred_spans if s[2] in labels}
        for label in labels:
            g = sorted(s for s in gold_spans if s[2] == label)
            p = sorted(s for s in pred_set if s[2] == label)
            exact = len(set(g) & set(p))
            for matching, correct in (("exact", exact), ("overlap", _overlap_pairs(g, p))):
                c = counts[matching][label]
                c[0] += len(g)
                c[1] += len(p)
                c[2] += correct
    out = {}
    for matching in MATCHINGS:
        table = {label: _figures(*counts[matching][label]) for label in labels}
        total = [sum(counts[matching][label][k] for label in labels) for k in range(3)]
        table["overall"] = _figures(*total)
        out[matching] = table
    return out


def evaluate(gold_path: str | Path, *, scheme: Scheme, nlp=None, predict: Predictor | None = None,
             join: bool = True) -> dict:
    """Precision, recall and F1 of kg's entities against a gold file (see the module's doc).

    ``predict`` replaces kg's pipeline (for tests): it takes the texts and gives,
    per text, ``(start, end, kg_type)`` spans.  ``nlp`` is a loaded kg pipeline
    (default: ``load_pipeline()``).
    """
    check_scheme(scheme)
    gold = read_gold(gold_path, scheme)
    predict = predict or kg_predictor(nlp, join=join)
    type_map = TYPE_MAPS[scheme]
    predictions = []
    for spans in predict([g.text for g in gold]):
        predictions.append({(s, e, type_map[t]) for s, e, t in spans if t in type_map})
    result = score([g.spans for g in gold], predictions, LABELS[scheme])
    return {"gold_file": str(gold_path), "scheme": scheme, "texts": len(gold), "labels": list(LABELS[scheme]),
            **result}


__all__ = ["SCHEMES", "LABELS", "TYPE_MAPS", "evaluate", "score", "read_gold", "detect_scheme", "kg_predictor", "join_definitions",
           "check_scheme"]
