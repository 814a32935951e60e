"""Head export: BN folding, int8 quantization and metadata, checked against the PyTorch head."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from safetensors import safe_open

from affordtools.export import export_head, head_forward_numpy, load_head_file, presence_numpy, write_roundtrip
from affordtools.head import LocateHead


def trained_like_head(seed: int = 1, presence: bool = False) -> LocateHead:
    torch.manual_seed(seed)
    head = LocateHead(["hold", "cut"], 384, 32, presence=presence)
    head.train()
    with torch.no_grad():  # a few batches give BN real running statistics
        for _ in range(5):
            head(torch.randn(4, 256, 384) * 3 + 0.5)
    return head.eval()


def test_folded_f32_file_reproduces_pytorch_maps(tmp_path):
    head = trained_like_head()
    export_head(head, tmp_path / "h.safetensors", input_size=224, backbone_sha256="abc",
                recipe={"mode": "weak"}, model_id="t")
    tensors, meta = load_head_file(tmp_path / "h.safetensors")
    tokens = torch.randn(1, 256, 384)
    with torch.no_grad():
        want = head(tokens)[0].numpy()
    got = head_forward_numpy(tensors, tokens[0].numpy())
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
    assert json.loads(meta["actions"]) == ["hold", "cut"]
    assert (meta["embed_dim"], meta["hidden_dim"], meta["input_size"]) == ("384", "32", "224")
    assert meta["format"] == "affordd-head" and meta["backbone_sha256"] == "abc"
    assert json.loads(meta["recipe"])["mode"] == "weak"


def test_int8_file_stores_scales_and_stays_close(tmp_path):
    head = trained_like_head()
    export_head(head, tmp_path / "q.safetensors", input_size=224, backbone_sha256="abc",
                recipe={}, model_id="q", int8=True)
    with safe_open(str(tmp_path / "q.safetensors"), "numpy") as f:
        assert f.get_tensor("conv1.weight").dtype == np.int8
        assert f.get_tensor("conv1.weight_scale").shape == (32,)
        assert np.abs(f.get_tensor("conv1.weight")).max() <= 127
        assert f.get_tensor("conv1.bias").dtype == np.float32
    tensors, _ = load_head_file(tmp_path / "q.safetensors")
    tokens = torch.randn(1, 256, 384)
    with torch.no_grad():
        want = head(tokens)[0].numpy()
    got = head_forward_numpy(tensors, tokens[0].numpy())
    assert np.abs(got - want).max() < 0.02 * np.abs(want).max()


def test_presence_layer_is_exported_in_fp32_and_reproduces_pytorch(tmp_path):
    head = trained_like_head(presence=True)
    export_head(head, tmp_path / "p.safetensors", input_size=224, backbone_sha256="abc",
                recipe={}, model_id="p", int8=True)
    with safe_open(str(tmp_path / "p.safetensors"), "numpy") as f:
        assert f.metadata()["presence"] == "max_pooled_linear"
        assert f.get_tensor("presence.weight").dtype == np.float32
        assert f.get_tensor("presence.weight").shape == (2, 32)
    tensors, _ = load_head_file(tmp_path / "p.safetensors")
    tokens = torch.randn(1, 256, 384)
    with torch.no_grad():
        want = torch.sigmoid(head.forward_with_presence(tokens)[1])[0].numpy()
    np.testing.assert_allclose(presence_numpy(tensors, tokens[0].numpy()), want, atol=0.02)

    export_head(trained_like_head(), tmp_path / "plain.safetensors", input_size=224, backbone_sha256="abc",
                recipe={}, model_id="plain")
    with safe_open(str(tmp_path / "plain.safetensors"), "numpy") as f:
        assert "presence" not in f.metadata() and "presence.weight" not in f.keys()


def test_presence_scores_rank_and_threshold():
    from affordtools.presence import presence_scores
    in_view = np.array([[True, False], [False, False], [True, True], [False, True]])
    scores = np.array([[0.9, 0.2], [0.1, 0.6], [0.8, 0.7], [0.4, 0.1]], np.float32)
    result = presence_scores(scores, in_view, ["hold", "cut"])
    assert result["auc"]["hold"] == 1.0  # both in-view images outrank both others
    assert result["auc"]["cut"] == 0.5   # 0.7 beats both negatives, 0.1 beats neither
    assert result["accuracy"] == 6 / 8 and result["in_view_rate"] == 0.5  # cut misses images 2 and 4
    assert result["mean_auc"] == 0.75


def test_rejects_a_file_of_another_kind(tmp_path):
    from safetensors.numpy import save_file

    save_file({"x": np.zeros(1, np.float32)}, str(tmp_path / "b.safetensors"), metadata={"format": "affordd-backbone"})
    with pytest.raises(ValueError, match="affordd-head"):
        load_head_file(tmp_path / "b.safetensors")


def test_roundtrip_fixture_is_self_consistent(tmp_path):
    from safetensors.numpy import load_file

    path = write_roundtrip(tmp_path)
    fx = load_file(str(path))
    tensors, _ = load_head_file(tmp_path / "roundtrip.f32.head.safetensors")
    np.testing.assert_allclose(head_forward_numpy(tensors, fx["tokens"]), fx["maps_f32"], rtol=1e-4, atol=1e-4)
    assert fx["maps_i8"].shape == fx["maps_f32"].shape == (3, 16, 16)
