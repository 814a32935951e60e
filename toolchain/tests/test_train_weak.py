"""Pieces of the weak objective on constructed inputs with known answers."""
from __future__ import annotations

import torch

from affordtools.head import LocateHead, concentration_loss
from affordtools.train import kl_loss
from affordtools.weak import WeakConfig, discover, kmeans, refined_maps, weak_losses


def test_kmeans_separates_blobs():
    g = torch.Generator().manual_seed(0)
    centres = torch.tensor([[0.0, 0], [10, 0], [0, 10]])
    x = torch.cat([c + torch.randn(50, 2, generator=g) * 0.3 for c in centres])
    found = kmeans(x, 3, generator=g)
    assert torch.cdist(centres, found).min(1)[0].max() < 0.3


def scene(n_side=8, d=16):
    """An ego grid with background (B), object body (O) and a part (P); exo = hand (H) + part."""
    basis = torch.eye(d)
    ego = basis[0].repeat(n_side * n_side, 1).clone()
    obj = torch.zeros(n_side, n_side, dtype=torch.bool)
    obj[2:6, 2:6] = True
    part = torch.zeros_like(obj)
    part[2:6, 5] = True
    ego[obj.flatten()] = basis[1]
    ego[part.flatten()] = basis[2]
    exo = basis[0].repeat(2, n_side * n_side, 1).clone()
    exo[:, 10:20] = basis[3]  # hand
    exo[:, 20:26] = basis[2]  # visible part
    exo[:, 26:30] = basis[1]  # a little body
    cam = torch.zeros(2, n_side * n_side)
    cam[:, 10:30] = 1.0
    return ego + 0.01 * torch.randn_like(ego), obj.flatten(), part.flatten(), exo, cam


def test_discover_picks_the_part_not_the_hand_or_the_whole_object():
    ego, obj, part, exo, cam = scene()
    found = discover(ego, obj, exo, cam, WeakConfig(), torch.Generator().manual_seed(0))
    assert found.part_level
    assert torch.equal(found.pos_mask, part)
    assert torch.nn.functional.cosine_similarity(found.positive, torch.eye(16)[2], dim=0) > 0.99


def test_discover_falls_back_to_the_object_without_a_part():
    ego, obj, _, exo, cam = scene()
    cam[:] = 0  # the exocentric CAM finds nothing
    found = discover(ego, obj, exo, cam, WeakConfig(), torch.Generator().manual_seed(0))
    assert not found.part_level and torch.equal(found.pos_mask, obj)


class FixedCam(torch.nn.Module):
    """A stand-in head whose action-0 CAM is a given map."""

    def __init__(self, cam):
        super().__init__()
        self.cam = cam

    def forward(self, tokens, view="ego"):
        return torch.stack([self.cam, -self.cam])[None].expand(len(tokens), -1, -1, -1)


def test_refined_maps_keep_the_cam_on_the_object_and_sharpen_it():
    cam = torch.linspace(-1, 1, 16).reshape(4, 4)
    saliency = torch.zeros(1, 4, 4); saliency[0, :, :2] = 1  # the object: the left half
    target = refined_maps(FixedCam(cam), torch.zeros(1, 16, 8), saliency, torch.tensor([0]), power=2.0)[0]
    assert torch.all(target[:, 2:] == 0)  # off the object
    assert torch.all(target[:2] == 0)     # negative CAM
    on = cam[2:, :2].clamp(min=0)
    assert torch.allclose(target[2:, :2], (on / on.max()) ** 2)


def test_concentration_prefers_compact_maps():
    compact = torch.zeros(1, 1, 16, 16); compact[0, 0, 7:9, 7:9] = 1
    spread = torch.rand(1, 1, 16, 16, generator=torch.Generator().manual_seed(0))
    assert concentration_loss(compact) < concentration_loss(spread) / 5


def test_kl_loss_is_smallest_for_the_gt_itself():
    gt = torch.zeros(1, 56, 56); gt[0, 20:30, 10:20] = 1
    good = torch.nn.functional.adaptive_avg_pool2d(gt[None], 16)[0]
    assert kl_loss(good, gt) < kl_loss(torch.rand(1, 16, 16), gt) - 1


def test_weak_losses_are_finite_and_reach_every_head_parameter():
    torch.manual_seed(0)
    head = LocateHead(["a", "b"], 32, 8)
    losses, _ = weak_losses(head, torch.randn(2, 64, 32), torch.rand(2, 8, 8), torch.randn(2, 2, 64, 32),
                            torch.tensor([0, 1]), WeakConfig(), distill=True, gen=torch.Generator().manual_seed(0))
    total = sum(losses.values())
    assert torch.isfinite(total)
    total.backward()
    assert all(p.grad is not None for p in head.parameters())
