"""GraphML for Gephi, Cytoscape and networkx (lists and dicts stored as JSON text)."""

from __future__ import annotations

import io
from pathlib import Path

import networkx as nx

from kg.export.files import write_text_atomic
from kg.graph.io import GRAPHML, encode_for_graphml


def write_graphml(graph: nx.Graph, folder: Path) -> Path:
    """Write ``graph.graphml``; nodes and edges keep the graph's (sorted) insertion order."""
    buffer = io.BytesIO()
    nx.write_graphml(encode_for_graphml(graph), buffer, encoding="utf-8", prettyprint=True)
    path = Path(folder) / GRAPHML
    write_text_atomic(path, buffer.getvalue().decode("utf-8"))
    return path
