"""Preprocessing against OpenCV, and the backbone fixtures (onnxruntime on the original graph)
against an independent numpy forward pass over the converted fp32 weights."""

from __future__ import annotations

import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest
from safetensors.numpy import load_file
from skimage import data

from affordtools import backbone, dinov2_reference
from affordtools.fixtures.backbone import CASES, write_backbone_fixtures
from affordtools.preprocess import preprocess, resize_bilinear


@pytest.mark.parametrize("size", [(224, 224), (210, 280), (700, 500), (3, 5)])
def test_resize_is_opencv_inter_linear_without_antialias(size):
    height, width = size
    image = data.chelsea()  # 300 x 451: shrinks, grows and changes aspect across the cases
    ours = resize_bilinear(image.transpose(2, 0, 1).astype(np.float32), height, width)
    theirs = cv2.resize(image.astype(np.float32), (width, height), interpolation=cv2.INTER_LINEAR)
    np.testing.assert_allclose(ours, theirs.transpose(2, 0, 1), atol=1e-3)


def test_preprocess_normalises_with_imagenet_statistics():
    flat = np.full((30, 40, 3), 255, np.uint8)
    expected = (1 - np.array([0.485, 0.456, 0.406])) / np.array([0.229, 0.224, 0.225])
    result = preprocess(flat, 28, 42)
    assert result.shape == (1, 3, 28, 42) and result.dtype == np.float32
    np.testing.assert_allclose(result[0, :, 5, 7], expected, rtol=1e-6)
    with pytest.raises(ValueError):
        preprocess(flat.astype(np.float32))


@pytest.fixture(scope="module")
def fp32(models_dir: Path) -> dict[str, np.ndarray]:
    return {k: v.astype(np.float64) for k, v in load_file(models_dir / backbone.FP32_FILE).items()}


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.filename)
def test_fixture_holds_the_image_its_exact_input_and_reference_tokens(fixtures_dir, fp32, case):
    fixture = load_file(fixtures_dir / case.filename)
    rgb = getattr(data, case.image)()
    np.testing.assert_array_equal(fixture["rgb"], rgb)
    np.testing.assert_array_equal(fixture["input"], preprocess(rgb, case.height, case.width))
    tokens = 1 + (case.height // 14) * (case.width // 14)
    assert fixture["tokens"].shape == fixture["pos_embed"].shape == (tokens, 384)
    pos = dinov2_reference.interpolate_position_embeddings(
        fp32["embeddings.position_embeddings"], case.height // 14, case.width // 14)
    np.testing.assert_allclose(fixture["pos_embed"], pos, atol=1e-5)
    if case.image == "coffee":  # the numpy forward is slow: one square and one non-square image
        ours = dinov2_reference.forward(fp32, fixture["input"].astype(np.float64))
        assert np.abs(ours - fixture["tokens"]).max() <= 1e-4 * np.abs(fixture["tokens"]).max()


def test_fixtures_are_rewritten_only_when_missing(models_dir, fixtures_dir, tmp_path):
    for case in CASES:
        shutil.copyfile(fixtures_dir / case.filename, tmp_path / case.filename)
    assert write_backbone_fixtures(models_dir, tmp_path) == []
    (tmp_path / CASES[0].filename).unlink()
    assert write_backbone_fixtures(models_dir, tmp_path) == [tmp_path / CASES[0].filename]
    rebuilt, original = load_file(tmp_path / CASES[0].filename), load_file(fixtures_dir / CASES[0].filename)
    np.testing.assert_array_equal(rebuilt["input"], original["input"])
    np.testing.assert_allclose(rebuilt["tokens"], original["tokens"], atol=1e-5)
