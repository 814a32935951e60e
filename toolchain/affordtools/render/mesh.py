"""Small numpy mesh builders for the procedural objects: lathe, swept tube, extruded outline."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass
class Mesh:
    """A triangle mesh: vertices [N, 3] float32, faces [M, 3] int32, consistently wound."""

    vertices: np.ndarray
    faces: np.ndarray

    def transformed(self, matrix: np.ndarray) -> "Mesh":
        homogeneous = np.c_[self.vertices, np.ones(len(self.vertices))] @ matrix.T
        return Mesh(homogeneous[:, :3].astype(np.float32), self.faces)

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        return self.vertices.min(axis=0), self.vertices.max(axis=0)

    def write_ply(self, path: Path) -> None:
        """Binary little-endian PLY, the format Mitsuba's `ply` shape reads."""
        header = (
            "ply\nformat binary_little_endian 1.0\n"
            f"element vertex {len(self.vertices)}\nproperty float x\nproperty float y\nproperty float z\n"
            f"element face {len(self.faces)}\nproperty list uchar int vertex_indices\nend_header\n"
        )
        faces = np.empty(len(self.faces), dtype=[("n", "u1"), ("v", "<i4", (3,))])
        faces["n"] = 3
        faces["v"] = self.faces
        with open(path, "wb") as out:
            out.write(header.encode("ascii"))
            out.write(self.vertices.astype("<f4").tobytes())
            out.write(faces.tobytes())


def merge(*meshes: Mesh) -> Mesh:
    offsets = np.cumsum([0] + [len(m.vertices) for m in meshes[:-1]])
    return Mesh(
        np.concatenate([m.vertices for m in meshes]).astype(np.float32),
        np.concatenate([m.faces + o for m, o in zip(meshes, offsets)]).astype(np.int32),
    )


def _ring_strip(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Triangles joining two closed rings of vertex indices (equal length)."""
    a_next, b_next = np.roll(a, -1), np.roll(b, -1)
    return np.concatenate([np.c_[a, b, b_next], np.c_[a, b_next, a_next]])


def _fan(center: int, ring: np.ndarray, flip: bool) -> np.ndarray:
    ring_next = np.roll(ring, -1)
    tris = np.c_[np.full(len(ring), center), ring, ring_next]
    return tris[:, [0, 2, 1]] if flip else tris


def lathe(radii, heights, segments: int = 48, scale_xy=(1.0, 1.0)) -> Mesh:
    """Surface of revolution about z of the profile (radius, height); radius 0 closes on the axis."""
    angles = np.linspace(0, 2 * np.pi, segments, endpoint=False)
    vertices, rings = [], []
    for r, z in zip(radii, heights):
        if r <= 0:
            rings.append(np.array([len(vertices)]))
            vertices.append([0.0, 0.0, z])
        else:
            start = len(vertices)
            vertices += [[r * np.cos(t) * scale_xy[0], r * np.sin(t) * scale_xy[1], z] for t in angles]
            rings.append(np.arange(start, start + segments))
    faces = []
    for lower, upper in zip(rings, rings[1:]):
        if len(lower) > 1 and len(upper) > 1:
            faces.append(_ring_strip(lower, upper))
        elif len(lower) == 1 and len(upper) > 1:
            faces.append(_fan(lower[0], upper, flip=False))
        elif len(upper) == 1 and len(lower) > 1:
            faces.append(_fan(upper[0], lower, flip=True))
    return Mesh(np.asarray(vertices, np.float32), np.concatenate(faces).astype(np.int32))


def tube(path: np.ndarray, radius, segments: int = 16, aspect=1.0, caps: bool = True) -> Mesh:
    """A tube swept along a polyline [K, 3]; `radius` (along the in-plane normal) and `aspect`
    (binormal radius / radius) are scalars or per point."""
    path = np.asarray(path, np.float64)
    radius = np.broadcast_to(np.asarray(radius, np.float64), (len(path),))
    aspect = np.broadcast_to(np.asarray(aspect, np.float64), (len(path),))
    tangents = np.gradient(path, axis=0)
    tangents /= np.linalg.norm(tangents, axis=1, keepdims=True)
    angles = np.linspace(0, 2 * np.pi, segments, endpoint=False)
    vertices, rings = [], []
    for point, tangent, r, squash in zip(path, tangents, radius, aspect):
        reference = np.array([0.0, 1.0, 0.0]) if abs(tangent[1]) < 0.9 else np.array([1.0, 0.0, 0.0])
        normal = np.cross(reference, tangent)
        normal /= np.linalg.norm(normal)
        binormal = np.cross(tangent, normal)
        start = len(vertices)
        vertices += [point + r * (np.cos(t) * normal + squash * np.sin(t) * binormal) for t in angles]
        rings.append(np.arange(start, start + segments))
    faces = [_ring_strip(a, b) for a, b in zip(rings, rings[1:])]
    if caps:
        for ring, flip, point in ((rings[0], False, path[0]), (rings[-1], True, path[-1])):
            vertices.append(point)
            faces.append(_fan(len(vertices) - 1, ring, flip))
    return Mesh(np.asarray(vertices, np.float32), np.concatenate(faces).astype(np.int32))


def extrude(outline: np.ndarray, thickness: float) -> Mesh:
    """A slab from a 2D outline [P, 2] in the xy-plane (star-shaped about its centroid), centred on z=0."""
    outline = np.asarray(outline, np.float64)
    count = len(outline)
    centre = outline.mean(axis=0)
    top = np.c_[outline, np.full(count, thickness / 2)]
    bottom = np.c_[outline, np.full(count, -thickness / 2)]
    vertices = np.concatenate([top, bottom, [[*centre, thickness / 2], [*centre, -thickness / 2]]])
    top_ring, bottom_ring = np.arange(count), np.arange(count, 2 * count)
    faces = np.concatenate([
        _fan(2 * count, top_ring, flip=False),
        _fan(2 * count + 1, bottom_ring, flip=True),
        _ring_strip(top_ring, bottom_ring),
    ])
    return Mesh(vertices.astype(np.float32), faces.astype(np.int32))
