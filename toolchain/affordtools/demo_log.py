"""`python -m affordtools.demo_log --renders DIR --out demo/demo.mcap`: the demo log.

640x480 JPEG frames as foxglove.CompressedImage on /camera/image/compressed (what
affordd's ReplaySource reads): the renders in DIR (square, centre-cropped to 4:3) and
scikit-image's coffee photo (CC0, Rachel Michetti: a cup with a spoon on a saucer).
scripts/demo-log.sh renders DIR and calls this, so the committed log can be rebuilt.
"""
from __future__ import annotations

import argparse
import base64
import json
import sys
from pathlib import Path

import numpy as np
from mcap.writer import CompressionType, Writer
from PIL import Image

from .mcapfixtures import FOXGLOVE_COMPRESSED_SCHEMA, START_NS, jpeg

WIDTH, HEIGHT = 640, 480
PERIOD_NS = 1_000_000_000  # a frame a second: the demo is for looking at, and a busy CPU keeps up
TOPIC = "/camera/image/compressed"


def fit(image: Image.Image) -> np.ndarray:
    """Scales to cover 640x480 and crops the centre."""
    rgb = image.convert("RGB")
    scale = max(WIDTH / rgb.width, HEIGHT / rgb.height)
    size = (max(WIDTH, round(rgb.width * scale)), max(HEIGHT, round(rgb.height * scale)))
    rgb = rgb.resize(size, Image.Resampling.BICUBIC)
    left, top = (size[0] - WIDTH) // 2, (size[1] - HEIGHT) // 2
    return np.asarray(rgb.crop((left, top, left + WIDTH, top + HEIGHT)))


def frames(renders: Path) -> list[tuple[str, np.ndarray]]:
    from skimage import data

    out = [(path.stem, fit(Image.open(path))) for path in sorted((renders / "images").glob("*.png"))]
    out.append(("skimage_coffee", fit(Image.fromarray(data.coffee()))))
    return out


def write(path: Path, pictures: list[tuple[str, np.ndarray]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as stream:
        writer = Writer(stream, compression=CompressionType.ZSTD)
        writer.start(profile="", library="affordtools.demo_log")
        schema = writer.register_schema("foxglove.CompressedImage", "jsonschema",
                                        json.dumps(FOXGLOVE_COMPRESSED_SCHEMA).encode())
        channel = writer.register_channel(TOPIC, "json", schema)
        writer.add_metadata("demo", {"frames": json.dumps([name for name, _ in pictures])})
        for i, (_name, rgb) in enumerate(pictures):
            stamp = START_NS + i * PERIOD_NS
            message = {"timestamp": {"sec": stamp // 10**9, "nsec": stamp % 10**9}, "frame_id": "demo",
                       "data": base64.b64encode(jpeg(rgb)).decode(), "format": "jpeg"}
            writer.add_message(channel, stamp, json.dumps(message).encode(), stamp, i)
        writer.finish()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m affordtools.demo_log", description=__doc__.split("\n")[0])
    ap.add_argument("--renders", type=Path, required=True, help="a folder written by `python -m affordtools.render`")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    if not (args.renders / "images").is_dir():
        print(f"demo_log: {args.renders}/images is missing: render first", file=sys.stderr)
        return 1
    pictures = frames(args.renders)
    write(args.out, pictures)
    print(f"demo_log: {len(pictures)} frames, {args.out.stat().st_size / 1e6:.2f} MB in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
