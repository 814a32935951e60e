"""A plain numpy DINOv2 forward pass over the safetensors weights.

It is the readable spec of what affordd's engine computes, and the tests use
it to prove the converted weights reproduce onnxruntime on the original graph.
"""

from __future__ import annotations

import numpy as np
from scipy.special import erf

CUBIC_A = -0.75  # PyTorch's bicubic and the exported ONNX Resize (cubic_coeff_a)


def _cubic_taps(source: int, target: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices [target, 4] and weights [target, 4]: half-pixel centres, edge-clamped taps, no antialias."""
    position = (np.arange(target) + 0.5) * (source / target) - 0.5  # not clamped, as in PyTorch
    base = np.floor(position)
    t = position - base
    offsets = np.arange(-1, 3)
    distance = np.abs(t[:, None] - offsets[None, :])
    a = CUBIC_A
    near = ((a + 2) * distance - (a + 3)) * distance * distance + 1
    far = ((a * distance - 5 * a) * distance + 8 * a) * distance - 4 * a
    weights = np.where(distance <= 1, near, far)
    indices = np.clip(base[:, None].astype(int) + offsets[None, :], 0, source - 1)
    return indices, weights


def interpolate_position_embeddings(pos: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """[1, 1 + g*g, D] -> [1 + rows*cols, D]: the g x g grid resized bicubically, CLS row kept."""
    dim = pos.shape[-1]
    grid_side = int(round((pos.shape[1] - 1) ** 0.5))
    grid = pos[0, 1:].reshape(grid_side, grid_side, dim).astype(np.float64)
    ri, rw = _cubic_taps(grid_side, rows)
    ci, cw = _cubic_taps(grid_side, cols)
    along_rows = np.einsum("rk,rkcd->rcd", rw, grid[ri])  # [rows, g, D]
    resized = np.einsum("ck,rckd->rcd", cw, along_rows[:, ci])  # [rows, cols, D]
    return np.concatenate([pos[0, :1], resized.reshape(rows * cols, dim)]).astype(np.float32)


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def _linear(x: np.ndarray, w: dict[str, np.ndarray], name: str) -> np.ndarray:
    return x @ w[name + ".weight"].T + w[name + ".bias"]


def forward(w: dict[str, np.ndarray], image: np.ndarray, num_heads: int = 6) -> np.ndarray:
    """Tokens [1 + rows*cols, D] for one normalised image [1, 3, H, W] (H, W multiples of 14)."""
    kernel = w["embeddings.patch_embeddings.projection.weight"]  # [D, 3, p, p]
    dim, _, patch, _ = kernel.shape
    _, _, height, width = image.shape
    rows, cols = height // patch, width // patch
    patches = image[0, :, : rows * patch, : cols * patch].reshape(3, rows, patch, cols, patch)
    patches = patches.transpose(1, 3, 0, 2, 4).reshape(rows * cols, -1)
    embedded = patches @ kernel.reshape(dim, -1).T + w["embeddings.patch_embeddings.projection.bias"]
    x = np.concatenate([w["embeddings.cls_token"][0], embedded])
    x = x + interpolate_position_embeddings(w["embeddings.position_embeddings"], rows, cols)

    head_dim = dim // num_heads
    for i in range(sum(1 for k in w if k.endswith(".norm1.weight"))):
        p = f"encoder.layer.{i}."
        h = _layer_norm(x, w[p + "norm1.weight"], w[p + "norm1.bias"])
        q, k, v = (
            _linear(h, w, p + f"attention.attention.{n}").reshape(-1, num_heads, head_dim).transpose(1, 0, 2)
            for n in ("query", "key", "value")
        )
        scores = q @ k.transpose(0, 2, 1) / np.sqrt(head_dim)
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        attended = (scores / scores.sum(-1, keepdims=True)) @ v
        attended = attended.transpose(1, 0, 2).reshape(-1, dim)
        x = x + _linear(attended, w, p + "attention.output.dense") * w[p + "layer_scale1.lambda1"]
        h = _layer_norm(x, w[p + "norm2.weight"], w[p + "norm2.bias"])
        h = _linear(h, w, p + "mlp.fc1")
        h = 0.5 * h * (1 + erf(h / np.sqrt(2)))
        x = x + _linear(h, w, p + "mlp.fc2") * w[p + "layer_scale2.lambda1"]
    return _layer_norm(x, w["layernorm.weight"], w["layernorm.bias"]).astype(np.float32)
