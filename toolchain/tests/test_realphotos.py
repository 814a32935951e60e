"""The real-photo development set's loader, GT builder, annotation tool and eval helpers, on
synthetic data. No test reads the photos: `make eval-real` is a measurement, not a test."""
from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from affordtools.export import load_head_file
from affordtools.hashing import sha256_file
from affordtools.realphotos import annotate, eval_real
from affordtools.realphotos.annotations import (ANNOTATIONS, FORMAT, AnnotationError, PhotosUnavailable, Region,
                                                check_photos, dumps, gt_maps, load, parse, soft_map)

from conftest import REPO

SQUARE = [[10, 10], [29, 10], [29, 29], [10, 29]]


def tool_data(**photo) -> dict:
    """A 40x60 photo with one two-part "tool": a handle (hold) on the left, a head (hit) on the right."""
    entry = {"sha256": "0" * 64, "width": 60, "height": 40, "objects": [{
        "name": "tool", "outline": {"polygons": [[[5, 15], [54, 15], [54, 24], [5, 24]]], "holes": []},
        "parts": [{"name": "handle", "actions": ["hold"], "holes": [],
                   "polygons": [[[5, 15], [34, 15], [34, 24], [5, 24]]]},
                  {"name": "head", "actions": ["hit"], "holes": [],
                   "polygons": [[[35, 15], [54, 15], [54, 24], [35, 24]]]}],
    }]}
    entry.update(photo)
    return {"format": FORMAT, "photos": {"tool.png": entry}}


def test_region_mask_fills_polygons_and_clears_holes():
    region = Region([np.array(SQUARE, float)], [np.array([[15, 15], [24, 15], [24, 24], [15, 24]], float)])
    mask = region.mask(40, 40)
    assert mask.sum() == 20 * 20 - 8 * 8  # rings are boundary pixels of the region, holes too
    assert mask[12, 12] and not mask[20, 20] and not mask[5, 5]


def test_parse_checks_format_vertices_and_vocabulary():
    with pytest.raises(AnnotationError, match="format"):
        parse({**tool_data(), "format": "other"})
    bad = tool_data()
    bad["photos"]["tool.png"]["objects"][0]["parts"][0]["polygons"] = [[[1, 1], [2, 2]]]
    with pytest.raises(AnnotationError, match=r"parts\[0\].polygons\[0\]"):
        parse(bad)
    with pytest.raises(AnnotationError, match="not in the vocabulary"):
        parse(tool_data(), vocabulary=["hold"])
    (photo,) = parse(tool_data(), vocabulary=["hold", "hit"])
    assert photo.actions == ["hit", "hold"]


def test_gt_is_soft_peaked_inside_its_part_and_zero_far_away():
    (photo,) = parse(tool_data())
    maps = gt_maps(photo)
    assert set(maps) == {"hold", "hit"}
    hold = maps["hold"]
    assert hold.dtype == np.uint8 and hold.shape == (40, 60) and hold.max() == 255
    y, x = np.unravel_index(np.argmax(hold), hold.shape)
    assert photo.action_mask("hold")[y, x]
    assert hold[0, 59] == 0 and hold[19, 50] < hold[19, 20]
    assert 0 < hold[19, 36] < 255  # blurred across the part's edge, as AGD20K's GT is
    assert photo.object_mask().sum() == photo.action_mask("hold").sum() + photo.action_mask("hit").sum()


def test_soft_map_refuses_a_region_too_small_to_map():
    tiny = np.zeros((20, 20), bool)
    tiny[5:8, 5:8] = True
    with pytest.raises(AnnotationError, match="too small"):
        soft_map(tiny)


def test_check_photos_names_missing_and_changed_photos(tmp_path):
    with pytest.raises(PhotosUnavailable, match="no photo folder"):
        check_photos(parse(tool_data()), tmp_path / "absent")
    with pytest.raises(PhotosUnavailable, match="missing"):
        check_photos(parse(tool_data()), tmp_path)
    Image.fromarray(np.zeros((40, 60, 3), np.uint8)).save(tmp_path / "tool.png")
    with pytest.raises(PhotosUnavailable, match="sha256"):
        check_photos(parse(tool_data()), tmp_path)
    check_photos(parse(tool_data(sha256=sha256_file(tmp_path / "tool.png"))), tmp_path)


def test_dumps_round_trips():
    data = tool_data()
    data["conventions"] = ["hold: handles"]
    again = json.loads(dumps(data))
    assert again == data


def test_committed_annotation_covers_the_26_photos_with_the_default_vocabulary():
    vocabulary = json.loads(load_head_file(REPO / eval_real.DEFAULT_HEAD)[1]["actions"])
    photos = load(ANNOTATIONS, vocabulary)
    assert len(photos) == 26
    assert all("hold" in p.actions and len(p.sha256) == 64 for p in photos)
    by_category = {p.file.split("_")[0]: set(p.actions) for p in photos}
    assert by_category["spoon"] == {"hold", "scoop"} and by_category["screwdriver"] == {"hold", "screw"}
    assert by_category["hammer"] == {"hold", "hit"}


def test_refine_segments_an_object_and_splits_it_into_parts():
    bgr = np.full((60, 80, 3), 30, np.uint8)
    bgr[20:40, 10:70] = (40, 200, 220)  # a bright bar on a dark board
    draft = {"name": "bar", "seed": [5, 15, 75, 45], "segment": "colour",
             "parts": [{"name": "left", "actions": ["hold"],
                        "within": {"line": [[40, 0], [40, 59]], "towards": [0, 30]}},
                       {"name": "right", "actions": [], "within": "rest"}]}
    (obj,) = annotate.refine_photo(bgr, [draft])
    entry = {"sha256": "", "width": 80, "height": 60, "objects": [obj]}
    (photo,) = parse({"format": FORMAT, "photos": {"p.png": entry}})
    outline = photo.object_mask()
    assert outline.sum() == 20 * 60 and outline[20:40, 10:70].all()
    hold = photo.action_mask("hold")
    assert hold[30, 15] and not hold[30, 50] and 20 * 28 <= hold.sum() <= 20 * 31
    assert obj["draft"] is draft  # kept, so the photo can be redone


def test_shapes_and_mask_tracing():
    side = annotate.shape_mask({"line": [[0, 0], [9, 9]], "towards": [9, 0]}, 10, 10)
    assert side[0, 9] and not side[9, 0]
    band = annotate.shape_mask({"band": [[2, 5], [17, 5]], "width": 3}, 10, 20)
    assert band[5, 10] and band[4, 10] and not band[1, 10]
    ring = np.zeros((40, 40), bool)
    ring[5:35, 5:35] = True
    ring[15:25, 15:25] = False
    region = annotate.mask_region(ring)
    assert len(region.polygons) == 1 and len(region.holes) == 1
    assert np.array_equal(region.mask(40, 40), ring)


def test_hold_on_handle_counts_top_centroids_inside_the_hold_part():
    photos = [parse(tool_data())[0], parse(tool_data())[0], parse(tool_data())[0]]
    for i, p in enumerate(photos):
        p.file = f"p{i}.png"
    snapshots = {"p0.png": {"actions": {"hold": [{"u": 20.2, "v": 19.6}, {"u": 45, "v": 19}]}},
                 "p1.png": {"actions": {"hold": [{"u": 45.0, "v": 19.0}]}},  # on the head
                 "p2.png": {"actions": {"hold": []}}}  # gated by presence
    result = eval_real.hold_on_handle(photos, snapshots)
    assert (result["inside"], result["photos"], result["gated"]) == (1, 3, 1)
    assert "11 px from the hold part" in result["misses"][0]


def test_presence_report_uses_annotated_actions_as_labels():
    photos = [parse(tool_data())[0], parse(tool_data())[0]]
    photos[1].objects[0].parts[1].actions = ()  # the second photo shows no "hit"
    photos[1].file = "other.png"
    snapshots = {"tool.png": {"presence": {"hold": 0.9, "hit": 0.4}},
                 "other.png": {"presence": {"hold": 0.1, "hit": 0.2}}}
    report = eval_real.presence_report(photos, snapshots, ["hold", "hit"], 0.3)
    assert report["auc"] == {"hold": None, "hit": 1.0}
    assert report["accuracy"] == {"hold": 0.5, "hit": 1.0} and report["accuracy_all"] == 0.75


def test_min_presence_is_read_from_the_config(tmp_path):
    assert eval_real.min_presence(REPO / eval_real.DEFAULT_CONFIG) == 0.15
    config = tmp_path / "c.yaml"
    config.write_text("postprocessing:\n  min_presence: 0.3   # comment\n")
    assert eval_real.min_presence(config) == 0.3
    config.write_text("actions: [hold]\n")
    assert eval_real.min_presence(config) == 0.15


def test_missing_photos_exit_2_with_a_message(tmp_path, capsys):
    fake = tmp_path / "affordd"
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    assert eval_real.main(["--photos", str(tmp_path / "absent"), "--affordd", str(fake)]) == 2
    assert "REAL_PHOTOS" in capsys.readouterr().err
