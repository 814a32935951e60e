#!/usr/bin/env python3
"""Stands in for `affordd-bench engine-server` in tests: the same line protocol, fixed answers.

FAKE_SERVER_MODE: ok | crash (dies before ready) | garbage (answers `run` with non-JSON).
FAKE_SERVER_LOG: a file that receives argv and every command, one a line.
"""

import json
import os
import sys

mode = os.environ.get("FAKE_SERVER_MODE", "ok")
log = open(os.environ["FAKE_SERVER_LOG"], "a") if "FAKE_SERVER_LOG" in os.environ else None


def note(line: str) -> None:
    if log:
        log.write(line + "\n")
        log.flush()


note(" ".join(sys.argv[1:]))
if mode == "crash":
    print("engine-server: cannot open models/dinov2_vits14.int8.safetensors", file=sys.stderr)
    sys.exit(3)
print("loading...", file=sys.stderr)
print(json.dumps({"ready": True}), flush=True)
for line in sys.stdin:
    command = line.split()
    note(line.strip())
    if command[:1] == ["run"]:
        precision, count = command[1], int(command[2])
        size, batch = (int(command[3]), int(command[4])) if len(command) == 5 else (224, 1)
        if mode == "garbage":
            print("oops, not json", flush=True)
            continue
        ms = {"int8": 10.0, "fp32": 20.0}[precision] * batch * (size / 224) ** 2
        print(json.dumps({"precision": precision, "size": size, "batch": batch,
                          "ms": [ms + 0.01 * (i % 2) for i in range(count)]}), flush=True)
    elif command == ["cosine"]:
        print(json.dumps({"cosine_mean": 0.995, "cosine_min": 0.97}), flush=True)
    elif command[:1] == ["reference"]:
        print(json.dumps({"cosine_mean": 0.999, "cosine_min": 0.99, "images": 3}), flush=True)
    elif command[:1] == ["floor"]:
        size = int(command[1])
        print(json.dumps({"macs": 6.0e9 * (size / 224) ** 2, "peak_gops": 1000.0, "floor_ms": 12.0 * (size / 224) ** 2}),
              flush=True)
    elif command == ["quit"]:
        break
