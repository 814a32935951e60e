"""PyTorch DINOv2 ViT-S/14 that loads affordd's fp32 backbone file (docs/MODEL_FORMAT.md).

Frozen and inference-only: training heads never back-propagates into it, so features
are computed once per image and cached (see `features.py`).
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from safetensors import safe_open
from torch import nn

PATCH = 14


@dataclass(frozen=True)
class BackboneConfig:
    """Hyper-parameters read from the backbone file's metadata."""

    embed_dim: int = 384
    depth: int = 12
    num_heads: int = 6
    mlp_hidden: int = 1536
    pos_grid: int = 37
    layer_norm_eps: float = 1e-6
    image_mean: tuple[float, float, float] = (0.485, 0.456, 0.406)
    image_std: tuple[float, float, float] = (0.229, 0.224, 0.225)
    source_sha256: str = ""

    @classmethod
    def from_metadata(cls, meta: dict[str, str]) -> "BackboneConfig":
        d = cls()
        get = meta.get
        return cls(
            embed_dim=int(get("embed_dim", d.embed_dim)),
            depth=int(get("depth", d.depth)),
            num_heads=int(get("num_heads", d.num_heads)),
            mlp_hidden=int(get("mlp_hidden", d.mlp_hidden)),
            pos_grid=int(get("pos_grid", d.pos_grid)),
            layer_norm_eps=float(get("layer_norm_eps", d.layer_norm_eps)),
            image_mean=tuple(json.loads(get("image_mean", json.dumps(d.image_mean)))),
            image_std=tuple(json.loads(get("image_std", json.dumps(d.image_std)))),
            source_sha256=get("source_sha256", ""),
        )


class _Attention(nn.Module):
    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.heads = heads
        self.query = nn.Linear(dim, dim)
        self.key = nn.Linear(dim, dim)
        self.value = nn.Linear(dim, dim)
        self.dense = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        b, n, d = x.shape
        split = lambda t: t.view(b, n, self.heads, d // self.heads).transpose(1, 2)  # noqa: E731
        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        attn = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d // self.heads), dim=-1)
        out = (attn @ v).transpose(1, 2).reshape(b, n, d)
        return self.dense(out), attn


class _Block(nn.Module):
    def __init__(self, cfg: BackboneConfig):
        super().__init__()
        d = cfg.embed_dim
        self.norm1 = nn.LayerNorm(d, eps=cfg.layer_norm_eps)
        self.attention = _Attention(d, cfg.num_heads)
        self.lambda1 = nn.Parameter(torch.ones(d))
        self.norm2 = nn.LayerNorm(d, eps=cfg.layer_norm_eps)
        self.fc1 = nn.Linear(d, cfg.mlp_hidden)
        self.fc2 = nn.Linear(cfg.mlp_hidden, d)
        self.lambda2 = nn.Parameter(torch.ones(d))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        a, attn = self.attention(self.norm1(x))
        x = x + self.lambda1 * a
        x = x + self.lambda2 * self.fc2(F.gelu(self.fc1(self.norm2(x))))
        return x, attn


@dataclass
class BackboneOutput:
    """Final-layernorm tokens [B, 1+N, D] and the last block's CLS->patch attention [B, heads, N]."""

    tokens: torch.Tensor
    cls_attention: torch.Tensor

    @property
    def patch_tokens(self) -> torch.Tensor:
        return self.tokens[:, 1:]


class DinoV2(nn.Module):
    """DINOv2 ViT-S/14 with Hugging Face `Dinov2Model` semantics, cut at the final layernorm."""

    def __init__(self, cfg: BackboneConfig):
        super().__init__()
        self.cfg = cfg
        d = cfg.embed_dim
        self.cls_token = nn.Parameter(torch.zeros(1, 1, d))
        self.position_embeddings = nn.Parameter(torch.zeros(1, 1 + cfg.pos_grid**2, d))
        self.patch_embed = nn.Conv2d(3, d, PATCH, PATCH)
        self.blocks = nn.ModuleList(_Block(cfg) for _ in range(cfg.depth))
        self.layernorm = nn.LayerNorm(d, eps=cfg.layer_norm_eps)

    def position_embedding(self, grid_h: int, grid_w: int) -> torch.Tensor:
        """Position embeddings for a grid, resized bicubically (a=-0.75, half-pixel) like the ONNX graph."""
        pe = self.position_embeddings
        g = self.cfg.pos_grid
        if grid_h == g and grid_w == g:
            return pe
        patch = pe[:, 1:].reshape(1, g, g, -1).permute(0, 3, 1, 2)
        patch = F.interpolate(patch, size=(grid_h, grid_w), mode="bicubic", align_corners=False)
        return torch.cat([pe[:, :1], patch.flatten(2).transpose(1, 2)], dim=1)

    def forward(self, pixels: torch.Tensor) -> BackboneOutput:
        """`pixels`: [B, 3, H, W] ImageNet-normalised, H and W multiples of 14."""
        b, _, h, w = pixels.shape
        if h % PATCH or w % PATCH:
            raise ValueError(f"input {h}x{w} is not a multiple of {PATCH}")
        x = self.patch_embed(pixels).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls_token.expand(b, -1, -1), x], dim=1)
        x = x + self.position_embedding(h // PATCH, w // PATCH)
        attn = None
        for block in self.blocks:
            x, attn = block(x)
        assert attn is not None
        return BackboneOutput(self.layernorm(x), attn[:, :, 0, 1:])

    def normalize(self, rgb: np.ndarray) -> torch.Tensor:
        """HxWx3 RGB in [0, 255] (uint8 or float) -> [1, 3, H, W] normalised float tensor."""
        x = torch.from_numpy(np.ascontiguousarray(rgb)).float().div_(255.0).permute(2, 0, 1)
        mean = torch.tensor(self.cfg.image_mean).view(3, 1, 1)
        std = torch.tensor(self.cfg.image_std).view(3, 1, 1)
        return ((x - mean) / std).unsqueeze(0)


# Our parameter name -> the file's (Hugging Face) name; `{i}` is the block index.
_BLOCK_NAMES = {
    "norm1.weight": "norm1.weight", "norm1.bias": "norm1.bias",
    "attention.query.weight": "attention.attention.query.weight",
    "attention.query.bias": "attention.attention.query.bias",
    "attention.key.weight": "attention.attention.key.weight",
    "attention.key.bias": "attention.attention.key.bias",
    "attention.value.weight": "attention.attention.value.weight",
    "attention.value.bias": "attention.attention.value.bias",
    "attention.dense.weight": "attention.output.dense.weight",
    "attention.dense.bias": "attention.output.dense.bias",
    "lambda1": "layer_scale1.lambda1", "lambda2": "layer_scale2.lambda1",
    "norm2.weight": "norm2.weight", "norm2.bias": "norm2.bias",
    "fc1.weight": "mlp.fc1.weight", "fc1.bias": "mlp.fc1.bias",
    "fc2.weight": "mlp.fc2.weight", "fc2.bias": "mlp.fc2.bias",
}
_TOP_NAMES = {
    "cls_token": "embeddings.cls_token",
    "position_embeddings": "embeddings.position_embeddings",
    "patch_embed.weight": "embeddings.patch_embeddings.projection.weight",
    "patch_embed.bias": "embeddings.patch_embeddings.projection.bias",
    "layernorm.weight": "layernorm.weight",
    "layernorm.bias": "layernorm.bias",
}


def load_dinov2(path: str | Path) -> DinoV2:
    """Loads the fp32 backbone file; fails naming the missing tensor or a quantized file."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"backbone file not found: {path} (run `make models`)")
    with safe_open(str(path), framework="pt") as f:
        meta = f.metadata() or {}
        if meta.get("quantization", "none") != "none":
            raise ValueError(f"{path}: PyTorch needs the fp32 backbone, got quantization={meta['quantization']}")
        cfg = BackboneConfig.from_metadata(meta)
        model = DinoV2(cfg)
        names = dict(_TOP_NAMES)
        for i in range(cfg.depth):
            names.update({f"blocks.{i}.{k}": f"encoder.layer.{i}.{v}" for k, v in _BLOCK_NAMES.items()})
        available = set(f.keys())
        state = {}
        for ours, theirs in names.items():
            if theirs not in available:
                raise KeyError(f"{path}: tensor {theirs!r} missing")
            state[ours] = f.get_tensor(theirs).float()
    model.load_state_dict(state, strict=True)
    return model.eval().requires_grad_(False)
