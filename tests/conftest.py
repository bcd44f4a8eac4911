"""Shared fixtures: one loaded English pipeline and one build of the sample corpus per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def nlp():
    """The statistical pipeline with kg's components (loaded once: it takes seconds)."""
    from kg.extract.pipeline import load_pipeline

    return load_pipeline()


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory) -> Path:
    """``kg build --sample`` into a fresh folder, through the real CLI entry point."""
    from click.testing import CliRunner

    from kg.cli import main

    out = tmp_path_factory.mktemp("sample") / "output"
    result = CliRunner().invoke(main, ["build", "--sample", "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def write(tmp_path):
    """Write a text file under tmp_path and return its path."""

    def _write(name: str, text: str | bytes) -> Path:
        path = tmp_path / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    return _write


def pytest_configure(config):
    os.environ.setdefault("TQDM_DISABLE", "1")
