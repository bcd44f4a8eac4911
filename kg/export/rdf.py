"""The graph as linked data: Turtle, N-Triples, JSON-LD and an Oxigraph store.

``write_rdf(graph, folder)`` writes ``graph.ttl``, ``graph.nt``, ``graph.jsonld``
and the on-disk SPARQL store ``store/``.  The three files hold the same triples
and, for the same graph, the same bytes: there are no time stamps and no blank
nodes, every node has an IRI derived from the graph's ids, and the triples are
written in sorted N-Triples order (Turtle and JSON-LD follow that order).

Vocabularies (prefixes as in ``PREFIXES``):

* paper — ``schema:ScholarlyArticle`` and ``fabio:Preprint`` (it has an arXiv
  id) or ``fabio:ResearchPaper``; ``dcterms:identifier`` (the kg paper id),
  ``dcterms:title``, ``dcterms:abstract``, ``dcterms:date`` and
  ``schema:datePublished`` (``xsd:date`` when ISO, ``xsd:gYearMonth`` /
  ``xsd:gYear`` when that is all there is, a plain literal otherwise),
  ``bibo:doi``, ``kg:arxivId``, ``schema:sameAs`` ``https://doi.org/…`` and
  ``https://arxiv.org/abs/…``, ``schema:url``, ``prism:publicationName`` (venue),
  ``schema:keywords`` (one per keyword), ``kg:authorCount``, ``kg:upvotes``,
  ``kg:organisation``, ``kg:mergedId``;
* author — ``schema:author`` links the paper to one ``schema:Person`` node per
  listed author, ``<base>author/<paper>-<n>``, with ``schema:name`` and
  ``kg:authorPosition`` n (from 1).  Authors are not merged across papers: a
  name alone does not identify a person;
* entity — ``skos:Concept``, ``kg:Entity`` and ``kg:Method`` / ``kg:Model`` /
  ``kg:Dataset`` / ``kg:Task`` / ``kg:Metric`` (a dataset is also a
  ``schema:Dataset``), ``skos:inScheme <base>entities``, ``dcterms:identifier``
  (the kg entity id), ``skos:prefLabel``, one ``skos:altLabel`` per alias
  (``kg:acronym`` as well when it was merged as an acronym), ``kg:paperCount``,
  ``kg:firstSeen`` / ``kg:lastSeen``;
* ``<paper> schema:mentions <entity>`` once per pair;
* each mention — a W3C Web Annotation: ``oa:Annotation`` ``oa:motivatedBy
  oa:identifying``, ``oa:hasBody`` the entity, ``oa:hasTarget`` a node with
  ``oa:hasSource`` the paper and two ``oa:hasSelector``: an
  ``oa:TextPositionSelector`` (``oa:start``, ``oa:end``: code-point offsets into
  the field ``kg:field`` "title" or "abstract", end exclusive) and an
  ``oa:TextQuoteSelector`` (``oa:exact``, the text as written);
* co-occurrence — a ``kg:CoOccurrence`` node with ``kg:entity`` (both),
  ``kg:papersInCommon``, ``kg:association``, ``kg:jaccard``, ``kg:npmi``, plus
  ``kg:cooccursWith`` between the two entities in both directions;
* the dataset ``<base>dataset`` — ``void:Dataset`` and ``dcat:Dataset`` with
  ``void:triples`` (the triples of the dump, this one included),
  ``void:uriSpace``, ``void:vocabulary``, ``void:dataDump`` (``<base>graph.ttl``,
  ``.nt``, ``.jsonld``: publish the files at the base IRI) and one
  ``dcat:Distribution`` per file, ``prov:wasGeneratedBy`` the run;
* the run — ``prov:Activity``, ``prov:wasAssociatedWith`` the kg software
  (``prov:SoftwareAgent``, ``schema:softwareVersion``), ``prov:used`` the spaCy
  pipeline (``schema:SoftwareApplication`` with name and version), other
  ``run_info`` keys as ``kg:setting "name=value"``.  No time stamps.

The ``kg:`` ontology (``kg/data/kg.ttl``, namespace ``KG``) is copied into
every dump.

IRIs (base ``DEFAULT_BASE_IRI`` unless given): a kg id keeps its shape, each part
percent-encoded (only ``A–Z a–z 0–9 - . _ ~`` kept, and not a final dot) around its first colon:
``arxiv:2401.01234`` → ``<base>paper/arxiv:2401.01234``, ``doi:10.1/x`` →
``<base>paper/doi:10.1%2Fx``, ``method:lora`` → ``<base>entity/method:lora``.
Annotations and co-occurrences get ``<base>annotation/<hash>`` (with
``-target``, ``-position``, ``-quote`` for its parts) and
``<base>cooccurrence/<hash>``, the hash a SHA-1 of the paper id, entity ids,
field and offsets; so the same graph always gives the same IRIs.

Speed: the N-Triples lines are written here as text (the IRIs are built from
percent-encoded parts, literals escaped as canonical N-Triples), sorted, then
parsed by Oxigraph to write Turtle and to fill the store.  On a synthetic graph
of 5,000 papers (1.6 M triples, a busy 2-core machine) making the sorted lines
takes 5–9 s, where building pyoxigraph ``Triple`` objects and serialising them
took 11–21 s and rdflib's ``Graph.add`` alone 77 s.  At 144 k triples Oxigraph
writes the Turtle in 0.6 s (rdflib: 11.6 s).  JSON-LD is written here (0.7 s at
144 k triples; rdflib: 6.4 s), compacted with an ``@context``, because Oxigraph writes
only expanded JSON-LD.
"""

from __future__ import annotations

import datetime as _dt
import gc
import hashlib
import json
import math
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from decimal import Decimal
from importlib import resources
from pathlib import Path
from urllib.parse import quote

import networkx as nx
import pyoxigraph as ox

from kg import __version__
from kg.errors import KgError
from kg.export.files import _UMASK

DEFAULT_BASE_IRI = "https://w3id.org/kg/"
TURTLE, NTRIPLES, JSONLD, STORE = "graph.ttl", "graph.nt", "graph.jsonld", "store"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SCHEMA = "http://schema.org/"
DCTERMS = "http://purl.org/dc/terms/"
BIBO = "http://purl.org/ontology/bibo/"
FABIO = "http://purl.org/spar/fabio/"
PRISM = "http://prismstandard.org/namespaces/basic/2.0/"
OA = "http://www.w3.org/ns/oa#"
PROV = "http://www.w3.org/ns/prov#"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
VANN = "http://purl.org/vocab/vann/"
KG = "https://w3id.org/kg/ontology#"
KG_ONTOLOGY = "https://w3id.org/kg/ontology"

# Vocabulary prefixes, used in Turtle, JSON-LD, SPARQL queries and tables.
PREFIXES: dict[str, str] = {
    "bibo": BIBO, "dcat": DCAT, "dcterms": DCTERMS, "fabio": FABIO, "kg": KG, "oa": OA, "owl": OWL,
    "prism": PRISM, "prov": PROV, "rdf": RDF, "rdfs": RDFS, "schema": SCHEMA, "skos": SKOS, "vann": VANN,
    "void": VOID, "xsd": XSD,
}
# Prefixes of the data IRIs, relative to the base IRI ("" is the base itself).
DATA_PREFIXES: dict[str, str] = {
    "kgr": "", "paper": "paper/", "author": "author/", "entity": "entity/", "annotation": "annotation/",
    "cooccurrence": "cooccurrence/",
}

ENTITY_CLASSES = ("Method", "Model", "Dataset", "Task", "Metric")
MEDIA_TYPES = {TURTLE: "text/turtle", NTRIPLES: "application/n-triples", JSONLD: "application/ld+json"}
ONTOLOGY_FILE = "kg.ttl"


class BaseIriError(KgError):
    """The base IRI given for the RDF export is not an absolute http(s) IRI ending in / or #."""


def all_prefixes(base: str) -> dict[str, str]:
    """Vocabulary and data prefixes for a base IRI, sorted by name."""
    prefixes = dict(PREFIXES)
    prefixes.update({name: base + path for name, path in DATA_PREFIXES.items()})
    return dict(sorted(prefixes.items()))


# --- IRIs --------------------------------------------------------------------

def _enc(text: str) -> str:
    """Percent-encode all but ``A–Z a–z 0–9 - . _ ~``, and a final ``.`` too.

    A final dot would be written ``\\.`` in a Turtle prefixed name, which rdflib
    7.6 cannot read; ``%2E`` is read by every parser.
    """
    encoded = quote(text, safe="-._~")
    return encoded[:-1] + "%2E" if encoded.endswith(".") else encoded


def id_path(kg_id: str) -> str:
    """A kg id as an IRI path segment: each side of the first colon percent-encoded.

    >>> id_path("doi:10.1/a b"), id_path("p1"), id_path("method:lora"), id_path("a:b:c"), id_path("x:v1.")
    ('doi:10.1%2Fa%20b', 'p1', 'method:lora', 'a:b%3Ac', 'x:v1%2E')
    """
    if ":" in kg_id:
        prefix, rest = kg_id.split(":", 1)
        return f"{_enc(prefix)}:{_enc(rest)}"
    return _enc(kg_id)


def paper_iri(base: str, paper_id: str) -> str:
    return f"{base}paper/{id_path(paper_id)}"


def entity_iri(base: str, entity_id: str) -> str:
    return f"{base}entity/{id_path(entity_id)}"


def author_iri(base: str, paper_id: str, position: int) -> str:
    return f"{base}author/{id_path(paper_id)}-{position}"


def _hash(*parts) -> str:
    text = json.dumps(parts, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:20]


def annotation_iri(base: str, paper_id: str, entity_id: str, field: str, start: int, end: int) -> str:
    return f"{base}annotation/{_hash(paper_id, entity_id, field, start, end)}"


def cooccurrence_iri(base: str, entity_a: str, entity_b: str) -> str:
    first, second = sorted((entity_a, entity_b))
    return f"{base}cooccurrence/{_hash(first, second)}"


def check_base_iri(base: str) -> str:
    """``base`` if it is an absolute http(s) IRI ending in ``/`` or ``#``; else ``BaseIriError``."""
    if not isinstance(base, str) or not re.match(r"^https?://[^\s<>\"{}|\\^`\x00-\x20]+[/#]$", base):
        raise BaseIriError(f"base IRI {base!r} must be an absolute http(s) IRI ending in '/' or '#'")
    try:
        ox.NamedNode(base)
    except ValueError as exc:
        raise BaseIriError(f"base IRI {base!r} is not a valid IRI: {exc}") from None
    return base


# --- N-Triples terms -----------------------------------------------------------

_ESCAPE = {ord("\\"): "\\\\", ord('"'): '\\"', 0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r"}
for _code in [*range(0x20), 0x7F]:
    _ESCAPE.setdefault(_code, f"\\u{_code:04X}")
_NEEDS_ESCAPE = re.compile(r'[\\"\x00-\x1f\x7f]')
_SURROGATE = re.compile(r"[\ud800-\udfff]")


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


def _double(value) -> str:
    value = float(value)
    if math.isnan(value):
        lexical = "NaN"
    elif math.isinf(value):
        lexical = "INF" if value > 0 else "-INF"
    else:
        # Positional, shortest round-trip digits: the form Oxigraph's store gives back
        # (1.0 → "1", 1e-05 → "0.00001"), so the store and the dumps hold the same literal.
        lexical = format(Decimal(repr(value)), "f")
        if "." in lexical:
            lexical = lexical.rstrip("0").rstrip(".")
    return f'"{lexical}"^^<{XSD}double>'


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


def _str_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        try:
            decoded = json.loads(value)
        except ValueError:
            return [value]
        value = decoded if isinstance(decoded, list) else [value]
    return [str(v) for v in value]


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


# --- the triples ------------------------------------------------------------------

def _i(iri: str) -> str:
    return f"<{iri}>"


A = _i(RDF + "type")
_SC, _DC, _SK, _OA, _PV, _KG = (lambda local, ns=ns: _i(ns + local) for ns in (SCHEMA, DCTERMS, SKOS, OA, PROV, KG))


def graph_lines(graph: nx.Graph, base: str, run_info: dict | None = None) -> Iterator[str]:
    """Every triple of the graph, the run and the dataset (but ``void:triples``) as an N-Triples line.

    The order is that of sorted node ids; the caller sorts the lines anyway.
    """
    papers = sorted(n for n, d in graph.nodes(data=True) if d.get("kind") == "paper")
    entities = sorted(n for n, d in graph.nodes(data=True) if d.get("kind") == "entity")
    paper_node = {p: _i(paper_iri(base, p)) for p in papers}
    entity_node = {e: _i(entity_iri(base, e)) for e in entities}
    scheme = _i(base + "entities")

    article, preprint, research = _SC("ScholarlyArticle"), _i(FABIO + "Preprint"), _i(FABIO + "ResearchPaper")
    identifier, title, abstract, date_p = _DC("identifier"), _DC("title"), _DC("abstract"), _DC("date")
    published, same_as, url_p, keywords = _SC("datePublished"), _SC("sameAs"), _SC("url"), _SC("keywords")
    author_p, person, name_p = _SC("author"), _SC("Person"), _SC("name")
    for pid in papers:
        d = graph.nodes[pid]
        s = paper_node[pid]
        yield f"{s} {A} {article} .\n"
        yield f"{s} {A} {preprint if d.get('arxiv_id') else research} .\n"
        yield f"{s} {identifier} {_lit(pid)} .\n"
        yield f"{s} {title} {_lit(str(d.get('title', '')))} .\n"
        if d.get("abstract"):
            yield f"{s} {abstract} {_lit(str(d['abstract']))} .\n"
        date = d.get("date") if _present(d.get("date")) else d.get("year")
        if _present(date):
            literal = date_literal(date)
            yield f"{s} {date_p} {literal} .\n"
            yield f"{s} {published} {literal} .\n"
        if d.get("doi"):
            doi = str(d["doi"])
            yield f"{s} {_i(BIBO + 'doi')} {_lit(doi)} .\n"
            yield f"{s} {same_as} {_url('https://doi.org/' + quote(doi, safe=_PATH_SAFE))} .\n"
        if d.get("arxiv_id"):
            arxiv = str(d["arxiv_id"])
            yield f"{s} {_KG('arxivId')} {_lit(arxiv)} .\n"
            yield f"{s} {same_as} {_url('https://arxiv.org/abs/' + quote(arxiv, safe=_PATH_SAFE))} .\n"
        if d.get("url"):
            yield f"{s} {url_p} {_url(str(d['url']))} .\n"
        if d.get("venue"):
            yield f"{s} {_i(PRISM + 'publicationName')} {_lit(str(d['venue']))} .\n"
        for keyword in _str_list(d.get("keywords")):
            yield f"{s} {keywords} {_lit(keyword)} .\n"
        for position, name in enumerate(_str_list(d.get("authors")), start=1):
            who = _i(author_iri(base, pid, position))
            yield f"{s} {author_p} {who} .\n"
            yield f"{who} {A} {person} .\n"
            yield f"{who} {name_p} {_lit(name)} .\n"
            yield f"{who} {_KG('authorPosition')} {_int(position)} .\n"
        for key, local in (("n_authors", "authorCount"), ("upvotes", "upvotes")):
            if _present(d.get(key)):
                yield f"{s} {_KG(local)} {_int(d[key])} .\n"
        if d.get("organisation"):
            yield f"{s} {_KG('organisation')} {_lit(str(d['organisation']))} .\n"
        for merged in _str_list(d.get("merged_ids")):
            yield f"{s} {_KG('mergedId')} {_lit(merged)} .\n"

    yield f"{scheme} {A} {_SK('ConceptScheme')} .\n"
    yield f"{scheme} {title} {_lit('Entities of the kg knowledge graph')} .\n"
    concept, kg_entity, in_scheme = _SK("Concept"), _KG("Entity"), _SK("inScheme")
    pref, alt = _SK("prefLabel"), _SK("altLabel")
    for eid in entities:
        d = graph.nodes[eid]
        s = entity_node[eid]
        name = str(d.get("name", eid))
        etype = str(d.get("type", ""))
        yield f"{s} {A} {concept} .\n"
        yield f"{s} {A} {kg_entity} .\n"
        if etype in ENTITY_CLASSES:
            yield f"{s} {A} {_KG(etype)} .\n"
        if etype == "Dataset":
            yield f"{s} {A} {_SC('Dataset')} .\n"
        yield f"{s} {in_scheme} {scheme} .\n"
        yield f"{s} {identifier} {_lit(eid)} .\n"
        yield f"{s} {pref} {_lit(name)} .\n"
        reasons = _dict(d.get("alias_reasons"))
        for alias in _str_list(d.get("aliases")):
            if alias == name:
                continue
            yield f"{s} {alt} {_lit(alias)} .\n"
            if reasons.get(alias) == "acronym":
                yield f"{s} {_KG('acronym')} {_lit(alias)} .\n"
        if _present(d.get("papers")):
            yield f"{s} {_KG('paperCount')} {_int(d['papers'])} .\n"
        for key, local in (("first_seen", "firstSeen"), ("last_seen", "lastSeen")):
            if d.get(key):
                yield f"{s} {_KG(local)} {date_literal(d[key])} .\n"

    mentions_p, annotation, motivated, identifying = _SC("mentions"), _OA("Annotation"), _OA("motivatedBy"), \
        _OA("identifying")
    body, target_p, source, selector = _OA("hasBody"), _OA("hasTarget"), _OA("hasSource"), _OA("hasSelector")
    position_sel, quote_sel, start_p, end_p, exact = (_OA("TextPositionSelector"), _OA("TextQuoteSelector"),
                                                      _OA("start"), _OA("end"), _OA("exact"))
    field_p, integer = _KG("field"), XSD + "integer"  # not xsd:nonNegativeInteger: Oxigraph stores that as xsd:integer
    cooc, kg_entity_p, with_p = _KG("CoOccurrence"), _KG("entity"), _KG("cooccursWith")
    for u, v, d in graph.edges(data=True):
        kind = d.get("kind")
        if kind == "mentions":
            pid, eid = (u, v) if u in paper_node else (v, u)
            if pid not in paper_node or eid not in entity_node:
                continue
            paper, entity = paper_node[pid], entity_node[eid]
            yield f"{paper} {mentions_p} {entity} .\n"
            for m in _mentions(d.get("mentions")):
                field, start, end = str(m["field"]), int(m["start"]), int(m["end"])
                ann = annotation_iri(base, pid, eid, field, start, end)
                a, target, pos, quo = _i(ann), _i(ann + "-target"), _i(ann + "-position"), _i(ann + "-quote")
                yield f"{a} {A} {annotation} .\n"
                yield f"{a} {motivated} {identifying} .\n"
                yield f"{a} {body} {entity} .\n"
                yield f"{a} {target_p} {target} .\n"
                yield f"{target} {source} {paper} .\n"
                yield f"{target} {selector} {pos} .\n"
                yield f"{target} {selector} {quo} .\n"
                yield f"{pos} {A} {position_sel} .\n"
                yield f'{pos} {start_p} "{start}"^^<{integer}> .\n'
                yield f'{pos} {end_p} "{end}"^^<{integer}> .\n'
                yield f"{pos} {field_p} {_lit(field)} .\n"
                yield f"{quo} {A} {quote_sel} .\n"
                yield f"{quo} {exact} {_lit(str(m.get('text', '')))} .\n"
        elif kind == "cooccurs":
            if u not in entity_node or v not in entity_node:
                continue
            a, b = entity_node[u], entity_node[v]
            co = _i(cooccurrence_iri(base, u, v))
            yield f"{co} {A} {cooc} .\n"
            yield f"{co} {kg_entity_p} {a} .\n"
            yield f"{co} {kg_entity_p} {b} .\n"
            if _present(d.get("papers")):
                yield f"{co} {_KG('papersInCommon')} {_int(d['papers'])} .\n"
            for key in ("association", "jaccard", "npmi"):
                if _present(d.get(key)):
                    yield f"{co} {_KG(key)} {_double(d[key])} .\n"
            yield f"{a} {with_p} {b} .\n"
            yield f"{b} {with_p} {a} .\n"

    yield from _provenance_lines(base, run_info or {})


def _provenance_lines(base: str, run_info: dict) -> Iterator[str]:
    info = dict(run_info)
    dataset = _i(base + "dataset")
    run = _i(f"{base}run/{_hash(sorted((str(k), str(v)) for k, v in info.items()))}")
    version = str(info.pop("kg_version", __version__))
    software = _i(f"{base}software/kg/{_enc(version)}")
    out = [
        (dataset, A, _i(VOID + "Dataset")), (dataset, A, _i(DCAT + "Dataset")),
        (dataset, _DC("title"), _lit("kg knowledge graph")),
        (dataset, _DC("description"), _lit("Methods, models, datasets, tasks and metrics found in the titles "
                                           "and abstracts of research papers, with the papers that mention them.")),
        (dataset, _i(VOID + "uriSpace"), _lit(base)),
        (dataset, _PV("wasGeneratedBy"), run),
        (run, A, _PV("Activity")), (run, _i(RDFS + "label"), _lit("kg build")), (run, _PV("generated"), dataset),
        (run, _PV("wasAssociatedWith"), software),
        (software, A, _PV("SoftwareAgent")), (software, A, _SC("SoftwareApplication")),
        (software, _SC("name"), _lit("kg")), (software, _SC("softwareVersion"), _lit(version)),
    ]
    for namespace in (SCHEMA, DCTERMS, SKOS, OA, PROV, FABIO, BIBO, PRISM, KG):
        out.append((dataset, _i(VOID + "vocabulary"), _i(namespace)))
    for name, media in MEDIA_TYPES.items():
        dump, dist = _i(base + name), _i(f"{base}distribution/{name.rsplit('.', 1)[1]}")
        out += [(dataset, _i(VOID + "dataDump"), dump), (dataset, _i(DCAT + "distribution"), dist),
                (dist, A, _i(DCAT + "Distribution")), (dist, _i(DCAT + "downloadURL"), dump),
                (dist, _i(DCAT + "mediaType"), _i("https://www.iana.org/assignments/media-types/" + media))]
    pipeline, pipeline_version = info.pop("pipeline", None), info.pop("pipeline_version", None)
    if _present(pipeline):
        pv = str(pipeline_version) if _present(pipeline_version) else ""
        node = _i(f"{base}software/pipeline/{_enc(str(pipeline))}" + (f"/{_enc(pv)}" if pv else ""))
        out += [(run, _PV("used"), node), (node, A, _PV("Entity")), (node, A, _SC("SoftwareApplication")),
                (node, _SC("name"), _lit(str(pipeline)))]
        if pv:
            out.append((node, _SC("softwareVersion"), _lit(pv)))
    elif _present(pipeline_version):
        info["pipeline_version"] = pipeline_version
    for key in sorted(info, key=str):
        value = info[key]
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
        out.append((run, _KG("setting"), _lit(f"{key}={text}")))
    for s, p, o in out:
        yield f"{s} {p} {o} .\n"


def ontology_lines() -> list[str]:
    """The triples of ``kg/data/kg.ttl`` as N-Triples lines (it has no blank nodes: stable bytes)."""
    data = resources.files("kg").joinpath("data", ONTOLOGY_FILE).read_bytes()
    triples = [q.triple for q in ox.parse(data, format=ox.RdfFormat.TURTLE)]
    if any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in triples):
        raise ValueError(f"{ONTOLOGY_FILE} must not use blank nodes: they would make the dumps non-deterministic")
    text = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
    return [line + "\n" for line in text.split("\n") if line]


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


# --- serialisation ---------------------------------------------------------------

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


def _write_bytes(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_UMASK)  # mkstemp makes 0600; outputs are ordinary files
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
    _write_bytes(folder / NTRIPLES, nt)
    _write_bytes(folder / TURTLE, to_turtle(nt, base))  # Oxigraph parses the lines strictly here
    _write_bytes(folder / JSONLD, to_jsonld(nt, base))
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


__all__ = ["DEFAULT_BASE_IRI", "PREFIXES", "DATA_PREFIXES", "KG", "TURTLE", "NTRIPLES", "JSONLD", "STORE",
           "write_rdf", "rdf_bytes", "all_prefixes", "serialize_turtle", "paper_iri", "entity_iri", "author_iri",
           "annotation_iri", "cooccurrence_iri", "check_base_iri", "BaseIriError"]
