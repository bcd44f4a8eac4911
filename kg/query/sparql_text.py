"""A SPARQL query as text: where it is found, what its header declares, and how parameters get in.

Everything here reads the query text, never the store: the ``# param`` header,
the query form (SELECT…, or an update to refuse), and ``bind``, which puts a
``VALUES`` block per parameter at the start of the top-level WHERE group.  To
find keywords and braces the text is read with its strings, IRIs and comments
masked, so that a ``{`` or ``DROP`` inside a string or a comment is not taken
for syntax.  See ``kg.query.sparql`` for the rules a query file follows.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

import kg
from kg.errors import QueryError

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_FORMS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")

_PARAM = re.compile(r"^#\s*param\s+([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(.*?)\s*$")
_RESOLVE = re.compile(r"^#\s*resolve\s+([A-Za-z_][A-Za-z0-9_]*)\s*:\s*([A-Za-z_][A-Za-z0-9_]*)\s*$")
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
    resolve: dict[str, str] = field(default_factory=dict)  # parameter → variable bound to the entities it names


def _leading_comments(text: str) -> Iterator[str]:
    """The comment lines before the query itself (blank lines skipped), stripped."""
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if not line.startswith("#"):
            return
        yield line


def header(text: str) -> tuple[str, dict[str, str | None]]:
    """The description and ``# param name: default`` declarations of a query's leading comments.

    >>> header("# Top entities.\\n# param type: Method\\n# param x:\\nSELECT * {}")
    ('Top entities.', {'type': 'Method', 'x': None})
    """
    lines, params = [], {}
    for line in _leading_comments(text):
        match = _PARAM.match(line)
        if match:
            params[match.group(1)] = match.group(2) or None
        elif _RESOLVE.match(line):
            continue
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


def resolved_params(text: str) -> dict[str, str]:
    """The ``# resolve entity: e`` declarations of a query's leading comments: parameter → variable.

    >>> resolved_params("# param entity: LoRA\\n# resolve entity: e\\nSELECT * {}")
    {'entity': 'e'}
    """
    return {match.group(1): match.group(2) for match in map(_RESOLVE.match, _leading_comments(text)) if match}


def query_text(text: str, source: str = "<text>") -> QueryText:
    """A ``QueryText`` for text as given (its header read for a description and parameters)."""
    description, params = header(text)
    return QueryText(text=text, source=source, description=description, params=params,
                     resolve=resolved_params(text))


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
        terms = value if isinstance(value, list) else [value]  # a list: one row per term, none for []
        block.append(f"VALUES ?{name} {{ {' '.join(str(term(v)) for v in terms)} }}")
    at = _where_brace(masked, form)
    return text[:at] + "\n  " + "\n  ".join(block) + "\n" + text[at:]
