#!/usr/bin/env bash
# `make eval-teach`: run-time teaching measured (issue 13). Renders a category no head was
# trained on (button_box, "press" on its button; seed 30 to teach from, seed 31 to score),
# teaches it with 1, 3 and 5 frames, then teaches "hold" per category on the real photos.
set -euo pipefail
cd "$(dirname "$0")/.."
RENDERS=${AFFORDD_RENDERS:-$HOME/.cache/affordd/renders}
PHOTOS=${REAL_PHOTOS:-../shared/real-photos}
PYTHON=$PWD/.venv/bin/python
AFFORDD=$PWD/.build/release/affordd

render() {  # out seed count
    [ -f "$1/index.jsonl" ] && [ "$(wc -l < "$1/index.jsonl")" -ge "$3" ] && return
    (cd toolchain && "$PYTHON" -m affordtools.render --out "$1" --seed "$2" --count "$3" --spp 8 --median 3 \
        --threads 1 --categories button_box)
}
render "$RENDERS/teach30" 30 10
render "$RENDERS/teach31" 31 30
(cd toolchain && "$PYTHON" -m affordtools.teach_eval --affordd "$AFFORDD" --train "$RENDERS/teach30" \
    --test "$RENDERS/teach31" --action press --shots 1 3 5 --draws 3)
if [ -d "$PHOTOS" ]; then
    PHOTOS=$(cd "$PHOTOS" && pwd)
    (cd toolchain && "$PYTHON" -m affordtools.realphotos.teach_real --photos "$PHOTOS" --affordd "$AFFORDD")
else
    echo "eval-teach: no real photos at $PHOTOS (REAL_PHOTOS=DIR); the rendered measurement above stands alone"
fi
