"""The photometric augmentation: seeded, geometry-preserving, and really changing the pixels."""

from __future__ import annotations

import numpy as np

from affordtools.augment import photometric


def scene() -> np.ndarray:
    rgb = np.full((64, 64, 3), 40, np.uint8)
    rgb[20:44, 10:30] = (220, 60, 30)  # a red handle on a dark board
    return rgb


def test_same_seed_same_pixels_and_another_seed_another_camera():
    a, b = photometric(scene(), np.random.default_rng(5)), photometric(scene(), np.random.default_rng(5))
    assert a.dtype == np.uint8 and a.shape == (64, 64, 3)
    assert np.array_equal(a, b)
    draws = [photometric(scene(), np.random.default_rng(k)) for k in range(8)]
    assert len({d.tobytes() for d in draws}) == 8
    assert all(np.abs(d.astype(int) - scene()).mean() > 1 for d in draws)


def test_the_object_stays_where_it_was():
    for k in range(8):
        out = photometric(scene(), np.random.default_rng(k)).astype(np.float64)
        redness = out[..., 0] - out[..., 1:].mean(axis=-1)
        inside, outside = redness[22:42, 12:28].mean(), np.r_[redness[:18].ravel(), redness[46:].ravel()].mean()
        assert inside > outside + 40, f"draw {k}: the part's colour no longer stands out where it lies"
