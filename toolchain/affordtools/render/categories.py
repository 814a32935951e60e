"""Parametric object categories: each draws its shape parameters from a seeded generator and
returns named parts, the material family of each part, and which part carries which action.

Objects stand (or lie) on the plane z = 0, in metres. Action names follow AGD20K's vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .mesh import Mesh, extrude, lathe, tube


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


def _translation(x: float, y: float, z: float) -> np.ndarray:
    matrix = np.eye(4)
    matrix[:3, 3] = (x, y, z)
    return matrix


CATEGORIES: dict[str, Callable[[np.random.Generator], Object3D]] = {
    "mug": mug, "cup": cup, "knife": knife, "spoon": spoon, "ladle": ladle, "spatula": spatula,
    "brush": brush, "hammer": hammer, "bottle": bottle,
}
