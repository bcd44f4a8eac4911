"""N-Triples terms written as text: IRIs, literals (canonical escapes), numbers, dates, URLs.

The lines of the dump are built from these strings rather than from pyoxigraph
term objects (see ``triples``), so each term here must already be what
Oxigraph would write: canonical N-Triples escapes, and numbers in the lexical
form the store gives back.  The short names (``_i``, ``_lit``…) are the
package's own shorthand for the triple-writing code.

The graph attributes they read may be lists or JSON text (a graph loaded from
GraphML or built in memory): ``_str_list``, ``_mentions`` and ``_dict`` accept both.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from urllib.parse import quote

import pyoxigraph as ox

from kg.export.rdf.vocabulary import DCTERMS, KG, OA, PROV, RDF, SCHEMA, SKOS, XSD
from kg.graph.io import as_list


def _i(iri: str) -> str:
    return f"<{iri}>"


# rdf:type, and an IRI in a namespace by its local name: _SC("author") is <http://schema.org/author>.
A = _i(RDF + "type")
_SC, _DC, _SK, _OA, _PV, _KG = (lambda local, ns=ns: _i(ns + local) for ns in (SCHEMA, DCTERMS, SKOS, OA, PROV, KG))

_ESCAPE = {ord("\\"): "\\\\", ord('"'): '\\"', 0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r"}
for _code in [*range(0x20), 0x7F]:
    _ESCAPE.setdefault(_code, f"\\u{_code:04X}")
_NEEDS_ESCAPE = re.compile(r'[\\"\x00-\x1f\x7f]')


def _lit(text: str) -> str:
    """A plain (``xsd:string``) literal in canonical N-Triples."""
    if _NEEDS_ESCAPE.search(text):
        text = text.translate(_ESCAPE)
    return f'"{text}"'


def _typed(lexical: str, datatype: str) -> str:
    if _NEEDS_ESCAPE.search(lexical):
        lexical = lexical.translate(_ESCAPE)
    return f'"{lexical}"^^<{datatype}>'


def _int(value) -> str:
    number = value if isinstance(value, int) else int(float(value))
    return f'"{number}"^^<{XSD}integer>'


def date_literal(text) -> str:
    """``xsd:date`` for a valid ISO date, ``xsd:gYearMonth``/``xsd:gYear`` for less, else a plain literal.

    >>> date_literal("2024-02-29"), date_literal("2023-02-30")
    ('"2024-02-29"^^<http://www.w3.org/2001/XMLSchema#date>', '"2023-02-30"')
    >>> date_literal(2024), date_literal("May 2024")
    ('"2024"^^<http://www.w3.org/2001/XMLSchema#gYear>', '"May 2024"')
    """
    text = str(text)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            _dt.date.fromisoformat(text)
            return _typed(text, XSD + "date")
        except ValueError:
            return _lit(text)
    if re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
        return _typed(text, XSD + "gYearMonth")
    if re.fullmatch(r"\d{4}", text):
        return _typed(text, XSD + "gYear")
    return _lit(text)


_URL = re.compile(r"^https?://[^\s<>\"{}|\\^`\x00-\x20\x7f]+$")
_PATH_SAFE = "/:@!$&'()*+,;=-._~"


def _url(value: str) -> str:
    """An IRI for an http(s) URL (non-ASCII and unsafe characters percent-encoded), else an ``xsd:anyURI`` literal."""
    if _URL.match(value):
        iri = quote(value, safe=_PATH_SAFE + "%?#")
        try:
            ox.NamedNode(iri)
            return f"<{iri}>"
        except ValueError:
            pass
    return _typed(value, XSD + "anyURI")


# --- graph attributes ------------------------------------------------------------

def _str_list(value) -> list[str]:
    """The items of a list attribute, as strings."""
    return [str(v) for v in as_list(value)]


def _mentions(value) -> list[dict]:
    if isinstance(value, str):
        value = json.loads(value)
    return list(value or [])


def _dict(value) -> dict:
    if isinstance(value, str):
        value = json.loads(value)
    return dict(value or {})


def _present(value) -> bool:
    return value not in (None, "", [])
