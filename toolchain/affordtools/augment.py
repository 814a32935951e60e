"""Photometric augmentation for training images: what a robot's camera does to a scene that a
clean render does not (exposure, white balance, colour, focus, sensor noise, MJPEG compression).

Geometry is untouched, so the GT maps need no change. The draw is seeded by the caller, so a
cached feature entry always comes from the same augmented pixels.
"""
from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageFilter


def photometric(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """uint8 [H, W, 3] -> uint8 [H, W, 3], one random camera's rendition of the same scene."""
    x = rgb.astype(np.float32) / 255.0
    x = x * rng.uniform(0.9, 1.1, 3).astype(np.float32)                  # white balance
    grey = x @ np.array([0.299, 0.587, 0.114], np.float32)
    x = grey[..., None] + (x - grey[..., None]) * rng.uniform(0.6, 1.4)   # saturation
    x = (x - x.mean()) * rng.uniform(0.7, 1.3) + x.mean()                 # contrast
    x = x * rng.uniform(0.7, 1.3)                                         # exposure
    x = np.clip(x, 0, 1) ** rng.uniform(0.8, 1.25)                        # tone curve
    x = x * 255.0 + rng.normal(0, rng.uniform(0, 6), x.shape)             # sensor noise
    image = Image.fromarray(np.clip(x, 0, 255).round().astype(np.uint8))
    if rng.random() < 0.3:                                                # focus
        image = image.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.3, 1.2))))
    if rng.random() < 0.7:                                                # MJPEG
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=int(rng.integers(35, 91)))
        buffer.seek(0)
        image = Image.open(buffer).convert("RGB")
    return np.asarray(image, np.uint8)
