"""Measures run-time teaching (issue 13) on renders of a category no head was trained on.

    python -m affordtools.teach_eval --affordd ../.build/release/affordd \\
        --train R/train30 --test R/test31 --action press --shots 1 3 5 --draws 3

The test renders go to AGD20K's layout; for each draw of k training renders, the part's
outline (from the render's part labels) becomes an exemplars.json, which both
`affordd eval --testset T --teach exemplars.json` (the daemon's `teach`, with and without zoom)
and the tool-chain's offline few-shot head (`affordtools.train --mode fewshot`) learn from.
Baselines: the untaught default head, each of its actions scored as the new one (the best is
kept, which flatters it), and the centre prior. Prints a table and a JSON line last.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np

from .render.agd20k import export

SCORE = re.compile(r"^\{.*\}$")
REPO = Path(__file__).resolve().parents[2]


def part_polygon(parts_png: Path, labels: list[int]) -> list[list[float]] | None:
    """The largest outline of the parts with `labels`, in image pixels."""
    label_map = cv2.imread(str(parts_png), cv2.IMREAD_UNCHANGED)
    mask = np.isin(label_map, labels).astype(np.uint8)
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    outline = cv2.approxPolyDP(max(contours, key=cv2.contourArea), 0.75, True)[:, 0, :]
    if len(outline) < 3:
        return None
    # Contour points index the boundary pixels; +0.5 puts the vertices on those pixels' centres.
    return [[float(x) + 0.5, float(y) + 0.5] for x, y in outline]


def exemplars(train: Path, action: str, names: list[str], out: Path) -> Path:
    entries = {json.loads(line)["name"]: json.loads(line) for line in (train / "index.jsonl").read_text().splitlines()}
    images = []
    for name in names:
        labels = [part["label"] for part in entries[name]["parts"] if action in part["actions"]]
        polygon = part_polygon(train / "parts" / f"{name}.png", labels)
        if polygon is None:
            continue
        image = next((train / "images").glob(f"{name}.*"))
        shutil.copy(image, out / image.name)
        images.append({"file": image.name, "annotations": [{"action": action, "polygon": polygon}]})
    path = out / "exemplars.json"
    path.write_text(json.dumps({"images": images, "actions": [action]}))
    return path


def affordd_eval(affordd: str, testset: Path, *extra: str) -> dict:
    # From the repository root: affordd's default backbone and head paths are relative to it.
    done = subprocess.run([str(Path(affordd).resolve()), "eval", "--testset", str(testset), *extra],
                          capture_output=True, text=True, cwd=REPO)
    if done.returncode != 0:
        raise RuntimeError(f"affordd eval {' '.join(extra)} failed:\n{done.stderr.strip()}")
    scores = json.loads([line for line in done.stdout.splitlines() if SCORE.match(line)][-1])
    adapt = re.search(r"adapting took (\d+) ms median, (\d+) ms at most", done.stderr)
    if adapt:
        scores["adapt_ms_median"], scores["adapt_ms_max"] = int(adapt.group(1)), int(adapt.group(2))
    return scores


def renamed(testset: Path, action: str, to: str, out: Path) -> Path:
    """The test set with its GT filed under another action, so a head action is scored as the new one."""
    for kind in ("egocentric", "GT"):
        shutil.copytree(testset / kind / action, out / kind / to)
    return out


def centre_prior(testset: Path, action: str) -> dict:
    from .metrics import kld, nss, sim  # the AGD20K protocol, as affordd eval's is checked against
    scores = {"KLD": [], "SIM": [], "NSS": []}
    for gt_path in sorted((testset / "GT" / action).rglob("*.png")):
        gt = cv2.imread(str(gt_path), cv2.IMREAD_GRAYSCALE).astype(np.float64) / 255
        h, w = gt.shape
        ys, xs = np.mgrid[0:h, 0:w]
        prior = np.exp(-(((xs - w / 2) / (w / 4)) ** 2 + ((ys - h / 2) / (h / 4)) ** 2) / 2)
        scores["KLD"].append(kld(prior, gt))
        scores["SIM"].append(sim(prior, gt))
        scores["NSS"].append(nss(prior, gt))
    return {k: float(np.mean(v)) for k, v in scores.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m affordtools.teach_eval", description=__doc__.split("\n")[0])
    ap.add_argument("--affordd", required=True)
    ap.add_argument("--train", type=Path, required=True, help="rendered folder to draw the taught frames from")
    ap.add_argument("--test", type=Path, required=True, help="a separately seeded rendered folder")
    ap.add_argument("--action", default="press")
    ap.add_argument("--shots", type=int, nargs="+", default=[1, 3, 5])
    ap.add_argument("--draws", type=int, default=3, help="random draws of the taught frames per shot count")
    ap.add_argument("--seed", type=int, default=0, help="seeds the draws of taught frames")
    ap.add_argument("--head-actions", nargs="*", default=None, help="untaught baseline: head actions to try")
    ap.add_argument("--skip-offline", action="store_true", help="skip the tool-chain's offline few-shot head")
    args = ap.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="affordd-teach-eval-"))
    testset = work / "test"
    export(args.test, testset)
    results: dict = {"action": args.action, "test_images": len(list((testset / "GT" / args.action).rglob("*.png")))}
    results["centre prior"] = centre_prior(testset, args.action)
    head_actions = args.head_actions
    if head_actions is None:
        inspect = subprocess.run([str(Path(args.affordd).resolve()), "inspect-model", "models-default/affordd-default.head.safetensors"],
                                 capture_output=True, text=True, cwd=REPO)
        found = re.search(r"^actions:\s+\d+: (.+)$", inspect.stdout, re.MULTILINE)
        head_actions = [a.strip() for a in found.group(1).split(",")] if found else ["hold"]
    untaught = {}
    for other in head_actions:
        untaught[other] = affordd_eval(args.affordd, renamed(testset, args.action, other, work / f"as-{other}"), "--no-zoom")
    best = min(untaught, key=lambda name: untaught[name]["KLD"])
    results["untaught head (best action)"] = {"action": best, **untaught[best]}

    names = [json.loads(line)["name"] for line in (args.train / "index.jsonl").read_text().splitlines()
             if args.action in json.loads(line)["visible_actions"]]
    rng = random.Random(args.seed)
    for shots in args.shots:
        rows: dict[str, list[dict]] = {"teach --no-zoom": [], "teach --zoom": [], "offline few-shot": []}
        for draw in range(args.draws):
            folder = work / f"shots{shots}-{draw}"
            folder.mkdir()
            chosen = rng.sample(names, min(shots, len(names)))
            ex = exemplars(args.train, args.action, chosen, folder)
            rows["teach --no-zoom"].append(affordd_eval(args.affordd, testset, "--teach", str(ex), "--no-zoom"))
            rows["teach --zoom"].append(affordd_eval(args.affordd, testset, "--teach", str(ex), "--zoom"))
            if not args.skip_offline:
                head = folder / "fewshot.head.safetensors"
                subprocess.run([sys.executable, "-m", "affordtools.train", "--mode", "fewshot", "--layout", "exemplar",
                                "--data", str(folder), "--out", str(head), "--models", str(REPO / "models")],
                               capture_output=True, text=True, check=True, cwd=REPO / "toolchain")
                rows["offline few-shot"].append(affordd_eval(args.affordd, testset, "--model", str(head), "--no-zoom"))
        for name, scores in rows.items():
            if scores:
                mean = {k: float(np.mean([s[k] for s in scores])) for k in ("KLD", "SIM", "NSS")}
                if "adapt_ms_median" in scores[0]:
                    mean["adapt_ms_max"] = max(s["adapt_ms_max"] for s in scores)
                results[f"{name}, {shots}-shot"] = mean

    print(f"Teaching '{args.action}' on {results['test_images']} held-out renders (mean of {args.draws} draws)")
    print(f"{'':34} {'KLD↓':>7} {'SIM↑':>7} {'NSS↑':>7}")
    for name, value in results.items():
        if isinstance(value, dict):
            print(f"{name:34} {value['KLD']:7.3f} {value['SIM']:7.3f} {value['NSS']:7.3f}"
                  + (f"   (as '{value['action']}')" if "action" in value else "")
                  + (f"   adapting ≤ {value['adapt_ms_max']} ms" if "adapt_ms_max" in value else ""))
    print(json.dumps(results))
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
