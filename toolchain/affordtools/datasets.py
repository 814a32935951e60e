"""Dataset readers: the AGD20K layout and the shared sample types.

Every reader walks its layout once, checks it, and returns plain `Sample` lists. Layout
problems that make the data unusable raise `LayoutError` listing every problem found;
stray files are skipped and reported in `Dataset.warnings`. Other layouts live in
`exemplars.py` (generic heatmaps, JSON exemplars); a CAL (PIAL) reader adds its
keypoints through `Sample.meta` and reuses `render_heatmap`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".bmp", ".webp"}
MAX_LISTED = 20


class LayoutError(ValueError):
    """A dataset folder does not have the expected layout; `problems` lists each issue."""

    def __init__(self, root: Path, problems: list[str]):
        self.root = root
        self.problems = problems
        shown = problems[:MAX_LISTED]
        more = f"\n  … and {len(problems) - MAX_LISTED} more" if len(problems) > MAX_LISTED else ""
        super().__init__(f"{root}: bad dataset layout:\n  " + "\n  ".join(shown) + more)


@dataclass
class Sample:
    """One image with its action label and, when known, a GT heatmap.

    `view` is "ego" (the object alone) or "exo" (someone using it). `gt` is a grayscale
    PNG path; `gt_array` an in-memory map in [0, 1] (exemplar polygons, keypoints).
    """

    image: Path
    action: str
    object: str = ""
    view: str = "ego"
    gt: Path | None = None
    gt_array: np.ndarray | None = None
    meta: dict = field(default_factory=dict)

    def load_gt(self, size: int) -> np.ndarray:
        """The GT heatmap resized to size x size, float32 in [0, 1]."""
        if self.gt_array is not None:
            im = Image.fromarray(self.gt_array.astype(np.float32), mode="F")
            return np.asarray(im.resize((size, size), Image.BILINEAR), np.float32).clip(0, 1)
        if self.gt is None:
            raise ValueError(f"{self.image}: no GT heatmap")
        with Image.open(self.gt) as im:
            g = np.asarray(im.convert("L").resize((size, size), Image.BILINEAR), np.float32)
        return g / 255.0


@dataclass
class Dataset:
    """Samples grouped by role, plus the action vocabulary in output order."""

    actions: list[str]
    train_ego: list[Sample] = field(default_factory=list)
    train_exo: list[Sample] = field(default_factory=list)
    test: list[Sample] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def list_images(folder: Path, warnings: list[str]) -> list[Path]:
    """Image files directly in `folder`, sorted; anything else is reported."""
    out = []
    for p in sorted(folder.iterdir()):
        if p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS:
            out.append(p)
        elif not p.name.startswith("."):
            warnings.append(f"skipped {p}: not an image")
    return out


def _walk_actions(view_dir: Path, problems: list[str], warnings: list[str]) -> dict[tuple[str, str], list[Path]]:
    """`<action>/<object>/<image>` below `view_dir` -> {(action, object): images}."""
    found: dict[tuple[str, str], list[Path]] = {}
    if not view_dir.is_dir():
        problems.append(f"missing folder {view_dir}")
        return found
    for action_dir in sorted(p for p in view_dir.iterdir() if p.is_dir()):
        objects = sorted(p for p in action_dir.iterdir() if p.is_dir())
        if not objects:
            problems.append(f"{action_dir}: no <object> folders")
        for obj_dir in objects:
            images = list_images(obj_dir, warnings)
            if not images:
                warnings.append(f"{obj_dir}: no images")
                continue
            found[(action_dir.name, obj_dir.name)] = images
    if not found:
        problems.append(f"{view_dir}: no images in <action>/<object>/ folders")
    return found


def read_agd20k(root: str | Path, split: str = "Seen") -> Dataset:
    """Reads `root/<split>/{trainset,testset}/{egocentric,exocentric,GT}/<action>/<object>/…`.

    Test GT must be a PNG named like its egocentric image. Optional `trainset/GT/` maps
    (not in AGD20K itself) enable supervised training. The vocabulary is the sorted
    union of training actions (test actions must be a subset).
    """
    root = Path(root)
    base = root / split
    if not base.is_dir():
        raise LayoutError(root, [f"missing split folder {base} (expected Seen/ or Unseen/)"])
    problems: list[str] = []
    warnings: list[str] = []
    ego = _walk_actions(base / "trainset" / "egocentric", problems, warnings)
    exo = _walk_actions(base / "trainset" / "exocentric", problems, warnings)
    test = _walk_actions(base / "testset" / "egocentric", problems, warnings)
    gt_root = base / "testset" / "GT"
    if not gt_root.is_dir():
        problems.append(f"missing folder {gt_root}")
    actions = sorted({a for a, _ in ego} | {a for a, _ in exo})
    for a in sorted({a for a, _ in exo} - {a for a, _ in ego}):
        problems.append(f"action {a!r} has exocentric but no egocentric training images")
    for a in sorted({a for a, _ in test} - set(actions)):
        problems.append(f"test action {a!r} is not among the training actions")

    ds = Dataset(actions=actions, warnings=warnings)
    train_gt = base / "trainset" / "GT"  # not in AGD20K; present in data with pixel labels
    for (a, o), images in ego.items():
        for p in images:
            gt = train_gt / a / o / (p.stem + ".png")
            ds.train_ego.append(Sample(p, a, o, "ego", gt=gt if gt.is_file() else None))
    for (a, o), images in exo.items():
        ds.train_exo += [Sample(p, a, o, "exo") for p in images]
    for (a, o), images in test.items():
        for p in images:
            gt = gt_root / a / o / (p.stem + ".png")
            if not gt.is_file():
                problems.append(f"missing GT {gt} for {p}")
            ds.test.append(Sample(p, a, o, "ego", gt=gt))
    if problems:
        raise LayoutError(root, problems)
    return ds


def render_heatmap(height: int, width: int, polygons=(), points=(), sigma: float | None = None) -> np.ndarray:
    """A soft GT map from polygons and/or points in pixel coordinates, max-normalised to [0, 1].

    Filled polygons and splatted points are Gaussian-blurred; the default sigma follows
    AGD20K/CAL's kernel of about sqrt(H*W)/3 pixels wide for points.
    """
    from PIL import ImageDraw
    from scipy.ndimage import gaussian_filter

    canvas = Image.new("F", (width, height), 0.0)
    draw = ImageDraw.Draw(canvas)
    for poly in polygons:
        draw.polygon([tuple(map(float, p)) for p in poly], fill=1.0)
    m = np.asarray(canvas, np.float32).copy()
    for x, y in points:
        xi, yi = int(round(x)), int(round(y))
        if 0 <= yi < height and 0 <= xi < width:
            m[yi, xi] = 1.0
    if sigma is None:
        sigma = (np.sqrt(height * width) / 3) / 6 if len(points) and not len(polygons) else \
            max(1.0, np.sqrt(height * width) / 60)
    m = gaussian_filter(m, sigma)
    peak = m.max()
    return m / peak if peak > 0 else m
