"""Which nodes a map draws: the best-linked entities, or one entity's neighbourhood.

A readable map shows a few hundred entities, not all of them: ``write_map``
and ``write_ego_map`` choose them here, before any layout or HTML.
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from kg.view.details import _paper_order


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
