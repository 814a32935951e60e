"""KLD, SIM and NSS with the AGD20K protocol of LOCATE and Selective CL (issue 5).

1. Prediction and GT are resized to 224x224, bilinear (cv2.INTER_LINEAR: half-pixel
   centres, edge clamping, no antialiasing), in float.
2. Both are min-max normalised with eps 1e-12, the GT after dividing it by 255 (AGD20K
   GT maps reach 0 somewhere, so this matches LOCATE's code, which skips it).
3. KLD and SIM compare the maps normalised to sum 1 (eps 1e-12).
4. NSS averages the z-scored prediction over pixels where the min-max GT exceeds 0.1.
5. An all-zero GT scores 0 on all three (it falls out of the formulas; a constant
   prediction gets NSS 0 instead of NaN).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EVAL_SIZE = 224
EPS = 1e-12


def _axis_weights(n_in: int, n_out: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    scale = n_in / n_out
    src = (np.arange(n_out) + 0.5) * scale - 0.5
    i0 = np.floor(src).astype(np.int64)
    frac = src - i0
    # cv2 clamps both the index and the weight at the borders.
    frac = np.where(i0 < 0, 0.0, frac)
    i0 = np.clip(i0, 0, n_in - 1)
    frac = np.where(i0 >= n_in - 1, 0.0, frac)
    i1 = np.minimum(i0 + 1, n_in - 1)
    return i0, i1, frac


def resize_bilinear(img: np.ndarray, height: int, width: int) -> np.ndarray:
    """Bilinear resize of a 2-D map with cv2.INTER_LINEAR semantics, in float64."""
    img = np.asarray(img, np.float64)
    y0, y1, fy = _axis_weights(img.shape[0], height)
    x0, x1, fx = _axis_weights(img.shape[1], width)
    rows = img[y0] * (1 - fy)[:, None] + img[y1] * fy[:, None]
    return rows[:, x0] * (1 - fx)[None, :] + rows[:, x1] * fx[None, :]


def minmax(m: np.ndarray) -> np.ndarray:
    return (m - m.min()) / (m.max() - m.min() + EPS)


def prepare(pred: np.ndarray, gt_u8: np.ndarray, size: int = EVAL_SIZE) -> tuple[np.ndarray, np.ndarray]:
    """Steps 1-2: both maps at size x size and min-max normalised."""
    p = minmax(resize_bilinear(pred, size, size))
    g = minmax(resize_bilinear(np.asarray(gt_u8, np.float64) / 255.0, size, size))
    return p, g


def kld(p: np.ndarray, g: np.ndarray) -> float:
    p1, g1 = p / (p.sum() + EPS), g / (g.sum() + EPS)
    return float(np.sum(g1 * np.log(g1 / (p1 + EPS) + EPS)))


def sim(p: np.ndarray, g: np.ndarray) -> float:
    p1, g1 = p / (p.sum() + EPS), g / (g.sum() + EPS)
    return float(np.minimum(p1, g1).sum())


def nss(p: np.ndarray, g: np.ndarray) -> float:
    std = p.std()
    if std == 0:
        return 0.0
    z = (p - p.mean()) / std
    fixation = (minmax(g) > 0.1).astype(np.float64)
    return float(np.sum(z * fixation) / np.sum(fixation + EPS))


@dataclass
class Scores:
    """Per-image scores; `mean` averages a list of them."""

    kld: float
    sim: float
    nss: float

    @staticmethod
    def mean(items: list["Scores"]) -> "Scores":
        if not items:
            return Scores(float("nan"), float("nan"), float("nan"))
        return Scores(*(float(np.mean([getattr(s, k) for s in items])) for k in ("kld", "sim", "nss")))


def score(pred: np.ndarray, gt_u8: np.ndarray) -> Scores:
    """All three metrics for one prediction (any float map) and its 8-bit GT."""
    p, g = prepare(pred, gt_u8)
    return Scores(kld(p, g), sim(p, g), nss(p, g))
