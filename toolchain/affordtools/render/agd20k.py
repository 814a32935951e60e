"""`python -m affordtools.render.agd20k --src DIR --out DIR`: a rendered dataset in AGD20K's layout.

    OUT/egocentric/<action>/<category>/<name>.jpg
    OUT/GT/<action>/<category>/<name>.png

One egocentric image per visible action, as in AGD20K's test sets, so AGD20K tools
(and `affordd eval --testset`) read renders unchanged. Existing files are kept.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from PIL import Image

JPEG_QUALITY = 95


def export(src: Path, out: Path) -> int:
    """Writes the missing files; returns how many (image, GT) pairs were added."""
    index = src / "index.jsonl"
    if not index.is_file():
        raise FileNotFoundError(f"{index} is missing: is {src} a rendered dataset?")
    added = 0
    for line in index.read_text().splitlines():
        entry = json.loads(line)
        name, category = entry["name"], entry["category"]
        for action in entry["visible_actions"]:
            image = out / "egocentric" / action / category / f"{name}.jpg"
            gt = out / "GT" / action / category / f"{name}.png"
            if image.exists() and gt.exists():
                continue
            image.parent.mkdir(parents=True, exist_ok=True)
            gt.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src / "heatmaps" / action / f"{name}.png", gt)
            with Image.open(src / "images" / f"{name}.png") as rendered:
                rendered.convert("RGB").save(image, quality=JPEG_QUALITY, subsampling=0)
            added += 1
    return added


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m affordtools.render.agd20k", description=__doc__.split("\n")[0])
    parser.add_argument("--src", type=Path, required=True, help="a folder written by `python -m affordtools.render`")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        added = export(args.src, args.out)
    except (FileNotFoundError, KeyError, json.JSONDecodeError) as error:
        print(f"agd20k: {error}", file=sys.stderr)
        return 1
    print(f"agd20k: {added} new pair(s) in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
