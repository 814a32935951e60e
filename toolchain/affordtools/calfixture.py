"""A generated CAL-layout dataset whose right answer is known (for PIAL mode).

    python -m affordtools.calfixture --out DIR [--seed 0] [--interaction 4] [--objects 2] [--test 3]

The tools and parts of `synthfixture` (hold: striped handle, cut: blade, pour: spout).
Interaction images add a stick-figure person (COCO-17 skeleton, keypoints in the JSON):
for `hold` the hand (past the wrist) is on the handle; for `cut` and `pour` the person
holds the handle and the contact is "outside" the body, at the tool's working end past
the hand. GT is built from points sampled on the part, the CAL way (`cal.cal_gt`).
Training uses the seen tools (mug, knife, kettle); the test set shows unseen shapes
(pan, cleaver, jug) alone.
"""
from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from .cal import cal_gt
from .pose import HAND_REACH, K, OUTSIDE_REACH
from .synthfixture import PART_OF, SEEN_TOOLS, SIZE, UNSEEN_TOOLS, render

CONTACT_OF = {"hold": "hands", "cut": "outside", "pour": "outside"}
LIMBS = [("left_shoulder", "right_shoulder"), ("left_hip", "right_hip"), ("left_shoulder", "left_hip"),
         ("right_shoulder", "right_hip"), ("left_shoulder", "left_elbow"), ("right_shoulder", "right_elbow"),
         ("left_elbow", "left_wrist"), ("right_elbow", "right_wrist"), ("left_hip", "left_knee"),
         ("right_hip", "right_knee"), ("left_knee", "left_ankle"), ("right_knee", "right_ankle")]


def _unit(v) -> np.ndarray:
    v = np.asarray(v, np.float64)
    n = np.linalg.norm(v)
    return v / n if n > 1e-9 else np.array([1.0, 0.0])


def _rotate(v, angle: float) -> np.ndarray:
    c, s = math.cos(angle), math.sin(angle)
    return np.array([c * v[0] - s * v[1], s * v[0] + c * v[1]])


def _centre_on(mask: np.ndarray) -> np.ndarray:
    """The mask's pixel nearest its centroid (arcs have their centroid off the part)."""
    ys, xs = np.nonzero(mask)
    i = np.argmin((ys - ys.mean()) ** 2 + (xs - xs.mean()) ** 2)
    return np.array([xs[i], ys[i]], np.float64)


def stick_figure(wrist: np.ndarray, reach: np.ndarray, forearm: float, rng) -> np.ndarray:
    """COCO-17 keypoints [17, 3] of a person whose right forearm points along `reach` to `wrist`."""
    p: dict[str, np.ndarray] = {}
    L = forearm
    p["right_wrist"] = wrist
    p["right_elbow"] = wrist - L * reach
    p["right_shoulder"] = p["right_elbow"] - 1.1 * L * _rotate(reach, rng.uniform(-0.6, 0.6))
    down = _rotate(np.array([0.0, 1.0]), rng.uniform(-0.3, 0.3))
    side = np.array([-down[1], down[0]])
    if np.dot(side, reach) > 0:  # the other shoulder sits away from the reach
        side = -side
    p["left_shoulder"] = p["right_shoulder"] + 1.1 * L * side
    mid = (p["left_shoulder"] + p["right_shoulder"]) / 2
    p["nose"] = mid - 0.9 * L * down
    for s, sign in (("left", 1), ("right", -1)):
        p[f"{s}_eye"] = p["nose"] - 0.2 * L * down + sign * 0.15 * L * side
        p[f"{s}_ear"] = p["nose"] - 0.1 * L * down + sign * 0.3 * L * side
        p[f"{s}_hip"] = p[f"{s}_shoulder"] + 1.7 * L * down - sign * 0.1 * L * side
        p[f"{s}_knee"] = p[f"{s}_hip"] + 1.4 * L * down
        p[f"{s}_ankle"] = p[f"{s}_knee"] + 1.4 * L * down
    p["left_elbow"] = p["left_shoulder"] + 1.1 * L * _rotate(down, 0.3)
    p["left_wrist"] = p["left_elbow"] + L * _rotate(down, -0.2)
    kp = np.zeros((17, 3))
    for name, i in K.items():
        x, y = p[name]
        inside = -10 <= x <= SIZE + 10 and -10 <= y <= SIZE + 10
        kp[i] = (x, y, rng.uniform(0.7, 0.95) if inside else rng.uniform(0.0, 0.2))
    return kp


def draw_person(img: Image.Image, kp: np.ndarray, forearm: float, rng) -> None:
    d = ImageDraw.Draw(img)
    cloth = tuple(int(v) for v in rng.uniform(30, 120, 3))
    skin = tuple(int(c * rng.uniform(0.75, 1.05)) for c in (225, 170, 135))
    width = max(5, int(0.28 * forearm))
    pt = lambda n: tuple(kp[K[n], :2])  # noqa: E731
    for a, b in LIMBS:
        colour = skin if b.endswith("wrist") else cloth
        d.line([pt(a), pt(b)], fill=colour, width=width)
    r = 0.45 * forearm
    x, y = pt("nose")
    d.ellipse([x - r, y - r, x + r, y + r], fill=skin)
    for s in ("left", "right"):  # the hand, past the wrist
        w, e = kp[K[f"{s}_wrist"], :2], kp[K[f"{s}_elbow"], :2]
        h = w + HAND_REACH * (w - e)
        rh = 0.22 * forearm
        d.ellipse([h[0] - rh, h[1] - rh, h[0] + rh, h[1] + rh], fill=skin)


def interaction_scene(tool: str, action: str, rng):
    """(image, contact-part mask, keypoints [17, 3]) of a person using `tool` for `action`."""
    scene = render(tool, rng)
    handle = _centre_on(scene.masks["handle"])
    part_mask = scene.masks[PART_OF[action]]
    obj = np.argwhere(np.any([m for m in scene.masks.values()], axis=0))[:, ::-1].mean(0)
    if CONTACT_OF[action] == "hands":  # the arm comes from outside, the hand on the handle
        reach = _unit(_rotate(_unit(obj - handle), rng.uniform(-0.5, 0.5)))
        forearm = rng.uniform(26, 34)
    else:  # holding the handle, the working end lies past the hand along the forearm
        end = _centre_on(part_mask)
        reach = _unit(end - handle)
        forearm = float(np.clip(np.linalg.norm(end - handle) / (OUTSIDE_REACH[1] - HAND_REACH), 22, 40))
    wrist = handle - HAND_REACH * forearm * reach
    kp = stick_figure(wrist, reach, forearm, rng)
    draw_person(scene.image, kp, forearm, rng)
    return scene.image, part_mask, kp


def annotated_points(mask: np.ndarray, rng, n: int = 8) -> list[list[float]]:
    """Points an annotator would click on the contact part."""
    ys, xs = np.nonzero(mask)
    pick = rng.choice(len(xs), size=min(n, len(xs)), replace=False)
    return [[float(xs[i]), float(ys[i])] for i in pick]


def _write(base: Path, view: str, action: str, tool: str, name: str, image: Image.Image, mask, rng,
           keypoints=None) -> None:
    rel = Path(action) / tool
    for sub in (view, "GT", "keypoints"):
        (base / sub / rel).mkdir(parents=True, exist_ok=True)
    image.save(base / view / rel / f"{name}.jpg", quality=92)
    points = annotated_points(mask, rng)
    gt = cal_gt(points, image.height, image.width)
    Image.fromarray(np.round(gt * 255).astype(np.uint8)).save(base / "GT" / rel / f"{name}.png")
    ann: dict = {"points": points}
    if keypoints is not None:
        ann["keypoints"] = [[round(float(v), 2) for v in row] for row in keypoints]
        ann["contact"] = CONTACT_OF[action]  # for readers; training derives the kind itself
    (base / "keypoints" / rel / f"{name}.json").write_text(json.dumps(ann))


def generate(out: str | Path, seed: int = 0, n_interaction: int = 4, n_objects: int = 2, n_test: int = 3) -> Path:
    """Writes trainset/ (seen tools) and testset/ (unseen tools) under `out`; seeded."""
    out = Path(out)
    rng = np.random.default_rng([seed, 7])
    for tool, actions in SEEN_TOOLS.items():
        for action in actions:
            for i in range(n_interaction):
                image, mask, kp = interaction_scene(tool, action, rng)
                _write(out / "trainset", "interaction", action, tool, f"{tool}_int_{i:03d}", image, mask, rng, kp)
            for i in range(n_objects):
                scene = render(tool, rng)
                _write(out / "trainset", "non-interaction", action, tool, f"{tool}_obj_{i:03d}", scene.image,
                       scene.masks[PART_OF[action]], rng)
    for tool, actions in UNSEEN_TOOLS.items():
        for action in actions:
            for i in range(n_test):
                scene = render(tool, rng)
                _write(out / "testset", "non-interaction", action, tool, f"{tool}_{action}_{i:03d}", scene.image,
                       scene.masks[PART_OF[action]], rng)
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m affordtools.calfixture", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--interaction", type=int, default=4, help="interaction images per (action, tool)")
    ap.add_argument("--objects", type=int, default=2, help="object-alone training images per (action, tool)")
    ap.add_argument("--test", type=int, default=3, help="test images per (action, unseen tool)")
    args = ap.parse_args(argv)
    print(generate(args.out, args.seed, args.interaction, args.objects, args.test))


if __name__ == "__main__":
    main()
