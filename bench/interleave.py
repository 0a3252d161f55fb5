#!/usr/bin/env python3
"""Time several commands side by side, interleaved, and print one table.

    bench/interleave.py [--runs N] [--budget SECONDS] [--title TEXT]
        --cmd NAME COMMAND [--prepare SHELL] [--expect TEXT] [--min-lines N]
        --cmd NAME COMMAND ...
        [--pair NAME_A NAME_B] [--note TEXT]
        [--probe SHELL [--probe-require KEY] [--probe-label TEXT]]

    bench/interleave.py --samples [--title TEXT] [--unit ms] NAME FILE [NAME FILE ...]

COMMAND is split like a shell line (shlex) and run directly, without a shell;
leading NAME=VALUE words set its environment, as they would in a shell.
PREPARE is shell code run (by bash, untimed) before every run of the command,
with the same environment: the place to wipe a cache for a cold start.

It first runs every command once, capturing its output: a command that exits
non-zero, or whose output lacks an --expect text or has fewer than
--min-lines lines, is reported (its stderr shown once, escaped) and left out.
That is also the warm-up round. Then it runs the commands round-robin for N
rounds (A B C A B C ...), so that the drift of a busy machine hits every
column alike, timing each run with time.perf_counter around subprocess, with
stdin, stdout and stderr on /dev/null, and reading os.wait4's rusage. A run
that exits non-zero fails its column.

Peak RSS: Linux counts, in a child's ru_maxrss, the memory of the process it
was started from (the high-water mark of the address space that exec
replaced), so every child of this Python process reports at least this
process's own ~14 MiB. With GNU time installed (/usr/bin/time), the RSS column
comes instead from untimed runs under it (whose children start from a 1 MiB
process): the check run and, for a command that got all its rounds, two more;
without it, from wait4, marked with a floor.

A command whose warm-up run took long may get fewer rounds (never fewer than
3): each command spends at most --budget seconds (default 60) in timed runs.

Printed per command: min and median wall time in ms; ratio, the median over
the rounds of its time divided by the first command's time in the same
round; the median peak RSS in MiB; and the number of timed runs. --pair A B
adds the median per-round ratio A / B below the table, and a note gives the
floor: what /bin/true takes through the same harness.

--probe SHELL is run before and after each command's check run and prints a
JSON object of counters (bench/tlsproxy's /.tlsproxy/stats, for example);
what one run added to each counter is shown under the table. With
--probe-require KEY, a command whose run left KEY unchanged is left out: it
did not do the work the table is about (it did not go through the proxy).

--samples prints the same table from samples taken elsewhere (bench/
tui_latency.py --json): each FILE holds one JSON object per line, one line
per round, mapping a metric name to a list of milliseconds. A round's value
is the median of its list; ratios pair the rounds of each command with the
first command's.

Standard library only.
"""
import json
import os
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

GNU_TIME = "/usr/bin/time"
ASSIGN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


class Cmd:
    def __init__(self, name, line):
        self.name = name
        words = shlex.split(line)
        self.env = {}
        while words and ASSIGN.match(words[0]):
            k, v = words.pop(0).split("=", 1)
            self.env[k] = v
        if not words:
            raise SystemExit("interleave: --cmd %s has no command" % name)
        self.argv = words
        self.prepare = None
        self.expect = []
        self.min_lines = 0
        self.times = {}  # round -> seconds
        self.rss = []  # KiB
        self.failed = None
        self.rounds = None
        self.check_rss = None

    def environ(self):
        e = dict(os.environ)
        e.update(self.env)
        return e


def clean(text):
    """Escape control characters, so that a program's stderr cannot drive
    the terminal this is printed on."""
    out = []
    for ch in text:
        o = ord(ch)
        if ch in "\n\t":
            out.append(ch)
        elif o < 0x20 or o == 0x7F or 0x80 <= o < 0xA0 or ch in "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069":
            out.append("\\x%02x" % o if o < 0x100 else "\\u%04x" % o)
        else:
            out.append(ch)
    return "".join(out)


def prepare(cmd):
    if cmd.prepare:
        subprocess.run(["bash", "-c", cmd.prepare], env=cmd.environ(), check=True,
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)


def timed(cmd):
    """One run: (seconds, peak RSS KiB, exit code)."""
    prepare(cmd)
    env = cmd.environ()
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd.argv, env=env, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    t1 = time.perf_counter()
    p.returncode = os.waitstatus_to_exitcode(status)
    return t1 - t0, ru.ru_maxrss, p.returncode


def gnu_time_rss(cmd):
    """Peak RSS in KiB of one untimed run under GNU time, or None."""
    prepare(cmd)
    with tempfile.NamedTemporaryFile("r") as out:
        code = subprocess.call([GNU_TIME, "-f", "%M", "-o", out.name] + cmd.argv, env=cmd.environ(),
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        lines = out.read().split()
    if code != 0 or not lines or not lines[-1].isdigit():
        return None
    return int(lines[-1])


def check(cmd):
    """The warm-up run, with output captured: None if it did the work,
    else why not. Its stdout is never printed (it may hold credentials)."""
    prepare(cmd)
    argv = cmd.argv
    rss = None
    if os.access(GNU_TIME, os.X_OK):
        rss = tempfile.NamedTemporaryFile("r")
        argv = [GNU_TIME, "-f", "%M", "-o", rss.name] + argv
    t0 = time.perf_counter()
    try:
        p = subprocess.run(argv, env=cmd.environ(), stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as e:
        return str(e), 0
    took = time.perf_counter() - t0
    if rss is not None:
        words = rss.read().split()
        rss.close()
        if p.returncode == 0 and words and words[-1].isdigit():
            cmd.check_rss = int(words[-1])
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    if p.returncode != 0:
        return "exit status %d; stderr:\n%s" % (p.returncode, indent(err)), took
    for want in cmd.expect:
        if want not in out:
            return "its output lacks %r; stderr:\n%s" % (want, indent(err)), took
    lines = out.count("\n")
    if lines < cmd.min_lines:
        return "its output has %d lines, want at least %d; stderr:\n%s" % (lines, cmd.min_lines, indent(err)), took
    return None, took


def own_hwm():
    """This process's peak RSS in KiB."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def indent(text, limit=1500):
    text = clean(text.strip())
    if len(text) > limit:
        text = text[:limit] + " …"
    return "\n".join("    " + line for line in text.splitlines()) or "    (empty)"


def parse(argv):
    opts = {"runs": 10, "budget": 60.0, "title": "", "pairs": [], "notes": [],
            "probe": None, "require": [], "probe_label": "counted by the probe"}
    cmds = []
    i = 0

    def take(n):
        nonlocal i
        if i + n > len(argv):
            raise SystemExit("interleave: %s needs %d argument(s)" % (argv[i - 1], n))
        vals = argv[i:i + n]
        i += n
        return vals

    while i < len(argv):
        a = argv[i]
        i += 1
        if a == "--runs":
            opts["runs"] = int(take(1)[0])
        elif a == "--budget":
            opts["budget"] = float(take(1)[0])
        elif a == "--title":
            opts["title"] = take(1)[0]
        elif a == "--cmd":
            name, line = take(2)
            cmds.append(Cmd(name, line))
        elif a in ("--prepare", "--expect", "--min-lines"):
            if not cmds:
                raise SystemExit("interleave: %s before any --cmd" % a)
            v = take(1)[0]
            if a == "--prepare":
                cmds[-1].prepare = v
            elif a == "--expect":
                cmds[-1].expect.append(v)
            else:
                cmds[-1].min_lines = int(v)
        elif a == "--pair":
            opts["pairs"].append(tuple(take(2)))
        elif a == "--note":
            opts["notes"].append(take(1)[0])
        elif a == "--probe":
            opts["probe"] = take(1)[0]
        elif a == "--probe-require":
            opts["require"].append(take(1)[0])
        elif a == "--probe-label":
            opts["probe_label"] = take(1)[0]
        else:
            raise SystemExit("interleave: unknown argument %r (see the header of %s)" % (a, sys.argv[0]))
    if not cmds:
        raise SystemExit("interleave: no --cmd given")
    return opts, cmds


def median(xs):
    return statistics.median(xs) if xs else None


def fmt(x, spec="%.1f"):
    return "-" if x is None else spec % x


def ratios(cmd, base):
    """The median over shared rounds of cmd's time / base's time."""
    rs = [cmd.times[r] / base.times[r] for r in cmd.times if r in base.times and base.times[r] > 0]
    return median(rs)


def table(title, rows, notes):
    """rows: (name, min_ms, median_ms, ratio, rss_mib, n, remark)"""
    width = max([len("command")] + [len(r[0]) for r in rows])
    if title:
        print(title)
    print("  %-*s %9s %9s %7s %8s %4s" % (width, "command", "min ms", "median", "ratio", "RSS MiB", "n"))
    for name, mn, md, ratio, rss, n, remark in rows:
        if remark == "failed":
            print("  %-*s %9s %9s %7s %8s %4s" % (width, name, "failed", "-", "-", "-", "-"))
            continue
        print("  %-*s %9s %9s %7s %8s %4s%s" % (width, name, fmt(mn), fmt(md), fmt(ratio, "%.2fx"),
                                           fmt(rss), n, ("  " + remark) if remark else ""))
    for n in notes:
        print("  " + n)
    print()


def probe(shell):
    out = subprocess.run(["bash", "-c", shell], capture_output=True, check=True, timeout=30).stdout
    return json.loads(out)


def run(opts, cmds):
    probed = []
    for c in cmds:
        before = probe(opts["probe"]) if opts["probe"] else None
        why, took = check(c)
        if before is not None:
            after = probe(opts["probe"])
            delta = {k: after.get(k, 0) - v for k, v in before.items() if isinstance(v, (int, float))}
            probed.append((c.name, delta))
            missing = [k for k in opts["require"] if not delta.get(k)]
            if not why and missing:
                why = "one run changed no %s (%s)" % (", ".join(missing), opts["probe_label"])
        if why:
            c.failed = "left out, its check run failed: " + why
            continue
        # A slow command gets fewer rounds, so the table stays within budget.
        c.rounds = opts["runs"]
        if took > 0 and took * opts["runs"] > opts["budget"]:
            c.rounds = min(opts["runs"], max(3, int(opts["budget"] / took)))
    live = [c for c in cmds if not c.failed]
    spawn = Cmd("floor", "/bin/true")
    spawn_ms = min(timed(spawn)[0] for _ in range(5)) * 1000 if os.access("/bin/true", os.X_OK) else None
    for r in range(opts["runs"]):
        for c in live:
            if c.failed or r >= c.rounds:
                continue
            secs, rss, code = timed(c)
            if code != 0:
                why, _ = check(c)
                c.failed = "failed: exit status %d in round %d%s" % (code, r + 1, (": " + why) if why else "")
                continue
            c.times[r] = secs
            c.rss.append(rss)
    floor = None
    for c in live:
        if c.failed:
            continue
        if c.check_rss is not None:
            more = 2 if c.rounds == opts["runs"] else 0
            c.rss = [c.check_rss] + [k for k in (gnu_time_rss(c) for _ in range(more)) if k is not None]
            continue
        floor = floor or own_hwm()
    base = cmds[0]
    rows = []
    for c in cmds:
        if c.failed or not c.times:
            rows.append((c.name, None, None, None, None, 0, "failed"))
            continue
        ts = [t * 1000 for t in c.times.values()]
        remark = ""
        if c.rounds < opts["runs"]:
            remark = "(%d rounds, not %d: %.1f s a run)" % (c.rounds, opts["runs"], min(ts) / 1000)
        ratio = ratios(c, base) if not base.failed else None
        rows.append((c.name, min(ts), median(ts), ratio, median(c.rss) / 1024, len(ts), remark))
    notes = list(opts["notes"])
    for c in cmds:
        if c.failed:
            notes.append("%s: %s" % (c.name, c.failed))
    if spawn_ms is not None:
        notes.append("floor: /bin/true takes %.1f ms through this harness" % spawn_ms)
    if floor:
        notes.append("RSS from wait4, which counts this harness's own %.0f MiB as a floor (no %s)" % (floor / 1024, GNU_TIME))
    byname = {c.name: c for c in cmds}
    for a, b in opts["pairs"]:
        ca, cb = byname.get(a), byname.get(b)
        if ca and cb and not ca.failed and not cb.failed:
            notes.append("%s / %s: %s (median of per-round ratios)" % (a, b, fmt(ratios(ca, cb), "%.2fx")))
    if probed:
        width = max(len(n) for n, _ in probed)
        notes.append("one run, %s:" % opts["probe_label"])
        for name, delta in probed:
            notes.append("  %-*s %s" % (width, name, ", ".join("%s %d" % kv for kv in sorted(delta.items()))))
    table(opts["title"], rows, notes)
    return 0


def samples(argv):
    title, unit = "", "ms"
    while argv and argv[0].startswith("--"):
        if argv[0] == "--title":
            title, argv = argv[1], argv[2:]
        elif argv[0] == "--unit":
            unit, argv = argv[1], argv[2:]
        else:
            raise SystemExit("interleave: unknown argument %r" % argv[0])
    if len(argv) % 2:
        raise SystemExit("interleave: --samples wants NAME FILE pairs")
    cols = []
    metrics = []
    for name, path in zip(argv[0::2], argv[1::2]):
        rounds = []
        try:
            with open(path) as f:
                rounds = [json.loads(line) for line in f if line.strip()]
        except OSError:
            pass
        cols.append((name, rounds))
        for rd in rounds:
            for m in rd:
                if m not in metrics:
                    metrics.append(m)
    if title:
        print(title)
    width = max([len("command")] + [len(n) for n, _ in cols])
    for m in metrics:
        print("  %-*s %9s %9s %7s %5s   %s" % (width, "command", "min " + unit, "median", "ratio", "n", m))
        base = None
        for name, rounds in cols:
            per_round = {i: median(rd.get(m) or []) for i, rd in enumerate(rounds)}
            per_round = {i: v for i, v in per_round.items() if v is not None}
            allv = [v for rd in rounds for v in (rd.get(m) or [])]
            if base is None:
                base = per_round
            if not allv:
                print("  %-*s %9s" % (width, name, "failed"))
                continue
            rs = [per_round[i] / base[i] for i in per_round if i in base and base[i] > 0]
            print("  %-*s %9s %9s %7s %5d" % (width, name, fmt(min(allv)), fmt(median(allv)),
                                             fmt(median(rs), "%.2fx"), len(allv)))
    print()
    return 0


def main():
    argv = sys.argv[1:]
    if argv and argv[0] == "--samples":
        return samples(argv[1:])
    opts, cmds = parse(argv)
    return run(opts, cmds)


if __name__ == "__main__":
    sys.exit(main())
