"""The cycle collector is paused for a block only, and comes back whatever happens in it."""

from __future__ import annotations

import gc

import pytest

from kg.gc_pause import cycle_collection_paused


def test_the_collector_is_off_in_the_block_and_on_again_after_an_error():
    assert gc.isenabled()
    with pytest.raises(KeyError):
        with cycle_collection_paused():
            assert not gc.isenabled()
            raise KeyError("boom")
    assert gc.isenabled()


def test_a_collector_the_caller_turned_off_stays_off():
    gc.disable()
    try:
        with cycle_collection_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
