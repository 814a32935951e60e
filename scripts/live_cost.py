"""`make bench-live`: what the live view costs the pipeline.

Replays a 300-frame 640x480 30 fps log (`affordd-bench pipeline --write-log`) through
`affordd replay --http`, alternating: no client attached, and one Foxglove client (subscribed
to every channel of the camera, reading as fast as it can) plus the live page in headless
Chromium. Prints the replay summaries and, last, one JSON line with medians per case.
"""
import argparse
import asyncio
import json
import shutil
import statistics
import subprocess
import tempfile
import threading

from websockets.asyncio.client import connect

from view_check import find_chromium, free_port, start_chromium, start_replay

ACTIONS = ["hold", "cut", "scoop", "open", "lift"]


def foxglove_reader(url, stop, counts):
    async def run():
        async with connect(url, subprotocols=["foxglove.websocket.v1"], max_size=64 << 20) as ws:
            subscribed = set()
            while not stop.is_set():
                try:
                    message = await asyncio.wait_for(ws.recv(), 0.5)
                except asyncio.TimeoutError:
                    continue
                if isinstance(message, str):
                    body = json.loads(message)
                    if body.get("op") == "advertise":
                        fresh = [c["id"] for c in body["channels"] if c["id"] not in subscribed]
                        subscribed.update(fresh)
                        await ws.send(json.dumps({"op": "subscribe",
                                                  "subscriptions": [{"id": c, "channelId": c} for c in fresh]}))
                else:
                    counts["messages"] += 1
                    counts["bytes"] += len(message)
    try:
        asyncio.run(run())
    except Exception as error:  # the replay ended and closed the socket
        counts["end"] = type(error).__name__


def replay(affordd, log, attach, chromium):
    port = free_port()
    process = start_replay(affordd, log, port, ACTIONS, stdout=subprocess.PIPE)
    stop, counts, reader, browser, profile = threading.Event(), {"messages": 0, "bytes": 0}, None, None, None
    if attach:
        reader = threading.Thread(target=foxglove_reader, args=(f"ws://127.0.0.1:{port}/", stop, counts))
        reader.start()
        profile = tempfile.mkdtemp(prefix="affordd-live-cost-")
        browser = start_chromium(chromium, f"http://127.0.0.1:{port}/", profile)
    summary = json.loads(process.stdout.read().strip().splitlines()[-1])
    process.wait()
    stop.set()
    if reader:
        reader.join()
    if browser:
        browser.terminate()
        browser.wait()
        shutil.rmtree(profile, ignore_errors=True)
    summary["foxglove_messages"] = counts["messages"]
    summary["foxglove_mib"] = round(counts["bytes"] / 2**20, 1)
    return summary


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--affordd", default=".build/release/affordd")
    p.add_argument("--bench", default=".build/release/affordd-bench")
    p.add_argument("--rounds", type=int, default=2)
    args = p.parse_args()
    chromium = find_chromium("bench-live")
    with tempfile.TemporaryDirectory() as directory:
        log = f"{directory}/live.mcap"
        subprocess.run([args.bench, "pipeline", "--write-log", log], check=True, stdout=subprocess.DEVNULL)
        runs = {"none": [], "clients": []}
        for _ in range(args.rounds):
            for case in runs:
                summary = replay(args.affordd, log, case == "clients", chromium)
                print(case, json.dumps(summary), flush=True)
                runs[case].append(summary)
    result = {case: {key: statistics.median(s[key] for s in summaries)
                     for key in ("fps", "latency_p50_ms", "latency_p99_ms", "frames_dropped", "foxglove_messages", "foxglove_mib")}
              for case, summaries in runs.items()}
    result["fps_ratio"] = round(result["clients"]["fps"] / result["none"]["fps"], 3) if result["none"]["fps"] else None
    print(json.dumps(result))


if __name__ == "__main__":
    main()
