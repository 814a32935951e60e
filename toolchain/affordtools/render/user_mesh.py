"""Users' own objects: a Wavefront OBJ whose groups (`g` or `o`) are the parts, plus a JSON
that says which actions and material family each part has:

    {"handle": {"actions": ["hold"], "material": "ceramic"},
     "rim": {"actions": ["drink_with"]}, "body": {}}

Units are metres with z up (`--up y` rotates a y-up export). Parts missing from the JSON
are rendered and labelled but carry no action.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .categories import Object3D, Part
from .mesh import Mesh

DEFAULT_GROUP = "default"


def load_obj(path: Path) -> dict[str, Mesh]:
    """Triangle meshes per group; polygons are fanned, negative (relative) indices resolved."""
    vertices: list[list[float]] = []
    faces: dict[str, list[list[int]]] = {}
    group = DEFAULT_GROUP
    for number, raw in enumerate(Path(path).read_text().splitlines(), start=1):
        fields = raw.split("#", 1)[0].split()
        if not fields:
            continue
        try:
            if fields[0] == "v":
                vertices.append([float(x) for x in fields[1:4]])
            elif fields[0] in ("g", "o"):
                group = " ".join(fields[1:]) or DEFAULT_GROUP
            elif fields[0] == "f":
                corners = [int(c.split("/")[0]) for c in fields[1:]]
                corners = [c - 1 if c > 0 else len(vertices) + c for c in corners]
                faces.setdefault(group, []).extend([corners[0], corners[i], corners[i + 1]] for i in range(1, len(corners) - 1))
        except (ValueError, IndexError) as error:
            raise ValueError(f"{path}:{number}: cannot read {raw.strip()!r}: {error}") from None
    if not faces:
        raise ValueError(f"{path}: no faces")
    points = np.asarray(vertices, np.float32)
    meshes = {}
    for name, tris in faces.items():
        tris = np.asarray(tris, np.int64)
        if tris.min() < 0 or tris.max() >= len(points):
            raise ValueError(f"{path}: group {name!r} indexes a vertex that does not exist")
        used, compact = np.unique(tris, return_inverse=True)
        meshes[name] = Mesh(points[used], compact.reshape(-1, 3).astype(np.int32))
    return meshes


def user_object(mesh_path: Path, parts_path: Path | None, up: str = "z"):
    """A category builder (rng -> Object3D) for one user mesh: random yaw, resting on z = 0."""
    meshes = load_obj(mesh_path)
    spec = json.loads(Path(parts_path).read_text()) if parts_path else {}
    unknown = sorted(set(spec) - set(meshes))
    if unknown:
        raise ValueError(f"{parts_path} names parts {unknown} that {mesh_path} does not have; it has {sorted(meshes)}")
    to_z_up = np.eye(4) if up == "z" else np.array([[1, 0, 0, 0], [0, 0, -1, 0], [0, 1, 0, 0], [0, 0, 0, 1]], float)

    def build(rng: np.random.Generator) -> Object3D:
        yaw = rng.uniform(0, 2 * np.pi)
        rotate = np.array([[np.cos(yaw), -np.sin(yaw), 0, 0], [np.sin(yaw), np.cos(yaw), 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]])
        placed = {name: mesh.transformed(rotate @ to_z_up) for name, mesh in meshes.items()}
        floor = min(float(m.vertices[:, 2].min()) for m in placed.values())
        lift = np.eye(4)
        lift[2, 3] = -floor
        fallback = str(rng.choice(["plastic", "ceramic", "metal", "wood"]))
        parts = [
            Part(name, mesh.transformed(lift), spec.get(name, {}).get("material", fallback),
                 tuple(spec.get(name, {}).get("actions", ())))
            for name, mesh in placed.items()
        ]
        return Object3D(Path(mesh_path).stem, parts, {"yaw": yaw})

    return build
