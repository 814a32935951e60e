"""The default head's per-image rows: every visible action of an image in one row, and
mirrored rows carry the mirrored image's features and the mirrored GT."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import torch

from affordtools.bank import GT_GRID
from affordtools.datasets import Sample
from affordtools.default_head import per_image


class TaggedExtractor:
    """Stands in for DINOv2: tokens that say which image, and whether mirrored, they came from."""

    def __init__(self, images):
        self.index = {image: n for n, image in enumerate(images)}

    def __call__(self, image, flip=False):
        return SimpleNamespace(tokens=np.full((4, 3), 10 * self.index[image] + flip, np.float32))


def test_rows_hold_every_visible_action_and_mirror_image_and_gt_together(tmp_path):
    left_half = np.zeros((GT_GRID, GT_GRID), np.float32)
    left_half[:, : GT_GRID // 2] = 1
    samples = [Sample(image=tmp_path / "a.png", action="hold", gt_array=left_half),
               Sample(image=tmp_path / "a.png", action="cut", gt_array=left_half.T.copy()),
               Sample(image=tmp_path / "b.png", action="cut", gt_array=left_half)]
    extractor = TaggedExtractor([tmp_path / "a.png", tmp_path / "b.png"])

    tokens, gt, visible = per_image(samples, ["cut", "hold"], extractor)
    assert tokens.shape == (2, 4, 3) and visible.tolist() == [[True, True], [True, False]]

    tokens, gt, visible = per_image(samples, ["cut", "hold"], extractor, mirrored=True)
    assert tokens[:, 0, 0].tolist() == [0, 1, 10, 11]  # a, a mirrored, b, b mirrored
    assert visible.tolist() == [[True, True], [True, True], [True, False], [True, False]]
    hold, hold_mirrored = gt[0, 1], gt[1, 1]
    assert hold[:, 0].min() == 1 and hold[:, -1].max() == 0
    assert torch.equal(hold_mirrored, hold.flip(-1))
    assert torch.equal(gt[1, 0], gt[0, 0].flip(-1)) and gt[2, 1].abs().sum() == 0
