"""Writes a trained head as affordd's head file (docs/MODEL_FORMAT.md) and reads it back.

    python -m affordtools.export roundtrip --out fixtures/

writes the parity fixture for the Swift head (`head_roundtrip.safetensors`, see
`write_roundtrip`). Training writes head files through `export_head`.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch
from safetensors import safe_open
from safetensors.numpy import save_file

from .head import LocateHead

FORMAT = "affordd-head"
FORMAT_VERSION = "1"
QUANTIZED = ("mlp.fc1.weight", "mlp.fc2.weight", "conv1.weight", "conv2.weight", "classifier.weight")
PRESENCE_READOUT = "max_pooled_linear"  # the `presence` metadata value; the daemon knows the same name


def fold_bn(conv: torch.nn.Conv2d, bn: torch.nn.Module) -> tuple[np.ndarray, np.ndarray]:
    """Conv followed by eval-mode BatchNorm as one conv: (weight, bias). An `Identity` in the
    BatchNorm's place (a head read back by `head_from_file`, already folded) leaves the conv as it is."""
    if isinstance(bn, torch.nn.Identity):
        return conv.weight.detach().numpy().astype(np.float32), conv.bias.detach().numpy().astype(np.float32)
    scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
    w = conv.weight * scale.view(-1, 1, 1, 1)
    b = (conv.bias - bn.running_mean) * scale + bn.bias
    return w.detach().numpy().astype(np.float32), b.detach().numpy().astype(np.float32)


def head_tensors(head: LocateHead) -> dict[str, np.ndarray]:
    """The exported (egocentric, BN-folded) tensors in fp32."""
    c1, c2 = head.ego[0], head.ego[1]
    w1, b1 = fold_bn(c1[0], c1[1])
    w2, b2 = fold_bn(c2[0], c2[1])
    t = lambda p: p.detach().numpy().astype(np.float32)  # noqa: E731
    return {
        "mlp.fc1.weight": t(head.fc1.weight), "mlp.fc1.bias": t(head.fc1.bias),
        "mlp.fc2.weight": t(head.fc2.weight), "mlp.fc2.bias": t(head.fc2.bias),
        "conv1.weight": w1, "conv1.bias": b1, "conv2.weight": w2, "conv2.bias": b2,
        "classifier.weight": t(head.classifier.weight), "classifier.bias": t(head.classifier.bias),
        **({"presence.weight": t(head.presence.weight), "presence.bias": t(head.presence.bias)}
           if head.presence is not None else {}),
    }


def quantize_per_channel(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric int8 per output channel: w ≈ scale[o] * q[o, ...], q in [-127, 127]."""
    flat = w.reshape(w.shape[0], -1)
    scale = np.abs(flat).max(axis=1) / 127.0
    scale = np.where(scale > 0, scale, 1.0).astype(np.float32)
    q = np.clip(np.rint(flat / scale[:, None]), -127, 127).astype(np.int8)
    return q.reshape(w.shape), scale


def export_head(head: LocateHead, out: str | Path, *, input_size: int, backbone_sha256: str,
                recipe: dict, model_id: str, int8: bool = False,
                extra: dict[str, str] | None = None) -> dict[str, np.ndarray]:
    """Writes the head file; returns the fp32 tensors the file represents (dequantized if int8).
    `extra` adds metadata keys (e.g. PIAL's `contact_kinds`)."""
    head = head.eval()
    tensors = head_tensors(head)
    stored: dict[str, np.ndarray] = {}
    effective: dict[str, np.ndarray] = {}
    for name, value in tensors.items():
        if int8 and name in QUANTIZED:
            q, scale = quantize_per_channel(value)
            stored[name], stored[name + "_scale"] = q, scale
            effective[name] = q.astype(np.float32) * scale.reshape(-1, *([1] * (value.ndim - 1)))
        else:
            stored[name] = effective[name] = value
    meta = {
        "format": FORMAT, "format_version": FORMAT_VERSION,
        "actions": json.dumps(head.actions), "input_size": str(input_size),
        "embed_dim": str(head.embed_dim), "hidden_dim": str(head.hidden_dim),
        "backbone_sha256": backbone_sha256, "recipe": json.dumps(recipe, sort_keys=True),
        "model_id": model_id, "quantization": "int8-symmetric-per-output-channel" if int8 else "none",
        **({"presence": PRESENCE_READOUT} if head.presence is not None else {}),
        **(extra or {}),
    }
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    save_file({k: np.ascontiguousarray(v) for k, v in stored.items()}, str(out), metadata=meta)
    return effective


def load_head_file(path: str | Path) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Reads a head file; int8 weights come back dequantized to fp32."""
    with safe_open(str(path), framework="numpy") as f:
        meta = f.metadata() or {}
        raw = {k: f.get_tensor(k) for k in f.keys()}
    if meta.get("format") != FORMAT:
        raise ValueError(f"{path}: format is {meta.get('format')!r}, expected {FORMAT!r}")
    out = {}
    for name, value in raw.items():
        if name.endswith("_scale"):
            continue
        if value.dtype == np.int8:
            scale = raw.get(name + "_scale")
            if scale is None:
                raise KeyError(f"{path}: int8 tensor {name!r} has no {name}_scale")
            value = value.astype(np.float32) * scale.reshape(-1, *([1] * (value.ndim - 1)))
        out[name] = value.astype(np.float32)
    return out, meta


def head_from_file(path: str | Path) -> LocateHead:
    """A trainable head holding a head file's weights (int8 ones dequantized). Its BatchNorms are
    folded into the convolutions already, so they become `Identity`: the head computes what the
    file does, in training mode too, and exports back to the same layout."""
    weights, meta = load_head_file(path)
    presence = "presence.weight" in weights
    head = LocateHead(json.loads(meta["actions"]), int(meta["embed_dim"]), int(meta["hidden_dim"]),
                      exo_branch=False, presence=presence)
    for block in head.ego:
        block[1] = torch.nn.Identity()
    modules = {"mlp.fc1": head.fc1, "mlp.fc2": head.fc2, "conv1": head.ego[0][0], "conv2": head.ego[1][0],
               "classifier": head.classifier, **({"presence": head.presence} if presence else {})}
    with torch.no_grad():
        for name, module in modules.items():
            module.weight.copy_(torch.from_numpy(weights[f"{name}.weight"]))
            module.bias.copy_(torch.from_numpy(weights[f"{name}.bias"]))
    return head


def head_forward_numpy(t: dict[str, np.ndarray], tokens: np.ndarray) -> np.ndarray:
    """Plain reference forward of a head file: tokens [N, D] -> maps [K, h, w]."""
    w = t["classifier.weight"][:, :, 0, 0]
    features = head_features_numpy(t, tokens)
    return (np.einsum("kc,chw->khw", w, features) + t["classifier.bias"][:, None, None]).astype(np.float32)


def presence_numpy(t: dict[str, np.ndarray], tokens: np.ndarray) -> np.ndarray:
    """Reference presence of a head file with a presence layer: tokens [N, D] -> probability per action [K]."""
    pooled = head_features_numpy(t, tokens).max(axis=(1, 2))
    logits = t["presence.weight"] @ pooled + t["presence.bias"]
    return (1 / (1 + np.exp(-logits))).astype(np.float32)


def head_features_numpy(t: dict[str, np.ndarray], tokens: np.ndarray) -> np.ndarray:
    """The second conv's output [C, h, w], after its ReLU."""
    from scipy.special import erf

    n, d = tokens.shape
    side = int(round(np.sqrt(n)))
    h = tokens @ t["mlp.fc1.weight"].T + t["mlp.fc1.bias"]
    h = 0.5 * h * (1 + erf(h / np.sqrt(2)))
    x = tokens + h @ t["mlp.fc2.weight"].T + t["mlp.fc2.bias"]
    x = x.T.reshape(d, side, side)

    def conv3x3(x, w, b):
        p = np.pad(x, ((0, 0), (1, 1), (1, 1)))
        out = np.zeros((w.shape[0], side, side), np.float64) + b[:, None, None]
        for dy in range(3):
            for dx in range(3):
                out += np.einsum("oc,chw->ohw", w[:, :, dy, dx], p[:, dy:dy + side, dx:dx + side])
        return np.maximum(out, 0)

    x = conv3x3(x, t["conv1.weight"], t["conv1.bias"])
    return conv3x3(x, t["conv2.weight"], t["conv2.bias"])


def write_roundtrip(out_dir: str | Path, seed: int = 0) -> Path:
    """Parity fixture for the Swift head: a seeded head with non-trivial BN stats, in F32 and I8.

    `head_roundtrip.safetensors` holds `tokens` [256, 384] (grid row-major, as the backbone's
    patch tokens), `maps_f32` / `maps_i8` [K, 16, 16] (classifier outputs, before any
    upsampling or normalisation) and metadata naming the two head files beside it.
    """
    out_dir = Path(out_dir)
    torch.manual_seed(seed)
    actions = ["hold", "cut", "pour"]
    head = LocateHead(actions, 384, 64, exo_branch=False)
    for m in head.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.2, 0.2)
            m.running_var.uniform_(0.5, 2.0)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.1, 0.1)
    head.eval()
    tokens = torch.randn(1, 256, 384) * 2.0
    with torch.no_grad():
        maps_torch = head(tokens)[0].numpy()
    common = dict(input_size=224, backbone_sha256="roundtrip", recipe={"mode": "roundtrip", "seed": seed})
    f32 = export_head(head, out_dir / "roundtrip.f32.head.safetensors", model_id="roundtrip-f32", **common)
    i8 = export_head(head, out_dir / "roundtrip.i8.head.safetensors", model_id="roundtrip-i8", int8=True, **common)
    tok = tokens[0].numpy()
    maps_f32 = head_forward_numpy(f32, tok)
    if not np.allclose(maps_f32, maps_torch, rtol=1e-4, atol=1e-4):
        raise AssertionError("folded export disagrees with the PyTorch head")
    target = out_dir / "head_roundtrip.safetensors"
    save_file({"tokens": tok, "maps_f32": maps_torch, "maps_i8": head_forward_numpy(i8, tok)}, str(target),
              metadata={"head_f32": "roundtrip.f32.head.safetensors", "head_i8": "roundtrip.i8.head.safetensors",
                        "layout": "tokens [N=h*w, D] row-major grid; maps [K, h, w] raw classifier outputs"})
    return target


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m affordtools.export", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    rt = sub.add_parser("roundtrip", help="write the Swift head parity fixture")
    rt.add_argument("--out", required=True)
    args = ap.parse_args(argv)
    if args.cmd == "roundtrip":
        print(write_roundtrip(args.out))


if __name__ == "__main__":
    main()
