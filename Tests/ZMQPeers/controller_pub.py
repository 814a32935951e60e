"""A controller's PUB socket: binds and repeats broadcast commands until stdin closes.

Each round sends a malformed broadcast, then a good `pause` on afford/control/.
With --curve-public/--curve-secret the PUB is a CURVE server with that key pair.
"""
import argparse
import select
import sys
import time

import zmq

p = argparse.ArgumentParser()
p.add_argument("--endpoint", required=True)
p.add_argument("--curve-public")
p.add_argument("--curve-secret")
a = p.parse_args()
sock = zmq.Context.instance().socket(zmq.PUB)
sock.setsockopt(zmq.LINGER, 0)
if a.curve_secret:
    sock.curve_server = True
    sock.curve_publickey = a.curve_public.encode()
    sock.curve_secretkey = a.curve_secret.encode()
sock.bind(a.endpoint)
print(sock.getsockopt(zmq.LAST_ENDPOINT).decode(), flush=True)
deadline = time.monotonic() + 20
while time.monotonic() < deadline:
    sock.send_multipart([b"afford/control/", b'{"op": "pause", "bogus": 1}'])
    sock.send_multipart([b"afford/control/", b'{"op": "pause", "id": "broadcast-1"}'])
    sock.send_multipart([b"other/topic/", b'{"op": "resume"}'])
    if select.select([sys.stdin], [], [], 0.05)[0]:
        break
