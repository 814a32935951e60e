"""The LOCATE head on frozen DINOv2 patch tokens.

Layout follows docs/MODEL_FORMAT.md: a residual MLP `x + fc2(gelu(fc1(x)))` on each
token, two conv3x3+BN+ReLU, a conv1x1 to K action maps. As in LOCATE, the MLP and the
classifier are shared by egocentric and exocentric images while each view has its own
conv branch; only the egocentric branch is exported (the daemon sees objects alone).

Min-max normalisation makes every map peak somewhere, so the maps cannot say whether an
action is in view. With `presence`, a linear layer on the conv features' spatial maximum
(max, not mean: a small blade is a few patches of a large view) says it per action.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def conv_bn_relu(c_in: int, c_out: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1), nn.BatchNorm2d(c_out), nn.ReLU(inplace=True))


class LocateHead(nn.Module):
    """Maps patch tokens [B, N, D] to action maps [B, K, h, w] (h = w = sqrt(N))."""

    def __init__(self, actions: list[str], embed_dim: int = 384, hidden_dim: int = 256,
                 exo_branch: bool = True, presence: bool = False):
        super().__init__()
        self.actions = list(actions)
        self.embed_dim = embed_dim
        self.hidden_dim = hidden_dim
        self.fc1 = nn.Linear(embed_dim, embed_dim)
        self.fc2 = nn.Linear(embed_dim, embed_dim)
        self.ego = nn.Sequential(conv_bn_relu(embed_dim, hidden_dim), conv_bn_relu(hidden_dim, hidden_dim))
        self.exo = (nn.Sequential(conv_bn_relu(embed_dim, hidden_dim), conv_bn_relu(hidden_dim, hidden_dim))
                    if exo_branch else None)
        self.classifier = nn.Conv2d(hidden_dim, len(self.actions), 1)
        self.presence = nn.Linear(hidden_dim, len(self.actions)) if presence else None

    def project(self, tokens: torch.Tensor) -> torch.Tensor:
        """Residual MLP on tokens [B, N, D] -> feature grid [B, D, h, w]."""
        b, n, d = tokens.shape
        side = int(round(n**0.5))
        if side * side != n:
            raise ValueError(f"{n} tokens do not form a square grid")
        x = tokens + self.fc2(F.gelu(self.fc1(tokens)))
        return x.transpose(1, 2).reshape(b, d, side, side)

    def embed(self, tokens: torch.Tensor, view: str = "ego") -> torch.Tensor:
        """The conv branch's features [B, C, h, w] for `view` ("ego" or "exo")."""
        branch = self.ego if view == "ego" or self.exo is None else self.exo
        return branch(self.project(tokens))

    def forward(self, tokens: torch.Tensor, view: str = "ego") -> torch.Tensor:
        return self.classifier(self.embed(tokens, view))

    def forward_with_presence(self, tokens: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Egocentric maps [B, K, h, w] and presence logits [B, K]."""
        if self.presence is None:
            raise ValueError("this head was built without a presence layer")
        features = self.embed(tokens)
        return self.classifier(features), self.presence(features.amax(dim=(2, 3)))


def concentration_loss(maps: torch.Tensor) -> torch.Tensor:
    """Spatial variance of min-max-normalised maps [B, K, h, w] (SCOPS/LOCATE): favours compact parts."""
    b, k, h, w = maps.shape
    flat = maps.flatten(2)
    lo, hi = flat.min(-1, keepdim=True)[0], flat.max(-1, keepdim=True)[0]
    pdf = (flat - lo) / (hi - lo + 1e-10) + 1e-3
    pdf = pdf / pdf.sum(-1, keepdim=True)
    ys = torch.linspace(-1, 1, h, device=maps.device).view(h, 1).expand(h, w).reshape(-1)
    xs = torch.linspace(-1, 1, w, device=maps.device).view(1, w).expand(h, w).reshape(-1)
    cx, cy = (pdf * xs).sum(-1, keepdim=True), (pdf * ys).sum(-1, keepdim=True)
    return (pdf * ((xs - cx) ** 2 + (ys - cy) ** 2)).sum(-1).mean()
