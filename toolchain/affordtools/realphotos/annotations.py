"""The development set's annotation: per photo, objects made of parts, each part a region
(polygons minus holes, in frame pixels) with the actions it affords.

    {"format": "affordd-realphotos/1", "conventions": [...],
     "photos": {"<file>.png": {"sha256": ..., "width": 640, "height": 480,
                "objects": [{"name": "spoon", "outline": REGION,
                             "parts": [{"name": "handle", "actions": ["hold"], **REGION}, ...]}]}}}

    REGION = {"polygons": [[[x, y], ...], ...], "holes": [[[x, y], ...], ...]}

Soft GT is built here, from the coordinates alone, the same way the data engine builds its
GT from render part masks (`render.heatmap`): blurred by the part's size, peaked inside it.
The photos are only read to check their sha256, so an edited photo is caught.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from ..hashing import sha256_file
from ..render.heatmap import heatmap_from_mask

FORMAT = "affordd-realphotos/1"
ANNOTATIONS = Path(__file__).with_name("annotations.json")


class AnnotationError(Exception):
    """A malformed annotation."""


class PhotosUnavailable(AnnotationError):
    """The photo folder is absent, or its photos are missing or not the annotated ones."""


@dataclass
class Region:
    """Filled polygons minus holes, vertices in frame pixels (x right, y down). Both kinds of
    ring run through the region's own boundary pixels, as OpenCV traces them, so a hole's
    ring stays in the region."""

    polygons: list[np.ndarray]
    holes: list[np.ndarray] = field(default_factory=list)

    def mask(self, height: int, width: int) -> np.ndarray:
        canvas = np.zeros((height, width), np.uint8)
        cv2.fillPoly(canvas, [np.round(p).astype(np.int32) for p in self.polygons], 1)
        if self.holes:
            holes = [np.round(h).astype(np.int32) for h in self.holes]
            cv2.fillPoly(canvas, holes, 0)
            cv2.polylines(canvas, holes, True, 1)
        return canvas.astype(bool)

    def to_json(self) -> dict:
        as_lists = lambda rings: [np.round(r, 1).tolist() for r in rings]  # noqa: E731
        return {"polygons": as_lists(self.polygons), "holes": as_lists(self.holes)}


@dataclass
class Part:
    name: str
    actions: tuple[str, ...]
    region: Region


@dataclass
class AnnotatedObject:
    name: str
    outline: Region
    parts: list[Part]


@dataclass
class Photo:
    file: str
    sha256: str
    width: int
    height: int
    objects: list[AnnotatedObject]

    @property
    def actions(self) -> list[str]:
        """Every action some part in the photo affords, sorted."""
        return sorted({a for o in self.objects for p in o.parts for a in p.actions})

    def action_mask(self, action: str) -> np.ndarray:
        """The union of every part that affords `action`."""
        mask = np.zeros((self.height, self.width), bool)
        for part in (p for o in self.objects for p in o.parts if action in p.actions):
            mask |= part.region.mask(self.height, self.width)
        return mask

    def object_mask(self) -> np.ndarray:
        """The union of the objects' outlines: what a part-blind segmentation would give."""
        mask = np.zeros((self.height, self.width), bool)
        for obj in self.objects:
            mask |= obj.outline.mask(self.height, self.width)
        return mask


def soft_map(mask: np.ndarray) -> np.ndarray:
    """8-bit soft map of a mask, shaped as the data engine's (and AGD20K's) GT."""
    heat = heatmap_from_mask(mask)
    if heat is None:
        raise AnnotationError(f"a region of {int(mask.sum())} pixels is too small for a GT map")
    return np.round(heat * 255).astype(np.uint8)


def gt_maps(photo: Photo) -> dict[str, np.ndarray]:
    """One 8-bit GT map per action annotated in the photo."""
    return {a: soft_map(photo.action_mask(a)) for a in photo.actions}


def _region(data: dict, where: str) -> Region:
    def rings(key: str) -> list[np.ndarray]:
        out = []
        for i, ring in enumerate(data.get(key, [])):
            arr = np.asarray(ring, np.float64)
            if arr.ndim != 2 or arr.shape[1] != 2 or len(arr) < 3:
                raise AnnotationError(f"{where}.{key}[{i}]: expected at least 3 [x, y] vertices")
            out.append(arr)
        return out
    region = Region(rings("polygons"), rings("holes"))
    if not region.polygons:
        raise AnnotationError(f"{where}: no polygons")
    return region


def parse(data: dict, vocabulary: list[str] | None = None) -> list[Photo]:
    """Photos from the JSON object; actions are checked against `vocabulary` when given."""
    if data.get("format") != FORMAT:
        raise AnnotationError(f"format is {data.get('format')!r}, expected {FORMAT!r}")
    photos = []
    for file, entry in sorted(data.get("photos", {}).items()):
        objects = []
        for i, obj in enumerate(entry.get("objects", [])):
            where = f"{file}: objects[{i}]"
            parts = []
            for j, part in enumerate(obj.get("parts", [])):
                actions = tuple(part.get("actions", []))
                unknown = [a for a in actions if vocabulary is not None and a not in vocabulary]
                if unknown:
                    raise AnnotationError(f"{where}.parts[{j}]: actions {unknown} not in the vocabulary")
                parts.append(Part(part["name"], actions, _region(part, f"{where}.parts[{j}]")))
            objects.append(AnnotatedObject(obj["name"], _region(obj["outline"], f"{where}.outline"), parts))
        if not objects:
            raise AnnotationError(f"{file}: no objects")
        photos.append(Photo(file, entry["sha256"], int(entry["width"]), int(entry["height"]), objects))
    return photos


def load(path: Path = ANNOTATIONS, vocabulary: list[str] | None = None) -> list[Photo]:
    return parse(json.loads(Path(path).read_text()), vocabulary)


def check_photos(photos: list[Photo], folder: Path) -> None:
    """Every annotated photo is in `folder` with the annotated sha256 (and so size)."""
    if not folder.is_dir():
        raise PhotosUnavailable(f"no photo folder {folder}")
    problems = []
    for photo in photos:
        path = folder / photo.file
        if not path.is_file():
            problems.append(f"missing {path}")
        elif (digest := sha256_file(path)) != photo.sha256:
            problems.append(f"{path}: sha256 {digest}, annotated {photo.sha256}")
    if problems:
        raise PhotosUnavailable(f"{len(problems)} of {len(photos)} photos unusable:\n  " + "\n  ".join(problems))


def dumps(data: dict) -> str:
    """The annotation as JSON with one photo object a line-block and each ring on one line, so a
    diff shows which part moved."""
    def ring(r) -> str:
        return "[" + ", ".join(f"[{_num(x)}, {_num(y)}]" for x, y in r) + "]"

    def region(reg: dict, pad: str) -> str:
        rings = lambda key: ",\n".join(pad + "  " + ring(r) for r in reg[key])  # noqa: E731
        polys = f'"polygons": [\n{rings("polygons")}]'
        holes = f'"holes": [\n{rings("holes")}]' if reg["holes"] else '"holes": []'
        return f"{polys},\n{pad}{holes}"

    out = [f'{{"format": {json.dumps(data["format"])},']
    if "conventions" in data:
        out.append(f' "conventions": {json.dumps(data["conventions"], indent=2)},')
    out.append(' "photos": {')
    photo_blocks = []
    for file, entry in sorted(data["photos"].items()):
        objs = []
        for obj in entry["objects"]:
            parts = ",\n".join(
                f'      {{"name": {json.dumps(p["name"])}, "actions": {json.dumps(p["actions"])},\n'
                f'       {region(p, "       ")}}}' for p in obj["parts"])
            draft = f',\n     "draft": {json.dumps(obj["draft"])}' if "draft" in obj else ""
            outline = region(obj["outline"], "      ")
            objs.append(f'    {{"name": {json.dumps(obj["name"])},\n     "outline": {{{outline}}},\n'
                        f'     "parts": [\n{parts}]{draft}}}')
        photo_blocks.append(
            f'  {json.dumps(file)}: {{"sha256": {json.dumps(entry["sha256"])}, '
            f'"width": {entry["width"]}, "height": {entry["height"]},\n   "objects": [\n' + ",\n".join(objs) + "]}")
    out.append(",\n".join(photo_blocks))
    out.append(" }\n}\n")
    return "\n".join(out)


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:.1f}"
