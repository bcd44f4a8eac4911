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
import base64
import hashlib
import json
import math
import re
import sys
import tempfile
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote, urlsplit

import networkx as nx
import numpy as np

from kg.errors import EntityNotFoundError
from kg.export.files import write_text_atomic

MAP_FILE = "graph.html"
TYPE_COLOURS = {  # Okabe–Ito: distinct for most colour-blind readers
    "Method": "#0072B2", "Model": "#D55E00", "Dataset": "#009E73", "Task": "#CC79A7", "Metric": "#E69F00",
}
PAPER_COLOUR = "#8E8E8E"
UNKNOWN_COLOUR = "#6F6F6F"
COMMUNITY_COLOURS = ("#4E79A7", "#F28E2B", "#E15759", "#59A14F", "#B07AA1", "#76B7B2",
                     "#EDC948", "#FF9DA7", "#9C755F", "#1B9E77", "#7570B3", "#A6761D")
OTHER_COLOUR = "#BDBDBD"
SCORES = ("npmi", "jaccard", "association", "papers")
TOOLTIP_PAPERS = 5
LABEL_CHARS = 36

# vis-network 9.1.2 as shipped (and pinned) with pyvis.
_VIS_DIR = ("templates", "lib", "vis-9.1.2")
_ASSETS = Path(__file__).parent


# --- choosing what to draw -----------------------------------------------------

def _entities(graph: nx.Graph) -> list[str]:
    return sorted(n for n, d in graph.nodes(data=True) if d.get("kind") == "entity")


def _cooccurs(graph: nx.Graph, min_papers: int) -> Iterable[tuple[str, str, dict]]:
    for u, v, data in graph.edges(data=True):
        if data.get("kind") == "cooccurs" and int(data.get("papers", 0)) >= min_papers:
            yield u, v, data


def select_entities(graph: nx.Graph, *, top: int = 300, min_papers: int = 2) -> list[str]:
    """The entities ``write_map`` draws, best first.

    Ranked by weighted degree over the co-occurrence links with at least
    ``min_papers`` shared papers (weight: papers shared), then by number of
    papers, then by id.  Entities without such a link are drawn only if fewer
    than ``top`` entities have one.
    """
    strength: dict[str, int] = {}
    for u, v, data in _cooccurs(graph, min_papers):
        strength[u] = strength.get(u, 0) + int(data["papers"])
        strength[v] = strength.get(v, 0) + int(data["papers"])

    def rank(node: str) -> tuple:
        return (-strength.get(node, 0), -int(graph.nodes[node].get("papers", 0)), node)

    ranked = sorted(_entities(graph), key=rank)
    linked = [n for n in ranked if n in strength]
    rest = [n for n in ranked if n not in strength]
    return (linked + rest)[:max(0, top)]


def _score(data: dict, score: str) -> float:
    value = data.get(score, 0.0)
    try:
        value = float(value)
    except (TypeError, ValueError):
        return 0.0
    return value if math.isfinite(value) else 0.0


# --- layout -------------------------------------------------------------------

def force_layout(n: int, edges: list[tuple[int, int, float]], *, seed: int = 42, iterations: int | None = None,
                 fixed: int | None = None, gravity: float = 0.08) -> np.ndarray:
    """Fruchterman–Reingold positions (n × 2, roughly in [-1, 1]) for nodes 0..n-1.

    Repulsion between all pairs is computed in row blocks (memory n × 64), the
    attraction along the ``(i, j, weight)`` edges only; a weak pull to the centre
    keeps separate components near.  Seeded and free of BLAS and threads, so the
    result is the same on every run.  ``fixed`` pins one node at the origin.

    >>> pos = force_layout(3, [(0, 1, 1.0), (1, 2, 1.0)])
    >>> pos.shape, bool(abs(pos).max() <= 1.0)
    ((3, 2), True)
    """
    if n == 0:
        return np.zeros((0, 2))
    rng = np.random.default_rng(seed)
    pos = rng.random((n, 2)) * 2 - 1
    if fixed is not None:
        pos[fixed] = 0.0
    if n == 1:
        return np.zeros((1, 2))
    iterations = iterations or (120 if n <= 600 else 60)
    src = np.array([e[0] for e in edges], dtype=np.int64)
    dst = np.array([e[1] for e in edges], dtype=np.int64)
    weight = np.array([e[2] for e in edges], dtype=np.float64)
    k = math.sqrt(4.0 / n)  # ideal distance in a 2 × 2 box
    k2 = k * k
    temperature, cooling = 0.2, 0.2 / (iterations + 1)
    disp = np.empty((n, 2))
    block = 64
    for _ in range(iterations):
        x, y = pos[:, 0], pos[:, 1]
        for start in range(0, n, block):
            end = min(n, start + block)
            dx = x[start:end, None] - x[None, :]
            dy = y[start:end, None] - y[None, :]
            d2 = dx * dx + dy * dy
            np.maximum(d2, 1e-6, out=d2)
            force = k2 / d2
            dx *= force
            dy *= force
            disp[start:end, 0] = dx.sum(axis=1)
            disp[start:end, 1] = dy.sum(axis=1)
        if len(src):
            ex, ey = x[src] - x[dst], y[src] - y[dst]
            dist = np.sqrt(ex * ex + ey * ey)
            pull = weight * dist / k
            fx, fy = ex * pull, ey * pull
            disp[:, 0] -= np.bincount(src, fx, n) - np.bincount(dst, fx, n)
            disp[:, 1] -= np.bincount(src, fy, n) - np.bincount(dst, fy, n)
        disp -= gravity * pos * n * k
        length = np.sqrt((disp * disp).sum(axis=1))
        np.maximum(length, 1e-9, out=length)
        pos += disp * (np.minimum(length, temperature) / length)[:, None]
        if fixed is not None:
            pos[fixed] = 0.0
        temperature -= cooling
    centre = pos[fixed] if fixed is not None else (pos.max(axis=0) + pos.min(axis=0)) / 2
    pos -= centre
    extent = np.abs(pos).max()
    return pos / extent if extent > 0 else pos


def _pixels(pos: np.ndarray, spacing: float) -> list[tuple[int, int]]:
    """Layout units to integer canvas pixels, ``spacing`` px per node on average."""
    n = len(pos)
    if n <= 1:
        return [(0, 0)] * n
    half = spacing * math.sqrt(n) / 2
    return [(int(round(x * half * 1.3)), int(round(y * half))) for x, y in pos]


# --- text and links -----------------------------------------------------------

def _as_list(value) -> list:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        try:
            decoded = json.loads(value)
        except ValueError:
            return [value]
        return decoded if isinstance(decoded, list) else [value]
    return list(value)


def _clip(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


_URL_OK = re.compile(r"^https?://[^\s<>\"'`\\]+$")


def paper_url(paper_id: str, data: dict) -> str | None:
    """A link for a paper: arXiv abstract page, else doi.org, else its own http(s) URL.

    >>> paper_url("arxiv:2106.09685", {})
    'https://arxiv.org/abs/2106.09685'
    >>> paper_url("x", {"doi": "10.1/a b"}), paper_url("x", {"url": "javascript:alert(1)"})
    ('https://doi.org/10.1/a%20b', None)
    """
    arxiv_id = data.get("arxiv_id") or (paper_id[6:] if str(paper_id).startswith("arxiv:") else None)
    if arxiv_id:
        return "https://arxiv.org/abs/" + quote(str(arxiv_id).strip(), safe="/.-_")
    doi = data.get("doi") or (paper_id[4:] if str(paper_id).startswith("doi:") else None)
    if doi:
        return "https://doi.org/" + quote(str(doi).strip(), safe="/.-_;:()")
    url = str(data.get("url") or "").strip()
    if url and _URL_OK.match(url) and urlsplit(url).scheme in ("http", "https"):
        return url
    return None


def _paper_order(graph: nx.Graph, paper: str) -> tuple:
    data = graph.nodes[paper]
    day = str(data.get("date") or data.get("year") or "")
    return (not day, tuple(-ord(c) for c in day), paper)  # newest first, undated last, then id


def _paper_info(graph: nx.Graph, paper: str) -> dict:
    data = graph.nodes[paper]
    info = {"title": _clip(data.get("title") or paper, 300), "url": paper_url(paper, data)}
    if data.get("year"):
        info["year"] = int(data["year"]) if str(data["year"]).isdigit() else str(data["year"])
    return info


def _entity_papers(graph: nx.Graph, entity: str) -> list[str]:
    return sorted((n for n in graph.neighbors(entity) if graph.nodes[n].get("kind") == "paper"),
                  key=lambda p: _paper_order(graph, p))


def _entity_details(graph: nx.Graph, entity: str, papers: dict, community: int | None) -> dict:
    data = graph.nodes[entity]
    top = _entity_papers(graph, entity)[:TOOLTIP_PAPERS]
    for paper in top:
        papers.setdefault(paper, _paper_info(graph, paper))
    return {
        "kind": "entity", "name": str(data.get("name", entity)), "type": str(data.get("type", "")),
        "aliases": [str(a) for a in _as_list(data.get("aliases")) if str(a) != str(data.get("name"))][:12],
        "papers": int(data.get("papers", len(top))), "first_seen": data.get("first_seen"),
        "last_seen": data.get("last_seen"), "community": community, "top": top,
    }


def _paper_details(graph: nx.Graph, paper: str) -> dict:
    data = graph.nodes[paper]
    authors = [str(a) for a in _as_list(data.get("authors"))]
    return {
        "kind": "paper", "name": _clip(data.get("title") or paper, 300), "type": "Paper",
        "date": data.get("date"), "year": data.get("year"), "venue": data.get("venue"),
        "authors": authors[:6], "more_authors": len(authors) > 6, "url": paper_url(paper, data),
    }


# --- the page -----------------------------------------------------------------

def script_json(value) -> str:
    """JSON safe inside a ``<script>`` element: ``<``, ``>``, ``&`` and U+2028/9 escaped.

    >>> script_json({"t": "</script><b>&\u2028"})
    '{"t":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026\\\\u2028"}'
    """
    text = json.dumps(value, ensure_ascii=True, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return _escape_json_text(text)


def _escape_json_text(text: str) -> str:
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


@lru_cache(maxsize=1)
def _assets() -> dict[str, str]:
    import pyvis

    vis_dir = Path(pyvis.__file__).parent.joinpath(*_VIS_DIR)
    assets = {
        # without its source-map comment: nothing for developer tools to fetch
        "vis_js": re.sub(r"\n//# sourceMappingURL=\S*\s*$", "\n",
                         (vis_dir / "vis-network.min.js").read_text(encoding="utf-8")),
        "vis_css": (vis_dir / "vis-network.css").read_text(encoding="utf-8"),
        "map_js": (_ASSETS / "map.js").read_text(encoding="utf-8"),
        "map_css": (_ASSETS / "map.css").read_text(encoding="utf-8"),
    }
    for name, text in assets.items():
        closing = "</script" if name.endswith("js") else "</style"
        if closing in text.lower():
            raise ValueError(f"asset {name} contains {closing}; it cannot be inlined")
    return assets


def _csp_hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode() + "'"


TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{{ kg.csp }}">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="kg (pyvis {{ kg.pyvis }}, vis-network 9.1.2)">
<title>{{ heading }}</title>
<style>{{ kg.vis_css }}</style>
<style>{{ kg.map_css }}</style>
</head>
<body>
<header id="kg-bar">
<h1 id="kg-title">{{ heading }}</h1>
<form id="kg-search-form" role="search" autocomplete="off">
<input id="kg-search" type="search" list="kg-names" placeholder="Find an entity by name or alias" aria-label="Find an entity">
<datalist id="kg-names"></datalist>
<button type="submit">Find</button>
</form>
<span id="kg-status" role="status"></span>
<label>Colour by <select id="kg-colour"><option value="type">type</option><option value="community">community</option></select></label>
<button id="kg-fit" type="button">Fit</button>
<span id="kg-counts"></span>
</header>
<div id="kg-network"></div>
<nav id="kg-legend" aria-label="Legend and filter"></nav>
<aside id="kg-panel" hidden><button id="kg-close" type="button" aria-label="Close">×</button><div id="kg-panel-body"></div></aside>
<script type="application/json" id="kg-meta">{{ kg.meta|kg_json }}</script>
<script type="application/json" id="kg-nodes">{{ nodes|kg_json }}</script>
<script type="application/json" id="kg-edges">{{ edges|kg_json }}</script>
<script type="application/json" id="kg-options">{{ options|kg_json_text }}</script>
<script>{{ kg.vis_js }}</script>
<script>{{ kg.map_js }}</script>
</body>
</html>
"""


def _vis_options(n_nodes: int, *, ego: bool) -> dict:
    big = n_nodes > 800
    # Big maps are shown zoomed out at first: grow the largest nodes and labels with
    # the map so that the main names stay readable before one zooms in.
    grow = min(2.8, max(1.0, math.sqrt(n_nodes / 400)))
    return {
        "autoResize": True,
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False, "randomSeed": 42},
        "interaction": {"hover": True, "tooltipDelay": 150, "hideEdgesOnDrag": big, "hideEdgesOnZoom": big,
                        "navigationButtons": False, "keyboard": False, "multiselect": False},
        "nodes": {
            "shape": "dot", "borderWidth": 1, "borderWidthSelected": 3,
            # Labels scale with the node; those under drawThreshold screen pixels are
            # hidden until one zooms in, so the default view shows the big names only.
            "scaling": {"min": 6, "max": 34 if ego else round(46 * grow), "label": {
                "enabled": True, "min": 10, "max": round(32 * grow), "maxVisible": round(32 * grow),
                "drawThreshold": 9}},
            "font": {"face": "system-ui, DejaVu Sans, sans-serif", "color": "#1f2328",
                     "strokeWidth": 4, "strokeColor": "rgba(255,255,255,0.9)"},
        },
        "edges": {
            "smooth": False, "selectionWidth": 1.5, "hoverWidth": 0.5,
            "color": {"color": "#7d8791", "highlight": "#1f2328", "hover": "#444c56", "inherit": False},
            "scaling": {"min": 0.6, "max": 7},
        },
    }


def _render(nodes: list[dict], edges: list[dict], meta: dict, title: str, *, ego: bool) -> str:
    from jinja2 import DictLoader, Environment, StrictUndefined
    from markupsafe import Markup
    import pyvis
    from pyvis.edge import Edge
    from pyvis.network import Network

    net = Network(height="100%", width="100%", heading=title, cdn_resources="in_line", notebook=False)
    for node in nodes:
        attrs = {k: v for k, v in node.items() if k not in ("id", "label", "shape", "color")}
        net.add_node(node["id"], label=node["label"], shape=node.get("shape", "dot"), color=node["color"], **attrs)
    # pyvis' add_edge looks for duplicates in a list (quadratic); ours are unique already.
    net.edges.extend(Edge(e["from"], e["to"], **{k: v for k, v in e.items() if k not in ("from", "to")}).options
                     for e in edges)
    net.options = _vis_options(len(nodes), ego=ego)

    assets = _assets()
    env = Environment(loader=DictLoader({"kg_map.html": TEMPLATE}), autoescape=True, undefined=StrictUndefined)
    env.filters["kg_json"] = lambda value: Markup(script_json(value))
    env.filters["kg_json_text"] = lambda text: Markup(_escape_json_text(str(text)))
    csp = ("default-src 'none'; "
           f"script-src {_csp_hash(assets['vis_js'])} {_csp_hash(assets['map_js'])}; "
           "style-src 'unsafe-inline'; img-src data:; font-src data:; connect-src 'none'; "
           "base-uri 'none'; form-action 'none'; object-src 'none'")
    # the CSP holds no input text: marked safe so that its quotes stay readable
    env.globals["kg"] = {"meta": meta, "csp": Markup(csp), "pyvis": pyvis.__version__,
                         **{name: Markup(text) for name, text in assets.items()}}
    net.templateEnv = env
    net.path = "kg_map.html"
    return net.generate_html(name="graph.html", notebook=False)


def _target(path: str | Path) -> Path:
    path = Path(path)
    return path / MAP_FILE if path.is_dir() else path


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


def _edge_list(drawn: nx.Graph) -> list[dict]:
    scores = [d["score"] for _, _, d in drawn.edges(data=True) if "score" in d]
    low, high = (min(scores), max(scores)) if scores else (0.0, 1.0)
    edges = []
    for u, v, data in drawn.edges(data=True):
        edge = {"from": u, "to": v}
        if "score" in data:
            strength = (data["score"] - low) / (high - low) if high > low else 1.0
            edge["value"] = round(0.05 + strength, 4)
            edge["color"] = {"opacity": round(0.18 + 0.5 * strength, 2)}  # strong links stand out
            edge["kgPapers"] = data["papers"]
        else:  # a "mentions" link of an ego map
            edge.update(value=0.05, color={"color": "#a7aeb5", "opacity": 0.55})
        edges.append(edge)
    return edges


def _meta(graph, title, mode, nodes, edges, communities, details, papers, score) -> dict:
    counts: dict[str, int] = {}
    for node in nodes:
        counts[node["kgType"]] = counts.get(node["kgType"], 0) + 1
    types = [{"name": t, "colour": c, "shape": "dot"} for t, c in TYPE_COLOURS.items()]
    types += [{"name": t, "colour": UNKNOWN_COLOUR, "shape": "dot"} for t in sorted(counts)
              if t not in TYPE_COLOURS and t != "Paper"]
    if mode == "ego":
        types.append({"name": "Paper", "colour": PAPER_COLOUR, "shape": "square"})
    shown = []  # the largest communities get a colour; single entities and the rest are grey
    coloured = [c for c in communities[:len(COMMUNITY_COLOURS)] if len(c) > 1]
    for i, members in enumerate(coloured):
        best = sorted(members, key=lambda n: (-details[n]["papers"] if n in details else 0, n))[:3]
        shown.append({"colour": COMMUNITY_COLOURS[i], "size": len(members),
                      "names": [details[n]["name"] for n in best]})
    return {
        "title": title, "mode": mode, "score": score, "types": types, "communities": shown,
        "other_communities": len(communities) - len(coloured), "other_colour": OTHER_COLOUR,
        "entities": len(_entities(graph)), "details": details, "papers": papers,
        "center": None,
    }


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

def _ego_nodes(graph: nx.Graph, center: str, hops: int, max_nodes: int) -> dict[str, int]:
    """Nodes within ``hops`` "mentions" links of ``center``, at most ``max_nodes``, with their distance.

    Distance 1: the entity's papers; 2: the other entities those papers mention;
    3: the other papers of those entities, and so on.  When there are too many,
    the newest papers and the entities linked to most kept nodes come first;
    the papers take at most two fifths of the room when farther rings follow.
    """
    kept = {center: 0}
    budget = max(1, max_nodes) - 1
    ring = [center]
    for hop in range(1, max(0, hops) + 1):
        candidates = sorted({m for n in ring for m in graph.neighbors(n)
                             if m not in kept and graph.edges[n, m].get("kind") == "mentions"})
        if not candidates:
            break
        if hop % 2:  # papers
            candidates.sort(key=lambda p: (-sum(1 for m in graph.neighbors(p) if kept.get(m) == hop - 1),
                                           _paper_order(graph, p)))
        else:  # entities
            candidates.sort(key=lambda e: (-sum(1 for m in graph.neighbors(e) if kept.get(m) == hop - 1),
                                           -int(graph.nodes[e].get("papers", 0) or 0), e))
        room = budget - (len(kept) - 1)
        if hop < hops and hop % 2:
            room = min(room, max(1, (budget * 2) // 5))
        ring = candidates[:max(0, room)]
        for node in ring:
            kept[node] = hop
    return kept


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


if __name__ == "__main__":
    sys.exit(main())
