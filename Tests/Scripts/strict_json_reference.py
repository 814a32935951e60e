"""Independent reference for StrictJSON: Python's json module with the same strictness.

Reads one hex-encoded body per line from stdin and prints, per line, `err` or
`ok <kind> <sorted top-level keys, hex>`; the Swift test compares its parser with this.
The rules are the protocol's: UTF-8 without a BOM, no duplicate keys, no NaN or
Infinity, finite numbers of at most 64 characters, no lone surrogates, depth <= 32.
"""
import json
import math
import sys

MAX_DEPTH = 32
MAX_NUMBER_CHARS = 64


class Refused(ValueError):
    pass


def unique_pairs(pairs):
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise Refused("duplicate key")
    return dict(pairs)


def number(text, convert):
    if len(text) > MAX_NUMBER_CHARS:
        raise Refused("long number")
    value = convert(text)
    if isinstance(value, float) and not math.isfinite(value):
        raise Refused("non-finite")
    return value


def integer(text):
    value = number(text, int)
    # StrictJSON keeps 64-bit integers exact and reads larger ones as doubles.
    if not -(2**63) <= value < 2**63 and not math.isfinite(float(text)):
        raise Refused("non-finite")
    return value


def check(value, depth):
    if isinstance(value, (list, dict)):
        if depth > MAX_DEPTH:
            raise Refused("too deep")
        items = value.values() if isinstance(value, dict) else value
        for key in value if isinstance(value, dict) else ():
            check(key, depth)
        for item in items:
            check(item, depth + 1)
    elif isinstance(value, str) and any(0xD800 <= ord(c) <= 0xDFFF for c in value):
        raise Refused("lone surrogate")


def classify(body: bytes) -> str:
    try:
        text = body.decode("utf-8")
        if text.startswith("\ufeff"):
            return "err"
        value = json.loads(text, object_pairs_hook=unique_pairs, parse_constant=lambda c: (_ for _ in ()).throw(Refused(c)),
                           parse_float=lambda t: number(t, float), parse_int=integer)
        check(value, 1)
    except (ValueError, RecursionError):
        return "err"
    kind = {dict: "object", list: "array", str: "string", bool: "bool", type(None): "null"}.get(type(value), "number")
    # Keys as UTF-8 hex, sorted: one line per body whatever the keys hold.
    keys = ",".join(sorted(k.encode("utf-8").hex() for k in value)) if isinstance(value, dict) else ""
    return f"ok {kind} {keys}".rstrip()


for line in sys.stdin:
    print(classify(bytes.fromhex(line.strip())))
