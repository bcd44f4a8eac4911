"""CSV tables of papers and entities, for spreadsheets and pandas.

Titles, names and ids come from the inputs, and a spreadsheet runs a cell that
starts with ``=``, ``+``, ``-`` or ``@`` as a formula (CSV injection).  Such a
text cell is written with a leading apostrophe, as OWASP advises; spreadsheets
show the text as it was.  Numbers are written as numbers.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import networkx as nx

from kg.export.files import write_text_atomic

PAPER_COLUMNS = ("id", "title", "date", "year", "doi", "arxiv_id", "url", "venue", "n_authors", "upvotes",
                 "organisation", "entities")
ENTITY_COLUMNS = ("id", "name", "type", "papers", "mentions", "aliases", "first_seen", "last_seen")


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def inert(cell: object) -> object:
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe; anything else is kept.

    >>> inert("=SUM(A1:A9)"), inert("-1"), inert(-1), inert("BERT")
    ("'=SUM(A1:A9)", "'-1", -1, 'BERT')
    """
    return "'" + cell if isinstance(cell, str) and cell.startswith(_FORMULA_START) else cell


def _csv(rows: list[list], header: tuple[str, ...]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([inert(cell) for cell in row] for row in rows)
    return buffer.getvalue()


def write_tables(graph: nx.Graph, folder: Path) -> dict[str, int]:
    """Write ``papers.csv`` and ``entities.csv`` (sorted by id); aliases are joined with ``|``."""
    papers, entities = [], []
    for node, data in sorted(graph.nodes(data=True)):
        if data.get("kind") == "paper":
            n_entities = sum(1 for _, _, e in graph.edges(node, data=True) if e.get("kind") == "mentions")
            papers.append([node] + [data.get(c, "") for c in PAPER_COLUMNS[1:-1]] + [n_entities])
        elif data.get("kind") == "entity":
            mentions = sum(e.get("count", 0) for _, _, e in graph.edges(node, data=True) if e.get("kind") == "mentions")
            entities.append([node, data["name"], data["type"], data.get("papers", 0), mentions,
                             "|".join(data.get("aliases", [])), data.get("first_seen", ""), data.get("last_seen", "")])
    write_text_atomic(folder / "papers.csv", _csv(papers, PAPER_COLUMNS))
    write_text_atomic(folder / "entities.csv", _csv(entities, ENTITY_COLUMNS))
    return {"papers": len(papers), "entities": len(entities)}
