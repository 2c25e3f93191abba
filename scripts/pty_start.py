#!/usr/bin/env python3
"""Times a dossier shell's start in a pseudo-terminal: from launch to the `dossier>` prompt.

Usage: python3 scripts/pty_start.py target/release/dossier --db STORE --read-only repl --no-history

Prints the seconds until the banner and the prompt appeared, and until the shell had left after Ctrl-D.
(benches/repl_startup.rs does the same with criterion's machinery; this is the quick check.)
"""
import os
import pty
import select
import sys
import time


def main(args):
    t0 = time.time()
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["NO_COLOR"] = "1"
        os.execv(args[0], args)
    buf = b""
    marks = {}
    while True:
        ready, _, _ = select.select([fd], [], [], 30)
        if not ready:
            break
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        buf += data
        if b"nodes" in buf and "banner" not in marks:
            marks["banner"] = time.time() - t0
        if b"dossier>" in buf:
            marks["prompt"] = time.time() - t0
            break
    os.write(fd, b"\x04")
    os.waitpid(pid, 0)
    marks["exit"] = time.time() - t0
    print({k: round(v, 3) for k, v in marks.items()})


if __name__ == "__main__":
    main(sys.argv[1:])
