#!/usr/bin/env python3
"""Runs the reference queries Q1-Q8 of ../shared/bench/queries.json against a dossier store, checks every
answer against the peer's checksums, and prints a Markdown table of our timings beside the peer's.

Usage (after `dossier --db STORE import graph.json` of the generated graph at that scale):
    python3 scripts/bench_queries.py --db /path/to/store --scale 1 [--runs 20] [--bin target/release/dossier]

Each query runs through `dossier query --repeat N`, which opens the store once and times execution only
(parse, plan, execute; printing excluded), like the peer's figures that exclude opening its database.
Checksums follow ../shared/bench/README.md: values as NULL, true/false, decimal integers, YYYY-MM-DD dates,
strings as they are, floats as %.6g; fields joined by TAB, rows by LF; sha256, first 16 hex characters.
"""
import argparse
import collections
import hashlib
import json
import os
import subprocess
import sys


def render(v):
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "%.6g" % v
    if isinstance(v, dict) and len(v) == 1 and "$date" in v:
        return v["$date"]
    if isinstance(v, str):
        return v
    return json.dumps(v)


def sha(lines):
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()[:16]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--scale", default="1")
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--bin", default=os.path.join(here, "..", "target", "release", "dossier"))
    ap.add_argument("--queries", default=os.path.join(here, "..", "..", "shared", "bench", "queries.json"))
    a = ap.parse_args()
    spec = json.load(open(a.queries))
    key = "scale_" + a.scale
    print("| id | rows | answer | our min ms | our median ms | peer median ms | speed-up |")
    print("|---|---|---|---|---|---|---|")
    failed = 0
    for q in spec["queries"]:
        s = q.get(key)
        if s is None:
            continue
        cmd = [a.bin, "--db", a.db, "--read-only", "query", "--format", "jsonl", "--repeat", str(a.runs)]
        for k, v in s["params"].items():
            cmd += ["--param", "%s=%s" % (k, json.dumps(v))]
        cmd.append(q["query"])
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode != 0:
            print("| %s | error | %s | | | %.2f | |" % (q["id"], p.stderr.strip().splitlines()[-1:], s["peer_median_ms"]))
            failed += 1
            continue
        rows = [json.loads(l, object_pairs_hook=collections.OrderedDict) for l in p.stdout.splitlines() if l.strip()]
        lines = ["\t".join(render(v) for v in r.values()) for r in rows]
        ok = sha(lines) == s["sha_ordered"] or sha(sorted(lines)) == s["sha_set"]
        failed += 0 if ok else 1
        t = json.loads(p.stderr.strip().splitlines()[-1])
        print("| %s | %d | %s | %.3f | %.3f | %.2f | %.1fx |" % (
            q["id"], len(rows), "same" if ok else "DIFFERENT", t["min_ms"], t["median_ms"],
            s["peer_median_ms"], s["peer_median_ms"] / max(t["median_ms"], 1e-6)))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
