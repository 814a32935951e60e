"""Domain-randomised Mitsuba scenes around one procedural object, and their rendering.

Everything random comes from the numpy generator passed in, including the
renderer's sampler seed, so one (seed, index) always gives the same picture.
World z = 0 is the table top.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from .categories import Object3D
from .mesh import Mesh, tube
from .surfaces import SURFACE_ODDS, SURFACES, surface_texture

MATERIALS = ("ceramic", "plastic", "metal", "wood")
_variant_set = False


def mitsuba():
    """Mitsuba with its LLVM (vectorised, multi-core) variant, imported on first use."""
    global _variant_set
    import mitsuba as mi

    if not _variant_set:
        try:
            mi.set_variant("llvm_ad_rgb")
        except (ImportError, RuntimeError, AttributeError):  # no LLVM library: the slower scalar variant still works
            mi.set_variant("scalar_rgb")
        _variant_set = True
    return mi


# Grey complex IOR (eta, k) and an RGB tint for aluminium, chromium and silver; given inline
# because Mitsuba's named metal spectra stay cached to exit, where drjit reports them as leaks.
_METALS = {
    "aluminium": (1.0, 6.8, (0.92, 0.93, 0.95)),
    "chromium": (3.0, 4.4, (0.75, 0.76, 0.78)),
    "silver": (0.14, 3.4, (0.97, 0.96, 0.93)),
}


def _rgb(value) -> dict:
    return {"type": "rgb", "value": [float(v) for v in value]}


def material(family: str, rng: np.random.Generator) -> dict:
    if family == "ceramic":
        tint = rng.uniform(0.55, 0.95) if rng.random() < 0.5 else rng.uniform(0.15, 0.95, 3)
        bsdf = {"type": "plastic", "diffuse_reflectance": _rgb(np.broadcast_to(tint, 3)), "int_ior": 1.5}
    elif family == "plastic":
        # Black is the commonest handle colour on real tools; a uniform draw would almost never give it.
        colour = rng.uniform(0.01, 0.06, 3) if rng.random() < 0.3 else rng.uniform(0.03, 0.9, 3)
        bsdf = {"type": "roughplastic", "diffuse_reflectance": _rgb(colour), "alpha": float(rng.uniform(0.05, 0.4))}
    elif family == "metal":
        eta, k, tint = _METALS[str(rng.choice(list(_METALS)))]
        bsdf = {"type": "roughconductor", "eta": {"type": "spectrum", "value": eta},
                "k": {"type": "spectrum", "value": k}, "specular_reflectance": _rgb(tint),
                "alpha": float(rng.uniform(0.04, 0.35))}
    elif family == "wood":
        brown = np.array([0.45, 0.28, 0.14]) * rng.uniform(0.5, 1.4) + rng.uniform(-0.04, 0.04, 3)
        bsdf = {"type": "roughplastic", "diffuse_reflectance": _rgb(np.clip(brown, 0.02, 0.9)),
                "alpha": float(rng.uniform(0.3, 0.7))}
    else:
        raise ValueError(f"unknown material family {family!r}; known: {MATERIALS}")
    return {"type": "twosided", "bsdf": bsdf}


@dataclass
class Camera:
    """A pinhole camera in OpenCV's optical convention: x right, y down, z forward, and pixel
    centres at integer coordinates (a centred principal point is at ((W - 1) / 2, (H - 1) / 2))."""
    width: int
    height: int
    K: np.ndarray  # float64 [3, 3], pixels
    camera_to_world: np.ndarray  # float64 [4, 4]: p_world = R p_camera + t, metres


@dataclass
class Geometry:
    """What one ray through each pixel's centre hits (Rendered.parts samples a random point of the pixel)."""
    camera: Camera
    points: np.ndarray  # float32 [H, W, 3]: world position of the first hit, NaN where the ray hits nothing
    depth: np.ndarray  # float32 [H, W]: z of that hit in the optical frame, metres; 0 where nothing is hit
    parts: np.ndarray  # uint8 [H, W]: labels as in Rendered.parts, of these rays
    unoccluded: list[bool]  # per part: see _fully_visible


@dataclass
class Rendered:
    image: np.ndarray  # uint8 [H, W, 3], sRGB
    parts: np.ndarray  # uint8 [H, W]: 0 background, i + 1 for obj.parts[i] where visible
    geometry: Geometry | None = None  # with render(..., depth=True)


def _look_at(mi, origin, target, scale=1.0):
    up = [0, 0, 1] if abs(np.subtract(target, origin)[2]) < 0.999 * np.linalg.norm(np.subtract(target, origin)) else [0, 1, 0]
    return mi.ScalarTransform4f.look_at(origin=list(map(float, origin)), target=list(map(float, target)), up=up) @ mi.ScalarTransform4f.scale(scale)


def _spherical(azimuth: float, elevation: float, distance: float) -> np.ndarray:
    return distance * np.array([np.cos(elevation) * np.cos(azimuth), np.cos(elevation) * np.sin(azimuth), np.sin(elevation)])


def build_scene(obj: Object3D, rng: np.random.Generator, folder: Path, size: int | tuple[int, int], spp: int,
                view: str = "mixed") -> dict:
    """`size`: a square frame's side, or (width, height)."""
    mi = mitsuba()
    width, height = (size, size) if isinstance(size, int) else size
    lows, highs = zip(*(part.mesh.bounds() for part in obj.parts))
    low, high = np.min(lows, axis=0), np.max(highs, axis=0)
    centre, extent = (low + high) / 2, float(np.max(high - low))
    lying = (high - low)[2] < 0.3 * extent

    scene: dict = {"type": "scene", "integrator": {"type": "path", "max_depth": 5}}
    fov = rng.uniform(35, 55)
    # Mostly close-ups, but a third as small as a robot's overview camera sees them.
    close = rng.random() < 0.65
    zoom_out = (rng.uniform(0.9, 1.6) if close else rng.uniform(1.6, 3.5)) if lying else \
        (rng.uniform(1.3, 2.4) if close else rng.uniform(2.4, 4.5))
    if view == "far":  # zoom's test views: the object under about 15% of the frame's width
        zoom_out = rng.uniform(7.0, 10.0)
    distance = extent / (2 * np.tan(np.radians(fov) / 2)) * zoom_out
    elevation = np.radians(rng.uniform(35, 85) if lying else rng.uniform(8, 60))
    azimuth = rng.uniform(0, 2 * np.pi)
    target = centre + rng.uniform(-0.08, 0.08, 3) * extent
    eye = target + _spherical(azimuth, elevation, distance)
    scene["camera"] = {
        "type": "perspective", "fov": float(fov), "to_world": _look_at(mi, eye, target),
        "film": {"type": "hdrfilm", "width": width, "height": height, "rfilter": {"type": "gaussian"}},
        "sampler": {"type": "independent", "sample_count": spp, "seed": int(rng.integers(2**31))},
    }

    families = {family: material(family, rng) for family in MATERIALS}
    for index, part in enumerate(obj.parts):
        path = folder / f"part{index}.ply"
        part.mesh.write_ply(path)
        scene[f"part{index}"] = {"type": "ply", "filename": str(path), "bsdf": families[part.material]}

    table = material(str(rng.choice(["wood", "plastic", "ceramic"])), rng)
    scene["table"] = {"type": "rectangle", "to_world": mi.ScalarTransform4f.scale(3.0), "bsdf": table}
    wall_at = target - _spherical(azimuth + rng.uniform(-0.4, 0.4), 0.0, rng.uniform(0.3, 1.2))
    scene["wall"] = {"type": "rectangle", "to_world": _look_at(mi, wall_at, eye * [1, 1, 0], 3.0),
                     "bsdf": material(str(rng.choice(["plastic", "ceramic"])), rng)}
    if rng.random() < 0.7:  # a board, sheet or mat under the object: printed patterns that afford nothing
        kind = str(rng.choice(SURFACES, p=SURFACE_ODDS))
        texture = folder / "surface.png"
        Image.fromarray(np.round(surface_texture(kind, rng) * 255).astype(np.uint8)).save(texture)
        side = extent * rng.uniform(1.5, 5.0)
        offset = np.append(rng.uniform(-0.25, 0.25, 2) * side, 0.0008)  # just above the table
        scene["surface"] = {
            "type": "rectangle",
            "to_world": mi.ScalarTransform4f.translate(list(map(float, centre * [1, 1, 0] + offset)))
            @ mi.ScalarTransform4f.rotate([0, 0, 1], float(rng.uniform(0, 360))) @ mi.ScalarTransform4f.scale(side / 2),
            "bsdf": {"type": "roughplastic", "alpha": float(rng.uniform(0.1, 0.6)),
                     "diffuse_reflectance": {"type": "bitmap", "filename": str(texture)}},
        }
    for k in range(int(rng.integers(0, 4))):  # distractors, sometimes in front of the object
        radius = rng.uniform(0.15, 0.5) * extent + 0.02
        angle = rng.uniform(0, 2 * np.pi)
        side = rng.uniform(0.01, 0.035)
        where = [centre[0] + radius * np.cos(angle), centre[1] + radius * np.sin(angle), side]
        shape = {"type": "sphere", "center": where, "radius": side} if rng.random() < 0.5 else {
            "type": "cube", "to_world": mi.ScalarTransform4f.translate(where) @ mi.ScalarTransform4f.scale(side)}
        scene[f"distractor{k}"] = {**shape, "bsdf": material(str(rng.choice(MATERIALS)), rng)}

    for k, mesh in enumerate(_long_clutter(rng, centre, extent)):
        path = folder / f"clutter{k}.ply"
        mesh.write_ply(path)
        family = str(rng.choice(["plastic", "plastic", "wood", "metal"]))
        scene[f"clutter{k}"] = {"type": "ply", "filename": str(path), "bsdf": material(family, rng)}

    warm, cool = np.array([1.0, 0.85, 0.7]), np.array([0.8, 0.9, 1.0])
    for k in range(int(rng.integers(1, 3))):
        mix = rng.random()
        side = rng.uniform(0.1, 0.6)
        far = rng.uniform(0.5, 1.5)
        # Never on the camera's side: the emitter's opaque back would hide the object.
        light_azimuth = azimuth + np.radians(rng.uniform(50, 310))
        where = centre + _spherical(light_azimuth, np.radians(rng.uniform(25, 75)), far)
        irradiance = rng.uniform(1.0, 4.0)
        scene[f"light{k}"] = {
            "type": "rectangle", "to_world": _look_at(mi, where, centre, side / 2),
            "emitter": {"type": "area", "radiance": _rgb((mix * warm + (1 - mix) * cool) * irradiance * far**2 / side**2)},
        }
    scene["sky"] = {"type": "constant", "radiance": _rgb(rng.uniform(0.05, 0.4) * rng.uniform(0.8, 1.0, 3))}
    scene["exposure"] = float(rng.uniform(0.55, 0.9))  # taken out again before loading
    return scene


def _long_clutter(rng: np.random.Generator, centre: np.ndarray, extent: float) -> list[Mesh]:
    """Cables and the rim of a round table or tray: long, thin and handle-like, yet they afford
    nothing. Without them the head put "hold" and "cut" on cables and table edges in real photos."""
    meshes = []
    if rng.random() < 0.5:  # a cable wandering across the table, often out of the frame
        radius = rng.uniform(0.002, 0.006)
        steps = 48
        heading = rng.uniform(0, 2 * np.pi) + np.cumsum(rng.normal(0, 0.12, steps))
        step = extent * rng.uniform(1.5, 4.0) / steps
        start = centre[:2] + rng.uniform(-1.2, 1.2, 2) * extent
        xy = start + np.cumsum(step * np.c_[np.cos(heading), np.sin(heading)], axis=0)
        meshes.append(tube(np.c_[xy, np.full(steps, radius)], radius, segments=8))
    if rng.random() < 0.3:  # an arc: a round table's or a tray's edge around the object
        bend = extent * rng.uniform(1.0, 3.0)
        middle = rng.uniform(0, 2 * np.pi)
        angles = middle + np.linspace(-1, 1, 64) * rng.uniform(0.5, 1.6)
        middle_xy = centre[:2] + rng.uniform(-0.3, 0.3, 2) * extent
        xy = middle_xy + bend * np.c_[np.cos(angles), np.sin(angles)]
        radius = rng.uniform(0.004, 0.015)
        meshes.append(tube(np.c_[xy, np.full(len(xy), radius)], radius, segments=8, aspect=rng.uniform(0.4, 1.0)))
    return meshes


def _to_srgb8(linear: np.ndarray, white: float) -> np.ndarray:
    luminance = linear @ np.array([0.2126, 0.7152, 0.0722])
    scaled = np.clip(linear * (white / max(float(np.percentile(luminance, 97)), 1e-6)), 0, 1)
    srgb = np.where(scaled <= 0.0031308, 12.92 * scaled, 1.055 * scaled ** (1 / 2.4) - 0.055)
    return np.round(srgb * 255).astype(np.uint8)


# Unjittered stratified sampling puts a pixel's only sample at its centre.
_PIXEL_CENTRES = {"type": "stratified", "sample_count": 1, "jitter": False}


def _one_ray_per_pixel(mi, scene, camera: dict, aovs: str, sampler: dict | None = None) -> np.ndarray:
    """AOVs of one ray per pixel, through a box filter so that values never blend across edges."""
    sensor = {**camera, "film": {**camera["film"], "rfilter": {"type": "box"}}}
    if sampler is not None:
        sensor["sampler"] = sampler
    integrator = mi.load_dict({"type": "aov", "aovs": aovs})
    return np.array(mi.render(scene, sensor=mi.load_dict(sensor), integrator=integrator, spp=1))


def _part_labels(mi, scene, shape_index: np.ndarray) -> np.ndarray:
    """The shape-index AOV (the hit shape's registry id) mapped back to part labels."""
    import drjit as dr

    ids = shape_index.round().astype(np.int64)
    parts = np.zeros(ids.shape, np.uint8)
    for shape in scene.shapes():
        if shape.id().startswith("part"):
            registry_id = int(dr.reinterpret_array_v(mi.UInt32, mi.ShapePtr(shape))[0])
            parts[ids == registry_id] = int(shape.id().removeprefix("part")) + 1
    return parts


def _pinhole(camera: dict) -> Camera:
    film = camera["film"]
    # Mitsuba's `fov` spans the film's width (fov_axis "x"); its pixels are square.
    focal = film["width"] / 2 / np.tan(np.radians(camera["fov"]) / 2)
    K = np.array([[focal, 0, (film["width"] - 1) / 2], [0, focal, (film["height"] - 1) / 2], [0, 0, 1]])
    # Mitsuba's camera looks along its +z with +x to the image's left and +y up: turn x and y round.
    camera_to_world = np.array(camera["to_world"].matrix, np.float64) @ np.diag([-1.0, -1.0, 1.0, 1.0])
    return Camera(film["width"], film["height"], K, camera_to_world)


def _fully_visible(alone: np.ndarray, seen: np.ndarray) -> bool:
    """Whether a part shows wherever it would with nothing else in the scene, not even the
    object's other parts (`alone`), and keeps off the frame's edge, past which it may go on."""
    edge = np.ones_like(alone)
    edge[1:-1, 1:-1] = False
    return bool(alone.any() and not (alone & ~seen).any() and not (alone & edge).any())


def _geometry(mi, scene, part_scenes: list, camera: dict) -> Geometry:
    pinhole = _pinhole(camera)
    aovs = _one_ray_per_pixel(mi, scene, camera, "position:position,depth:depth,shape:shape_index", _PIXEL_CENTRES)
    hit = aovs[..., 3] > 0  # Mitsuba's depth AOV is the ray's length, 0 on a miss
    points = np.where(hit[..., None], aovs[..., :3], np.nan).astype(np.float32)
    rotation, origin = pinhole.camera_to_world[:3, :3], pinhole.camera_to_world[:3, 3]
    depth = np.where(hit, (points.astype(np.float64) - origin) @ rotation[:, 2], 0).astype(np.float32)
    parts = _part_labels(mi, scene, aovs[..., 4])
    unoccluded = [_fully_visible(_one_ray_per_pixel(mi, alone, camera, "depth:depth", _PIXEL_CENTRES)[..., 0] > 0,
                                 parts == label) for label, alone in enumerate(part_scenes, start=1)]
    return Geometry(pinhole, points, depth, parts, unoccluded)


def render(obj: Object3D, rng: np.random.Generator, size: int | tuple[int, int] = 224, spp: int = 32,
           view: str = "mixed", depth: bool = False) -> Rendered:
    """`depth` adds `geometry` (camera, depth, world positions) without drawing from `rng`: the
    image and part labels stay those of the same call without it."""
    mi = mitsuba()

    with tempfile.TemporaryDirectory(prefix="affordd-render-") as tmp:
        description = build_scene(obj, rng, Path(tmp), size, spp, view)
        white = description.pop("exposure")
        scene = mi.load_dict(description)
        part_scenes = [mi.load_dict({"type": "scene", "part": description[f"part{i}"]})
                       for i in range(len(obj.parts))] if depth else []
    image = _to_srgb8(np.array(mi.render(scene))[..., :3], white)
    parts = _part_labels(mi, scene, _one_ray_per_pixel(mi, scene, description["camera"], "shape:shape_index")[..., 0])
    geometry = _geometry(mi, scene, part_scenes, description["camera"]) if depth else None
    return Rendered(image, parts, geometry)
