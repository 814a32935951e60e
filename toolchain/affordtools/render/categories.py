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


def knife(rng: np.random.Generator) -> Object3D:
    blade_length = rng.uniform(0.09, 0.2)
    width = rng.uniform(0.016, 0.035)
    handle_length = rng.uniform(0.08, 0.12)
    grip = rng.uniform(0.007, 0.011)
    belly = rng.uniform(1.5, 4.0)  # how sharply the edge sweeps up to the tip
    xs = np.linspace(0, blade_length, 16)
    edge = np.c_[xs, -width / 2 * (1 - (xs / blade_length) ** belly)]
    spine_end = rng.uniform(0.6, 0.9) * blade_length
    spine = np.array([[spine_end, width / 2], [0.0, width / 2]])
    outline = np.concatenate([edge, spine])
    blade = extrude(outline, rng.uniform(0.0015, 0.003))
    blade.vertices[:, 2] += grip
    path = np.c_[np.linspace(-handle_length, 0.004, 12), np.zeros(12), np.full(12, grip)]
    handle = tube(path, grip * np.r_[np.full(11, 1.0), 0.8], aspect=rng.uniform(1.2, 1.6))
    parts = [
        Part("blade", blade, "metal", ("cut",)),
        Part("handle", handle, str(rng.choice(["wood", "plastic", "metal"])), ("hold",)),
    ]
    return Object3D("knife", parts, {"blade_length": blade_length, "width": width, "handle_length": handle_length})


def spoon(rng: np.random.Generator) -> Object3D:
    bowl_radius = rng.uniform(0.012, 0.022)
    elongation = rng.uniform(1.2, 1.7)
    depth = rng.uniform(0.005, 0.01)
    handle_length = rng.uniform(0.09, 0.15)
    a, d = bowl_radius, depth
    bowl = lathe(
        [0, a * 0.5, a * 0.85, a, a * 0.93, a * 0.75, a * 0.4, 0],
        [0, d * 0.12, d * 0.5, d, d, d * 0.55, d * 0.22, d * 0.15],
        scale_xy=(elongation, 1.0),
    )
    bowl = bowl.transformed(_translation(elongation * a * 0.95, 0, 0.002))
    xs = np.linspace(-handle_length, 0.0, 16)
    rise = rng.uniform(0.004, 0.012) * (1 - (xs / -handle_length - 1) ** 2)  # a gentle arch
    path = np.c_[xs, np.zeros_like(xs), 0.003 + rise]
    half_width = np.linspace(rng.uniform(0.004, 0.007), 0.0025, len(xs))
    half_thickness = rng.uniform(0.0012, 0.002)
    handle = tube(path, half_thickness, aspect=half_width / half_thickness)
    family = str(rng.choice(["metal", "metal", "wood", "plastic"]))
    parts = [Part("bowl", bowl, family, ("scoop", "stir")), Part("handle", handle, family, ("hold",))]
    return Object3D("spoon", parts, {"bowl_radius": a, "elongation": elongation, "handle_length": handle_length})


def _translation(x: float, y: float, z: float) -> np.ndarray:
    matrix = np.eye(4)
    matrix[:3, 3] = (x, y, z)
    return matrix


CATEGORIES: dict[str, Callable[[np.random.Generator], Object3D]] = {
    "mug": mug, "cup": cup, "knife": knife, "spoon": spoon,
}
