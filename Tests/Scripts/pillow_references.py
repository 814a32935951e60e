"""Writes JPEG/PNG inputs made by Pillow plus Pillow's own decodes of them, and
OpenCV's YUYV->RGB conversion and bilinear resize of known inputs.

The Swift imaging tests run this into a temporary directory and compare affordd's
TurboJPEG/libpng decodes, YUYV kernel and RGB resize with these independent
implementations. Usage: pillow_references.py OUT_DIR
"""
import json
import sys
from pathlib import Path

import cv2
import numpy as np
from PIL import Image


def scene(width, height, seed=7):
    """A camera-like picture: smooth gradients, hard edges and sensor noise."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    r = 128 + 100 * np.sin(x / 37.0) * np.cos(y / 23.0)
    g = 255 * x / width
    b = 255 * y / height
    img = np.stack([r, g, b], axis=-1)
    img[height // 4: height // 2, width // 3: width // 2] = (230, 40, 30)
    img[(x - width * 0.7) ** 2 + (y - height * 0.6) ** 2 < (height / 6) ** 2] = (20, 60, 220)
    img += rng.normal(0, 6, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


def main(out):
    out.mkdir(parents=True, exist_ok=True)
    cases = []
    rgb = Image.fromarray(scene(640, 480))

    def jpeg_case(name, image, draft=None, **save):
        path = out / f"{name}.jpg"
        image.save(path, "JPEG", **save)
        full = Image.open(path).convert("RGB")
        (out / f"{name}.full.rgb").write_bytes(full.tobytes())
        case = {"name": name, "file": path.name, "width": full.width, "height": full.height,
                "full": f"{name}.full.rgb"}
        if draft:
            reduced = Image.open(path)
            reduced.draft("RGB", draft)  # libjpeg DCT scaling, like tjDecompress2 with a scaling factor
            reduced = reduced.convert("RGB")
            (out / f"{name}.draft.rgb").write_bytes(reduced.tobytes())
            case.update(draft=f"{name}.draft.rgb", draft_request=list(draft), draft_width=reduced.width, draft_height=reduced.height)
        cases.append(case)

    jpeg_case("scene420", rgb, draft=(224, 224), quality=90, subsampling="4:2:0")
    jpeg_case("scene444", rgb, draft=(160, 120), quality=95, subsampling="4:4:4")
    jpeg_case("scene_progressive", rgb, quality=85, progressive=True)
    jpeg_case("scene_gray", rgb.convert("L"), draft=(100, 100), quality=90)
    jpeg_case("odd_size", Image.fromarray(scene(333, 211, seed=3)), draft=(50, 50), quality=80)

    pngs = []
    for name, image in [
        ("rgb", rgb),
        ("rgba", Image.fromarray(np.dstack([scene(64, 48), np.full((48, 64), 255, np.uint8)]), "RGBA")),
        ("palette", rgb.resize((64, 48)).quantize(32)),
        ("mono", rgb.convert("L")),
    ]:
        path = out / f"{name}.png"
        image.save(path)
        decoded = Image.open(path).convert("RGB")
        (out / f"{name}.png.rgb").write_bytes(decoded.tobytes())
        pngs.append({"name": name, "file": path.name, "width": decoded.width,
                     "height": decoded.height, "rgb": f"{name}.png.rgb"})

    # OpenCV: YUYV (BT.601 limited range, like V4L2 webcams) and INTER_LINEAR resizes.
    yuyv = np.random.default_rng(11).integers(0, 256, (480, 640, 2), dtype=np.uint8)
    (out / "yuyv.raw").write_bytes(yuyv.tobytes())
    (out / "yuyv.cv2.rgb").write_bytes(cv2.cvtColor(yuyv, cv2.COLOR_YUV2RGB_YUYV).tobytes())
    source = np.asarray(rgb)
    resizes = []
    for width, height in [(224, 224), (320, 240), (1000, 700)]:
        name = f"resize{width}x{height}.cv2.rgb"
        (out / name).write_bytes(cv2.resize(source, (width, height), interpolation=cv2.INTER_LINEAR).tobytes())
        resizes.append({"width": width, "height": height, "file": name})
    (out / "resize_source.rgb").write_bytes(source.tobytes())
    opencv = {"yuyv": "yuyv.raw", "yuyv_rgb": "yuyv.cv2.rgb", "resize_source": "resize_source.rgb",
              "resize_width": source.shape[1], "resize_height": source.shape[0], "resizes": resizes}

    (out / "manifest.json").write_text(json.dumps({"jpeg": cases, "png": pngs, "opencv": opencv}, indent=1))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
