"""Proof that training learns: on the generated fixture, weak training beats a centre prior
and the saliency map alone on held-out images (test_train_export checks the file's maps)."""
from __future__ import annotations

import argparse

import pytest

from affordtools.export import load_head_file
from affordtools.synthfixture import generate
from affordtools.train import parser, run
from train_support import models_dir, require

# Clear margins over both baselines (held-out Seen images of the fixture).
KLD_MARGIN, SIM_MARGIN, NSS_MARGIN = 0.15, 0.04, 0.3


@pytest.fixture(scope="module")
def fixture_dir(tmp_path_factory):
    require(models_dir() / "dinov2_vits14.fp32.safetensors", "run `make models`")
    require(models_dir() / "vit_s_focus.onnx", "run `make models`")
    return generate(tmp_path_factory.mktemp("synth"), seed=0, n_train=5, n_test=3, splits=("Seen",))


def args_for(fixture_dir, tmp_path, mode: str) -> argparse.Namespace:
    return parser().parse_args([
        "--mode", mode, "--data", str(fixture_dir), "--split", "Seen", "--out", str(tmp_path / f"{mode}.head.safetensors"),
        "--models", str(models_dir()), "--cache", str(fixture_dir / "cache"), "--hidden", "64", "--epochs", "25",
        "--baselines", "--seed", "0"])


def test_weak_training_beats_centre_prior_and_saliency(fixture_dir, tmp_path):
    args = args_for(fixture_dir, tmp_path, "weak")
    results = run(args, log=print)
    weak = results["weak"]
    for baseline in ("centre prior", "saliency"):
        b = results[baseline]
        assert weak["KLD"] < b["KLD"] - KLD_MARGIN, (baseline, results)
        assert weak["SIM"] > b["SIM"] + SIM_MARGIN, (baseline, results)
        assert weak["NSS"] > b["NSS"] + NSS_MARGIN, (baseline, results)

    _, meta = load_head_file(args.out)
    assert meta["actions"] == '["cut", "hold", "pour"]' and '"mode": "weak"' in meta["recipe"]
    assert len(meta["backbone_sha256"]) == 64


def test_supervised_training_learns_the_parts(fixture_dir, tmp_path):
    results = run(args_for(fixture_dir, tmp_path, "supervised"), log=print)
    sup, sal = results["supervised"], results["saliency"]
    assert sup["KLD"] < sal["KLD"] - KLD_MARGIN and sup["SIM"] > sal["SIM"] + SIM_MARGIN, results
