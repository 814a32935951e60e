"""The PyTorch DINOv2 against onnxruntime: the pytools fixtures and the backbone ONNX graph."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from safetensors.numpy import load_file

from affordtools.dinov2 import load_dinov2
from train_support import fixtures_dir, models_dir, require

REL_TOL = 1e-3


def rel_err(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a - b).max() / np.abs(b).max())


@pytest.fixture(scope="module")
def model():
    return load_dinov2(require(models_dir() / "dinov2_vits14.fp32.safetensors", "run `make models`"))


@pytest.mark.parametrize("name", ["coffee", "astronaut", "chelsea", "coffee_280x210"])
def test_tokens_match_onnxruntime_fixture(model, name):
    fx = load_file(str(require(fixtures_dir() / f"backbone_{name}.safetensors", "run `make fixtures`")))
    with torch.no_grad():
        tokens = model(torch.from_numpy(fx["input"])).tokens[0].numpy()
    assert tokens.shape == fx["tokens"].shape
    assert rel_err(tokens, fx["tokens"]) < REL_TOL


def test_preprocessing_matches_the_fixture_input(model):
    """load_rgb + normalize reproduce the reference's resize (bilinear, half-pixel, no antialias)."""
    import tempfile

    from PIL import Image

    from affordtools.features import load_rgb

    fx = load_file(str(require(fixtures_dir() / "backbone_coffee.safetensors", "run `make fixtures`")))
    side = fx["input"].shape[-1]
    with tempfile.TemporaryDirectory() as d:
        path = f"{d}/coffee.png"
        Image.fromarray(fx["rgb"]).save(path)
        x = model.normalize(load_rgb(path, side)).numpy()
    np.testing.assert_allclose(x, fx["input"], atol=1e-4)


@pytest.mark.parametrize("side", [224, 280])
def test_tokens_match_backbone_onnx_at_other_sizes(model, side):
    ort = pytest.importorskip("onnxruntime")
    path = require(models_dir() / "dinov2_vits14_backbone.onnx", "run `make models`")
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    x = np.random.default_rng(side).standard_normal((1, 3, side, side)).astype(np.float32)
    try:
        (ref,) = sess.run(None, {sess.get_inputs()[0].name: x})
    except Exception as e:  # a graph exported with a fixed input size
        if side == 224:
            raise
        pytest.skip(f"backbone ONNX takes only 224x224: {e}")
    with torch.no_grad():
        out = model(torch.from_numpy(x))
    ref = ref.reshape(out.tokens.shape)
    assert rel_err(out.tokens.numpy(), ref) < REL_TOL


def test_rejects_sizes_that_are_not_multiples_of_14(model):
    with pytest.raises(ValueError, match="multiple of 14"):
        model(torch.zeros(1, 3, 100, 100))


@pytest.mark.parametrize("grid", [16, 20, 40])
def test_position_embedding_resize_matches_onnx_cubic_resize(model, grid):
    """The exported graph resizes position embeddings with ONNX Resize(cubic, a=-0.75, half_pixel)."""
    ort = pytest.importorskip("onnxruntime")
    from onnx import TensorProto, helper

    g = model.cfg.pos_grid
    node = helper.make_node("Resize", ["x", "", "", "sizes"], ["y"], mode="cubic", cubic_coeff_a=-0.75,
                            coordinate_transformation_mode="half_pixel")
    graph = helper.make_graph(
        [node], "resize", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 384, g, g]),
                           helper.make_tensor_value_info("sizes", TensorProto.INT64, [4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
    sess = ort.InferenceSession(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)], ir_version=8)
                                .SerializeToString(), providers=["CPUExecutionProvider"])
    pe = model.position_embeddings.detach()
    grid_in = pe[:, 1:].reshape(1, g, g, -1).permute(0, 3, 1, 2).numpy()
    (ref,) = sess.run(None, {"x": np.ascontiguousarray(grid_in), "sizes": np.array([1, 384, grid, grid])})
    ours = model.position_embedding(grid, grid)[0, 1:].T.reshape(384, grid, grid).numpy()
    assert rel_err(ours, ref[0]) < 1e-5
