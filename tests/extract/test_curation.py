"""The curation file: merges, blocks, type overrides, extra aliases, and clear errors."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.errors import InputError
from kg.extract.curation import Curation, apply_curation, load_curation
from kg.records import Entity, ExtractedPaper, Mention, Paper


def _paper(pid, *entities):
    return ExtractedPaper(Paper(pid, "t"), list(entities))


def _entity(eid, name, type_, *aliases, start=0):
    return Entity(eid, name, type_, list(aliases), [Mention("abstract", start, start + len(name), name)],
                  {a: "variant" for a in aliases})


def test_an_alias_merges_another_entity_into_its_target():
    lora = _entity("method:low-rank-adaptation", "Low-Rank Adaptation", "Method", "LoRA")
    adapters = _entity("method:lora-adapter", "LoRA adapter", "Method", start=20)
    papers = [_paper("p1", lora, adapters), _paper("p2", adapters)]
    out, changes = apply_curation(papers, Curation(aliases={"low-rank adaptation": ["LoRA adapter", "LoRA-style"]}))
    assert [[e.id for e in p.entities] for p in out] == [["method:low-rank-adaptation"]] * 2
    merged = out[0].entities[0]
    assert [m.text for m in merged.mentions] == ["Low-Rank Adaptation", "LoRA adapter"]
    assert merged.alias_reasons["LoRA adapter"] == "curation" and merged.alias_reasons["LoRA-style"] == "curation"
    assert changes["merged"] == ["LoRA adapter → Low-Rank Adaptation"]
    assert out[1].entities[0].name == "Low-Rank Adaptation"


def test_block_and_retype_match_names_and_aliases_in_any_case():
    burst = _entity("method:burstgpt", "BurstGPT", "Method")
    noise = _entity("task:real-world-application", "real-world application", "Task", "real-world applications")
    out, changes = apply_curation([_paper("p", burst, noise)],
                                  Curation(block=["Real-World Applications"], types={"burstgpt": "Dataset"}))
    assert [(e.id, e.type) for e in out[0].entities] == [("dataset:burstgpt", "Dataset")]
    assert changes["blocked"] == ["real-world application"]
    assert changes["retyped"] == ["BurstGPT: Method → Dataset"]


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("c.yaml", "types:\n  BurstGPT: Benchmark\n", "valid types: Method, Model, Dataset, Task, Metric"),
        ("c.yaml", "colours: [red]\n", "only the sections aliases, block and types"),
        ("c.toml", "block = [unterminated\n", "not a valid curation file"),
        ("c.yaml", "aliases:\n  LoRA: adapter\n", "give each name a list"),
    ],
)
def test_a_bad_file_is_one_clear_error(write, name, text, message):
    path = write(name, text)
    with pytest.raises(InputError, match=message):
        load_curation(path)


def test_toml_and_yaml_read_the_same(write):
    yaml_file = write("c.yaml", "block: [efficiency]\ntypes:\n  BurstGPT: Dataset\n")
    toml_file = write("c.toml", 'block = ["efficiency"]\n[types]\nBurstGPT = "Dataset"\n')
    assert load_curation(yaml_file) == load_curation(toml_file)


def test_build_applies_the_file_and_reports_it(write, tmp_path):
    papers = write("p.jsonl", json.dumps({"id": "a", "title": "LoRA for GPT-4",
                                          "abstract": "Low-Rank Adaptation (LoRA) tunes GPT-4 on GSM8K."}) + "\n")
    curation = write("c.yaml", "block: [GSM8K]\ntypes:\n  GPT-4: Method\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(papers), "-o", str(out), "--no-html", "--curation", str(curation)])
    assert result.exit_code == 0, result.output
    assert "Curation: 1 blocked, 0 merged, 1 retyped" in result.output
    report = json.loads((out / "report.json").read_text())
    assert report["curation"]["blocked"] == ["GSM8K"]
    entities = (out / "entities.csv").read_text()
    assert "method:gpt-4" in entities and "GSM8K" not in entities


def test_build_with_a_bad_file_writes_nothing(write, tmp_path):
    papers = write("p.jsonl", json.dumps({"id": "a", "title": "LoRA"}) + "\n")
    curation = write("c.yaml", "types:\n  LoRA: Technique\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(papers), "-o", str(out), "--curation", str(curation)])
    assert result.exit_code == 1 and result.output.startswith(f"Error: {curation}: types:")
    assert not out.exists()


def test_an_entity_retyped_onto_an_existing_id_joins_it_and_the_report_says_so():
    as_method = _entity("method:lora", "LoRA", "Method", "LoRA adapters")
    as_model = _entity("model:lora", "LoRA", "Model", start=10)
    papers = [_paper("p1", as_method, as_model), _paper("p2", as_method), _paper("p3", as_model)]
    out, changes = apply_curation(papers, Curation(types={"LoRA adapters": "Model"}))
    assert [[e.id for e in p.entities] for p in out] == [["model:lora"]] * 3
    joined = out[0].entities[0]
    assert [m.start for m in joined.mentions] == [0, 10] and "LoRA adapters" in joined.aliases
    assert changes["merged"] == ["LoRA (Method) → LoRA (Model): the same id once retyped"]
    assert changes["retyped"] == []
