"""Stacks cached features of many samples into tensors for training and prediction."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from .datasets import Sample
from .features import FeatureExtractor

GT_GRID = 56  # supervised losses compare maps at this resolution


@dataclass
class Bank:
    """Features of `samples` in order: tokens [M, N, D], saliency [M, h, w], labels [M], gt [M, G, G]."""

    samples: list[Sample]
    tokens: torch.Tensor
    cls_attention: torch.Tensor
    saliency: torch.Tensor
    labels: torch.Tensor
    gt: torch.Tensor | None

    @property
    def grid(self) -> int:
        return self.saliency.shape[-1]

    def __len__(self) -> int:
        return len(self.samples)


def build_bank(samples: list[Sample], actions: list[str], extractor: FeatureExtractor,
               with_gt: bool = False, flip: bool = False, log=None) -> Bank:
    """Features for every sample (computed once, then cached); `flip` mirrors images and GT."""
    index = {a: i for i, a in enumerate(actions)}
    tokens, attn, sal, gts = [], [], [], []
    for n, s in enumerate(samples):
        f = extractor(s.image, flip=flip)
        g = f.grid
        tokens.append(torch.from_numpy(f.tokens))
        attn.append(torch.from_numpy(f.cls_attention))
        s_full = torch.from_numpy(f.saliency)[None, None]
        sal.append(F.adaptive_avg_pool2d(s_full, g)[0, 0])
        if with_gt:
            gt = s.load_gt(GT_GRID)
            gts.append(torch.from_numpy(np.ascontiguousarray(gt[:, ::-1] if flip else gt)))
        if log and (n + 1) % 50 == 0:
            log(f"features: {n + 1}/{len(samples)}")
    return Bank(samples, torch.stack(tokens), torch.stack(attn), torch.stack(sal),
                torch.tensor([index[s.action] for s in samples]), torch.stack(gts) if with_gt else None)
