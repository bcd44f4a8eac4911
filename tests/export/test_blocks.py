"""A rebuild copies the Turtle and JSON-LD of unchanged blocks: the dumps are the very bytes of a fresh build."""

from __future__ import annotations

import filecmp
import shutil
from pathlib import Path

import numpy as np
import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.export.rdf import DEFAULT_BASE_IRI, KG, entity_iri, write_rdf
from kg.export.rdf import blocks as blocks_module
from kg.export.rdf.blocks import BLOCKS, load_record, match_digests
from kg.export.steps import ExportSteps
from kg.graph.build import build_graph
from kg.records import Entity, ExtractedPaper, Mention, Paper

from .test_rdf import RUN_INFO, papers, random_papers

DUMPS = ("graph.nt", "graph.ttl", "graph.jsonld")


def _write(items, folder: Path, previous: Path | None = None) -> dict:
    """``write_rdf`` as a build calls it; the results of its export steps."""
    with ExportSteps(jobs=1) as steps:
        write_rdf(build_graph(items, min_cooccur=1), folder, run_info=RUN_INFO, steps=steps, previous=previous)
        return steps.wait()


def _same_dumps(a: Path, b: Path) -> bool:
    """The same bytes, and the same record of where each block lies (the next rebuild copies by it)."""
    for name in DUMPS:
        if not filecmp.cmp(a / name, b / name, shallow=False):
            return False
        (blocks_a, _), (blocks_b, _) = load_record(a, name), load_record(b, name)
        if not (np.array_equal(blocks_a.starts, blocks_b.starts) and np.array_equal(blocks_a.ends, blocks_b.ends)):
            return False
    return True


def _store_triples(folder: Path) -> list[str]:
    store = ox.Store.read_only(str(folder / "store"))
    try:
        return sorted(str(q.triple) for q in store)
    finally:
        del store


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(before=random_papers(), after=random_papers(), kept=st.integers(0, 4))
def test_a_rebuild_writes_the_bytes_of_a_fresh_build(tmp_path_factory, before, after, kept):
    root = tmp_path_factory.mktemp("blocks")
    ids = {item.paper.id for item in after}
    after = after + [item for item in before[:kept] if item.paper.id not in ids]  # some papers stay
    _write(before, root / "old")
    _write(after, root / "rebuilt", previous=root / "old")
    _write(after, root / "fresh")
    assert _same_dumps(root / "rebuilt", root / "fresh")
    nt = sorted(str(q.triple) for q in ox.parse(path=str(root / "fresh" / "graph.nt"),
                                                 format=ox.RdfFormat.N_TRIPLES))
    assert _store_triples(root / "rebuilt") == nt


@pytest.mark.parametrize("run_bytes", [1, 200, 5_000])
def test_pieces_of_any_size_give_the_bytes_of_a_fresh_build(tmp_path, monkeypatch, run_bytes):
    """Copies, conversions and reads cut at ``RUN_BYTES`` and ``READ_BYTES`` (megabytes in a build, more than a
    test's whole dump) join up."""
    monkeypatch.setattr(blocks_module, "RUN_BYTES", run_bytes)
    monkeypatch.setattr(blocks_module, "READ_BYTES", run_bytes)
    before, after = papers()[:2], papers()
    _write(before, tmp_path / "old")
    _write(after, tmp_path / "rebuilt", previous=tmp_path / "old")
    again = _write(after, tmp_path / "again", previous=tmp_path / "rebuilt")
    _write(after, tmp_path / "fresh")
    assert _same_dumps(tmp_path / "rebuilt", tmp_path / "fresh")
    assert _same_dumps(tmp_path / "again", tmp_path / "fresh")
    n_blocks = len(load_record(tmp_path / "fresh", "graph.nt")[0])
    assert again["turtle+jsonld"]["copied_blocks"] == {"graph.ttl": n_blocks, "graph.jsonld": n_blocks}


def test_digests_that_share_their_first_bytes_are_still_told_apart():
    """The search is on 8 bytes of 16: blocks whose digests differ only after them each find their own."""
    digests = np.zeros((4, 16), dtype=np.uint8)
    digests[:, 15] = [4, 3, 2, 1]  # one head for all four
    digests[3, 0] = 9  # and one of its own
    assert match_digests(digests[[3, 0, 1]], digests).tolist() == [1, 2, -1, 0]
    assert match_digests(digests[:0], digests).tolist() == [-1] * 4


def test_unchanged_blocks_are_copied(tmp_path):
    _write(papers()[:2], tmp_path / "old")
    results = _write(papers(), tmp_path / "new", previous=tmp_path / "old")
    copied = results["turtle+jsonld"]["copied_blocks"]
    # the first paper's block and the concept scheme's are the same; nothing else can be copied
    assert copied["graph.ttl"] == copied["graph.jsonld"] >= 2
    _write(papers(), tmp_path / "fresh")
    assert _same_dumps(tmp_path / "new", tmp_path / "fresh")
    assert results["store"]["store"] == "updated"


def test_a_new_paper_leaves_the_pairs_it_does_not_mention_as_they_were(tmp_path):
    """The dump holds counts, not scores that change with N: other pairs' blocks are copied as they were."""
    new = ExtractedPaper(Paper("arxiv:2402.00002", "BLEU for translation", "", year=2024),
                         [Entity("metric:bleu", "BLEU", "Metric", mentions=[Mention("title", 0, 4, "BLEU")]),
                          Entity("task:translation", "translation", "Task",
                                 mentions=[Mention("title", 9, 20, "translation")])])
    _write(papers(), tmp_path / "old")
    _write(papers() + [new], tmp_path / "new", previous=tmp_path / "old")
    old, added = (set((tmp_path / name / "graph.nt").read_text(encoding="utf-8").splitlines())
                  for name in ("old", "new"))
    cooccurrence = "/cooccurrence/"
    assert [line for line in old - added if cooccurrence in line.split(" ", 1)[0]] == []
    assert [line for line in added - old if cooccurrence in line.split(" ", 1)[0]]  # the new pair


def test_a_dump_edited_since_its_record_is_not_copied_from(tmp_path):
    _write(papers(), tmp_path / "old")
    with open(tmp_path / "old" / "graph.ttl", "ab") as handle:
        handle.write(b"# edited\n")
    results = _write(papers(), tmp_path / "new", previous=tmp_path / "old")
    assert results["turtle+jsonld"]["copied_blocks"] == {"graph.ttl": 0, "graph.jsonld": len(
        load_record(tmp_path / "new", "graph.nt")[0])}
    _write(papers(), tmp_path / "fresh")
    assert _same_dumps(tmp_path / "new", tmp_path / "fresh")


def test_outputs_without_records_are_written_in_full(tmp_path):
    _write(papers(), tmp_path / "old")
    shutil.rmtree(tmp_path / "old" / BLOCKS)
    results = _write(papers(), tmp_path / "new", previous=tmp_path / "old")
    assert results["turtle+jsonld"]["copied_blocks"] == {"graph.ttl": 0, "graph.jsonld": 0}
    assert results["store"]["store"] == "loaded"
    _write(papers(), tmp_path / "fresh")
    assert _same_dumps(tmp_path / "new", tmp_path / "fresh")


def _hub(n_others: int) -> list[ExtractedPaper]:
    """One entity named with each of ``n_others`` others, a paper each: a frequent entity's many links."""
    hub = Entity("model:transformer", "Transformer", "Model", mentions=[Mention("title", 0, 11, "Transformer")])
    return [ExtractedPaper(Paper(f"arxiv:2401.{k:05d}", f"Transformer and m{k}", "", year=2024),
                           [hub, Entity(f"method:m{k}", f"m{k}", "Method", mentions=[Mention("title", 16, 18, "mk")])])
            for k in range(n_others)]


def test_a_new_pair_changes_a_frequent_entity_s_count_not_its_links(tmp_path):
    """A frequent entity's count changes with every paper; its 300 links stay in their pairs' blocks, copied."""
    _write(_hub(300), tmp_path / "old")
    results = _write(_hub(301), tmp_path / "new", previous=tmp_path / "old")
    _write(_hub(301), tmp_path / "fresh")
    assert _same_dumps(tmp_path / "new", tmp_path / "fresh")

    def blocks_of(folder: Path) -> list[bytes]:
        data = (folder / "graph.nt").read_bytes()
        blocks = load_record(folder, "graph.nt")[0]
        return [data[a:b] for a, b in zip(blocks.starts.tolist(), blocks.ends.tolist())]

    old, new = blocks_of(tmp_path / "old"), blocks_of(tmp_path / "new")
    hub = f"<{entity_iri(DEFAULT_BASE_IRI, 'model:transformer')}> ".encode()
    known = set(old)
    changed = [block for block in new if block not in known]
    # the new paper, its new entity, the new pair (with its two links), the hub's count, the dataset's counts
    assert len(changed) == 5
    hub_block, = [block for block in new if block.startswith(hub)]
    assert hub_block in changed and b'paperCount> "301"' in hub_block and b"cooccursWith" not in hub_block
    assert sum(block.count(hub + b"<" + KG.encode() + b"cooccursWith>") for block in new) == 301
    copied = results["turtle+jsonld"]["copied_blocks"]
    assert copied["graph.ttl"] == copied["graph.jsonld"] == len(new) - len(changed)
