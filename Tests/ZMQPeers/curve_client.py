"""CURVE peer: tries the control ROUTER or the PUB socket with given keys.

--mode listed|unlisted use the given/new client key pair; --mode plain uses no security.
Prints {"outcome": "answered"|"refused"}: answered means a reply (ROUTER) or a
message (PUB) arrived within --wait seconds.
"""
import argparse
import json

import zmq


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--endpoint", required=True)
    p.add_argument("--socket", choices=["dealer", "sub"], default="dealer")
    p.add_argument("--mode", choices=["listed", "unlisted", "plain"], required=True)
    p.add_argument("--server-key")
    p.add_argument("--client-public")
    p.add_argument("--client-secret")
    p.add_argument("--wait", type=float, default=2.0)
    a = p.parse_args()
    sock = zmq.Context.instance().socket(zmq.DEALER if a.socket == "dealer" else zmq.SUB)
    sock.setsockopt(zmq.LINGER, 0)
    if a.mode != "plain":
        if a.mode == "listed":
            public, secret = a.client_public.encode(), a.client_secret.encode()
        else:
            public, secret = zmq.curve_keypair()
        sock.curve_serverkey = a.server_key.encode()
        sock.curve_publickey = public
        sock.curve_secretkey = secret
    if a.socket == "sub":
        sock.setsockopt(zmq.SUBSCRIBE, b"")
    sock.connect(a.endpoint)
    if a.socket == "dealer":
        sock.send(b'{"op": "status"}')
    answered = sock.poll(int(a.wait * 1000)) != 0
    print(json.dumps({"outcome": "answered" if answered else "refused"}))


main()
