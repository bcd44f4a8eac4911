"""SPARQL over the graph's Oxigraph store: named queries, safe parameters, result formats.

``run_query(graph_dir, query, bindings=…)`` opens ``<graph_dir>/store`` read-only
and runs one SELECT, ASK, CONSTRUCT or DESCRIBE query.  ``query`` is the query
text, the path of a ``.rq`` file, or the name of a shipped query
(``top_entities`` → ``queries/top_entities.rq``; ``kg sparql --list`` lists them).

Updates (INSERT, DELETE, LOAD, CLEAR, DROP, CREATE, ADD, MOVE, COPY) are refused
with ``QueryError``; they could not run anyway: the store is opened read-only and
only Oxigraph's query parser sees the text.

Parameters.  A query file declares its parameters in its leading comments, one a
line, with a default value or none::

    # param entity: large language model
    # param paper:

A value is bound to the variable of the same name (``?entity``) as an RDF term,
never spliced into the text: a ``VALUES ?entity { "…" }`` block, the term
written by Oxigraph's serialiser, is put at the start of the query's top-level
WHERE group, so a value full of quotes and braces is one string literal that
matches nothing.  A value is a plain string literal, or an IRI when written
``<https://…>``; queries compare strings with ``LCASE(STR(?x))`` and cast numbers
with ``xsd:integer(?x)``.  Being in the top-level group, a parameter is not seen
inside sub-queries (SPARQL evaluates them first): use it at the top level.
Declared parameters without a value and not bound stay unbound.

Results: ``SparqlResult`` with ``to_table()``, ``to_csv()``, ``to_tsv()``,
``to_json()`` (SPARQL 1.1 Query Results JSON), ``to_xml()``; CONSTRUCT and
DESCRIBE results give triples, written as Turtle (table), CSV of N-Triples terms,
or JSON-LD.  The queries may use the ``PREFIXES`` of ``kg.export.rdf`` without
declaring them.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

import pyoxigraph as ox

import kg
from kg.errors import GraphNotFoundError, QueryError
from kg.export.rdf import DEFAULT_BASE_IRI, PREFIXES, STORE, VOID, XSD, all_prefixes, serialize_turtle

FORMATS = ("table", "csv", "json")
QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_FORMS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")
CELL_WIDTH = 60  # table cells are cut to this many characters (never in csv or json)

_PARAM = re.compile(r"^#\s*param\s+([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(.*?)\s*$")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Strings, IRIs and comments: masked before looking for keywords and braces.
_LEXEMES = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""' r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"' r"|'(?:[^'\\\n\r]|\\.)*'"
    r'|<[^<>"{}|^`\\\x00-\x20]*>' r"|#[^\n\r]*", re.S)
_FORM = re.compile(r"(?<![\w:?$])(" + "|".join(QUERY_FORMS + UPDATE_FORMS) + r")(?![\w:])", re.I)


# --- query files -----------------------------------------------------------------

def query_dirs() -> list[Path]:
    """Where shipped queries are looked for: ``queries/`` beside the ``kg`` package, then inside it."""
    package = Path(kg.__file__).resolve().parent
    return [package.parent / "queries", package / "queries", Path(sys.prefix) / "share" / "kg" / "queries"]


def known_queries() -> dict[str, Path]:
    """Shipped query names and their files (the first folder holding a name wins)."""
    found: dict[str, Path] = {}
    for folder in query_dirs():
        if folder.is_dir():
            for path in sorted(folder.glob("*.rq")):
                found.setdefault(path.stem, path)
    return dict(sorted(found.items()))


@dataclass
class QueryText:
    """A query's text, where it came from, its description and declared parameters."""

    text: str
    source: str = "<text>"
    description: str = ""
    params: dict[str, str | None] = field(default_factory=dict)


def header(text: str) -> tuple[str, dict[str, str | None]]:
    """The description and ``# param name: default`` declarations of a query's leading comments.

    >>> header("# Top entities.\\n# param type: Method\\n# param x:\\nSELECT * {}")
    ('Top entities.', {'type': 'Method', 'x': None})
    """
    lines, params = [], {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if not line.startswith("#"):
            break
        match = _PARAM.match(line)
        if match:
            params[match.group(1)] = match.group(2) or None
        else:
            lines.append(line.lstrip("#").strip())
    description = " ".join(lines).strip()
    return description, params


def load_query(query: str) -> QueryText:
    """The query text for a name, a ``.rq`` path or the text itself."""
    query = query.strip()
    if not query:
        raise QueryError("empty query")
    path = Path(query)
    if "\n" not in query and "{" not in query:
        try:
            is_file = path.is_file()
        except OSError:
            is_file = False
        if is_file:
            return query_text(path.read_text(encoding="utf-8"), str(path))
        name = query[:-3] if query.endswith(".rq") else query
        if _NAME.fullmatch(name.replace("-", "_")) and "/" not in query:
            known = known_queries()
            if name in known:
                return query_text(known[name].read_text(encoding="utf-8"), str(known[name]))
            names = ", ".join(known) or "none found"
            raise QueryError(f"no query named {name!r} (and no such file); known queries: {names}")
        if query.endswith(".rq") or (not re.search(r"\s", query) and query_form(query) is None):
            raise QueryError(f"no such query file or named query: {query}")
    return query_text(query, "<text>")


def query_text(text: str, source: str = "<text>") -> QueryText:
    """A ``QueryText`` for text as given (its header read for a description and parameters)."""
    description, params = header(text)
    return QueryText(text=text, source=source, description=description, params=params)


# --- parameters --------------------------------------------------------------------

def _mask(text: str) -> str:
    """The query with strings, IRIs and comments blanked out (same length, so offsets hold)."""
    def blank(match: re.Match) -> str:
        token = match.group(0)
        if token.startswith("#"):
            return " " * len(token)
        if token.startswith("<"):
            return "<" + "i" * (len(token) - 2) + ">"
        return "s" * len(token)
    return _LEXEMES.sub(blank, text)


def query_form(text: str) -> str | None:
    """The first query or update keyword (upper case), ignoring prefixes, strings, IRIs and comments.

    >>> query_form('PREFIX insert: <http://x#> # DELETE\\nSELECT ("DROP" AS ?x) {}'), query_form("drop all")
    ('SELECT', 'DROP')
    """
    match = _FORM.search(_mask(text))
    return match.group(1).upper() if match else None


def check_read_only(text: str) -> str:
    """The query form; ``QueryError`` for an update."""
    form = query_form(text)
    if form in UPDATE_FORMS:
        raise QueryError(f"SPARQL updates are not allowed ({form}): the graph's store is read-only")
    return form or ""


def term(value) -> ox.NamedNode | ox.Literal:
    """A parameter value as an RDF term: ``<iri>`` → IRI, any other string → plain literal.

    >>> term("<https://example.org/x>"), term('LoRA "} DROP ALL {"').value
    (<NamedNode value=https://example.org/x>, 'LoRA "} DROP ALL {"')
    """
    if isinstance(value, (ox.NamedNode, ox.Literal)):
        return value
    if isinstance(value, ox.BlankNode):
        raise QueryError("a blank node cannot be bound as a parameter")
    value = str(value)
    if len(value) > 2 and value.startswith("<") and value.endswith(">"):
        try:
            return ox.NamedNode(value[1:-1])
        except ValueError:
            pass
    return ox.Literal(value)


def _where_brace(masked: str, form: str) -> int:
    """Index just after the ``{`` opening the top-level WHERE group."""
    start = _FORM.search(masked).end()
    i = start
    if form == "CONSTRUCT":
        rest = masked[start:].lstrip()
        if re.match(r"where\b", rest, re.I):
            raise QueryError("parameters cannot be bound in a short 'CONSTRUCT WHERE { … }' query; "
                             "write 'CONSTRUCT { … } WHERE { … }'")
        if rest.startswith("{"):  # skip the template
            i = masked.index("{", start)
            depth = 0
            while i < len(masked):
                if masked[i] == "{":
                    depth += 1
                elif masked[i] == "}":
                    depth -= 1
                    if depth == 0:
                        break
                i += 1
    parens = 0
    while i < len(masked):
        char = masked[i]
        if char == "(":
            parens += 1
        elif char == ")":
            parens -= 1
        elif char == "{" and parens <= 0:
            return i + 1
        i += 1
    raise QueryError("cannot bind parameters: the query has no WHERE group")


def bind(text: str, bindings: dict) -> str:
    """The query with a ``VALUES`` block per binding at the start of its top-level WHERE group."""
    if not bindings:
        return text
    masked = _mask(text)
    form = check_read_only(text)
    if form not in QUERY_FORMS:
        raise QueryError("not a SPARQL query (SELECT, ASK, CONSTRUCT or DESCRIBE)")
    variables = set(re.findall(r"[?$]([A-Za-z_][A-Za-z0-9_]*)", masked))
    block = []
    for name, value in sorted(bindings.items()):
        if not _NAME.fullmatch(name):
            raise QueryError(f"invalid parameter name {name!r}: use letters, digits and _")
        if name not in variables:
            listed = ", ".join(sorted(variables)) or "none"
            raise QueryError(f"the query has no variable ?{name} to bind; its variables: {listed}")
        block.append(f"VALUES ?{name} {{ {term(value)} }}")
    at = _where_brace(masked, form)
    return text[:at] + "\n  " + "\n  ".join(block) + "\n" + text[at:]


# --- results ---------------------------------------------------------------------

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


# --- running ---------------------------------------------------------------------

def store_path(graph_dir: str | Path) -> Path:
    return Path(graph_dir) / STORE


def open_store(graph_dir: str | Path) -> ox.Store:
    """The graph's Oxigraph store, read-only; ``GraphNotFoundError`` when there is none."""
    path = store_path(graph_dir)
    if not path.is_dir():
        raise GraphNotFoundError(f"no SPARQL store in {graph_dir} (expected {path}); run 'kg build' first")
    try:
        return ox.Store.read_only(str(path))
    except OSError as exc:
        raise GraphNotFoundError(f"cannot open the SPARQL store {path}: {exc}") from None


def data_prefixes(store: ox.Store) -> dict[str, str]:
    """Vocabulary prefixes plus the data prefixes of the base IRI recorded in the store (``void:uriSpace``)."""
    base = DEFAULT_BASE_IRI
    try:
        for row in store.query(f"SELECT ?base WHERE {{ ?d <{VOID}uriSpace> ?base }} LIMIT 1"):
            base = row["base"].value
    except (OSError, SyntaxError, RuntimeError):
        pass
    return all_prefixes(base)


def execute(store: ox.Store, query: QueryText | str, bindings: dict | None = None, *,
            prefixes: dict[str, str] | None = None) -> SparqlResult:
    """Run one query on an open store, with the file's default parameters under ``bindings``."""
    if isinstance(query, str):
        query = query_text(query, "<text>")
    values = {name: value for name, value in query.params.items() if value is not None}
    values.update(bindings or {})
    check_read_only(query.text)
    text = bind(query.text, values)
    try:
        answer = store.query(text, prefixes=dict(prefixes or PREFIXES))
    except SyntaxError as exc:
        raise QueryError(f"invalid SPARQL query ({query.source}): {exc}") from None
    except (OSError, RuntimeError, ValueError) as exc:
        raise QueryError(f"query failed ({query.source}): {exc}") from None
    result_prefixes = prefixes if prefixes is not None else dict(PREFIXES)
    try:
        if isinstance(answer, ox.QueryBoolean):
            return SparqlResult(kind="ask", boolean=bool(answer), prefixes=result_prefixes)
        if isinstance(answer, ox.QuerySolutions):
            variables = [v.value for v in answer.variables]
            rows = [tuple(solution[v] for v in variables) for solution in answer]
            return SparqlResult(kind="select", variables=variables, rows=rows, prefixes=result_prefixes)
        return SparqlResult(kind="graph", triples=list(answer), prefixes=result_prefixes)
    except (OSError, RuntimeError, ValueError) as exc:
        raise QueryError(f"query failed ({query.source}): {exc}") from None


def run_query(graph_dir: str | Path, query: str, *, bindings: dict[str, str] | None = None) -> SparqlResult:
    """Run a query (text, ``.rq`` path or shipped name) over ``<graph_dir>/store``.

    ``bindings`` map parameter names to values (see the module docstring);
    they override the defaults the query file declares.
    """
    loaded = load_query(query)
    check_read_only(loaded.text)
    store = open_store(graph_dir)
    try:
        return execute(store, loaded, bindings, prefixes=data_prefixes(store))
    finally:
        del store


__all__ = ["run_query", "execute", "open_store", "load_query", "known_queries", "SparqlResult", "QueryText",
           "bind", "term", "query_text", "check_read_only", "query_form", "FORMATS"]
