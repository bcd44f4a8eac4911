"""The graph as N-Triples lines, one block per subject: papers, authors, mentions, entities, co-occurrences.

The dump is written as a stream, never held whole: ``graph_lines`` yields the
lines in a fixed order, every subject's triples together, subjects in the order
of the graph's sorted ids:

1. each paper (its triples, its ``schema:mentions``), then its authors, then
   one Web Annotation per mention (annotation, target, the two selectors);
2. the concept scheme, then each entity;
3. each co-occurrence node, with the two ``kg:cooccursWith`` links between its entities.

The links sit with their pair, not with their entities, the one exception to a
subject's triples coming together: a new paper changes the paper count of the
entities it names, and a frequent entity has thousands of links.  In the
entity's block, every such count converted thousands of unchanged links again
in a rebuild (at 100k papers, 400 MB of the 525 MB of changed N-Triples);
beside their pair, a link changes only when the pair first appears.

The dataset description and the ontology come last (``serialise``).  The same
graph gives the same lines in the same order; the terms are canonical
N-Triples text (see ``terms``), so Oxigraph parses the file with its checks off
and the three dumps agree.  On the 10,000-paper benchmark graph (3.2 M triples)
the lines are made at 0.4–0.5 M per second; holding them all and sorting them,
as an earlier version did, took 2 GB.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import networkx as nx

from kg.export.rdf.dataset import provenance_lines
from kg.export.rdf.iris import annotation_iri, author_iri, cooccurrence_iri, entity_iri, paper_iri
from kg.export.rdf.terms import (_DC, _KG, _OA, _PATH_SAFE, _SC, _SK, A, _dict, _i, _int, _lit, _mentions,
                                 _present, _str_list, _url, date_literal)
from kg.export.rdf.vocabulary import BIBO, ENTITY_CLASSES, FABIO, PRISM, XSD


def graph_lines(graph: nx.Graph, base: str, run_info: dict | None = None) -> Iterator[str]:
    """Every triple of the graph and the run (but the dataset's ``void:triples``), as N-Triples lines.

    Each block of lines is one subject's (or a few subjects' in a row); see the module's docstring.
    """
    for block in graph_blocks(graph, base):
        yield from block
    yield from provenance_lines(base, run_info or {})


def graph_blocks(graph: nx.Graph, base: str, counts: dict[str, int] | None = None) -> Iterator[list[str]]:
    """The graph's lines in blocks: one per paper (with its authors and annotations), per entity, per co-occurrence.

    ``counts["annotations"]``, when given, is increased by the number of annotations written.
    """
    papers = sorted(n for n, d in graph.nodes(data=True) if d.get("kind") == "paper")
    entities = sorted(n for n, d in graph.nodes(data=True) if d.get("kind") == "entity")
    entity_node = {e: _i(entity_iri(base, e)) for e in entities}
    paper_block = _PaperBlock(graph, base, entity_node)
    for pid in papers:
        yield paper_block(pid)
    if counts is not None:
        counts["annotations"] = counts.get("annotations", 0) + paper_block.annotations
        counts["papers"] = counts.get("papers", 0) + len(papers)
    yield from _entity_blocks(graph, base, entity_node)
    yield from _cooccurrence_blocks(graph, base, entity_node)


class _PaperBlock:
    """The lines of one paper: its own triples, its authors, one annotation per mention."""

    def __init__(self, graph: nx.Graph, base: str, entity_node: dict[str, str]):
        self.graph, self.base, self.entity_node = graph, base, entity_node
        self.annotations = 0
        self.article, self.preprint, self.research = (_SC("ScholarlyArticle"), _i(FABIO + "Preprint"),
                                                      _i(FABIO + "ResearchPaper"))
        # The terms of an annotation, made once: a paper has dozens of annotations of 13 triples each.
        self.oa = {local: _OA(local) for local in ("Annotation", "motivatedBy", "identifying", "hasBody", "hasTarget",
                                                   "hasSource", "hasSelector", "TextPositionSelector", "start",
                                                   "end", "TextQuoteSelector", "exact")}
        self.field_p = _KG("field")
        self.integer = XSD + "integer"  # not xsd:nonNegativeInteger: Oxigraph stores that as xsd:integer

    def __call__(self, pid: str) -> list[str]:
        d = self.graph.nodes[pid]
        s = _i(paper_iri(self.base, pid))
        edges = sorted((eid, data) for eid, data in self.graph.adj[pid].items()
                       if data.get("kind") == "mentions" and eid in self.entity_node)
        authors = [(position, _i(author_iri(self.base, pid, position)), name)
                   for position, name in enumerate(_str_list(d.get("authors")), start=1)]
        lines = self._paper(s, pid, d)
        lines += [f"{s} {_SC('author')} {who} .\n" for _, who, _ in authors]
        lines += [f"{s} {_SC('mentions')} {self.entity_node[eid]} .\n" for eid, _ in edges]
        person, name_p, position_p = _SC("Person"), _SC("name"), _KG("authorPosition")
        for position, who, name in authors:
            lines += [f"{who} {A} {person} .\n", f"{who} {name_p} {_lit(name)} .\n",
                      f"{who} {position_p} {_int(position)} .\n"]
        for eid, data in edges:
            self._annotations(lines, s, pid, eid, data)
        return lines

    def _paper(self, s: str, pid: str, d: dict) -> list[str]:
        lines = [f"{s} {A} {self.article} .\n",
                 f"{s} {A} {self.preprint if d.get('arxiv_id') else self.research} .\n",
                 f"{s} {_DC('identifier')} {_lit(pid)} .\n",
                 f"{s} {_DC('title')} {_lit(str(d.get('title', '')))} .\n"]
        if d.get("abstract"):
            lines.append(f"{s} {_DC('abstract')} {_lit(str(d['abstract']))} .\n")
        date = d.get("date") if _present(d.get("date")) else d.get("year")
        if _present(date):
            literal = date_literal(date)
            lines += [f"{s} {_DC('date')} {literal} .\n", f"{s} {_SC('datePublished')} {literal} .\n"]
        same_as = []
        if d.get("doi"):
            doi = str(d["doi"])
            lines.append(f"{s} {_i(BIBO + 'doi')} {_lit(doi)} .\n")
            same_as.append(_url("https://doi.org/" + quote(doi, safe=_PATH_SAFE)))
        if d.get("arxiv_id"):
            arxiv = str(d["arxiv_id"])
            lines.append(f"{s} {_KG('arxivId')} {_lit(arxiv)} .\n")
            same_as.append(_url("https://arxiv.org/abs/" + quote(arxiv, safe=_PATH_SAFE)))
        lines += [f"{s} {_SC('sameAs')} {other} .\n" for other in same_as]
        if d.get("url"):
            lines.append(f"{s} {_SC('url')} {_url(str(d['url']))} .\n")
        if d.get("venue"):
            lines.append(f"{s} {_i(PRISM + 'publicationName')} {_lit(str(d['venue']))} .\n")
        lines += [f"{s} {_SC('keywords')} {_lit(k)} .\n" for k in dict.fromkeys(_str_list(d.get("keywords")))]
        for key, local in (("n_authors", "authorCount"), ("upvotes", "upvotes")):
            if _present(d.get(key)):
                lines.append(f"{s} {_KG(local)} {_int(d[key])} .\n")
        if d.get("organisation"):
            lines.append(f"{s} {_KG('organisation')} {_lit(str(d['organisation']))} .\n")
        lines += [f"{s} {_KG('mergedId')} {_lit(m)} .\n" for m in dict.fromkeys(_str_list(d.get("merged_ids")))]
        return lines

    def _annotations(self, lines: list[str], paper: str, pid: str, eid: str, data: dict) -> None:
        """One W3C Web Annotation per place in the text (a place named twice is one annotation)."""
        entity, integer, oa, field_p, seen = self.entity_node[eid], self.integer, self.oa, self.field_p, set()
        for m in _mentions(data.get("mentions")):
            field, start, end = str(m["field"]), int(m["start"]), int(m["end"])
            if (field, start, end) in seen:
                continue
            seen.add((field, start, end))
            self.annotations += 1
            ann = annotation_iri(self.base, pid, eid, field, start, end)
            a, target, pos, quo = _i(ann), _i(ann + "-target"), _i(ann + "-position"), _i(ann + "-quote")
            lines += [
                f"{a} {A} {oa['Annotation']} .\n",
                f"{a} {oa['motivatedBy']} {oa['identifying']} .\n",
                f"{a} {oa['hasBody']} {entity} .\n",
                f"{a} {oa['hasTarget']} {target} .\n",
                f"{target} {oa['hasSource']} {paper} .\n",
                f"{target} {oa['hasSelector']} {pos} .\n",
                f"{target} {oa['hasSelector']} {quo} .\n",
                f"{pos} {A} {oa['TextPositionSelector']} .\n",
                f'{pos} {oa["start"]} "{start}"^^<{integer}> .\n',
                f'{pos} {oa["end"]} "{end}"^^<{integer}> .\n',
                f"{pos} {field_p} {_lit(field)} .\n",
                f"{quo} {A} {oa['TextQuoteSelector']} .\n",
                f"{quo} {oa['exact']} {_lit(str(m.get('text', '')))} .\n",
            ]


def _entity_blocks(graph: nx.Graph, base: str, entity_node: dict[str, str]) -> Iterator[list[str]]:
    """The concept scheme, then each entity: classes, labels, aliases, counts, dates."""
    scheme = _i(base + "entities")
    yield [f"{scheme} {A} {_SK('ConceptScheme')} .\n",
           f"{scheme} {_DC('title')} {_lit('Entities of the kg knowledge graph')} .\n"]
    concept, kg_entity, in_scheme = _SK("Concept"), _KG("Entity"), _SK("inScheme")
    pref, alt, acronym = _SK("prefLabel"), _SK("altLabel"), _KG("acronym")
    for eid, s in entity_node.items():
        d = graph.nodes[eid]
        name = str(d.get("name", eid))
        etype = str(d.get("type", ""))
        lines = [f"{s} {A} {concept} .\n", f"{s} {A} {kg_entity} .\n"]
        if etype in ENTITY_CLASSES:
            lines.append(f"{s} {A} {_KG(etype)} .\n")
        if etype == "Dataset":
            lines.append(f"{s} {A} {_SC('Dataset')} .\n")
        lines += [f"{s} {in_scheme} {scheme} .\n", f"{s} {_DC('identifier')} {_lit(eid)} .\n",
                  f"{s} {pref} {_lit(name)} .\n"]
        reasons = _dict(d.get("alias_reasons"))
        aliases = [alias for alias in dict.fromkeys(_str_list(d.get("aliases"))) if alias != name]
        lines += [f"{s} {alt} {_lit(alias)} .\n" for alias in aliases]
        lines += [f"{s} {acronym} {_lit(alias)} .\n" for alias in aliases if reasons.get(alias) == "acronym"]
        if _present(d.get("papers")):
            lines.append(f"{s} {_KG('paperCount')} {_int(d['papers'])} .\n")
        for key, local in (("first_seen", "firstSeen"), ("last_seen", "lastSeen")):
            if d.get(key):
                lines.append(f"{s} {_KG(local)} {date_literal(d[key])} .\n")
        yield lines


def _cooccurrence_blocks(graph: nx.Graph, base: str, entity_node: dict[str, str]) -> Iterator[list[str]]:
    """One ``kg:CoOccurrence`` node per pair, in the graph's (sorted) edge order, then ``kg:cooccursWith``
    from each of its entities to the other.

    Only the papers in common are written, not the scores: association strength and NPMI
    depend on the number of papers in the corpus and Jaccard on each entity's paper count,
    so storing them would change most of these nodes whenever a paper is added (a quarter of
    the dump at 100k papers).  They follow from the counts in the dump (see ``queries/cooccurring.rq``).
    """
    cooc, kg_entity_p, with_p = _KG("CoOccurrence"), _KG("entity"), _KG("cooccursWith")
    for u, v, d in graph.edges(data=True):
        if d.get("kind") != "cooccurs" or u not in entity_node or v not in entity_node or u == v:
            continue
        co = _i(cooccurrence_iri(base, u, v))
        a, b = sorted((entity_node[u], entity_node[v]))
        lines = [f"{co} {A} {cooc} .\n", f"{co} {kg_entity_p} {a} .\n", f"{co} {kg_entity_p} {b} .\n"]
        if _present(d.get("papers")):
            lines.append(f"{co} {_KG('papersInCommon')} {_int(d['papers'])} .\n")
        lines += [f"{a} {with_p} {b} .\n", f"{b} {with_p} {a} .\n"]
        yield lines
