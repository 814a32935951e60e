"""Dataset readers: layouts that work, and layouts that fail with errors naming the problem."""
from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from affordtools.datasets import LayoutError, read_agd20k, render_heatmap
from affordtools.exemplars import read_exemplars, read_generic


def img(path, size=(40, 30), mode="RGB"):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size).save(path)


def agd20k(root, with_gt=True):
    base = root / "Seen"
    for view in ("egocentric", "exocentric"):
        for a, o in [("hold", "mug"), ("cut", "knife")]:
            img(base / "trainset" / view / a / o / f"{o}_1.jpg")
    img(base / "testset" / "egocentric" / "hold" / "mug" / "m1.jpg")
    if with_gt:
        img(base / "testset" / "GT" / "hold" / "mug" / "m1.png", mode="L")
    return root


def test_agd20k_reads_all_roles(tmp_path):
    ds = read_agd20k(agd20k(tmp_path))
    assert ds.actions == ["cut", "hold"]
    assert len(ds.train_ego) == len(ds.train_exo) == 2
    (t,) = ds.test
    assert (t.action, t.object, t.gt.name) == ("hold", "mug", "m1.png")
    assert t.load_gt(8).shape == (8, 8)


def test_agd20k_names_missing_gt_and_folders(tmp_path):
    agd20k(tmp_path, with_gt=False)
    with pytest.raises(LayoutError) as e:
        read_agd20k(tmp_path)
    assert "missing GT" in str(e.value) and "m1.png" in str(e.value)
    with pytest.raises(LayoutError, match="Unseen"):
        read_agd20k(tmp_path, "Unseen")


def test_agd20k_reports_stray_files_and_unknown_test_actions(tmp_path):
    agd20k(tmp_path)
    (tmp_path / "Seen/trainset/egocentric/hold/mug/notes.txt").write_text("x")
    assert any("notes.txt" in w for w in read_agd20k(tmp_path).warnings)
    img(tmp_path / "Seen/testset/egocentric/kick/ball/b.jpg")
    img(tmp_path / "Seen/testset/GT/kick/ball/b.png", mode="L")
    with pytest.raises(LayoutError, match="'kick' is not among the training actions"):
        read_agd20k(tmp_path)


def test_generic_pairs_images_with_heatmaps(tmp_path):
    for n in ("a", "b", "c"):
        img(tmp_path / "images" / f"{n}.jpg")
        img(tmp_path / "heatmaps" / "hold" / f"{n}.png", mode="L")
    img(tmp_path / "heatmaps" / "cut" / "a.png", mode="L")
    ds = read_generic(tmp_path, holdout_every=2)
    assert ds.actions == ["cut", "hold"] and len(ds.train_ego) + len(ds.test) == 4
    img(tmp_path / "heatmaps" / "cut" / "zz.png", mode="L")
    with pytest.raises(LayoutError, match="zz.png has no image"):
        read_generic(tmp_path)


def test_exemplars_render_polygons_and_points(tmp_path):
    img(tmp_path / "mug.jpg", size=(100, 80))
    doc = {"images": [{"file": "mug.jpg", "annotations": [
        {"action": "hold", "polygon": [[70, 20], [95, 20], [95, 60], [70, 60]]},
        {"action": "drink_with", "points": [[30, 10]]}]}]}
    (tmp_path / "exemplars.json").write_text(json.dumps(doc))
    ds = read_exemplars(tmp_path)
    assert ds.actions == ["drink_with", "hold"]
    hold = next(s for s in ds.train_ego if s.action == "hold").gt_array
    assert hold.shape == (80, 100) and hold.max() == pytest.approx(1.0)
    assert np.unravel_index(hold.argmax(), hold.shape)[1] > 70  # peak inside the polygon
    point = next(s for s in ds.train_ego if s.action == "drink_with").gt_array
    assert np.unravel_index(point.argmax(), point.shape) == (10, 30)


def test_exemplars_name_bad_entries(tmp_path):
    (tmp_path / "exemplars.json").write_text(json.dumps({"images": [{"file": "nope.jpg"}, {"x": 1}]}))
    with pytest.raises(LayoutError) as e:
        read_exemplars(tmp_path)
    assert "images[0]" in str(e.value) and "nope.jpg" in str(e.value) and "images[1]" in str(e.value)
    (tmp_path / "exemplars.json").write_text("{bad json")
    with pytest.raises(LayoutError, match="invalid JSON"):
        read_exemplars(tmp_path)


def test_render_heatmap_point_kernel_follows_image_size():
    small = render_heatmap(60, 60, points=[(30, 30)])
    large = render_heatmap(240, 240, points=[(120, 120)])
    assert (small > 0.5).sum() * 16 == pytest.approx((large > 0.5).sum(), rel=0.25)
