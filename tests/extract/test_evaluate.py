"""``kg eval``'s scoring, checked against figures computed by hand on tiny gold files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.errors import InputError, KgError
from kg.extract import evaluate as ev

TEXT_A = "We train a graph network on ImageNet for image classification and report top-1 accuracy."
TEXT_B = "BLEU and ROUGE measure machine translation."


def _span(text: str, phrase: str, label: str) -> dict:
    start = text.index(phrase)
    return {"start": start, "end": start + len(phrase), "text": phrase, "label": label}


def _pred(text: str, phrase: str, type_: str) -> tuple[int, int, str]:
    start = text.index(phrase)
    return start, start + len(phrase), type_


def _write_gold(write, records: list[dict], name: str = "gold.jsonl"):
    return write(name, "".join(json.dumps(r) + "\n" for r in records))


@pytest.fixture
def scierc_gold(write):
    return _write_gold(write, [
        {"id": "a", "text": TEXT_A, "entities": [
            _span(TEXT_A, "We", "Generic"),  # not scored
            _span(TEXT_A, "graph network", "Method"),
            _span(TEXT_A, "ImageNet", "Material"),
            _span(TEXT_A, "image classification", "Task"),
            _span(TEXT_A, "report", "OtherScientificTerm"),  # not scored
            _span(TEXT_A, "top-1 accuracy", "Metric")]},
        {"id": "b", "text": TEXT_B, "entities": [
            _span(TEXT_B, "BLEU", "Metric"), _span(TEXT_B, "ROUGE", "Metric"),
            _span(TEXT_B, "machine translation", "Task")]},
    ])


def stub_predict(texts):
    """Fixed kg predictions for TEXT_A and TEXT_B."""
    table = {
        TEXT_A: [_pred(TEXT_A, "graph network", "Model"),      # → Method, exact
                 _pred(TEXT_A, "train", "Method"),             # → Method, wrong
                 _pred(TEXT_A, "ImageNet", "Dataset"),         # → Material, exact
                 _pred(TEXT_A, "classification", "Task"),      # inside "image classification": overlap only
                 _pred(TEXT_A, "accuracy", "Metric")],         # inside "top-1 accuracy": overlap only
        TEXT_B: [_pred(TEXT_B, "BLEU and ROUGE", "Metric"),    # overlaps two gold Metrics: counts once
                 _pred(TEXT_B, "machine translation", "Dataset")],  # right span, wrong type
    }
    return [table[t] for t in texts]


def _prf(result, matching, label):
    fig = result[matching][label]
    return (fig["gold"], fig["predicted"], fig["correct"],
            round(fig["precision"], 4), round(fig["recall"], 4), round(fig["f1"], 4))


def test_scierc_figures_by_hand(scierc_gold):
    result = ev.evaluate(scierc_gold, scheme="scierc", predict=stub_predict)
    assert result["labels"] == ["Method", "Material", "Task", "Metric"] and result["texts"] == 2
    # Method: gold {graph network}; predicted {graph network (Model), train}.
    assert _prf(result, "exact", "Method") == (1, 2, 1, 0.5, 1.0, 0.6667)
    assert _prf(result, "overlap", "Method") == (1, 2, 1, 0.5, 1.0, 0.6667)
    # Material: gold {ImageNet}; predicted {ImageNet, machine translation}.
    assert _prf(result, "exact", "Material") == (1, 2, 1, 0.5, 1.0, 0.6667)
    # Task: gold {image classification, machine translation}; predicted {classification}.
    assert _prf(result, "exact", "Task") == (2, 1, 0, 0.0, 0.0, 0.0)
    assert _prf(result, "overlap", "Task") == (2, 1, 1, 1.0, 0.5, 0.6667)
    # Metric: gold {top-1 accuracy, BLEU, ROUGE}; predicted {accuracy, BLEU and ROUGE}.
    assert _prf(result, "exact", "Metric") == (3, 2, 0, 0.0, 0.0, 0.0)
    assert _prf(result, "overlap", "Metric") == (3, 2, 2, 1.0, 0.6667, 0.8)
    # Micro: 7 gold, 7 predicted; exact 2 correct, overlap 1 + 1 + 1 + 2 = 5.
    assert _prf(result, "exact", "overall") == (7, 7, 2, 0.2857, 0.2857, 0.2857)
    assert _prf(result, "overlap", "overall") == (7, 7, 5, 0.7143, 0.7143, 0.7143)


def test_tdmsci_ignores_methods_and_models(write):
    text = "We fine-tune BERT with LoRA on SQuAD for question answering, scored by exact match."
    gold = _write_gold(write, [{"id": "t", "text": text, "entities": [
        _span(text, "SQuAD", "DATASET"), _span(text, "question answering", "TASK"),
        _span(text, "exact match", "METRIC")]}])

    def predict(texts):
        return [[_pred(text, "BERT", "Model"), _pred(text, "LoRA", "Method"),  # not scored
                 _pred(text, "SQuAD", "Dataset"), _pred(text, "question answering", "Task"),
                 _pred(text, "match", "Metric")]]

    result = ev.evaluate(gold, scheme="tdmsci", predict=predict)
    assert result["labels"] == ["TASK", "DATASET", "METRIC"]
    assert _prf(result, "exact", "overall") == (3, 3, 2, 0.6667, 0.6667, 0.6667)
    assert _prf(result, "overlap", "overall") == (3, 3, 3, 1.0, 1.0, 1.0)
    assert _prf(result, "exact", "METRIC") == (1, 1, 0, 0.0, 0.0, 0.0)


def test_overlap_pairs_are_a_maximum_one_to_one_matching():
    gold = [{(0, 5, "Task"), (6, 10, "Task")}]
    # A greedy pass would give (0,10) to (0,5) and leave (0,3) unmatched; the best pairing has two.
    predicted = [[(0, 10, "Task"), (0, 3, "Task")]]
    assert ev.score(gold, predicted, ["Task"])["overlap"]["Task"]["correct"] == 2
    # Touching spans (end == start) do not overlap; a duplicate prediction counts once.
    predicted = [[(5, 6, "Task"), (5, 6, "Task")]]
    assert ev.score(gold, predicted, ["Task"])["overlap"]["Task"] == {
        "precision": 0.0, "recall": 0.0, "f1": 0.0, "gold": 2, "predicted": 1, "correct": 0}


def test_no_predictions_give_zeros_not_errors(scierc_gold):
    result = ev.evaluate(scierc_gold, scheme="scierc", predict=lambda texts: [[] for _ in texts])
    assert result["exact"]["overall"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "gold": 7, "predicted": 0,
                                          "correct": 0}


def test_an_unknown_scheme_is_refused_before_reading(tmp_path):
    with pytest.raises(KgError, match=r"unknown scheme 'conll'.*scierc, tdmsci"):
        ev.evaluate(tmp_path / "missing.jsonl", scheme="conll")


@pytest.mark.parametrize(("content", "message"), [
    ('{"id": "x", "text": "abc", "entities": [{"start": 2, "end": 9, "label": "Task"}]}\n', "line 1"),
    ('{"id": "x"}\n', "line 1"),
    ('\n', "no gold records"),
])
def test_broken_gold_files(write, content, message):
    with pytest.raises(InputError, match=message):
        ev.read_gold(write("bad.jsonl", content))


def test_the_real_pipeline_scores_offsets_in_the_text(nlp, write):
    text = "We evaluate GPT-4 on ImageNet."
    gold = _write_gold(write, [{"id": "r", "text": text, "entities": [_span(text, "ImageNet", "Material"),
                                                                       _span(text, "GPT-4", "Method")]}])
    result = ev.evaluate(gold, scheme="scierc", nlp=nlp)
    assert result["exact"]["overall"]["correct"] == 2


def test_cli_prints_two_tables_and_json(scierc_gold, monkeypatch):
    monkeypatch.setattr(ev, "kg_predictor", lambda nlp=None, **kw: stub_predict)
    result = CliRunner().invoke(main, ["eval", str(scierc_gold)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Exact span — SciERC labels, 2 texts")
    assert any(line.startswith("Overlapping span") for line in lines)
    overall = [line.split() for line in lines if line.startswith("overall")]
    assert overall == [["overall", "7", "7", "2", "0.286", "0.286", "0.286"],
                       ["overall", "7", "7", "5", "0.714", "0.714", "0.714"]]
    # Columns line up: every row of a table has its F1 column ending at the same place.
    first = lines[1:lines.index("")]
    assert len({len(line) for line in first if not line.startswith("-")}) == 1

    result = CliRunner().invoke(main, ["eval", str(scierc_gold), "--scheme", "scierc", "--json"])
    data = json.loads(result.output)
    assert data["scheme"] == "scierc" and data["overlap"]["overall"]["correct"] == 5


def test_cli_recognises_the_scheme_or_asks_for_it(write, monkeypatch):
    monkeypatch.setattr(ev, "kg_predictor", lambda nlp=None, **kw: lambda texts: [[] for _ in texts])
    tdm = _write_gold(write, [{"id": "t", "text": "BLEU", "entities": [{"start": 0, "end": 4, "label": "METRIC"}]}])
    result = CliRunner().invoke(main, ["eval", str(tdm), "--json"])
    assert json.loads(result.output)["scheme"] == "tdmsci"
    odd = _write_gold(write, [{"id": "t", "text": "BLEU", "entities": [{"start": 0, "end": 4, "label": "X"}]}],
                      name="odd.jsonl")
    result = CliRunner().invoke(main, ["eval", str(odd)])
    assert result.exit_code == 2 and "--scheme" in result.output
    result = CliRunner().invoke(main, ["eval", str(odd), "--scheme", "conll"])
    assert result.exit_code == 2 and "'conll' is not one of 'scierc', 'tdmsci'" in result.output


def test_a_definition_kept_as_two_mentions_is_scored_as_one_span(write):
    text = "We study word error rate ( WER ) and statistical machine translation (SMT) (SMT)."
    lf, sf = _pred(text, "word error rate", "Metric"), _pred(text, "WER", "Metric")
    assert ev.join_definitions(text, [(*lf, "acronym"), (*sf, "acronym")]) == [
        (lf[0], text.index(")") + 1, "Metric")]
    # Only a short form of the same type, found as an acronym, right after "(" joins.
    assert ev.join_definitions(text, [(*lf, "acronym"), (*sf[:2], "Task", "acronym")]) == [lf, (*sf[:2], "Task")]
    assert ev.join_definitions(text, [(*lf, "ner"), (*sf, "short")]) == [lf, sf]
    smt = _pred(text, "statistical machine translation", "Task")
    first_smt = text.index("SMT")
    joined = ev.join_definitions(text, [(*smt, "acronym"), (first_smt, first_smt + 3, "Task", "acronym")])
    assert joined == [(smt[0], first_smt + 4, "Task")]


# --- the trained NER inside kg's pipeline (kg_ner → the "ner" source of kg_entities) ---------------------------


def test_the_trained_ner_runs_before_kg_entities(nlp):
    names = nlp.pipe_names
    assert names.index("kg_ner") < names.index("kg_entities")
    assert set(nlp.get_pipe("kg_ner").labels) == {"Method", "Dataset", "Task", "Metric"}
    doc = nlp("We use conditional random fields for named entity recognition on the CoNLL-2003 corpus.")
    assert any(src == "ner" for *_x, src in doc._.kg_entities)


def test_ner_spans_are_tidied_filtered_and_models_told_apart(nlp):
    from spacy.tokens import Span

    doc = nlp.make_doc("We train a graph neural network , the model and probabilistic modeling of "
                       "machine translation (MT) with computational")
    for _name, proc in nlp.pipeline:
        if _name not in ("kg_ner", "kg_entities"):
            doc = proc(doc)

    def span(text, label):
        start = doc.text.index(text)
        return doc.char_span(start, start + len(text), label=label)

    doc.ents = [span("graph neural network", "Method"), span("the model", "Method"),
                span("probabilistic modeling of", "Task"), span("machine translation (MT)", "Task"),
                span("computational", "Metric")]
    assert all(isinstance(e, Span) for e in doc.ents)
    found = {(doc.text[s:e], t) for s, e, t, _k, src in nlp.get_pipe("kg_entities")._ner(doc)}
    assert found == {("graph neural network", "Model"), ("probabilistic modeling", "Task"),
                     ("machine translation", "Task")}


def test_the_model_is_part_of_the_cache_key(monkeypatch, tmp_path):
    from kg.errors import KgError as Error
    from kg.extract import pipeline

    assert len(pipeline.ner_model_digest()) == 64
    before = pipeline.pipeline_fingerprint()
    monkeypatch.setattr(pipeline, "ner_model_digest", lambda: "another model")
    assert pipeline.pipeline_fingerprint() != before
    monkeypatch.setattr(pipeline, "NER_MODEL", tmp_path / "nowhere")
    with pytest.raises(Error, match="make train"):
        pipeline.load_pipeline()


@pytest.mark.parametrize("module", ["lexicon", "spans", "entities", "acronyms"])
def test_every_rule_module_is_part_of_the_cache_key(module, monkeypatch, tmp_path):
    """An edit anywhere in a module whose rules shape the mentions (a word added to a list read
    only when a rule runs, too) changes the key, so a cached extraction is never reused."""
    import importlib

    from kg.extract import pipeline

    mod = importlib.import_module(f"kg.extract.{module}")
    before = pipeline.pipeline_fingerprint()
    edited = tmp_path / f"{module}.py"
    edited.write_text(Path(mod.__file__).read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    monkeypatch.setattr(mod, "__file__", str(edited))
    assert pipeline.pipeline_fingerprint() != before
