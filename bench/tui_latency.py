#!/usr/bin/env python3
"""Time a terminal UI from the outside, through a real pseudo-terminal.

    bench/tui_latency.py [--runs N] [--size 120x35] [--marker TEXT] [--keys abc] -- CMD ARGS...

It starts CMD on a pty of the given size and reports, over N runs:
  first frame  from the start of the process to the first output that holds
               MARKER (the moment the screen shows it)
  keystroke    from writing each key of KEYS (after the first frame, with the
               output quiet) to the first output byte that follows it: the
               frame that answers the key
It prints min and median of each, in milliseconds. Nothing here is specific
to rolecall; the same numbers can be taken for any program.
"""
import argparse
import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time


def read_until(fd, deadline, want=None, buf=b""):
    """Read from fd until want is in what was read (or, with want None, until
    the first bytes arrive); return (time it happened, bytes) or (None, buf)."""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None, buf
        r, _, _ = select.select([fd], [], [], left)
        if not r:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            return None, buf
        if not chunk:
            return None, buf
        buf += chunk
        if want is None or want in buf:
            return time.monotonic(), buf


def drain(fd, quiet):
    """Read until nothing has come for quiet seconds."""
    while True:
        r, _, _ = select.select([fd], [], [], quiet)
        if not r:
            return
        try:
            if not os.read(fd, 65536):
                return
        except OSError:
            return


def one_run(cmd, cols, rows, marker, keys, env):
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe(cmd[0], cmd, env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    start = time.monotonic()
    shown, _ = read_until(fd, start + 10, marker.encode())
    first = None if shown is None else (shown - start) * 1000
    lat = []
    if shown is not None and keys:
        drain(fd, 0.3)
        for k in keys:
            t0 = time.monotonic()
            os.write(fd, k.encode())
            t1, _ = read_until(fd, t0 + 2)
            if t1 is not None:
                lat.append((t1 - t0) * 1000)
            drain(fd, 0.15)
    stop(pid, fd)
    return first, lat


def stop(pid, fd):
    """End the program, reading what it writes meanwhile: a program that
    restores the terminal as it exits would block on a full pty."""
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 3
    while True:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            break
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            deadline += 3
        drain(fd, 0.02)
    os.close(fd)


def stats(xs):
    xs = sorted(xs)
    if not xs:
        return "n/a"
    return "min %.1f  median %.1f  (n=%d)" % (xs[0], xs[len(xs) // 2], len(xs))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--size", default="120x35")
    ap.add_argument("--marker", default="PROFILE")
    ap.add_argument("--keys", default="")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    cols, rows = (int(x) for x in a.size.split("x"))
    env = dict(os.environ, TERM=os.environ.get("TERM", "xterm-256color"))
    firsts, keys = [], []
    for _ in range(a.runs):
        f, k = one_run(cmd, cols, rows, a.marker, a.keys, env)
        if f is not None:
            firsts.append(f)
        keys += k
    print("first frame  " + stats(firsts))
    if a.keys:
        print("keystroke    " + stats(keys))


if __name__ == "__main__":
    sys.exit(main())
