"""Writes a random LOCATE head file plus numpy reference maps for AffordEngineTests.

The reference is plain numpy, channel-first, with explicit zero padding and a
direct 3x3 convolution loop: nothing shared with the engine's im2col layout.

    python3 head_reference.py OUT_DIR [--tokens FIXTURE.safetensors] [--sha SHA] [--presence]
"""

import argparse
import json
import math
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file, save_file

ERF = np.vectorize(math.erf)


def gelu(x):
    return 0.5 * x * (1.0 + ERF(x / math.sqrt(2.0)))


def conv3x3(x, w, b):
    """x [Cin, H, W], w [Cout, Cin, 3, 3] -> [Cout, H, W], padding 1."""
    cin, h, wd = x.shape
    padded = np.zeros((cin, h + 2, wd + 2))
    padded[:, 1:-1, 1:-1] = x
    out = np.zeros((w.shape[0], h, wd))
    for ky in range(3):
        for kx in range(3):
            window = padded[:, ky:ky + h, kx:kx + wd]
            out += np.einsum("oc,chw->ohw", w[:, :, ky, kx], window)
    return out + b[:, None, None]


def conv_features(features, t, rows, cols):
    """features [rows*cols, D] token-major -> the second conv's ReLU output [C, rows, cols]."""
    x = features.astype(np.float64)
    x = x + (gelu(x @ t["mlp.fc1.weight"].T + t["mlp.fc1.bias"]) @ t["mlp.fc2.weight"].T + t["mlp.fc2.bias"])
    x = x.T.reshape(-1, rows, cols)
    x = np.maximum(conv3x3(x, t["conv1.weight"], t["conv1.bias"]), 0)
    return np.maximum(conv3x3(x, t["conv2.weight"], t["conv2.bias"]), 0)


def head_forward(features, t, rows, cols):
    """features [rows*cols, D] token-major -> maps [K, rows, cols]."""
    w = t["classifier.weight"][:, :, 0, 0]
    return np.einsum("kc,chw->khw", w, conv_features(features, t, rows, cols)) + t["classifier.bias"][:, None, None]


def presence(features, t, rows, cols):
    """sigmoid(W . max over positions of the conv features + b), per action."""
    pooled = conv_features(features, t, rows, cols).reshape(t["conv2.bias"].shape[0], -1).max(axis=1)
    return 1 / (1 + np.exp(-(t["presence.weight"] @ pooled + t["presence.bias"])))


def quantize(w):
    flat = w.reshape(w.shape[0], -1)
    scale = np.abs(flat).max(axis=1) / 127.0
    scale[scale == 0] = 1.0
    q = np.clip(np.round(flat / scale[:, None]), -127, 127).astype(np.int8)
    return q.reshape(w.shape), scale.astype(np.float32)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--tokens", type=Path, help="a backbone fixture whose ORT tokens feed the head")
    parser.add_argument("--sha", default="test-backbone")
    parser.add_argument("--dim", type=int, default=24)
    parser.add_argument("--hidden", type=int, default=16)
    parser.add_argument("--rows", type=int, default=5)
    parser.add_argument("--cols", type=int, default=7)
    parser.add_argument("--presence", action="store_true", help="add a presence layer (max-pooled features -> linear)")
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    actions = ["hold", "cut", "pour"]

    if args.tokens:
        fixture = load_file(str(args.tokens))
        features = fixture["tokens"][1:].astype(np.float32)
        args.dim = features.shape[1]
        args.rows = fixture["input"].shape[2] // 14
        args.cols = fixture["input"].shape[3] // 14
    else:
        features = rng.standard_normal((args.rows * args.cols, args.dim)).astype(np.float32)
    d, c, k = args.dim, args.hidden, len(actions)

    def weight(*shape):
        fan_in = int(np.prod(shape[1:]))
        return (rng.standard_normal(shape) / math.sqrt(fan_in)).astype(np.float32)

    tensors = {
        "mlp.fc1.weight": weight(d, d), "mlp.fc1.bias": weight(d, 1)[:, 0],
        "mlp.fc2.weight": weight(d, d), "mlp.fc2.bias": weight(d, 1)[:, 0],
        "conv1.weight": weight(c, d, 3, 3), "conv1.bias": weight(c, 1)[:, 0],
        "conv2.weight": weight(c, c, 3, 3), "conv2.bias": weight(c, 1)[:, 0],
        "classifier.weight": weight(k, c, 1, 1), "classifier.bias": weight(k, 1)[:, 0],
    }
    if args.presence:
        tensors["presence.weight"], tensors["presence.bias"] = weight(k, c), weight(k, 1)[:, 0]
    metadata = {
        "format": "affordd-head", "format_version": "1", "actions": json.dumps(actions),
        "input_size": str(args.rows * 14), "embed_dim": str(d), "hidden_dim": str(c),
        "backbone_sha256": args.sha, "recipe": json.dumps({"mode": "test"}), "model_id": "test-head",
    }
    if args.presence:
        metadata["presence"] = "max_pooled_linear"
    args.out.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(args.out / "head.fp32.safetensors"), metadata=metadata)

    quantized = dict(tensors)
    dequantized = dict(tensors)
    for name in [n for n in tensors if n.endswith(".weight") and not n.startswith("presence.")]:
        q, scale = quantize(tensors[name])
        quantized[name], quantized[name + "_scale"] = q, scale
        dequantized[name] = (q.reshape(q.shape[0], -1).astype(np.float32) * scale[:, None]).reshape(q.shape)
    save_file(quantized, str(args.out / "head.int8.safetensors"), metadata=metadata)

    maps = head_forward(features, tensors, args.rows, args.cols).astype(np.float32)
    maps_dequantized = head_forward(features, dequantized, args.rows, args.cols).astype(np.float32)
    outputs = {"features": features, "maps": maps, "maps_dequantized": maps_dequantized}
    if args.presence:
        outputs["presence"] = presence(features, tensors, args.rows, args.cols).astype(np.float32)
        outputs["presence_dequantized"] = presence(features, dequantized, args.rows, args.cols).astype(np.float32)
    save_file(outputs,
              str(args.out / "reference.safetensors"))


if __name__ == "__main__":
    main()
