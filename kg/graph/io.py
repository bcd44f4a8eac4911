"""The graph on disk: GraphML with list and dict attributes stored as JSON text.

GraphML holds only scalars, so lists (aliases, authors, mentions) and dicts are
written as JSON strings under the names in ``JSON_ATTRIBUTES`` and decoded when
the graph is loaded again by the queries.
"""

from __future__ import annotations

import json
from itertools import chain
from pathlib import Path

import networkx as nx

from kg.errors import GraphNotFoundError

GRAPHML = "graph.graphml"
JSON_ATTRIBUTES = ("aliases", "alias_reasons", "authors", "keywords", "merged_ids", "mentions")


def encode_for_graphml(graph: nx.Graph) -> nx.Graph:
    """A copy whose list and dict attributes are JSON strings (sorted keys); the graph is left as it is."""
    return encode_in_place(graph.copy())  # new attribute dicts: replacing their values leaves the graph's


def encode_in_place(graph: nx.Graph) -> nx.Graph:
    """Replace the graph's own list and dict attributes by JSON strings (sorted keys); returns it."""
    for data in chain((d for _, d in graph.nodes(data=True)), (d for *_, d in graph.edges(data=True))):
        for key, value in data.items():
            if isinstance(value, (list, dict, tuple)):
                data[key] = _encode(value)
    return graph


# One encoder for all values: json.dumps with options builds a new one per call (a third of the time).
_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True)


def _encode(value):
    if isinstance(value, (list, dict, tuple)):
        return _JSON.encode(value)
    return value


def as_list(value) -> list:
    """A list attribute as a list, whether it is one already or still JSON text (a graph not loaded back).

    ``None`` is no item; a string that is not a JSON list is one item.

    >>> as_list('["a", "b"]'), as_list("a"), as_list("[1"), as_list(None), as_list(("x",))
    (['a', 'b'], ['a'], ['[1'], [], ['x'])
    """
    if value is None:
        return []
    if isinstance(value, str):
        try:
            decoded = json.loads(value)
        except ValueError:
            return [value]
        return decoded if isinstance(decoded, list) else [value]
    return list(value)


def load_graph(folder: str | Path) -> nx.Graph:
    """Read the graph ``kg build`` wrote into ``folder``."""
    path = Path(folder) / GRAPHML
    if not path.is_file():
        raise GraphNotFoundError(f"no graph in {folder} (expected {path}); run 'kg build' first")
    graph = nx.read_graphml(path)
    for _, data in graph.nodes(data=True):
        _decode_attrs(data)
    for _, _, data in graph.edges(data=True):
        _decode_attrs(data)
    return graph


def _decode_attrs(data: dict) -> None:
    for key in JSON_ATTRIBUTES:
        if key in data and isinstance(data[key], str):
            data[key] = json.loads(data[key])
