"""The files of the RDF export: sorted ``graph.nt``, Turtle, compact JSON-LD, the Oxigraph store.

The sorted N-Triples lines (``triples``) are parsed by Oxigraph to write
Turtle and to fill the store.  At 144 k triples Oxigraph writes the Turtle in
0.6 s (rdflib: 11.6 s).  JSON-LD is written here (0.7 s at 144 k triples;
rdflib: 6.4 s), compacted with an ``@context``, because Oxigraph writes only
expanded JSON-LD.
"""

from __future__ import annotations

import gc
import json
import re
import shutil
from collections.abc import Iterable
from pathlib import Path

import networkx as nx
import pyoxigraph as ox

from kg.export.files import write_bytes_atomic
from kg.export.rdf.dataset import ontology_lines
from kg.export.rdf.iris import check_base_iri
from kg.export.rdf.terms import _i, _int, _mentions
from kg.export.rdf.triples import graph_lines
from kg.export.rdf.vocabulary import (DATA_PREFIXES, DEFAULT_BASE_IRI, JSONLD, NTRIPLES, PREFIXES, RDF, STORE,
                                      TURTLE, VOID, XSD, all_prefixes)

_SURROGATE = re.compile(r"[\ud800-\udfff]")


def rdf_bytes(graph: nx.Graph, *, base_iri: str = DEFAULT_BASE_IRI, run_info: dict | None = None) -> bytes:
    """The sorted N-Triples of the graph, ontology and dataset description included (``graph.nt``)."""
    base = check_base_iri(base_iri)
    lines = set(ontology_lines())
    lines.update(graph_lines(graph, base, run_info))
    lines.add(f"{_i(base + 'dataset')} {_i(VOID + 'triples')} {_int(len(lines) + 1)} .\n")
    text = "".join(sorted(lines))
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (from broken JSON input): not encodable text
        return _SURROGATE.sub("\ufffd", text).encode("utf-8")


def _prefix_header(prefixes: dict[str, str]) -> bytes:
    return "".join(f"@prefix {name}: <{iri}> .\n" for name, iri in prefixes.items()).encode("utf-8")


def serialize_turtle(triples: Iterable, prefixes: dict[str, str]) -> bytes:
    """Turtle of ``triples`` in the order given, with ``@prefix`` lines sorted by name.

    Oxigraph writes the body; the ``@prefix`` lines are written here so that
    their order never depends on Oxigraph's internals.
    """
    prefixes = dict(sorted(prefixes.items()))
    data = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    lines = data.splitlines(keepends=True)
    body = 0
    while body < len(lines) and lines[body].startswith(b"@prefix "):
        body += 1
    return _prefix_header(prefixes) + b"".join(lines[body:])


def to_turtle(nt: bytes, base: str) -> bytes:
    """Turtle with the vocabulary and data prefixes, in N-Triples order."""
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


def to_jsonld(nt: bytes, base: str) -> bytes:
    """Compacted JSON-LD: an ``@context`` of prefixes and one node object per subject, one per line.

    Strings are JSON strings, ``xsd:integer`` values JSON numbers, every other
    typed literal ``{"@value", "@type"}`` with its lexical form kept, so that the
    file parses to the very triples of ``graph.nt``.

    The JSON is written straight from the N-Triples lines: a canonical
    N-Triples string body (escapes ``\\" \\\\ \\n \\r \\t \\b \\f \\uXXXX``)
    is also a valid JSON string body with the same value; any other escape
    (``\\U…``) goes through Oxigraph's parser.
    """
    compact = _Compactor(base)
    rdf_type = RDF + "type"
    xsd_string, xsd_integer = XSD + "string", XSD + "integer"
    integer = re.compile(r"-?(?:0|[1-9][0-9]{0,17})\Z")  # JSON numbers that stay exact
    nodes: list[str] = []
    subject: str | None = None
    types: list[str] = []
    props: dict[str, list[str]] = {}

    def flush() -> None:
        parts = [f'"@id":"{compact(subject)}"' if not subject.startswith("_:") else f'"@id":"{subject}"']
        if types:
            parts.append('"@type":[' + ",".join(types) + "]")
        parts.extend(f'"{key}":[{",".join(values)}]' for key, values in props.items())
        nodes.append("{" + ",".join(parts) + "}")

    for line in nt.decode("utf-8").split("\n"):  # not splitlines(): literals may hold U+0085, U+2028…
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
    context = json.dumps(all_prefixes(base), ensure_ascii=False, indent=2)
    text = '{"@context": ' + context.replace("\n", "\n ") + ',\n "@graph": [\n' + ",\n".join(nodes) + "\n]}\n"
    return text.encode("utf-8")


def build_store(path: Path, ntriples_file: Path, *, lenient: bool = False) -> None:
    """A fresh on-disk Oxigraph store at ``path`` loaded from an N-Triples file; closed on return.

    ``lenient`` skips Oxigraph's IRI checks (for a file it has already parsed strictly).
    """
    path = Path(path)
    if path.exists():
        shutil.rmtree(path)
    store = ox.Store(str(path))
    store.bulk_load(path=str(ntriples_file), format=ox.RdfFormat.N_TRIPLES, lenient=lenient)
    store.flush()
    del store  # releases RocksDB's lock so that the folder can be moved and opened again
    gc.collect()


def write_rdf(graph: nx.Graph, folder: Path, *, base_iri: str = DEFAULT_BASE_IRI,
              run_info: dict | None = None) -> dict:
    """Write ``graph.ttl``, ``graph.nt``, ``graph.jsonld`` and the Oxigraph ``store/`` into ``folder``.

    ``run_info`` describes the run (``kg_version``, ``pipeline``,
    ``pipeline_version``, any other settings as strings or JSON values); keep
    time stamps out of it, or the outputs stop being byte-identical.  The store
    folder is a database, not byte-identical between runs; its triples are.
    Returns the counts: triples, papers, entities, annotations, co-occurrences.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    base = check_base_iri(base_iri)
    nt = rdf_bytes(graph, base_iri=base, run_info=run_info)
    write_bytes_atomic(folder / NTRIPLES, nt)
    write_bytes_atomic(folder / TURTLE, to_turtle(nt, base))  # Oxigraph parses the lines strictly here
    write_bytes_atomic(folder / JSONLD, to_jsonld(nt, base))
    build_store(folder / STORE, folder / NTRIPLES, lenient=True)
    kinds = [d.get("kind") for _, d in graph.nodes(data=True)]
    edges = [d for _, _, d in graph.edges(data=True)]
    return {
        "triples": nt.count(b"\n"),
        "papers": kinds.count("paper"),
        "entities": kinds.count("entity"),
        "annotations": sum(len({(str(m["field"]), int(m["start"]), int(m["end"]))
                                for m in _mentions(d.get("mentions"))})
                           for d in edges if d.get("kind") == "mentions"),
        "cooccurrences": sum(1 for d in edges if d.get("kind") == "cooccurs"),
        "files": [TURTLE, NTRIPLES, JSONLD, STORE],
    }
