"""Compact JSON-LD written straight from ``graph.nt``'s lines, a block at a time.

Oxigraph writes only expanded JSON-LD, so kg writes the compact form itself:
an ``@context`` of prefixes and one node object per run of a subject's lines,
one per line: one per subject, but an entity's ``kg:cooccursWith`` links, which
come with each pair's node (see ``triples``).  A JSON-LD reader merges the node
objects of one ``@id``.
"""

from __future__ import annotations

import functools
import io
import itertools
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyoxigraph as ox

from kg.export.rdf.blocks import Blocks, BlockWriter, PreviousDump, dump_walk, encode
from kg.export.rdf.vocabulary import DATA_PREFIXES, PREFIXES, RDF, XSD, all_prefixes

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


class _JsonLdNodes:
    """N-Triples lines to JSON-LD node objects, one per run of a subject's lines.

    Strings are JSON strings, ``xsd:integer`` values JSON numbers, every other
    typed literal ``{"@value", "@type"}`` with its lexical form kept, so that
    the file parses to the very triples of ``graph.nt``.  The JSON is written
    straight from the N-Triples: a canonical N-Triples string body (escapes
    ``\\" \\\\ \\n \\r \\t \\b \\f \\uXXXX``) is also a valid JSON string body with
    the same value; any other escape (``\\U…``) goes through Oxigraph's parser.
    """

    def __init__(self, base: str):
        # Entity IRIs recur in every paper, an annotation's IRIs twice in a row: a small cache catches
        # both (JSON-LD of 3,000 papers: 1.55 s instead of 1.87 s).
        self.compact = functools.lru_cache(maxsize=1 << 16)(_Compactor(base))

    def __call__(self, lines: Iterable[str], firsts: list[int] | None = None) -> list[str]:
        """The node objects of ``lines``; ``firsts``, if given, gets the index of each node's first line."""
        compact = self.compact
        rdf_type = RDF + "type"
        xsd_string, xsd_integer = XSD + "string", XSD + "integer"
        integer = _JSON_INTEGER
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

        for k, line in enumerate(lines):
            line = line.rstrip("\n")
            if not line:
                continue
            s_tok, p_tok, rest = line.split(" ", 2)
            s_val = s_tok[1:-1] if s_tok[0] == "<" else s_tok
            if s_val != subject:
                if subject is not None:
                    flush()
                subject, types, props = s_val, [], {}
                if firsts is not None:
                    firsts.append(k)
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
        return nodes


_JSON_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]{0,17})\Z")  # JSON numbers that stay exact


def _jsonld_header(base: str) -> bytes:
    context = json.dumps(all_prefixes(base), ensure_ascii=False, indent=2)
    return ('{"@context": ' + context.replace("\n", "\n ") + ',\n "@graph": [\n').encode("utf-8")


_JSONLD_FOOTER = b"\n]}\n"


def write_jsonld(lines: Iterable[str], output: BinaryIO, base: str) -> None:
    """Compacted JSON-LD: an ``@context`` of prefixes and one node object per run of a subject's lines,
    one per line (see ``_JsonLdNodes``).
    """
    output.write(_jsonld_header(base))
    output.write(encode(",\n".join(_JsonLdNodes(base)(lines))))
    output.write(_JSONLD_FOOTER)


def write_jsonld_blocks(nt_path: Path, blocks: Blocks, output: BinaryIO, base: str,
                        previous: PreviousDump | None = None) -> Blocks:
    """``write_jsonld`` of a ``graph.nt`` file a block at a time, copying the blocks ``previous`` holds.

    The blocks to write are converted many at a time (a co-occurrence block is
    seven lines: a call for each would double the time).
    """
    nodes = _JsonLdNodes(base)
    writer = BlockWriter(output)
    writer.write(_jsonld_header(base))

    def convert(nt_blocks: list[bytes]) -> list[bytes]:
        # A block starts a new subject, so its nodes are those whose first line is among its lines.
        block_lines = np.cumsum([0] + [block.count(b"\n") for block in nt_blocks])
        firsts: list[int] = []
        converted = nodes(b"".join(nt_blocks).decode("utf-8").split("\n"), firsts)  # not splitlines(): see to_jsonld
        bounds = np.searchsorted(np.asarray(firsts, dtype=np.int64), block_lines).tolist()
        return [encode(",\n".join(converted[a:b])) for a, b in itertools.pairwise(bounds)]

    for item in dump_walk(nt_path, blocks, previous, convert):
        if writer.count:
            writer.write(b",\n")
        writer.put(item)
    writer.write(_JSONLD_FOOTER)
    return writer.blocks()


def to_jsonld(nt: bytes, base: str) -> bytes:
    """Compact JSON-LD of N-Triples bytes (see ``write_jsonld``)."""
    buffer = io.BytesIO()
    write_jsonld(nt.decode("utf-8").split("\n"), buffer, base)  # not splitlines(): literals may hold U+2028…
    return buffer.getvalue()
