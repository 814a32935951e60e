#!/usr/bin/env python3
"""make soak: affordd run on a looping replay of the demo log re-stamped at 30 fps (the
committed log is a 1 fps slideshow), two subscribers (one never reads), control traffic (valid requests, hostile requests, a reload every minute, by the
`reload` op and SIGHUP in turn), and RSS, open fds and threads sampled throughout.

    .venv/bin/python scripts/soak.py --minutes 30      # make soak SOAK_MINUTES=30
    .venv/bin/python scripts/soak.py --seconds 45      # the CI smoke (make test-soak)

Prints the samples' drift and a JSON last line {"soak": {...}}. Exits 1 when the daemon died,
stopped answering, or (runs of 10 minutes or more) RSS drifted by 5 % or more, or fds or
threads grew. Drift is measured after a warm-up (a tenth of the run, at least 20 s), from the
median of the first three samples to the median of the last three.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import zmq
from mcap.reader import make_reader
from mcap.writer import Writer

REPO = Path(__file__).resolve().parent.parent
SAMPLE_PERIOD = 2.0
RELOAD_PERIOD = 60.0  # shorter runs (the CI smoke) reload three times instead
FRAME_PERIOD_NS = 33_333_333
# COCO-17 keypoints inside the demo's 640x480 frames.
POSE = [[320 + (i % 5) * 10, 100 + i * 15, 0.9] for i in range(17)]
VALID = [
    {"op": "status"},
    {"op": "snapshot"},
    {"op": "snapshot", "camera": "demo"},
    {"op": "set_actions", "actions": ["hold", "cut"]},
    {"op": "set_actions", "actions": ["hold", "cut", "pour"]},
    {"op": "pause"},
    {"op": "resume"},
]
HOSTILE = [
    b"[" * 513,
    b'{"op":"status","x":' + b"[" * 512,
    json.dumps({"op": "demonstrate", "action": "hold", "frame": "latest",
                "keypoints": [[1e30, 1e30, 0.9]] + POSE[1:]}).encode(),
    json.dumps({"op": "demonstrate", "action": "hold", "frame": {"log": "/etc/passwd", "sequence": 0},
                "keypoints": POSE}).encode(),
    b'{"op":"status","op":"frobnicate"}',
    b"\xef\xbb\xbf{\"op\":\"status\"}",
    b'{"op":"status",}',
    b'{"op":"set_actions","actions":["hold","hold"]}',
    b'{"op":"frobnicate"}',
    b"x" * 70_000,
    bytes(range(256)),
    b"",
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_log(folder: Path) -> Path:
    """demo/demo.mcap with its frames 33 ms apart: the JSON stamps (which replay paces by) and log times."""
    path = folder / "soak.mcap"
    with open(REPO / "demo" / "demo.mcap", "rb") as source, open(path, "wb") as sink:
        reader, writer = make_reader(source), Writer(sink)
        writer.start(profile="", library="affordd-soak")
        channels: dict[int, int] = {}
        for index, (schema, channel, message) in enumerate(reader.iter_messages()):
            if channel.id not in channels:
                schema_id = writer.register_schema(schema.name, schema.encoding, schema.data)
                channels[channel.id] = writer.register_channel(channel.topic, channel.message_encoding, schema_id)
            stamp = 1_700_000_000_000_000_000 + index * FRAME_PERIOD_NS
            body = json.loads(message.data)
            body["timestamp"] = {"sec": stamp // 10**9, "nsec": stamp % 10**9}
            writer.add_message(channels[channel.id], stamp, json.dumps(body).encode(), stamp, index)
        writer.finish()
    return path


def write_config(folder: Path, publish: str, control: str) -> Path:
    """config/demo.yaml with absolute paths, the 30 fps log and this run's endpoints."""
    text = (REPO / "config" / "demo.yaml").read_text()
    text = text.replace("replay_log: ../demo/demo.mcap", f"replay_log: {write_log(folder)}")
    text = text.replace("../", f"{REPO}/")
    text = text.replace("endpoints:\n  publish: [tcp://127.0.0.1:5560]",
                        f"endpoints:\n  publish: [{publish}]\n  control: {control}")
    assert control in text and "soak.mcap" in text, "config/demo.yaml changed shape; update soak.py"
    path = folder / "soak.yaml"
    path.write_text(text)
    return path


def sample(pid: int) -> dict:
    status = Path(f"/proc/{pid}/status").read_text()
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    return {"t": time.monotonic(), "rss_kb": int(fields["VmRSS"].split()[0]), "threads": int(fields["Threads"]),
            "fds": len(os.listdir(f"/proc/{pid}/fd"))}


class Reader(threading.Thread):
    """The subscriber that keeps up."""

    def __init__(self, context: zmq.Context, endpoint: str, stop: threading.Event):
        super().__init__(daemon=True)
        self.socket = context.socket(zmq.SUB)
        self.socket.connect(endpoint)
        self.socket.setsockopt(zmq.SUBSCRIBE, b"afford/")
        self.socket.setsockopt(zmq.RCVTIMEO, 500)
        self.stop, self.messages, self.centroids = stop, 0, 0

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                frames = self.socket.recv_multipart()
            except zmq.Again:
                continue
            self.messages += 1
            self.centroids += frames[0].endswith(b"/centroids/")
        self.socket.close(linger=0)


class Controller:
    """A DEALER sending one request at a time; a missing reply counts as unanswered."""

    def __init__(self, context: zmq.Context, endpoint: str):
        self.socket = context.socket(zmq.DEALER)
        self.socket.setsockopt(zmq.RCVTIMEO, 15_000)
        self.socket.setsockopt(zmq.LINGER, 0)
        self.socket.connect(endpoint)
        self.counts = {"sent": 0, "ok": 0, "refused": 0, "unanswered": 0}

    def request(self, body: bytes) -> dict | None:
        self.counts["sent"] += 1
        self.socket.send_multipart([body])
        try:
            reply = json.loads(self.socket.recv())
        except zmq.Again:
            self.counts["unanswered"] += 1
            return None
        self.counts["ok" if reply.get("ok") else "refused"] += 1
        return reply


def drift(samples: list[dict], key: str) -> dict:
    first = statistics.median(s[key] for s in samples[:3])
    last = statistics.median(s[key] for s in samples[-3:])
    values = [s[key] for s in samples]
    return {"start": first, "end": last, "min": min(values), "max": max(values),
            "drift_pct": round(100.0 * (last - first) / first, 2) if first else 0.0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float)
    parser.add_argument("--seconds", type=float)
    parser.add_argument("--affordd", type=Path, default=REPO / ".build" / "release" / "affordd")
    args = parser.parse_args()
    duration = args.seconds if args.seconds is not None else 60.0 * (args.minutes or 1.0)
    warmup = max(20.0, duration / 10)
    strict = duration >= 600
    reload_period = min(RELOAD_PERIOD, duration / 3)

    folder = Path(tempfile.mkdtemp(prefix="affordd-soak-"))
    publish, control = f"tcp://127.0.0.1:{free_port()}", f"tcp://127.0.0.1:{free_port()}"
    config = write_config(folder, publish, control)
    log = open(folder / "affordd.log", "wb")
    daemon = subprocess.Popen([str(args.affordd), "run", "--config", str(config)], stdout=log, stderr=subprocess.STDOUT)
    context = zmq.Context()
    controller = Controller(context, control)
    stop = threading.Event()
    reader = Reader(context, publish, stop)
    reader.start()
    idle = context.socket(zmq.SUB)  # the subscriber that never reads: its queue must stay bounded
    idle.connect(publish)
    idle.setsockopt(zmq.SUBSCRIBE, b"")

    started = time.monotonic()
    while controller.request(b'{"op":"status"}') is None:
        if daemon.poll() is not None or time.monotonic() - started > 120:
            print(f"soak: affordd did not come up; log: {folder / 'affordd.log'}", file=sys.stderr)
            daemon.kill()
            return 1
    print(f"soak: affordd up after {time.monotonic() - started:.1f} s; {duration:.0f} s of traffic, "
          f"sampling every {SAMPLE_PERIOD:.0f} s after a {warmup:.0f} s warm-up", flush=True)

    samples: list[dict] = []
    reloads = {"op": 0, "sighup": 0}
    t0 = time.monotonic()
    next_sample, next_reload, index = t0 + warmup, t0 + reload_period, 0
    while (now := time.monotonic()) - t0 < duration and daemon.poll() is None:
        controller.request(json.dumps(VALID[index % len(VALID)]).encode())
        controller.request(HOSTILE[index % len(HOSTILE)])
        if index % len(HOSTILE) == 0:
            controller.request(json.dumps({"op": "status"}).encode() + b"\x00")
        index += 1
        if now >= next_reload:
            if (reloads["op"] + reloads["sighup"]) % 2 == 0:
                controller.request(b'{"op":"reload"}')
                reloads["op"] += 1
            else:
                daemon.send_signal(signal.SIGHUP)
                reloads["sighup"] += 1
            next_reload += reload_period
        if now >= next_sample:
            samples.append(sample(daemon.pid))
            next_sample += SAMPLE_PERIOD
        time.sleep(0.05)
    alive = daemon.poll() is None
    if alive and len(samples) < 3:
        samples.append(sample(daemon.pid))
    final = controller.request(b'{"op":"status"}') if alive else None
    answering = final is not None
    cameras = (final or {}).get("result") or []
    stop.set()
    reader.join()
    idle.close(linger=0)
    controller.socket.close(linger=0)
    if alive:
        daemon.send_signal(signal.SIGTERM)
        try:
            daemon.wait(timeout=30)
        except subprocess.TimeoutExpired:
            daemon.kill()
    context.term()

    result: dict = {"seconds": round(time.monotonic() - t0, 1), "alive": alive, "answering": answering,
                    "exit_code": daemon.returncode, "requests": controller.counts, "reloads": reloads,
                    "messages_received": reader.messages, "centroid_messages": reader.centroids,
                    "daemon_status": [{key: camera.get(key) for key in ("camera", "state", "frames_captured",
                                       "frames_published", "frames_dropped", "last_error")} for camera in cameras],
                    "samples": len(samples)}
    healthy = alive and answering and controller.counts["unanswered"] == 0
    if len(samples) >= 3:
        for key in ("rss_kb", "fds", "threads"):
            result[key] = drift(samples, key)
            d = result[key]
            print(f"soak: {key:8} start {d['start']:>8} end {d['end']:>8} min {d['min']:>8} max {d['max']:>8} "
                  f"drift {d['drift_pct']:+.2f} %")
        if strict:
            healthy &= abs(result["rss_kb"]["drift_pct"]) < 5
            healthy &= result["fds"]["end"] <= result["fds"]["start"] and result["threads"]["end"] <= result["threads"]["start"]
    print(f"soak: {controller.counts['sent']} requests ({controller.counts['ok']} ok, {controller.counts['refused']} refused, "
          f"{controller.counts['unanswered']} unanswered), reloads {reloads}, {reader.messages} messages received, "
          f"daemon status {result['daemon_status']}; "
          f"daemon {'alive' if alive else 'DIED'}; log {folder / 'affordd.log'}")
    result["passed"] = bool(healthy)
    print(json.dumps({"soak": result}))
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
