"""Build the networkx graph: paper and entity nodes, ``mentions`` and ``cooccurs`` edges.

The graph is the one hand-over point to the exporters and queries, so it carries
everything they need as plain attributes:

* paper node ``kind="paper"``: title, abstract and the metadata the input had;
* entity node ``kind="entity"``: name, type, aliases, alias_reasons, papers
  (number of papers), first_seen / last_seen (ISO dates where known);
* ``mentions`` edge paper–entity: count and the mention list
  (field, start, end, text);
* ``cooccurs`` edge entity–entity: papers in common and the normalised scores
  (see ``kg.graph.cooccurrence``), for pairs sharing at least ``min_cooccur`` papers.
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from kg.graph.cooccurrence import cooccurrence_pairs, incidence
from kg.records import ExtractedPaper

PAPER_FIELDS = ("title", "abstract", "authors", "n_authors", "date", "year", "doi", "arxiv_id", "url",
                "venue", "keywords", "upvotes", "organisation", "merged_ids")


def _iso(date: str | None) -> str | None:
    """Only ISO dates (YYYY-MM-DD) order correctly; a date without a year is not one."""
    return date if date and len(date) == 10 and date[4] == "-" else None


def build_graph(extracted: Iterable[ExtractedPaper], *, min_cooccur: int = 2) -> nx.Graph:
    """One node per paper and per entity; nodes and edges are added in sorted order.

    >>> from kg.records import Entity, ExtractedPaper, Mention, Paper
    >>> lora = Entity("method:lora", "LoRA", "Method", mentions=[Mention("title", 0, 4, "LoRA")])
    >>> g = build_graph([ExtractedPaper(Paper("p1", "LoRA"), [lora])], min_cooccur=1)
    >>> g.nodes["method:lora"]["papers"], g.edges["p1", "method:lora"]["count"]
    (1, 1)
    """
    papers = sorted(extracted, key=lambda item: item.paper.id)
    graph = nx.Graph(name="kg")
    entity_info: dict[str, dict] = {}
    for item in papers:
        paper = item.paper
        if paper.id in graph:
            raise ValueError(f"paper id {paper.id!r} is used twice")
        attrs = {"kind": "paper"}
        for name in PAPER_FIELDS:
            value = getattr(paper, name)
            if value not in (None, "", []):
                attrs[name] = value
        attrs.setdefault("title", paper.title)
        graph.add_node(paper.id, **attrs)
        for entity in item.entities:
            info = entity_info.setdefault(entity.id, {
                "kind": "entity", "name": entity.name, "type": entity.type,
                "aliases": list(entity.aliases), "alias_reasons": dict(entity.alias_reasons), "papers": 0, "first_seen": None, "last_seen": None,
            })
            info["papers"] += 1
            day = _iso(paper.date)
            if day:
                info["first_seen"] = min(filter(None, [info["first_seen"], day]))
                info["last_seen"] = max(filter(None, [info["last_seen"], day]))
    for entity_id in sorted(entity_info):
        if entity_id in graph:
            raise ValueError(f"entity id {entity_id!r} is also a paper id")
        attrs = {k: v for k, v in entity_info[entity_id].items() if v is not None}
        graph.add_node(entity_id, **attrs)
    for item in papers:
        for entity in sorted(item.entities, key=lambda e: e.id):
            mentions = sorted(({"field": m.field, "start": m.start, "end": m.end, "text": m.text}
                               for m in entity.mentions),
                              key=lambda m: (m["field"] != "title", m["start"], m["end"]))
            graph.add_edge(item.paper.id, entity.id, kind="mentions", count=len(mentions), mentions=mentions)
    add_cooccurrence_edges(graph, min_papers=min_cooccur)
    return graph


def add_cooccurrence_edges(graph: nx.Graph, *, min_papers: int = 2) -> None:
    """Add ``cooccurs`` edges with their scores for pairs sharing ``min_papers`` or more."""
    matrix = incidence(graph)
    for pair in cooccurrence_pairs(matrix, min_papers=min_papers):
        graph.add_edge(pair.source, pair.target, kind="cooccurs", papers=pair.papers,
                       association=pair.association, jaccard=pair.jaccard, npmi=pair.npmi)
