"""`make bench`: affordd's engine against the strongest CPU peers on the same backbone, one run.

    python -m affordtools.bench_engine --bench .build/release/affordd-bench --models models

At 224x224 (then 448x448) with 2 threads: affordd int8 and fp32 (through `affordd-bench
engine-server`, see affordtools.engine_server) and the peers of affordtools.peers (OpenVINO
int8 with NNCF and fp32, onnxruntime static QDQ int8, dynamic int8 and fp32). Each is warmed
up, then rounds alternate between them until each has the requested samples, so machine
load hits all alike. Thread pools (onnxruntime's above all) keep spinning for tens of
milliseconds after a run, which doubled the next contender's first runs, so each turn starts
after an idle gap (--gap-s) and with one untimed run. Fidelity is the per-token cosine against
one fp32 reference for all:
onnxruntime fp32 on the original graph (the fixtures' `tokens`). The GEMM floor is every
multiply-accumulate of the backbone at the int8 kernel's peak measured in this run. Then
affordd's per-image time for batches of 1, 2 and 4. Prints tables of medians, then as its
last line one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Callable

import numpy as np
from safetensors.numpy import load_file
from skimage import data

from . import peers as peer_engines
from .engine_server import EngineServer, EngineServerError
from .preprocess import preprocess

AFFORDD = ("affordd_int8", "affordd_fp32")
BATCHES = (1, 2, 4)


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return f"{line.split(':', 1)[1].strip()} ({os.cpu_count()} cores)"
    except OSError:
        pass
    return f"unknown ({os.cpu_count()} cores)"


def summarise(samples: dict[str, list[float]]) -> dict[str, dict[str, float]]:
    return {
        name: {"median": float(np.median(v)), "p90": float(np.percentile(v, 90)), "min": min(v), "n": len(v)}
        for name, v in samples.items()
    }


def table(stats: dict[str, dict[str, float]], fidelity: dict[str, dict[str, float]] | None = None) -> str:
    lines = [f"{'engine':<17}{'median ms':>11}{'p90 ms':>9}{'min ms':>9}{'runs':>6}{'cosine mean/min':>20}"]
    for name, s in stats.items():
        cosine = fidelity.get(name) if fidelity else None
        shown = f"{cosine['mean']:.5f}/{cosine['min']:.5f}" if cosine else "-"
        lines.append(f"{name:<17}{s['median']:>11.2f}{s['p90']:>9.2f}{s['min']:>9.2f}{s['n']:>6d}{shown:>20}")
    return "\n".join(lines)


def seconds(text: str) -> float:
    """An argparse type: a finite duration of 0 to 10 s."""
    value = float(text)
    if not 0 <= value <= 10:
        raise argparse.ArgumentTypeError(f"{text} is not a duration of 0 to 10 seconds")
    return value


def alternate(runners: dict[str, Callable[[int], list[float]]], samples: int, per_round: int,
              warmup: int, gap_s: float) -> dict[str, list[float]]:
    for run in runners.values():
        run(warmup)
    times: dict[str, list[float]] = {name: [] for name in runners}
    while min(len(v) for v in times.values()) < samples:
        for name, run in runners.items():
            # The previous contender's pool may still spin on the cores: let it fall asleep, then
            # one untimed lead-in to warm the caches.
            time.sleep(gap_s)
            times[name] += run(per_round + 1)[1:]
    return times


def peer_fidelity(peer: peer_engines.Peer, references: list[dict[str, np.ndarray]]) -> dict[str, float]:
    cosines = np.concatenate([peer_engines.row_cosines(peer.tokens(r["input"]), r["tokens"]) for r in references])
    return {"mean": round(float(cosines.mean()), 6), "min": round(float(cosines.min()), 6)}


def reference_fixtures(fixtures: Path, size: int) -> list[dict[str, np.ndarray]]:
    found = []
    for path in sorted(fixtures.glob("backbone_*.safetensors")):
        tensors = load_file(str(path))
        if tensors["input"].shape[2:] == (size, size):
            found.append(tensors)
    if not found:
        raise EngineServerError(f"no {size}x{size} backbone_*.safetensors fixtures in {fixtures}: run `make fixtures`")
    return found


def against_peers(stats: dict[str, dict[str, float]], floor_ms: float) -> dict[str, object]:
    """The JSON fields that compare affordd int8 with the fastest peer and with the GEMM floor."""
    peer_medians = {name: s["median"] for name, s in stats.items() if name not in AFFORDD}
    best = min(peer_medians, key=peer_medians.__getitem__)
    ours = stats["affordd_int8"]["median"]
    return {
        **{f"{name}_ms": round(s["median"], 3) for name, s in stats.items()},
        "best_peer": best,
        "best_peer_ms": round(peer_medians[best], 3),
        "ratio_vs_best_peer": round(ours / peer_medians[best], 4),
        "gemm_floor_ms": round(floor_ms, 3),
        "ratio_vs_floor": round(ours / floor_ms, 4),
    }


def measure_size(server: EngineServer, built: peer_engines.PeerModels, size: int, args: argparse.Namespace,
                 fidelity: bool) -> tuple[dict[str, object], dict[str, dict[str, float]]]:
    image = preprocess(data.coffee(), size, size)
    contenders, weight_type = peer_engines.peers(built, image, args.threads)
    runners: dict[str, Callable[[int], list[float]]] = {
        "affordd_int8": lambda n: server.run("int8", n, size),
        "affordd_fp32": lambda n: server.run("fp32", n, size),
        **{peer.name: peer.run for peer in contenders},
    }
    samples = args.samples if size == 224 else args.samples_448
    stats = summarise(alternate(runners, samples, args.per_round, args.warmup, args.gap_s))
    cosines: dict[str, dict[str, float]] = {}
    if fidelity:
        references = reference_fixtures(args.fixtures, size)
        mean, low = server.reference_cosine(size)
        cosines["affordd_int8"] = {"mean": mean, "min": low}
        for peer in contenders:
            cosines[peer.name] = peer_fidelity(peer, references)
    print(f"\n{size}x{size}, {args.threads} threads (onnxruntime dynamic int8 with {weight_type} weights, the faster here)")
    print(table(stats, cosines))
    floor = server.floor(size)
    result = {**against_peers(stats, floor["floor_ms"]), "gemm_macs": floor["macs"], "peak_gops": floor["peak_gops"],
              "ort_int8_weight_type": weight_type}
    if cosines:
        result["cosine"] = cosines
    return result, stats


def measure(args: argparse.Namespace) -> dict[str, object]:
    print("bench: building the peers (cached in models/peers) ...", file=sys.stderr)
    built = peer_engines.build_models(args.models, log=lambda line: print(f"bench: {line}", file=sys.stderr))
    with EngineServer(args.bench, args.models, args.threads, fixtures=args.fixtures) as server:
        at_224, _ = measure_size(server, built, 224, args, fidelity=True)
        cosine_mean, cosine_min = server.cosine()
        batched = alternate({str(b): lambda n, b=b: server.run("int8", n, 224, b) for b in BATCHES},
                            args.batch_samples, args.per_round, 1, args.gap_s)
        batch = {b: float(np.median(batched[str(b)])) / b for b in BATCHES}
        print("\naffordd int8 per image, batched at 224: "
              + ", ".join(f"B={b} {ms:.2f} ms" for b, ms in batch.items()))
        at_448 = None
        if args.samples_448 > 0:
            at_448, _ = measure_size(server, built, 448, args, fidelity=False)

    load = os.getloadavg()[0]
    if load > (os.cpu_count() or 1):
        print(f"bench: warning: load average {load:.1f} on {os.cpu_count()} cores; timings are inflated", file=sys.stderr)
    result: dict[str, object] = {
        **at_224,
        "ratio_vs_ort_int8": round(float(at_224["affordd_int8_ms"]) / float(at_224["ort_int8_ms"]), 4),
        "cosine_mean": cosine_mean,
        "cosine_min": cosine_min,
        "batch_per_image_ms": {str(b): round(ms, 3) for b, ms in batch.items()},
        "cpu": cpu_name(),
        "threads": args.threads,
        "samples": args.samples,
        "load_avg_1m": round(load, 2),
    }
    if at_448 is not None:
        result["at_448"] = {k: v for k, v in at_448.items() if k != "ort_int8_weight_type"}
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m affordtools.bench_engine", description=__doc__.split("\n")[0])
    parser.add_argument("--bench", type=Path, required=True, help="the affordd-bench executable")
    parser.add_argument("--models", type=Path, default=Path("models"))
    parser.add_argument("--fixtures", type=Path, default=Path("fixtures"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--samples", type=int, default=30, help="timed runs per contender at 224, at least")
    parser.add_argument("--samples-448", type=int, default=10, help="timed runs per contender at 448 (0: skip 448)")
    parser.add_argument("--batch-samples", type=int, default=15, help="timed batches per batch size")
    parser.add_argument("--per-round", type=int, default=5, help="runs per contender per alternating round")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--gap-s", type=seconds, default=0.3,
                        help="idle seconds before each turn, for the previous contender's threads to stop spinning")
    args = parser.parse_args(argv)
    try:
        result = measure(args)
    except EngineServerError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
