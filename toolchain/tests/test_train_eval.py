"""The AGD20K metrics: resampling against OpenCV, known answers, the CLI and the Swift `affordd eval`."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from affordtools.eval import main as eval_main
from affordtools.metrics import resize_bilinear, score
from train_support import REPO

cv2 = pytest.importorskip("cv2")


@pytest.mark.parametrize("shape", [(73, 100), (480, 640), (224, 224), (16, 16), (300, 17)])
def test_resize_matches_opencv_inter_linear(shape):
    img = np.random.default_rng(0).random(shape).astype(np.float32)
    want = cv2.resize(img, (224, 224), interpolation=cv2.INTER_LINEAR)
    np.testing.assert_allclose(resize_bilinear(img, 224, 224), want, atol=1e-5)


def locate_reference(pred: np.ndarray, gt: np.ndarray) -> tuple[float, float, float]:
    """LOCATE's test pipeline written out with OpenCV, as an independent reference."""
    p = cv2.resize(pred.astype(np.float64), (224, 224))
    p = (p - p.min()) / (p.max() - p.min() + 1e-12)
    g = cv2.resize(gt / 255.0, (224, 224))
    g = (g - g.min()) / (g.max() - g.min() + 1e-12)
    p1, g1 = p / (p.sum() + 1e-12), g / (g.sum() + 1e-12)
    kld = np.sum(g1 * np.log(g1 / (p1 + 1e-12) + 1e-12))
    sim = np.minimum(p1, g1).sum()
    z = (p - p.mean()) / p.std()
    fix = (g > 0.1).astype(np.float64)
    return kld, sim, np.sum(z * fix) / np.sum(fix + 1e-12)


def blob(h, w, cy, cx, r):
    y, x = np.mgrid[:h, :w]
    return np.exp(-((y - cy) ** 2 + (x - cx) ** 2) / (2 * r * r))


def test_matches_the_locate_pipeline_on_random_maps():
    rng = np.random.default_rng(3)
    for _ in range(5):
        pred = (blob(120, 90, rng.uniform(20, 100), rng.uniform(10, 80), 15) * 255).round()
        gt = (blob(300, 200, rng.uniform(50, 250), rng.uniform(30, 170), 30) * 255).round()
        s = score(pred, gt)
        np.testing.assert_allclose([s.kld, s.sim, s.nss], locate_reference(pred, gt), rtol=1e-4, atol=1e-5)


def test_known_answers():
    gt = (blob(224, 224, 100, 120, 20) * 255).round()
    same = score(gt, gt)
    assert abs(same.kld) < 1e-6 and abs(same.sim - 1) < 1e-6
    zero = score(gt, np.zeros((50, 50)))
    assert (zero.kld, zero.sim, zero.nss) == (0.0, 0.0, 0.0)
    # A binary prediction covering exactly the GT's fixations, a fraction f of the image,
    # has NSS sqrt((1 - f) / f).
    mask = np.zeros((224, 224)); mask[50:100, 60:160] = 255
    f = 50 * 100 / 224**2
    assert abs(score(mask, mask).nss - np.sqrt((1 - f) / f)) < 1e-6
    far = score(blob(224, 224, 20, 20, 10) * 255, gt)
    assert far.kld > 5 and far.sim < 0.1 and far.nss < 0


def write_maps(root, maps):
    for rel, m in maps.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(np.clip(m, 0, 255).astype(np.uint8)).save(path)


def generated_maps(tmp_path):
    rng = np.random.default_rng(7)
    gt, pred = {}, {}
    for aff, obj in [("hold", "mug"), ("hold", "knife"), ("cut", "knife")]:
        for i in range(3):
            rel = f"{aff}/{obj}/img{i}.png"
            cy, cx = rng.uniform(40, 180, 2)
            gt[rel] = blob(240, 320, cy, cx, 25) * 255
            pred[rel] = blob(120, 160, cy / 2 + rng.normal(0, 8), cx / 2 + rng.normal(0, 8), 15) * 255
    gt["cut/knife/empty.png"] = np.zeros((64, 64))
    pred["cut/knife/empty.png"] = blob(64, 64, 30, 30, 10) * 255
    write_maps(tmp_path / "gt", gt)
    write_maps(tmp_path / "pred", pred)
    return tmp_path / "pred", tmp_path / "gt"


def test_cli_prints_rows_then_json(tmp_path, capsys):
    pred, gt = generated_maps(tmp_path)
    assert eval_main(["--pred", str(pred), "--gt", str(gt)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[1].startswith("cut") and lines[2].startswith("hold")
    result = json.loads(lines[-1])
    assert result["count"] == 10 and 0 < result["SIM"] < 1


def test_cli_names_missing_predictions(tmp_path, capsys):
    pred, gt = generated_maps(tmp_path)
    (pred / "hold/mug/img1.png").unlink()
    assert eval_main(["--pred", str(pred), "--gt", str(gt)]) == 1
    assert "hold/mug/img1.png" in capsys.readouterr().err


def test_swift_affordd_eval_agrees(tmp_path, capsys):
    binary = Path(os.environ.get("AFFORDD_BIN", REPO / ".build" / "debug" / "affordd"))
    if not binary.is_file():
        pytest.skip(f"{binary} missing: `make test` builds it before pytest")
    pred, gt = generated_maps(tmp_path)
    eval_main(["--pred", str(pred), "--gt", str(gt)])
    want = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    run = subprocess.run([str(binary), "eval", "--pred", str(pred), "--gt", str(gt)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    got = json.loads(run.stdout.strip().splitlines()[-1])
    assert got["count"] == want["count"]
    for key in ("KLD", "SIM", "NSS"):
        assert abs(got[key] - want[key]) < 1e-4, (key, got[key], want[key])
