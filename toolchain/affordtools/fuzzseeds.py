"""The fuzz harnesses' seed corpus (Tests/Fuzz/corpus/<harness>/), from the project's own
fixtures and generators, each seed a few KB at most.

    python -m affordtools.fuzzseeds --repo .

Seeds are committed; rerunning rewrites them byte for byte (fixed patterns, no clocks).
The harness input formats are those of Sources/AffordFuzzing.
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import struct
import tempfile
from pathlib import Path

import numpy as np
from mcap.reader import make_reader
from mcap_ros2.writer import Writer as Ros2Writer
from PIL import Image

from . import mcapfixtures

# ControlHarness.separator: splits a control input into the body and attachment frames.
SEPARATOR = b"\x00FRM\x00"
# ControlHarness.recordings: the harness copies the foxglove_none.mcap seed there as log.mcap.
RECORDING = "/tmp/affordd-fuzz/recordings/log.mcap"
# DemonstrationPrototypeTests.pose() scaled from 160x128 into the harness camera's 64x48 frame.
POSE = [(12, 3.8), (11.2, 2.6), (12.8, 2.6), (10, 3), (14, 3), (8.8, 9.4), (16, 9.4), (7.2, 16.9), (24, 15),
        (6.4, 23.3), (32, 15), (9.6, 26.3), (15.2, 26.3), (9.6, 35.6), (15.2, 35.6), (9.6, 44.3), (15.2, 44.3)]


def keypoints(score: float = 0.9) -> list:
    return [[x, y, 0.1 if i == 9 else score] for i, (x, y) in enumerate(POSE)]


def jpeg(rgb: np.ndarray, **options) -> bytes:
    out = io.BytesIO()
    Image.fromarray(rgb).save(out, format="JPEG", **options)
    return out.getvalue()


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def control_seeds() -> dict[str, bytes]:
    attached = jpeg(mcapfixtures.pattern(64, 48, 3), quality=70)
    requests = {
        "status": {"op": "status", "id": "r1"},
        "set_actions": {"op": "set_actions", "id": "r7", "actions": ["hold", "cut"]},
        "set_actions_unknown": {"op": "set_actions", "actions": ["hold", "fly"]},
        "snapshot": {"op": "snapshot"},
        "snapshot_camera": {"op": "snapshot", "camera": "front"},
        "snapshot_unknown_camera": {"op": "snapshot", "camera": "rear"},
        "pause": {"op": "pause"},
        "resume": {"op": "resume"},
        "reload": {"op": "reload", "id": "reload-1"},
        "clear_all": {"op": "clear_demonstrations"},
        "clear_some": {"op": "clear_demonstrations", "actions": ["grasp"]},
        "demonstrate_latest": {"op": "demonstrate", "action": "grasp", "frame": "latest", "keypoints": keypoints()},
        "demonstrate_latest_kind": {"op": "demonstrate", "action": "sit", "frame": "latest", "contact": "hips",
                                    "keypoints": keypoints()},
        "demonstrate_latest_camera": {"op": "demonstrate", "action": "grasp", "frame": "latest", "camera": "front",
                                      "keypoints": keypoints()},
        "demonstrate_recorded": {"op": "demonstrate", "action": "grasp", "frame": {"log": RECORDING, "sequence": 0},
                                 "keypoints": keypoints()},
        "demonstrate_outside_roots": {"op": "demonstrate", "action": "grasp",
                                      "frame": {"log": "/etc/passwd", "sequence": 0}, "keypoints": keypoints()},
        "teach_latest": {"op": "teach", "action": "press", "frame": "latest",
                         "polygon": [[10, 10], [40, 10], [40, 30], [10, 30]]},
        "teach_points": {"op": "teach", "action": "press", "frame": "latest", "points": [[20, 20]],
                         "negative": [[2, 2], [60, 40]]},
        "teach_rings": {"op": "teach", "action": "hold", "frame": "latest",
                        "polygons": [[[0, 0], [64, 0], [64, 48], [0, 48]], [[16, 12], [48, 12], [48, 36], [16, 36]]]},
        "taught": {"op": "taught"},
        "forget": {"op": "forget", "actions": ["press"]},
        "unknown_op": {"op": "frobnicate"},
        "unknown_field": {"op": "status", "verbose": True},
    }
    seeds = {f"{name}.json": json.dumps(body).encode() for name, body in requests.items()}
    body = json.dumps({"op": "demonstrate", "action": "grasp", "keypoints": keypoints()}).encode()
    seeds["demonstrate_attached.bin"] = body + SEPARATOR + attached
    seeds["attachment_on_status.bin"] = b'{"op":"status"}' + SEPARATOR + b"\xff\xd8"
    return seeds


def config_seeds(repo: Path) -> dict[str, bytes]:
    seeds = {path.name: path.read_bytes() for path in sorted((repo / "config").glob("*.yaml"))}
    return seeds


def calibration_seeds(repo: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted((repo / "Calibration").iterdir()) if path.is_file()}


def mcap_seeds(scratch: Path) -> dict[str, bytes]:
    seeds = {}
    for compression in ("none", "lz4", "zstd"):
        path = scratch / f"foxglove_{compression}.mcap"
        mcapfixtures.write_foxglove(path, compression, True, 1)
        seeds[path.name] = path.read_bytes()
    path = scratch / "foxglove_unchunked.mcap"
    mcapfixtures.write_foxglove(path, "none", False, 1)
    seeds[path.name] = path.read_bytes()
    for name, write in (("ros2_compressed.mcap", mcapfixtures.write_ros2_compressed),
                        ("ros2_image.mcap", mcapfixtures.write_ros2_image)):
        write(scratch / name, 1)
        seeds[name] = (scratch / name).read_bytes()
    return seeds


def write_ros2_depth(path: Path) -> None:
    """Two small depth images, 16UC1 millimetres and 32FC1 metres (one NaN), stamped 1 µs as the
    harness's colour frame is."""
    millimetres = (np.arange(12, dtype="<u2") * 250).reshape(3, 4)
    metres = (millimetres / 1000).astype("<f4")
    metres[0, 0] = np.nan
    with open(path, "wb") as stream:
        writer = Ros2Writer(stream)
        schema = writer.register_msgdef("sensor_msgs/msg/Image", mcapfixtures.IMAGE_DEF)
        for encoding, data in (("16UC1", millimetres.tobytes()), ("32FC1", metres.tobytes())):
            message = mcapfixtures.ros2_image(mcapfixtures.ros2_header(1_000, "camera"), 4, 3, encoding, data)
            writer.write_message(f"/depth/{encoding.lower()}", schema, message, log_time=1_000, publish_time=1_000)
        writer.finish()


def ros2_seeds(scratch: Path) -> dict[str, bytes]:
    """ROS2Harness input: a selector byte (0 Image, 1 CompressedImage, 2 a depth Image), then the
    CDR message."""
    write_ros2_depth(scratch / "ros2_depth.mcap")
    seeds = {}
    for name, selector in (("ros2_image.mcap", 0), ("ros2_compressed.mcap", 1), ("ros2_depth.mcap", 2)):
        with open(scratch / name, "rb") as stream:
            for _, channel, message in make_reader(stream).iter_messages():
                label = channel.topic.strip("/").replace("/", "_")
                seeds[f"{label}.cdr"] = bytes([selector]) + message.data
    return seeds


def image_seeds() -> dict[str, bytes]:
    rgb = mcapfixtures.pattern(16, 12, 1)
    return {
        "rgb_420.jpg": jpeg(rgb, quality=60),
        "rgb_444.jpg": jpeg(rgb, quality=90, subsampling=0),
        "rgb_progressive.jpg": jpeg(rgb, quality=60, progressive=True),
        "grey.jpg": jpeg(rgb[..., 1]),
        "rgb.png": png(Image.fromarray(rgb)),
        "grey.png": png(Image.fromarray(rgb[..., 1])),
        "palette.png": png(Image.fromarray(rgb).quantize(8)),
        "rgba.png": png(Image.fromarray(np.dstack([rgb, rgb[..., :1]]))),
        "grey16.png": png(Image.fromarray(rgb[..., 0].astype(np.uint16) * 257)),
    }


def safetensors(metadata: dict, tensors: dict[str, tuple[str, list, bytes]]) -> bytes:
    header, offset, body = {"__metadata__": metadata}, 0, b""
    for name, (dtype, shape, data) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        body += data
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # keeps the data 8-byte aligned, as the exporters do
    return struct.pack("<Q", len(text)) + text + body


def header_metadata(path: Path) -> dict:
    with open(path, "rb") as stream:
        (length,) = struct.unpack("<Q", stream.read(8))
        return json.loads(stream.read(length)).get("__metadata__", {})


def safetensors_seeds(repo: Path) -> dict[str, bytes]:
    """The real backbone and head metadata (from models/ and models-default/) over tiny tensors."""
    f32 = struct.pack("<4f", 0.5, -1.0, 2.0, 0.25)
    tensors = {"a.weight": ("I8", [2, 2], bytes([1, 255, 3, 4])), "a.weight_scale": ("F32", [2], f32[:8]),
               "a.bias": ("F32", [2, 1], f32[8:]), "mask": ("U8", [3], b"\x00\x01\x02"), "half": ("F16", [1], b"\x00\x3c")}
    seeds = {}
    sources = {"backbone": repo / "models" / "dinov2_vits14.int8.safetensors",
               "head": repo / "models-default" / "affordd-default.head.safetensors"}
    for name, path in sources.items():
        if path.exists():
            seeds[f"{name}.safetensors"] = safetensors(header_metadata(path), tensors)
    seeds["no_metadata.safetensors"] = safetensors({}, {"x": ("F32", [4], f32)})
    seeds["empty.safetensors"] = safetensors({}, {})
    return seeds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, default=Path("."))
    args = parser.parse_args()
    corpus = args.repo / "Tests" / "Fuzz" / "corpus"
    with tempfile.TemporaryDirectory() as temporary:
        scratch = Path(temporary)
        harnesses = {
            "control": control_seeds(), "config": config_seeds(args.repo),
            "calibration": calibration_seeds(args.repo), "mcap": mcap_seeds(scratch), "ros2": ros2_seeds(scratch),
            "images": image_seeds(), "safetensors": safetensors_seeds(args.repo),
        }
    summary = {}
    for harness, seeds in harnesses.items():
        folder = corpus / harness
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for name, data in seeds.items():
            (folder / name).write_bytes(data)
        summary[harness] = {"seeds": len(seeds), "largest_bytes": max(len(d) for d in seeds.values())}
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
