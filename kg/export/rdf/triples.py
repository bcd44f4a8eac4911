"""The graph as N-Triples lines: papers and their authors, entities, mentions, co-occurrences.

Speed: the N-Triples lines are written as text (the IRIs are built from
percent-encoded parts, literals escaped as canonical N-Triples), sorted, then
parsed by Oxigraph to write Turtle and to fill the store.  On a synthetic graph
of 5,000 papers (1.6 M triples, a busy 2-core machine) making the sorted lines
takes 5–9 s, where building pyoxigraph ``Triple`` objects and serialising them
took 11–21 s and rdflib's ``Graph.add`` alone 77 s.  (Turtle and JSON-LD: see
``serialise``.)
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import networkx as nx

from kg.export.rdf.dataset import provenance_lines
from kg.export.rdf.iris import annotation_iri, author_iri, cooccurrence_iri, entity_iri, paper_iri
from kg.export.rdf.terms import (_DC, _KG, _OA, _PATH_SAFE, _SC, _SK, A, _dict, _double, _i, _int, _lit, _mentions,
                                 _present, _str_list, _url, date_literal)
from kg.export.rdf.vocabulary import BIBO, ENTITY_CLASSES, FABIO, PRISM, XSD


def graph_lines(graph: nx.Graph, base: str, run_info: dict | None = None) -> Iterator[str]:
    """Every triple of the graph, the run and the dataset (but ``void:triples``) as an N-Triples line.

    The order is that of sorted node ids; the caller sorts the lines anyway.
    """
    papers = sorted(n for n, d in graph.nodes(data=True) if d.get("kind") == "paper")
    entities = sorted(n for n, d in graph.nodes(data=True) if d.get("kind") == "entity")
    paper_node = {p: _i(paper_iri(base, p)) for p in papers}
    entity_node = {e: _i(entity_iri(base, e)) for e in entities}

    yield from _paper_lines(graph, base, paper_node)
    yield from _entity_lines(graph, base, entity_node)
    yield from _link_lines(graph, base, paper_node, entity_node)
    yield from provenance_lines(base, run_info or {})


def _paper_lines(graph: nx.Graph, base: str, paper_node: dict[str, str]) -> Iterator[str]:
    """Each paper, its identifiers, links and metadata, and one node per listed author."""
    article, preprint, research = _SC("ScholarlyArticle"), _i(FABIO + "Preprint"), _i(FABIO + "ResearchPaper")
    identifier, title, abstract, date_p = _DC("identifier"), _DC("title"), _DC("abstract"), _DC("date")
    published, same_as, url_p, keywords = _SC("datePublished"), _SC("sameAs"), _SC("url"), _SC("keywords")
    author_p, person, name_p = _SC("author"), _SC("Person"), _SC("name")
    for pid, s in paper_node.items():
        d = graph.nodes[pid]
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


def _entity_lines(graph: nx.Graph, base: str, entity_node: dict[str, str]) -> Iterator[str]:
    """The concept scheme and each entity: classes, labels, aliases, counts, first and last seen."""
    scheme = _i(base + "entities")
    identifier, title = _DC("identifier"), _DC("title")
    yield f"{scheme} {A} {_SK('ConceptScheme')} .\n"
    yield f"{scheme} {title} {_lit('Entities of the kg knowledge graph')} .\n"
    concept, kg_entity, in_scheme = _SK("Concept"), _KG("Entity"), _SK("inScheme")
    pref, alt = _SK("prefLabel"), _SK("altLabel")
    for eid, s in entity_node.items():
        d = graph.nodes[eid]
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


def _link_lines(graph: nx.Graph, base: str, paper_node: dict[str, str],
                entity_node: dict[str, str]) -> Iterator[str]:
    """Mentions (with one Web Annotation per place in the text) and co-occurrences (both directions)."""
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
