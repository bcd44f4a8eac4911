"""GraphML for Gephi, Cytoscape and networkx (lists and dicts stored as JSON text).

The file is the one ``networkx.write_graphml`` writes (lxml, pretty-printed),
byte for byte, but written here as text: networkx builds an lxml element per
node, edge and value, which took 6.9 s for the 10,000-paper benchmark graph
(257,000 nodes and edges, a million values), the longest Python step of the
export.  Anything this writer does not handle the way networkx does (values
other than ``str``, ``int``, ``float`` and ``bool``, text that XML cannot hold,
graph-level defaults or an ``id``) is handed to networkx itself, so the two
never differ; the tests compare them on generated graphs.
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Iterator
from pathlib import Path

import networkx as nx

from kg.export.files import atomic_writer
from kg.graph.io import GRAPHML, encode_for_graphml, encode_in_place

_XML_TYPES = {str: "string", int: "long", float: "double", bool: "boolean"}  # networkx's names for them
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Text that lxml writes as it is: XML characters other than & < > " and the carriage return.
_PLAIN = re.compile("[\t\n\x20\x21\x23-\x25\x27-\x3b\x3d\x3f-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]*")
_HEADER = ("<?xml version='1.0' encoding='utf-8'?>\n"
           '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
           'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
           'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
           'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">')


def graphml_step(graph: nx.Graph, folder: Path) -> dict:
    """Write ``graph.graphml`` in a forked export step, whose copy of the graph it consumes; its seconds."""
    start = time.perf_counter()
    write_graphml(graph, folder, consume=True)
    return {"seconds": {"graphml": round(time.perf_counter() - start, 3)}}


class _Unsupported(Exception):
    """The graph holds something only networkx's writer handles as networkx does."""


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
    try:
        with atomic_writer(path) as handle:
            for chunk in graphml_chunks(encoded):
                handle.write(chunk.encode("utf-8"))
    except _Unsupported:
        with atomic_writer(path) as handle:
            nx.write_graphml(encoded, handle, encoding="utf-8", prettyprint=True)
    return path


def graphml_chunks(graph: nx.Graph) -> Iterator[str]:
    """The text of networkx's pretty-printed GraphML of ``graph``, in pieces.

    Raises ``_Unsupported`` (before or while writing) for what only networkx may write.
    """
    if graph.is_multigraph() or graph.is_directed() or "id" in graph.graph \
            or graph.graph.get("node_default") or graph.graph.get("edge_default"):
        raise _Unsupported
    graph_data = {k: v for k, v in graph.graph.items() if k not in ("node_default", "edge_default")}
    keys: dict[tuple[str, str, str], str] = {}

    def key_of(name, value, scope: str) -> str:
        xml_type = _XML_TYPES.get(type(value))
        if xml_type is None:
            raise _Unsupported
        found = keys.get((name, xml_type, scope))
        if found is None:
            found = keys[(name, xml_type, scope)] = f"d{len(keys)}"
        return found

    # The keys, numbered in networkx's order: the graph's, the nodes', the edges'.
    for name, value in graph_data.items():
        key_of(str(name), value, "graph")
    for _, data in graph.nodes(data=True):
        for name, value in data.items():
            key_of(str(name), value, "node")
    for *_, data in graph.edges(data=True):
        for name, value in data.items():
            key_of(str(name), value, "edge")
    yield _HEADER
    yield "".join(f'<key id="{id_}" for="{scope}" attr.name={_attribute(name)} attr.type="{xml_type}"/>\n'
                  for (name, xml_type, scope), id_ in reversed(keys.items()))
    yield '<graph edgedefault="undirected">'
    yield "".join(f'<data key="{keys[(str(n), _XML_TYPES[type(v)], "graph")]}">{_text(v)}</data>\n'
                  for n, v in graph_data.items())
    elements = itertools.chain(
        (_element("node", f"id={_attribute(node)}", data, keys, "node") for node, data in graph.nodes(data=True)),
        (_element("edge", f"source={_attribute(u)} target={_attribute(v)}", data, keys, "edge")
         for u, v, data in graph.edges(data=True)))
    while chunk := "".join(itertools.islice(elements, 2048)):
        yield chunk
    yield "</graph></graphml>"


def _element(tag: str, attributes: str, data: dict, keys: dict, scope: str) -> str:
    if not data:
        return f"<{tag} {attributes}/>\n"
    values = "".join(f'  <data key="{keys[(str(n), _XML_TYPES[type(v)], scope)]}">{_text(v)}</data>\n'
                     for n, v in data.items())
    return f"<{tag} {attributes}>\n{values}</{tag}>\n"


def _escape(text: str) -> str:
    """``& < >`` and the carriage return escaped as lxml escapes them in text and attributes alike."""
    if _NOT_XML.search(text):
        raise _Unsupported
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _text(value) -> str:
    """Element text as lxml writes it."""
    text = str(value)
    if type(value) is not str or _PLAIN.fullmatch(text):
        return text
    return _escape(text)


def _attribute(value) -> str:
    """A quoted attribute value as lxml writes it: in an attribute, quotes, tabs and newlines are escaped too."""
    text = str(value)
    if "\t" not in text and "\n" not in text and _PLAIN.fullmatch(text):
        return f'"{text}"'
    return '"' + _escape(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;") + '"'
