"""The backbone's input preprocessing, shared by fixtures, training and evaluation.

An RGB8 image [H0, W0, 3] of any size is resized straight to the model size
(no crop, no letterbox) with bilinear interpolation, half-pixel centres,
clamped edges and NO antialiasing: cv2.INTER_LINEAR on float input, and
exactly affordd's `Bilinear` (Sources/AffordCore/Bilinear.swift), whose
float32 arithmetic this mirrors step by step. The resize runs on the 0..255
values as float32; then each value is divided by 255, the ImageNet mean is
subtracted and the result divided by the ImageNet std. The output is NCHW
float32 [1, 3, H, W].
"""

from __future__ import annotations

import numpy as np

from .dinov2_onnx import IMAGE_MEAN, IMAGE_STD


def bilinear_axis(source: int, target: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lower, upper, fraction) for one axis, as `Bilinear.Axis` computes them."""
    scale = source / target
    position = np.maximum(0.0, (np.arange(target) + 0.5) * scale - 0.5)
    lower = np.minimum(position.astype(np.int64), source - 1)
    upper = np.minimum(lower + 1, source - 1)
    return lower, upper, (position - lower).astype(np.float32)


def resize_bilinear(plane: np.ndarray, height: int, width: int) -> np.ndarray:
    """Resize float32 [..., H0, W0] to [..., height, width] with `Bilinear.resize`'s float32 steps."""
    plane = np.asarray(plane, dtype=np.float32)
    y0, y1, fy = bilinear_axis(plane.shape[-2], height)
    x0, x1, fx = bilinear_axis(plane.shape[-1], width)
    top, bottom = plane[..., y0, :], plane[..., y1, :]
    upper_row = top[..., x0] + (top[..., x1] - top[..., x0]) * fx
    lower_row = bottom[..., x0] + (bottom[..., x1] - bottom[..., x0]) * fx
    return upper_row + (lower_row - upper_row) * fy[:, None]


def preprocess(rgb: np.ndarray, height: int = 224, width: int = 224) -> np.ndarray:
    """RGB8 [H0, W0, 3] -> normalised float32 NCHW [1, 3, height, width]."""
    if rgb.dtype != np.uint8 or rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f"expected an RGB8 image [H, W, 3] uint8, got {rgb.dtype} {rgb.shape}")
    planes = resize_bilinear(rgb.transpose(2, 0, 1).astype(np.float32), height, width)
    mean = np.asarray(IMAGE_MEAN, np.float32)[:, None, None]
    std = np.asarray(IMAGE_STD, np.float32)[:, None, None]
    return np.ascontiguousarray(((planes / np.float32(255) - mean) / std)[None], dtype=np.float32)
