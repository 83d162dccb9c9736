#!/usr/bin/python3
"""An encoder and decoder for telemetry tests that shares nothing with the
TypeScript codec: Python's cbor2 (Debian python3-cbor2).

Reads one JSON object on stdin:
  {"decode": [HEX, ...], "encode": [VALUE, ...]}
and prints one JSON object:
  {"decoded": [VALUE, ...], "encoded": [HEX, ...]}

VALUE is JSON with tags for what JSON cannot say, so that a map keyed by
integers is not confused with one keyed by strings and a float is not
confused with an integer:
  {"map": [[key, value], ...]}   a CBOR map, entries in wire order
  {"float": x}                   a CBOR float
  {"int": "123"}                 an integer beyond 2^53
  {"bytes": "hex"}               a byte string
Anything else (int, str, bool, null, list) is itself.
"""
import io
import json
import sys

import cbor2


def tag(x):
    if isinstance(x, dict):
        return {"map": [[tag(k), tag(v)] for k, v in x.items()]}
    if isinstance(x, (list, tuple)):
        return [tag(i) for i in x]
    if isinstance(x, bool) or x is None or isinstance(x, str):
        return x
    if isinstance(x, int):
        return x if abs(x) <= 2**53 else {"int": str(x)}
    if isinstance(x, float):
        return {"float": x}
    if isinstance(x, bytes):
        return {"bytes": x.hex()}
    raise TypeError(f"cannot tag {type(x).__name__}")


def untag(x):
    if isinstance(x, dict):
        if set(x) == {"map"}:
            return {untag(k): untag(v) for k, v in x["map"]}
        if set(x) == {"float"}:
            return float(x["float"])
        if set(x) == {"int"}:
            return int(x["int"])
        if set(x) == {"bytes"}:
            return bytes.fromhex(x["bytes"])
        raise ValueError(f"unknown tag {sorted(x)}")
    if isinstance(x, list):
        return [untag(i) for i in x]
    return x


def decode_all(h):
    data = bytes.fromhex(h)
    fp = io.BytesIO(data)
    value = cbor2.CBORDecoder(fp).decode()
    if fp.tell() != len(data):
        raise ValueError(f"{len(data) - fp.tell()} trailing bytes")
    return tag(value)


req = json.load(sys.stdin)
json.dump({
    "decoded": [decode_all(h) for h in req.get("decode", [])],
    "encoded": [cbor2.dumps(untag(v)).hex() for v in req.get("encode", [])],
}, sys.stdout)
