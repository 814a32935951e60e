"""CAL reader, CAL-style GT and the keypoint priors (no backbone needed)."""
from __future__ import annotations

import json

import cv2
import numpy as np
import pytest
from PIL import Image
from scipy.ndimage import gaussian_filter

from affordtools.cal import blur_kernel_size, cal_gt, read_cal
from affordtools.calfixture import generate
from affordtools.datasets import LayoutError
from affordtools.pose import CONTACT_KINDS, K, body_part_priors, contact_anchors, validate_keypoints


def test_kernel_is_odd_and_about_a_third_of_the_geometric_mean():
    assert blur_kernel_size(224, 224) == 75 and blur_kernel_size(480, 640) == 185
    assert all(blur_kernel_size(h, w) % 2 == 1 for h, w in [(100, 100), (99, 301), (720, 1280)])


def test_cal_gt_matches_an_independent_blur_of_the_splatted_points():
    h, w, pts = 300, 400, [(50.2, 80.7), (320, 200)]
    gt = cal_gt(pts, h, w)
    assert gt.shape == (224, 224) and gt.min() == 0 and gt.max() == pytest.approx(1)
    # OpenCV's sigma for kernel k is 0.3 * ((k - 1) / 2 - 1) + 0.8; scipy with that sigma, cut at k.
    k = blur_kernel_size(h, w)
    canvas = np.zeros((h, w))
    canvas[81, 50] = canvas[200, 320] = 1
    sigma = 0.3 * ((k - 1) / 2 - 1) + 0.8
    ref = gaussian_filter(canvas, sigma, mode="reflect", truncate=(k // 2) / sigma)
    ref = cv2.resize(ref, (224, 224), interpolation=cv2.INTER_LINEAR)
    ref = (ref - ref.min()) / (ref.max() - ref.min())
    assert np.abs(gt - ref).max() < 0.02
    peak = np.unravel_index(gt.argmax(), gt.shape)
    assert any(abs(peak[0] - y * 224 / h) <= 2 and abs(peak[1] - x * 224 / w) <= 2 for x, y in pts)


def _person() -> np.ndarray:
    kp = np.zeros((17, 3))
    named = {"nose": (100, 40), "left_eye": (95, 35), "right_eye": (105, 35), "left_shoulder": (80, 70),
             "right_shoulder": (120, 70), "left_elbow": (70, 110), "right_elbow": (150, 90),
             "left_wrist": (65, 150), "right_wrist": (180, 100), "left_hip": (85, 150), "right_hip": (115, 150),
             "left_knee": (85, 200), "right_knee": (115, 200), "left_ankle": (85, 250), "right_ankle": (115, 250)}
    for name, (x, y) in named.items():
        kp[K[name]] = (x, y, 0.9)
    return kp


def test_priors_put_each_kind_on_its_body_part():
    kp = _person()
    priors = body_part_priors(kp, 280, 280, 28)
    assert priors.shape == (len(CONTACT_KINDS), 28, 28)
    def peak(kind):
        y, x = np.unravel_index(priors[CONTACT_KINDS.index(kind)].argmax(), (28, 28))
        return (x + 0.5) * 10, (y + 0.5) * 10
    hx, hy = peak("hands")  # past a wrist along its forearm (right: 180 + 0.35 * 30)
    assert min(np.hypot(hx - 190.5, hy - 103.5), np.hypot(hx - 63.3, hy - 164)) < 12
    assert peak("feet")[1] > 250 and peak("hips")[1] == pytest.approx(150, abs=10)
    assert 70 <= peak("back")[1] <= 150 and peak("mouth")[1] < 70
    outside = np.array(contact_anchors(kp, "outside"))  # out along both forearms, past the hands
    assert len(outside) == 8 and (outside[:, 0] > 180).sum() == 4 and (outside[:, 1] > 150).sum() == 4


def test_missing_keypoints_give_no_prior_and_bad_ones_are_rejected():
    kp = _person()
    kp[[K["left_wrist"], K["right_wrist"]], 2] = 0.1
    assert body_part_priors(kp, 280, 280, 14)[CONTACT_KINDS.index("hands")].max() == 0
    with pytest.raises(ValueError, match="17"):
        validate_keypoints([[1, 2, 3]] * 16, "x.json")
    with pytest.raises(ValueError, match="NaN"):
        validate_keypoints([[float("nan"), 2, 3]] * 17, "x.json")


def test_reader_finds_both_views_keypoints_and_builds_gt_from_points(tmp_path):
    root = generate(tmp_path / "cal", seed=1, n_interaction=1, n_objects=1, n_test=1)
    ds = read_cal(root)
    assert ds.actions == ["cut", "hold", "pour"]
    assert len(ds.train_exo) == 5 and len(ds.train_ego) == 5 and len(ds.test) == 5
    assert all(s.meta["keypoints"].shape == (17, 3) for s in ds.train_exo)
    # Without its PNG, a GT comes from the annotated points and equals the written one.
    s = ds.train_ego[0]
    png = np.asarray(Image.open(s.gt), np.float32) / 255
    s.gt.unlink()
    rebuilt = next(t for t in read_cal(root).train_ego if t.image == s.image)
    assert rebuilt.gt is None and np.abs(rebuilt.gt_array - png).max() <= 1 / 255 + 1e-6


def test_reader_lists_every_layout_problem(tmp_path):
    root = generate(tmp_path / "cal", seed=2, n_interaction=1, n_objects=1, n_test=1)
    kp = next((root / "trainset" / "keypoints" / "hold" / "mug").glob("*_int_*.json"))
    kp.write_text(json.dumps({"keypoints": [[0, 0, 1]] * 3}))
    gt = next((root / "testset" / "GT" / "cut" / "cleaver").glob("*.png"))
    gt.unlink()
    (root / "testset" / "keypoints" / "cut" / "cleaver" / (gt.stem + ".json")).unlink()
    with pytest.raises(LayoutError) as e:
        read_cal(root)
    text = str(e.value)
    assert "17 [x, y, score]" in text and "no GT for" in text and gt.stem in text
    with pytest.raises(LayoutError, match="missing folder"):
        read_cal(tmp_path / "nowhere")
