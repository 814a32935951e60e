"""The demo log: 640x480 JPEG frames in foxglove.CompressedImage, read back by the mcap library."""
from __future__ import annotations

import base64
import io
import json

import numpy as np
from mcap.reader import make_reader
from PIL import Image

from affordtools.demo_log import HEIGHT, TOPIC, WIDTH, fit, frames, write


def test_fit_covers_and_crops_the_centre():
    tall = np.zeros((300, 100, 3), np.uint8)
    tall[140:160] = 255  # a band across the middle survives the crop
    out = fit(Image.fromarray(tall))
    assert out.shape == (HEIGHT, WIDTH, 3)
    assert out[HEIGHT // 2].mean() > 200 and out[0].mean() < 10


def test_log_reads_back_as_640x480_jpeg_frames(tmp_path):
    renders = tmp_path / "renders" / "images"
    renders.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for name in ("mug_3_000000", "knife_3_000001"):
        Image.fromarray(rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)).save(renders / f"{name}.png")
    pictures = frames(tmp_path / "renders")
    assert [name for name, _ in pictures] == ["knife_3_000001", "mug_3_000000", "skimage_coffee"]
    write(tmp_path / "demo.mcap", pictures)
    with open(tmp_path / "demo.mcap", "rb") as stream:
        messages = list(make_reader(stream).iter_messages())
    assert len(messages) == 3
    stamps = [message.log_time for _, _, message in messages]
    assert stamps == sorted(stamps) and len(set(stamps)) == 3
    for (schema, channel, message), (_, rgb) in zip(messages, pictures):
        assert schema.name == "foxglove.CompressedImage" and channel.topic == TOPIC
        body = json.loads(message.data)
        assert body["format"] == "jpeg"
        decoded = np.asarray(Image.open(io.BytesIO(base64.b64decode(body["data"]))).convert("RGB")).astype(int)
        assert decoded.shape == (HEIGHT, WIDTH, 3)
        assert np.abs(decoded - rgb).mean() < 8  # JPEG loss only
