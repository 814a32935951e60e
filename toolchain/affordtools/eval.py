"""Scores predicted heatmaps against GT with the AGD20K protocol (see `metrics.py`).

    python -m affordtools.eval --pred PRED_DIR --gt GT_DIR

Both folders mirror `<affordance>/<object>/<name>.png` (8-bit grayscale, any size).
Prints one row per affordance, then a last line holding one JSON object
{"KLD", "SIM", "NSS", "count"}, the same as `affordd eval`.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from .metrics import Scores, score


class EvalError(Exception):
    """Missing or unreadable maps; the message names the files."""


def read_gray(path: Path) -> np.ndarray:
    try:
        with Image.open(path) as im:
            return np.asarray(im.convert("L"), np.float64)
    except (OSError, ValueError) as e:
        raise EvalError(f"cannot read {path}: {e}") from e


def gt_files(gt_dir: Path) -> list[Path]:
    """GT maps at `<affordance>/<object>/<name>.png`, relative to `gt_dir`, sorted."""
    files = sorted(p.relative_to(gt_dir) for p in gt_dir.glob("*/*/*.png"))
    if not files:
        raise EvalError(f"{gt_dir}: no GT maps at <affordance>/<object>/<name>.png")
    return files


def evaluate(pred_dir: Path, gt_dir: Path) -> tuple[dict[str, Scores], Scores, int]:
    """Per-affordance means, the mean over all images, and the image count."""
    per_image: dict[str, list[Scores]] = {}
    missing = []
    for rel in gt_files(gt_dir):
        pred = pred_dir / rel
        if not pred.is_file():
            missing.append(str(pred))
            continue
        per_image.setdefault(rel.parts[0], []).append(score(read_gray(pred), read_gray(gt_dir / rel)))
    if missing:
        shown = "\n  ".join(missing[:10])
        raise EvalError(f"{len(missing)} predictions missing, e.g.\n  {shown}")
    everything = [s for items in per_image.values() for s in items]
    return ({a: Scores.mean(v) for a, v in sorted(per_image.items())}, Scores.mean(everything), len(everything))


def report(rows: dict[str, Scores], total: Scores, count: int, counts: dict[str, int] | None = None) -> str:
    lines = [f"{'affordance':<16} {'KLD':>7} {'SIM':>7} {'NSS':>7}"]
    for name, s in rows.items():
        n = f"  n={counts[name]}" if counts else ""
        lines.append(f"{name:<16} {s.kld:7.3f} {s.sim:7.3f} {s.nss:7.3f}{n}")
    lines.append(json.dumps({"KLD": total.kld, "SIM": total.sim, "NSS": total.nss, "count": count}))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m affordtools.eval", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pred", required=True, type=Path, help="predicted maps, mirroring --gt")
    ap.add_argument("--gt", required=True, type=Path, help="GT maps: <affordance>/<object>/<name>.png")
    args = ap.parse_args(argv)
    try:
        rows, total, count = evaluate(args.pred, args.gt)
    except EvalError as e:
        print(f"eval: {e}", file=sys.stderr)
        return 1
    print(report(rows, total, count))
    return 0


if __name__ == "__main__":
    sys.exit(main())
