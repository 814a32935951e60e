"""The CAL layout (PIAL's contact-driven affordance dataset) and its GT construction.

    ROOT/{trainset,testset}/
        interaction/<affordance>/<object>/<name>.jpg       people using the object
        non-interaction/<affordance>/<object>/<name>.jpg   the object alone
        GT/<affordance>/<object>/<name>.png                GT heatmap named like its image
        keypoints/<affordance>/<object>/<name>.json        per image, see below

A keypoint JSON holds `"keypoints": [[x, y, score] * 17]` (COCO-17, required for
interaction images) and optionally `"points": [[x, y], ...]`, the annotated contact
points. A missing GT PNG is built from the points the way CAL does (`cal_gt`). Training
interaction images become `Dataset.train_exo` (keypoints in `Sample.meta`), training
object images `train_ego`, test object images `test`.
"""
from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from .datasets import Dataset, LayoutError, Sample, _walk_actions
from .pose import validate_keypoints

GT_SIZE = 224
KERNEL_RATIO = 3.0


def blur_kernel_size(height: int, width: int) -> int:
    """CAL's odd Gaussian kernel: about sqrt(H*W)/3 pixels."""
    k = int(np.sqrt(height * width) / KERNEL_RATIO)
    return k + 1 if k % 2 == 0 else k


def cal_gt(points, height: int, width: int, size: int = GT_SIZE) -> np.ndarray:
    """GT from annotated points: splatted on an HxW canvas, Gaussian-blurred with the odd kernel
    (OpenCV's sigma for that kernel), resized to size x size and min-max normalised to [0, 1]."""
    canvas = np.zeros((height, width), np.float32)
    for x, y in points:
        xi, yi = int(round(x)), int(round(y))
        if 0 <= xi < width and 0 <= yi < height:
            canvas[yi, xi] = 1.0
    k = blur_kernel_size(height, width)
    blurred = cv2.GaussianBlur(canvas, (k, k), 0)
    resized = cv2.resize(blurred, (size, size), interpolation=cv2.INTER_LINEAR)
    lo, hi = float(resized.min()), float(resized.max())
    return ((resized - lo) / (hi - lo)).astype(np.float32) if hi > lo else np.zeros_like(resized)


def _read_annotation(path: Path, problems: list[str], need_keypoints: bool) -> dict | None:
    if not path.is_file():
        if need_keypoints:
            problems.append(f"missing keypoint JSON {path}")
        return None
    try:
        data = json.loads(path.read_text())
        if need_keypoints:
            data["keypoints"] = validate_keypoints(data.get("keypoints"), str(path))
        points = data.get("points", [])
        if not all(isinstance(p, list) and len(p) == 2 for p in points):
            raise ValueError(f"{path}: points must be [[x, y], ...]")
        return data
    except (json.JSONDecodeError, ValueError, AttributeError) as e:
        problems.append(f"bad keypoint JSON {path}: {e}")
        return None


def _samples(base: Path, view: str, problems: list[str], warnings: list[str], need_gt: bool) -> list[Sample]:
    out = []
    found = _walk_actions(base / view, problems, warnings)
    interaction = view == "interaction"
    for (action, obj), images in found.items():
        for image in images:
            rel = Path(action) / obj / image.stem
            ann = _read_annotation(base / "keypoints" / rel.with_suffix(".json"), problems, interaction)
            sample = Sample(image, action, obj, "exo" if interaction else "ego")
            gt = base / "GT" / rel.with_suffix(".png")
            if gt.is_file():
                sample.gt = gt
            elif ann and ann.get("points"):
                with Image.open(image) as im:
                    w, h = im.size
                sample.gt_array = cal_gt(ann["points"], h, w)
            elif need_gt:
                problems.append(f"no GT for {image}: neither {gt} nor points in its keypoint JSON")
            if ann is not None and "keypoints" in ann:
                with Image.open(image) as im:
                    sample.meta["size"] = im.size[::-1]  # (height, width) of the keypoints' frame
                sample.meta["keypoints"] = np.asarray(ann["keypoints"], np.float64)
            out.append(sample)
    return out


def read_cal(root: str | Path) -> Dataset:
    """Reads a CAL-layout folder; raises `LayoutError` listing every problem found."""
    root = Path(root)
    problems: list[str] = []
    warnings: list[str] = []
    for split in ("trainset", "testset"):
        if not (root / split).is_dir():
            problems.append(f"missing folder {root / split}")
    if problems:
        raise LayoutError(root, problems)
    train = root / "trainset"
    ego = _samples(train, "non-interaction", problems, warnings, need_gt=True)
    exo = _samples(train, "interaction", problems, warnings, need_gt=True) if (train / "interaction").is_dir() else []
    test = _samples(root / "testset", "non-interaction", problems, warnings, need_gt=True)
    actions = sorted({s.action for s in ego} | {s.action for s in exo})
    for a in sorted({s.action for s in test} - set(actions)):
        problems.append(f"test affordance {a!r} is not among the training affordances")
    if problems:
        raise LayoutError(root, problems)
    return Dataset(actions=actions, train_ego=ego, train_exo=exo, test=test, warnings=warnings)
