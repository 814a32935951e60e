"""`make bench`: affordd's engine against onnxruntime on the same backbone, one run, alternating.

    python -m affordtools.bench_engine --bench .build/release/affordd-bench --models models

Four contenders at 224x224 with 2 threads: affordd int8 and fp32 (through
`affordd-bench engine-server`, see affordtools.engine_server), onnxruntime
dynamic int8 (quantize_dynamic; QInt8 and QUInt8 weights are both built and
the faster is kept) and onnxruntime fp32, graph optimisations on. Each is
warmed up, then rounds alternate between them until each has the requested
samples, so machine load hits all four alike. Prints a table of medians and
p90, then as its last line one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np
from skimage import data

from .engine_server import EngineServer, EngineServerError
from .ort_bench import Timed, pick_faster, quantized_models
from .backbone import BACKBONE_ONNX
from .preprocess import preprocess

CONTENDERS = ("affordd_int8", "affordd_fp32", "ort_int8", "ort_fp32")


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


def table(stats: dict[str, dict[str, float]]) -> str:
    lines = [f"{'engine':<14}{'median ms':>11}{'p90 ms':>9}{'min ms':>9}{'runs':>6}"]
    for name, s in stats.items():
        lines.append(f"{name:<14}{s['median']:>11.2f}{s['p90']:>9.2f}{s['min']:>9.2f}{s['n']:>6d}")
    return "\n".join(lines)


def measure(args: argparse.Namespace) -> dict[str, object]:
    image = preprocess(data.coffee())
    print("bench: building onnxruntime dynamic-int8 models ...", file=sys.stderr)
    candidates = {name: Timed(path, image, args.threads) for name, path in quantized_models(args.models).items()}
    weight_type = pick_faster(candidates)
    ort_runs = {"ort_int8": candidates[weight_type], "ort_fp32": Timed(args.models / BACKBONE_ONNX, image, args.threads)}
    del candidates
    print(f"bench: onnxruntime int8 uses {weight_type} weights (the faster here)", file=sys.stderr)

    with EngineServer(args.bench, args.models, args.threads) as server:
        runners = {
            "affordd_int8": lambda n: server.run("int8", n),
            "affordd_fp32": lambda n: server.run("fp32", n),
            **{name: timed.run for name, timed in ort_runs.items()},
        }
        for run in runners.values():
            run(args.warmup)
        samples: dict[str, list[float]] = {name: [] for name in CONTENDERS}
        while min(len(v) for v in samples.values()) < args.samples:
            for name in CONTENDERS:
                samples[name] += runners[name](args.per_round)
        cosine_mean, cosine_min = server.cosine()

    stats = summarise(samples)
    print(table(stats))
    load = os.getloadavg()[0]
    if load > (os.cpu_count() or 1):
        print(f"bench: warning: load average {load:.1f} on {os.cpu_count()} cores; timings are inflated", file=sys.stderr)
    median = {name: round(s["median"], 3) for name, s in stats.items()}
    return {
        **{f"{name}_ms": median[name] for name in CONTENDERS},
        "ratio_vs_ort_int8": round(stats["affordd_int8"]["median"] / stats["ort_int8"]["median"], 4),
        "cosine_mean": cosine_mean,
        "cosine_min": cosine_min,
        "ort_int8_weight_type": weight_type,
        "cpu": cpu_name(),
        "threads": args.threads,
        "samples": args.samples,
        "load_avg_1m": round(load, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m affordtools.bench_engine", description=__doc__.split("\n")[0])
    parser.add_argument("--bench", type=Path, required=True, help="the affordd-bench executable")
    parser.add_argument("--models", type=Path, default=Path("models"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--samples", type=int, default=30, help="timed runs per contender, at least")
    parser.add_argument("--per-round", type=int, default=5, help="runs per contender per alternating round")
    parser.add_argument("--warmup", type=int, default=3)
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
