"""GraphML for Gephi, Cytoscape and networkx (lists and dicts stored as JSON text).

networkx writes it through lxml as a stream, straight into the output file.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from kg.export.files import atomic_writer
from kg.graph.io import GRAPHML, encode_for_graphml, encode_in_place


def write_graphml(graph: nx.Graph, folder: Path, *, consume: bool = False) -> Path:
    """Write ``graph.graphml``; nodes and edges keep the graph's (sorted) insertion order.

    GraphML holds only scalars, so list and dict attributes are written as JSON
    text.  By default they are encoded in a copy of the graph; ``consume=True``
    encodes them in the graph itself, which is then fit for nothing but being
    dropped: the build's last use of its graph, where a copy of 100,000 papers'
    mention lists would cost a gigabyte.
    """
    encoded = encode_in_place(graph) if consume else encode_for_graphml(graph)
    path = Path(folder) / GRAPHML
    with atomic_writer(path) as handle:
        nx.write_graphml(encoded, handle, encoding="utf-8", prettyprint=True)
    return path
