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
* co-occurrence — a ``kg:CoOccurrence`` node with ``kg:entity`` (both) and
  ``kg:papersInCommon``, plus ``kg:cooccursWith`` between the two entities in both
  directions; no scores, which change with the number of papers (queries compute them);
* the dataset ``<base>dataset`` — ``void:Dataset`` and ``dcat:Dataset`` with
  ``void:triples`` (the triples of the dump, this one included),
  ``void:uriSpace``, ``void:classPartition`` (``void:entities``: the number of
  papers), ``void:vocabulary``, ``void:dataDump`` (``<base>graph.ttl``,
  ``.nt``, ``.jsonld``: publish the files at the base IRI) and one
  ``dcat:Distribution`` per file, ``prov:wasGeneratedBy`` the run;
* the run — ``prov:Activity``, ``prov:wasAssociatedWith`` the kg software
  (``prov:SoftwareAgent``, ``schema:softwareVersion``), ``prov:used`` the spaCy
  pipeline (``schema:SoftwareApplication`` with name and version), other
  ``run_info`` keys as ``kg:setting "name=value"``.  No time stamps.

The ``kg:`` ontology (``kg/data/kg.ttl``, namespace ``KG``) is copied into
every dump.

How it is made, one module a step:

* ``vocabulary`` — namespaces, prefixes, file names and media types;
* ``iris`` — the IRI of every node, from kg ids and hashes (the IRI scheme);
* ``terms`` — literals and IRIs as canonical N-Triples text;
* ``triples`` — the graph as N-Triples lines (papers, authors, entities,
  mentions, co-occurrences);
* ``dataset`` — the description of the dump itself (dataset, run) and the ontology;
* ``serialise`` — ``graph.nt``, Turtle and ``write_rdf``, each as a stream;
* ``jsonld`` — the compact JSON-LD, written from ``graph.nt``'s lines;
* ``blocks`` — where each block lies in the dumps, for a rebuild to copy what did not change;
* ``store`` — the Oxigraph store, bulk-loaded or updated from the previous build's.
"""

# Every public name of the former single module ``kg.export.rdf`` is still importable from here;
# ``__all__`` is the list ``import *`` gives, as before.
from kg.export.rdf.dataset import ONTOLOGY_FILE, ontology_lines, provenance_lines
from kg.export.rdf.iris import (BaseIriError, annotation_iri, author_iri, check_base_iri, cooccurrence_iri,
                                entity_iri, id_path, paper_iri)
from kg.export.rdf.jsonld import to_jsonld
from kg.export.rdf.serialise import rdf_bytes, serialize_turtle, to_turtle, write_rdf
from kg.export.rdf.store import build_store, load_store, update_store
from kg.export.rdf.terms import A, date_literal
from kg.export.rdf.triples import graph_lines
from kg.export.rdf.vocabulary import (BIBO, DATA_PREFIXES, DCAT, DCTERMS, DEFAULT_BASE_IRI, ENTITY_CLASSES,
                                      FABIO, JSONLD, KG, KG_ONTOLOGY, MEDIA_TYPES, NTRIPLES, OA, OWL, PREFIXES,
                                      PRISM, PROV, RDF, RDFS, SCHEMA, SKOS, STORE, TURTLE, VANN, VOID, XSD,
                                      all_prefixes)

__all__ = ["DEFAULT_BASE_IRI", "PREFIXES", "DATA_PREFIXES", "KG", "TURTLE", "NTRIPLES", "JSONLD", "STORE",
           "write_rdf", "rdf_bytes", "all_prefixes", "serialize_turtle", "paper_iri", "entity_iri", "author_iri",
           "annotation_iri", "cooccurrence_iri", "check_base_iri", "BaseIriError"]
