#!/usr/bin/env bash
# Rebuilds the committed default head from nothing: render -> features -> train -> export.
# Renders and features go to $AFFORDD_RENDERS (default ~/.cache/affordd/renders), never into git.
# Every job is seeded and resumable; the counts are those the committed head was trained on.
set -euo pipefail
cd "$(dirname "$0")/.."

RENDERS=${AFFORDD_RENDERS:-$HOME/.cache/affordd/renders}
OUT=${AFFORDD_HEAD_OUT:-models-default/affordd-default.head.safetensors}
PYTHON=.venv/bin/python
COUNT_TRAIN=${COUNT_TRAIN:-5200}   # seed 10: 400 per category, two parallel shards
COUNT_TEST=${COUNT_TEST:-130}      # seed 11: the held-out set, 10 per category
STAGE=${1:-all}                    # `render` stops after rendering

render() {  # out seed count shard
    (cd toolchain && nice "../$PYTHON" -m affordtools.render --out "$1" --seed "$2" --count "$3" \
        --shard "$4" --spp 8 --median 3 --threads 1)
}
render "$RENDERS/train10-0" 10 "$COUNT_TRAIN" 0/2 &   # one folder per shard: one writer per index
render "$RENDERS/train10-1" 10 "$COUNT_TRAIN" 1/2 &
wait
render "$RENDERS/test11" 11 "$COUNT_TEST" 0/1
[ "$STAGE" = render ] && exit 0

"$PYTHON" -m affordtools.default_head --models models --train "$RENDERS/train10-0" "$RENDERS/train10-1" \
    --test "$RENDERS/test11" --out "$OUT" --json "${OUT%.head.safetensors}.scores.json"
