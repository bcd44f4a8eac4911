"""The files of the RDF export, each written as a stream: ``graph.nt``, Turtle, JSON-LD, the Oxigraph store.

``graph.nt`` is written block by block as the lines are made (``triples``);
Oxigraph reads it back to write the Turtle and to fill the store, and the
compact JSON-LD is written here from its lines, because Oxigraph writes only
expanded JSON-LD.  Nothing holds the whole dump in memory: on the
10,000-paper benchmark graph (3.2 M triples) the old way, sorted lines and
whole files in memory, took 2 GB more than the graph itself.

Turtle, JSON-LD and the store are independent once ``graph.nt`` exists, so
``write_rdf`` hands them to two ``ExportSteps`` (other processes, other cores)
and the build writes its other files meanwhile.
"""

from __future__ import annotations

import codecs
import functools
import hashlib
import io
import json
import re
import time
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

import networkx as nx
import pyoxigraph as ox

from kg.export.files import atomic_writer
from kg.export.rdf.dataset import ontology_lines, provenance_lines
from kg.export.rdf.iris import check_base_iri
from kg.export.rdf.store import load_store
from kg.export.rdf.terms import _i, _int
from kg.export.rdf.triples import graph_blocks
from kg.export.rdf.vocabulary import (DATA_PREFIXES, DEFAULT_BASE_IRI, JSONLD, NTRIPLES, PREFIXES, RDF, STORE,
                                      TURTLE, VOID, XSD, all_prefixes)
from kg.export.steps import ExportSteps

# A lone surrogate (from broken JSON input) is not encodable text: it is written as U+FFFD.
codecs.register_error("kg.replace", lambda error: ("\ufffd", error.end))


def write_ntriples(graph: nx.Graph, handle: BinaryIO, *, base_iri: str = DEFAULT_BASE_IRI,
                   run_info: dict | None = None) -> dict[str, int]:
    """Write the graph's N-Triples to ``handle`` as they are made; the counts of triples and annotations.

    The lines come in blocks, one subject's triples together (see ``triples``);
    the ontology and the description of the dump itself come last, sorted,
    with ``void:triples`` the number of lines of the whole file.
    """
    base = check_base_iri(base_iri)
    text = io.TextIOWrapper(handle, encoding="utf-8", errors="kg.replace", newline="\n")
    triples, counts = 0, {"annotations": 0}
    for block in graph_blocks(graph, base, counts):
        text.write("".join(block))
        triples += len(block)
    tail = set(ontology_lines())
    tail.update(provenance_lines(base, run_info or {}))
    tail.add(f"{_i(base + 'dataset')} {_i(VOID + 'triples')} {_int(triples + len(tail) + 1)} .\n")
    text.write("".join(sorted(tail)))
    text.flush()
    text.detach()  # the caller owns ``handle``
    return {"triples": triples + len(tail), **counts}


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


def write_turtle(nt_path: Path, output: BinaryIO, base: str) -> None:
    """Turtle from a ``graph.nt`` file, in its order, with the vocabulary and data prefixes.

    Oxigraph parses the lines strictly here, so a malformed term fails the build.
    """
    # Oxigraph takes the parser's quads (all in the default graph) as they are: 3.1 s instead of
    # 3.6 s for the 3.2 M triples of 10,000 papers, without a Python generator between the two.
    quads = ox.parse(path=str(nt_path), format=ox.RdfFormat.N_TRIPLES)
    serialize_turtle(quads, all_prefixes(base), output)


def to_turtle(nt: bytes, base: str) -> bytes:
    """Turtle of N-Triples bytes (see ``write_turtle``)."""
    quads = ox.parse(nt, format=ox.RdfFormat.N_TRIPLES)
    return serialize_turtle((q.triple for q in quads), all_prefixes(base))


_VOCAB_LOCAL = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")
_DATA_LOCAL = re.compile(r"[A-Za-z0-9_%][A-Za-z0-9._~%:-]*\Z")


class _Compactor:
    """IRIs to compact IRIs (``prefix:local``) for JSON-LD."""

    def __init__(self, base: str):
        self.base = base
        self.data = {path: name for name, path in DATA_PREFIXES.items() if path}
        self.vocab = sorted(((ns, name) for name, ns in PREFIXES.items()), key=lambda item: -len(item[0]))
        self.cache: dict[str, str] = {}

    def __call__(self, iri: str) -> str:
        if iri.startswith(self.base):  # a data IRI: the prefix is the first path segment
            rest = iri[len(self.base):]
            cut = rest.find("/") + 1
            if cut:
                name = self.data.get(rest[:cut])
                if name and _DATA_LOCAL.match(rest, cut):
                    return f"{name}:{rest[cut:]}"
            elif _DATA_LOCAL.match(rest):
                return f"kgr:{rest}"
        cached = self.cache.get(iri)
        if cached is None:
            cached = iri
            for ns, name in self.vocab:
                if iri.startswith(ns) and _VOCAB_LOCAL.match(iri, len(ns)):
                    cached = f"{name}:{iri[len(ns):]}"
                    break
            self.cache[iri] = cached
        return cached


def write_jsonld(lines: Iterable[str], output: BinaryIO, base: str) -> None:
    """Compacted JSON-LD: an ``@context`` of prefixes and one node object per subject, one per line.

    ``lines`` are the lines of ``graph.nt``, each subject's together.  Strings
    are JSON strings, ``xsd:integer`` values JSON numbers, every other typed
    literal ``{"@value", "@type"}`` with its lexical form kept, so that the file
    parses to the very triples of ``graph.nt``.

    The JSON is written straight from the N-Triples lines: a canonical
    N-Triples string body (escapes ``\\" \\\\ \\n \\r \\t \\b \\f \\uXXXX``)
    is also a valid JSON string body with the same value; any other escape
    (``\\U…``) goes through Oxigraph's parser.
    """
    # Entity IRIs recur in every paper, an annotation's IRIs twice in a row: a small cache catches
    # both (JSON-LD of 3,000 papers: 1.55 s instead of 1.87 s).
    compact = functools.lru_cache(maxsize=1 << 16)(_Compactor(base))
    rdf_type = RDF + "type"
    xsd_string, xsd_integer = XSD + "string", XSD + "integer"
    integer = re.compile(r"-?(?:0|[1-9][0-9]{0,17})\Z")  # JSON numbers that stay exact
    text = io.TextIOWrapper(output, encoding="utf-8", errors="kg.replace", newline="\n")
    context = json.dumps(all_prefixes(base), ensure_ascii=False, indent=2)
    text.write('{"@context": ' + context.replace("\n", "\n ") + ',\n "@graph": [\n')
    subject: str | None = None
    types: list[str] = []
    props: dict[str, list[str]] = {}
    separator = ""

    def flush() -> None:
        nonlocal separator
        parts = [f'"@id":"{compact(subject)}"' if not subject.startswith("_:") else f'"@id":"{subject}"']
        if types:
            parts.append('"@type":[' + ",".join(types) + "]")
        parts.extend(f'"{key}":[{",".join(values)}]' for key, values in props.items())
        text.write(separator + "{" + ",".join(parts) + "}")
        separator = ",\n"

    for line in lines:
        line = line.rstrip("\n")
        if not line:
            continue
        s_tok, p_tok, rest = line.split(" ", 2)
        s_val = s_tok[1:-1] if s_tok[0] == "<" else s_tok
        if s_val != subject:
            if subject is not None:
                flush()
            subject, types, props = s_val, [], {}
        predicate = p_tok[1:-1]
        o_tok = rest[:-2]  # without " ."
        if o_tok[0] == "<":
            iri = compact(o_tok[1:-1])
            if predicate == rdf_type:
                types.append(f'"{iri}"')
                continue
            value = f'{{"@id":"{iri}"}}'
        elif o_tok[0] == "_":
            value = f'{{"@id":"{o_tok}"}}'
        else:
            close = o_tok.rindex('"')
            body, suffix = o_tok[1:close], o_tok[close + 1:]
            if "\\U" in body or "\\'" in body:  # not a JSON escape: decode it properly
                literal = next(iter(ox.parse(f"<s:> <p:> {o_tok} .", format=ox.RdfFormat.N_TRIPLES))).object
                body = json.dumps(literal.value, ensure_ascii=False)[1:-1]
            if not suffix:
                value = f'"{body}"'
            elif suffix[0] == "@":
                value = f'{{"@value":"{body}","@language":"{suffix[1:]}"}}'
            else:
                datatype = suffix[3:-1]
                if datatype == xsd_string:
                    value = f'"{body}"'
                elif datatype == xsd_integer and integer.match(body):
                    value = body
                else:
                    value = f'{{"@value":"{body}","@type":"{compact(datatype)}"}}'
        props.setdefault(compact(predicate), []).append(value)
    if subject is not None:
        flush()
    text.write("\n]}\n")
    text.flush()
    text.detach()


def to_jsonld(nt: bytes, base: str) -> bytes:
    """Compact JSON-LD of N-Triples bytes (see ``write_jsonld``)."""
    buffer = io.BytesIO()
    write_jsonld(nt.decode("utf-8").split("\n"), buffer, base)  # not splitlines(): literals may hold U+2028…
    return buffer.getvalue()


def write_turtle_and_jsonld(folder: str | Path, base: str) -> dict:
    """The two dumps made from ``graph.nt`` (one export step); the seconds each took."""
    folder = Path(folder)
    nt_path = folder / NTRIPLES
    start = time.perf_counter()
    with atomic_writer(folder / TURTLE) as handle:
        write_turtle(nt_path, handle, base)
    middle = time.perf_counter()
    with open(nt_path, encoding="utf-8", newline="\n") as lines, atomic_writer(folder / JSONLD) as handle:
        write_jsonld(lines, handle, base)
    end = time.perf_counter()
    return {"seconds": {"turtle": round(middle - start, 3), "jsonld": round(end - middle, 3)}}


class _Hashing(io.BufferedIOBase):
    """A writable that passes bytes on and keeps their SHA-256 (the store records which file it holds)."""

    def __init__(self, out: BinaryIO):
        super().__init__()
        self.out, self.sha256 = out, hashlib.sha256()

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.sha256.update(data)
        return self.out.write(data)

    def flush(self) -> None:
        self.out.flush()


def write_rdf(graph: nx.Graph, folder: Path, *, base_iri: str = DEFAULT_BASE_IRI,
              run_info: dict | None = None, steps: ExportSteps | None = None,
              previous: Path | None = None) -> dict:
    """Write ``graph.ttl``, ``graph.nt``, ``graph.jsonld`` and the Oxigraph ``store/`` into ``folder``.

    ``run_info`` describes the run (``kg_version``, ``pipeline``,
    ``pipeline_version``, any other settings as strings or JSON values); keep
    time stamps out of it, or the outputs stop being byte-identical.  The store
    folder is a database, not byte-identical between runs; its triples are.

    ``previous`` is the folder of the outputs this build replaces: its store,
    if it holds that folder's ``graph.nt``, is updated rather than loaded again.

    With ``steps``, Turtle, JSON-LD and the store are written by other
    processes from ``graph.nt`` and are complete once ``steps.wait()``
    returns; without, everything is written here.
    Returns the counts: triples, papers, entities, annotations, co-occurrences.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    base = check_base_iri(base_iri)
    with atomic_writer(folder / NTRIPLES) as handle:
        hashing = _Hashing(handle)
        counts = write_ntriples(graph, hashing, base_iri=base, run_info=run_info)
    own_steps = steps is None
    steps = steps or ExportSteps(jobs=1)
    steps.start("turtle+jsonld", write_turtle_and_jsonld, folder, base)
    steps.start("store", load_store, folder, hashing.sha256.hexdigest(), str(previous or ""))
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
