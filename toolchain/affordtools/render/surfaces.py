"""Procedural tabletop surfaces: the printed patterns and boards robot workcells have.

A frozen backbone fires on any high-contrast pattern. Renders on plain tables taught the
head nothing about fiducial markers, paper sheets or wood grain, and on real tabletop
photos it lit them up; these surfaces carry no action, so the GT teaches it to ignore them.
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import gaussian_filter, zoom



def _fiducial(rng: np.random.Generator, cells: int) -> np.ndarray:
    """A square marker like ArUco's: white margin, black border, random interior bits."""
    bits = rng.random((cells, cells)) < 0.5
    code = np.ones((cells + 2, cells + 2))
    code[1:-1, 1:-1] = bits
    code[[0, -1], :] = code[:, [0, -1]] = 0
    return np.pad(code, 1, constant_values=1.0)


def _marker_board(rng: np.random.Generator, size: int) -> np.ndarray:
    """A dark or coloured board, often with a paper sheet in the middle and markers in its corners."""
    canvas = np.empty((size, size, 3))
    canvas[:] = rng.uniform(0.03, 0.25) if rng.random() < 0.6 else rng.uniform(0.05, 0.8, 3)
    if rng.random() < 0.75:
        h, w = (rng.uniform(0.35, 0.65, 2) * size).astype(int)
        top, left = (size - h) // 2 + rng.integers(-size // 10, size // 10 + 1, 2)
        canvas[top:top + h, left:left + w] = rng.uniform(0.75, 0.95) * rng.uniform(0.95, 1.0, 3)
    # Markers in the corners (calibration boards) and loose ones anywhere (workcell tags).
    cells = int(rng.integers(3, 6))
    side = int(size * rng.uniform(0.08, 0.16))
    inset = int(size * rng.uniform(0.02, 0.06))
    far = size - inset - side
    spots = [(inset, inset), (inset, far), (far, inset), (far, far)] if rng.random() < 0.7 else []
    spots += [tuple(rng.integers(0, size - side, 2)) for _ in range(int(rng.integers(0, 5)))]
    for top, left in spots:
        marker = zoom(_fiducial(rng, cells), side / (cells + 4), order=0)[:side, :side]
        canvas[top:top + len(marker), left:left + marker.shape[1]] = marker[..., None]
    return canvas


def _wood(rng: np.random.Generator, size: int) -> np.ndarray:
    y, x = np.mgrid[0:size, 0:size] / size
    warp = gaussian_filter(rng.standard_normal((size, size)), size / 16) * 40
    rings = 0.5 + 0.5 * np.sin((y * rng.uniform(20, 60) + warp) * np.pi)
    brown = np.array([0.5, 0.32, 0.17]) * rng.uniform(0.6, 1.5)
    return np.clip(brown * (0.75 + 0.35 * rings[..., None]), 0, 1)


def _checker(rng: np.random.Generator, size: int) -> np.ndarray:
    cells = int(rng.integers(4, 14))
    y, x = np.mgrid[0:size, 0:size] * cells // size
    a, b = rng.uniform(0.05, 0.95, 3), rng.uniform(0.05, 0.95, 3)
    return np.where(((x + y) % 2 == 0)[..., None], a, b)


def _speckle(rng: np.random.Generator, size: int) -> np.ndarray:
    """Cloth, foam or stone: coloured noise at two scales."""
    base = rng.uniform(0.1, 0.9, 3)
    noise = sum(gaussian_filter(rng.standard_normal((size, size)), s) * a for s, a in ((1, 0.6), (size / 40, 3.0)))
    return np.clip(base * (1 + 0.25 * noise[..., None]), 0, 1)


_MAKERS = {"marker_board": _marker_board, "wood": _wood, "checker": _checker, "speckle": _speckle}
SURFACES = tuple(_MAKERS)
SURFACE_ODDS = (0.45, 0.25, 0.1, 0.2)  # in SURFACES' order: boards with markers most, garish checkers least


def surface_texture(kind: str, rng: np.random.Generator, size: int = 512) -> np.ndarray:
    """An sRGB-looking float image [size, size, 3] in [0, 1] for the named surface kind."""
    if kind not in _MAKERS:
        raise ValueError(f"unknown surface {kind!r}; known: {SURFACES}")
    return _MAKERS[kind](rng, size)
