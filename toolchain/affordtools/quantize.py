"""Symmetric per-output-channel int8 weights, the layout affordd's int8 engine loads."""

from __future__ import annotations

import numpy as np

QUANTIZATION = "int8-symmetric-per-output-channel"
SCALE_SUFFIX = "_scale"


def quantize_per_channel(weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(q, scale) with weight[o, ...] ~= scale[o] * q[o, ...] and q in [-127, 127]."""
    rows = weight.reshape(weight.shape[0], -1).astype(np.float32)
    amax = np.abs(rows).max(axis=1)
    scale = np.where(amax > 0, amax / 127.0, 1.0).astype(np.float32)  # all-zero rows stay zero
    q = np.clip(np.rint(rows / scale[:, None]), -127, 127).astype(np.int8)
    return q.reshape(weight.shape), scale


def dequantize(q: np.ndarray, scale: np.ndarray) -> np.ndarray:
    return (q.reshape(q.shape[0], -1).astype(np.float32) * scale[:, None]).reshape(q.shape)


def is_quantized(name: str, value: np.ndarray) -> bool:
    """Linear weights and the patch projection: every `.weight` with an output-channel axis."""
    return name.endswith(".weight") and value.ndim >= 2


def quantize_backbone(tensors: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    quantized: dict[str, np.ndarray] = {}
    for name, value in tensors.items():
        if is_quantized(name, value):
            quantized[name], quantized[name + SCALE_SUFFIX] = quantize_per_channel(value)
        else:
            quantized[name] = value
    return quantized
