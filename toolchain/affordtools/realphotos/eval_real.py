"""`make eval-real`: the default head on the real-photo development set (issue 17).

    python -m affordtools.realphotos.eval_real --photos ../shared/real-photos
        [--affordd .build/release/affordd] [--config config/affordd.example.yaml]
        [--model HEAD] [--keep DIR]

Builds soft GT from `annotations.json` (the photos only for their sha256), then scores with
the AGD20K protocol (`affordtools.metrics`, as the held-out render scores are):
- the head as the daemon runs it: the release `affordd`, config and head, its maps from
  `affordd eval --testset --save-pred` (whose own overall score is checked against ours);
- a centre prior, and the part-blind map of the whole annotated object.
It also counts the photos whose top "hold" centroid (`affordd snapshot`, all actions) lies
in an annotated "hold" part, and scores presence against which actions each photo shows:
ROC AUC, and accuracy at the config's `min_presence`. Prints tables, then one JSON line.

This is a measurement, not a test: without the photos it says so and exits 2.
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image
from scipy.ndimage import distance_transform_edt

from ..export import load_head_file
from ..metrics import Scores, score
from ..predict import centre_prior
from ..presence import presence_scores
from .annotations import (ANNOTATIONS, AnnotationError, Photo, PhotosUnavailable, check_photos, gt_maps, load,
                          soft_map)

REPO = Path(__file__).resolve().parents[3]
DEFAULT_HEAD = "models-default/affordd-default.head.safetensors"
DEFAULT_CONFIG = "config/affordd.example.yaml"


@dataclass
class HeadVariant:
    """The head run one way: `flags` go to both `affordd eval` and `affordd snapshot`."""

    name: str
    flags: list[str]


def head_variants(affordd: Path) -> list[HeadVariant]:
    """The shipped configuration, plus zoom once `affordd` has it (issue 18): a flag both
    one-shot commands accept becomes one more row."""
    variants = [HeadVariant("default head", [])]
    helps = [subprocess.run([str(affordd), cmd, "--help"], capture_output=True, text=True).stdout
             for cmd in ("eval", "snapshot")]
    # ZOOM: both settings are tried; the one that gives the shipped maps only names that row.
    for flag in ("--zoom", "--no-zoom"):
        if all(flag in h for h in helps):
            variants.append(HeadVariant(f"default head {flag}", [flag]))
    return variants


def min_presence(config: Path) -> float:
    """`postprocessing.min_presence` from the config, or the daemon's default 0.15."""
    found = re.search(r"^\s*min_presence:\s*([0-9.]+)", config.read_text(), re.MULTILINE)
    return float(found.group(1)) if found else 0.15


def object_folder(photo: Photo) -> str:
    return "+".join(sorted({o.name for o in photo.objects}))


def write_testset(photos: list[Photo], gts: dict[str, dict[str, np.ndarray]], photo_dir: Path, root: Path) -> None:
    """An AGD20K-layout test set for `affordd eval --testset`: the photos linked, the GT as PNG."""
    for photo in photos:
        stem = Path(photo.file).stem
        for action, gt in gts[photo.file].items():
            rel = Path(action) / object_folder(photo) / f"{stem}.png"
            (root / "egocentric" / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / "egocentric" / rel).symlink_to((photo_dir / photo.file).resolve())
            (root / "GT" / rel).parent.mkdir(parents=True, exist_ok=True)
            Image.fromarray(gt).save(root / "GT" / rel)


def same_maps(a: Path, b: Path) -> bool:
    """Whether two `--save-pred` folders hold byte-identical maps."""
    files = sorted(p.relative_to(a) for p in a.rglob("*.png"))
    return files == sorted(p.relative_to(b) for p in b.rglob("*.png")) and \
        all((a / f).read_bytes() == (b / f).read_bytes() for f in files)


def run_affordd(args: list[str]) -> str:
    done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}):\n{done.stderr.strip()}")
    return done.stdout


def score_maps(photos, gts, predict) -> dict[str, list[Scores]]:
    """Per action, every photo's scores; `predict(photo, action)` gives the map."""
    per: dict[str, list[Scores]] = {}
    for photo in photos:
        for action, gt in gts[photo.file].items():
            per.setdefault(action, []).append(score(predict(photo, action), gt))
    return per


def hold_on_handle(photos: list[Photo], snapshots: dict[str, dict]) -> dict:
    """Photos whose strongest "hold" component (the daemon's first centroid) lies in a hold part."""
    inside, gated, misses = 0, 0, []
    for photo in photos:
        components = snapshots[photo.file]["actions"].get("hold", [])
        if not components:  # below min_presence: the daemon publishes no centroid
            gated += 1
            misses.append(f"{photo.file} (no centroid)")
            continue
        u, v = components[0]["u"], components[0]["v"]
        x, y = min(photo.width - 1, max(0, round(u))), min(photo.height - 1, max(0, round(v)))
        hold = photo.action_mask("hold")
        if hold[y, x]:
            inside += 1
        else:
            off = distance_transform_edt(~hold)[y, x]
            misses.append(f"{photo.file} at ({u:.0f}, {v:.0f}), {off:.0f} px from the hold part")
    return {"inside": inside, "photos": len(photos), "gated": gated, "misses": misses}


def presence_report(photos: list[Photo], snapshots: dict[str, dict], actions: list[str], threshold: float) -> dict:
    """ROC AUC per action (photos that show it against those that do not) and accuracy at `threshold`."""
    scores = np.array([[snapshots[p.file]["presence"][a] for a in actions] for p in photos], np.float64)
    in_view = np.array([[a in p.actions for a in actions] for p in photos], bool)
    report = presence_scores(scores, in_view, actions)
    right = (scores >= threshold) == in_view
    return {"min_presence": threshold, "auc": report["auc"], "mean_auc": report["mean_auc"],
            "accuracy": {a: float(right[:, k].mean()) for k, a in enumerate(actions)},
            "accuracy_all": float(right.mean()),
            "positives": {a: int(in_view[:, k].sum()) for k, a in enumerate(actions)}}


def table(methods: dict[str, dict[str, list[Scores]]]) -> list[str]:
    """One row per action (and "all"), KLD / SIM / NSS under each method."""
    names = list(methods)
    widths = [max(23, len(n)) for n in names]
    actions = sorted({a for per in methods.values() for a in per})
    metrics = f"{'KLD↓':>7} {'SIM↑':>7} {'NSS↑':>7}"
    lines = [f"{'action':<8} {'n':>3}  " + "  ".join(f"{n:>{w}}" for n, w in zip(names, widths)),
             f"{'':<8} {'':>3}  " + "  ".join(f"{metrics:>{w}}" for w in widths)]
    for action in actions + ["all"]:
        cells, count = [], 0
        for name, width in zip(names, widths):
            per = methods[name]
            items = [s for v in per.values() for s in v] if action == "all" else per.get(action, [])
            m, count = Scores.mean(items), len(items)
            cells.append(f"{f'{m.kld:7.3f} {m.sim:7.3f} {m.nss:7.3f}':>{width}}")
        lines.append(f"{action:<8} {count:>3}  " + "  ".join(cells))
    return lines


def measure(photo_dir: Path, affordd: Path, config: Path, head: Path, annotations: Path, work: Path) -> dict:
    """Every method's scores, and per head setting the hold-on-handle count and presence."""
    vocabulary = json.loads(load_head_file(head)[1]["actions"])
    photos = load(annotations, vocabulary)
    check_photos(photos, photo_dir)
    gts = {p.file: gt_maps(p) for p in photos}
    write_testset(photos, gts, photo_dir, work / "testset")
    model_flags = ["--config", str(config), "--model", str(head)]

    prior = centre_prior()
    whole = {p.file: soft_map(p.object_mask()).astype(np.float64) for p in photos}
    methods = {"centre prior": score_maps(photos, gts, lambda p, a: prior),
               "whole object": score_maps(photos, gts, lambda p, a: whole[p.file])}
    handles, presence, swift_overall = {}, {}, {}
    variants = head_variants(affordd)
    shipped, shipped_as = variants[0], None
    pred_dir = lambda variant: work / "pred" / variant.name.replace(" ", "_")  # noqa: E731
    for variant in variants:
        pred = pred_dir(variant)
        out = run_affordd([str(affordd), "eval", "--testset", str(work / "testset"), "--save-pred", str(pred),
                           *model_flags, *variant.flags])
        if variant is not shipped and same_maps(pred, pred_dir(shipped)):
            shipped_as = " ".join(variant.flags)  # the shipped setting: named, not run twice
            continue
        swift_overall[variant.name] = json.loads(out.strip().splitlines()[-1])

        def head_map(photo: Photo, action: str) -> np.ndarray:
            path = pred / action / object_folder(photo) / f"{Path(photo.file).stem}.png"
            with Image.open(path) as im:
                return np.asarray(im.convert("L"), np.float64)
        methods[variant.name] = score_maps(photos, gts, head_map)
        snapshots = {}
        for photo in photos:
            args = [str(affordd), "snapshot", "--image", str(photo_dir / photo.file), *model_flags, *variant.flags]
            snapshots[photo.file] = json.loads(run_affordd(args + [x for a in vocabulary for x in ("--action", a)]))
        handles[variant.name] = hold_on_handle(photos, snapshots)
        presence[variant.name] = presence_report(photos, snapshots, vocabulary, min_presence(config))
    label = f"{shipped.name} ({shipped_as})" if shipped_as else shipped.name
    relabel = lambda d: {label if k == shipped.name else k: v for k, v in d.items()}  # noqa: E731
    return {"photos": len(photos), "methods": relabel(methods), "hold_on_handle": relabel(handles),
            "presence": relabel(presence), "swift_overall": relabel(swift_overall)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m affordtools.realphotos.eval_real", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--photos", type=Path, default=REPO.parent / "shared" / "real-photos")
    ap.add_argument("--affordd", type=Path, default=REPO / ".build" / "release" / "affordd")
    ap.add_argument("--config", type=Path, default=REPO / DEFAULT_CONFIG)
    ap.add_argument("--model", type=Path, default=REPO / DEFAULT_HEAD, help="head file")
    ap.add_argument("--annotations", type=Path, default=ANNOTATIONS)
    ap.add_argument("--keep", type=Path, help="write the test set (GT) and predictions here instead of a temporary "
                                              "folder; they are made from the photos, so never commit them")
    args = ap.parse_args(argv)
    if not args.affordd.is_file():
        print(f"eval-real: no affordd at {args.affordd}: run `swift build -c release`", file=sys.stderr)
        return 1
    if args.keep and args.keep.exists() and any(args.keep.iterdir()):
        print(f"eval-real: --keep {args.keep} is not empty", file=sys.stderr)
        return 1
    start = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="eval-real-") as tmp:
            result = measure(args.photos, args.affordd, args.config, args.model, args.annotations,
                             args.keep or Path(tmp))
    except PhotosUnavailable as e:
        print(f"eval-real: {e}\nThe development set's photos are not in the repository (see docs/DEFAULT_MODEL.md, "
              "\"Real-photo development set\"); point REAL_PHOTOS=DIR (or --photos) at them.", file=sys.stderr)
        return 2
    except (AnnotationError, RuntimeError) as e:
        print(f"eval-real: {e}", file=sys.stderr)
        return 1
    seconds = time.monotonic() - start

    methods = result["methods"]
    print(f"Real-photo development set: {result['photos']} photos, AGD20K protocol, per action")
    print("\n".join(table(methods)))
    as_dict = lambda items: {k: getattr(Scores.mean(items), k.lower()) for k in ("KLD", "SIM", "NSS")}  # noqa: E731
    summary = {name: as_dict([s for v in per.values() for s in v]) for name, per in methods.items()}
    per_action = {name: {a: {**as_dict(v), "count": len(v)} for a, v in sorted(per.items())}
                  for name, per in methods.items()}
    for name, swift in result["swift_overall"].items():
        if abs(swift["KLD"] - summary[name]["KLD"]) > 1e-3 or swift["count"] != sum(map(len, methods[name].values())):
            print(f"warning: affordd eval scored {name} {swift}, affordtools.metrics {summary[name]}", file=sys.stderr)
    for name, h in result["hold_on_handle"].items():
        print(f"\n{name}: top \"hold\" centroid on an annotated hold part in {h['inside']} of {h['photos']} photos"
              f" ({h['gated']} without a centroid)" + "".join(f"\n  miss: {m}" for m in h["misses"]))
    for name, p in result["presence"].items():
        print(f"\n{name}: presence per action (positives of {result['photos']}; AUC where both classes occur;"
              f" accuracy at min_presence {p['min_presence']})")
        for a, auc in p["auc"].items():
            auc_text = f"{auc:.3f}" if auc is not None else "  -  "
            print(f"  {a:<11} n+={p['positives'][a]:>2}  AUC {auc_text}  accuracy {p['accuracy'][a]:.3f}")
        print(f"  mean AUC {p['mean_auc']:.3f}, accuracy over all photo-action pairs {p['accuracy_all']:.3f}")
    print(f"\n{seconds:.1f} s")
    handles = {n: {k: h[k] for k in ("inside", "photos", "gated")} for n, h in result["hold_on_handle"].items()}
    print(json.dumps({"photos": result["photos"], "scores": summary, "per_action": per_action, "hold_on_handle": handles,
                      "presence": {n: {k: p[k] for k in ("min_presence", "mean_auc", "auc", "accuracy", "accuracy_all")}
                                   for n, p in result["presence"].items()},
                      "seconds": round(seconds, 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
