"""A Foxglove WebSocket client written from the public ws-protocol v1 spec, independent of affordd.

Reads {"url", "camera", "action"} on stdin. Connects with subprotocol foxglove.websocket.v1, checks
serverInfo and advertise, subscribes to the camera's image, one heatmap and the annotations,
decodes messageData frames against the advertised JSON schemas, sends bad requests (they must
come back as status errors), unsubscribes, and then opens a client that never reads.
Prints one JSON line: {"ok": true, ...} or {"ok": false, "error": ...}.
"""
import asyncio
import base64
import json
import struct
import sys

import numpy as np

from websockets.asyncio.client import connect

SUBPROTOCOL = "foxglove.websocket.v1"


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def conforms(value, schema, path="$"):
    """The JSON-schema keywords the advertised schemas use: type, properties, items, minimum/maximum."""
    kind = schema.get("type")
    if kind == "object":
        check(isinstance(value, dict), f"{path}: expected an object")
        for key, sub in schema.get("properties", {}).items():
            check(key in value, f"{path}: missing {key}")
            conforms(value[key], sub, f"{path}.{key}")
    elif kind == "array":
        check(isinstance(value, list), f"{path}: expected an array")
        for index, item in enumerate(value):
            conforms(item, schema.get("items", {}), f"{path}[{index}]")
    elif kind == "integer":
        check(isinstance(value, int) and not isinstance(value, bool), f"{path}: expected an integer")
        check(value >= schema.get("minimum", value) and value <= schema.get("maximum", value), f"{path}: out of range")
    elif kind == "number":
        check(isinstance(value, (int, float)) and not isinstance(value, bool), f"{path}: expected a number")
    elif kind == "string":
        check(isinstance(value, str), f"{path}: expected a string")
        if schema.get("contentEncoding") == "base64":
            base64.b64decode(value, validate=True)


async def next_json(ws, op, timeout=10):
    """The next text message with this op (binary messages in between are skipped)."""
    while True:
        message = await asyncio.wait_for(ws.recv(), timeout)
        if isinstance(message, str):
            body = json.loads(message)
            if body.get("op") == op:
                return body


async def main(args):
    url, camera, action = args["url"], args["camera"], args["action"]
    summary = {}
    async with connect(url, subprotocols=[SUBPROTOCOL], max_size=64 << 20) as ws:
        check(ws.subprotocol == SUBPROTOCOL, f"server chose subprotocol {ws.subprotocol!r}")
        info = await next_json(ws, "serverInfo")
        check(isinstance(info.get("name"), str) and isinstance(info.get("capabilities"), list), f"bad serverInfo {info}")
        depth_topic = f"/affordd/{camera}/depth"
        wanted = {f"/affordd/{camera}/image": None, f"/affordd/{camera}/heatmap/{action}": None,
                  f"/affordd/{camera}/annotations": None}
        if args.get("depth"):
            wanted[depth_topic] = None
        schemas = {}
        while any(v is None for v in wanted.values()):
            advertise = await next_json(ws, "advertise")
            for channel in advertise["channels"]:
                check({"id", "topic", "encoding", "schemaName", "schema"} <= channel.keys(), f"bad channel {channel}")
                check(channel["encoding"] == "json", f"unexpected encoding {channel['encoding']}")
                schemas[channel["id"]] = (channel["schemaName"], json.loads(channel["schema"]))
                if channel["topic"] in wanted:
                    wanted[channel["topic"]] = channel["id"]
        topics = list(wanted)
        subscriptions = {index + 10: wanted[topic] for index, topic in enumerate(topics)}
        await ws.send(json.dumps({"op": "subscribe", "subscriptions": [
            {"id": sub, "channelId": channel} for sub, channel in subscriptions.items()]}))

        seen = {}
        while len(seen) < len(subscriptions) or min(seen.values()) < 2:
            message = await asyncio.wait_for(ws.recv(), 15)
            if isinstance(message, str):
                continue
            check(message[0] == 0x01, f"opcode {message[0]}")
            sub, stamp = struct.unpack_from("<IQ", message, 1)
            check(sub in subscriptions, f"messageData for unknown subscription {sub}")
            check(stamp > 1_600_000_000 * 10**9, f"timestamp {stamp} is not wall-clock ns")
            name, schema = schemas[subscriptions[sub]]
            body = json.loads(message[13:])
            conforms(body, schema)
            if name == "foxglove.RawImage" and subscriptions[sub] == wanted.get(depth_topic):
                check(body["encoding"] == "16UC1" and body["step"] == 2 * body["width"], f"depth {body['encoding']}")
                millimetres = np.frombuffer(base64.b64decode(body["data"]), "<u2")
                check(millimetres.size == body["width"] * body["height"], "depth size")
                summary["depth_mm"] = int(millimetres[0])
            elif name == "foxglove.RawImage":
                check(body["encoding"] == "mono8", "heatmap not mono8")
                check(len(base64.b64decode(body["data"])) == body["step"] * body["height"], "heatmap size")
            if name == "foxglove.CompressedImage":
                check(base64.b64decode(body["data"])[:2] == b"\xff\xd8", "image is not a JPEG")
            seen[sub] = seen.get(sub, 0) + 1
        summary["messages"] = sum(seen.values())

        # Bad requests come back as status errors, and the connection stays usable.
        for bad in ['{"op":"subscribe","subscriptions":[{"id":99,"channelId":4000000}]}',
                    '{"op":"subscribe","subscriptions":[{"id":10,"channelId":%d}]}' % subscriptions[10],
                    '{"op":"subscribe","subscriptions":[{"id":-1,"channelId":1}]}',
                    '{"op":"unsubscribe","subscriptionIds":[1e30]}', 'not json', '[1,2]']:
            await ws.send(bad)
            status = await next_json(ws, "status")
            check(status.get("level") == 2, f"{bad!r} gave {status}")
        summary["refused"] = 6

        # After unsubscribing from the heatmap, none of its messages. The server handles a client's
        # requests in order, so once the reply to a request sent after the unsubscribe is here,
        # everything still arriving was sent after the unsubscribe took effect.
        heatmap_sub = 11
        await ws.send(json.dumps({"op": "unsubscribe", "subscriptionIds": [heatmap_sub]}))
        await ws.send('{"op":"marker"}')
        status = await next_json(ws, "status")
        check(status.get("level") == 1, f"the marker gave {status}")
        late = 0
        others = 0
        deadline = asyncio.get_running_loop().time() + 1.5
        while asyncio.get_running_loop().time() < deadline:
            try:
                message = await asyncio.wait_for(ws.recv(), 0.5)
            except asyncio.TimeoutError:
                continue
            if isinstance(message, bytes):
                sub = struct.unpack_from("<I", message, 1)[0]
                late += sub == heatmap_sub
                others += sub != heatmap_sub
        check(late == 0, f"{late} heatmap messages after unsubscribe")
        check(others > 0, "the other subscriptions stopped too")
        summary["after_unsubscribe"] = others

    # A client that subscribes and never reads: the websockets library stops reading its socket
    # once max_queue messages wait, so the server's writes back up. It must drop, not grow.
    stalled = await connect(url, subprotocols=[SUBPROTOCOL], max_size=64 << 20, max_queue=1)
    await stalled.recv()
    await stalled.send(json.dumps({"op": "subscribe", "subscriptions": [
        {"id": sub, "channelId": channel} for sub, channel in subscriptions.items()]}))
    print(json.dumps({"stalled": True}), flush=True)
    await asyncio.sleep(args.get("stall_seconds", 4))
    await stalled.close()
    summary["ok"] = True
    return summary


if __name__ == "__main__":
    try:
        print(json.dumps(asyncio.run(main(json.load(sys.stdin)))))
    except Exception as error:  # the Swift test shows the reason
        print(json.dumps({"ok": False, "error": f"{type(error).__name__}: {error}"}))
