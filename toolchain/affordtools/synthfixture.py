"""A generated AGD20K-layout dataset whose right answer is known.

    python -m affordtools.synthfixture --out DIR [--seed 0] [--train 6] [--test 4]

Flat 2-D tools on cluttered backgrounds. Every tool is built from parts, and each
action has its own part: `hold` a striped brown handle, `cut` a silver blade, `pour` a
spout with a dark opening. Egocentric images show the tool alone; exocentric images show
a hand-like occluder (palm, fingers, forearm from the image border) grasping the part of
the folder's action, leaving most of it visible. Test GT is the part's mask, blurred;
training egocentric images get GT too (`trainset/GT/`, not part of AGD20K) so that
supervised training can be compared with weak training.
Seen tests new instances of the training tools; Unseen tests other tools (pan, cleaver,
jug) whose parts look alike but sit elsewhere.
"""
from __future__ import annotations

import argparse
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

SIZE = 224
ACTIONS = ("hold", "cut", "pour")
PART_OF = {"hold": "handle", "cut": "blade", "pour": "spout"}
# tool -> actions it affords (its folders)
SEEN_TOOLS = {"mug": ("hold",), "knife": ("hold", "cut"), "kettle": ("hold", "pour")}
UNSEEN_TOOLS = {"pan": ("hold",), "cleaver": ("hold", "cut"), "jug": ("hold", "pour")}

Poly = list[tuple[float, float]]


def _ring(cx, cy, rx, ry, width, a0, a1, n=24) -> Poly:
    """A thick elliptical arc as a polygon (angles in degrees)."""
    outer = [(cx + rx * math.cos(math.radians(a)), cy + ry * math.sin(math.radians(a)))
             for a in np.linspace(a0, a1, n)]
    inner = [(cx + (rx - width) * math.cos(math.radians(a)), cy + (ry - width) * math.sin(math.radians(a)))
             for a in np.linspace(a1, a0, n)]
    return outer + inner


def _rect(x0, y0, x1, y1) -> Poly:
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


def tool_parts(tool: str, rng: np.random.Generator) -> list[tuple[str, Poly]]:
    """(part, polygon) in tool coordinates (about 140 x 90 units), drawn in order."""
    j = lambda v, s=0.12: v * (1 + rng.uniform(-s, s))  # noqa: E731  shape variation
    if tool == "mug":
        h = j(70)
        return [("handle", _ring(58, h / 2, j(28), h * 0.36, 15, -80, 80)), ("body", _rect(0, 0, 60, h))]
    if tool == "kettle":
        return [("handle", _ring(8, 45, j(26), 30, 14, 100, 260)),
                ("spout", [(66, 44), (66, 66), (j(112), j(22)), (j(100), 14)]),
                ("body", [(5, 80), (75, 80), (70, 20), (10, 20)])]
    if tool == "jug":
        return [("handle", _ring(62, 45, j(24), 30, 14, -80, 80)),
                ("spout", [(0, 6), (16, 6), (j(-24), j(-12)), (j(-30), 0)]),
                ("body", _rect(0, 5, 62, j(95)))]
    if tool == "knife":
        L = j(55)
        return [("handle", _rect(0, 0, L, 22)), ("blade", [(L, -6), (L + j(85), 11), (L, 28)])]
    if tool == "cleaver":
        L = j(50)
        return [("handle", _rect(0, 0, L, 20)), ("blade", _rect(L, -j(22), L + j(65), 26))]
    if tool == "pan":
        r = j(40)
        return [("handle", _rect(2 * r - 4, r - 10, 2 * r + j(70), r + 10)),
                ("body", _ring(r, r, r, r, r, 0, 360, 40))]
    raise ValueError(f"unknown tool {tool!r}")


def _material(draw: ImageDraw.ImageDraw, part: str, poly: Poly, body_rgb, rng) -> None:
    if part == "handle":
        brown = tuple(int(c * rng.uniform(0.85, 1.15)) for c in (115, 66, 30))
        draw.polygon(poly, fill=brown)
    elif part == "blade":
        draw.polygon(poly, fill=tuple([int(rng.uniform(175, 215))] * 3))
        draw.line(poly[-2:] + poly[:1] if len(poly) == 3 else poly[1:3], fill=(245, 245, 250), width=2)
    else:
        draw.polygon(poly, fill=body_rgb)
        if part == "spout":
            tip = np.mean(poly[2:4], axis=0)
            draw.ellipse([tip[0] - 5, tip[1] - 5, tip[0] + 5, tip[1] + 5], fill=(25, 25, 25))


def _stripes(img: Image.Image, mask: Image.Image, rng) -> None:
    """Dark grip stripes across handles, clipped to the handle mask."""
    layer = Image.new("RGB", img.size, (50, 25, 10))
    stripes = Image.new("L", img.size, 0)
    d = ImageDraw.Draw(stripes)
    period = int(rng.integers(7, 10))
    for x in range(-SIZE, 2 * SIZE, period):
        d.line([(x, 0), (x + SIZE, SIZE)], fill=255, width=3)
    img.paste(layer, (0, 0), Image.fromarray(np.minimum(np.asarray(stripes), np.asarray(mask))))


@dataclass
class Scene:
    image: Image.Image
    masks: dict[str, np.ndarray]  # part -> bool mask


def _background(rng) -> Image.Image:
    base = rng.uniform(150, 235, 3)
    grad = np.linspace(-25, 25, SIZE)[:, None, None] * rng.uniform(-1, 1, 3)
    arr = np.clip(base + grad + rng.normal(0, 6, (SIZE, SIZE, 3)), 0, 255).astype(np.uint8)
    img = Image.fromarray(arr)
    d = ImageDraw.Draw(img)
    for _ in range(int(rng.integers(1, 4))):  # distractors: blobs that are no tool part
        x, y, r = rng.uniform(0, SIZE), rng.uniform(0, SIZE), rng.uniform(8, 20)
        d.ellipse([x - r, y - r * rng.uniform(0.5, 1), x + r, y + r], fill=tuple(int(v) for v in rng.uniform(40, 220, 3)))
    return img


def render(tool: str, rng: np.random.Generator, grasp: str | None = None) -> Scene:
    """One scene of `tool`; with `grasp`, a hand covers the middle of that part."""
    parts = tool_parts(tool, rng)
    pts = np.array([p for _, poly in parts for p in poly])
    lo, hi = pts.min(0), pts.max(0)
    scale = rng.uniform(1.0, 1.2) * 170 / max(hi - lo)
    flip = rng.random() < 0.5
    span = (hi - lo) * scale
    off = np.array([rng.uniform(8, max(9, SIZE - 8 - span[0])), rng.uniform(8, max(9, SIZE - 8 - span[1]))])

    def place(poly: Poly) -> Poly:
        out = []
        for x, y in poly:
            u = (x - lo[0]) * scale
            out.append(((span[0] - u if flip else u) + off[0], (y - lo[1]) * scale + off[1]))
        return out

    img = _background(rng)
    body_rgb = tuple(int(v) for v in rng.choice([(200, 40, 40), (40, 90, 200), (40, 160, 80), (230, 190, 40),
                                                 (150, 60, 170), (240, 240, 240)]) * rng.uniform(0.8, 1.05, 3))
    d = ImageDraw.Draw(img)
    masks: dict[str, np.ndarray] = {}
    for part, poly in parts:
        poly = place(poly)
        m = Image.new("L", img.size, 0)
        ImageDraw.Draw(m).polygon(poly, fill=255)
        _material(d, part, poly, body_rgb, rng)
        if part == "handle":
            _stripes(img, m, rng)
        for other in masks:  # later parts cover earlier ones
            masks[other] &= np.asarray(m) == 0
        masks[part] = np.asarray(m) > 0
    if grasp is not None:
        _draw_hand(img, masks[grasp], rng)
    return Scene(img, masks)


def _draw_hand(img: Image.Image, part_mask: np.ndarray, rng) -> None:
    ys, xs = np.nonzero(part_mask)
    nearest = np.argmin((ys - ys.mean()) ** 2 + (xs - xs.mean()) ** 2)  # arcs: centroid is off the part
    cy, cx = float(ys[nearest]), float(xs[nearest])
    skin = tuple(int(c * rng.uniform(0.75, 1.05)) for c in (225, 170, 135))
    d = ImageDraw.Draw(img)
    angle = rng.uniform(0, 2 * math.pi)
    edge = (cx + 400 * math.cos(angle), cy + 400 * math.sin(angle))
    d.line([(cx, cy), edge], fill=tuple(int(c * 0.9) for c in skin), width=18)  # forearm
    r = float(rng.uniform(10, 13))  # small: most of the part stays visible around the grasp
    d.ellipse([cx - r, cy - 0.8 * r, cx + r, cy + 0.8 * r], fill=skin)  # palm
    for k in range(4):  # fingers wrap across the part
        a = angle + math.pi + (k - 1.5) * 0.35
        fx, fy = cx + 1.3 * r * math.cos(a), cy + 1.3 * r * math.sin(a)
        d.line([(cx, cy), (fx, fy)], fill=skin, width=7)


def gt_map(mask: np.ndarray, sigma: float = 5.0) -> Image.Image:
    """The part mask blurred and max-normalised to 8 bits, like AGD20K's soft GT."""
    blurred = Image.fromarray((mask * 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(sigma))
    arr = np.asarray(blurred, np.float32)
    return Image.fromarray(np.round(arr / max(arr.max(), 1) * 255).astype(np.uint8))


def write_split(root: Path, split: str, train_tools: dict, test_tools: dict, n_train: int, n_test: int,
                rng: np.random.Generator) -> None:
    base = root / split
    for tool, actions in train_tools.items():
        for action in actions:
            for view in ("egocentric", "exocentric"):
                folder = base / "trainset" / view / action / tool
                folder.mkdir(parents=True, exist_ok=True)
                for i in range(n_train):
                    scene = render(tool, rng, grasp=PART_OF[action] if view == "exocentric" else None)
                    name = f"{tool}_{view[:3]}_{i:03d}"
                    scene.image.save(folder / f"{name}.jpg", quality=92)
                    if view == "egocentric":  # for supervised training and its comparison only
                        gt = base / "trainset" / "GT" / action / tool
                        gt.mkdir(parents=True, exist_ok=True)
                        gt_map(scene.masks[PART_OF[action]]).save(gt / f"{name}.png")
    for tool, actions in test_tools.items():
        for action in actions:
            ego = base / "testset" / "egocentric" / action / tool
            gt = base / "testset" / "GT" / action / tool
            ego.mkdir(parents=True, exist_ok=True)
            gt.mkdir(parents=True, exist_ok=True)
            for i in range(n_test):
                scene = render(tool, rng)
                name = f"{tool}_{action}_{i:03d}"
                scene.image.save(ego / f"{name}.jpg", quality=92)
                gt_map(scene.masks[PART_OF[action]]).save(gt / f"{name}.png")


def generate(out: str | Path, seed: int = 0, n_train: int = 6, n_test: int = 4,
             splits: tuple[str, ...] = ("Seen", "Unseen")) -> Path:
    """Writes the splits under `out`; the same seed gives the same files."""
    out = Path(out)
    for split in splits:
        rng = np.random.default_rng([seed, split == "Unseen"])
        test_tools = SEEN_TOOLS if split == "Seen" else UNSEEN_TOOLS
        write_split(out, split, SEEN_TOOLS, test_tools, n_train, n_test, rng)
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m affordtools.synthfixture", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--train", type=int, default=6, help="images per (action, tool, view) in trainset")
    ap.add_argument("--test", type=int, default=4, help="images per (action, tool) in testset")
    args = ap.parse_args(argv)
    print(generate(args.out, args.seed, args.train, args.test))


if __name__ == "__main__":
    main()
