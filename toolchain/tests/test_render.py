"""The procedural data engine: mesh builders against analytic volumes, GT shape, and a seeded,
resumable dataset render checked for consistency between images, part labels and heatmaps."""

from __future__ import annotations

import json
from pathlib import Path
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from affordtools.render.categories import CATEGORIES
from affordtools.render.heatmap import action_heatmaps, heatmap_from_mask
from affordtools.render.mesh import extrude, lathe, merge, tube


def signed_volume(mesh) -> float:
    a, b, c = (mesh.vertices[mesh.faces[:, k]].astype(np.float64) for k in range(3))
    return float(np.einsum("ij,ij->i", a, np.cross(b, c)).sum() / 6)


def test_lathe_closes_a_cylinder_with_the_analytic_volume():
    solid = lathe([0, 0.5, 0.5, 0], [0, 0, 2, 2], segments=256)
    assert abs(abs(signed_volume(solid)) - np.pi * 0.25 * 2) < 1e-3 * np.pi * 0.5


def test_capped_tube_and_extruded_slab_are_closed_with_the_right_volume():
    rod = tube(np.c_[np.linspace(0, 3, 20), np.zeros(20), np.zeros(20)], 0.5, segments=256, aspect=2.0)
    assert abs(abs(signed_volume(rod)) - np.pi * 0.5 * 1.0 * 3) < 1e-2
    square = extrude(np.array([[0, 0], [2, 0], [2, 1], [0, 1]], float), 0.25)
    assert abs(signed_volume(square)) == pytest.approx(2 * 1 * 0.25, rel=1e-5)
    both = merge(rod, square)
    assert len(both.faces) == len(rod.faces) + len(square.faces) and both.faces.max() == len(both.vertices) - 1


def test_heatmap_peaks_deep_inside_the_part_and_ignores_specks():
    mask = np.zeros((64, 64), bool)
    mask[20:40, 10:50] = True
    heat = heatmap_from_mask(mask)
    peak = np.unravel_index(np.argmax(heat), heat.shape)
    assert 27 <= peak[0] <= 32 and 27 <= peak[1] <= 32
    assert heat[mask].mean() > 4 * heat[~mask].mean()
    assert heatmap_from_mask(np.eye(64, dtype=bool)[:3]) is None
    labels = mask.astype(np.uint8)
    assert set(action_heatmaps(labels, [("hold", "lift"), ()])) == {"hold", "lift"}


def render_main(args: list[str]) -> int:
    """Runs the CLI in a child: drjit prints cache "leaks" when it shuts down, which must not
    land after pytest's summary line."""
    child = subprocess.run([sys.executable, "-m", "affordtools.render", *args], capture_output=True, text=True, errors="replace")
    assert child.returncode == 0, child.stderr[-2000:]
    return child.returncode


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    out = tmp_path_factory.mktemp("render")
    args = ["--out", str(out), "--count", str(len(CATEGORIES)), "--seed", "11", "--size", "64", "--spp", "4"]
    assert render_main(args) == 0
    return out, args


def test_dataset_is_in_the_generic_layout_with_consistent_labels(dataset):
    out, _ = dataset
    entries = [json.loads(line) for line in (out / "index.jsonl").read_text().splitlines()]
    assert [e["category"] for e in entries] == list(CATEGORIES)
    for entry in entries:
        name = entry["name"]
        image = np.asarray(Image.open(out / "images" / f"{name}.png"))
        parts = np.asarray(Image.open(out / "parts" / f"{name}.png"))
        assert image.shape == (64, 64, 3) and parts.shape == (64, 64)
        assert image.std() > 5  # a picture, not a flat frame
        assert set(np.unique(parts)) <= {0, *(p["label"] for p in entry["parts"])}
        assert (parts > 0).sum() > 20, f"{name}: the object is hardly visible"
        for action in entry["visible_actions"]:
            heat = np.asarray(Image.open(out / "heatmaps" / action / f"{name}.png"))
            labels = [p["label"] for p in entry["parts"] if action in p["actions"]]
            peak = np.unravel_index(np.argmax(heat), heat.shape)
            assert parts[peak] in labels, f"{name}/{action}: GT peak is not on its part"


def test_same_seed_gives_identical_files_and_reruns_resume(dataset, tmp_path):
    out, args = dataset
    first = {p.relative_to(out): p.read_bytes() for p in out.rglob("*.png")}
    assert render_main(args) == 0  # nothing left to do
    assert len((out / "index.jsonl").read_text().splitlines()) == len(CATEGORIES)
    again = tmp_path / "again"
    assert render_main(["--out", str(again), "--count", "2", "--seed", "11", "--size", "64", "--spp", "4"]) == 0
    for path in again.rglob("*.png"):
        assert path.read_bytes() == first[path.relative_to(again)], path
    shard = tmp_path / "shard"  # a parallel job's share is the same samples, byte for byte
    assert render_main(["--out", str(shard), "--count", "4", "--seed", "11", "--size", "64", "--spp", "4",
                        "--shard", "1/2", "--threads", "1"]) == 0
    names = sorted(p.name for p in (shard / "images").iterdir())
    assert names == [f"{list(CATEGORIES)[i]}_11_{i:06d}.png" for i in (1, 3)]
    for path in shard.rglob("*.png"):
        assert path.read_bytes() == first[path.relative_to(shard)], path


def test_agd20k_export_pairs_every_visible_action_with_its_gt(dataset, tmp_path):
    from affordtools.render.agd20k import export

    out, _ = dataset
    entries = [json.loads(line) for line in (out / "index.jsonl").read_text().splitlines()]
    expected = sum(len(e["visible_actions"]) for e in entries)
    assert export(out, tmp_path) == expected
    assert export(out, tmp_path) == 0  # idempotent
    for entry in entries:
        for action in entry["visible_actions"]:
            stem = Path(action) / entry["category"] / entry["name"]
            gt = np.asarray(Image.open(tmp_path / "GT" / f"{stem}.png"))
            np.testing.assert_array_equal(gt, np.asarray(Image.open(out / "heatmaps" / action / f"{entry['name']}.png")))
            ego = np.asarray(Image.open(tmp_path / "egocentric" / f"{stem}.jpg")).astype(int)
            rendered = np.asarray(Image.open(out / "images" / f"{entry['name']}.png")).astype(int)
            assert np.abs(ego - rendered).mean() < 4  # only JPEG loss


def write_obj(path: Path, parts: dict) -> None:
    lines, offset = [], 1
    for name, mesh in parts.items():
        lines.append(f"o {name}")
        lines += [f"v {x:.6f} {y:.6f} {z:.6f}" for x, y, z in mesh.vertices]
        lines += [f"f {a + offset} {b + offset}/1 {c + offset}//2" for a, b, c in mesh.faces]
        offset += len(mesh.vertices)
    path.write_text("\n".join(lines) + "\n")


def test_user_obj_groups_become_labelled_parts(tmp_path):
    from affordtools.render.categories import mug
    from affordtools.render.user_mesh import load_obj, user_object

    reference = {p.name: p.mesh for p in mug(np.random.default_rng(3)).parts}
    write_obj(tmp_path / "my_mug.obj", reference)
    loaded = load_obj(tmp_path / "my_mug.obj")
    assert loaded.keys() == reference.keys()
    for name, mesh in reference.items():
        np.testing.assert_allclose(abs(signed_volume(loaded[name])), abs(signed_volume(mesh)), rtol=1e-4)
    (tmp_path / "my_mug.json").write_text(json.dumps({"handle": {"actions": ["hold"]}, "rim": {"actions": ["drink_with"]}}))
    obj = user_object(tmp_path / "my_mug.obj", tmp_path / "my_mug.json")(np.random.default_rng(0))
    assert obj.actions == ["drink_with", "hold"] and min(p.mesh.vertices[:, 2].min() for p in obj.parts) == 0
    (tmp_path / "bad.json").write_text(json.dumps({"spout": {}}))
    with pytest.raises(ValueError, match="spout"):
        user_object(tmp_path / "my_mug.obj", tmp_path / "bad.json")

    out = tmp_path / "rendered"
    render_main(["--out", str(out), "--count", "1", "--size", "64", "--spp", "4",
                 "--mesh", str(tmp_path / "my_mug.obj"), "--parts", str(tmp_path / "my_mug.json")])
    entry = json.loads((out / "index.jsonl").read_text())
    assert entry["category"] == "my_mug" and entry["visible_actions"]


def test_obj_errors_name_the_line(tmp_path):
    from affordtools.render.user_mesh import load_obj

    (tmp_path / "broken.obj").write_text("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 x\n")
    with pytest.raises(ValueError, match="broken.obj:4"):
        load_obj(tmp_path / "broken.obj")
    (tmp_path / "dangling.obj").write_text("v 0 0 0\nf 1 2 3\n")
    with pytest.raises(ValueError, match="does not exist"):
        load_obj(tmp_path / "dangling.obj")


def test_surfaces_are_seeded_in_range_and_markers_have_a_border():
    from affordtools.render.surfaces import SURFACES, _fiducial, surface_texture

    for kind in SURFACES:
        first, again = (surface_texture(kind, np.random.default_rng(3), size=128) for _ in range(2))
        assert first.shape == (128, 128, 3) and 0 <= first.min() and first.max() <= 1
        np.testing.assert_array_equal(first, again)
    marker = _fiducial(np.random.default_rng(0), cells=4)
    assert marker.shape == (8, 8)
    assert (marker[0] == 1).all() and (marker[:, -1] == 1).all()      # white margin
    assert (marker[1, 1:-1] == 0).all() and (marker[1:-1, 1] == 0).all()  # black border
    with pytest.raises(ValueError, match="unknown surface"):
        surface_texture("lava", np.random.default_rng(0))


def test_long_clutter_lies_on_the_table_and_reaches_past_the_object():
    from affordtools.render.scene import _long_clutter

    centre, extent = np.array([0.1, -0.05, 0.04]), 0.2
    kinds = 0
    for seed in range(40):
        meshes = _long_clutter(np.random.default_rng(seed), centre, extent)
        kinds += len(meshes)
        for mesh in meshes:
            low, high = mesh.bounds()
            assert abs(low[2]) < 1e-6, "clutter must rest on the table (z = 0), not float or sink"
            assert high[2] <= 0.031  # thin: at most a 15 mm radius, twice
            assert np.linalg.norm(high[:2] - low[:2]) >= 0.5 * extent
    assert 10 < kinds < 60  # about 0.8 pieces a scene: some scenes have none, some both


def test_far_views_keep_the_object_under_a_sixth_of_the_frame():
    """`--view far` (zoom's test set): the object's labelled pixels span at most about 15% of the width."""
    from affordtools.render.scene import render

    for index, category in enumerate(("knife", "mug", "spoon")):
        rng = np.random.default_rng([7, index])
        result = render(CATEGORIES[category](rng), rng, size=96, spp=1, view="far")
        columns = np.flatnonzero((result.parts > 0).any(axis=0))
        assert columns.size > 0, f"{category}: object not in view"
        assert columns[-1] - columns[0] + 1 <= 0.17 * 96, f"{category}: spans {columns[-1] - columns[0] + 1} of 96 columns"


def test_fork_pen_and_plate_lie_on_the_table_with_hold_where_a_hand_goes():
    """The workcell's commonest objects: the hand takes a fork and a pen along the handle or
    barrel, and a plate by its rim, never by its well."""
    for index in range(20):
        for category in ("fork", "pen", "plate"):
            obj = CATEGORIES[category](np.random.default_rng([3, index]))
            lows, highs = zip(*(p.mesh.bounds() for p in obj.parts))
            low, high = np.min(lows, axis=0), np.max(highs, axis=0)
            assert -1e-6 <= low[2] and high[2] < 0.3 * np.max(high - low), f"{category} {index}: not lying flat"
            hold = [p for p in obj.parts if "hold" in p.actions]
            assert hold and obj.actions == ["hold"], f"{category} {index}: {obj.actions}"
        plate = CATEGORIES["plate"](np.random.default_rng([3, index]))
        rim, well = (next(p.mesh for p in plate.parts if p.name == n) for n in ("rim", "well"))
        rim_r = np.linalg.norm(rim.vertices[:, :2], axis=1)
        well_r = np.linalg.norm(well.vertices[:, :2], axis=1)
        assert rim_r.min() >= 0.97 * well_r.max() and rim_r.max() > 1.2 * well_r.max()
