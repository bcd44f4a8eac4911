"""The SPARQL store: updated from the previous build's store, it holds exactly what a fresh load would."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.export.rdf.blocks import BlockWriter, ntriples_id, save_record
from kg.export.rdf import store as store_module
from kg.export.rdf.store import SOURCE_FILE, load_store


def _line(i: int) -> str:
    return f'<https://example.org/s{i % 17}> <https://example.org/p{i % 5}> "value {i}" .\n'


def _write(folder: Path, lines, *, block_size: int = 1) -> Path:
    """``graph.nt`` of ``lines`` with the record of its blocks, ``block_size`` lines each, as a build writes them."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "graph.nt", "wb") as handle:
        writer = BlockWriter(handle, digests=True)
        for i in range(0, len(lines), block_size):
            writer.block("".join(lines[i:i + block_size]).encode("utf-8"))
    blocks = writer.blocks()
    save_record(folder, "graph.nt", blocks, ntriples=ntriples_id(blocks), lines=len(lines))
    return folder


def _triples(folder: Path) -> set[str]:
    store = ox.Store.read_only(str(folder / "store"))
    try:
        return {str(q.triple) for q in store}
    finally:
        del store


def _parsed(lines) -> set[str]:
    return {str(q.triple) for q in ox.parse("".join(lines), format=ox.RdfFormat.N_TRIPLES)}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(old=st.sets(st.integers(0, 400), min_size=80, max_size=160),
       dropped=st.integers(0, 8), added=st.sets(st.integers(401, 800), max_size=8))
def test_an_updated_store_holds_exactly_the_new_triples(tmp_path_factory, old, dropped, added):
    root = tmp_path_factory.mktemp("store")
    old_lines = [_line(i) for i in sorted(old)]
    new_lines = old_lines[dropped:] + [_line(i) for i in sorted(added)]
    assert load_store(_write(root / "old", old_lines))["store"] == "loaded"
    result = load_store(_write(root / "new", new_lines), previous=root / "old")
    assert result["store"] == "updated"  # at most 16 changes to 72 lines or more: under the 25% bar
    assert (result["added"], result["removed"]) == (len(added), dropped)
    assert _triples(root / "new") == _parsed(new_lines)
    assert _triples(root / "old") == _parsed(old_lines)  # the previous outputs are left as they were


def test_a_large_change_is_loaded_afresh(tmp_path):
    load_store(_write(tmp_path / "old", [_line(i) for i in range(100)]))
    new_lines = [_line(i) for i in range(50, 150)]  # half the lines changed
    assert load_store(_write(tmp_path / "new", new_lines), previous=tmp_path / "old")["store"] == "loaded"
    assert _triples(tmp_path / "new") == _parsed(new_lines)


def test_an_old_file_changed_where_the_update_reads_it_is_not_a_base(tmp_path):
    load_store(_write(tmp_path / "old", [_line(i) for i in range(100)]))
    # graph.nt edited after the store was made, in the block the update must read to remove its lines
    text = (tmp_path / "old" / "graph.nt").read_text(encoding="utf-8")
    (tmp_path / "old" / "graph.nt").write_text(text.replace('"value 5"', '"value X"'), encoding="utf-8")
    new_lines = [_line(i) for i in range(100) if i != 5]
    assert load_store(_write(tmp_path / "new", new_lines), previous=tmp_path / "old")["store"] == "loaded"
    assert _triples(tmp_path / "new") == _parsed(new_lines)


def test_an_old_file_changed_where_the_update_does_not_read_it_is_still_a_base(tmp_path):
    load_store(_write(tmp_path / "old", [_line(i) for i in range(100)]))
    text = (tmp_path / "old" / "graph.nt").read_text(encoding="utf-8")
    (tmp_path / "old" / "graph.nt").write_text(text.replace('"value 5"', '"value X"'), encoding="utf-8")
    new_lines = [_line(i) for i in range(101)]  # the store holds the old triples; the new file adds one
    assert load_store(_write(tmp_path / "new", new_lines), previous=tmp_path / "old")["store"] == "updated"
    assert _triples(tmp_path / "new") == _parsed(new_lines)


def test_a_store_without_its_source_record_is_not_a_base(tmp_path):
    load_store(_write(tmp_path / "old", [_line(i) for i in range(100)]))
    (tmp_path / "old" / "store" / SOURCE_FILE).unlink()
    assert load_store(_write(tmp_path / "new", [_line(i) for i in range(101)]),
                      previous=tmp_path / "old")["store"] == "loaded"


def test_only_the_changed_lines_of_a_changed_block_are_applied(tmp_path):
    lines = [_line(i) for i in range(120)]
    load_store(_write(tmp_path / "old", lines, block_size=6))
    new_lines = lines[:7] + [_line(700)] + lines[8:]  # the second block: one line of six replaced
    result = load_store(_write(tmp_path / "new", new_lines, block_size=6), previous=tmp_path / "old")
    assert (result["store"], result["added"], result["removed"]) == ("updated", 1, 1)
    assert _triples(tmp_path / "new") == _parsed(new_lines)


def test_outputs_without_a_record_of_their_blocks_are_not_a_base(tmp_path):
    load_store(_write(tmp_path / "old", [_line(i) for i in range(100)]))
    (tmp_path / "old" / ".blocks" / "graph.nt.npz").unlink()
    new_lines = [_line(i) for i in range(101)]
    assert load_store(_write(tmp_path / "new", new_lines), previous=tmp_path / "old")["store"] == "loaded"
    assert _triples(tmp_path / "new") == _parsed(new_lines)


def test_an_updated_store_can_itself_be_updated(tmp_path):
    lines = [_line(i) for i in range(100)]
    load_store(_write(tmp_path / "a", lines))
    assert load_store(_write(tmp_path / "b", lines + [_line(500)]), previous=tmp_path / "a")["store"] == "updated"
    shutil.rmtree(tmp_path / "a")
    result = load_store(_write(tmp_path / "c", lines[1:] + [_line(500)]), previous=tmp_path / "b")
    assert (result["store"], result["added"], result["removed"]) == ("updated", 0, 1)
    assert _triples(tmp_path / "c") == _parsed(lines[1:] + [_line(500)])


@pytest.mark.parametrize("max_bytes, chunk_lines", [(1 << 30, 1_000_000), (0, 7)])
def test_a_fresh_store_holds_the_file_whichever_loader_reads_it(tmp_path, monkeypatch, max_bytes, chunk_lines):
    """The parallel loader (a path) and the loads of a few lines at a time give the same store."""
    monkeypatch.setattr(store_module, "PARALLEL_LOAD_MAX_BYTES", max_bytes)
    monkeypatch.setattr(store_module, "STORE_CHUNK_LINES", chunk_lines)
    escaped = '<https://example.org/s> <https://example.org/q> "tab\\t \\"quote\\" \\u00e9" .\n'
    lines = [_line(i) for i in range(60)] + [escaped]
    folder = _write(tmp_path / "out", lines)
    store_module.build_store(folder / "store", folder / "graph.nt")
    assert _triples(folder) == _parsed(lines)
