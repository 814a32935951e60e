"""DEALER/REQ peer: drives every control op, well-formed and malformed, and checks each reply.

The Swift test's handler answers {"handled": op, ...}; this script knows from the
protocol document alone which requests must fail and with which error code.
Prints a JSON summary; exit 1 on the first unexpected reply.
"""
import argparse
import json
import sys

import zmq

OK = [
    ({"op": "status", "id": "s1"}, "status"),
    ({"op": "set_actions", "actions": ["hold", "cut"]}, "set_actions"),
    ({"op": "snapshot"}, "snapshot"),
    ({"op": "snapshot", "camera": "front"}, "snapshot"),
    ({"op": "pause"}, "pause"),
    ({"op": "resume"}, "resume"),
    ({"op": "reload"}, "reload"),
    ({"op": "demonstrate", "action": "hold", "frame": "latest", "keypoints": [[10, 20, 0.9]] * 17}, "demonstrate"),
    ({"op": "clear_demonstrations"}, "clear_demonstrations"),
    ({"op": "clear_demonstrations", "actions": ["hold"]}, "clear_demonstrations"),
    ({"op": "teach", "action": "press", "frame": "latest", "polygon": [[1, 2], [30, 2], [30.5, 40]]}, "teach"),
    ({"op": "teach", "action": "press", "frame": "latest", "points": [[5, 5]], "negative": [[1, 1]]}, "teach"),
    ({"op": "taught"}, "taught"),
    ({"op": "forget"}, "forget"),
    ({"op": "forget", "actions": ["press"]}, "forget"),
]
KEYPOINTS = json.dumps([[10.5, 20, 0.9]] * 17)

BAD = [
    (b"not json", "bad_json"),
    (b"", "bad_json"),
    (b"[1,2]", "bad_request"),
    (b'{"op": "launch_missiles"}', "unknown_op"),
    (b'{"op": "demonstrate"}', "missing_field"),
    (b'{"op": "demonstrate", "action": "hold", "frame": "latest"}', "missing_field"),
    (b'{"op": "demonstrate", "action": "hold", "keypoints": ' + KEYPOINTS.encode() + b'}', "bad_request"),
    (b'{"op": "demonstrate", "action": "hold", "frame": "latest", "keypoints": [[1, 2, 3]]}', "bad_field"),
    (b'{"op": "demonstrate", "action": "hold", "frame": "latest", "keypoints": '
     + json.dumps([[1, 2, "x"]] * 17).encode() + b'}', "bad_field"),
    (b'{"op": "demonstrate", "action": "hold", "frame": "recorded", "keypoints": ' + KEYPOINTS.encode() + b'}',
     "bad_field"),
    (b'{"actions": ["hold"]}', "missing_field"),
    (b'{"op": 7}', "bad_field"),
    (b'{"op": "set_actions"}', "missing_field"),
    (b'{"op": "set_actions", "actions": "hold"}', "bad_field"),
    (b'{"op": "set_actions", "actions": []}', "bad_field"),
    (b'{"op": "set_actions", "actions": ["hold", 3]}', "bad_field"),
    (b'{"op": "set_actions", "actions": ["a/b"]}', "bad_field"),
    (b'{"op": "set_actions", "actions": ["hold", "hold"]}', "bad_field"),
    (b'{"op": "snapshot", "camera": 5}', "bad_field"),
    (b'{"op": "pause", "extra": true}', "unknown_field"),
    (b'{"op": "status", "id": 12}', "bad_field"),
    (b'{"op": "status", "pad": "' + b"x" * 70000 + b'"}', "oversized"),
    (b'{"op": "status"', "bad_json"),
    (b"[" * 5000 + b"]" * 5000, "bad_json"),
    (b'{"op": "fail_me"}', "unknown_op"),
    (b'{"op": "teach", "action": "press", "frame": "latest"}', "missing_field"),
    (b'{"op": "teach", "action": "press", "frame": "latest", "polygon": [[1, 2], [3, 4]]}', "bad_field"),
    (b'{"op": "teach", "action": "press", "frame": "latest", "polygon": [[1, 2], [3, 4], [5, 1e30]]}', "bad_field"),
    (b'{"op": "teach", "action": "press", "frame": "latest", "points": [[1, 1]], "polygon": [[1, 2], [3, 4], [5, 6]]}',
     "bad_field"),
    (b'{"op": "taught", "actions": ["press"]}', "unknown_field"),
]


def fail(message):
    print(json.dumps({"ok": False, "error": message}))
    sys.exit(1)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--endpoint", required=True)
    p.add_argument("--kind", choices=["dealer", "req"], default="dealer")
    a = p.parse_args()
    ctx = zmq.Context.instance()
    sock = ctx.socket(zmq.DEALER if a.kind == "dealer" else zmq.REQ)
    sock.setsockopt(zmq.LINGER, 0)
    sock.setsockopt(zmq.RCVTIMEO, 5000)
    sock.connect(a.endpoint)

    def call(frames):
        sock.send_multipart(frames)
        try:
            reply = sock.recv_multipart()
        except zmq.Again:
            fail(f"no reply to {frames[0][:60]!r}")
        if len(reply) != 1:
            fail(f"reply must be one frame, got {len(reply)}")
        return json.loads(reply[0])

    for request, op in OK:
        reply = call([json.dumps(request).encode()])
        if reply.get("ok") is not True or reply["op"] != op or reply["result"]["handled"] != op:
            fail(f"{request} -> {reply}")
        if reply["id"] != request.get("id"):
            fail(f"id not echoed: {reply}")
        if op == "set_actions" and reply["result"]["actions"] != ["hold", "cut"]:
            fail(f"set_actions arguments lost: {reply}")
        if request.get("camera") and reply["result"]["camera"] != "front":
            fail(f"snapshot camera lost: {reply}")

    for body, code in BAD:
        reply = call([body])
        if reply.get("ok") is not False or reply["error"]["code"] != code or not reply["error"]["reason"]:
            fail(f"{body[:60]!r} expected {code}, got {reply}")

    # Attachment frames are refused by every op but demonstrate, which takes exactly one JPEG.
    reply = call([b'{"op": "status"}', b"\x00\x01"])
    if reply["ok"] is not False or reply["error"]["code"] != "bad_request":
        fail(f"attachment accepted: {reply}")
    jpeg = b"\xff\xd8" + b"\x00" * 5000 + b"\xff\xd9"
    body = json.dumps({"op": "demonstrate", "action": "pour", "keypoints": json.loads(KEYPOINTS)}).encode()
    reply = call([body, jpeg])
    if reply["ok"] is not True or reply["result"]["attachment_bytes"] != len(jpeg) or reply["result"]["action"] != "pour":
        fail(f"demonstrate attachment lost: {reply}")
    reply = call([body, jpeg, jpeg])
    if reply["ok"] is not False or reply["error"]["code"] != "bad_request":
        fail(f"two attachments accepted: {reply}")
    malformed = len(BAD) + 2

    # The handler's own errors come back with their code.
    reply = call([b'{"op": "set_actions", "actions": ["unknown_action"]}'])
    if reply["ok"] is not False or reply["error"]["code"] != "invalid_input" or reply["op"] != "set_actions":
        fail(f"handler error not relayed: {reply}")

    # DEALER only: an empty-delimiter envelope (REQ-style) is answered the same way.
    if a.kind == "dealer":
        sock.send_multipart([b"", b'{"op": "status"}'])
        reply = sock.recv_multipart()
        if len(reply) != 2 or reply[0] != b"" or json.loads(reply[1])["ok"] is not True:
            fail(f"delimited request: {reply}")
    print(json.dumps({"ok": True, "good": len(OK) + 1, "malformed": malformed, "handler_errors": 1}))


main()
