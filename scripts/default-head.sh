#!/usr/bin/env bash
# Rebuilds the committed default head from nothing: render -> features -> train -> export.
# Renders and features go to $AFFORDD_RENDERS (default ~/.cache/affordd/renders), never into git.
# Every job is seeded and resumable; the counts are those the committed head was trained on.
set -euo pipefail
cd "$(dirname "$0")/.."

RENDERS=${AFFORDD_RENDERS:-$HOME/.cache/affordd/renders}
OUT=${AFFORDD_HEAD_OUT:-models-default/affordd-default.head.safetensors}
PYTHON=.venv/bin/python
ORIGINAL="mug,cup,knife,spoon,ladle,spatula,brush,hammer,bottle"
ADDED="frying_pan,kettle,screwdriver,scissors"
COUNT_ORIGINAL=${COUNT_ORIGINAL:-480}    # seed 0, two parallel shards
COUNT_ADDED=${COUNT_ADDED:-203}          # seed 1
COUNT_TEST=65                            # seed 2: the held-out set, every category

render() {  # out seed count categories shard
    (cd toolchain && nice "../$PYTHON" -m affordtools.render --out "$1" --seed "$2" --count "$3" \
        --categories "$4" --shard "$5" --spp 8 --median 3 --threads 1)
}
render "$RENDERS/a0" 0 "$COUNT_ORIGINAL" "$ORIGINAL" 0/2 &
render "$RENDERS/a1" 0 "$COUNT_ORIGINAL" "$ORIGINAL" 1/2 &
render "$RENDERS/b0" 1 "$COUNT_ADDED" "$ADDED" 0/1 &
wait
render "$RENDERS/test" 2 "$COUNT_TEST" "$ORIGINAL,$ADDED" 0/1

"$PYTHON" -m affordtools.default_head --models models --train "$RENDERS/a0" "$RENDERS/a1" "$RENDERS/b0" \
    --test "$RENDERS/test" --out "$OUT" --json "${OUT%.head.safetensors}.scores.json"
