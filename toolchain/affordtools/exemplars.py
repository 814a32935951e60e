"""Readers for user data: the generic heatmap layout and the JSON exemplar layout.

Generic layout (what the procedural data engine writes)::

    DIR/images/<name>.<jpg|png>
    DIR/heatmaps/<action>/<name>.png     8-bit grayscale, any size; absent = action not present

Exemplar layout (a handful of annotated images per action, for few-shot heads)::

    DIR/exemplars.json
    {"images": [{"file": "mug1.jpg",
                 "annotations": [{"action": "hold", "polygon": [[x, y], ...]},
                                 {"action": "drink_with", "points": [[x, y], ...]}]}]}

Coordinates are pixels of the original image. An optional top-level "actions" list
fixes the output order.
"""
from __future__ import annotations

import json
from pathlib import Path

from PIL import Image

from .datasets import IMAGE_EXTENSIONS, Dataset, LayoutError, Sample, list_images, render_heatmap


def read_generic(root: str | Path, holdout_every: int = 0) -> Dataset:
    """Reads the generic layout; every `holdout_every`-th image (if > 0) goes to `test`."""
    root = Path(root)
    problems: list[str] = []
    warnings: list[str] = []
    images_dir, maps_dir = root / "images", root / "heatmaps"
    for d in (images_dir, maps_dir):
        if not d.is_dir():
            problems.append(f"missing folder {d}")
    if problems:
        raise LayoutError(root, problems)
    images = {p.stem: p for p in list_images(images_dir, warnings)}
    actions = sorted(p.name for p in maps_dir.iterdir() if p.is_dir())
    if not actions:
        problems.append(f"{maps_dir}: no <action> folders")
    samples: list[Sample] = []
    for action in actions:
        for gt in list_images(maps_dir / action, warnings):
            image = images.get(gt.stem)
            if image is None:
                problems.append(f"heatmap {gt} has no image {images_dir}/{gt.stem}.*")
                continue
            samples.append(Sample(image, action, view="ego", gt=gt))
    if not samples and not problems:
        problems.append(f"{root}: no (image, heatmap) pairs")
    if problems:
        raise LayoutError(root, problems)
    ds = Dataset(actions=actions, warnings=warnings)
    for i, s in enumerate(sorted(samples, key=lambda s: (s.image.name, s.action))):
        held = holdout_every > 0 and i % holdout_every == holdout_every - 1
        (ds.test if held else ds.train_ego).append(s)
    return ds


def read_exemplars(root: str | Path) -> Dataset:
    """Reads `exemplars.json`; each annotation becomes one sample with a rendered GT map."""
    root = Path(root)
    index = root / "exemplars.json"
    if not index.is_file():
        raise LayoutError(root, [f"missing {index}"])
    try:
        doc = json.loads(index.read_text())
    except json.JSONDecodeError as e:
        raise LayoutError(root, [f"{index}: invalid JSON at line {e.lineno}: {e.msg}"]) from e
    problems: list[str] = []
    samples: list[Sample] = []
    entries = doc.get("images") if isinstance(doc, dict) else None
    if not isinstance(entries, list) or not entries:
        raise LayoutError(root, [f"{index}: expected a non-empty \"images\" list"])
    for i, entry in enumerate(entries):
        where = f"{index}: images[{i}]"
        file = entry.get("file") if isinstance(entry, dict) else None
        if not isinstance(file, str):
            problems.append(f"{where}: missing \"file\"")
            continue
        path = root / file
        if not path.is_file() or path.suffix.lower() not in IMAGE_EXTENSIONS:
            problems.append(f"{where}: image {path} missing or not an image")
            continue
        with Image.open(path) as im:
            width, height = im.size
        for j, ann in enumerate(entry.get("annotations") or []):
            action = ann.get("action") if isinstance(ann, dict) else None
            polygon, points = (ann.get("polygon"), ann.get("points")) if action else (None, None)
            if not isinstance(action, str) or (polygon is None and points is None):
                problems.append(f"{where}.annotations[{j}]: needs \"action\" and \"polygon\" or \"points\"")
                continue
            try:
                gt = render_heatmap(height, width, [polygon] if polygon else (), points or ())
            except (TypeError, ValueError) as e:
                problems.append(f"{where}.annotations[{j}]: bad coordinates ({e})")
                continue
            samples.append(Sample(path, action, view="ego", gt_array=gt))
    if not samples and not problems:
        problems.append(f"{index}: no annotations")
    if problems:
        raise LayoutError(root, problems)
    found = sorted({s.action for s in samples})
    actions = doc.get("actions") or found
    missing = sorted(set(found) - set(actions))
    if missing:
        raise LayoutError(root, [f"{index}: actions {missing} used but not in \"actions\""])
    return Dataset(actions=list(actions), train_ego=samples)
