#!/usr/bin/env python3
"""Build the CoNLL-style wire eval files from their compact annotated sources.

Source format (tests/extract/wire/src/*.src), one sentence per line, tokens
separated by spaces, already in CoNLL tokenisation:
  - a line `=====` starts a new document (written as `-DOCSTART-\tO`);
  - an entity is its tokens joined by `_` with `|TYPE` appended, TYPE one of
    P (PER), O (ORG), L (LOC), M (MISC): `Bill_Clinton|P`, `U.S.|L`;
  - lines starting with `#` are comments; blank lines are ignored.
Usage: wire_build.py SRC OUT
"""
import sys

TYPES = {"P": "PER", "O": "ORG", "L": "LOC", "M": "MISC"}


def convert(src_path, out_path):
    out = []
    docs = 0
    with open(src_path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line == "=====":
                out.append("-DOCSTART-\tO\n\n")
                docs += 1
                continue
            if docs == 0:
                sys.exit(f"{src_path}:{lineno}: text before the first =====")
            rows = []
            for tok in line.split():
                if "|" in tok:
                    words, _, t = tok.rpartition("|")
                    if t not in TYPES or not words:
                        sys.exit(f"{src_path}:{lineno}: bad entity token {tok!r}")
                    parts = words.split("_")
                    if any(not p for p in parts):
                        sys.exit(f"{src_path}:{lineno}: empty part in {tok!r}")
                    for i, p in enumerate(parts):
                        rows.append(f"{p}\t{'B' if i == 0 else 'I'}-{TYPES[t]}")
                else:
                    if "_" in tok:
                        sys.exit(f"{src_path}:{lineno}: '_' outside an entity in {tok!r}")
                    rows.append(f"{tok}\tO")
            out.append("\n".join(rows) + "\n\n")
    with open(out_path, "w", encoding="utf-8") as f:
        f.write("".join(out))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: wire_build.py SRC OUT")
    convert(sys.argv[1], sys.argv[2])
