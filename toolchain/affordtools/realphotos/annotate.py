"""The tool the development set was annotated with. Every picture it draws goes to a scratch
folder (default /tmp/realphotos), never into the repository.

    python -m affordtools.realphotos.annotate grid PHOTO [--crop X0 Y0 X1 Y1] [--scale S]
        the photo (or a crop of it, enlarged) under a labelled pixel grid, to read coordinates
    python -m affordtools.realphotos.annotate refine DRAFT.json --photos DIR [--out annotations.json]
        turns rough drafts into the committed polygons (below) and merges them into --out;
        given annotations.json itself, redoes every photo from the drafts kept in it
    python -m affordtools.realphotos.annotate overlay --photos DIR [--only NAME ...]
        each annotated part drawn over an enlarged crop of its photo, to check the polygons

A draft names, per photo, each object's rough extent and how to split it into parts:

    {"<file>.png": [{"name": "spoon",
                     "seed": [x0, y0, x1, y1] | [[x, y], ...],  box or rough polygon
                     "segment": "grabcut" | "colour" | "seed",  how to find the object in it
                     "fg": [SHAPE...], "bg": [SHAPE...], GrabCut strokes: surely (not) object
                     "threshold": 60,                 "colour": distance from the background
                     "parts": [{"name": "bowl", "actions": ["scoop"], "within": SHAPE,
                                "minus": [SHAPE...]}, {"name": "handle", "actions": ["hold"],
                                "within": "rest"}]}]}

    (a plate's rim: {"name": "rim", "minus_inner": 0.78}, the outline minus its fitted
    ellipse shrunk to 0.78: the well)

    SHAPE = [[x, y], ...] (a polygon) | {"ellipse": [cx, cy, half_w, half_h, angle_deg]}
          | {"line": [[x, y], [x, y]], "towards": [x, y]} (the side of a split line holding a point)
          | {"band": [[x, y], [x, y]], "width": w} (a thick segment, a seed for a long tool)

The outline is the segmentation inside the seed; a part is the outline cut by its
`within` shape minus its `minus` shapes, and "rest" is what earlier parts left.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import cv2
import numpy as np
from scipy.ndimage import binary_fill_holes

from ..hashing import sha256_file
from .annotations import ANNOTATIONS, FORMAT, Region, dumps, load

SCRATCH = Path("/tmp/realphotos")
PART_COLOURS = [(0, 0, 255), (0, 200, 0), (255, 80, 0), (0, 200, 255), (255, 0, 255), (255, 255, 0)]  # BGR
MIN_COMPONENT_PX = 12  # GrabCut specks smaller than this are dropped from an outline


def shape_mask(shape, height: int, width: int) -> np.ndarray:
    if isinstance(shape, dict) and "line" in shape:  # the side of a split line
        (ax, ay), (bx, by) = shape["line"]
        side = lambda x, y: (bx - ax) * (y - ay) - (by - ay) * (x - ax)  # noqa: E731
        ys, xs = np.mgrid[0:height, 0:width]
        return np.sign(side(xs + 0.0, ys + 0.0)) == np.sign(side(*shape["towards"]))
    canvas = np.zeros((height, width), np.uint8)
    if isinstance(shape, dict) and "band" in shape:  # a thick segment, for elongated tools
        (ax, ay), (bx, by) = shape["band"]
        cv2.line(canvas, (round(ax), round(ay)), (round(bx), round(by)), 1, int(shape["width"]))
    elif isinstance(shape, dict):
        cx, cy, ax, ay, angle = shape["ellipse"]
        cv2.ellipse(canvas, (round(cx), round(cy)), (round(ax), round(ay)), angle, 0, 360, 1, -1)
    else:
        cv2.fillPoly(canvas, [np.round(np.asarray(shape)).astype(np.int32)], 1)
    return canvas.astype(bool)


def seed_mask(seed, height: int, width: int) -> np.ndarray:
    if isinstance(seed, list) and len(seed) == 4 and np.isscalar(seed[0]):  # a box
        x0, y0, x1, y1 = seed
        mask = np.zeros((height, width), bool)
        mask[y0:y1, x0:x1] = True
        return mask
    return shape_mask(seed, height, width)


def colour_segment(bgr: np.ndarray, seed: np.ndarray, threshold: float) -> np.ndarray:
    """Pixels of the seed whose colour is far from the background's, the median of a ring
    just outside the seed. Soft shadows on paper stay below the threshold; GrabCut often
    takes them for object."""
    ring = cv2.dilate(seed.astype(np.uint8), np.ones((9, 9), np.uint8)).astype(bool) & ~seed
    background = np.median(bgr[ring].astype(np.float64), axis=0)
    distance = np.linalg.norm(bgr.astype(np.float64) - background, axis=2)
    mask = (distance > threshold) & seed
    return cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8)).astype(bool)


def grabcut_segment(bgr: np.ndarray, seed: np.ndarray, obj: dict) -> np.ndarray:
    h, w = bgr.shape[:2]
    init = np.full((h, w), cv2.GC_BGD, np.uint8)
    init[seed] = cv2.GC_PR_FGD
    for key, label in (("fg", cv2.GC_FGD), ("bg", cv2.GC_BGD)):
        for stroke in obj.get(key, []):
            init[shape_mask(stroke, h, w)] = label
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    cv2.grabCut(bgr, init, None, bgd, fgd, 8, cv2.GC_INIT_WITH_MASK)
    return np.isin(init, (cv2.GC_FGD, cv2.GC_PR_FGD))


def segment_outline(bgr: np.ndarray, obj: dict) -> np.ndarray:
    """The object's mask inside its seed, by `segment`: "grabcut" (default, with optional
    fg/bg strokes), "colour" (distance from the background colour above `threshold`), or
    "seed" (the seed shape itself)."""
    seed = seed_mask(obj["seed"], *bgr.shape[:2])
    method = obj.get("segment", "grabcut")
    if method == "seed":
        return seed
    if method == "colour":
        mask = colour_segment(bgr, seed, obj.get("threshold", 60.0))
    else:
        mask = grabcut_segment(bgr, seed, obj)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    keep = [i for i in range(1, count) if stats[i, cv2.CC_STAT_AREA] >= MIN_COMPONENT_PX]
    return binary_fill_holes(np.isin(labels, keep))  # highlights are object too


def inner_ellipse(outline: np.ndarray, factor: float) -> np.ndarray:
    """The ellipse fitted to the outline's largest contour, scaled by `factor` about its centre."""
    contours, _ = cv2.findContours(outline.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    (cx, cy), (dw, dh), angle = cv2.fitEllipse(max(contours, key=cv2.contourArea))
    return shape_mask({"ellipse": [cx, cy, dw / 2 * factor, dh / 2 * factor, angle]}, *outline.shape)


def mask_region(mask: np.ndarray, epsilon: float = 0.6) -> Region:
    """Polygons (outer rings) and holes tracing a mask, simplified by `epsilon` pixels."""
    contours, hierarchy = cv2.findContours(mask.astype(np.uint8), cv2.RETR_CCOMP, cv2.CHAIN_APPROX_NONE)
    polygons, holes = [], []
    for contour, (_, _, _, parent) in zip(contours, hierarchy[0] if hierarchy is not None else []):
        ring = cv2.approxPolyDP(contour, epsilon, True)[:, 0, :].astype(np.float64)
        if len(ring) >= 3:
            (holes if parent >= 0 else polygons).append(ring)
    return Region(polygons, holes)


def refine_photo(bgr: np.ndarray, objects: list[dict]) -> list[dict]:
    """Draft objects of one photo -> annotation objects (outline and parts as regions)."""
    h, w = bgr.shape[:2]
    out = []
    for obj in objects:
        outline = segment_outline(bgr, obj)
        left = outline.copy()
        parts = []
        for part in obj["parts"]:
            within = part.get("within", "rest")
            mask = left.copy() if within == "rest" else left & shape_mask(within, h, w)
            for shape in part.get("minus", []):
                mask &= ~shape_mask(shape, h, w)
            if "minus_inner" in part:  # a plate's well: the outline's ellipse, shrunk
                mask &= ~inner_ellipse(outline, part["minus_inner"])
            left &= ~mask
            parts.append({"name": part["name"], "actions": list(part.get("actions", [])),
                          **mask_region(mask).to_json()})
        out.append({"name": obj["name"], "outline": mask_region(outline).to_json(), "parts": parts,
                    "draft": obj})  # kept so that `refine` can redo the photo from the annotation
    return out


def refine(draft_path: Path, photos: Path, out: Path) -> None:
    draft = json.loads(draft_path.read_text())
    if draft.get("format") == FORMAT:  # an annotation: redo every photo from its kept drafts
        draft = {file: [o["draft"] for o in entry["objects"]] for file, entry in draft["photos"].items()}
    data = json.loads(out.read_text()) if out.is_file() else {"format": FORMAT, "photos": {}}
    for file, objects in sorted(draft.items()):
        bgr = cv2.imread(str(photos / file), cv2.IMREAD_COLOR)
        if bgr is None:
            raise SystemExit(f"annotate: cannot read {photos / file}")
        data["photos"][file] = {"sha256": sha256_file(photos / file), "width": bgr.shape[1],
                                "height": bgr.shape[0], "objects": refine_photo(bgr, objects)}
        print(f"refined {file}: " + ", ".join(
            f"{o['name']} ({', '.join(p['name'] for p in o['parts'])})" for o in data["photos"][file]["objects"]))
    out.write_text(dumps(data))


def crop_and_scale(bgr: np.ndarray, crop, scale: float) -> tuple[np.ndarray, int, int]:
    x0, y0, x1, y1 = crop if crop else (0, 0, bgr.shape[1], bgr.shape[0])
    view = bgr[y0:y1, x0:x1]
    return cv2.resize(view, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST), x0, y0


def draw_grid(view: np.ndarray, x0: int, y0: int, scale: float, step: int) -> np.ndarray:
    """Lines every `step` frame pixels over a crop from (x0, y0) enlarged by `scale`, brighter
    and always labelled every 5 steps."""
    h, w = view.shape[:2]
    for vertical, origin, extent in ((True, x0, w), (False, y0, h)):
        first = -(-origin // step) * step
        for value in range(first, origin + int(extent / scale) + 1, step):
            at = int((value - origin) * scale)
            major = value % (step * 5) == 0
            colour = (0, 255, 255) if vertical else (255, 255, 0)
            line = ((at, 0), (at, h)) if vertical else ((0, at), (w, at))
            cv2.line(view, *line, colour if major else tuple(c * 5 // 8 for c in colour), 1)
            if major or scale >= 3:
                cv2.putText(view, str(value), (at + 2, 12) if vertical else (2, at - 2),
                            cv2.FONT_HERSHEY_PLAIN, 0.9, colour, 1)
    return view


def draw_overlay(bgr: np.ndarray, objects, margin: int = 20, scale: float = 3.0, step: int = 0) -> np.ndarray:
    """Parts tinted and outlined, the object outline in white, on an enlarged crop around them."""
    h, w = bgr.shape[:2]
    masks = [o.outline.mask(h, w) for o in objects]
    ys, xs = np.nonzero(np.any(masks, axis=0))
    crop = (max(0, xs.min() - margin), max(0, ys.min() - margin), min(w, xs.max() + margin), min(h, ys.max() + margin))
    view, x0, y0 = crop_and_scale(bgr, crop, scale)
    tint = view.copy()
    to_view = lambda ring: np.round((ring - [x0, y0]) * scale).astype(np.int32)  # noqa: E731
    k = 0
    for obj in objects:
        for part in obj.parts:
            colour = PART_COLOURS[k % len(PART_COLOURS)]
            k += 1
            cv2.fillPoly(tint, [to_view(r) for r in part.region.polygons], colour)
            cv2.fillPoly(tint, [to_view(r) for r in part.region.holes], 0)
        cv2.polylines(view, [to_view(r) for r in obj.outline.polygons + obj.outline.holes], True, (255, 255, 255), 1)
    view = cv2.addWeighted(view, 0.65, tint, 0.35, 0)
    labels = [f"{obj.name}.{part.name}: {','.join(part.actions) or '-'}" for obj in objects for part in obj.parts]
    for i, label in enumerate(labels):
        cv2.putText(view, label, (4, 14 + 14 * i), cv2.FONT_HERSHEY_PLAIN, 1.0, PART_COLOURS[i % len(PART_COLOURS)], 1)
    return draw_grid(view, x0, y0, scale, step) if step else view


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m affordtools.realphotos.annotate", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    g = sub.add_parser("grid", help="a labelled pixel grid over a photo or a crop")
    g.add_argument("photo", type=Path)
    g.add_argument("--crop", type=int, nargs=4, metavar=("X0", "Y0", "X1", "Y1"))
    g.add_argument("--scale", type=float, default=1.0)
    g.add_argument("--step", type=int, default=10, help="grid spacing in frame pixels")
    r = sub.add_parser("refine", help="drafts -> polygons, merged into --out")
    r.add_argument("draft", type=Path)
    r.add_argument("--out", type=Path, default=ANNOTATIONS)
    o = sub.add_parser("overlay", help="the annotation drawn over its photos")
    o.add_argument("--annotations", type=Path, default=ANNOTATIONS)
    o.add_argument("--only", nargs="*", help="photo files to draw (default: all)")
    for p in (r, o):
        p.add_argument("--photos", type=Path, required=True)
    o.add_argument("--scale", type=float, default=3.0)
    o.add_argument("--step", type=int, default=0, help="also draw a grid every STEP frame pixels")
    for p in (g, o):
        p.add_argument("--scratch", type=Path, default=SCRATCH)
    args = ap.parse_args(argv)

    if args.command == "refine":
        refine(args.draft, args.photos, args.out)
        return 0
    args.scratch.mkdir(parents=True, exist_ok=True)
    if args.command == "grid":
        bgr = cv2.imread(str(args.photo), cv2.IMREAD_COLOR)
        out = args.scratch / f"{args.photo.stem}.grid.png"
        view, x0, y0 = crop_and_scale(bgr, args.crop, args.scale)
        cv2.imwrite(str(out), draw_grid(view, x0, y0, args.scale, args.step))
        print(out)
        return 0
    for photo in load(args.annotations):
        if args.only and photo.file not in args.only:
            continue
        bgr = cv2.imread(str(args.photos / photo.file), cv2.IMREAD_COLOR)
        out = args.scratch / f"{Path(photo.file).stem}.overlay.png"
        cv2.imwrite(str(out), draw_overlay(bgr, photo.objects, scale=args.scale, step=args.step))
        print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
