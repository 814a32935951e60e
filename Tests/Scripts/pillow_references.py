"""Writes JPEG/PNG inputs made by Pillow plus Pillow's own decodes of them.

The Swift imaging tests run this into a temporary directory and compare
affordd's TurboJPEG/libpng decodes with Pillow's. Usage: pillow_references.py OUT_DIR
"""
import json
import sys
from pathlib import Path

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

    (out / "manifest.json").write_text(json.dumps({"jpeg": cases, "png": pngs}, indent=1))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
