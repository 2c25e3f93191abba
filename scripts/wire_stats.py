#!/usr/bin/env python3
"""Validate and count a CoNLL-2003-style IOB2 file (tests/extract/wire/*.tsv).

Checks: every line is `token<TAB>tag` with a non-empty token and no spaces;
tags are O or B-/I- over PER, ORG, LOC, MISC; no I- tag without a preceding
B-/I- of the same type in the same sentence; the file starts with
-DOCSTART-; every -DOCSTART- line is followed by a blank line; no sentence is
empty. Prints documents, sentences, tokens and entities per type.
Exit status 1 if any check fails.
Usage: wire_stats.py FILE [FILE ...]
"""
import sys
from collections import Counter

TYPES = ("PER", "ORG", "LOC", "MISC")


def check(path):
    errors = []
    docs = sents = toks = 0
    ents = Counter()
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    prev = "O"
    in_sent = False
    first_content = True
    expect_blank = False
    for n, line in enumerate(lines, 1):
        if line == "":
            if in_sent:
                sents += 1
            in_sent = False
            expect_blank = False
            prev = "O"
            continue
        if expect_blank:
            errors.append(f"{path}:{n}: -DOCSTART- not followed by a blank line")
            expect_blank = False
        parts = line.split("\t")
        if len(parts) != 2:
            errors.append(f"{path}:{n}: expected token<TAB>tag, got {line!r}")
            continue
        tok, tag = parts
        if tok == "-DOCSTART-":
            if in_sent:
                errors.append(f"{path}:{n}: -DOCSTART- inside a sentence")
            if tag != "O":
                errors.append(f"{path}:{n}: -DOCSTART- tag must be O")
            docs += 1
            first_content = False
            expect_blank = True
            continue
        if first_content:
            errors.append(f"{path}:{n}: file does not start with -DOCSTART-")
            first_content = False
        if not tok.strip() or tok != tok.strip() or " " in tok:
            errors.append(f"{path}:{n}: empty token or token with spaces {tok!r}")
        if tag != "O":
            if len(tag) < 3 or tag[:2] not in ("B-", "I-") or tag[2:] not in TYPES:
                errors.append(f"{path}:{n}: bad tag {tag!r}")
                tag = "O"
            elif tag.startswith("I-") and (prev == "O" or prev[2:] != tag[2:]):
                errors.append(f"{path}:{n}: {tag} after {prev} (IOB2 violation)")
        if tag.startswith("B-"):
            ents[tag[2:]] += 1
        toks += 1
        in_sent = True
        prev = tag
    if in_sent:
        sents += 1
    return errors, docs, sents, toks, ents


def main(paths):
    bad = False
    for p in paths:
        errors, docs, sents, toks, ents = check(p)
        for e in errors:
            print(e, file=sys.stderr)
        bad |= bool(errors)
        core = sum(ents[t] for t in ("PER", "ORG", "LOC"))
        print(f"{p}: {docs} documents, {sents} sentences, {toks} tokens; entities "
              + ", ".join(f"{t} {ents[t]}" for t in TYPES)
              + f"; PER+ORG+LOC {core}; all {sum(ents.values())}"
              + ("" if not errors else f"; {len(errors)} ERRORS"))
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: wire_stats.py FILE [FILE ...]")
    sys.exit(main(sys.argv[1:]))
