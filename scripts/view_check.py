"""`make view-check`: headless Chromium opens the live page while `affordd replay` runs.

Drives Chromium over the DevTools protocol (the `websockets` library), waits until the page has
drawn frames, saves a screenshot (docs/live-view.png by default) and checks, inside the page,
that the canvas differs from the raw camera frame where the heatmap is hot and much less where
it is cold. Exits non-zero when the heatmap is not drawn.
"""
import argparse
import asyncio
import base64
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time

from websockets.asyncio.client import connect

# Runs in the page: the visible canvas against the raw frame alone, split by the heatmap's value.
MEASURE = r"""
(() => {
  if (!image || !heat) return null;
  const c = document.getElementById("frame"), w = c.width, h = c.height;
  const shown = c.getContext("2d").getImageData(0, 0, w, h).data;
  const raw = document.createElement("canvas"); raw.width = w; raw.height = h;
  raw.getContext("2d").drawImage(image, 0, 0);
  const plain = raw.getContext("2d").getImageData(0, 0, w, h).data;
  const hm = document.createElement("canvas"); hm.width = w; hm.height = h;
  const hg = hm.getContext("2d"); hg.drawImage(heatCanvas, 0, 0, w, h);
  const alpha = hg.getImageData(0, 0, w, h).data;
  let hot = 0, hotDiff = 0, cold = 0, coldDiff = 0;
  for (let i = 0; i < w * h * 4; i += 4) {
    const d = (Math.abs(shown[i] - plain[i]) + Math.abs(shown[i + 1] - plain[i + 1]) + Math.abs(shown[i + 2] - plain[i + 2])) / 3;
    const a = alpha[i + 3];
    if (a > 200) { hot++; hotDiff += d; } else if (a < 60) { cold++; coldDiff += d; }
  }
  return { width: w, height: h, hot, cold, hotDiff: hot ? hotDiff / hot : 0, coldDiff: cold ? coldDiff / cold : 0,
           marks: marks.length, presence: document.getElementById("presence").children.length };
})()
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_chromium(tool):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        sys.exit(f"{tool}: no chromium (Debian's package `chromium`)")
    return chromium


def start_replay(affordd, log, port, actions, stdout=subprocess.DEVNULL):
    """`affordd replay LOG --http`, returned once its live view listens."""
    process = subprocess.Popen([affordd, "replay", log, "--http", f"127.0.0.1:{port}"] + sum((["--action", a] for a in actions), []),
                               stdout=stdout, stderr=subprocess.PIPE, text=True)
    while "live view" not in (line := process.stderr.readline()):
        if not line:
            sys.exit(f"affordd replay exited before the live view started: {process.stderr.read()}")
    return process


def start_chromium(chromium, url, profile, debug_port=0):
    return subprocess.Popen([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                             f"--user-data-dir={profile}", f"--remote-debugging-port={debug_port}", url],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def cdp(url, out, wait_seconds):
    async with connect(url, max_size=64 << 20) as ws:
        counter = 0

        async def call(method, **params):
            nonlocal counter
            counter += 1
            await ws.send(json.dumps({"id": counter, "method": method, "params": params}))
            while True:
                reply = json.loads(await ws.recv())
                if reply.get("id") == counter:
                    if "error" in reply:
                        raise RuntimeError(f"{method}: {reply['error']}")
                    return reply["result"]

        await call("Emulation.setDeviceMetricsOverride", width=1100, height=560, deviceScaleFactor=1, mobile=False)
        measured = None
        deadline = time.time() + wait_seconds
        while time.time() < deadline:
            await asyncio.sleep(1)
            result = await call("Runtime.evaluate", expression=MEASURE, returnByValue=True)
            measured = result["result"].get("value")
            if measured and measured["marks"] > 0 and measured["presence"] > 0:
                break
        shot = await call("Page.captureScreenshot", format="png")
        with open(out, "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        return measured


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--affordd", default=".build/release/affordd")
    p.add_argument("--log", default="demo/demo.mcap")
    p.add_argument("--out", default="docs/live-view.png")
    p.add_argument("--action", default="hold")
    p.add_argument("--wait", type=float, default=25)
    args = p.parse_args()
    chromium = find_chromium("view-check")
    port, debug_port = free_port(), free_port()
    replay = start_replay(args.affordd, args.log, port, [args.action, "cut"])
    profile = tempfile.mkdtemp(prefix="affordd-view-")
    browser = None
    try:
        browser = start_chromium(chromium, f"http://127.0.0.1:{port}/", profile, debug_port)
        target = None
        for _ in range(100):
            try:
                out = subprocess.run(["curl", "-s", f"http://127.0.0.1:{debug_port}/json"], capture_output=True, text=True).stdout
                target = next((t for t in json.loads(out) if t.get("type") == "page"), None)
                if target:
                    break
            except (json.JSONDecodeError, OSError):
                pass
            time.sleep(0.2)
        if not target:
            sys.exit("view-check: Chromium's DevTools endpoint did not come up")
        measured = asyncio.run(cdp(target["webSocketDebuggerUrl"], args.out, args.wait))
    finally:
        if browser:
            browser.terminate()
        replay.terminate()
        shutil.rmtree(profile, ignore_errors=True)
    print(json.dumps({"screenshot": args.out, **(measured or {})}))
    if not measured or measured["hot"] == 0:
        sys.exit("view-check: the page drew no heatmap")
    if not (measured["hotDiff"] > 20 and measured["hotDiff"] > 3 * measured["coldDiff"]):
        sys.exit(f"view-check: the heatmap is not visible where it is hot ({measured})")
    print("view-check: ok, heatmap drawn over the frame")


if __name__ == "__main__":
    main()
