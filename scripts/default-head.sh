#!/usr/bin/env bash
# Rebuilds the committed default head from nothing: render -> features -> train -> export.
# Renders and features go to $AFFORDD_RENDERS (default ~/.cache/affordd/renders), never into git.
# Every job is seeded and resumable; the counts are those the committed head was trained on.
set -euo pipefail
cd "$(dirname "$0")/.."

RENDERS=${AFFORDD_RENDERS:-$HOME/.cache/affordd/renders}
OUT=${AFFORDD_HEAD_OUT:-models-default/affordd-default.head.safetensors}
PYTHON=.venv/bin/python
COUNT_TRAIN=${COUNT_TRAIN:-4800}   # seed 10: 300 per category (16), two parallel shards
STAGE=${1:-all}                    # `render` stops after rendering
# The held-out sets, seed 11, 10 per category: the first 13 categories as every earlier head was
# scored on them (same scenes), and the three added since.
FIRST=mug,cup,knife,spoon,ladle,spatula,brush,hammer,bottle,frying_pan,kettle,screwdriver,scissors
ADDED=fork,pen,plate

render() {  # out seed count shard [categories]
    (cd toolchain && nice "../$PYTHON" -m affordtools.render --out "$1" --seed "$2" --count "$3" \
        --shard "$4" --spp 8 --median 3 --threads 1 ${5:+--categories "$5"})
}
render "$RENDERS/train10-0" 10 "$COUNT_TRAIN" 0/2 &   # one folder per shard: one writer per index
render "$RENDERS/train10-1" 10 "$COUNT_TRAIN" 1/2 &
wait
render "$RENDERS/test11" 11 130 0/1 "$FIRST" &
render "$RENDERS/test11new" 11 30 0/1 "$ADDED" &
wait
[ "$STAGE" = render ] && exit 0

"$PYTHON" -m affordtools.default_head --models models --train "$RENDERS/train10-0" "$RENDERS/train10-1" \
    --test "$RENDERS/test11" "$RENDERS/test11new" --out "$OUT" --json "${OUT%.head.safetensors}.scores.json"
