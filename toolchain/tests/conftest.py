"""Shared fixtures: the generated model and fixture folders (made by `make models fixtures`)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _folder(env: str, default: str) -> Path:
    return Path(os.environ.get(env) or REPO / default)


@pytest.fixture(scope="session")
def models_dir() -> Path:
    folder = _folder("AFFORDD_MODELS", "models")
    if not (folder / "dinov2_vits14.int8.safetensors").exists():
        pytest.skip(f"no converted backbone in {folder}: run `make models` first")
    return folder


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    folder = _folder("AFFORDD_FIXTURES", "fixtures")
    if not any(folder.glob("backbone_*.safetensors")):
        pytest.skip(f"no backbone fixtures in {folder}: run `make fixtures` first")
    return folder
