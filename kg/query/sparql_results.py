"""The answer of a SPARQL query and its formats: aligned table, CSV, TSV, JSON, XML, Turtle.

SELECT and ASK answers follow the SPARQL 1.1 result formats (CSV, TSV, JSON,
XML), so other tools read them; the table is for people: IRIs shortened with
the kg prefixes, numbers right-aligned, long cells cut.  CONSTRUCT and DESCRIBE
answers are triples, written as Turtle (in sorted order, with the kg prefixes)
or JSON-LD.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

import pyoxigraph as ox

from kg.errors import QueryError
from kg.export.rdf import PREFIXES, XSD, serialize_turtle

FORMATS = ("table", "csv", "json")
CELL_WIDTH = 60  # table cells are cut to this many characters (never in csv or json)


def _term_json(value) -> dict | None:
    if value is None:
        return None
    if isinstance(value, ox.NamedNode):
        return {"type": "uri", "value": value.value}
    if isinstance(value, ox.BlankNode):
        return {"type": "bnode", "value": value.value}
    if isinstance(value, ox.Literal):
        out = {"type": "literal", "value": value.value}
        if value.language:
            out["xml:lang"] = value.language
        elif value.datatype.value != XSD + "string":
            out["datatype"] = value.datatype.value
        return out
    if isinstance(value, ox.Triple):
        return {"type": "triple", "value": {"subject": _term_json(value.subject),
                                            "predicate": _term_json(value.predicate),
                                            "object": _term_json(value.object)}}
    return {"type": "literal", "value": str(value)}


def _plain(value) -> str:
    """A term as CSV wants it: the IRI, the lexical form, ``_:id``; empty when unbound."""
    if value is None:
        return ""
    if isinstance(value, ox.BlankNode):
        return f"_:{value.value}"
    if isinstance(value, (ox.NamedNode, ox.Literal)):
        return value.value
    return str(value)


@dataclass
class SparqlResult:
    """One query's answer: rows (SELECT), a boolean (ASK) or triples (CONSTRUCT, DESCRIBE)."""

    kind: str  # "select", "ask" or "graph"
    variables: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    boolean: bool | None = None
    triples: list = field(default_factory=list)
    prefixes: dict[str, str] = field(default_factory=lambda: dict(PREFIXES))

    def __len__(self) -> int:
        return len(self.rows) if self.kind == "select" else len(self.triples) if self.kind == "graph" else 1

    def records(self) -> list[dict[str, str]]:
        """SELECT rows as dicts of plain values (unbound variables left out)."""
        return [{v: _plain(t) for v, t in zip(self.variables, row) if t is not None} for row in self.rows]

    # SPARQL 1.1 Query Results JSON (https://www.w3.org/TR/sparql11-results-json/)
    def to_json(self):
        if self.kind == "ask":
            return {"head": {}, "boolean": bool(self.boolean)}
        if self.kind == "graph":
            return json.loads(self.serialize_graph(ox.RdfFormat.JSON_LD) or b"[]")
        bindings = [{v: _term_json(t) for v, t in zip(self.variables, row) if t is not None} for row in self.rows]
        return {"head": {"vars": list(self.variables)}, "results": {"bindings": bindings}}

    def to_csv(self) -> str:
        """SPARQL 1.1 CSV results (CRLF line ends); triples as subject,predicate,object in N-Triples terms."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        if self.kind == "ask":
            writer.writerow(["_askResult"])
            writer.writerow(["true" if self.boolean else "false"])
        elif self.kind == "graph":
            writer.writerow(["subject", "predicate", "object"])
            for t in self.triples:
                writer.writerow([str(t.subject), str(t.predicate), str(t.object)])
        else:
            writer.writerow(self.variables)
            for row in self.rows:
                writer.writerow([_plain(t) for t in row])
        return out.getvalue()

    def to_tsv(self) -> str:
        """SPARQL 1.1 TSV results: terms in their SPARQL/N-Triples syntax."""
        if self.kind == "ask":
            return "?_askResult\n" + ("true" if self.boolean else "false") + "\n"
        if self.kind == "graph":
            return "".join(f"{t.subject}\t{t.predicate}\t{t.object}\n" for t in self.triples)
        lines = ["\t".join(f"?{v}" for v in self.variables)]
        lines += ["\t".join("" if t is None else str(t) for t in row) for row in self.rows]
        return "\n".join(lines) + "\n"

    def to_xml(self) -> str:
        """SPARQL Query Results XML format."""
        out = ['<?xml version="1.0"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">', "<head>"]
        if self.kind == "ask":
            out += ["</head>", f"<boolean>{'true' if self.boolean else 'false'}</boolean>", "</sparql>"]
            return "\n".join(out) + "\n"
        out += [f"<variable name={quoteattr(v)}/>" for v in self.variables]
        out += ["</head>", "<results>"]
        for row in self.rows:
            out.append("<result>")
            for v, t in zip(self.variables, row):
                if t is None:
                    continue
                if isinstance(t, ox.NamedNode):
                    inner = f"<uri>{xml_escape(t.value)}</uri>"
                elif isinstance(t, ox.BlankNode):
                    inner = f"<bnode>{xml_escape(t.value)}</bnode>"
                elif isinstance(t, ox.Literal):
                    if t.language:
                        attr = f" xml:lang={quoteattr(t.language)}"
                    elif t.datatype.value != XSD + "string":
                        attr = f" datatype={quoteattr(t.datatype.value)}"
                    else:
                        attr = ""
                    inner = f"<literal{attr}>{xml_escape(t.value)}</literal>"
                else:
                    inner = f"<literal>{xml_escape(str(t))}</literal>"
                out.append(f"<binding name={quoteattr(v)}>{inner}</binding>")
            out.append("</result>")
        out += ["</results>", "</sparql>"]
        return "\n".join(out) + "\n"

    def serialize_graph(self, fmt: ox.RdfFormat) -> bytes:
        """CONSTRUCT/DESCRIBE triples in an RDF format (Turtle with the kg prefixes)."""
        triples = sorted(self.triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
        if fmt == ox.RdfFormat.TURTLE:
            return serialize_turtle(triples, self.prefixes)
        return ox.serialize(triples, format=fmt) or b""

    def _short(self, value) -> str:
        if value is None:
            return ""
        if isinstance(value, ox.NamedNode):
            iri = value.value
            best = None
            for name, ns in self.prefixes.items():
                if iri.startswith(ns) and len(iri) > len(ns) and (best is None or len(ns) > len(best[1])):
                    best = (name, ns)
            return f"{best[0]}:{iri[len(best[1]):]}" if best else f"<{iri}>"
        if isinstance(value, ox.BlankNode):
            return f"_:{value.value}"
        if isinstance(value, ox.Literal):
            return value.value
        return str(value)

    def to_table(self, width: int = CELL_WIDTH) -> str:
        """An aligned text table (IRIs shortened with the prefixes, long cells cut), or Turtle for triples."""
        if self.kind == "ask":
            return ("true" if self.boolean else "false") + "\n"
        if self.kind == "graph":
            return self.serialize_graph(ox.RdfFormat.TURTLE).decode("utf-8")

        def cut(text: str) -> str:
            text = " ".join(text.split())
            return text if len(text) <= width else text[: width - 1] + "…"

        cells = [[cut(self._short(t)) for t in row] for row in self.rows]
        widths = [max([len(v)] + [len(r[i]) for r in cells]) for i, v in enumerate(self.variables)]
        numeric = [bool(self.rows) and all(r[i] is None or isinstance(r[i], ox.Literal)
                                           and r[i].datatype.value in _NUMERIC for r in self.rows)
                   for i in range(len(self.variables))]

        def line(values: list[str]) -> str:
            return "  ".join(v.rjust(w) if num else v.ljust(w)
                             for v, w, num in zip(values, widths, numeric)).rstrip()

        out = [line(list(self.variables)), line(["-" * w for w in widths])]
        out += [line(r) for r in cells]
        out.append(f"({len(self.rows)} row{'s' if len(self.rows) != 1 else ''})")
        return "\n".join(out) + "\n"

    def format(self, fmt: str) -> str:
        """The result as ``table``, ``csv``, ``tsv``, ``xml`` or ``json`` text."""
        if fmt == "table":
            return self.to_table()
        if fmt == "csv":
            return self.to_csv()
        if fmt == "tsv":
            return self.to_tsv()
        if fmt == "xml":
            return self.to_xml()
        if fmt == "json":
            return json.dumps(self.to_json(), ensure_ascii=False, indent=2) + "\n"
        raise QueryError(f"unknown format {fmt!r}; valid formats: {', '.join(FORMATS)}, tsv, xml")


_NUMERIC = {XSD + name for name in ("integer", "decimal", "double", "float", "int", "long", "nonNegativeInteger",
                                    "positiveInteger", "short")}
