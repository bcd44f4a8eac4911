"""Co-occurrence of entities in papers, computed with sparse matrices.

With X the binary paper × entity incidence matrix, C = XᵀX holds the papers in
common for every pair of entities and, on its diagonal, each entity's paper
count s.  From N papers, the scores of a pair (i, j) sharing c papers are:

* association strength (van Eck & Waltman, 2009): c / (s_i · s_j); multiplied by
  N it is the ratio of observed to expected co-occurrences;
* Jaccard: c / (s_i + s_j − c);
* NPMI: log(p_ij / (p_i · p_j)) / −log(p_ij), with p = count / N (1 when p_ij = 1).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import networkx as nx
import numpy as np
from scipy import sparse

MEASURES = ("count", "association", "jaccard", "npmi")


@dataclass(frozen=True)
class Incidence:
    """Binary paper × entity matrix with the ids of its rows and columns."""

    matrix: sparse.csr_matrix
    paper_ids: list[str]
    entity_ids: list[str]

    @property
    def n_papers(self) -> int:
        return len(self.paper_ids)


@dataclass(frozen=True)
class Pair:
    source: str
    target: str
    papers: int
    association: float
    jaccard: float
    npmi: float


def incidence(graph: nx.Graph) -> Incidence:
    """The paper × entity matrix of a graph's ``mentions`` edges (rows and columns sorted)."""
    paper_ids = sorted(n for n, d in graph.nodes(data=True) if d.get("kind") == "paper")
    entity_ids = sorted(n for n, d in graph.nodes(data=True) if d.get("kind") == "entity")
    row_of = {p: i for i, p in enumerate(paper_ids)}
    col_of = {e: j for j, e in enumerate(entity_ids)}
    rows, cols = [], []
    for u, v, data in graph.edges(data=True):
        if data.get("kind") != "mentions":
            continue
        paper, entity = (u, v) if u in row_of else (v, u)
        rows.append(row_of[paper])
        cols.append(col_of[entity])
    values = np.ones(len(rows), dtype=np.int32)
    matrix = sparse.csr_matrix((values, (rows, cols)), shape=(len(paper_ids), len(entity_ids)), dtype=np.int32)
    matrix.data[:] = 1  # a paper counts once per entity
    return Incidence(matrix=matrix, paper_ids=paper_ids, entity_ids=entity_ids)


def score(measure: str, common: int, s_i: int, s_j: int, n_papers: int) -> float:
    """One pair's score under ``measure`` (see the module docstring).

    >>> score("jaccard", 2, 4, 3, 10), score("association", 2, 4, 3, 10)
    (0.4, 0.166667)
    """
    if measure == "count":
        return float(common)
    if common == 0:
        return 0.0 if measure != "npmi" else -1.0
    if measure == "association":
        value = common / (s_i * s_j)
    elif measure == "jaccard":
        value = common / (s_i + s_j - common)
    elif measure == "npmi":
        p_ij = common / n_papers
        if p_ij >= 1.0:
            value = 1.0
        else:
            value = math.log(p_ij / ((s_i / n_papers) * (s_j / n_papers))) / -math.log(p_ij)
    else:
        raise ValueError(f"unknown measure {measure!r}; valid measures: {', '.join(MEASURES)}")
    return float(f"{value:.6g}")  # six significant digits: stable bytes in every output


def cooccurrence_pairs(inc: Incidence, *, min_papers: int = 1) -> Iterator[Pair]:
    """Every pair of entities sharing at least ``min_papers`` papers, in sorted order."""
    counts = (inc.matrix.T @ inc.matrix).tocsr()
    sizes = counts.diagonal()
    upper = sparse.triu(counts, k=1).tocoo()
    keep = upper.data >= max(1, min_papers)
    rows, cols, data = upper.row[keep], upper.col[keep], upper.data[keep]
    order = np.lexsort((cols, rows))
    n = inc.n_papers
    for k in order:
        i, j, c = int(rows[k]), int(cols[k]), int(data[k])
        s_i, s_j = int(sizes[i]), int(sizes[j])
        yield Pair(
            source=inc.entity_ids[i], target=inc.entity_ids[j], papers=c,
            association=score("association", c, s_i, s_j, n),
            jaccard=score("jaccard", c, s_i, s_j, n),
            npmi=score("npmi", c, s_i, s_j, n),
        )
