"""The most central entities, and the groups of entities that appear together.

Both work on the co-occurrence network built from the incidence matrix
(``kg.query.cooccur.cooccurrence_network``): every entity, and an edge weighted
by the number of papers in common for every pair sharing at least one paper.
"""

from __future__ import annotations

import networkx as nx

from kg.query.cooccur import cooccurrence_network
from kg.query.resolve import check_positive, check_type, entity_nodes

RANKINGS = ("papers", "degree", "pagerank")
LABEL_SIZE = 3  # entities named in a community's label
TOP_SIZE = 5  # entities listed in a community's "top"


def _round(value: float) -> float:
    return float(f"{value:.6g}")


def _row(graph: nx.Graph, node: str) -> dict:
    data = graph.nodes[node]
    return {"id": node, "name": data.get("name", node), "type": data.get("type"), "papers": int(data.get("papers", 0))}


def top_entities(graph: nx.Graph, *, type: str | None = None, by: str = "papers", top: int | None = 20) -> dict:
    """The entities ranked by ``by``, best first (ties by name):

    * ``papers``: the number of papers mentioning the entity;
    * ``degree``: the number of distinct entities it shares a paper with;
    * ``pagerank``: PageRank on the co-occurrence network weighted by papers in common.

    Scores are computed on the whole graph, then ``type`` keeps one entity type.

    >>> g = nx.Graph()
    >>> g.add_node("method:a", kind="entity", name="A", type="Method", papers=2)
    >>> g.add_node("dataset:b", kind="entity", name="B", type="Dataset", papers=1)
    >>> g.add_nodes_from(["p1", "p2"], kind="paper")
    >>> g.add_edges_from([("p1", "method:a"), ("p2", "method:a"), ("p2", "dataset:b")], kind="mentions")
    >>> [(r["name"], r["score"]) for r in top_entities(g)["results"]]
    [('A', 2), ('B', 1)]
    >>> [(r["name"], r["score"]) for r in top_entities(g, by="degree", type="dataset")["results"]]
    [('B', 1)]
    """
    if by not in RANKINGS:
        raise ValueError(f"unknown ranking {by!r}; valid rankings: {', '.join(RANKINGS)}")
    type = check_type(type)
    check_positive("top", top, allow_none=True)
    nodes = entity_nodes(graph)
    if by == "papers":
        scores = {n: int(graph.nodes[n].get("papers", 0)) for n in nodes}
    else:
        net = cooccurrence_network(graph)
        if by == "degree":
            scores = dict(net.degree())
        else:
            scores = {n: _round(v) for n, v in nx.pagerank(net, weight="weight").items()} if len(net) else {}
    results = []
    for node in nodes:
        if type is not None and graph.nodes[node].get("type") != type:
            continue
        results.append({**_row(graph, node), "score": scores.get(node, 0)})
    results.sort(key=lambda r: (-r["score"], str(r["name"]).casefold(), r["id"]))
    if top is not None:
        results = results[:top]
    return {"by": by, "type": type, "results": results}


def communities(graph: nx.Graph, *, resolution: float = 1.0, seed: int = 42) -> dict:
    """Groups of entities that appear in the same papers (Louvain, networkx).

    The co-occurrence network is weighted by papers in common; ``resolution``
    above 1 gives more, smaller communities.  The network is built in sorted
    order and the algorithm seeded, so the same graph gives the same answer.
    Each community lists its ``members`` (ids, sorted), its ``top`` entities by
    papers and a ``label`` naming the first few of them; communities come largest
    first, then by label.  ``modularity`` measures how well the split holds
    (−0.5 to 1; above about 0.3 is a clear structure).

    >>> g = nx.Graph()
    >>> for e in "abcd":
    ...     g.add_node(e, kind="entity", name=e.upper(), type="Method", papers=1)
    >>> g.add_nodes_from(["p1", "p2"], kind="paper")
    >>> g.add_edges_from([("p1", "a"), ("p1", "b"), ("p2", "c"), ("p2", "d")], kind="mentions")
    >>> [(c["label"], c["members"]) for c in communities(g)["communities"]]
    [('A, B', ['a', 'b']), ('C, D', ['c', 'd'])]
    """
    if not isinstance(resolution, (int, float)) or isinstance(resolution, bool) or resolution <= 0:
        raise ValueError(f"resolution must be a number above 0, not {resolution!r}")
    net = cooccurrence_network(graph)
    groups = []
    if len(net):
        groups = nx.community.louvain_communities(net, weight="weight", resolution=resolution, seed=seed)
    out = []
    for members in groups:
        ranked = sorted(members, key=lambda n: (-int(graph.nodes[n].get("papers", 0)),
                                                str(graph.nodes[n].get("name", n)).casefold(), n))
        top = [_row(graph, n) for n in ranked[:TOP_SIZE]]
        out.append({
            "size": len(members),
            "label": ", ".join(str(r["name"]) for r in top[:LABEL_SIZE]),
            "top": top,
            "members": sorted(members),
        })
    out.sort(key=lambda c: (-c["size"], c["label"].casefold(), c["members"][0]))
    for number, community in enumerate(out, 1):
        community["id"] = number
    modularity = (_round(nx.community.modularity(net, groups, weight="weight", resolution=resolution))
                  if net.number_of_edges() else 0.0)
    return {
        "resolution": resolution,
        "seed": seed,
        "modularity": modularity,
        "communities": [{"id": c["id"], **{k: v for k, v in c.items() if k != "id"}} for c in out],
    }


__all__ = ["top_entities", "communities", "RANKINGS"]
