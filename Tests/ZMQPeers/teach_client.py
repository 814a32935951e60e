"""pyzmq peer for `teach`, `taught` and `forget` against a running `affordd run` (camera "demo").

    python teach_client.py teach   CONTROL_PORT PUBLISH_PORT CONTROLLER_PORT
    python teach_client.py restart CONTROL_PORT PUBLISH_PORT

Written from docs/PROTOCOL.md alone. `teach` phase: teaches "press" over the ROUTER, waits for
its heatmap on the PUB, refuses bad markings without changing anything, teaches a second frame
through the controller PUB (a broadcast), fills the action to its frame limit and checks the
refusal past it. `restart` phase (a new daemon on the same state directory): "press" is still
taught and published; `forget` removes it. Prints a JSON list of problems (empty: all good).
"""
import json
import sys
import time

import zmq

POLYGON = [[250, 180], [390, 180], [390, 300], [250, 300]]


def main():
    phase, control, publish = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    ctx = zmq.Context()
    dealer = ctx.socket(zmq.DEALER)
    dealer.setsockopt(zmq.RCVTIMEO, 20000)
    dealer.setsockopt(zmq.LINGER, 0)
    dealer.connect(f"tcp://127.0.0.1:{control}")
    sub = ctx.socket(zmq.SUB)
    sub.setsockopt(zmq.SUBSCRIBE, b"afford/demo/heatmap/press/")
    sub.setsockopt(zmq.RCVTIMEO, 20000)
    sub.connect(f"tcp://127.0.0.1:{publish}")
    problems = []

    def ask(body):
        dealer.send(json.dumps(body).encode())
        return json.loads(dealer.recv())

    def check(condition, what):
        if not condition:
            problems.append(what)

    def frames_taught():
        reply = ask({"op": "taught"})
        entries = {entry["action"]: entry["frames"] for entry in reply["result"]["taught"]} if reply["ok"] else {}
        return entries.get("press", 0)

    def press_published():
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                topic, header, _ = sub.recv_multipart()
            except zmq.Again:
                break
            body = json.loads(header)
            if topic == b"afford/demo/heatmap/press/" and body["action"] == "press":
                return True
        return False

    # Wait until the camera has a frame ("latest" needs one).
    deadline = time.time() + 60
    while time.time() < deadline:
        status = ask({"op": "status"})
        if status["ok"] and status["result"][0]["frames_captured"] > 0:
            break
        time.sleep(0.2)
    source = status["result"][0]["source"] if status["ok"] else None
    check(source is not None and source.startswith("log ") and source.endswith("demo/demo.mcap"), f"status source: {status}")

    if phase == "teach":
        controller = int(sys.argv[4])
        reply = ask({"op": "teach", "action": "press", "frame": "latest", "polygon": POLYGON, "id": "t1"})
        check(reply["ok"] and reply["id"] == "t1", f"teach: {reply}")
        if reply["ok"]:
            result = reply["result"]
            check(result["action"] == "press" and result["frames"] == 1 and result["taught"] == ["press"], f"teach result: {result}")
            check(result["width"] == 640 and result["height"] == 480 and result["views"] >= 1, f"teach frame: {result}")
            check(result["adapt_ms"] > 0, f"adapt_ms: {result}")  # reported, not timed: README has the numbers
        check(press_published(), "no heatmap for the taught action 'press'")
        listing = ask({"op": "taught"})
        entry = next((e for e in listing["result"]["taught"] if e["action"] == "press"), {}) if listing["ok"] else {}
        # A new action borrows the head action whose map was closest to the marking.
        check(isinstance(entry.get("partner"), str) and entry["partner"], f"taught entry without a partner: {entry}")

        # Bad markings: clear errors, nothing changes.
        for body, code, words in [
            ({"polygon": [[-5, 10], [100, 10], [100, 100]]}, "invalid_input", "outside"),
            ({"polygon": [[10, 10], [20, 20], [30, 30]]}, "invalid_input", "no area"),
            ({"polygon": [[10, 10], [20, 20]]}, "bad_field", "polygon"),
            ({"polygon": POLYGON, "points": [[5, 5]]}, "bad_field", "not both"),
            ({"points": [[5, 5]], "camera": "rear"}, "invalid_input", "unknown camera"),
            ({"polygon": [[1e30, 0], [1, 0], [0, 1]]}, "bad_field", "finite"),
            ({}, "missing_field", "polygon"),
        ]:
            request = {"op": "teach", "action": "press", "frame": "latest", **body}
            reply = ask(request)
            check(not reply["ok"] and reply["error"]["code"] == code and words in reply["error"]["reason"],
                  f"{body}: {reply}")
        check(frames_taught() == 1, "a refused teach changed the taught frames")

        # The same op as a broadcast from a controller PUB.
        pub = ctx.socket(zmq.PUB)
        pub.bind(f"tcp://127.0.0.1:{controller}")
        body = json.dumps({"op": "teach", "action": "press", "frame": "latest",
                           "points": [[320, 240]], "negative": [[20, 20], [620, 460]]}).encode()
        deadline = time.time() + 20
        while frames_taught() < 2 and time.time() < deadline:
            pub.send_multipart([b"afford/control/teach", body])  # a slow joiner misses the first ones
            time.sleep(0.5)
        check(frames_taught() == 2, "the broadcast teach did not arrive")
        while frames_taught() < 2 + 64:  # bounded; stops at the limit
            reply = ask({"op": "teach", "action": "press", "frame": "latest", "polygon": POLYGON})
            if not reply["ok"]:
                check(reply["error"]["code"] == "invalid_input" and "frames are taught already" in reply["error"]["reason"],
                      f"past the limit: {reply}")
                break
        limit = ask({"op": "taught"})["result"]["maximum_frames"]
        check(frames_taught() == limit, f"frames {frames_taught()} after the limit {limit}")
    elif phase == "restart":
        reply = ask({"op": "taught"})
        check(reply["ok"] and [entry["action"] for entry in reply["result"]["taught"]] == ["press"], f"after restart: {reply}")
        check(press_published(), "the taught action is not published after a restart")
        reply = ask({"op": "forget", "actions": ["press"]})
        check(reply["ok"] and reply["result"] == {"removed": ["press"], "taught": []}, f"forget: {reply}")
        check(ask({"op": "taught"})["result"]["taught"] == [], "forgotten action still listed")
    print(json.dumps(problems))


if __name__ == "__main__":
    main()
