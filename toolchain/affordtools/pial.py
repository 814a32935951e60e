"""PIAL training mode: pose-aided interactive affinity (Luo et al., CVPR 2023), on frozen DINOv2.

Interactive affinity is the contact between one body part and one local region of the
object. Per training step (`pial_losses`):
- **Body-part priors.** Each interaction image gets one prior map per contact kind (back,
  hips, hands, feet, mouth, outside) from its COCO-17 keypoints (`pose.py`). A pose branch
  adds a learned 1x1 projection of the priors to the head's features and is trained on
  the interaction GT (PIAL's keypoint heuristic perception, simplified to fixed anchors);
  the plain head is trained on the same images without them, so that it cannot lean on
  the pose, which the daemon never sees.
- **Contact kind per action.** The kind whose prior overlaps the action's interaction GT
  most (`action_contact_kinds`); stored in the head file's metadata.
- **Interactive-affinity transfer.** DINOv2 tokens of the interaction image under
  GT x prior(kind) are pooled into a contact prototype per action; its cosine affinity
  to the object image's tokens is a second target for the object map.
- **Supervised heatmap losses on both views** (KL, as `train.kl_loss`); both views train
  every exported weight, the priors' projection is training-only.
The exported head is the plain egocentric head: affordd runs it on objects alone.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .bank import Bank
from .head import LocateHead
from .pose import CONTACT_KINDS, body_part_priors

AFFINITY_WEIGHT = 0.1
INTERACTION_WEIGHT = 1.0
POSE_WEIGHT = 0.5
AFFINITY_SHARPNESS = 4.0  # relu(cos)^p: keeps the top matches, as a contact region is small


class PialHead(LocateHead):
    """LOCATE's head plus a prior projection used on interaction images only."""

    def __init__(self, actions: list[str], embed_dim: int = 384, hidden_dim: int = 256):
        super().__init__(actions, embed_dim, hidden_dim, exo_branch=False)
        self.prior_proj = nn.Conv2d(len(CONTACT_KINDS), hidden_dim, 1)

    def interaction(self, tokens: torch.Tensor, priors: torch.Tensor) -> torch.Tensor:
        """Action maps of interaction images [B, K, h, w], conditioned on priors [B, 6, h, w]."""
        return self.classifier(F.relu(self.embed(tokens) + self.prior_proj(priors)))


def bank_priors(bank: Bank, grid: int) -> torch.Tensor:
    """Priors [M, 6, grid, grid] of every sample from its keypoints (zeros when it has none)."""
    out = np.zeros((len(bank), len(CONTACT_KINDS), grid, grid), np.float32)
    for i, s in enumerate(bank.samples):
        if "keypoints" in s.meta:
            h, w = s.meta["size"]
            out[i] = body_part_priors(s.meta["keypoints"], h, w, grid)
    return torch.from_numpy(out)


def _to_grid(maps: torch.Tensor, grid: int) -> torch.Tensor:
    return F.adaptive_avg_pool2d(maps[:, None], grid)[:, 0]


def action_contact_kinds(inter: Bank, priors: torch.Tensor, n_actions: int) -> list[int]:
    """Per action, the contact kind whose prior carries most of its GT mass (-1 when unseen)."""
    gt = _to_grid(inter.gt, priors.shape[-1])
    gt = gt / gt.flatten(1).sum(1).clamp_min(1e-6)[:, None, None]
    overlap = (priors * gt[:, None]).flatten(2).sum(-1)  # [M, 6]
    kinds = []
    for a in range(n_actions):
        rows = overlap[inter.labels == a]
        kinds.append(int(rows.sum(0).argmax()) if len(rows) else -1)
    return kinds


def centred_unit(tokens: torch.Tensor) -> torch.Tensor:
    """Tokens [B, N, D] minus each image's mean token, unit length: centring removes what every
    patch of an image shares (light, background). The daemon's demonstrations do the same."""
    return F.normalize(tokens - tokens.mean(1, keepdim=True), dim=-1)


def contact_prototypes(inter: Bank, priors: torch.Tensor, kinds: list[int]) -> torch.Tensor:
    """Per action a unit DINOv2 prototype [K, D] of the contact region (GT x prior of its kind)."""
    grid = priors.shape[-1]
    gt = _to_grid(inter.gt, grid)
    protos = torch.zeros(len(kinds), inter.tokens.shape[-1])
    for a, kind in enumerate(kinds):
        rows = (inter.labels == a).nonzero().flatten()
        if kind < 0 or not len(rows):
            continue
        w = (gt[rows] * priors[rows, kind]).flatten(1)  # [m, N]
        w = w / w.sum(1, keepdim=True).clamp_min(1e-6)
        pooled = (w[..., None] * centred_unit(inter.tokens[rows])).sum(1)
        protos[a] = F.normalize(pooled.mean(0), dim=0)
    return protos


def affinity_maps(tokens: torch.Tensor, protos: torch.Tensor) -> torch.Tensor:
    """relu(cosine(centred token, prototype))^p on the token grid: tokens [B, N, D], protos [B, D] -> [B, h, w]."""
    side = int(round(tokens.shape[1] ** 0.5))
    cos = torch.einsum("bnd,bd->bn", centred_unit(tokens), F.normalize(protos, dim=-1))
    return cos.clamp_min(0).pow(AFFINITY_SHARPNESS).reshape(-1, side, side)


def pial_losses(head: PialHead, obj_tokens, obj_gt, obj_labels, obj_affinity,
                inter_tokens, inter_priors, inter_gt, inter_labels, kl_loss) -> dict[str, torch.Tensor]:
    """The three terms for one batch of object images and one of interaction images."""
    rows = torch.arange(len(obj_labels))
    obj_maps = head(obj_tokens)[rows, obj_labels]
    losses = {"object": kl_loss(obj_maps, obj_gt)}
    if obj_affinity is not None:
        big = F.interpolate(obj_affinity[:, None], size=obj_gt.shape[-2:], mode="bilinear",
                            align_corners=False)[:, 0]
        losses["affinity"] = AFFINITY_WEIGHT * kl_loss(obj_maps, big)
    if inter_tokens is not None:
        rows = torch.arange(len(inter_labels))
        # The exported head itself must find contact on interaction images too: conditioned
        # on the priors alone, it would learn "look where the pose says" and transfer nothing.
        plain = head(inter_tokens)[rows, inter_labels]
        posed = head.interaction(inter_tokens, inter_priors)[rows, inter_labels]
        losses["interaction"] = INTERACTION_WEIGHT * kl_loss(plain, inter_gt)
        losses["pose"] = POSE_WEIGHT * kl_loss(posed, inter_gt)
    return losses


def train_pial(head: PialHead, obj: Bank, inter: Bank, *, epochs: int, kl_loss, batch: int = 8,
               lr: float = 1e-3, seed: int = 0, log=print) -> dict[str, str]:
    """Trains `head` in PIAL mode; returns {action: contact kind} for the head's metadata."""
    if obj.gt is None or inter.gt is None:
        raise ValueError("PIAL mode needs GT heatmaps on object and interaction images")
    grid = int(round(obj.tokens.shape[1] ** 0.5))
    priors = bank_priors(inter, grid)
    kinds = action_contact_kinds(inter, priors, len(head.actions))
    protos = contact_prototypes(inter, priors, kinds)
    affinity = affinity_maps(obj.tokens, protos[obj.labels])
    has_proto = torch.tensor([kinds[int(a)] >= 0 for a in obj.labels])
    affinity[~has_proto] = 1.0  # uniform target: no transfer for actions without interaction images
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.AdamW(head.parameters(), lr=lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs)
    for epoch in range(epochs):
        head.train()
        # An epoch sees every image of the larger view once; the smaller view is cycled.
        n = max(len(obj), len(inter))
        obj_order = torch.cat([torch.randperm(len(obj), generator=gen) for _ in range(-(-n // len(obj)))])[:n]
        inter_order = torch.cat([torch.randperm(len(inter), generator=gen) for _ in range(-(-n // len(inter)))])[:n]
        totals: dict[str, float] = {}
        for start in range(0, n, batch):
            idx, pick = obj_order[start:start + batch], inter_order[start:start + batch]
            losses = pial_losses(head, obj.tokens[idx], obj.gt[idx], obj.labels[idx], affinity[idx],
                                 inter.tokens[pick], priors[pick], inter.gt[pick], inter.labels[pick], kl_loss)
            loss = sum(losses.values())
            opt.zero_grad()
            loss.backward()
            opt.step()
            for k, v in losses.items():
                totals[k] = totals.get(k, 0.0) + float(v.detach()) * len(idx) / n
        sched.step()
        if log and (epoch % max(1, epochs // 5) == 0 or epoch == epochs - 1):
            log(f"epoch {epoch + 1}/{epochs} " + " ".join(f"{k}={v:.3f}" for k, v in totals.items()))
    return {a: CONTACT_KINDS[k] for a, k in zip(head.actions, kinds) if k >= 0}
