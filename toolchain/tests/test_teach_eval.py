"""The teaching measurements' own parts: outlines from render labels, exemplar files, rings."""
from __future__ import annotations

import json

import cv2
import numpy as np
from PIL import Image

from affordtools.realphotos.annotations import AnnotatedObject, Part, Photo, Region
from affordtools.realphotos.teach_real import rings, weighted
from affordtools.teach_eval import exemplars, part_polygon


def test_part_polygon_outlines_the_labelled_part(tmp_path):
    labels = np.zeros((40, 60), np.uint8)
    labels[10:20, 30:50] = 2  # the part
    labels[25:35, 5:15] = 1   # another part
    cv2.imwrite(str(tmp_path / "p.png"), labels)
    polygon = np.array(part_polygon(tmp_path / "p.png", [2]))
    # Refilled the way the daemon rasterises (pixel edges), it covers the part and nothing else.
    canvas = np.zeros_like(labels)
    cv2.fillPoly(canvas, [np.round(polygon - 0.5).astype(np.int32)], 1)
    assert np.array_equal(canvas.astype(bool), labels == 2)
    assert part_polygon(tmp_path / "p.png", [7]) is None


def test_exemplars_file_is_the_toolchain_layout(tmp_path):
    train = tmp_path / "train"
    (train / "images").mkdir(parents=True)
    (train / "parts").mkdir()
    Image.new("RGB", (20, 20)).save(train / "images" / "a.png")
    labels = np.zeros((20, 20), np.uint8)
    labels[5:10, 5:10] = 3
    cv2.imwrite(str(train / "parts" / "a.png"), labels)
    entry = {"name": "a", "parts": [{"label": 3, "name": "button", "actions": ["press"]}], "visible_actions": ["press"]}
    (train / "index.jsonl").write_text(json.dumps(entry) + "\n")
    out = tmp_path / "ex"
    out.mkdir()
    data = json.loads(exemplars(train, "press", ["a"], out).read_text())
    assert data["actions"] == ["press"]
    assert data["images"][0]["file"] == "a.png" and (out / "a.png").is_file()
    assert data["images"][0]["annotations"][0]["action"] == "press"
    assert len(data["images"][0]["annotations"][0]["polygon"]) >= 4


def test_rings_keep_holes_for_even_odd_filling():
    outer = np.array([[0, 0], [10, 0], [10, 10], [0, 10]], float)
    hole = np.array([[3, 3], [6, 3], [6, 6], [3, 6]], float)
    rim = Part("rim", ("hold",), Region([outer], [hole]))
    well = Part("well", (), Region([hole]))
    photo = Photo("p.png", "0" * 64, 20, 20, [AnnotatedObject("plate", Region([outer]), [rim, well])])
    assert rings(photo, "hold") == [outer.tolist(), hole.tolist()]
    assert rings(photo, "cut") == []


def test_weighted_means_count_every_map_once():
    runs = [{"KLD": 1.0, "SIM": 0.5, "NSS": 2.0, "count": 1}, {"KLD": 4.0, "SIM": 0.2, "NSS": 1.0, "count": 3}]
    assert weighted(runs) == {"KLD": 3.25, "SIM": 0.275, "NSS": 1.25, "maps": 4}
