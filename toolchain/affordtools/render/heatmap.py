"""Ground-truth heatmaps from part masks, shaped like AGD20K's: soft, peaked inside the part."""

from __future__ import annotations

import numpy as np
from scipy.ndimage import distance_transform_edt, gaussian_filter

MIN_VISIBLE_PIXELS = 16  # a part seen through fewer pixels is treated as not visible


def heatmap_from_mask(mask: np.ndarray) -> np.ndarray | None:
    """Float [0, 1] map peaking deep inside `mask`, blurred by the part's size; None if barely visible."""
    area = int(mask.sum())
    if area < MIN_VISIBLE_PIXELS:
        return None
    depth = distance_transform_edt(mask)
    core = mask * (0.35 + 0.65 * depth / depth.max())  # the centre weighs most, as annotators' clicks do
    sigma = max(1.5, 0.25 * np.sqrt(area / np.pi))
    heat = gaussian_filter(core.astype(np.float64), sigma)
    return (heat / heat.max()).astype(np.float32)


def action_heatmaps(parts: np.ndarray, part_actions: list[tuple[str, ...]]) -> dict[str, np.ndarray]:
    """One uint8 heatmap per action whose parts are visible; `parts` labels part i as i + 1."""
    maps: dict[str, np.ndarray] = {}
    for action in sorted({a for actions in part_actions for a in actions}):
        labels = [i + 1 for i, actions in enumerate(part_actions) if action in actions]
        heat = heatmap_from_mask(np.isin(parts, labels))
        if heat is not None:
            maps[action] = np.round(heat * 255).astype(np.uint8)
    return maps
