"""Shared by the SPARQL tests: the hand-made papers of tests/export/test_rdf.py, exported as RDF."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from kg.export.rdf import write_rdf
from kg.graph.build import build_graph


def _rdf_test_data():
    """tests/export/test_rdf.py loaded by path (works in any pytest import mode)."""
    path = Path(__file__).resolve().parents[1] / "export" / "test_rdf.py"
    spec = importlib.util.spec_from_file_location("_kg_test_rdf_data", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_data = _rdf_test_data()
RUN_INFO, papers = _data.RUN_INFO, _data.papers


def write_test_rdf(folder: Path) -> Path:
    """``folder`` with the RDF export (files and SPARQL store) of the hand-made papers."""
    write_rdf(build_graph(papers(), min_cooccur=1), folder, run_info=RUN_INFO)
    return folder
