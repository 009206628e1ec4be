#!/usr/bin/env python3
"""Compare two result files of the `trsuite` runner and report every difference.

Two record kinds are understood (detected from the fields of the records):

* unconstrained runs (`trsuite --json FILE`, or `OUT/runs.json`; `RunRecord` in
  problems/src/runner.rs), keyed by (suite, problem, n, solver), value field `f`;
* bounded systems (`OUT/systems.json`; `SystemRunRecord` in problems/src/systems/runner.rs),
  keyed by (problem, n, scaling, rule, start, jacobian), value field `residual_norm`.

For every key present in both files the script compares `termination`, `iterations` and the
exact bits of the value field (serde_json writes f64 so that it round-trips, so equality is
bitwise; NaN, which serde_json writes as null, equals NaN / null). Runs that ended on the time
limit (termination `max_time`) in either file are skipped and counted. Keys present in only one
file are reported as missing.

Usage:
    python3 scripts/compare_runs.py BEFORE.json AFTER.json
    python3 scripts/compare_runs.py --field f_evals BEFORE.json AFTER.json   # compare more
    python3 scripts/compare_runs.py --ignore-field iterations BEFORE.json AFTER.json
    python3 scripts/compare_runs.py --self-test

Exit status: 0 when everything compared is identical and no key is missing, 1 otherwise,
2 on a usage or input error.
"""

import argparse
import json
import math
import os
import struct
import sys
import tempfile

KINDS = {
    "runs": {
        "key": ("suite", "problem", "n", "solver"),
        "fields": ("termination", "iterations", "f"),
    },
    "systems": {
        "key": ("problem", "n", "scaling", "rule", "start", "jacobian"),
        "fields": ("termination", "iterations", "residual_norm"),
    },
}

TIME_LIMIT = "max_time"


class InputError(Exception):
    pass


def detect_kind(records, path):
    """The record kind of a list of records, from the fields of its first record."""
    if not records:
        return None
    first = records[0]
    if not isinstance(first, dict):
        raise InputError(f"{path}: records are not JSON objects")
    for name, spec in KINDS.items():
        if all(k in first for k in spec["key"]):
            # Systems records also have `problem` and `n`; `suite`/`solver` decide for runs.
            return name
    raise InputError(f"{path}: unknown record kind (fields: {', '.join(sorted(first))})")


def load(path):
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError) as e:
        raise InputError(f"{path}: {e}")
    if not isinstance(data, list):
        raise InputError(f"{path}: expected a JSON array of records")
    return data, detect_kind(data, path)


def key_of(rec, kind):
    return tuple(rec.get(k) for k in KINDS[kind]["key"])


def fmt_key(key, kind):
    return " ".join(f"{k}={v}" for k, v in zip(KINDS[kind]["key"], key))


def index(records, kind, path):
    """Records by key; duplicate keys are an input error (the comparison would be ambiguous)."""
    out = {}
    for rec in records:
        k = key_of(rec, kind)
        if k in out:
            raise InputError(f"{path}: duplicate key {fmt_key(k, kind)}")
        out[k] = rec
    return out


def float_bits(x):
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def same(a, b):
    """Exact equality: floats bit for bit (so 0.0 != -0.0), NaN == NaN, null == null.
    serde_json writes NaN and infinities as null, so null also equals a NaN read elsewhere."""
    a_nan = a is None or (isinstance(a, float) and math.isnan(a))
    b_nan = b is None or (isinstance(b, float) and math.isnan(b))
    if a_nan or b_nan:
        return a_nan and b_nan
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        if isinstance(a, int) and isinstance(b, int):
            return a == b
        return float_bits(float(a)) == float_bits(float(b))
    return a == b


def show(v):
    if isinstance(v, float):
        return f"{v!r} (0x{float_bits(v):016x})"
    return json.dumps(v)


def compare(before, after, fields_extra=(), ignore=(), out=sys.stdout):
    """Compares two files; prints the differences and a summary; returns the exit status."""
    recs_a, kind_a = load(before)
    recs_b, kind_b = load(after)
    kind = kind_a or kind_b
    if kind is None:
        print("both files are empty: nothing to compare", file=out)
        return 0
    if kind_a and kind_b and kind_a != kind_b:
        raise InputError(f"record kinds differ: {before} holds {kind_a}, {after} holds {kind_b}")
    fields = [f for f in KINDS[kind]["fields"] if f not in ignore]
    fields += [f for f in fields_extra if f not in fields and f not in ignore]
    ia = index(recs_a, kind, before)
    ib = index(recs_b, kind, after)

    compared = identical = differing = skipped = 0
    lines = []
    for k in sorted(set(ia) & set(ib), key=lambda k: tuple(str(x) for x in k)):
        ra, rb = ia[k], ib[k]
        if ra.get("termination") == TIME_LIMIT or rb.get("termination") == TIME_LIMIT:
            skipped += 1
            continue
        compared += 1
        diffs = []
        for f in fields:
            if f not in ra or f not in rb:
                diffs.append(f"{f}: field missing in {'before' if f not in ra else 'after'}")
            elif not same(ra[f], rb[f]):
                diffs.append(f"{f}: {show(ra[f])} -> {show(rb[f])}")
        if diffs:
            differing += 1
            lines.append(f"DIFF    {fmt_key(k, kind)}: " + "; ".join(diffs))
        else:
            identical += 1
    only_a = sorted(set(ia) - set(ib), key=lambda k: tuple(str(x) for x in k))
    only_b = sorted(set(ib) - set(ia), key=lambda k: tuple(str(x) for x in k))
    for k in only_a:
        lines.append(f"MISSING {fmt_key(k, kind)}: only in {before}")
    for k in only_b:
        lines.append(f"MISSING {fmt_key(k, kind)}: only in {after}")

    for line in lines:
        print(line, file=out)
    print(
        f"{kind}: compared {compared}, identical {identical}, differing {differing}, "
        f"skipped for time {skipped}, missing {len(only_a) + len(only_b)} "
        f"(only before {len(only_a)}, only after {len(only_b)}); fields: {', '.join(fields)}",
        file=out,
    )
    return 1 if differing or only_a or only_b else 0


def self_test():
    import io

    def run(a, b):
        with tempfile.TemporaryDirectory() as d:
            pa, pb = os.path.join(d, "a.json"), os.path.join(d, "b.json")
            for p, recs in ((pa, a), (pb, b)):
                with open(p, "w", encoding="utf-8") as fh:
                    json.dump(recs, fh, allow_nan=False)
            buf = io.StringIO()
            status = compare(pa, pb, out=buf)
            return status, buf.getvalue()

    def rec(problem, solver="steihaug", it=10, f=1.5, term="gradient_tolerance"):
        return {"suite": "mgh", "problem": problem, "n": 2, "solver": solver, "termination": term,
                "converged": True, "iterations": it, "f_evals": it + 1, "f": f, "grad_inf": 1e-7,
                "correct_digits": None, "seconds": 0.01}

    f = 0.1 + 0.2
    f_next = struct.unpack("<d", struct.pack("<Q", float_bits(f) + 1))[0]
    base = [rec("rosenbrock", f=f), rec("beale"), rec("wood"), rec("slow"), rec("gone"),
            rec("nan", f=None)]
    after = [rec("rosenbrock", f=f_next), rec("beale", it=11), rec("wood"),
             rec("slow", it=99, term="max_time"), rec("nan", f=None)]
    status, text = run(base, after)
    checks = [
        (status == 1, "exit status 1"),
        ("DIFF    suite=mgh problem=beale" in text and "iterations: 10 -> 11" in text,
         "changed iteration count detected"),
        ("DIFF    suite=mgh problem=rosenbrock" in text and "f: 0.30000000000000004" in text,
         "changed last bit of f detected"),
        ("problem=slow" not in text and "skipped for time 1" in text, "time-limited run skipped"),
        ("MISSING suite=mgh problem=gone" in text and "missing 1" in text, "missing key reported"),
        ("problem=wood" not in text and "problem=nan" not in text and "identical 2" in text,
         "identical runs (and null == null) not reported"),
        ("compared 4" in text and "differing 2" in text, "summary counts"),
    ]
    status2, text2 = run(base, base)
    checks.append((status2 == 0 and "differing 0" in text2 and "missing 0" in text2,
                   "a file against itself: exit 0"))
    sys_a = [{"problem": "p", "n": 3, "scaling": "cl", "rule": "dogleg", "start": "q1",
              "jacobian": "dense", "termination": "root", "iterations": 5, "residual_norm": 1e-9}]
    sys_b = [dict(sys_a[0], seconds=2.0)]
    sys_c = [dict(sys_a[0], start="q2")]
    s3, t3 = run(sys_a, sys_b)
    s4, t4 = run(sys_a, sys_c)
    checks.append((s3 == 0 and t3.startswith("systems:"), "systems records: identical"))
    checks.append((s4 == 1 and "start=q1 jacobian=dense: only in" in t4
                   and "start=q2 jacobian=dense: only in" in t4,
                   "systems records: key includes the start"))
    checks.append((not same(0.0, -0.0) and same(float("nan"), None) and same(None, None),
                   "bitwise float equality"))
    failed = [name for ok, name in checks if not ok]
    for ok, name in checks:
        print(f"{'ok  ' if ok else 'FAIL'} {name}")
    if failed:
        print("--- output of the first comparison ---\n" + text)
    print(f"self-test: {len(checks) - len(failed)}/{len(checks)} passed")
    return 1 if failed else 0


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("before", nargs="?")
    ap.add_argument("after", nargs="?")
    ap.add_argument("--field", action="append", default=[], metavar="NAME",
                    help="also compare this field (repeatable), e.g. f_evals, g_evals, grad_inf")
    ap.add_argument("--ignore-field", action="append", default=[], metavar="NAME",
                    help="do not compare this field (repeatable), e.g. iterations")
    ap.add_argument("--self-test", action="store_true", help="run the built-in checks")
    args = ap.parse_args(argv)
    if args.self_test:
        return self_test()
    if not args.before or not args.after:
        ap.error("BEFORE and AFTER are required")
    try:
        return compare(args.before, args.after, args.field, args.ignore_field)
    except InputError as e:
        print(f"compare_runs: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
