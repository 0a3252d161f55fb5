#!/usr/bin/env python3
"""Time a terminal UI from the outside, through a real pseudo-terminal.

    bench/tui_latency.py [--runs N] [--size 120x35] [--marker TEXT]
        [--prelude KEYS] [--keys abc] [--jitter MS] [--json] [--tmux] -- CMD ARGS...

It starts CMD on a pty of the given size and reports, over N runs:
  first frame  from the start of the process to the first output that holds
               MARKER (the moment the screen shows it)
  keystroke    from writing each key of KEYS (after the first frame, with the
               output quiet) to the first output byte that follows it: the
               frame that answers the key
  settled      from writing the key to the last byte of the output that
               answers it (before 150 ms of quiet): for a program that paints
               in pieces, when the frame is complete
It prints min and median of each, in milliseconds. Nothing here is specific
to rolecall; the same numbers can be taken for any program.

Before each timed key it waits a random 0 to --jitter milliseconds (default
100) after the output has gone quiet. A program that paints on a frame clock
(Bubble Tea's renderer flushes on a ticker, 120 or 60 times a second) answers
a key at its next tick; the quiet wait alone is a whole number of such
periods (150 ms), so without the jitter every key lands just after a tick and
waits nearly a whole frame: the worst case every time, not what a typist
meets. 100 ms is a whole number of periods at 120, 60 and 30 frames a second,
so the key's phase against the clock is uniform. --jitter 0 gives the old
lock-step timing.

--prelude KEYS are written after the first frame, untimed, before KEYS (for
example "/" to open a filter). --json prints the samples instead, as one JSON
object: {"first frame": [ms, ...], "keystroke": [ms, ...], "settled": [...]}
(what bench/interleave.py --samples reads).

--tmux runs CMD in a pane of a fresh tmux server, driven through a control-
mode client (tmux -C: pane output arrives as %output notifications, keys go
in as send-keys), so the figures include tmux reading the pane and passing
it on, as in a real terminal. The server and its session are up before the
clock starts: the first frame counts from respawning the pane with CMD
(run directly, without a shell) to the %output that holds MARKER; a key
counts from writing its send-keys to the next %output of the pane.
"""
import argparse
import fcntl
import json
import os
import pty
import random
import re
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
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
    """Read until nothing has come for quiet seconds; return when the last
    bytes came (None if none did)."""
    last = None
    while True:
        r, _, _ = select.select([fd], [], [], quiet)
        if not r:
            return last
        try:
            if not os.read(fd, 65536):
                return last
        except OSError:
            return last
        last = time.monotonic()


def one_run(cmd, cols, rows, marker, prelude, keys, env, jitter):
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe(cmd[0], cmd, env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    start = time.monotonic()
    shown, _ = read_until(fd, start + 10, marker.encode())
    first = None if shown is None else (shown - start) * 1000
    lat, settled = [], []
    if shown is not None and keys:
        drain(fd, 0.3)
        for k in prelude:
            os.write(fd, k.encode())
            drain(fd, 0.15)
        for k in keys:
            time.sleep(random.uniform(0, jitter))
            t0 = time.monotonic()
            os.write(fd, k.encode())
            t1, _ = read_until(fd, t0 + 2)
            last = drain(fd, 0.15)
            if t1 is not None:
                lat.append((t1 - t0) * 1000)
                settled.append((max(t1, last or t1) - t0) * 1000)
    stop(pid, fd)
    return first, lat, settled


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


class Control:
    """A tmux control-mode client on a private server: pane output is
    gathered from its %output notifications, commands written to its stdin."""

    OUTPUT = re.compile(rb"^%output (%\d+) (.*)$")

    def __init__(self, cols, rows, env):
        self.dir = tempfile.mkdtemp(prefix="tui-latency-")
        conf = os.path.join(self.dir, "tmux.conf")
        term = "tmux-256color" if subprocess.call(["infocmp", "tmux-256color"], stdout=subprocess.DEVNULL,
                                                   stderr=subprocess.DEVNULL) == 0 else "screen-256color"
        with open(conf, "w") as f:
            f.write('set -g status off\nset -g default-terminal "%s"\nset -g remain-on-exit on\n' % term)
        # The pane waits in cat until the program replaces it.
        self.p = subprocess.Popen(
            ["tmux", "-S", os.path.join(self.dir, "sock"), "-f", conf, "-C",
             "new-session", "-x", str(cols), "-y", str(rows), "cat"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        self.fd = self.p.stdout.fileno()
        self.partial = b""
        self.pane = None
        # Ready once the pane exists and the first command has been answered.
        self.send("display-message -p 'pane=#{pane_id}'")
        deadline = time.monotonic() + 10
        while self.pane is None:
            for line in self.lines(deadline):
                if line.startswith(b"pane=%"):
                    self.pane = line[5:].decode()
            if time.monotonic() > deadline:
                raise RuntimeError("tmux did not start")

    def send(self, command):
        self.p.stdin.write(command.encode() + b"\n")
        self.p.stdin.flush()

    def lines(self, deadline):
        """The notification lines that arrive before deadline; stops early
        after the first read that completes a line."""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return []
            r, _, _ = select.select([self.fd], [], [], left)
            if not r:
                return []
            chunk = os.read(self.fd, 65536)
            if not chunk:
                raise RuntimeError("tmux control client ended")
            data = self.partial + chunk
            *done, self.partial = data.split(b"\n")
            if done:
                return done

    def output(self, deadline, want=None):
        """Wait for pane output (holding want, if given, in what has arrived
        since the call); return the time it came, or None at deadline."""
        buf = b""
        while time.monotonic() < deadline:
            for line in self.lines(deadline):
                m = self.OUTPUT.match(line)
                if not m or m.group(1).decode() != self.pane:
                    continue
                buf += unescape(m.group(2))
                if want is None or want in buf:
                    return time.monotonic()
        return None

    def quiet(self, secs):
        """Read until nothing has come for secs; return when the pane's
        output last came (None if it did not)."""
        last = None
        while True:
            got = self.lines(time.monotonic() + secs)
            if not got:
                return last
            if any(self.OUTPUT.match(line) for line in got):
                last = time.monotonic()

    def close(self):
        try:
            self.send("kill-server")
            self.p.stdin.close()
            self.p.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired, ValueError):
            self.p.kill()
            self.p.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def unescape(b):
    """Undo tmux's escaping of %output data: a backslash and three octal
    digits for each control byte and for the backslash itself."""
    return re.sub(rb"\\([0-7]{3})", lambda m: bytes([int(m.group(1), 8)]), b)


def tmux_quote(word):
    return "'" + word.replace("'", "'\\''") + "'"


def one_run_tmux(cmd, cols, rows, marker, prelude, keys, env, jitter):
    c = Control(cols, rows, env)
    try:
        c.quiet(0.05)
        start = time.monotonic()
        c.send("respawn-pane -k -t %s %s" % (c.pane, " ".join(tmux_quote(w) for w in cmd)))
        shown = c.output(start + 10, marker.encode())
        first = None if shown is None else (shown - start) * 1000
        lat, settled = [], []
        if shown is not None and keys:
            c.quiet(0.3)
            for k in prelude:
                c.send("send-keys -t %s -l %s" % (c.pane, tmux_quote(k)))
                c.quiet(0.15)
            for k in keys:
                time.sleep(random.uniform(0, jitter))
                t0 = time.monotonic()
                c.send("send-keys -t %s -l %s" % (c.pane, tmux_quote(k)))
                t1 = c.output(t0 + 2)
                last = c.quiet(0.15)
                if t1 is not None:
                    lat.append((t1 - t0) * 1000)
                    settled.append((max(t1, last or t1) - t0) * 1000)
        return first, lat, settled
    finally:
        c.close()


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
    ap.add_argument("--prelude", default="")
    ap.add_argument("--jitter", type=float, default=100, help="ms, the most a key waits at random after quiet")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--tmux", action="store_true")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    if not cmd:
        ap.error("no command given")
    cols, rows = (int(x) for x in a.size.split("x"))
    env = dict(os.environ, TERM=os.environ.get("TERM", "xterm-256color"))
    run = one_run_tmux if a.tmux else one_run
    if a.tmux:
        env.pop("TMUX", None)
        if not shutil.which("tmux"):
            ap.error("--tmux: tmux is not installed")
    firsts, keys, settled = [], [], []
    for _ in range(a.runs):
        f, k, st = run(cmd, cols, rows, a.marker, a.prelude, a.keys, env, a.jitter / 1000)
        if f is not None:
            firsts.append(f)
        keys += k
        settled += st
    if a.json:
        out = {"first frame": firsts}
        if a.keys:
            out["keystroke"] = keys
            out["settled"] = settled
        print(json.dumps(out))
        return 0
    print("first frame  " + stats(firsts))
    if a.keys:
        print("keystroke    " + stats(keys))
        print("settled      " + stats(settled))


if __name__ == "__main__":
    sys.exit(main())
