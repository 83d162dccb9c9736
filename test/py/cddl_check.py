#!/usr/bin/python3
"""Check CBOR payloads against a CDDL file (RFC 8610), independently of the
TypeScript encoder: payloads are decoded with cbor2 (Debian python3-cbor2).

No CDDL validator is packaged for Debian, and the npm `cddl` package only
validates JSON (text map keys), so this is a small validator for the subset
docs/telemetry.cddl uses:

  rules            name = type            name = ( group )
  types            choices a / b, ranges lo..hi and lo...hi, integer and text
                   literals, maps { }, arrays [ ], parenthesised types,
                   controls .size (n) and .size (lo..hi) on tstr/bstr
  prelude          any uint nint int float bool true false nil null tstr text bstr bytes
  group entries    occurrence ? * + n*m, keys  type =>  and  bareword:,
                   group names and ( group ) inlined, optional commas

Maps are closed: a key no entry accounts for is an error. Anything outside
the subset is a parse error, never silently accepted.

usage: cddl_check.py SCHEMA.cddl RULE PAYLOAD-FILE...
prints one JSON object per payload: {"file", "ok", "error"?}; exit status 0
if the schema parsed (whatever the payloads' verdicts), 2 if it did not.
"""
import io
import json
import re
import sys

import cbor2

TOKEN = re.compile(r"""
    (?P<ws>\s+|;[^\n]*)
  | (?P<str>"(?:[^"\\]|\\.)*")
  | (?P<num>-?(?:0x[0-9a-fA-F]+|\d+(?:\.\d+)?))
  | (?P<ctl>\.[a-z][a-z0-9-]*)
  | (?P<range>\.\.\.|\.\.)
  | (?P<id>[A-Za-z@_$](?:[A-Za-z0-9@_$.-]*[A-Za-z0-9@_$])?)
  | (?P<arrow>=>)
  | (?P<gchoice>//)
  | (?P<p>[=/(){}\[\],:?*+])
""", re.VERBOSE)


class CddlError(Exception):
    pass


def tokenize(text):
    toks, pos = [], 0
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m:
            line = text.count("\n", 0, pos) + 1
            raise CddlError(f"line {line}: cannot read {text[pos:pos + 20]!r}")
        kind = m.lastgroup
        if kind != "ws":
            toks.append((kind, m.group(), text.count("\n", 0, pos) + 1))
        pos = m.end()
    toks.append(("eof", "", -1))
    return toks


class Parser:
    def __init__(self, text):
        self.toks = tokenize(text)
        self.i = 0

    def peek(self, k=0):
        return self.toks[self.i + k]

    def next(self):
        t = self.toks[self.i]
        self.i += 1
        return t

    def expect(self, value):
        t = self.next()
        if t[1] != value:
            raise CddlError(f"line {t[2]}: expected {value!r}, got {t[1]!r}")
        return t

    def rules(self):
        rules = {}
        while self.peek()[0] != "eof":
            name = self.next()
            if name[0] != "id":
                raise CddlError(f"line {name[2]}: expected a rule name, got {name[1]!r}")
            if self.peek()[1] != "=":
                raise CddlError(f"line {name[2]}: expected '=' after {name[1]} (generics and /= are not supported)")
            self.next()
            if name[1] in rules:
                raise CddlError(f"line {name[2]}: rule {name[1]} defined twice")
            rules[name[1]] = self.rule_body()
        return rules

    def rule_body(self):
        # `name = ( ... )` is a group when it has keys or several entries; else a parenthesised type.
        if self.peek()[1] == "(":
            save = self.i
            self.next()
            group = self.group(")")
            self.expect(")")
            at_rule_end = self.peek()[0] == "eof" or (self.peek()[0] == "id" and self.peek(1)[1] == "=")
            if at_rule_end and not (len(group) == 1 and group[0]["key"] is None and group[0]["occ"] == (1, 1)):
                return ("group", group)
            self.i = save
        return self.type_()

    def type_(self):
        choices = [self.type1()]
        while self.peek()[1] == "/":
            self.next()
            choices.append(self.type1())
        return choices[0] if len(choices) == 1 else ("choice", choices)

    def type1(self):
        t = self.type2()
        if self.peek()[0] == "range":
            op = self.next()[1]
            hi = self.type2()
            return ("range", t, hi, op == "..")
        if self.peek()[0] == "ctl":
            op = self.next()[1]
            if op != ".size":
                raise CddlError(f"control {op} is not supported")
            return ("size", t, self.type2())
        return t

    def type2(self):
        kind, val, line = self.next()
        if kind == "num":
            if "." in val:
                raise CddlError(f"line {line}: float literals are not supported")
            return ("lit", int(val, 0))
        if kind == "str":
            return ("lit", json.loads(val))
        if kind == "id":
            return ("ref", val)
        if val == "(":
            t = self.type_()
            self.expect(")")
            return t
        if val == "{":
            g = self.group("}")
            self.expect("}")
            return ("map", g)
        if val == "[":
            g = self.group("]")
            self.expect("]")
            return ("array", g)
        raise CddlError(f"line {line}: unexpected {val!r}")

    def group(self, close):
        entries = []
        while self.peek()[1] != close:
            if self.peek()[0] == "gchoice":
                raise CddlError(f"line {self.peek()[2]}: group choices (//) are not supported")
            entries.append(self.entry())
            if self.peek()[1] == ",":
                self.next()
        return entries

    def entry(self):
        occ = (1, 1)
        t = self.peek()
        if t[1] == "?":
            self.next(); occ = (0, 1)
        elif t[1] == "+":
            self.next(); occ = (1, None)
        elif t[1] == "*":
            self.next(); occ = (0, None)
        elif t[0] == "num" and self.peek(1)[1] == "*":
            lo = int(self.next()[1]); self.next()
            hi = int(self.next()[1]) if self.peek()[0] == "num" else None
            occ = (lo, hi)
        # bareword: / value: keys
        if self.peek()[0] in ("id", "str", "num") and self.peek(1)[1] == ":":
            kind, val, _ = self.next()
            self.next()
            key = ("lit", json.loads(val) if kind == "str" else int(val, 0) if kind == "num" else val)
            return {"occ": occ, "key": key, "val": self.type_(), "bare": kind == "id"}
        if self.peek()[1] == "(":
            save = self.i
            self.next()
            g = self.group(")")
            self.expect(")")
            if self.peek()[1] not in ("=>", "/", "..", "..."):
                return {"occ": occ, "key": None, "val": ("group", g)}
            self.i = save
        t1 = self.type1()
        if self.peek()[1] == "=>":
            self.next()
            return {"occ": occ, "key": t1, "val": self.type_()}
        return {"occ": occ, "key": None, "val": t1}


class Invalid(Exception):
    pass


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


PRELUDE = {
    "any": lambda v: True,
    "uint": lambda v: is_int(v) and v >= 0,
    "nint": lambda v: is_int(v) and v < 0,
    "int": is_int,
    "float": lambda v: isinstance(v, float),
    "bool": lambda v: isinstance(v, bool),
    "true": lambda v: v is True,
    "false": lambda v: v is False,
    "nil": lambda v: v is None,
    "null": lambda v: v is None,
    "tstr": lambda v: isinstance(v, str),
    "text": lambda v: isinstance(v, str),
    "bstr": lambda v: isinstance(v, bytes),
    "bytes": lambda v: isinstance(v, bytes),
}


def show(v):
    s = repr(v)
    return s if len(s) <= 60 else s[:57] + "..."


class Validator:
    def __init__(self, rules):
        self.rules = rules
        for name, body in rules.items():
            self.check_refs(body, name)

    def check_refs(self, node, where):
        if isinstance(node, list):
            for e in node:
                if e.get("key") is not None and not e.get("bare"):
                    self.check_refs(e["key"], where)
                self.check_refs(e["val"], where)
            return
        kind = node[0]
        if kind == "ref" and node[1] not in self.rules and node[1] not in PRELUDE:
            raise CddlError(f"rule {where}: unknown name {node[1]}")
        if kind in ("map", "array", "group"):
            self.check_refs(node[1], where)
        elif kind == "choice":
            for c in node[1]:
                self.check_refs(c, where)
        elif kind in ("range", "size"):
            self.check_refs(node[1], where)
            self.check_refs(node[2], where)

    def resolve(self, node):
        while node[0] == "ref" and node[1] in self.rules:
            node = self.rules[node[1]]
        return node

    def literal(self, node):
        node = self.resolve(node)
        if node[0] != "lit":
            raise CddlError(f"expected a literal, got {node[0]}")
        return node[1]

    def match(self, node, v, path):
        kind = node[0]
        if kind == "ref":
            if node[1] in self.rules:
                body = self.rules[node[1]]
                if body[0] == "group":
                    raise CddlError(f"{path}: group {node[1]} used as a type")
                return self.match(body, v, path)
            if not PRELUDE[node[1]](v):
                raise Invalid(f"{path}: expected {node[1]}, got {show(v)}")
            return
        if kind == "lit":
            same_type = (is_int(v) and is_int(node[1])) or (isinstance(v, str) and isinstance(node[1], str))
            if not same_type or v != node[1]:
                raise Invalid(f"{path}: expected {node[1]!r}, got {show(v)}")
            return
        if kind == "choice":
            errors = []
            for c in node[1]:
                try:
                    return self.match(c, v, path)
                except Invalid as e:
                    errors.append(str(e))
            # Report the alternative that got furthest into the value: for a
            # message of a known kind that is the real reason, not "kind != 1".
            deepest = max(errors, key=lambda m: len(m.split(": ", 1)[0]))
            raise Invalid(f"{path}: no choice matches; closest: {deepest}")
        if kind == "range":
            lo, hi = self.literal(node[1]), self.literal(node[2])
            ok = is_int(v) and lo <= v and (v <= hi if node[3] else v < hi)
            if not ok:
                raise Invalid(f"{path}: expected {lo}{'..' if node[3] else '...'}{hi}, got {show(v)}")
            return
        if kind == "size":
            self.match(node[1], v, path)
            if not isinstance(v, (str, bytes)):
                raise CddlError(f"{path}: .size on a non-string type is not supported")
            n = len(v.encode()) if isinstance(v, str) else len(v)
            arg = self.resolve(node[2])
            if arg[0] == "range":
                lo, hi = self.literal(arg[1]), self.literal(arg[2])
                ok = lo <= n and (n <= hi if arg[3] else n < hi)
            else:
                # RFC 8610 §3.8.1: on a text or byte string an integer size is its exact length.
                ok = n == self.literal(arg)
            if not ok:
                raise Invalid(f"{path}: size {n} outside the allowed size")
            return
        if kind == "map":
            return self.match_map(self.flatten(node[1]), v, path)
        if kind == "array":
            return self.match_array(self.flatten(node[1]), v, path)
        raise CddlError(f"{path}: cannot match {kind}")

    def flatten(self, group):
        out = []
        for e in group:
            val = e["val"]
            if e["key"] is None and val[0] == "ref" and val[1] in self.rules and self.rules[val[1]][0] == "group":
                if e["occ"] != (1, 1):
                    raise CddlError("occurrence on an inlined group is not supported")
                out.extend(self.flatten(self.rules[val[1]][1]))
            elif e["key"] is None and val[0] == "group":
                out.extend(self.flatten(val[1]))
            else:
                out.append(e)
        return out

    def match_map(self, entries, v, path):
        if not isinstance(v, dict):
            raise Invalid(f"{path}: expected a map, got {show(v)}")
        left = dict(v)
        fixed = [e for e in entries if e["key"] is not None and (e.get("bare") or self.resolve(e["key"])[0] == "lit")]
        typed = [e for e in entries if e not in fixed]
        for e in fixed:
            k = e["key"][1] if e.get("bare") else self.literal(e["key"])
            hit = [x for x in left if x == k and (is_int(x) == is_int(k))]
            if not hit:
                if e["occ"][0] > 0:
                    raise Invalid(f"{path}: missing key {k!r}")
                continue
            self.match(e["val"], left.pop(hit[0]), f"{path}.{k}")
        for e in typed:
            if e["key"] is None:
                raise CddlError(f"{path}: map entry without a key")
            n = 0
            for k in list(left):
                try:
                    self.match(e["key"], k, f"{path}[key {show(k)}]")
                except Invalid:
                    continue
                self.match(e["val"], left.pop(k), f"{path}.{k}")
                n += 1
            lo, hi = e["occ"]
            if n < lo or (hi is not None and n > hi):
                raise Invalid(f"{path}: {n} entries where {lo}..{hi if hi is not None else '*'} are allowed")
        if left:
            raise Invalid(f"{path}: unexpected key(s) {', '.join(show(k) for k in left)}")

    def match_array(self, entries, v, path):
        if not isinstance(v, list):
            raise Invalid(f"{path}: expected an array, got {show(v)}")
        i = 0
        for e in entries:
            lo, hi = e["occ"]
            n = 0
            while i < len(v) and (hi is None or n < hi):
                try:
                    self.match(e["val"], v[i], f"{path}[{i}]")
                except Invalid:
                    if n < lo:
                        raise
                    break
                i += 1
                n += 1
            if n < lo:
                raise Invalid(f"{path}: expected at least {lo} item(s) at index {i}, array has {len(v)}")
        if i < len(v):
            raise Invalid(f"{path}: unexpected item at index {i}: {show(v[i])}")


def decode_strict(data):
    fp = io.BytesIO(data)
    value = cbor2.CBORDecoder(fp).decode()
    rest = fp.read()
    if rest:
        raise Invalid(f"{len(rest)} byte(s) after the CBOR item")
    return value


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip().splitlines()[-4], file=sys.stderr)
        return 2
    schema, rule, files = argv[0], argv[1], argv[2:]
    try:
        with open(schema, encoding="utf-8") as f:
            validator = Validator(Parser(f.read()).rules())
        if rule not in validator.rules:
            raise CddlError(f"no rule {rule} in {schema}")
    except CddlError as e:
        print(json.dumps({"schema_error": str(e)}))
        return 2
    for name in files:
        with open(name, "rb") as f:
            data = f.read()
        try:
            value = decode_strict(data)
            validator.match(("ref", rule), value, rule)
            print(json.dumps({"file": name, "ok": True}))
        except (Invalid, cbor2.CBORDecodeError, UnicodeDecodeError) as e:
            print(json.dumps({"file": name, "ok": False, "error": str(e)}))
        except CddlError as e:
            print(json.dumps({"schema_error": str(e)}))
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
