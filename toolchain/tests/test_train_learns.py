"""Proof that training learns: on the generated fixture, weak training beats a centre prior
and the saliency map alone on held-out images; then its exported head runs in `affordd snapshot`."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from affordtools.export import head_forward_numpy, load_head_file
from affordtools.features import FeatureExtractor
from affordtools.metrics import resize_bilinear
from affordtools.synthfixture import generate
from affordtools.train import parser, run
from train_support import REPO, models_dir, require

# Margins over the saliency map on held-out Seen images of the fixture.
KLD_MARGIN, SIM_MARGIN, NSS_MARGIN = 0.05, 0.02, 0.25


@pytest.fixture(scope="module")
def fixture_dir(tmp_path_factory):
    require(models_dir() / "dinov2_vits14.fp32.safetensors", "run `make models`")
    require(models_dir() / "vit_s_focus.onnx", "run `make models`")
    return generate(tmp_path_factory.mktemp("synth"), seed=0, n_train=5, n_test=3, splits=("Seen",))


def train(fixture_dir: Path, mode: str, *extra: str) -> tuple[Path, dict]:
    out = fixture_dir / f"{mode}.head.safetensors"
    args = parser().parse_args([
        "--mode", mode, "--data", str(fixture_dir), "--split", "Seen", "--out", str(out),
        "--models", str(models_dir()), "--cache", str(fixture_dir / "cache"), "--hidden", "64", "--epochs", "30",
        "--baselines", "--seed", "0", *extra])
    return out, run(args, log=print)


@pytest.fixture(scope="module")
def weak_run(fixture_dir):
    return train(fixture_dir, "weak", "--int8")


def test_weak_training_beats_the_centre_prior_and_the_saliency_map(weak_run):
    head_file, results = weak_run
    weak, centre, sal = results["weak"], results["centre prior"], results["saliency"]
    assert weak["KLD"] < centre["KLD"] - 0.5 and weak["SIM"] > centre["SIM"] + 0.1, results
    assert weak["NSS"] > centre["NSS"] + 1.0, results
    assert weak["KLD"] < sal["KLD"] - KLD_MARGIN and weak["SIM"] > sal["SIM"] + SIM_MARGIN, results
    assert weak["NSS"] > sal["NSS"] + NSS_MARGIN, results
    _, meta = load_head_file(head_file)
    assert json.loads(meta["actions"]) == ["cut", "hold", "pour"] and json.loads(meta["recipe"])["mode"] == "weak"
    assert len(meta["backbone_sha256"]) == 64


def test_weak_head_says_which_actions_are_in_view(weak_run):
    """The fixture's folders: knives afford cut, kettles pour, every tool hold."""
    head_file, results = weak_run
    presence = results["presence"]
    assert presence["auc"]["cut"] > 0.9 and presence["auc"]["pour"] > 0.85, presence
    assert presence["auc"]["hold"] is None and presence["accuracy"] > 0.85, presence
    _, meta = load_head_file(head_file)
    assert meta["presence"] == "max_pooled_linear" and "presence" in json.loads(meta["recipe"])


def test_supervised_training_learns_the_parts(fixture_dir):
    _, results = train(fixture_dir, "supervised")
    sup, weak_free = results["supervised"], results["saliency"]
    assert sup["KLD"] < weak_free["KLD"] - 0.5 and sup["SIM"] > weak_free["SIM"] + 0.2, results


def test_exported_head_runs_in_affordd_snapshot(weak_run, fixture_dir, tmp_path):
    """End to end: the Swift daemon (int8 backbone) grounds with the exported head like PyTorch does."""
    binary = Path(os.environ.get("AFFORDD_BIN", REPO / ".build" / "debug" / "affordd"))
    if not binary.is_file():
        pytest.skip(f"{binary} missing: `make test` builds it before pytest")
    backbone = require(models_dir() / "dinov2_vits14.int8.safetensors", "run `make models`")
    head_file, _ = weak_run
    tensors, meta = load_head_file(head_file)
    extractor = FeatureExtractor(models_dir(), fixture_dir / "cache")
    images = sorted((fixture_dir / "Seen/testset/egocentric/hold").glob("*/*.jpg"))[:3]
    for image in images:
        heatmap = tmp_path / f"{image.stem}.png"
        run_ = subprocess.run([str(binary), "snapshot", "--image", str(image), "--model", str(head_file),
                               "--backbone", str(backbone), "--action", "hold", "--heatmap", str(heatmap)],
                              capture_output=True, text=True, timeout=300)
        assert run_.returncode == 0, run_.stderr
        answer = json.loads(run_.stdout.strip().splitlines()[-1])
        assert answer["model"] == meta["model_id"] and 0 <= answer["presence"]["hold"] <= 1
        swift = np.asarray(Image.open(heatmap).convert("L"), np.float64)
        ours = head_forward_numpy(tensors, extractor(image).tokens)[json.loads(meta["actions"]).index("hold")]
        ours = resize_bilinear(ours, *swift.shape)
        assert np.corrcoef(swift.ravel(), ours.ravel())[0, 1] > 0.9, image
