"""Presence labels from an AGD20K-style layout's object folders, and a presence layer fitted on a
frozen head: it must learn which actions are in view and leave the maps untouched."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from affordtools.bank import GT_GRID
from affordtools.datasets import Sample
from affordtools.head import LocateHead
from affordtools.presence import (afforded_by_object, fit_presence, in_view_by_object, presence_labels_problem,
                                  presence_scores)
from affordtools.train import train_supervised


def sample(action: str, obj: str) -> Sample:
    return Sample(image=Path(f"{action}/{obj}/x.jpg"), action=action, object=obj)


def test_an_object_shows_the_actions_its_folders_hold():
    samples = [sample("hold", "mug"), sample("hold", "knife"), sample("cut", "knife"), sample("cut", "scissors")]
    afforded = afforded_by_object(samples)
    assert afforded == {"mug": {"hold"}, "knife": {"hold", "cut"}, "scissors": {"cut"}}
    in_view = in_view_by_object(samples, ["cut", "hold"], afforded)
    assert in_view.tolist() == [[False, True], [True, True], [True, True], [True, False]]
    assert presence_labels_problem(samples, in_view) is None


def test_labels_that_cannot_train_presence_are_named():
    knives = [sample("hold", "knife"), sample("cut", "knife")]
    in_view = in_view_by_object(knives, ["cut", "hold"], afforded_by_object(knives))
    assert "every object affords every action" in presence_labels_problem(knives, in_view)
    unnamed = [sample("hold", ""), sample("cut", "")]
    assert "names no objects" in presence_labels_problem(unnamed, np.array([[False, True], [True, False]]))


def test_fitted_presence_ranks_images_by_the_blade_and_keeps_the_maps():
    """Half the images carry a 'blade' direction on a few patches and show cut; all show hold."""
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(0)
    blade = torch.randn(16, generator=gen)

    def make(count):
        tokens = torch.randn(count, 64, 16, generator=gen) * 0.5
        cut = (torch.rand(count, generator=gen) < 0.5).numpy()
        gt = torch.zeros(count, GT_GRID, GT_GRID)
        labels = torch.zeros(count, dtype=torch.long)
        for i in range(count):
            at = int(torch.randint(0, 56, (1,), generator=gen))
            if cut[i]:
                tokens[i, at:at + 3] += 2 * blade
            gt[i, (at // 8) * GT_GRID // 8, (at % 8) * GT_GRID // 8] = 1
            labels[i] = 0 if cut[i] else 1
        return tokens, gt, labels, np.stack([cut, np.ones(count, bool)], axis=1)

    tokens, gt, labels, in_view = make(256)
    head = LocateHead(["cut", "hold"], 16, 8, exo_branch=False)
    bank = type("B", (), {"tokens": tokens, "labels": labels, "gt": gt})()
    train_supervised(head, [bank], epochs=8, batch=32, lr=1e-2, log=None)
    held_tokens, _, _, held_in_view = make(64)
    with torch.no_grad():
        maps_before = head.eval()(held_tokens)
    fit_presence(head, tokens, in_view)
    with torch.no_grad():
        maps_after, logits = head.eval().forward_with_presence(held_tokens)
    assert torch.equal(maps_before, maps_after)
    presence = torch.sigmoid(logits).numpy()
    scores = presence_scores(presence, held_in_view, ["cut", "hold"])
    assert scores["auc"]["cut"] > 0.95 and scores["accuracy"] > 0.9, scores
