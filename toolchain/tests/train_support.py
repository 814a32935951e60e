"""Paths shared by the training tests: models, fixtures and the Swift binary."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def models_dir() -> Path:
    return Path(os.environ.get("AFFORDD_MODELS", REPO / "models"))


def fixtures_dir() -> Path:
    return Path(os.environ.get("AFFORDD_FIXTURES", REPO / "fixtures"))


def require(path: Path, hint: str) -> Path:
    """Skips the test (with a message) when a generated file is missing."""
    if not path.exists():
        pytest.skip(f"{path} missing: {hint}")
    return path
