"""COCO-17 keypoints and PIAL's body-part contact priors.

Keypoints are `[[x, y, score] * 17]` in image pixels, in COCO order (below). A point
with score under `MIN_SCORE` is treated as missing. Each contact kind gets anchor points
derived from the skeleton (a hand lies past the wrist along the forearm, a tool's far end
further out); the prior is a sum of Gaussians at the anchors, scaled by the person's size.
The daemon derives its demonstration contact region with the same rules
(Sources/AffordDaemon/Learning/ContactKind.swift).
"""
from __future__ import annotations

import numpy as np

COCO17 = ("nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder", "right_shoulder",
          "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hip", "right_hip",
          "left_knee", "right_knee", "left_ankle", "right_ankle")
K = {name: i for i, name in enumerate(COCO17)}
CONTACT_KINDS = ("back", "hips", "hands", "feet", "mouth", "outside")
MIN_SCORE = 0.3
HAND_REACH = 0.35     # hand centre: wrist + 0.35 * (wrist - elbow)
OUTSIDE_REACH = (1.0, 1.6, 2.4, 3.2)  # a held tool's working end: along the forearm, past the hand
FOOT_REACH = 0.25     # foot centre: ankle + 0.25 * (ankle - knee)
SIGMA_OF_SCALE = 0.12  # Gaussian sigma as a share of the person's scale


def _point(kp: np.ndarray, name: str) -> np.ndarray | None:
    x, y, s = kp[K[name]]
    return np.array([x, y]) if s >= MIN_SCORE else None


def _extend(kp: np.ndarray, joint: str, parent: str, reach: float) -> np.ndarray | None:
    a, b = _point(kp, joint), _point(kp, parent)
    if a is None or b is None:
        return None
    return a + reach * (a - b)


def _mid(*points) -> np.ndarray | None:
    found = [p for p in points if p is not None]
    return np.mean(found, axis=0) if found else None


def person_scale(kp: np.ndarray) -> float:
    """A length for the person: the longest visible limb or torso segment (pixels)."""
    kp = np.asarray(kp, np.float64)
    pairs = [("left_shoulder", "left_hip"), ("right_shoulder", "right_hip"), ("left_elbow", "left_wrist"),
             ("right_elbow", "right_wrist"), ("left_shoulder", "left_elbow"), ("right_shoulder", "right_elbow"),
             ("left_knee", "left_ankle"), ("right_knee", "right_ankle")]
    lengths = [np.linalg.norm(a - b) for a, b in ((_point(kp, p), _point(kp, q)) for p, q in pairs)
               if a is not None and b is not None]
    return float(max(lengths)) if lengths else 0.0


def contact_anchors(keypoints, kind: str) -> list[np.ndarray]:
    """Image points (x, y) where the body part `kind` touches things."""
    kp = np.asarray(keypoints, np.float64).reshape(17, 3)
    sides = ("left", "right")
    if kind == "hands":
        pts = [_extend(kp, f"{s}_wrist", f"{s}_elbow", HAND_REACH) for s in sides]
    elif kind == "outside":
        pts = [_extend(kp, f"{s}_wrist", f"{s}_elbow", r) for s in sides for r in OUTSIDE_REACH]
    elif kind == "feet":
        pts = [_extend(kp, f"{s}_ankle", f"{s}_knee", FOOT_REACH) for s in sides]
    elif kind == "hips":
        hips = [_point(kp, f"{s}_hip") for s in sides]
        pts = hips + [_mid(*hips)]
    elif kind == "back":
        shoulders = _mid(*(_point(kp, f"{s}_shoulder") for s in sides))
        hips = _mid(*(_point(kp, f"{s}_hip") for s in sides))
        pts = [shoulders, hips] + ([shoulders + t * (hips - shoulders) for t in (0.33, 0.67)]
                                   if shoulders is not None and hips is not None else [])
    elif kind == "mouth":
        nose = _point(kp, "nose")
        eyes = _mid(_point(kp, "left_eye"), _point(kp, "right_eye"))
        pts = [nose + 0.6 * (nose - eyes) if nose is not None and eyes is not None else nose]
    else:
        raise ValueError(f"unknown contact kind {kind!r}; expected one of {CONTACT_KINDS}")
    return [p for p in pts if p is not None]


def body_part_priors(keypoints, height: int, width: int, grid: int) -> np.ndarray:
    """One prior map per contact kind [6, grid, grid], each max-normalised (all-zero when absent)."""
    kp = np.asarray(keypoints, np.float64).reshape(17, 3)
    sigma = max(SIGMA_OF_SCALE * person_scale(kp), 2.0)
    ys = (np.arange(grid) + 0.5) * height / grid
    xs = (np.arange(grid) + 0.5) * width / grid
    out = np.zeros((len(CONTACT_KINDS), grid, grid), np.float32)
    for c, kind in enumerate(CONTACT_KINDS):
        for x, y in contact_anchors(kp, kind):
            g = np.exp(-((ys[:, None] - y) ** 2 + (xs[None, :] - x) ** 2) / (2 * sigma**2))
            out[c] = np.maximum(out[c], g)
    return out


def validate_keypoints(value, where: str) -> np.ndarray:
    """Checks a `[[x, y, score] * 17]` list; raises ValueError naming `where`."""
    try:
        kp = np.asarray(value, np.float64)
    except (TypeError, ValueError) as e:
        raise ValueError(f"{where}: keypoints are not numbers: {e}") from None
    if kp.shape != (17, 3):
        raise ValueError(f"{where}: keypoints must be 17 [x, y, score] triples in COCO order, got shape {kp.shape}")
    if not np.isfinite(kp).all():
        raise ValueError(f"{where}: keypoints contain NaN or infinity")
    return kp
