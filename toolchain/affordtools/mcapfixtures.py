"""MCAP logs written by the reference writers (the Python `mcap` library and
`mcap-ros2-support`) for affordd's replay tests, plus a manifest of what each
image topic should replay as.

    python -m affordtools.mcapfixtures --out DIR

JPEG frames are encoded by Pillow. Nothing here is committed; tests generate it.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
from pathlib import Path

import numpy as np
from mcap.writer import CompressionType, Writer
from mcap_ros2.writer import Writer as Ros2Writer
from PIL import Image

HEADER_DEFS = """
================================================================================
MSG: std_msgs/Header
builtin_interfaces/Time stamp
string frame_id
================================================================================
MSG: builtin_interfaces/Time
int32 sec
uint32 nanosec
"""
COMPRESSED_IMAGE_DEF = "std_msgs/Header header\nstring format\nuint8[] data\n" + HEADER_DEFS
IMAGE_DEF = (
    "std_msgs/Header header\nuint32 height\nuint32 width\nstring encoding\n"
    "uint8 is_bigendian\nuint32 step\nuint8[] data\n" + HEADER_DEFS
)
FOXGLOVE_COMPRESSED_SCHEMA = {
    "title": "foxglove.CompressedImage",
    "type": "object",
    "properties": {
        "timestamp": {"type": "object", "properties": {"sec": {"type": "integer"}, "nsec": {"type": "integer"}}},
        "frame_id": {"type": "string"},
        "data": {"type": "string", "contentEncoding": "base64"},
        "format": {"type": "string"},
    },
}
START_NS = 1_700_000_000_000_000_000
PERIOD_NS = 33_333_333
COMPRESSIONS = {"none": CompressionType.NONE, "lz4": CompressionType.LZ4, "zstd": CompressionType.ZSTD}


def pattern(width: int, height: int, index: int) -> np.ndarray:
    """A moving gradient with a bright square: varied enough that frames differ."""
    y, x = np.mgrid[0:height, 0:width]
    rgb = np.stack([(x * 255 // max(width - 1, 1) + index * 7) % 256,
                    (y * 255 // max(height - 1, 1) + index * 13) % 256,
                    ((x + y + index * 5) * 3) % 256], axis=-1).astype(np.uint8)
    side = max(2, width // 6)
    left = (index * 5) % max(width - side, 1)
    rgb[height // 3:height // 3 + side, left:left + side] = 255
    return rgb


def jpeg(rgb: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(rgb).save(out, format="JPEG", quality=85)
    return out.getvalue()


def rgb_to_yuyv(rgb: np.ndarray) -> bytes:
    """BT.601 full-range YUYV; the replay test only checks the bytes round-trip."""
    r, g, b = (rgb[..., i].astype(np.float64) for i in range(3))
    y = 0.299 * r + 0.587 * g + 0.114 * b
    u = -0.169 * r - 0.331 * g + 0.5 * b + 128
    v = 0.5 * r - 0.419 * g - 0.081 * b + 128
    h, w = y.shape
    out = np.empty((h, w * 2), dtype=np.uint8)
    out[:, 0::4] = np.clip(y[:, 0::2], 0, 255)
    out[:, 2::4] = np.clip(y[:, 1::2], 0, 255)
    out[:, 1::4] = np.clip((u[:, 0::2] + u[:, 1::2]) / 2, 0, 255)
    out[:, 3::4] = np.clip((v[:, 0::2] + v[:, 1::2]) / 2, 0, 255)
    return out.tobytes()


def entry(pixels: bytes, width: int, height: int, fmt: str, stamp_ns: int) -> dict:
    return {"data": base64.b64encode(pixels).decode(),
            "width": width, "height": height, "format": fmt, "stamp_ns": stamp_ns}


def ros2_header(stamp_ns: int, frame_id: str) -> dict:
    return {"stamp": {"sec": stamp_ns // 10**9, "nanosec": stamp_ns % 10**9}, "frame_id": frame_id}


def ros2_image(header: dict, width: int, height: int, encoding: str, data: bytes) -> dict:
    """A sensor_msgs/msg/Image of packed, little-endian rows."""
    return {"header": header, "height": height, "width": width, "encoding": encoding,
            "is_bigendian": 0, "step": len(data) // height, "data": data}


def write_foxglove(path: Path, compression: str, chunked: bool, frames: int) -> dict:
    expected = []
    with open(path, "wb") as stream:
        writer = Writer(stream, chunk_size=4096, compression=COMPRESSIONS[compression],
                        use_chunking=chunked, enable_data_crcs=True)
        writer.start(profile="", library="mcapfixtures")
        schema = writer.register_schema("foxglove.CompressedImage", "jsonschema",
                                        json.dumps(FOXGLOVE_COMPRESSED_SCHEMA).encode())
        other = writer.register_schema("example.Note", "jsonschema", b'{"type":"object"}')
        notes = writer.register_channel("/notes", "json", other)
        camera = writer.register_channel("/camera/image/compressed", "json", schema)
        writer.add_metadata("origin", {"writer": "python mcap"})
        for i in range(frames):
            stamp = START_NS + i * PERIOD_NS
            width, height = (64, 48) if i % 2 == 0 else (80, 60)
            data = jpeg(pattern(width, height, i))
            writer.add_message(notes, stamp, json.dumps({"i": i}).encode(), stamp, i)
            message = {"timestamp": {"sec": stamp // 10**9, "nsec": stamp % 10**9}, "frame_id": "cam",
                       "data": base64.b64encode(data).decode(), "format": "jpeg"}
            writer.add_message(camera, stamp + 1000, json.dumps(message).encode(), stamp + 1000, i)
            expected.append(entry(data, width, height, "mjpeg", stamp))
        writer.finish()
    return {"/camera/image/compressed": expected}


def write_ros2_compressed(path: Path, frames: int) -> dict:
    expected = []
    with open(path, "wb") as stream:
        writer = Ros2Writer(stream, chunk_size=8192, compression=CompressionType.ZSTD)
        schema = writer.register_msgdef("sensor_msgs/msg/CompressedImage", COMPRESSED_IMAGE_DEF)
        for i in range(frames):
            stamp = START_NS + i * PERIOD_NS
            data = jpeg(pattern(96, 72, i))
            writer.write_message("/camera/image_raw/compressed", schema,
                                 {"header": ros2_header(stamp, "camera_optical"), "format": "rgb8; jpeg compressed bgr8",
                                  "data": data},
                                 log_time=stamp + 5_000_000, publish_time=stamp + 5_000_000, sequence=i)
            expected.append(entry(data, 96, 72, "mjpeg", stamp))
        writer.finish()
    return {"/camera/image_raw/compressed": expected}


def write_ros2_image(path: Path, frames: int) -> dict:
    """Raw images: rgb8 and yuyv (the issue's cases) plus bgr8, mono8 and ROS's UYVY `yuv422`,
    which replay hands on as YUYV."""
    topics: dict[str, list] = {t: [] for t in ("/camera/rgb", "/camera/yuyv", "/camera/bgr", "/camera/mono", "/camera/uyvy")}
    width, height = 32, 24
    with open(path, "wb") as stream:
        writer = Ros2Writer(stream, chunk_size=4096, compression=CompressionType.LZ4)
        schema = writer.register_msgdef("sensor_msgs/msg/Image", IMAGE_DEF)
        for i in range(frames):
            stamp = START_NS + i * PERIOD_NS
            rgb = pattern(width, height, i)
            yuyv = rgb_to_yuyv(rgb)
            uyvy = np.frombuffer(yuyv, dtype=np.uint8).reshape(-1, 2)[:, ::-1].tobytes()
            # topic: (encoding, message bytes, replayed format, replayed bytes)
            variants = {
                "/camera/rgb": ("rgb8", rgb.tobytes(), "rgb8", None),
                "/camera/yuyv": ("yuyv", yuyv, "yuyv", None),
                "/camera/bgr": ("bgr8", rgb[..., ::-1].tobytes(), "bgr8", None),
                "/camera/mono": ("mono8", rgb[..., 1].tobytes(), "mono8", None),
                "/camera/uyvy": ("yuv422", uyvy, "yuyv", yuyv),
            }
            for topic, (encoding, data, fmt, replayed) in variants.items():
                message = ros2_image(ros2_header(stamp, "cam"), width, height, encoding, data)
                writer.write_message(topic, schema, message, log_time=stamp, publish_time=stamp, sequence=i)
                topics[topic].append(entry(replayed or data, width, height, fmt, stamp))
        writer.finish()
    return topics


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--frames", type=int, default=12)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    manifest = {}
    for compression in COMPRESSIONS:
        name = f"foxglove_{compression}.mcap"
        manifest[name] = write_foxglove(args.out / name, compression, True, args.frames)
    manifest["foxglove_unchunked.mcap"] = write_foxglove(args.out / "foxglove_unchunked.mcap", "none", False, args.frames)
    manifest["ros2_compressed.mcap"] = write_ros2_compressed(args.out / "ros2_compressed.mcap", args.frames)
    manifest["ros2_image.mcap"] = write_ros2_image(args.out / "ros2_image.mcap", args.frames)
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=1))
    print(json.dumps({"written": sorted(manifest)}))


if __name__ == "__main__":
    main()
