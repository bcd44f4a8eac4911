"""The benchmark's verdicts: a target missed is reported, and a speed-up known only as a lower bound is not called met."""

from __future__ import annotations

import os
import subprocess

import pytest

from benchmarks.bench import check, table, warm_up


def _result(*, sparql: dict, export_share: float = 0.12, incremental: float = 0.08, papers: int = 10_000) -> dict:
    return {
        "papers": papers,
        "bare_spacy": {"papers_per_s": 38.0},
        "kg_build": {"papers_per_s": 70.0, "peak_pss_mb": 1400.0},
        "ratio_build_to_spacy": 0.55,
        "export_share": export_share,
        "incremental": {"ratio_to_cold": incremental},
        "sparql": sparql,
        "components": None,
    }


def _sparql(speedup: float, timed_out: bool) -> dict:
    return {"speedup": speedup, "rdflib_timed_out": timed_out, "rdflib_query_s": 60.0, "kg_query_s": 24.4}


def test_all_targets_met_reports_nothing():
    assert check([_result(sparql=_sparql(54.0, True))]) == []


def test_a_lower_bound_under_the_target_is_not_determined_rather_than_met():
    missed = check([_result(sparql=_sparql(2.5, True))])
    assert missed == ["10000: SPARQL speed-up not determined: rdflib stopped at 60.0 s, kg took 24.4 s (≥ 2.5×)"]
    assert "≥ 2" in table([_result(sparql=_sparql(2.5, True))])


def test_measured_misses_are_reported():
    missed = check([_result(sparql=_sparql(4.0, False), export_share=0.164, incremental=0.158)])
    assert missed == ["10000: export share 0.164 > 0.15", "10000: incremental 0.158 > 0.10",
                      "10000: SPARQL speed-up 4.0 < 10"]


def test_components_dearer_than_half_the_english_pipeline_are_reported():
    result = _result(sparql=_sparql(54.0, True))
    result["components"] = {"share": 0.512}
    assert check([result]) == ["10000: kg's components cost 0.512 of the English pipeline > 0.5"]
    assert "0.51" in table([result])
    result["components"] = {"share": 0.39}
    assert check([result]) == []


def test_the_export_share_target_is_set_at_10k_papers_only():
    """The target is set at 10k papers; larger builds report their share without a verdict."""
    small = _result(sparql=_sparql(54.0, True), papers=10_000)
    large = _result(sparql=None, export_share=0.164, incremental=0.08, papers=100_000)
    large["incremental"] = None
    assert check([small, large]) == []
    assert check([_result(sparql=None, export_share=0.164, papers=10_000)]) == ["10000: export share 0.164 > 0.15"]


def test_warm_up_runs_the_imports_and_fails_loudly(monkeypatch):
    """The warm-up must load what a build loads; a warm-up that silently failed would leave the cache cold."""
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    assert warm_up(env) > 0
    monkeypatch.setattr("benchmarks.bench._WARM_UP", "import kg_no_such_module")
    with pytest.raises(subprocess.CalledProcessError):
        warm_up(env)
