"""The HTML map of the graph: one self-contained page drawn with pyvis / vis-network.

``write_map`` draws the entities (no papers) and their co-occurrence links:

* only the ``top`` entities by weighted degree (sum of papers shared over the
  links that have at least ``min_papers`` shared papers), so that the default
  map is readable; entities without such a link come only if too few have one;
* colour by type (legend with a type filter), or by Louvain community
  (``louvain_communities(seed=42)`` on the drawn subgraph) with a switch;
* size by number of papers, link width by a co-occurrence score (NPMI by default);
* positions computed here (a seeded Fruchterman–Reingold layout) and physics off,
  so the page draws at once, never moves by itself, and the same graph gives
  the same bytes;
* a hover tooltip (name, type, aliases, number of papers, up to 5 paper
  titles), a details panel on click with the papers linked to arXiv / DOI, a
  search box (name or alias) and a "fit" button.

``write_ego_map`` draws the neighbourhood of one entity (papers and entities
within ``hops`` paper–entity steps), for ``kg neighbours ENTITY --html FILE``.

The page is offline: vis-network, its CSS and ours are inlined; it links to no
script, style sheet, font or image by URL, and a Content-Security-Policy
(``default-src 'none'``, scripts allowed by hash only) stops the browser from
fetching anything or running any script that would have slipped in.  Every text
from the input is embedded as JSON (with ``<``, ``>``, ``&``, U+2028/2029
escaped) and put on the page with ``textContent``; links are made from arXiv ids
and DOIs, or from the input URL only when it is http(s).

Command line, to take a screenshot of a built graph (e.g. docs/map.png)::

    python -m kg.view.map output/ docs/map.png [--top 300] [--min-papers 2] [--hover NAME]
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from pathlib import Path

import networkx as nx

from kg.errors import EntityNotFoundError
from kg.export.files import write_text_atomic
from kg.view.details import TOOLTIP_PAPERS, _clip, _entity_details, _paper_details, paper_url
from kg.view.layout import _pixels, force_layout
from kg.view.page import (COMMUNITY_COLOURS, OTHER_COLOUR, PAPER_COLOUR, TEMPLATE, TYPE_COLOURS, UNKNOWN_COLOUR,
                          _edge_list, _meta, _render, script_json)
from kg.view.selection import _cooccurs, _ego_nodes, select_entities

MAP_FILE = "graph.html"
SCORES = ("npmi", "jaccard", "association", "papers")
LABEL_CHARS = 36


def _target(path: str | Path) -> Path:
    path = Path(path)
    return path / MAP_FILE if path.is_dir() else path


def _score(data: dict, score: str) -> float:
    value = data.get(score, 0.0)
    try:
        value = float(value)
    except (TypeError, ValueError):
        return 0.0
    return value if math.isfinite(value) else 0.0


def _layout_weight(data: dict) -> float:
    """Attraction of a link in the layout: its NPMI (association beyond chance) rather than
    raw counts, so that hubs do not pull everything into one ball."""
    npmi = _score(data, "npmi") if "npmi" in data else None
    return max(0.05, npmi) if npmi is not None else 0.5


def render_map(graph: nx.Graph, *, top: int = 300, min_papers: int = 2, title: str = "kg map",
               score: str = "npmi") -> tuple[str, dict]:
    """The map page as text and its counts (see ``write_map``)."""
    if score not in SCORES:
        raise ValueError(f"score must be one of {', '.join(SCORES)}")
    chosen = select_entities(graph, top=top, min_papers=min_papers)
    keep = set(chosen)
    drawn = nx.Graph()
    drawn.add_nodes_from(sorted(chosen))
    links = sorted((min(u, v), max(u, v), data) for u, v, data in _cooccurs(graph, min_papers)
                   if u in keep and v in keep)
    for u, v, data in links:
        drawn.add_edge(u, v, papers=int(data["papers"]), score=_score(data, score), layout=_layout_weight(data))

    communities = sorted(nx.community.louvain_communities(drawn, weight="papers", seed=42),
                         key=lambda c: (-len(c), min(c))) if len(drawn) else []
    community_of = {n: i for i, c in enumerate(communities) for n in c}

    index = {n: i for i, n in enumerate(drawn.nodes)}
    weights = [(index[u], index[v], d["layout"]) for u, v, d in drawn.edges(data=True)]
    pixels = _pixels(force_layout(len(drawn), weights), spacing=68)

    papers: dict[str, dict] = {}
    details, nodes = {}, []
    for node, (x, y) in zip(drawn.nodes, pixels):
        data = graph.nodes[node]
        kind = str(data.get("type", ""))
        details[node] = _entity_details(graph, node, papers, community_of.get(node))
        nodes.append({"id": node, "label": _clip(data.get("name", node), LABEL_CHARS), "shape": "dot",
                      "color": TYPE_COLOURS.get(kind, UNKNOWN_COLOUR), "x": x, "y": y,
                      "value": round(math.sqrt(max(1, int(data.get("papers", 1)))), 4),
                      "kgType": kind, "kgCommunity": community_of.get(node)})
    nodes.sort(key=lambda n: (details[n["id"]]["papers"], n["id"]))  # big ones drawn last, on top

    edges = _edge_list(drawn)
    meta = _meta(graph, title, "map", nodes, edges, communities, details, papers, score)
    html = _render(nodes, edges, meta, title, ego=False)
    return html, {"nodes": len(nodes), "edges": len(edges), "communities": len(communities),
                  "entities": meta["entities"]}


def write_map(graph: nx.Graph, path: str | Path, *, top: int = 300, min_papers: int = 2,
              title: str = "kg map", score: str = "npmi") -> dict:
    """Write the entity map of ``graph`` to ``path`` (a folder gets ``graph.html``), atomically.

    ``top``: how many entities to draw (by weighted degree); ``min_papers``: the
    fewest shared papers for a co-occurrence link to be drawn; ``score``: the
    link measure that sets the link width (npmi, jaccard, association or papers).
    Returns ``{"nodes", "edges", "communities", "entities"}``: drawn nodes and
    links, communities found, entities in the graph (no path: the build report
    holding these must not depend on where the file was staged).
    """
    html, counts = render_map(graph, top=top, min_papers=min_papers, title=title, score=score)
    target = _target(path)
    write_text_atomic(target, html)
    return counts


# --- one entity's neighbourhood ------------------------------------------------------

def render_ego_map(graph: nx.Graph, entity_id: str, *, hops: int = 2, max_nodes: int = 150,
                   min_papers: int = 2, title: str | None = None) -> tuple[str, dict]:
    """The neighbourhood page as text and its counts (see ``write_ego_map``)."""
    if entity_id not in graph or graph.nodes[entity_id].get("kind") != "entity":
        raise EntityNotFoundError(entity_id, [])
    kept = _ego_nodes(graph, entity_id, hops, max_nodes)
    name = str(graph.nodes[entity_id].get("name", entity_id))
    title = title or f"{name}: neighbourhood"
    drawn = nx.Graph()
    drawn.add_node(entity_id)
    drawn.add_nodes_from(sorted(n for n in kept if n != entity_id))
    for u, v, data in sorted(((min(u, v), max(u, v), d) for u, v, d in graph.subgraph(kept).edges(data=True)),
                             key=lambda e: (e[0], e[1])):
        if data.get("kind") == "cooccurs":
            if entity_id in (u, v) and int(data.get("papers", 0)) >= min_papers:
                drawn.add_edge(u, v, papers=int(data.get("papers", 0)), score=_score(data, "npmi"))
        elif data.get("kind") == "mentions":
            drawn.add_edge(u, v, kind="mentions")
    index = {n: i for i, n in enumerate(drawn.nodes)}
    weights = [(index[u], index[v], 1.0 if "score" not in d else 0.5 + 0.5 * math.log1p(d["papers"]))
               for u, v, d in drawn.edges(data=True)]
    pixels = _pixels(force_layout(len(drawn), weights, fixed=0), spacing=85)

    papers: dict[str, dict] = {}
    details, nodes = {}, []
    for node, (x, y) in zip(drawn.nodes, pixels):
        data = graph.nodes[node]
        if data.get("kind") == "paper":
            details[node] = _paper_details(graph, node)
            nodes.append({"id": node, "label": _clip(data.get("title") or node, 28), "shape": "square",
                          "color": PAPER_COLOUR, "x": x, "y": y, "value": 1.0, "kgType": "Paper",
                          "kgCommunity": None})
            continue
        kind = str(data.get("type", ""))
        details[node] = _entity_details(graph, node, papers, None)
        item = {"id": node, "label": _clip(data.get("name", node), LABEL_CHARS), "shape": "dot",
                "color": TYPE_COLOURS.get(kind, UNKNOWN_COLOUR), "x": x, "y": y,
                "value": round(math.sqrt(max(1, int(data.get("papers", 1)))), 4), "kgType": kind,
                "kgCommunity": None}
        if node == entity_id:
            item.update(borderWidth=4, font={"size": 22, "bold": True}, shape="star")
        nodes.append(item)
    nodes.sort(key=lambda n: (n["id"] == entity_id, details[n["id"]].get("papers", 0), n["id"]))
    edges = _edge_list(drawn)
    meta = _meta(graph, title, "ego", nodes, edges, [], details, papers, "npmi")
    meta["center"] = entity_id
    html = _render(nodes, edges, meta, title, ego=True)
    n_papers = sum(1 for n in nodes if n["kgType"] == "Paper")
    return html, {"nodes": len(nodes), "edges": len(edges), "papers": n_papers, "entities": len(nodes) - n_papers}


def write_ego_map(graph: nx.Graph, entity_id: str, path: str | Path, *, hops: int = 2, max_nodes: int = 150,
                  min_papers: int = 2, title: str | None = None) -> dict:
    """Write the neighbourhood of one entity to ``path`` (an .html file), atomically.

    ``entity_id`` is a node id (e.g. ``"method:lora"``; resolve a name first).
    Drawn are the nodes within ``hops`` steps along paper–entity links, as in
    ``kg neighbours --hops``: 1 = its papers, 2 = also the entities of those
    papers, 3 = also their other papers, …; at most ``max_nodes`` of them (the
    newest papers and the best-linked entities first), with the paper–entity
    links and the entity's own co-occurrence links that share at least
    ``min_papers`` papers (width by NPMI).  The entity is drawn as a star at the
    centre, selected, with its details panel open.
    Raises ``EntityNotFoundError`` if ``entity_id`` is not an entity of ``graph``.
    Returns ``{"nodes", "edges", "papers", "entities"}`` (drawn).
    """
    html, counts = render_ego_map(graph, entity_id, hops=hops, max_nodes=max_nodes, min_papers=min_papers,
                                  title=title)
    target = _target(path)
    write_text_atomic(target, html)
    return counts


# --- command line: a screenshot of a built graph --------------------------------------

def main(argv: list[str] | None = None) -> int:
    """``python -m kg.view.map GRAPH_DIR OUT.png``: write the map of a built graph and a PNG of it."""
    parser = argparse.ArgumentParser(prog="python -m kg.view.map", description=main.__doc__)
    parser.add_argument("graph_dir", type=Path, help="folder written by 'kg build'")
    parser.add_argument("png", type=Path, help="screenshot to write")
    parser.add_argument("--html", type=Path, help="also keep the map page here (default: a temporary file)")
    parser.add_argument("--top", type=int, default=300)
    parser.add_argument("--min-papers", type=int, default=2)
    parser.add_argument("--title", default="kg map")
    parser.add_argument("--size", default="1400x900", help="WIDTHxHEIGHT of the screenshot")
    parser.add_argument("--hover", help="show the tooltip of this entity (name, alias or id)")
    args = parser.parse_args(argv)

    from kg.graph.io import load_graph
    from kg.view.browser import screenshot

    graph = load_graph(args.graph_dir)
    width, height = (int(v) for v in args.size.lower().split("x"))
    with tempfile.TemporaryDirectory(prefix="kg-map-") as tmp:
        html = args.html or Path(tmp) / MAP_FILE
        counts = write_map(graph, html, top=args.top, min_papers=args.min_papers, title=args.title)
        report = screenshot(html, args.png, width, height, hover=args.hover)
    print(f"{counts['nodes']} entities, {counts['edges']} links, {counts['communities']} communities; "
          f"{args.png} drawn in {report.page_ms:.0f} ms")
    return 0


__all__ = ["MAP_FILE", "SCORES", "LABEL_CHARS", "TOOLTIP_PAPERS", "TYPE_COLOURS", "PAPER_COLOUR", "UNKNOWN_COLOUR",
           "COMMUNITY_COLOURS", "OTHER_COLOUR", "TEMPLATE", "select_entities", "force_layout", "paper_url",
           "script_json", "render_map", "write_map", "render_ego_map", "write_ego_map", "main"]

if __name__ == "__main__":
    sys.exit(main())
