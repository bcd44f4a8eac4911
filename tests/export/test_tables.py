"""The CSV tables: one row per paper and per entity, and no cell a spreadsheet would run."""

from __future__ import annotations

import csv

import networkx as nx

from kg.export.tables import write_tables


def _rows(path):
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_cells_that_spreadsheets_would_run_are_written_inert(tmp_path):
    graph = nx.Graph()
    graph.add_node("=cmd|' /C calc'!A0", kind="paper", title='=HYPERLINK("http://evil.example","click")', year=2024)
    graph.add_node("p2", kind="paper", title="-2+3 tricks", venue="@venue")
    graph.add_node("p3", kind="paper", title="Plain title: a = b", venue="\tTabbed")
    graph.add_node("method:+sum", kind="entity", name="+SUM(1)", type="Method", papers=2, aliases=["+SUM(1)", "sum"])
    graph.add_edge("p2", "method:+sum", kind="mentions", count=3)
    write_tables(graph, tmp_path)
    papers = {row["title"]: row for row in _rows(tmp_path / "papers.csv")}
    assert set(papers) == {'\'=HYPERLINK("http://evil.example","click")', "'-2+3 tricks", "Plain title: a = b"}
    assert papers['\'=HYPERLINK("http://evil.example","click")']["id"] == "'=cmd|' /C calc'!A0"
    assert papers['\'=HYPERLINK("http://evil.example","click")']["year"] == "2024"
    assert papers["'-2+3 tricks"]["venue"] == "'@venue" and papers["Plain title: a = b"]["venue"] == "'\tTabbed"
    assert papers["'-2+3 tricks"]["entities"] == "1"
    (entity,) = _rows(tmp_path / "entities.csv")
    assert (entity["id"], entity["name"], entity["aliases"], entity["mentions"]) == (
        "method:+sum", "'+SUM(1)", "'+SUM(1)|sum", "3")
