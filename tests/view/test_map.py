"""The map page as text: what is drawn, determinism, escaping, no remote resources."""

from __future__ import annotations

import base64
import hashlib
import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.errors import EntityNotFoundError
from kg.graph.build import build_graph
from kg.view.map import (COMMUNITY_COLOURS, TYPE_COLOURS, force_layout, paper_url, render_ego_map, render_map,
                         script_json, select_entities, write_ego_map, write_map)
from kg.view.synthetic import synthetic_papers

from .conftest import PAYLOADS, hostile_papers, page_data, parse_page

REMOTE = re.compile(r"^\s*(https?:)?//", re.I)


def _executable_scripts(text: str) -> list[str]:
    return [body for attrs, body in parse_page(text).scripts if attrs.get("type") != "application/json"]


# --- what is drawn -------------------------------------------------------------

def test_write_map_counts_and_file(tmp_path, synthetic):
    counts = write_map(synthetic, tmp_path / "graph.html")
    data = page_data((tmp_path / "graph.html").read_text(encoding="utf-8"))
    assert counts["nodes"] == len(data["kg-nodes"]) == 300
    assert counts["edges"] == len(data["kg-edges"]) > 300
    assert counts["communities"] >= 3
    assert counts["entities"] == sum(1 for _, d in synthetic.nodes(data=True) if d["kind"] == "entity")
    assert set(counts) == {"nodes", "edges", "communities", "entities"}
    assert [p.name for p in tmp_path.iterdir()] == ["graph.html"]  # no temporary file left


def test_folder_gets_graph_html(tmp_path, hostile_graph):
    write_map(hostile_graph, tmp_path, min_papers=1)
    assert (tmp_path / "graph.html").is_file()


def test_only_entities_top_and_min_papers(synthetic):
    html, counts = render_map(synthetic, top=50, min_papers=3)
    data = page_data(html)
    ids = {n["id"] for n in data["kg-nodes"]}
    assert len(ids) == counts["nodes"] == 50
    assert all(synthetic.nodes[i]["kind"] == "entity" for i in ids)
    assert ids == set(select_entities(synthetic, top=50, min_papers=3))
    for edge in data["kg-edges"]:
        assert edge["from"] in ids and edge["to"] in ids
        assert synthetic.edges[edge["from"], edge["to"]]["papers"] >= 3 == min(3, edge["kgPapers"])


def test_selection_ranks_by_weighted_degree():
    # hub shares 2 papers with each of a, b, c; d is in many papers but alone.
    from kg.records import Entity, ExtractedPaper, Paper

    def e(i, kind="Method"):
        return Entity(i, i.split(":")[1], kind)

    papers = [ExtractedPaper(Paper(f"p{n}", f"t{n}"), [e("m:hub"), e(f"m:{x}")]) for n, x in enumerate("aabbcc")]
    papers += [ExtractedPaper(Paper(f"q{n}", f"u{n}"), [e("m:d")]) for n in range(9)]
    graph = build_graph(papers, min_cooccur=1)
    assert select_entities(graph, top=3, min_papers=2) == ["m:hub", "m:a", "m:b"]
    # entities without a drawable link only fill the remaining room
    assert select_entities(graph, top=10, min_papers=2) == ["m:hub", "m:a", "m:b", "m:c", "m:d"]
    assert select_entities(graph, top=0) == []


def test_sizes_colours_widths(synthetic):
    data = page_data(render_map(synthetic, top=120)[0])
    nodes, edges = data["kg-nodes"], data["kg-edges"]
    for node in nodes:
        assert node["color"] == TYPE_COLOURS[node["kgType"]]
        assert node["value"] == pytest.approx(synthetic.nodes[node["id"]]["papers"] ** 0.5, abs=1e-3)
        assert isinstance(node["x"], int) and isinstance(node["y"], int)
        assert node["kgCommunity"] is None or node["kgCommunity"] >= 0
    # link width follows NPMI: the strongest link is the widest
    best = max(edges, key=lambda e: synthetic.edges[e["from"], e["to"]]["npmi"])
    assert best["value"] == max(e["value"] for e in edges)
    assert data["kg-options"]["physics"]["enabled"] is False
    communities = data["kg-meta"]["communities"]
    assert [c["colour"] for c in communities] == list(COMMUNITY_COLOURS[:len(communities)])
    assert [c["size"] for c in communities] == sorted((c["size"] for c in communities), reverse=True)
    assert all(c["size"] > 1 for c in communities)  # single entities stay grey


def test_tooltip_details(hostile_graph):
    data = page_data(render_map(hostile_graph, min_papers=1)[0])
    details, papers = data["kg-meta"]["details"], data["kg-meta"]["papers"]
    lora = details["method:lora"]
    assert lora["name"] == "LoRA" and lora["type"] == "Method" and lora["papers"] == 4
    assert lora["aliases"] == ["low-rank adaptation", PAYLOADS["img"]]
    assert len(lora["top"]) == 4 and lora["top"][0] == "doi:10.1/x"  # newest first, undated last
    assert lora["top"][-1] == "title:1"
    assert papers["arxiv:2106.09685"]["url"] == "https://arxiv.org/abs/2106.09685"
    assert papers["doi:10.1/x"]["url"].startswith("https://doi.org/10.1/x%22%3E%3Cscript%3E")
    assert papers["title:1"]["url"] is None  # javascript: is never a link
    assert papers["title:2"]["url"] == "https://example.org/paper"


def test_at_most_five_papers_per_entity(synthetic):
    data = page_data(render_map(synthetic, top=30)[0])
    for detail in data["kg-meta"]["details"].values():
        assert len(detail["top"]) == min(5, detail["papers"])


def test_deterministic_bytes(tmp_path):
    records = synthetic_papers(200, 400, seed=3)
    first = write_map(build_graph(records), tmp_path / "a.html")
    second = write_map(build_graph(list(reversed(records))), tmp_path / "b.html")
    assert first["nodes"] == second["nodes"] > 50
    assert (tmp_path / "a.html").read_bytes() == (tmp_path / "b.html").read_bytes()


def test_layout_is_seeded_and_bounded():
    edges = [(i, (i * 7) % 40, 1.0) for i in range(40)]
    a, b = force_layout(40, edges), force_layout(40, edges)
    assert (a == b).all() and abs(a).max() == pytest.approx(1.0)
    assert not (force_layout(40, edges, seed=1) == a).all()
    pinned = force_layout(10, [(0, i, 1.0) for i in range(1, 10)], fixed=0)
    assert (pinned[0] == 0).all()


def test_empty_graph(tmp_path):
    counts = write_map(build_graph([]), tmp_path / "graph.html")
    assert counts["nodes"] == counts["edges"] == counts["communities"] == 0
    assert page_data((tmp_path / "graph.html").read_text(encoding="utf-8"))["kg-nodes"] == []


# --- offline -------------------------------------------------------------------

def test_no_remote_resource(synthetic):
    text = render_map(synthetic, top=60)[0]
    page = parse_page(text)
    for tag, attrs in page.tags:
        for name in ("src", "href", "srcset", "data", "action", "poster", "background"):
            value = attrs.get(name)
            assert value is None or not REMOTE.match(value), (tag, name, value)
        assert tag not in ("link", "iframe", "img", "object", "embed", "base")
    styles = re.findall(r"<style>(.*?)</style>", text, flags=re.S)
    assert len(styles) == 2
    for css in styles:
        assert "@import" not in css
        assert not re.search(r"url\(\s*(?!['\"]?data:)", css), "CSS url() other than data:"
    assert not re.search(r"<(script|link|img)[^>]+(src|href)\s*=\s*['\"]?(https?:)?//", text, re.I)
    assert "cdn" not in " ".join(str(a) for _, a in page.tags).lower()


def test_csp_allows_exactly_the_inline_scripts(synthetic):
    text = render_map(synthetic, top=20)[0]
    csp = next(a["content"] for t, a in parse_page(text).tags if a.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in csp and "connect-src 'none'" in csp and "unsafe-inline" not in csp.split(";")[1]
    allowed = set(re.findall(r"'sha256-([^']+)'", csp))
    scripts = _executable_scripts(text)
    assert len(scripts) == 2  # vis-network and map.js
    assert '<meta name="generator" content="kg (pyvis 0.3.2, vis-network 9.1.2)">' in text
    assert {base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() for s in scripts} == allowed


# --- escaping ------------------------------------------------------------------

@pytest.mark.parametrize("render", ["map", "ego"])
def test_hostile_text_is_data_never_markup(hostile_graph, render):
    if render == "map":
        text = render_map(hostile_graph, min_papers=1, title=PAYLOADS["script"])[0]
    else:
        text = render_ego_map(hostile_graph, "method:\"evil'</script>", title=PAYLOADS["img"])[0]
    for payload in PAYLOADS.values():
        if "<" in payload:
            assert payload not in text
    assert "\u2028" not in text and "\u2029" not in text
    page = parse_page(text)
    assert [tag for tag, _ in page.tags].count("script") == len(page.scripts) == 6
    assert text.lower().count("</script") == 6
    # no element or event handler came from the input (vis-network's own code aside)
    assert not {"img", "svg", "pwned"} & {tag for tag, _ in page.tags}
    assert not [name for _, attrs in page.tags for name in attrs if name.startswith("on")]
    ours = text.replace(_executable_scripts(text)[0], "")
    assert "<img" not in ours.lower() and "<svg" not in ours.lower()
    # the page title is escaped text
    assert "<title>&lt;" in text
    # and the data still holds the exact input text
    data = page_data(text)
    names = {d["name"] for d in data["kg-meta"]["details"].values()}
    assert PAYLOADS["script_mark"] in names
    if render == "map":
        assert PAYLOADS["svg"] in names and "F1 \u2028score" in names
        titles = {p["title"] for p in data["kg-meta"]["papers"].values()}
        assert PAYLOADS["img_mark"] in titles and PAYLOADS["script"] in titles


@settings(max_examples=200, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
                    max_leaves=12))
def test_script_json_is_inert_and_exact(value):
    text = script_json(value)
    assert not set(text) & {"<", ">", "&", "\u2028", "\u2029"}
    assert text.isascii()
    assert json.loads(text) == value


def test_paper_urls():
    assert paper_url("arxiv:2101.00001v2", {}) == "https://arxiv.org/abs/2101.00001v2"
    assert paper_url("p", {"arxiv_id": "hep-th/9901001"}) == "https://arxiv.org/abs/hep-th/9901001"
    assert paper_url("doi:10.1000/ABC(1)", {}) == "https://doi.org/10.1000/ABC(1)"
    assert paper_url("p", {"url": "http://x.org/a?b=c"}) == "http://x.org/a?b=c"
    for bad in ("javascript:alert(1)", "data:text/html,<b>", "https://x.org/\"onmouseover=", "//x.org", "ftp://x"):
        assert paper_url("p", {"url": bad}) is None


# --- one entity's neighbourhood ---------------------------------------------------

def test_ego_map(tmp_path, synthetic):
    entity = max((n for n, d in synthetic.nodes(data=True) if d["kind"] == "entity"),
                 key=lambda n: (synthetic.nodes[n]["papers"], n))
    counts = write_ego_map(synthetic, entity, tmp_path / "ego.html", max_nodes=80)
    data = page_data((tmp_path / "ego.html").read_text(encoding="utf-8"))
    ids = [n["id"] for n in data["kg-nodes"]]
    assert counts["nodes"] == len(ids) == 80 and entity in ids
    assert counts["papers"] + counts["entities"] == 80 and counts["papers"] >= 10
    assert data["kg-meta"]["center"] == entity and data["kg-meta"]["mode"] == "ego"
    centre = next(n for n in data["kg-nodes"] if n["id"] == entity)
    assert (centre["x"], centre["y"]) == (0, 0)
    # every node is connected to the centre on the drawn map
    import networkx as nx
    drawn = nx.Graph((e["from"], e["to"]) for e in data["kg-edges"])
    assert set(nx.node_connected_component(drawn, entity)) == set(ids)
    for paper in (n for n in data["kg-nodes"] if n["kgType"] == "Paper"):
        assert paper["shape"] == "square"


def test_ego_hops(hostile_graph):
    one = page_data(render_ego_map(hostile_graph, "task:qa", hops=1)[0])
    kinds = {n["id"]: n["kgType"] for n in one["kg-nodes"]}
    assert kinds == {"task:qa": "Task", "arxiv:2106.09685": "Paper", "doi:10.1/x": "Paper", "title:2": "Paper"}
    two = page_data(render_ego_map(hostile_graph, "task:qa", hops=2)[0])
    assert len(two["kg-nodes"]) == 3 + 6  # its 3 papers, itself and the 5 other entities of those papers


def test_ego_unknown_entity(tmp_path, hostile_graph):
    with pytest.raises(EntityNotFoundError):
        write_ego_map(hostile_graph, "method:nope", tmp_path / "x.html")
    with pytest.raises(EntityNotFoundError):
        write_ego_map(hostile_graph, "title:2", tmp_path / "x.html")  # a paper, not an entity
    assert not list(tmp_path.iterdir())


def test_hostile_papers_fixture_builds():
    assert len(hostile_papers()) == 4


def test_same_bytes_in_fresh_processes():
    """Set and dict orders (PYTHONHASHSEED) must not reach the page: communities, layout, JSON."""
    import hashlib
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = ("import hashlib, sys; from kg.view.map import render_map, render_ego_map; "
            "from kg.view.synthetic import synthetic_graph; g = synthetic_graph(300, 600, seed=5); "
            "e = max(sorted(n for n, d in g.nodes(data=True) if d['kind'] == 'entity'), "
            "key=lambda n: g.nodes[n]['papers']); "
            "sys.stdout.write(hashlib.sha256((render_map(g)[0] + render_ego_map(g, e)[0]).encode()).hexdigest())")
    root = str(Path(__file__).resolve().parents[2])
    digests = set()
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": root}
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
        digests.add(out.stdout)
    assert len(digests) == 1 and len(hashlib.sha256().hexdigest()) == len(digests.pop())
