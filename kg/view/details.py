"""What the map page says about a node: labels, paper links, tooltips and the details panel.

Only text goes from here to the page, as JSON; links are made from arXiv ids
and DOIs, or from the input URL only when it is http(s).
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

import networkx as nx

from kg.graph.io import as_list

TOOLTIP_PAPERS = 5


def _as_list(value) -> list:
    return [] if value == "" else as_list(value)


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
