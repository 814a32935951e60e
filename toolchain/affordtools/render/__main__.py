"""`python -m affordtools.render --out DIR --count N [--seed S] [--categories mug,knife,...]`
or, for a user's own object, `... --mesh thing.obj --parts thing.json` (see user_mesh.py).

Writes the generic layout that the training readers take:

    DIR/images/<name>.png             the render (sRGB)
    DIR/heatmaps/<action>/<name>.png  8-bit GT per visible action
    DIR/parts/<name>.png              part labels: 0 background, i + 1 = part i of the object
    DIR/index.jsonl                   one line per sample: category, parts, actions, shape parameters

Sample i depends only on (seed, i): a stopped run resumes where it left off and two
runs with the same arguments write the same dataset.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image
from scipy.ndimage import median_filter

from .categories import CATEGORIES, HELD_OUT
from .heatmap import action_heatmaps
from .scene import render
from .user_mesh import user_object


MAX_ATTEMPTS = 5
MIN_OBJECT_FRACTION = 0.01  # redraw camera and clutter when the object is (nearly) hidden
MIN_MEAN_LEVEL = 12  # or the frame is black


def sample_name(category: str, seed: int, index: int) -> str:
    return f"{category}_{seed}_{index:06d}"


def generate_one(out: Path, category: str, seed: int, index: int, size: int, spp: int, builders=CATEGORIES,
                 median: int = 0, view: str = "mixed") -> dict:
    rng = np.random.default_rng([seed, index])
    obj = builders[category](rng)
    for _attempt in range(MAX_ATTEMPTS):  # the same generator draws again: still reproducible
        result = render(obj, rng, size, spp, view)
        # Far views are small by design: only a hidden object is redrawn.
        least = MIN_OBJECT_FRACTION if view == "mixed" else MIN_OBJECT_FRACTION / 20
        if (result.parts > 0).mean() >= least and result.image.mean() >= MIN_MEAN_LEVEL:
            break
    name = sample_name(category, seed, index)
    maps = action_heatmaps(result.parts, [part.actions for part in obj.parts])
    for action, heat in maps.items():
        (out / "heatmaps" / action).mkdir(parents=True, exist_ok=True)
        Image.fromarray(heat).save(out / "heatmaps" / action / f"{name}.png")
    Image.fromarray(result.parts).save(out / "parts" / f"{name}.png")
    image = median_filter(result.image, size=(median, median, 1)) if median > 1 else result.image
    Image.fromarray(image).save(out / "images" / f"{name}.png")  # last: marks the sample complete
    return {
        "name": name, "category": category, "seed": seed, "index": index,
        "parts": [{"label": i + 1, "name": p.name, "material": p.material, "actions": list(p.actions)}
                  for i, p in enumerate(obj.parts)],
        "visible_actions": sorted(maps), "params": {k: round(float(v), 5) for k, v in obj.params.items()},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m affordtools.render", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--categories", default=",".join(CATEGORIES),
                        help=f"from {', '.join(CATEGORIES)}; held out from training: {', '.join(HELD_OUT)}")
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--spp", type=int, default=32, help="path-tracing samples per pixel")
    parser.add_argument("--median", type=int, default=0, help="median filter width for the image (a cheap denoiser at low spp)")
    parser.add_argument("--shard", default="0/1", help="K/N: render only samples i with i %% N == K (parallel jobs, one folder each)")
    parser.add_argument("--threads", type=int, default=0, help="renderer threads (0: one per core); 1 suits several shard jobs")
    parser.add_argument("--restart-every", type=int, default=200, metavar="N",
                        help="re-execute after N new samples: drjit keeps per-scene memory until exit (0: never)")
    parser.add_argument("--mesh", type=Path, help="render this OBJ (groups = parts) instead of the categories")
    parser.add_argument("--parts", type=Path, help="JSON: actions and material per part of --mesh")
    parser.add_argument("--up", choices=("z", "y"), default="z", help="the up axis of --mesh")
    parser.add_argument("--view", choices=("mixed", "far"), default="mixed",
                        help="mixed: the training distribution; far: every object under about 15%% of the frame (zoom's test set)")
    args = parser.parse_args(argv)
    builders = {**CATEGORIES, **HELD_OUT}
    if args.mesh:
        try:
            builders = {args.mesh.stem: user_object(args.mesh, args.parts, args.up)}
        except (OSError, ValueError) as error:
            parser.error(str(error))
        categories = [args.mesh.stem]
    else:
        categories = args.categories.split(",")
    unknown = [c for c in categories if c not in builders]
    if unknown:
        parser.error(f"unknown categories {unknown}; known: {', '.join(builders)}")

    try:
        shard, shards = (int(k) for k in args.shard.split("/"))
        if not 0 <= shard < shards:
            raise ValueError
    except ValueError:
        parser.error(f"--shard wants K/N with 0 <= K < N, got {args.shard!r}")
    if args.threads:
        import drjit

        drjit.set_thread_count(args.threads)

    for folder in ("images", "heatmaps", "parts"):
        (args.out / folder).mkdir(parents=True, exist_ok=True)
    index_path = args.out / "index.jsonl"
    done = set()
    if index_path.exists():
        done = {json.loads(line)["name"] for line in index_path.read_text().splitlines() if line.strip()}
    started, made = time.monotonic(), 0
    with open(index_path, "a") as index:
        for i in range(shard, args.count, shards):
            category = categories[i % len(categories)]
            name = sample_name(category, args.seed, i)
            if name in done and (args.out / "images" / f"{name}.png").exists():
                continue
            index.write(json.dumps(generate_one(args.out, category, args.seed, i, args.size, args.spp, builders, args.median, args.view)) + "\n")
            index.flush()
            made += 1
            if argv is None and made == args.restart_every:  # a fresh process resumes at the next sample
                index.close()
                os.execv(sys.executable, [sys.executable, "-m", "affordtools.render", *sys.argv[1:]])
    took = time.monotonic() - started
    per = f", {took / made:.2f} s each" if made else ""
    print(f"render: {made} new sample(s) in {args.out} ({took:.1f} s{per})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
