"""A SUB peer that subscribes to everything and never reads, until stdin closes.

RCVHWM 1 keeps this process's own queue short; what is left must be held by the
publisher, which SNDHWM bounds.
"""
import argparse
import sys

import zmq

p = argparse.ArgumentParser()
p.add_argument("--endpoint", required=True)
a = p.parse_args()
sock = zmq.Context.instance().socket(zmq.SUB)
sock.setsockopt(zmq.LINGER, 0)
sock.setsockopt(zmq.RCVHWM, 1)
sock.setsockopt(zmq.RCVBUF, 4096)
sock.setsockopt(zmq.SUBSCRIBE, b"")
sock.connect(a.endpoint)
print("connected", flush=True)
sys.stdin.read()
