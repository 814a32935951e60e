"""The CPU engines affordd is measured against, all on the same DINOv2 backbone graph.

Five peers, built once into `models/peers/` (rebuilt when the backbone ONNX or the
calibration recipe changes):
- `openvino_int8`: OpenVINO with NNCF's static post-training quantisation
  (`ModelType.TRANSFORMER`, the fixed calibration set below), the strongest CPU int8 peer;
- `openvino_fp32`: OpenVINO, inference precision f32;
- `ort_static_int8`: onnxruntime static QDQ int8, per-channel weights, calibrated (MinMax) on
  the same set;
- `ort_int8`: onnxruntime dynamic int8 (`quantize_dynamic`), QInt8 or QUInt8 weights, whichever
  is faster here;
- `ort_fp32`: onnxruntime fp32.

Every peer runs the graph with its declared input size freed (the export pins 224), so the
same files time 224 and 448. Calibration images are seeded square crops of scikit-image's
bundled photographs that the fidelity check does not use (rocket, retina,
immunohistochemistry, Hubble deep field, colour wheel).
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol

import numpy as np
import onnx
import onnxruntime as ort
from skimage import data

from . import dinov2_onnx
from .backbone import BACKBONE_ONNX
from .dinov2_onnx import INPUT_NAME
from .preprocess import preprocess

WEIGHT_TYPES = ("QInt8", "QUInt8")
CALIBRATION_IMAGES = ("rocket", "retina", "immunohistochemistry", "hubble_deep_field", "colorwheel")
CALIBRATION_COUNT = 32
CALIBRATION_SEED = 20261203
# Part of every built file's cache key: a change here rebuilds the quantised peers.
RECIPE = {"version": 1, "images": CALIBRATION_IMAGES, "count": CALIBRATION_COUNT, "seed": CALIBRATION_SEED}


class Peer(Protocol):
    name: str

    def run(self, count: int) -> list[float]: ...

    def tokens(self, image: np.ndarray) -> np.ndarray: ...


def calibration_set(size: int = 224) -> list[np.ndarray]:
    """CALIBRATION_COUNT preprocessed [1, 3, size, size] inputs, the same on every machine."""
    rng = np.random.default_rng(CALIBRATION_SEED)
    photos = [getattr(data, name)() for name in CALIBRATION_IMAGES]
    inputs = []
    for index in range(CALIBRATION_COUNT):
        photo = photos[index % len(photos)]
        height, width = photo.shape[:2]
        side = int(min(height, width) * rng.uniform(0.5, 1.0))
        top, left = int(rng.integers(0, height - side + 1)), int(rng.integers(0, width - side + 1))
        crop = photo[top:top + side, left:left + side]
        if index % 2:
            crop = crop[:, ::-1]
        inputs.append(preprocess(np.ascontiguousarray(crop), size, size))
    return inputs


def _key(source: Path) -> str:
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    return hashlib.sha256((digest + json.dumps(RECIPE, sort_keys=True)).encode()).hexdigest()[:16]


def _built(path: Path, key: str, build: Callable[[Path], None]) -> Path:
    """`path`, built by `build(tmp)` unless its stamp says it was built from `key`."""
    stamp = path.with_name(path.name + ".key")
    if path.exists() and stamp.exists() and stamp.read_text() == key:
        return path
    tmp = path.with_name("tmp." + path.name)
    build(tmp)
    if path.suffix == ".xml":  # OpenVINO keeps weights beside the graph
        tmp.with_suffix(".bin").replace(path.with_suffix(".bin"))
    tmp.replace(path)
    stamp.write_text(key)
    return path


@dataclass
class PeerModels:
    """The peers' model files under `models/peers/`."""

    free: Path
    ort_dynamic: dict[str, Path]
    ort_static: Path
    openvino_int8: Path


def build_models(models: Path, log: Callable[[str], None] = lambda _: None) -> PeerModels:
    source = models / BACKBONE_ONNX
    folder = models / "peers"
    folder.mkdir(exist_ok=True)
    key = _key(source)
    free = _built(folder / "backbone.free.onnx", key,
                  lambda tmp: onnx.save(dinov2_onnx.with_free_input_size(onnx.load(str(source))), str(tmp)))
    logging.getLogger().setLevel(logging.ERROR)  # the quantisers warn about steps we chose
    prepared = folder / "backbone.pre.onnx"

    def prepare() -> Path:
        from onnxruntime.quantization.shape_inference import quant_pre_process

        if not prepared.exists():
            quant_pre_process(str(free), str(prepared), skip_symbolic_shape=True)
        return prepared

    def dynamic(weight_type: str) -> Callable[[Path], None]:
        def build(tmp: Path) -> None:
            from onnxruntime.quantization import QuantType, quantize_dynamic

            log(f"building onnxruntime dynamic int8 ({weight_type}) ...")
            quantize_dynamic(str(prepare()), str(tmp), weight_type=getattr(QuantType, weight_type))
        return build

    def static(tmp: Path) -> None:
        from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static

        class Reader(CalibrationDataReader):
            def __init__(self) -> None:
                self.inputs = iter(calibration_set())

            def get_next(self) -> dict | None:
                image = next(self.inputs, None)
                return None if image is None else {INPUT_NAME: image}

        log("building onnxruntime static QDQ int8 (per-channel, 32 calibration images) ...")
        quantize_static(str(prepare()), str(tmp), Reader(), quant_format=QuantFormat.QDQ, per_channel=True,
                        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8)

    def openvino(tmp: Path) -> None:
        import nncf
        import openvino as ov

        log("building OpenVINO int8 (NNCF static, ModelType.TRANSFORMER, 32 calibration images) ...")
        model = ov.Core().read_model(str(free))
        quantized = nncf.quantize(model, nncf.Dataset(calibration_set()), model_type=nncf.ModelType.TRANSFORMER,
                                  subset_size=CALIBRATION_COUNT)
        ov.save_model(quantized, str(tmp))

    built = PeerModels(
        free=free,
        ort_dynamic={w: _built(folder / f"backbone.dynamic.{w.lower()}.onnx", key, dynamic(w)) for w in WEIGHT_TYPES},
        ort_static=_built(folder / "backbone.static_qdq.onnx", key, static),
        openvino_int8=_built(folder / "backbone.openvino_int8.xml", key, openvino),
    )
    prepared.unlink(missing_ok=True)
    return built


def _timed(infer: Callable[[], object], count: int) -> list[float]:
    times = []
    for _ in range(count):
        start = time.perf_counter()
        infer()
        times.append((time.perf_counter() - start) * 1e3)
    return times


class OnnxRuntimePeer:
    """Times `session.run` alone on one fixed input."""

    def __init__(self, name: str, path: Path, image: np.ndarray, threads: int = 2):
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.name = name
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.feed = {INPUT_NAME: image}

    def run(self, count: int) -> list[float]:
        return _timed(lambda: self.session.run(None, self.feed), count)

    def tokens(self, image: np.ndarray) -> np.ndarray:
        return self.session.run(None, {INPUT_NAME: image})[0].reshape(-1, 384)


class OpenVINOPeer:
    """One compiled OpenVINO model at a static input size; latency hint, one stream."""

    def __init__(self, name: str, path: Path, image: np.ndarray, threads: int = 2):
        import openvino as ov

        core = ov.Core()
        model = core.read_model(str(path))
        model.reshape({INPUT_NAME: list(image.shape)})
        compiled = core.compile_model(model, "CPU", {
            "INFERENCE_NUM_THREADS": threads, "NUM_STREAMS": 1, "PERFORMANCE_HINT": "LATENCY",
            "INFERENCE_PRECISION_HINT": "f32",  # int8 layers stay int8; the rest is not bf16 on a CPU that has it
        })
        self.name = name
        self.request = compiled.create_infer_request()
        self.image = image

    def run(self, count: int) -> list[float]:
        return _timed(lambda: self.request.infer({0: self.image}), count)

    def tokens(self, image: np.ndarray) -> np.ndarray:
        return np.asarray(self.request.infer({0: image})[0]).reshape(-1, 384)


def peers(built: PeerModels, image: np.ndarray, threads: int = 2) -> tuple[list[Peer], str]:
    """Every peer on `image` ([1, 3, S, S]); also which dynamic weight type won."""
    dynamic = {w: OnnxRuntimePeer("ort_int8", path, image, threads) for w, path in built.ort_dynamic.items()}
    weight_type = pick_faster(dynamic)
    return [
        OpenVINOPeer("openvino_int8", built.openvino_int8, image, threads),
        OpenVINOPeer("openvino_fp32", built.free, image, threads),
        OnnxRuntimePeer("ort_static_int8", built.ort_static, image, threads),
        dynamic[weight_type],
        OnnxRuntimePeer("ort_fp32", built.free, image, threads),
    ], weight_type


def pick_faster(candidates: dict[str, Peer], warmup: int = 2, rounds: int = 4, per_round: int = 2) -> str:
    """The candidate with the lowest median over interleaved rounds (fair under load)."""
    samples: dict[str, list[float]] = {name: [] for name in candidates}
    for peer in candidates.values():
        peer.run(warmup)
    for _ in range(rounds):
        for name, peer in candidates.items():
            samples[name] += peer.run(per_round)
    return min(samples, key=lambda name: float(np.median(samples[name])))


def row_cosines(tokens: np.ndarray, reference: np.ndarray) -> np.ndarray:
    tokens, reference = tokens.astype(np.float64), reference.astype(np.float64)
    dot = np.sum(tokens * reference, axis=1)
    return dot / (np.linalg.norm(tokens, axis=1) * np.linalg.norm(reference, axis=1) + 1e-12)
