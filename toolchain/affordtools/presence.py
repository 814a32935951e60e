"""Presence: per action, whether it is in view at all, and how well a head says so.

AGD20K-style layouts label images by action and object (`action/object/img.jpg`), and the
folders say which actions each object affords. That gives presence labels without any new
annotation: an image of a mug shows "hold" but not "cut". `fit_presence` fits a head's
presence layer on those labels after the maps are trained, on the frozen head's features,
so adding it cannot change the maps.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .datasets import Sample
from .head import LocateHead


def afforded_by_object(samples: list[Sample]) -> dict[str, set[str]]:
    """Object -> the actions whose folders hold images of it."""
    afforded: dict[str, set[str]] = {}
    for s in samples:
        afforded.setdefault(s.object, set()).add(s.action)
    return afforded


def in_view_by_object(samples: list[Sample], actions: list[str], afforded: dict[str, set[str]]) -> np.ndarray:
    """[M, K] booleans: the actions each sample's object affords (its own action at least)."""
    return np.array([[a == s.action or a in afforded.get(s.object, ()) for a in actions] for s in samples], bool)


def presence_labels_problem(samples: list[Sample], in_view: np.ndarray) -> str | None:
    """Why these labels cannot train presence, or None when they can."""
    if any(not s.object for s in samples):
        return "the layout names no objects, so which actions are out of view is unknown"
    if in_view.all():
        return "every object affords every action, so no image shows an action out of view"
    return None


def fit_presence(head: LocateHead, tokens: torch.Tensor, in_view: np.ndarray, *, epochs: int = 300,
                 lr: float = 0.05, batch: int = 64) -> None:
    """Gives `head` a presence layer fitted (full-batch AdamW, binary cross-entropy) on the spatial
    maxima of its frozen egocentric features, the readout `forward_with_presence` uses."""
    head.eval()
    with torch.no_grad():
        pooled = torch.cat([head.embed(tokens[i:i + batch]).amax(dim=(2, 3)) for i in range(0, len(tokens), batch)])
    layer = nn.Linear(head.hidden_dim, len(head.actions))
    target = torch.from_numpy(in_view.astype(np.float32))
    opt = torch.optim.AdamW(layer.parameters(), lr=lr, weight_decay=1e-4)
    for _ in range(epochs):
        loss = F.binary_cross_entropy_with_logits(layer(pooled), target)
        opt.zero_grad()
        loss.backward()
        opt.step()
    head.presence = layer


def presence_scores(scores: np.ndarray, in_view: np.ndarray, actions: list[str]) -> dict:
    """Held-out presence [I, K] against which actions are in view: accuracy at 0.5 and ROC AUC per action."""
    def auc(s: np.ndarray, y: np.ndarray) -> float | None:
        positives, negatives = int(y.sum()), int((~y).sum())
        if not positives or not negatives:
            return None
        ranks = np.empty(len(s))
        ranks[np.argsort(s, kind="stable")] = np.arange(1, len(s) + 1)
        return float((ranks[y].sum() - positives * (positives + 1) / 2) / (positives * negatives))
    per_action = {a: auc(scores[:, k], in_view[:, k]) for k, a in enumerate(actions)}
    defined = [v for v in per_action.values() if v is not None]
    return {"accuracy": float(((scores >= 0.5) == in_view).mean()), "in_view_rate": float(in_view.mean()),
            "mean_auc": float(np.mean(defined)) if defined else None, "auc": per_action}
