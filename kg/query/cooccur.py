"""Which entities appear in the same papers as one entity, and how strongly.

Everything is computed from the paper × entity incidence matrix X (the
``mentions`` edges, see ``kg.graph.cooccurrence``), never from the stored
``cooccurs`` edges: those are kept only from a threshold up, so a query reading
them would silently miss the weaker pairs.  For an entity i and any entity j,
the papers in common are c = (XᵀX)ᵢⱼ, the sizes s are the column sums and N is
the number of papers; the measures are the ones ``kg.graph.cooccurrence.score``
defines:

* ``count``: c;
* ``association`` (association strength, van Eck & Waltman 2009): c / (s_i · s_j);
* ``jaccard``: c / (s_i + s_j − c);
* ``npmi``: log(p_ij / (p_i · p_j)) / −log(p_ij), with p = papers / N.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from kg.graph.cooccurrence import MEASURES, Incidence, incidence, score
from kg.query.resolve import check_positive, check_type, entity_summary, resolve_entity

MEASURE_NAMES = {
    "count": "papers in common",
    "association": "association strength",
    "jaccard": "Jaccard index",
    "npmi": "normalised PMI",
}


def check_measure(measure: str) -> str:
    """``measure`` if it is one of ``MEASURES``, else a ValueError naming the valid ones.

    >>> check_measure("cosine")
    Traceback (most recent call last):
    ...
    ValueError: unknown measure 'cosine'; valid measures: count, association, jaccard, npmi
    """
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}; valid measures: {', '.join(MEASURES)}")
    return measure


def _sizes(inc: Incidence) -> np.ndarray:
    return np.asarray(inc.matrix.sum(axis=0)).ravel().astype(np.int64)


def papers_in_common(inc: Incidence, column: int) -> np.ndarray:
    """For one entity (a column of X), the papers it shares with every entity: row of XᵀX."""
    rows = inc.matrix.tocsc()[:, column].nonzero()[0]
    return np.asarray(inc.matrix[rows].sum(axis=0)).ravel().astype(np.int64)


def cooccurring(graph: nx.Graph, entity: str, *, type: str | None = None, measure: str = "association",
                min_papers: int = 1, top: int | None = 20) -> dict:
    """The entities sharing papers with ``entity``, best first by ``measure``.

    ``entity`` is an id, a name or an alias (see ``resolve_entity``).  Only
    entities sharing at least ``min_papers`` papers count; ``type`` keeps one
    entity type; ``top=None`` keeps them all.  Results are sorted by score
    (descending), then name.

    Three papers: p1 mentions A and B, p2 mentions A and C, p3 mentions B, so
    s_A = 2, s_B = 2, s_C = 1 and N = 3; A–B and A–C each share one paper:
    association A–B = 1/(2·2) = 0.25, A–C = 1/(2·1) = 0.5.

    >>> g = nx.Graph()
    >>> for e in "ABC":
    ...     g.add_node(f"method:{e.lower()}", kind="entity", name=e, type="Method", aliases=[])
    >>> for p, es in {"p1": "AB", "p2": "AC", "p3": "B"}.items():
    ...     g.add_node(p, kind="paper", title=p)
    ...     g.add_edges_from((p, f"method:{e.lower()}") for e in es)
    >>> nx.set_edge_attributes(g, "mentions", "kind")
    >>> [(r["name"], r["papers"], r["score"]) for r in cooccurring(g, "a")["results"]]
    [('C', 1, 0.5), ('B', 1, 0.25)]
    """
    check_measure(measure)
    type = check_type(type)
    check_positive("min_papers", min_papers)
    check_positive("top", top, allow_none=True)
    entity_id = resolve_entity(graph, entity)

    inc = incidence(graph)
    column = inc.entity_ids.index(entity_id)
    common = papers_in_common(inc, column)
    sizes = _sizes(inc)
    s_i = int(sizes[column])
    results = []
    for j in np.flatnonzero(common >= min_papers):
        if j == column:
            continue
        other = inc.entity_ids[j]
        data = graph.nodes[other]
        if type is not None and data.get("type") != type:
            continue
        c = int(common[j])
        results.append({
            "id": other, "name": data.get("name", other), "type": data.get("type"), "papers": c,
            "score": score(measure, c, s_i, int(sizes[j]), inc.n_papers),
        })
    results.sort(key=lambda r: (-r["score"], str(r["name"]).casefold(), r["id"]))
    if top is not None:
        results = results[:top]
    return {"entity": entity_summary(graph, entity_id), "measure": measure, "results": results}


def cooccurrence_network(graph: nx.Graph) -> nx.Graph:
    """Every entity as a node and, between two entities sharing papers, an edge whose
    ``weight`` is the number of papers in common — computed from the incidence
    matrix, so it holds the pairs below the stored ``cooccurs`` threshold too.
    Nodes and edges are added in sorted order, so algorithms seeded on it are
    deterministic.

    >>> g = nx.Graph()
    >>> g.add_nodes_from(["a", "b"], kind="entity")
    >>> g.add_node("p1", kind="paper")
    >>> g.add_edges_from([("p1", "a"), ("p1", "b")], kind="mentions")
    >>> sorted(cooccurrence_network(g).edges(data="weight"))
    [('a', 'b', 1)]
    """
    from scipy import sparse

    inc = incidence(graph)
    net = nx.Graph()
    net.add_nodes_from(inc.entity_ids)
    upper = sparse.triu(inc.matrix.T @ inc.matrix, k=1).tocoo()
    order = np.lexsort((upper.col, upper.row))
    net.add_weighted_edges_from(
        (inc.entity_ids[int(upper.row[k])], inc.entity_ids[int(upper.col[k])], int(upper.data[k]))
        for k in order if upper.data[k] > 0
    )
    return net


__all__ = ["cooccurring", "cooccurrence_network", "papers_in_common", "check_measure", "MEASURES", "MEASURE_NAMES"]
