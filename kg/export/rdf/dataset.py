"""What the dump says about itself: the dataset (VoID, DCAT), the run (PROV), and the kg ontology.

No time stamps: the same graph and ``run_info`` give the same triples.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from importlib import resources

import pyoxigraph as ox

from kg import __version__
from kg.export.rdf.iris import _enc, _hash
from kg.export.rdf.terms import _DC, _KG, _PV, _SC, A, _i, _int, _lit, _present
from kg.export.rdf.vocabulary import (BIBO, DCAT, DCTERMS, FABIO, KG, MEDIA_TYPES, OA, PRISM, PROV, RDFS,
                                      SCHEMA, SKOS, VOID)

ONTOLOGY_FILE = "kg.ttl"


def provenance_lines(base: str, run_info: dict) -> Iterator[str]:
    """The dataset (its files and vocabularies; ``rdf_bytes`` adds ``void:triples``) and the run that made it."""
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


def paper_partition_lines(base: str, papers: int) -> list[str]:
    """The number of papers in the dump, as a VoID class partition of the dataset.

    ``void:entities`` of the ``schema:ScholarlyArticle`` partition is the N of the
    co-occurrence scores (association strength, NPMI), which the dump leaves to queries.
    """
    dataset, partition = _i(base + "dataset"), _i(base + "dataset/papers")
    return [f"{dataset} {_i(VOID + 'classPartition')} {partition} .\n",
            f"{partition} {A} {_i(VOID + 'Dataset')} .\n",
            f"{partition} {_i(VOID + 'class')} {_SC('ScholarlyArticle')} .\n",
            f"{partition} {_i(VOID + 'entities')} {_int(papers)} .\n"]


def ontology_lines() -> list[str]:
    """The triples of ``kg/data/kg.ttl`` as N-Triples lines (it has no blank nodes: stable bytes)."""
    data = resources.files("kg").joinpath("data", ONTOLOGY_FILE).read_bytes()
    triples = [q.triple for q in ox.parse(data, format=ox.RdfFormat.TURTLE)]
    if any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in triples):
        raise ValueError(f"{ONTOLOGY_FILE} must not use blank nodes: they would make the dumps non-deterministic")
    text = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
    return [line + "\n" for line in text.split("\n") if line]

