"""The peer affordd is measured against: onnxruntime on the same backbone, fp32 and dynamic int8."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort

from .backbone import BACKBONE_ONNX
from .dinov2_onnx import INPUT_NAME

WEIGHT_TYPES = ("QInt8", "QUInt8")


def quantized_models(models: Path) -> dict[str, Path]:
    """Dynamic-int8 backbones per weight type, built once (ORT's recommended pre-processing first)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.quantization.shape_inference import quant_pre_process

    source = models / BACKBONE_ONNX
    folder = models / "ort"
    folder.mkdir(exist_ok=True)
    prepared = folder / "backbone.pre.onnx"
    built = {weight_type: folder / f"backbone.{weight_type.lower()}.onnx" for weight_type in WEIGHT_TYPES}
    if all(path.exists() and path.stat().st_mtime >= source.stat().st_mtime for path in built.values()):
        return built
    logging.getLogger().setLevel(logging.ERROR)  # quantize_dynamic warns about pre-processing we did
    quant_pre_process(str(source), str(prepared))
    for weight_type, path in built.items():
        tmp = path.with_name(path.name + ".tmp")
        quantize_dynamic(str(prepared), str(tmp), weight_type=getattr(QuantType, weight_type))
        tmp.replace(path)
    prepared.unlink(missing_ok=True)
    return built


def session(path: Path, threads: int = 2) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


class Timed:
    """Times `session.run` alone on one fixed input."""

    def __init__(self, path: Path, image: np.ndarray, threads: int = 2):
        self.session = session(path, threads)
        self.feed = {INPUT_NAME: image}

    def run(self, count: int) -> list[float]:
        times = []
        for _ in range(count):
            start = time.perf_counter()
            self.session.run(None, self.feed)
            times.append((time.perf_counter() - start) * 1e3)
        return times


def pick_faster(candidates: dict[str, Timed], warmup: int = 2, rounds: int = 4, per_round: int = 2) -> str:
    """The candidate with the lowest median over interleaved rounds (fair under load)."""
    samples: dict[str, list[float]] = {name: [] for name in candidates}
    for timed in candidates.values():
        timed.run(warmup)
    for _ in range(rounds):
        for name, timed in candidates.items():
            samples[name] += timed.run(per_round)
    return min(samples, key=lambda name: float(np.median(samples[name])))
