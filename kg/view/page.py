"""The map as one self-contained HTML page: colours, legend data, vis-network options, template.

The page is offline: vis-network, its CSS and ours are inlined, and a
Content-Security-Policy (``default-src 'none'``, scripts allowed by hash only)
stops the browser from fetching anything or running any script that would have
slipped in.  Every text from the input is embedded as JSON (``script_json``)
and put on the page with ``textContent`` by ``map.js``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
from functools import lru_cache
from pathlib import Path

import networkx as nx

from kg.view.selection import _entities

TYPE_COLOURS = {  # Okabe–Ito: distinct for most colour-blind readers
    "Method": "#0072B2", "Model": "#D55E00", "Dataset": "#009E73", "Task": "#CC79A7", "Metric": "#E69F00",
}
PAPER_COLOUR = "#8E8E8E"
UNKNOWN_COLOUR = "#6F6F6F"
COMMUNITY_COLOURS = ("#4E79A7", "#F28E2B", "#E15759", "#59A14F", "#B07AA1", "#76B7B2",
                     "#EDC948", "#FF9DA7", "#9C755F", "#1B9E77", "#7570B3", "#A6761D")
OTHER_COLOUR = "#BDBDBD"

# vis-network 9.1.2 as shipped (and pinned) with pyvis.
_VIS_DIR = ("templates", "lib", "vis-9.1.2")
_ASSETS = Path(__file__).parent


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
