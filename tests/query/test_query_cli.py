"""The query commands on a graph folder as ``kg build`` writes it (GraphML)."""

from __future__ import annotations

import json
import subprocess
import sys
import types
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.query.graph_queries import communities, cooccurring, neighbourhood, top_entities, trends

from .test_graph_queries import ENTITIES, PAPERS, make_graph, roundtrip

ROOT = Path(__file__).resolve().parents[2]
DATES = {"p1": ("2024-01-05", 2024), "p2": ("2024-03-30", 2024), "p3": (None, 2023), "p5": ("Aug 1", None)}


@pytest.fixture(scope="module")
def graph_dir(tmp_path_factory):
    entities = {**ENTITIES, "method:a": ("A", "Method", ["alpha method"]), "model:a2": ("A", "Model")}
    papers = {**PAPERS, "p6": ["model:a2"]}
    folder = tmp_path_factory.mktemp("graph")
    roundtrip(make_graph(papers, entities, dates=DATES), folder)
    return folder


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def run_json(*args):
    result = run(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_cooccur_json_is_the_library_answer(graph_dir):
    from kg.graph.io import load_graph

    graph = load_graph(graph_dir)
    assert run_json("cooccur", "alpha method", "--graph", graph_dir) == cooccurring(graph, "method:a")
    assert run_json("cooccur", "A (Method)", "--graph", graph_dir, "--measure", "jaccard", "--type", "dataset",
                    "--min-papers", 2) == cooccurring(graph, "method:a", measure="jaccard", type="Dataset",
                                                      min_papers=2)
    assert len(run_json("cooccur", "method:a", "--graph", graph_dir, "--top", 0)["results"]) == 3
    assert len(run_json("cooccur", "method:a", "--graph", graph_dir, "--top", 1)["results"]) == 1


def test_cooccur_table(graph_dir):
    result = run("cooccur", "method:a", "--graph", graph_dir, "--measure", "association")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "Co-occurring with A (Method), 4 papers; by association strength",
        "#  entity  type     papers  association",
        "1  C       Dataset       2         0.25",
        "2  B       Method        2       0.1667",
        "3  D       Task          1        0.125",
    ]


def test_cooccur_nothing_found(graph_dir):
    result = run("cooccur", "model:a2", "--graph", graph_dir)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == "No entity shares at least 1 paper with it."


def test_unknown_name_is_one_error_line(graph_dir):
    result = run("cooccur", "Bee", "--graph", graph_dir)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "Error: 'Bee' matches no entity; closest: B (Method)\n"


@pytest.mark.parametrize("command", ["cooccur", "neighbours", "trends"])
def test_ambiguous_name_is_one_error_line(graph_dir, command):
    result = run(command, "a", "--graph", graph_dir)
    assert result.exit_code == 1
    assert result.stderr == "Error: 'a' is ambiguous; closest: A (Method), A (Model)\n"


def test_missing_graph(tmp_path):
    result = run("top", "--graph", tmp_path)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no graph in ")


@pytest.mark.parametrize("args", [
    ["cooccur", "B", "--measure", "cosine"],
    ["cooccur", "B", "--type", "Paper"],
    ["cooccur", "B", "--min-papers", "0"],
    ["neighbours", "B", "--hops", "0"],
    ["top", "--by", "age"],
    ["communities", "--resolution", "0"],
])
def test_bad_options_are_usage_errors(graph_dir, args):
    result = run(*args, "--graph", graph_dir)
    assert result.exit_code == 2
    assert "Invalid value" in result.stderr


def test_bad_measure_message_names_the_valid_ones(graph_dir):
    result = run("cooccur", "B", "--measure", "cosine", "--graph", graph_dir)
    assert "'cosine' is not one of 'count', 'association', 'jaccard', 'npmi'" in result.stderr


def test_neighbours(graph_dir):
    from kg.graph.io import load_graph

    graph = load_graph(graph_dir)
    assert run_json("neighbours", "B", "--graph", graph_dir, "--hops", 1) == neighbourhood(graph, "method:b", hops=1)
    lines = run("neighbours", "B", "--graph", graph_dir, "--hops", 1).stdout.splitlines()
    assert lines == [
        "Neighbourhood of B (Method) within 1 hop: 3 papers, 0 entities, 3 mentions",
        "hops  kind    type    name      id",
        "   0  entity  Method  B         method:b",
        "   1  paper           Paper p1  p1",
        "   1  paper           Paper p2  p2",
        "   1  paper           Paper p4  p4",
    ]
    typed = run_json("neighbours", "B", "--graph", graph_dir, "--type", "Task")
    assert [n["id"] for n in typed["nodes"] if n["kind"] == "entity"] == ["method:b", "task:d"]


def test_neighbours_html_calls_the_ego_map(graph_dir, tmp_path, monkeypatch):
    calls = []
    fake = types.ModuleType("kg.view.map")
    fake.write_ego_map = lambda graph, entity_id, path, hops: calls.append((entity_id, Path(path), hops))
    monkeypatch.setitem(sys.modules, "kg.view.map", fake)
    out = tmp_path / "ego.html"
    result = run("neighbours", "alpha method", "--graph", graph_dir, "--hops", 3, "--html", out, "--json")
    assert result.exit_code == 0
    assert calls == [("method:a", out, 3)]
    assert json.loads(result.stdout)["entity"]["id"] == "method:a"  # stdout stays JSON
    assert result.stderr == f"Wrote {out}\n"


def test_top(graph_dir):
    from kg.graph.io import load_graph

    graph = load_graph(graph_dir)
    assert run_json("top", "--graph", graph_dir, "--by", "pagerank", "--top", 3) == top_entities(
        graph, by="pagerank", top=3)
    assert run("top", "--graph", graph_dir, "--type", "method").stdout.splitlines() == [
        "Top Method entities by papers",
        "#  entity  type    papers",
        "1  A       Method       4",
        "2  B       Method       3",
    ]
    lines = run("top", "--graph", graph_dir, "--by", "degree", "--top", 2).stdout.splitlines()
    assert lines == [
        "Top entities by degree",
        "#  entity  type    papers  degree",
        "1  A       Method       4       3",
        "2  B       Method       3       3",
    ]


def test_communities(graph_dir):
    from kg.graph.io import load_graph

    answer = run_json("communities", "--graph", graph_dir)
    assert answer == communities(load_graph(graph_dir))
    assert sorted(m for c in answer["communities"] for m in c["members"]) == sorted(
        [*ENTITIES, "model:a2"])
    lines = run("communities", "--graph", graph_dir, "--resolution", 1.5).stdout.splitlines()
    assert lines[0].startswith(f"{len(communities(load_graph(graph_dir), resolution=1.5)['communities'])} communities "
                               "(resolution 1.5, modularity ")
    assert lines[1] == "#  size  top entities by papers"


def test_trends(graph_dir):
    from kg.graph.io import load_graph

    assert run_json("trends", "alpha method", "--graph", graph_dir) == trends(load_graph(graph_dir), "method:a")
    assert run("trends", "alpha method", "--graph", graph_dir).stdout.splitlines() == [
        "A (Method): 4 papers",
        "month      papers",
        "2024-01         1  ########################################",
        "2024-02         0",
        "2024-03         1  ########################################",
        "year only",
        "2023            1  ########################################",
        "undated         1",
    ]


def test_queries_do_not_import_spacy():
    code = ("import sys, kg.query.resolve, kg.query.graph_queries, kg.commands.query_cmds, kg.cli; "
            "assert 'cooccur' in kg.cli.main.commands; "
            "print(sorted(m for m in sys.modules if m == 'spacy' or m.startswith('spacy.')))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
