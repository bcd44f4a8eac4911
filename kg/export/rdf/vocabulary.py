"""Namespaces, prefixes, file names and media types of the RDF export.

One place for them, so that the dumps, the SPARQL queries (which may use
``PREFIXES`` without declaring them), the endpoint and the tables all write the
same prefixes.
"""

from __future__ import annotations

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


def all_prefixes(base: str) -> dict[str, str]:
    """Vocabulary and data prefixes for a base IRI, sorted by name."""
    prefixes = dict(PREFIXES)
    prefixes.update({name: base + path for name, path in DATA_PREFIXES.items()})
    return dict(sorted(prefixes.items()))
