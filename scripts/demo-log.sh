#!/usr/bin/env bash
# Rebuilds demo/demo.mcap: one 640x640 render per category (seed 3, centre-cropped to
# 640x480) and scikit-image's CC0 coffee photo.
set -euo pipefail
cd "$(dirname "$0")/.."
RENDERS=${AFFORDD_RENDERS:-$HOME/.cache/affordd/renders}
(cd toolchain && ../.venv/bin/python -m affordtools.render --out "$RENDERS/demo640" --seed 3 --count 13 \
    --size 640 --spp 16 --median 3)
.venv/bin/python -m affordtools.demo_log --renders "$RENDERS/demo640" --out demo/demo.mcap
