"""The papers and entities around one entity, and its papers over time."""

from __future__ import annotations

import re
from collections import Counter

import networkx as nx

from kg.query.resolve import check_positive, check_type, entity_summary, resolve_entity

_MONTH = re.compile(r"^(\d{4})-(\d{2})(?:-\d{2})?$")


def _mentions(graph: nx.Graph, node: str):
    for other, data in graph.adj[node].items():
        if data.get("kind") == "mentions":
            yield other


def neighbourhood(graph: nx.Graph, entity: str, *, hops: int = 2, type: str | None = None) -> dict:
    """The nodes within ``hops`` steps of ``entity`` along ``mentions`` edges.

    Hop 1 holds the papers mentioning the entity, hop 2 the entities those
    papers mention, hop 3 the papers mentioning those entities, and so on; the
    entity itself is at hop 0.  ``type`` keeps entities of one type only, and
    the walk goes on through them only, so every node listed is reached through
    listed nodes.  ``edges`` are the ``mentions`` edges (paper → entity) among
    the nodes listed.  Nodes are sorted by hops then id, edges by source then target.

    >>> g = nx.Graph()
    >>> g.add_node("method:a", kind="entity", name="A", type="Method")
    >>> g.add_node("dataset:b", kind="entity", name="B", type="Dataset")
    >>> g.add_node("p1", kind="paper", title="On A and B")
    >>> g.add_edges_from([("p1", "method:a"), ("p1", "dataset:b")], kind="mentions")
    >>> [(n["id"], n["hops"]) for n in neighbourhood(g, "A")["nodes"]]
    [('method:a', 0), ('p1', 1), ('dataset:b', 2)]
    >>> neighbourhood(g, "A", hops=1)["edges"]
    [{'source': 'p1', 'target': 'method:a', 'kind': 'mentions'}]
    """
    check_positive("hops", hops)
    type = check_type(type)
    entity_id = resolve_entity(graph, entity)

    def keep(node: str) -> bool:
        data = graph.nodes[node]
        if data.get("kind") == "paper":
            return True
        return data.get("kind") == "entity" and (type is None or data.get("type") == type)

    distance = {entity_id: 0}
    frontier = [entity_id]
    for step in range(1, hops + 1):
        reached = set()
        for node in frontier:
            for other in _mentions(graph, node):
                if other not in distance and keep(other):
                    reached.add(other)
        for node in reached:
            distance[node] = step
        frontier = sorted(reached)
        if not frontier:
            break

    nodes = []
    for node in sorted(distance, key=lambda n: (distance[n], n)):
        data = graph.nodes[node]
        if data.get("kind") == "paper":
            nodes.append({"id": node, "kind": "paper", "name": data.get("title", node), "type": None,
                          "hops": distance[node]})
        else:
            nodes.append({"id": node, "kind": "entity", "name": data.get("name", node), "type": data.get("type"),
                          "hops": distance[node]})
    edges = []
    for node in distance:
        if graph.nodes[node].get("kind") != "paper":
            continue
        for other in _mentions(graph, node):
            if other in distance:
                edges.append({"source": node, "target": other, "kind": "mentions"})
    edges.sort(key=lambda e: (e["source"], e["target"]))
    return {"entity": entity_summary(graph, entity_id), "hops": hops, "nodes": nodes, "edges": edges}


def _months_between(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _year(value) -> int | None:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return None
    return year if 1000 <= year <= 2999 else None


def trends(graph: nx.Graph, entity: str) -> dict:
    """How many papers mention ``entity``, per month.

    A paper whose ``date`` is ISO (``YYYY-MM-DD`` or ``YYYY-MM``) counts in
    its month; ``months`` runs from the first month to the last, months without
    papers included with 0.  A paper whose ``date`` is missing or not ISO
    (``"Aug 1"``) but that has a ``year`` counts in ``year_only`` for that year;
    a paper with neither counts in ``undated``.  ``papers`` is the total.

    >>> g = nx.Graph()
    >>> g.add_node("method:a", kind="entity", name="A", type="Method")
    >>> for p, attrs in {"p1": {"date": "2024-01-05", "year": 2024}, "p2": {"date": "2024-03-30"},
    ...                  "p3": {"date": "Aug 1", "year": 2023}, "p4": {"date": "Aug 2"}}.items():
    ...     g.add_node(p, kind="paper", **attrs)
    ...     g.add_edge(p, "method:a", kind="mentions")
    >>> t = trends(g, "A")
    >>> t["months"]
    [{'month': '2024-01', 'papers': 1}, {'month': '2024-02', 'papers': 0}, {'month': '2024-03', 'papers': 1}]
    >>> t["year_only"], t["undated"], t["papers"]
    ([{'year': 2023, 'papers': 1}], 1, 4)
    """
    entity_id = resolve_entity(graph, entity)
    months: Counter = Counter()
    years: Counter = Counter()
    undated = 0
    papers = [p for p in _mentions(graph, entity_id) if graph.nodes[p].get("kind") == "paper"]
    for paper in papers:
        data = graph.nodes[paper]
        match = _MONTH.match(str(data.get("date") or ""))
        if match and 1 <= int(match[2]) <= 12:
            months[f"{match[1]}-{match[2]}"] += 1
        elif _year(data.get("year")) is not None:
            years[_year(data["year"])] += 1
        else:
            undated += 1
    month_list = _months_between(min(months), max(months)) if months else []
    return {
        "entity": entity_summary(graph, entity_id),
        "papers": len(papers),
        "months": [{"month": m, "papers": months.get(m, 0)} for m in month_list],
        "year_only": [{"year": y, "papers": years[y]} for y in sorted(years)],
        "undated": undated,
    }


__all__ = ["neighbourhood", "trends"]
