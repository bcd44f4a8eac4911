"""The files of the RDF export, each written as a stream: ``graph.nt``, Turtle, JSON-LD, the Oxigraph store.

``graph.nt`` is written block by block as the lines are made (``triples``);
Oxigraph reads it back to write the Turtle and to fill the store, and kg
writes the compact JSON-LD from its lines (``jsonld``), because Oxigraph
writes only expanded JSON-LD.  A rebuild copies the Turtle and JSON-LD of the
blocks the previous build already wrote (``blocks``).  Nothing holds the whole dump in memory: on the
10,000-paper benchmark graph (3.2 M triples) the old way, sorted lines and
whole files in memory, took 2 GB more than the graph itself.

Turtle, JSON-LD and the store are independent once ``graph.nt`` exists, so
``write_rdf`` hands them to two ``ExportSteps`` (other processes, other cores)
and the build writes its other files meanwhile.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

import networkx as nx
import pyoxigraph as ox

from kg.export.files import atomic_writer
from kg.export.rdf.blocks import (Blocks, BlockWriter, PreviousDump, dump_walk, encode, load_record, ntriples_id,
                                  save_record)
from kg.export.rdf.dataset import ontology_lines, paper_partition_lines, provenance_lines
from kg.export.rdf.iris import check_base_iri
from kg.export.rdf.jsonld import write_jsonld_blocks
from kg.export.rdf.store import load_store
from kg.export.rdf.terms import _i, _int
from kg.export.rdf.triples import graph_blocks
from kg.export.rdf.vocabulary import DEFAULT_BASE_IRI, JSONLD, NTRIPLES, STORE, TURTLE, VOID, all_prefixes
from kg.export.steps import ExportSteps


def write_ntriples(graph: nx.Graph, handle: BinaryIO, *, base_iri: str = DEFAULT_BASE_IRI,
                   run_info: dict | None = None) -> tuple[dict[str, int], Blocks]:
    """Write the graph's N-Triples to ``handle`` as they are made; the counts of triples and annotations,
    and where each block lies (with its digest, for the next build to compare).

    The lines come in blocks, one subject's triples together (see ``triples``);
    the ontology and the description of the dump itself come last, sorted,
    with ``void:triples`` the number of lines of the whole file and the number of
    papers (which the co-occurrence scores need): the last block.
    """
    base = check_base_iri(base_iri)
    writer = BlockWriter(handle, digests=True)
    triples, counts = 0, {"annotations": 0, "papers": 0}
    for block in graph_blocks(graph, base, counts):
        writer.block(encode("".join(block)))
        triples += len(block)
    tail = set(ontology_lines())
    tail.update(provenance_lines(base, run_info or {}))
    tail.update(paper_partition_lines(base, counts.pop("papers")))
    tail.add(f"{_i(base + 'dataset')} {_i(VOID + 'triples')} {_int(triples + len(tail) + 1)} .\n")
    writer.block(encode("".join(sorted(tail))))
    return {"triples": triples + len(tail), **counts}, writer.blocks()


def rdf_bytes(graph: nx.Graph, *, base_iri: str = DEFAULT_BASE_IRI, run_info: dict | None = None) -> bytes:
    """``graph.nt`` as bytes, for small graphs and tests (``write_rdf`` streams it to disk)."""
    buffer = io.BytesIO()
    write_ntriples(graph, buffer, base_iri=base_iri, run_info=run_info)
    return buffer.getvalue()


def _prefix_header(prefixes: dict[str, str]) -> bytes:
    return "".join(f"@prefix {name}: <{iri}> .\n" for name, iri in prefixes.items()).encode("utf-8")


class _WithoutPrefixLines:
    """A writable that drops the ``@prefix`` lines Oxigraph writes first and passes the rest on."""

    def __init__(self, out: BinaryIO):
        self.out, self.head = out, b""

    def write(self, data: bytes) -> int:
        if self.head is None:
            return self.out.write(data) or len(data)
        self.head += bytes(data)
        while self.head.startswith(b"@prefix "):
            end = self.head.find(b"\n")
            if end < 0:
                return len(data)
            self.head = self.head[end + 1:]
        if len(self.head) < 8 and b"@prefix ".startswith(self.head):
            return len(data)  # too short to tell yet
        self.out.write(self.head)
        self.head = None
        return len(data)

    def flush(self) -> None:
        if self.head:
            self.out.write(self.head)
            self.head = b""
        self.out.flush()


def serialize_turtle(triples: Iterable, prefixes: dict[str, str], output: BinaryIO | None = None) -> bytes | None:
    """Turtle of ``triples`` in the order given, with ``@prefix`` lines sorted by name.

    Oxigraph writes the body; the ``@prefix`` lines are written here so that
    their order never depends on Oxigraph's internals.  Returns the bytes, or
    writes them to ``output`` as a stream.
    """
    prefixes = dict(sorted(prefixes.items()))
    target = output if output is not None else io.BytesIO()
    target.write(_prefix_header(prefixes))
    body = _WithoutPrefixLines(target)
    ox.serialize(triples, body, format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    body.flush()
    return target.getvalue() if output is None else None


# Serialised between blocks so that their Turtle can be told apart: Oxigraph writes it as a
# statement of its own, on its own line, and a literal in Turtle never holds a line break.
_MARKER_NT = b"<urn:kg:block> <urn:kg:block> <urn:kg:block> .\n"
_MARKER_TURTLE = b"\n" + _MARKER_NT


def write_turtle(nt_path: Path, blocks: Blocks, output: BinaryIO, base: str,
                 previous: PreviousDump | None = None) -> Blocks:
    """Turtle from a ``graph.nt`` file, in its order, with the vocabulary and data prefixes; where its blocks lie.

    A block ``previous`` holds is copied from it; the others are serialised by
    Oxigraph, many in one call, which parses them strictly here, so a
    malformed term fails the build.  The same blocks give the same bytes either way.
    """
    prefixes = dict(sorted(all_prefixes(base).items()))
    writer = BlockWriter(output)
    writer.write(_prefix_header(prefixes))

    def convert(nt_blocks: list[bytes]) -> list[bytes]:
        body = io.BytesIO()
        ox.serialize(ox.parse(_MARKER_NT + _MARKER_NT.join(nt_blocks), format=ox.RdfFormat.N_TRIPLES),
                     _WithoutPrefixLines(body), format=ox.RdfFormat.TURTLE, prefixes=prefixes)
        pieces = (b"\n" + body.getvalue()).split(_MARKER_TURTLE)[1:]
        # The split took each piece's last line end but the last one's.
        return [piece + b"\n" for piece in pieces[:-1]] + pieces[-1:]

    for item in dump_walk(nt_path, blocks, previous, convert):
        writer.put(item)
    return writer.blocks()


def to_turtle(nt: bytes, base: str) -> bytes:
    """Turtle of N-Triples bytes (see ``write_turtle``)."""
    quads = ox.parse(nt, format=ox.RdfFormat.N_TRIPLES)
    return serialize_turtle((q.triple for q in quads), all_prefixes(base))


def write_turtle_and_jsonld(folder: str | Path, base: str, previous: str | Path = "") -> dict:
    """The two dumps made from ``graph.nt`` (one export step), each with the record of its blocks; the seconds
    each took and how many blocks each copied from ``previous``, the outputs this build replaces."""
    folder = Path(folder)
    nt_path = folder / NTRIPLES
    nt_record = load_record(folder, NTRIPLES)
    if nt_record is None:
        raise RuntimeError(f"no record of the blocks of {nt_path}")
    blocks, nt_id = nt_record[0], nt_record[1]["ntriples"]
    result: dict = {"seconds": {}, "copied_blocks": {}}
    for name, label, write in ((TURTLE, "turtle", write_turtle), (JSONLD, "jsonld", write_jsonld_blocks)):
        start = time.perf_counter()
        with PreviousDump.open(previous, name) as old, atomic_writer(folder / name) as handle:
            written = write(nt_path, blocks, handle, base, old)
            copied = old.copied if old is not None else 0
        save_record(folder, name, written, ntriples=nt_id)
        result["seconds"][label] = round(time.perf_counter() - start, 3)
        result["copied_blocks"][name] = copied
    return result


def write_rdf(graph: nx.Graph, folder: Path, *, base_iri: str = DEFAULT_BASE_IRI,
              run_info: dict | None = None, steps: ExportSteps | None = None,
              previous: Path | None = None) -> dict:
    """Write ``graph.ttl``, ``graph.nt``, ``graph.jsonld`` and the Oxigraph ``store/`` into ``folder``.

    ``run_info`` describes the run (``kg_version``, ``pipeline``,
    ``pipeline_version``, any other settings as strings or JSON values); keep
    time stamps out of it, or the outputs stop being byte-identical.  The store
    folder is a database, not byte-identical between runs; its triples are.

    ``previous`` is the folder of the outputs this build replaces: its store,
    if it holds that folder's ``graph.nt``, is updated rather than loaded again,
    and the Turtle and JSON-LD of blocks it already holds are copied (see ``blocks``).

    With ``steps``, Turtle, JSON-LD and the store are written by other
    processes from ``graph.nt`` and are complete once ``steps.wait()``
    returns; without, everything is written here.
    Returns the counts: triples, papers, entities, annotations, co-occurrences.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    base = check_base_iri(base_iri)
    with atomic_writer(folder / NTRIPLES) as handle:
        counts, blocks = write_ntriples(graph, handle, base_iri=base, run_info=run_info)
    nt_id = ntriples_id(blocks)
    save_record(folder, NTRIPLES, blocks, ntriples=nt_id, lines=counts["triples"])
    own_steps = steps is None
    steps = steps or ExportSteps(jobs=1)
    steps.start("turtle+jsonld", write_turtle_and_jsonld, folder, base, str(previous or ""))
    steps.start("store", load_store, folder, nt_id, str(previous or ""))
    if own_steps:
        steps.wait()
    kinds = [d.get("kind") for _, d in graph.nodes(data=True)]
    return {
        "triples": counts["triples"],
        "papers": kinds.count("paper"),
        "entities": kinds.count("entity"),
        "annotations": counts["annotations"],
        "cooccurrences": sum(1 for *_, d in graph.edges(data=True) if d.get("kind") == "cooccurs"),
        "files": [TURTLE, NTRIPLES, JSONLD, STORE],
    }
