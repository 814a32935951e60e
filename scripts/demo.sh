#!/usr/bin/env bash
# make demo: replay the demo log through affordd's pipeline, print the centroids a
# pyzmq subscriber receives, and write overlay PNGs to a folder it names at the end.
# Anything missing is named instead of pretended.
set -euo pipefail
cd "$(dirname "$0")/.."

LOG=${AFFORDD_DEMO_LOG:-demo/demo.mcap}
CONFIG=${AFFORDD_DEMO_CONFIG:-config/demo.yaml}
OUT=${AFFORDD_DEMO_OUT:-out/demo-overlays}
AFFORDD=.build/release/affordd
PYTHON=.venv/bin/python; [ -x "$PYTHON" ] || PYTHON=python3

for need in "$LOG" "$CONFIG" "$AFFORDD"; do
    if [ ! -e "$need" ]; then
        echo "demo: missing $need (make demo-log rebuilds the log, make release the binary)" >&2
        exit 1
    fi
done
head=$(sed -n 's/^ *head: *//p' "$CONFIG" | head -1)
if [ ! -f "config/$head" ] && [ ! -f "$head" ]; then
    echo "demo: the head named in $CONFIG ($head) is missing" >&2
    exit 1
fi

rm -rf "$OUT"
mkdir -p "$OUT"
endpoint=$(sed -n 's/^ *publish: *\[\([^],]*\).*/\1/p' "$CONFIG" | head -1)

# The subscriber prints one line per centroids message and stops when the daemon goes quiet.
ready="$OUT/.subscriber-ready"
"$PYTHON" - "$endpoint" "$ready" <<'PY' &
import json, sys, zmq
socket = zmq.Context().socket(zmq.SUB)
socket.setsockopt(zmq.RECONNECT_IVL, 10)  # the daemon binds later; retry often so frame 1 is not missed
socket.connect(sys.argv[1])
socket.setsockopt(zmq.SUBSCRIBE, b"afford/")
socket.setsockopt(zmq.RCVTIMEO, 15000)
open(sys.argv[2], "w").close()  # tells demo.sh the subscription is in place
count = 0
try:
    while True:
        frames = socket.recv_multipart()
        topic = frames[0].decode()
        if not topic.endswith("/centroids/"):
            continue
        message = json.loads(frames[1])
        parts = []
        presence = message.get("presence", {})
        for action, components in sorted(message.get("actions", {}).items()):
            best = components[0] if components else None
            where = f"({best['u']:.0f},{best['v']:.0f})" if best else "absent"
            odds = f" p={presence[action]:.2f}" if presence.get(action) is not None else ""
            parts.append(f"{action} {where}{odds}")
        print(f"subscriber: {topic} seq {message.get('seq')}: " + ", ".join(parts), flush=True)
        count += 1
except zmq.Again:
    pass
print(f"subscriber: received {count} centroid messages", flush=True)
PY
subscriber=$!
for _ in $(seq 300); do [ -e "$ready" ] && break; sleep 0.1; done  # python starts slowly on a busy machine
rm -f "$ready"
sleep 1  # let the subscription reach the publisher before frames flow

"$AFFORDD" replay "$LOG" --config "$CONFIG" --overlay-dir "$OUT"
wait "$subscriber" || true
echo "demo: overlays written to $OUT ($(find "$OUT" -name '*.png' | wc -l) files)"
echo "demo: to watch it live, run '$AFFORDD replay $LOG --config $CONFIG --http 127.0.0.1:8080' and open http://127.0.0.1:8080/ (or Foxglove on ws://127.0.0.1:8080)"
