"""A read-only SPARQL 1.1 Protocol endpoint over the graph's Oxigraph store.

Standard library only (``http.server.ThreadingHTTPServer``).  ``/sparql`` answers

* ``GET /sparql?query=…``;
* ``POST /sparql`` with ``application/x-www-form-urlencoded`` (``query=…``) or
  ``application/sparql-query`` (the query is the body).

Updates are refused with ``403 Forbidden`` (an ``update=`` parameter, an
``application/sparql-update`` body, or update text in ``query``); an invalid
query is ``400 Bad Request``.  The store is opened read-only, once.

Results by content negotiation (``Accept``, or a ``format``/``output``
parameter such as ``json``, ``csv``, ``tsv``, ``xml``): SELECT and ASK as
``application/sparql-results+json`` (default), ``text/csv``,
``text/tab-separated-values`` or ``application/sparql-results+xml``; CONSTRUCT
and DESCRIBE as ``text/turtle`` (default), ``application/n-triples``,
``application/ld+json`` or ``application/rdf+xml``.

A query file's ``# param name: value`` defaults apply here too.  There is no
query time-out: the endpoint is meant for one user on 127.0.0.1 (the default
host); bind another host only on a trusted network.
"""

from __future__ import annotations

import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox

from kg import __version__
from kg.errors import KgError, QueryError
from kg.query.sparql import (UPDATE_FORMS, SparqlResult, data_prefixes, execute, open_store, query_form,
                             query_text)

MAX_BODY = 1 << 20  # bytes of a POSTed query

RESULT_TYPES = {  # SELECT / ASK
    "application/sparql-results+json": "json", "application/json": "json",
    "text/csv": "csv", "text/tab-separated-values": "tsv",
    "application/sparql-results+xml": "xml", "application/xml": "xml", "text/xml": "xml",
}
RESULT_MEDIA = {"json": "application/sparql-results+json", "csv": "text/csv",
                "tsv": "text/tab-separated-values", "xml": "application/sparql-results+xml"}
GRAPH_TYPES = {  # CONSTRUCT / DESCRIBE
    "text/turtle": ox.RdfFormat.TURTLE, "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES, "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD, "application/json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML, "application/xml": ox.RdfFormat.RDF_XML,
}
FORMAT_PARAMS = {"json": "application/sparql-results+json", "csv": "text/csv", "tsv": "text/tab-separated-values",
                 "xml": "application/sparql-results+xml", "turtle": "text/turtle", "ttl": "text/turtle",
                 "nt": "application/n-triples", "ntriples": "application/n-triples",
                 "jsonld": "application/ld+json", "rdfxml": "application/rdf+xml"}
GRAPH_FORMAT_PARAMS = {"json": "application/ld+json", "xml": "application/rdf+xml"}


class ServerError(KgError):
    """The endpoint cannot start (the port is taken, the host unknown…)."""


def _accepted(header: str | None) -> list[str]:
    """Media types of an Accept header, best first (q=0 dropped)."""
    if not header:
        return []
    ranked = []
    for position, part in enumerate(header.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        media, q = pieces[0].lower(), 1.0
        for param in pieces[1:]:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        if media and q > 0:
            ranked.append((-q, position, media))
    return [media for _, _, media in sorted(ranked)]


def negotiate(result: SparqlResult, accept: str | None, fmt: str | None = None) -> tuple[bytes, str]:
    """The response body and its content type for ``result``."""
    wanted = _accepted(accept)
    if fmt:
        param = fmt.lower()
        media = (GRAPH_FORMAT_PARAMS.get(param) if result.kind == "graph" else None) or FORMAT_PARAMS.get(param, param)
        wanted.insert(0, media)
    if result.kind == "graph":
        rdf_format = next((GRAPH_TYPES[m] for m in wanted if m in GRAPH_TYPES), ox.RdfFormat.TURTLE)
        return result.serialize_graph(rdf_format), f"{rdf_format.media_type}; charset=utf-8"
    name = next((RESULT_TYPES[m] for m in wanted if m in RESULT_TYPES), "json")
    return result.format(name).encode("utf-8"), f"{RESULT_MEDIA[name]}; charset=utf-8"


class SparqlServer(ThreadingHTTPServer):
    """An HTTP server holding the graph's store open read-only."""

    daemon_threads = True

    def __init__(self, graph_dir: str | Path, host: str = "127.0.0.1", port: int = 8000, *, quiet: bool = False):
        self.graph_dir = Path(graph_dir)
        self.store = open_store(graph_dir)
        self.prefixes = data_prefixes(self.store)
        self.quiet = quiet
        try:
            super().__init__((host, port), SparqlHandler)
        except OSError as exc:
            raise ServerError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        if ":" in str(host):
            host = f"[{host}]"
        return f"http://{host}:{port}/sparql"


class SparqlHandler(BaseHTTPRequestHandler):
    server: SparqlServer
    server_version = f"kg/{__version__}"
    protocol_version = "HTTP/1.1"

    # --- plumbing ---------------------------------------------------------------------
    def log_message(self, format: str, *args) -> None:  # noqa: A002 (the base class's name)
        if not self.server.quiet:
            sys.stderr.write(f"{self.address_string()} {format % args}\n")

    def _send(self, status: int, body: bytes | str, content_type: str = "text/plain; charset=utf-8",
              extra: dict[str, str] | None = None) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _refuse_update(self) -> None:
        self._send(403, "This SPARQL endpoint is read-only: updates are refused.\n")

    # --- methods ------------------------------------------------------------------------
    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        parts = urlsplit(self.path)
        if parts.path in ("/", ""):
            self._send(200, f"kg SPARQL endpoint (read-only): {self.server.url}?query=…\n")
            return
        if parts.path != "/sparql":
            self._send(404, "Not found: the SPARQL endpoint is /sparql\n")
            return
        params = parse_qs(parts.query, keep_blank_values=True)
        if "update" in params:
            self._refuse_update()
            return
        if "query" not in params:
            self._send(400, "Missing 'query' parameter.\n")
            return
        self._answer(params["query"][0], params)

    do_HEAD = do_GET

    def do_POST(self) -> None:  # noqa: N802
        parts = urlsplit(self.path)
        if parts.path != "/sparql":
            self._send(404, "Not found: the SPARQL endpoint is /sparql\n")
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            self._send(413, f"Request body too large (at most {MAX_BODY} bytes).\n",
                       extra={"Connection": "close"})
            self.close_connection = True
            return
        body = self.rfile.read(length).decode("utf-8", "replace")
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        params = parse_qs(parts.query, keep_blank_values=True)
        if content_type == "application/sparql-update":
            self._refuse_update()
            return
        if content_type == "application/x-www-form-urlencoded":
            form = parse_qs(body, keep_blank_values=True)
            if "update" in form or "update" in params:
                self._refuse_update()
                return
            params = {**params, **form}
            if "query" not in params:
                self._send(400, "Missing 'query' parameter.\n")
                return
            self._answer(params["query"][0], params)
        elif content_type == "application/sparql-query":
            self._answer(body, params)
        else:
            self._send(415, "POST a query as application/x-www-form-urlencoded or application/sparql-query.\n")

    def _not_allowed(self) -> None:
        self._send(405, "Method not allowed: this endpoint is read-only.\n", extra={"Allow": "GET, HEAD, POST"})

    do_PUT = do_DELETE = do_PATCH = _not_allowed

    def _answer(self, text: str, params: dict[str, list[str]]) -> None:
        if query_form(text) in UPDATE_FORMS:
            self._refuse_update()
            return
        fmt = (params.get("format") or params.get("output") or [None])[0]
        try:
            # The text is the query: never a file name or a shipped query's name here.
            result = execute(self.server.store, query_text(text, "request"), prefixes=self.server.prefixes)
            body, content_type = negotiate(result, self.headers.get("Accept"), fmt)
        except QueryError as exc:
            self._send(400, f"{exc}\n")
            return
        except Exception as exc:  # noqa: BLE001 — a failed query must not kill the server
            self._send(500, f"Query failed: {exc}\n")
            return
        self._send(200, body, content_type)


def make_server(graph_dir: str | Path, host: str = "127.0.0.1", port: int = 8000, *,
                quiet: bool = False) -> SparqlServer:
    """A server bound to ``host:port`` (port 0: any free port); call ``serve_forever()`` to run it."""
    return SparqlServer(graph_dir, host, port, quiet=quiet)


def serve(graph_dir: str | Path, host: str = "127.0.0.1", port: int = 8000, *, announce=print) -> None:
    """Serve until interrupted (Ctrl-C), then close cleanly."""
    server = make_server(graph_dir, host, port)
    try:
        announce(f"SPARQL endpoint (read-only): {server.url}  — Ctrl-C to stop")
        server.serve_forever()
    except KeyboardInterrupt:
        announce("Stopped.")
    finally:
        server.server_close()


__all__ = ["make_server", "serve", "SparqlServer", "ServerError", "negotiate"]
