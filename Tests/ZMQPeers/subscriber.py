"""SUB peer: receives heatmaps and centroids from the Swift publisher and checks them.

Exit 0 and a JSON summary on stdout when `--frames` complete frames arrived intact.
"""
import argparse
import json
import sys
import time

import numpy as np
import zmq

import expected


def fail(message):
    print(json.dumps({"ok": False, "error": message}))
    sys.exit(1)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--endpoint", required=True)
    p.add_argument("--camera", required=True)
    p.add_argument("--actions", required=True)
    p.add_argument("--encoding", default="mono8")
    p.add_argument("--width", type=int, required=True)
    p.add_argument("--height", type=int, required=True)
    p.add_argument("--frames", type=int, default=3)
    p.add_argument("--timeout", type=float, default=15)
    a = p.parse_args()
    actions = a.actions.split(",")

    sock = zmq.Context.instance().socket(zmq.SUB)
    sock.setsockopt(zmq.LINGER, 0)
    sock.setsockopt(zmq.SUBSCRIBE, f"afford/{a.camera}/".encode())
    sock.connect(a.endpoint)
    print("connected", file=sys.stderr, flush=True)

    frames = {}  # seq -> set of parts seen
    complete = []
    deadline = time.monotonic() + a.timeout
    while len(complete) < a.frames:
        if time.monotonic() > deadline:
            fail(f"timed out with {len(complete)} complete frames")
        if not sock.poll(200):
            continue
        parts = sock.recv_multipart()
        topic = parts[0].decode()
        if not topic.endswith("/"):
            fail(f"topic without trailing slash: {topic}")
        if topic == f"afford/{a.camera}/status/":
            continue
        header = json.loads(parts[1])
        seq = header["seq"]
        if header["version"] != 1 or header["camera"] != a.camera:
            fail(f"bad version/camera: {header}")
        if header["frame_width"] != a.width or header["frame_height"] != a.height:
            fail("bad frame size")
        for key in ("t_capture_mono_ns", "t_publish_wall_ns", "t_capture_wall_ns", "model_id"):
            if key not in header:
                fail(f"missing {key}")
        if abs(header["t_publish_wall_ns"] / 1e9 - time.time()) > 5:
            fail("t_publish_wall_ns is not wall time")
        if topic == f"afford/{a.camera}/centroids/":
            if len(parts) != 2:
                fail("centroids message must have 2 frames")
            if sorted(header["actions"]) != sorted(actions):
                fail(f"centroids actions {header['actions'].keys()}")
            for index, action in enumerate(actions):
                if header["actions"][action] != [expected.centroid(index, seq)]:
                    fail(f"centroids for {action}: {header['actions'][action]}")
            want = {action: expected.presence(index, seq) for index, action in enumerate(actions)}
            if header.get("presence") != want:
                fail(f"presence {header.get('presence')}, expected {want}")
            frames.setdefault(seq, set()).add("centroids")
        else:
            action = topic.split("/")[3]
            if topic != f"afford/{a.camera}/heatmap/{action}/" or action not in actions:
                fail(f"unexpected topic {topic}")
            index = actions.index(action)
            if len(parts) != 3 or header["action"] != action:
                fail("heatmap message must be [topic, header, pixels]")
            width, height = header["width"], header["height"]
            if (width, height) != (a.width, a.height) or header["encoding"] != a.encoding:
                fail(f"bad heatmap header {header}")
            if header["is_bigendian"] != 0:
                fail("big-endian payload")
            if header["centroids"] != [expected.centroid(index, seq)]:
                fail(f"header centroids {header['centroids']}")
            if "presence" not in header or header["presence"] != expected.presence(index, seq):
                fail(f"header presence {header.get('presence', 'missing')}")
            values = expected.heatmap(width, height, index, seq)
            if a.encoding == "mono8":
                if header["step"] != width:
                    fail("mono8 step")
                got = np.frombuffer(parts[2], dtype=np.uint8).reshape(height, header["step"])[:, :width]
                if not np.array_equal(got, expected.mono8(values)):
                    fail(f"mono8 pixels differ at {np.argwhere(got != expected.mono8(values))[:5].tolist()}")
            else:
                if header["step"] != width * 4:
                    fail("32FC1 step")
                got = np.frombuffer(parts[2], dtype="<f4").reshape(height, width)
                if not np.array_equal(got, values, equal_nan=True):
                    fail("32FC1 pixels differ")
            frames.setdefault(seq, set()).add(action)
        if frames.get(seq) == set(actions) | {"centroids"} and seq not in complete:
            complete.append(seq)
    print(json.dumps({"ok": True, "complete": complete}))


main()
