"""Parametric object categories: each draws its shape parameters from a seeded generator and
returns named parts, the material family of each part, and which part carries which action.

Objects stand (or lie) on the plane z = 0, in metres. Action names follow AGD20K's vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .mesh import Mesh, extrude, lathe, merge, tube


@dataclass
class Part:
    name: str
    mesh: Mesh
    material: str  # a family from scene.MATERIALS; the same family within an object shares one draw
    actions: tuple[str, ...] = ()


@dataclass
class Object3D:
    category: str
    parts: list[Part]
    params: dict[str, float] = field(default_factory=dict)

    @property
    def actions(self) -> list[str]:
        return sorted({a for part in self.parts for a in part.actions})


def _mug_shell(rng: np.random.Generator, with_handle: bool) -> Object3D:
    height = rng.uniform(0.08, 0.12)
    radius = rng.uniform(0.035, 0.05)
    taper = rng.uniform(0.8, 1.0)  # bottom radius / top radius
    wall = rng.uniform(0.004, 0.007)
    band = 0.18 * height  # the rim: where the lips go
    outer = lambda z: radius * (taper + (1 - taper) * z / height)  # noqa: E731
    inner = lambda z: outer(z) - wall  # noqa: E731
    split = height - band
    zs = np.linspace(0, split, 6)
    body = lathe([0, *[outer(z) for z in zs]], [0, *zs])
    rim = lathe([outer(split), outer(height), inner(height), inner(split)], [split, height, height, split])
    floor = wall * 1.5
    inside = lathe([inner(split), inner(floor), 0], [split, floor, floor])
    family = str(rng.choice(["ceramic", "ceramic", "plastic"] if with_handle else ["ceramic", "plastic", "metal"]))
    parts = [
        Part("body", body, family, () if with_handle else ("hold",)),
        Part("rim", rim, family, ("drink_with",)),
        Part("inside", inside, family),
    ]
    params = {"height": height, "radius": radius, "taper": taper, "wall": wall}
    if with_handle:
        low, high = rng.uniform(0.15, 0.3) * height, rng.uniform(0.7, 0.85) * split
        reach = rng.uniform(0.022, 0.038)
        thick = rng.uniform(0.004, 0.007)
        theta = np.linspace(-0.15, np.pi + 0.15, 24)
        centre, half = (low + high) / 2, (high - low) / 2
        path = np.c_[outer(centre) - wall / 2 + reach * np.sin(theta), np.zeros_like(theta), centre + half * np.cos(theta)]
        parts.append(Part("handle", tube(path, thick, aspect=rng.uniform(1.0, 1.8)), family, ("hold",)))
        params.update(handle_reach=reach, handle_thickness=thick)
    return Object3D("mug" if with_handle else "cup", parts, params)


def mug(rng: np.random.Generator) -> Object3D:
    return _mug_shell(rng, with_handle=True)


def cup(rng: np.random.Generator) -> Object3D:
    return _mug_shell(rng, with_handle=False)


def _bowl_on_handle(rng, category, radius, depth_ratio, elongation, handle_length, bowl_actions) -> Object3D:
    """A spoon-like utensil lying on the table: a shell bowl at +x, an arched flat handle at -x."""
    a = rng.uniform(*radius)
    d = a * rng.uniform(*depth_ratio)
    stretch = rng.uniform(*elongation)
    length = rng.uniform(*handle_length)
    bowl = lathe(
        [0, a * 0.5, a * 0.85, a, a * 0.93, a * 0.75, a * 0.4, 0],
        [0, d * 0.12, d * 0.5, d, d, d * 0.55, d * 0.22, d * 0.15],
        scale_xy=(stretch, 1.0),
    )
    bowl = bowl.transformed(_translation(stretch * a * 0.95, 0, 0.002))
    xs = np.linspace(-length, 0.0, 16)
    rise = rng.uniform(0.3, 1.0) * d * (1 - (xs / -length - 1) ** 2)  # a gentle arch up to the rim
    path = np.c_[xs, np.zeros_like(xs), 0.003 + rise]
    half_width = np.linspace(rng.uniform(0.004, 0.008), 0.0025, len(xs))
    half_thickness = rng.uniform(0.0012, 0.002)
    handle = tube(path, half_thickness, aspect=half_width / half_thickness)
    family = str(rng.choice(["metal", "metal", "wood", "plastic"]))
    parts = [Part("bowl", bowl, family, bowl_actions), Part("handle", handle, family, ("hold",))]
    return Object3D(category, parts, {"bowl_radius": a, "depth": d, "elongation": stretch, "handle_length": length})


def spoon(rng: np.random.Generator) -> Object3D:
    return _bowl_on_handle(rng, "spoon", (0.012, 0.022), (0.3, 0.5), (1.2, 1.7), (0.09, 0.15), ("scoop", "stir"))


def ladle(rng: np.random.Generator) -> Object3D:
    return _bowl_on_handle(rng, "ladle", (0.03, 0.045), (0.6, 0.9), (1.0, 1.1), (0.18, 0.26), ("scoop", "pour"))


def _flat_tool(rng, category, head, head_family, head_actions, handle_length, grip) -> Object3D:
    """A tool lying on the table: a handle along -x and a flat extruded head from x = 0."""
    outline, thickness = head
    length = rng.uniform(*handle_length)
    radius = rng.uniform(*grip)
    slab = extrude(outline, thickness)
    slab.vertices[:, 2] += radius
    path = np.c_[np.linspace(-length, 0.004, 12), np.zeros(12), np.full(12, radius)]
    handle = tube(path, radius * np.r_[np.full(11, 1.0), 0.8], aspect=rng.uniform(1.1, 1.6))
    parts = [
        Part("head", slab, head_family, head_actions),
        Part("handle", handle, str(rng.choice(["wood", "plastic", "metal"])), ("hold",)),
    ]
    return Object3D(category, parts, {"handle_length": length, "grip": radius, "head_length": float(np.ptp(outline[:, 0]))})


def knife(rng: np.random.Generator) -> Object3D:
    blade_length = rng.uniform(0.09, 0.2)
    width = rng.uniform(0.016, 0.035)
    belly = rng.uniform(1.5, 4.0)  # how sharply the edge sweeps up to the tip
    xs = np.linspace(0, blade_length, 16)
    edge = np.c_[xs, -width / 2 * (1 - (xs / blade_length) ** belly)]
    spine = np.array([[rng.uniform(0.6, 0.9) * blade_length, width / 2], [0.0, width / 2]])
    head = (np.concatenate([edge, spine]), rng.uniform(0.0015, 0.003))
    return _flat_tool(rng, "knife", head, "metal", ("cut",), (0.08, 0.12), (0.007, 0.011))


def spatula(rng: np.random.Generator) -> Object3D:
    neck, length = rng.uniform(0.02, 0.05), rng.uniform(0.06, 0.1)
    width = rng.uniform(0.05, 0.08)
    outline = np.array([[0, -0.006], [neck, -width / 2], [neck + length, -width / 2],
                        [neck + length, width / 2], [neck, width / 2], [0, 0.006]])
    head = (outline, rng.uniform(0.0015, 0.003))
    return _flat_tool(rng, "spatula", head, str(rng.choice(["metal", "plastic"])), ("lift",), (0.1, 0.16), (0.008, 0.012))


def brush(rng: np.random.Generator) -> Object3D:
    length, width = rng.uniform(0.04, 0.08), rng.uniform(0.025, 0.045)
    outline = np.array([[0, -width / 2], [length, -width / 2], [length, width / 2], [0, width / 2]])
    head = (outline, rng.uniform(0.012, 0.025))
    return _flat_tool(rng, "brush", head, "plastic", ("brush_with",), (0.1, 0.18), (0.007, 0.011))


def hammer(rng: np.random.Generator) -> Object3D:
    handle_length = rng.uniform(0.2, 0.32)
    grip = rng.uniform(0.011, 0.016)
    head_length = rng.uniform(0.08, 0.13)
    head_radius = rng.uniform(0.012, 0.018)
    ys = np.linspace(-head_length / 2, head_length / 2, 6)
    head = tube(np.c_[np.full(6, head_radius), ys, np.full(6, head_radius)], head_radius)
    path = np.c_[np.linspace(-handle_length, 0.0, 12), np.zeros(12), np.full(12, head_radius)]
    handle = tube(path, grip, aspect=rng.uniform(1.1, 1.4))
    parts = [Part("head", head, "metal", ("hit",)),
             Part("handle", handle, str(rng.choice(["wood", "plastic"])), ("hold",))]
    return Object3D("hammer", parts, {"handle_length": handle_length, "head_length": head_length})


def bottle(rng: np.random.Generator) -> Object3D:
    radius = rng.uniform(0.025, 0.045)
    shoulder = rng.uniform(0.1, 0.2)
    neck_radius = rng.uniform(0.3, 0.5) * radius
    neck_start = shoulder + rng.uniform(0.02, 0.05)
    top = neck_start + rng.uniform(0.02, 0.05)
    zs = np.linspace(0, shoulder, 6)
    body = lathe([0, *np.full(6, radius)], [0, *zs])
    curve = np.linspace(0, 1, 6)
    neck_r = [*(radius + (neck_radius - radius) * np.sin(curve * np.pi / 2)), neck_radius]
    neck = lathe(neck_r, [*(shoulder + (neck_start - shoulder) * curve), top])
    cap_height = rng.uniform(0.01, 0.02)
    cap = lathe([neck_radius * 1.15, neck_radius * 1.15, 0], [top - cap_height * 0.3, top + cap_height, top + cap_height])
    family = str(rng.choice(["plastic", "metal", "ceramic"]))
    parts = [Part("body", body, family, ("hold",)), Part("neck", neck, family, ("pour",)),
             Part("cap", cap, "plastic", ("open",))]
    return Object3D("bottle", parts, {"radius": radius, "height": top + cap_height, "neck_radius": neck_radius})


def frying_pan(rng: np.random.Generator) -> Object3D:
    radius = rng.uniform(0.1, 0.15)
    depth = rng.uniform(0.03, 0.055)
    flare = rng.uniform(1.1, 1.3)  # rim radius / floor radius
    wall = 0.004
    floor_r = radius / flare
    outer = lathe([0, floor_r, radius, radius - wall], [0, 0, depth, depth])
    inside = lathe([radius - wall, floor_r - wall, 0], [depth, wall, wall])
    length = rng.uniform(0.15, 0.22)
    rise = rng.uniform(0.1, 0.3)  # the handle climbs away from the pan
    xs = np.linspace(0, length, 10)
    path = np.c_[-(radius - 0.005) - xs, np.zeros_like(xs), depth * 0.7 + rise * xs]
    grip = rng.uniform(0.008, 0.012)
    handle = tube(path, grip, aspect=rng.uniform(0.5, 0.9))
    pan_family = str(rng.choice(["metal", "metal", "plastic"]))  # steel, or a dark non-stick coating
    parts = [Part("pan", outer, pan_family), Part("inside", inside, pan_family, ("wash",)),
             Part("handle", handle, str(rng.choice(["wood", "plastic", "metal"])), ("hold",))]
    return Object3D("frying_pan", parts, {"radius": radius, "depth": depth, "handle_length": length})


def kettle(rng: np.random.Generator) -> Object3D:
    radius = rng.uniform(0.06, 0.09)
    height = rng.uniform(0.12, 0.2)
    belly = rng.uniform(1.0, 1.25)  # widest radius / base radius
    top_r = radius * rng.uniform(0.45, 0.7)
    zs = np.linspace(0, height, 8)
    profile = radius * (1 + (belly - 1) * np.sin(np.pi * zs / height * 0.8)) * (1 - (1 - top_r / radius) * (zs / height) ** 2)
    body = lathe([0, *profile, 0], [0, *zs, height])
    lid_h = rng.uniform(0.012, 0.025)
    lid = lathe([top_r * 0.95, top_r * 0.6, top_r * 0.18, top_r * 0.18, 0],
                [height, height + lid_h * 0.6, height + lid_h * 0.7, height + lid_h * 1.4, height + lid_h * 1.5])
    spout_base = rng.uniform(0.25, 0.55) * height
    spout_len = rng.uniform(0.06, 0.1)
    tilt = np.radians(rng.uniform(30, 55))
    ts = np.linspace(0, 1, 8)
    start = profile[np.searchsorted(zs, spout_base)] * 0.8
    spout_path = np.c_[start + ts * spout_len * np.cos(tilt), np.zeros_like(ts), spout_base + ts * spout_len * np.sin(tilt)]
    spout = tube(spout_path, np.linspace(0.012, 0.006, 8))
    low, high = rng.uniform(0.3, 0.5) * height, height * rng.uniform(0.85, 1.0)
    theta = np.linspace(0, np.pi, 16)
    reach = rng.uniform(0.03, 0.05)
    handle_path = np.c_[-(radius * belly * 0.9 + reach * np.sin(theta)), np.zeros_like(theta),
                        (low + high) / 2 - (high - low) / 2 * np.cos(theta)]
    handle = tube(handle_path, rng.uniform(0.006, 0.01), aspect=rng.uniform(1.0, 1.8))
    family = str(rng.choice(["metal", "ceramic", "plastic"]))
    parts = [Part("body", body, family), Part("lid", lid, family, ("open",)),
             Part("spout", spout, family, ("pour",)), Part("handle", handle, str(rng.choice([family, "plastic", "wood"])), ("hold",))]
    return Object3D("kettle", parts, {"radius": radius, "height": height, "spout_length": spout_len})


def screwdriver(rng: np.random.Generator) -> Object3D:
    grip_len = rng.uniform(0.08, 0.12)
    grip = rng.uniform(0.011, 0.016)
    shaft_len = rng.uniform(0.06, 0.16)
    shaft_r = rng.uniform(0.0025, 0.004)
    xs = np.linspace(-grip_len, 0.0, 10)
    bulge = grip * (0.85 + 0.15 * np.sin(np.pi * (xs + grip_len) / grip_len))
    handle = tube(np.c_[xs, np.zeros(10), np.full(10, grip)], bulge, segments=12)  # 12 flats, like a grip
    shaft = tube(np.c_[np.linspace(0, shaft_len * 0.85, 6), np.zeros(6), np.full(6, grip)], shaft_r)
    tip_len = shaft_len * 0.15
    tip = tube(np.c_[np.linspace(shaft_len * 0.85, shaft_len, 4), np.zeros(4), np.full(4, grip)],
               np.linspace(shaft_r, shaft_r * 0.5, 4), aspect=np.linspace(1.0, 0.35, 4))
    parts = [Part("handle", handle, str(rng.choice(["plastic", "plastic", "wood"])), ("hold",)),
             Part("shaft", shaft, "metal"), Part("tip", tip, "metal", ("screw",))]
    return Object3D("screwdriver", parts, {"grip_length": grip_len, "shaft_length": shaft_len, "tip_length": tip_len})


def scissors(rng: np.random.Generator) -> Object3D:
    blade_len = rng.uniform(0.06, 0.12)
    blade_w = rng.uniform(0.008, 0.014)
    opening = np.radians(rng.uniform(3, 35))
    thick = 0.002
    ring_r = rng.uniform(0.012, 0.02)
    ring_t = rng.uniform(0.003, 0.005)
    blades, rings = [], []
    for side in (-1, 1):
        angle = side * opening / 2
        xs = np.linspace(0, blade_len, 8)
        outline = np.r_[np.c_[xs, side * blade_w * (1 - xs / blade_len) ** 0.8], [[blade_len * 0.02, -side * 0.002]]]
        slab = extrude(outline[:: -side] if side > 0 else outline, thick)
        rotate = _rotation_z(angle)
        slab = slab.transformed(rotate @ _translation(0, 0, thick * (1.5 + side * 0.5)))
        blades.append(slab)
        centre = np.array([-ring_r * 1.6, -side * ring_r * 1.1, 0.0])
        theta = np.linspace(0, 2 * np.pi, 25)
        loop = np.c_[centre[0] + ring_r * np.cos(theta), centre[1] + ring_r * np.sin(theta), np.full(25, ring_t + thick)]
        rings.append(tube(loop, ring_t, segments=10, aspect=rng.uniform(0.6, 1.0)).transformed(_rotation_z(-angle)))
    blade_family = "metal"
    ring_family = str(rng.choice(["plastic", "plastic", "metal"]))
    parts = [Part("blade_a", blades[0], blade_family, ("cut",)), Part("blade_b", blades[1], blade_family, ("cut",)),
             Part("ring_a", rings[0], ring_family, ("hold",)), Part("ring_b", rings[1], ring_family, ("hold",))]
    return Object3D("scissors", parts, {"blade_length": blade_len, "opening_deg": float(np.degrees(opening)), "ring_radius": ring_r})


def fork(rng: np.random.Generator) -> Object3D:
    """A table fork lying on its back: 3-4 tines on a flat palm at +x, a flat handle along -x."""
    length = rng.uniform(0.1, 0.15)
    tine_count = int(rng.integers(3, 5))
    palm_w = rng.uniform(0.018, 0.026)
    palm_len = rng.uniform(0.012, 0.02)
    tine_len = rng.uniform(0.025, 0.04)
    thick = rng.uniform(0.0012, 0.002)
    lift = rng.uniform(0.002, 0.006)  # tines and handle curve up off the table
    palm_outline = np.array([[0, -0.004], [palm_len, -palm_w / 2], [palm_len, palm_w / 2], [0, 0.004]])
    palm = extrude(palm_outline, thick).transformed(_translation(0, 0, thick + lift * 0.4))
    tines = []
    gap = palm_w / tine_count
    for k in range(tine_count):
        y = -palm_w / 2 + gap * (k + 0.5)
        xs = np.linspace(palm_len - 0.001, palm_len + tine_len, 6)
        zs = thick + lift * (0.4 + 0.6 * ((xs - palm_len) / tine_len) ** 2)
        half_width = np.linspace(gap * 0.28, gap * 0.18, 6)  # the tube's radius is vertical, aspect across
        tines.append(tube(np.c_[xs, np.full(6, y), zs], thick / 2, segments=8, aspect=half_width / (thick / 2)))
    xs = np.linspace(-length, 0.0, 16)
    path = np.c_[xs, np.zeros_like(xs), thick + lift * (xs / -length) ** 2 * 1.5]
    half_width = np.linspace(rng.uniform(0.005, 0.009), 0.0025, len(xs))
    handle = tube(path, thick / 2, aspect=half_width / (thick / 2))
    family = str(rng.choice(["metal", "metal", "metal", "plastic", "wood"]))
    handle_family = family if rng.random() < 0.7 else str(rng.choice(["plastic", "wood"]))
    parts = [Part("tines", merge(palm, *tines), family), Part("handle", handle, handle_family, ("hold",))]
    return Object3D("fork", parts, {"handle_length": length, "tines": tine_count, "tine_length": tine_len})


def pen(rng: np.random.Generator) -> Object3D:
    """A pen or marker lying on the table: the barrel is what a hand holds; the tip writes."""
    length = rng.uniform(0.11, 0.16)
    radius = rng.uniform(0.004, 0.008)
    tip_len = rng.uniform(0.008, 0.02)
    segments = int(rng.choice([6, 16]))  # a hexagonal pencil or a round pen
    xs = np.linspace(-length, 0.0, 8)
    barrel = tube(np.c_[xs, np.zeros(8), np.full(8, radius)], radius, segments=segments)
    ts = np.linspace(0, 1, 5)
    tip = tube(np.c_[ts * tip_len, np.zeros(5), np.full(5, radius)], radius * (1 - 0.8 * ts), segments=segments)
    parts = [Part("barrel", barrel, str(rng.choice(["plastic", "plastic", "wood", "metal"])), ("hold",)),
             Part("tip", tip, str(rng.choice(["metal", "plastic", "wood"])))]
    if rng.random() < 0.5:  # a cap or a clip end in another colour
        cap_len = rng.uniform(0.015, 0.04)
        cap = tube(np.c_[np.linspace(-length - cap_len, -length + 0.002, 4), np.zeros(4), np.full(4, radius * 1.08)],
                   radius * 1.08, segments=segments)
        parts.append(Part("cap", cap, str(rng.choice(["plastic", "metal"])), ("hold",)))
    return Object3D("pen", parts, {"length": length, "radius": radius, "tip_length": tip_len})


def plate(rng: np.random.Generator) -> Object3D:
    """A plate flat on the table: hands take it by the rim, not by the well."""
    radius = rng.uniform(0.08, 0.13)
    well = radius * rng.uniform(0.55, 0.75)
    depth = rng.uniform(0.008, 0.02)
    rim_lip = rng.uniform(0.002, 0.005)
    well_part = lathe([0, well * 0.9, well], [0.002, 0.002, 0.002 + depth * 0.3])
    rim = lathe([well, radius * 0.97, radius, radius * 0.96, well * 0.98],
                [0.002 + depth * 0.3, depth, depth + rim_lip * 0.3, depth + rim_lip * 0.5, 0.002 + depth * 0.35])
    base = lathe([0, well * 0.85, well * 0.9, 0], [0, 0, 0.002, 0.002])
    family = str(rng.choice(["ceramic", "ceramic", "plastic", "metal"]))
    parts = [Part("well", merge(well_part, base), family), Part("rim", rim, family, ("hold",))]
    return Object3D("plate", parts, {"radius": radius, "well_radius": well, "depth": depth})


def button_box(rng: np.random.Generator) -> Object3D:
    """A control box with one round push button on its lid: "press" is on the button only.

    Not in CATEGORIES: no default head trains on it, so it measures teaching (issue 13).
    """
    width, depth = rng.uniform(0.08, 0.14), rng.uniform(0.06, 0.1)
    height = rng.uniform(0.03, 0.06)
    outline = np.array([[-width / 2, -depth / 2], [width / 2, -depth / 2], [width / 2, depth / 2], [-width / 2, depth / 2]])
    box = extrude(outline, height).transformed(_translation(0, 0, height / 2))
    radius = rng.uniform(0.012, min(0.022, depth / 3))
    rise = rng.uniform(0.006, 0.014)
    x = rng.uniform(-width / 2 + radius * 1.3, width / 2 - radius * 1.3)
    button = lathe([radius, radius, radius * 0.85, 0], [0, rise * 0.7, rise, rise]).transformed(_translation(x, 0, height))
    box_family = str(rng.choice(["plastic", "plastic", "metal"]))
    parts = [Part("box", box, box_family), Part("button", button, "plastic", ("press",))]
    return Object3D("button_box", parts, {"width": width, "height": height, "button_radius": radius})


def _rotation_z(angle: float) -> np.ndarray:
    matrix = np.eye(4)
    matrix[:2, :2] = [[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]]
    return matrix


def _translation(x: float, y: float, z: float) -> np.ndarray:
    matrix = np.eye(4)
    matrix[:3, 3] = (x, y, z)
    return matrix


CATEGORIES: dict[str, Callable[[np.random.Generator], Object3D]] = {
    "mug": mug, "cup": cup, "knife": knife, "spoon": spoon, "ladle": ladle, "spatula": spatula,
    "brush": brush, "hammer": hammer, "bottle": bottle, "frying_pan": frying_pan, "kettle": kettle,
    "screwdriver": screwdriver, "scissors": scissors, "fork": fork, "pen": pen, "plate": plate,
}

# Categories no default head trains on, for measuring run-time teaching; `--categories` accepts them.
HELD_OUT: dict[str, Callable[[np.random.Generator], Object3D]] = {"button_box": button_box}
