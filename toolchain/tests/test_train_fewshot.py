"""Few-shot training on a handful of JSON exemplars made from the generated fixture."""
from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from PIL import Image

from affordtools.export import head_forward_numpy, load_head_file
from affordtools.features import FeatureExtractor
from affordtools.synthfixture import generate
from affordtools.train import parser, run
from train_support import models_dir, require


def exemplar_dir(tmp_path, per_action=2):
    """Exemplar layout: part bounding boxes (from the fixture's GT) as polygons."""
    synth = generate(tmp_path / "synth", seed=1, n_train=per_action, n_test=1, splits=("Seen",))
    out = tmp_path / "exemplars"
    out.mkdir()
    images = []
    for gt in sorted((synth / "Seen/trainset/GT").glob("*/*/*.png")):
        action = gt.parts[-3]
        ys, xs = np.nonzero(np.asarray(Image.open(gt)) > 128)
        src = synth / "Seen/trainset/egocentric" / action / gt.parts[-2] / (gt.stem + ".jpg")
        name = f"{action}_{gt.stem}.jpg"
        shutil.copy(src, out / name)
        box = [[int(xs.min()), int(ys.min())], [int(xs.max()), int(ys.min())],
               [int(xs.max()), int(ys.max())], [int(xs.min()), int(ys.max())]]
        images.append({"file": name, "annotations": [{"action": action, "polygon": box}], "box": box})
    (out / "exemplars.json").write_text(json.dumps({"images": images}))
    return out, images


def test_fewshot_head_peaks_inside_the_annotated_parts(tmp_path):
    require(models_dir() / "dinov2_vits14.fp32.safetensors", "run `make models`")
    data, images = exemplar_dir(tmp_path)
    out = tmp_path / "fewshot.head.safetensors"
    args = parser().parse_args(["--mode", "fewshot", "--layout", "exemplar", "--data", str(data), "--out", str(out),
                                "--models", str(models_dir()), "--cache", str(tmp_path / "cache"),
                                "--hidden", "32", "--epochs", "40", "--batch", "4"])
    run(args, log=print)
    tensors, meta = load_head_file(out)
    actions = json.loads(meta["actions"])
    assert json.loads(meta["recipe"])["mode"] == "fewshot"
    extractor = FeatureExtractor(models_dir(), tmp_path / "cache")
    inside = 0
    for entry in images:
        action = entry["annotations"][0]["action"]
        m = head_forward_numpy(tensors, extractor(data / entry["file"]).tokens)[actions.index(action)]
        y, x = np.unravel_index(m.argmax(), m.shape)
        (x0, y0), (x1, y1) = entry["box"][0], entry["box"][2]
        cx, cy = (x + 0.5) * 224 / m.shape[1], (y + 0.5) * 224 / m.shape[0]
        inside += (x0 - 14 <= cx <= x1 + 14) and (y0 - 14 <= cy <= y1 + 14)
    assert inside >= 0.8 * len(images), f"{inside}/{len(images)} peaks inside their parts"
