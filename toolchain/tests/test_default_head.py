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

    def __call__(self, image, flip=False, augmented=False):
        return SimpleNamespace(tokens=np.full((4, 3), 10 * self.index[image] + flip + 100 * augmented, np.float32))


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

    # Augmented: the mirrored copy, and only it, goes through the photometric draw.
    tokens, gt_augmented, _ = per_image(samples, ["cut", "hold"], extractor, mirrored=True, augmented=True)
    assert tokens[:, 0, 0].tolist() == [0, 101, 10, 111]
    assert torch.equal(gt_augmented, gt)


def test_presence_layer_learns_which_actions_are_in_view():
    """Tokens carry a 'blade' direction on a few patches when cut is in view; hold is always in
    view. After training, presence must rank held-out images by whether the blade is there.
    These settings pass for 30 initial seeds, another data seed and three times the learning rate,
    so a different CPU's rounding cannot tip the result; without the presence loss they fail."""
    from affordtools.default_head import train
    from affordtools.presence import presence_scores
    from affordtools.head import LocateHead

    torch.manual_seed(0)  # the head's initial weights, independent of which tests ran before
    gen = torch.Generator().manual_seed(0)
    blade = torch.randn(16, generator=gen)

    def make(count):
        tokens = torch.randn(count, 64, 16, generator=gen) * 0.5
        cut = torch.rand(count, generator=gen) < 0.5
        gt = torch.zeros(count, 2, GT_GRID, GT_GRID)
        for i in range(count):
            at = int(torch.randint(0, 56, (1,), generator=gen))
            if cut[i]:
                tokens[i, at:at + 3] += 2 * blade
            gt[i, :, (at // 8) * GT_GRID // 8, (at % 8) * GT_GRID // 8] = 1
        visible = torch.stack([cut, torch.ones(count, dtype=torch.bool)], dim=1)  # [cut, hold]
        return tokens, gt, visible

    head = LocateHead(["cut", "hold"], 16, 8, exo_branch=False, presence=True)
    tokens, gt, visible = make(256)
    train(head, tokens, gt, visible, epochs=8, batch=32, lr=3e-2, seed=0, presence_weight=1.0, log=lambda *_: None)
    held_tokens, _, held_visible = make(64)
    with torch.no_grad():
        presence = torch.sigmoid(head.eval().forward_with_presence(held_tokens)[1]).numpy()
    scores = presence_scores(presence, held_visible.numpy(), ["cut", "hold"])
    assert scores["auc"]["cut"] > 0.95 and scores["auc"]["hold"] is None  # hold is never out of view
    assert scores["accuracy"] > 0.9
    assert presence[:, 1].min() > 0.5


def test_object_floor_puts_a_share_of_the_whole_object_under_each_part(tmp_path):
    """A render whose object spans columns 8-47 and whose part is columns 8-19: with a floor,
    the GT keeps the part where it is and lifts the rest of the object, never the table."""
    from PIL import Image

    from affordtools.default_head import object_heat

    (tmp_path / "images").mkdir()
    (tmp_path / "parts").mkdir()
    labels = np.zeros((GT_GRID, GT_GRID), np.uint8)
    labels[20:36, 8:20], labels[20:36, 20:48] = 1, 2  # handle, head
    Image.fromarray(labels).save(tmp_path / "parts" / "a.png")
    image = tmp_path / "images" / "a.png"
    part = np.zeros((GT_GRID, GT_GRID), np.float32)
    part[20:36, 8:20] = 1
    samples = [Sample(image=image, action="hold", gt_array=part)]
    extractor = TaggedExtractor([image])

    _, plain, _ = per_image(samples, ["hold"], extractor)
    _, floored, _ = per_image(samples, ["hold"], extractor, object_floor=0.3)
    whole = torch.from_numpy(object_heat(image, GT_GRID))
    assert torch.equal(floored[0, 0], torch.maximum(plain[0, 0], 0.3 * whole))
    assert plain[0, 0, 28, 40] == 0 and 0.2 < floored[0, 0, 28, 40] <= 0.3  # the head: lifted to the floor
    assert floored[0, 0, 28, 12] == plain[0, 0, 28, 12] == 1  # the part: unchanged
    assert floored[0, 0, 5, 5] == 0 and floored[0, 0, 50, 50] == 0  # the table: nothing
