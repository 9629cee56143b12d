#!/usr/bin/env python3
"""A development driver for conlab runners: it builds runner-protocol
requests (version 4) for a few workloads, runs a runner with each, and
checks the reply the way conlab reads it. The seed of `conlab runner-check`;
every check and its threshold is written down in
docs/pending/runner-protocol.md.

    tests/runners/drive.py python [MODEL...]     # src/model/python/runner.py
    tests/runners/drive.py node [MODEL...]       # src/model/node/runner.js
    tests/runners/drive.py --command 'CMD ...' --models M,N
    options: --only CHECK,... --delay-server conlab:PATH
             --scale TASKS --latency-ms MS --repeat K     (one size, JSON lines)
             --bench 10,1000,... --latency-ms MS --repeat K (against the bare program)
             --self-test                                  (broken runners must fail)

Standard library only. TCP workloads use a small delay server of its own
that speaks conlab's bytes (see src/workload/delay_server.rs), or
`conlab __delay-server` with --delay-server conlab:PATH. Exit status 0 when
every check held, 1 when one failed, 2 on bad arguments.
"""

import argparse
import json
import os
import resource
import shlex
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

PROTOCOL = 4
MS = 1_000_000
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def now():
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC)


# ------------------------------------------------------------ the runners


def python_command(interpreter="python3"):
    with open(os.path.join(ROOT, "src/model/python/runner.py")) as f:
        return [interpreter, "-I", "-c", f.read()]


def node_command(node="node"):
    with open(os.path.join(ROOT, "src/model/node/runner.js")) as f:
        return [node, "--input-type=commonjs", "-e", f.read()]


@dataclass
class Profile:
    """What a model promises, so the checks know what to expect."""

    # How N equal IO waits add up: "sequential" (N × the wait), "overlap"
    # (about one wait) or "pool" (ceil(N / W) waits).
    shape: str
    # What a racy counter does without and with await_inside: "keeps" (no
    # update lost), "loses" (some lost) or "may" (not checked).
    racy: tuple
    # Whether the model has an atomic counter.
    atomic: bool = True
    # Whether CPU bursts run in parallel (on the workers).
    parallel_cpu: bool = False
    # A pool that starts after t0 (processes, worker threads): tasks due
    # early may start late, so the stop finds them anywhere.
    pool_in_wall: bool = False
    # "central": one dispatcher hands every task out in the job's order;
    # "per-worker": each worker dispatches its own share (the k-th task to
    # worker k mod W), so order holds per thread.
    dispatch: str = "central"


PROFILES = {
    # src/model/python/runner.py
    "sequential": Profile("sequential", ("keeps", "keeps")),
    "threads": Profile("overlap", ("may", "loses")),
    "thread-pool": Profile("pool", ("may", "may")),
    "asyncio": Profile("overlap", ("keeps", "loses")),
    "processes": Profile("pool", ("may", "may"), atomic=False, parallel_cpu=True,
                         pool_in_wall=True),
    # src/model/node/runner.js
    "async": Profile("overlap", ("keeps", "loses")),
    "workers": Profile("overlap", ("loses", "loses"), parallel_cpu=True, pool_in_wall=True,
                       dispatch="per-worker"),
}

RUNNERS = {
    "python": (python_command, ["sequential", "threads", "thread-pool", "asyncio", "processes"]),
    "node": (node_command, ["async", "workers"]),
}

WORKERS = 2


# ------------------------------------------------------------ the requests


def request(model, tasks, rounds=1, latency=0, cpu=0, timeline=True, tcp=None, due=None,
            order=None, stop_after=None, groups=None, task_groups=None, workers=WORKERS):
    """A protocol-4 job: `tasks` tasks of `rounds` rounds, each waiting
    `latency` ns (an int, or a list per task) and burning `cpu` ns a round."""
    latencies = []
    for i in range(tasks):
        per_task = latency[i] if isinstance(latency, list) else latency
        latencies.append([per_task] * rounds)
    return {
        "protocol": PROTOCOL,
        "model": model,
        "workers": workers,
        "cpu_ns": [cpu] * tasks,
        "latencies": latencies,
        "timeline": timeline,
        "tcp": tcp,
        "due": due if due is not None else [0] * tasks,
        "order": order if order is not None else list(range(tasks)),
        "open_loop": due is not None and any(due),
        "stop_after": stop_after,
        "groups": groups or [{"shared": "none", "await_inside": False}],
        "task_groups": task_groups or [0] * tasks,
    }


@dataclass
class Outcome:
    """One run of the runner: its reply (or why there is none), its exit
    status, the CPU it used after its start-up, the peak RSS of the
    largest child so far, and its wall time as a process."""

    reply: object
    status: int
    stderr: str
    cpu_ns: int
    peak_rss_kb: int
    wall_ns: int

    @property
    def t0(self):
        return self.reply["t0"]

    def wall(self):
        """From t0 to the last task's end, as conlab measures wall time."""
        ends = [t["end"] for t in self.reply["tasks"] if t["end"]]
        return (max(ends) if ends else self.t0) - self.t0


def run(command, job, timeout=600):
    """Runs the runner on `job`; the reply is the last non-empty line of
    stdout, as conlab reads it."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = now()
    proc = subprocess.run(command, input=json.dumps(job).encode(), capture_output=True,
                          timeout=timeout)
    wall = now() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_ns = round(((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)) * 1e9)
    lines = [line for line in proc.stdout.decode(errors="replace").splitlines() if line.strip()]
    reply = None
    stderr = proc.stderr.decode(errors="replace").strip()
    if lines:
        try:
            reply = json.loads(lines[-1])
        except ValueError as e:
            stderr = "the last line is not JSON (%s): %r\n%s" % (e, lines[-1][:200], stderr)
    if reply is not None:
        usage = reply.get("startup_usage") or {}
        cpu_ns -= usage.get("user_ns", 0) + usage.get("sys_ns", 0)
    return Outcome(reply, proc.returncode, stderr, cpu_ns, after.ru_maxrss, wall)


# --------------------------------------------------------- a delay server


class DelayServer:
    """conlab's delay server protocol: a request is a latency in ns (8 bytes,
    big-endian); after it, the answer (8 bytes, big-endian) says when it was
    sent, in ns on CLOCK_MONOTONIC. One thread per connection; counts the
    connections."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(1024)
        self.addr = "127.0.0.1:%d" % self.listener.getsockname()[1]
        self.connections = 0
        self.lock = threading.Lock()
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            with self.lock:
                self.connections += 1
            threading.Thread(target=self.serve, args=(conn,), daemon=True).start()

    @staticmethod
    def serve(conn):
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with conn:
            while True:
                request = b""
                while len(request) < 8:
                    chunk = conn.recv(8 - len(request))
                    if not chunk:
                        return
                    request += chunk
                deadline = now() + int.from_bytes(request, "big")
                while now() < deadline:
                    time.sleep(max(0, deadline - now()) / 1e9)
                conn.sendall(now().to_bytes(8, "big"))

    def stop(self):
        self.listener.close()
        return None


class ConlabDelayServer:
    """`conlab __delay-server`: prints `listening PORT`, serves until its
    stdin closes, then prints its report."""

    def __init__(self, conlab):
        self.proc = subprocess.Popen([conlab, "__delay-server"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE)
        line = self.proc.stdout.readline().decode().strip()
        if not line.startswith("listening "):
            raise RuntimeError("the delay server said %r" % line)
        self.addr = "127.0.0.1:%s" % line.split()[1]
        self.connections = None

    def stop(self):
        self.proc.stdin.write(b"stop\n")
        self.proc.stdin.close()
        report = self.proc.stdout.readline().decode().strip()
        self.proc.wait()
        return json.loads(report) if report else None


# ----------------------------------------------------------------- checks


class Report:
    def __init__(self):
        self.failures = 0

    def check(self, model, name, ok, detail):
        """ok: True (held), False (failed) or None (not checked: informational)."""
        mark = {True: "ok  ", False: "FAIL", None: "info"}[ok]
        if ok is False:
            self.failures += 1
        print("%s %-12s %-28s %s" % (mark, model, name, detail), flush=True)


def rounds_with_io(job, i):
    return sum(1 for latency in job["latencies"][i] if latency > 0)


def well_formed(report, model, job, out, label):
    """The reply as conlab reads it: protocol, one record per task, times in
    order, every IO wait and (with a timeline) every span recorded.
    Returns whether it can be read further."""
    if out.reply is None or out.status != 0:
        report.check(model, label + ": reply", False,
                     "exit %s, no reply; stderr: %s" % (out.status, out.stderr[-500:]))
        return False
    r = out.reply
    problems = []
    if r.get("protocol") != PROTOCOL:
        problems.append("protocol %r" % r.get("protocol"))
    if not isinstance(r.get("t0"), int) or r["t0"] <= 0:
        problems.append("t0 %r is not a positive integer" % r.get("t0"))
    tasks = r.get("tasks")
    if not isinstance(tasks, list) or len(tasks) != len(job["latencies"]):
        problems.append("%s task records for %d tasks"
                        % (len(tasks) if isinstance(tasks, list) else "no", len(job["latencies"])))
        tasks = []
    stopped = job["stop_after"] is not None
    for i, t in enumerate(tasks):
        waits = rounds_with_io(job, i)
        start, end = t.get("start"), t.get("end")
        if not all(isinstance(x, int) for x in (start, end)):
            problems.append("task %d: start/end not integers" % i)
            continue
        unfinished = end == 0
        if unfinished and not stopped:
            problems.append("task %d never ended" % i)
        if start and start < r["t0"]:
            problems.append("task %d started before t0" % i)
        if not unfinished and end < start:
            problems.append("task %d ended before it started" % i)
        if len(t.get("overshoots", [])) != len(t.get("wakes", [])):
            problems.append("task %d: %d overshoots, %d wakes"
                            % (i, len(t["overshoots"]), len(t["wakes"])))
        if not unfinished and len(t.get("overshoots", [])) != waits:
            problems.append("task %d: %d IO waits recorded of %d"
                            % (i, len(t.get("overshoots", [])), waits))
        if any((not isinstance(x, int)) or x < 0 for x in t.get("overshoots", []) + t.get("wakes", [])):
            problems.append("task %d: an overshoot or wake is not a non-negative integer" % i)
        if job["timeline"] and not unfinished:
            spans = t.get("spans", [])
            cpu_rounds = len(job["latencies"][i]) if job["cpu_ns"][i] > 0 else 0
            if len(spans) != waits + cpu_rounds:
                problems.append("task %d: %d spans, expected %d" % (i, len(spans), waits + cpu_rounds))
            for kind, s, e, thread in spans:
                if kind not in ("io", "cpu", "lock_wait") or not (start <= s <= e <= end) or thread <= 0:
                    problems.append("task %d: span %r out of its task or malformed"
                                    % (i, [kind, s, e, thread]))
                    break
    shared = r.get("shared", [])
    for g, group in enumerate(job["groups"]):
        counts = group["shared"] != "none"
        entry = shared[g] if g < len(shared) else None
        if counts and not (isinstance(entry, dict) and "final" in entry and "lock_wait_ns" in entry):
            problems.append("group %d: no counter reported" % g)
    runtime = r.get("runtime")
    extra = (" runtime %s %s" % (runtime.get("name"), runtime.get("version"))
             if isinstance(runtime, dict) else " (no runtime object: protocol 5 will want one)")
    report.check(model, label + ": reply", not problems,
                 "; ".join(problems[:5]) if problems else "%d tasks, times in order%s"
                 % (len(tasks), extra))
    return not problems


def io_spans(out, kind="io"):
    for t in out.reply["tasks"]:
        for span in t["spans"]:
            if span[0] == kind:
                yield t, span


def check_never_early(report, model, job, out, label):
    """Every IO wait lasted at least its latency (from the moment the task
    asked to the moment it ran again); 1 µs allowed for clocks kept as
    float seconds."""
    latency_of = {}
    short = []
    for i, t in enumerate(out.reply["tasks"]):
        io = [s for s in t["spans"] if s[0] == "io"]
        wanted = [l for l in job["latencies"][i] if l > 0]
        for (kind, s, e, _), latency in zip(io, wanted):
            latency_of[(i, s)] = latency
            if e - s < latency - 1000:
                short.append((i, latency, e - s))
    overs = sorted(o for t in out.reply["tasks"] for o in t["overshoots"])
    median = overs[len(overs) // 2] if overs else 0
    report.check(model, label + ": never early", not short,
                 ("%d waits short, e.g. task %d waited %d ns of %d" % (len(short), short[0][0], short[0][2], short[0][1]))
                 if short else "%d waits, none short; overshoot median %.0f µs, max %.0f µs"
                 % (len(overs), median / 1e3, (overs[-1] if overs else 0) / 1e3))
    return median


def expected_wall(profile, tasks, wait, workers):
    if profile.shape == "sequential":
        return tasks * wait
    if profile.shape == "pool":
        return -(-tasks // workers) * wait
    return wait


def check_shape(report, model, profile, job, out, label, wait):
    """N equal waits take what the model's shape says: wall time (t0 to the
    last end) at least the ideal, since waits are never early; and from
    the moment the last of its threads (or processes) began its first
    task to the last end, at most 1.5 × the ideal plus 20 ms, so a pool
    starting inside wall time is not held against the shape."""
    tasks = len(job["latencies"])
    rounds = len(job["latencies"][0])
    ideal = expected_wall(profile, tasks, wait * rounds, job["workers"])
    first_on = {}
    for t in out.reply["tasks"]:
        for span in t["spans"][:1]:
            first_on[span[3]] = min(first_on.get(span[3], t["start"]), t["start"])
    startup = max(first_on.values()) - out.t0 if first_on else 0
    wall = out.wall()
    ok = ideal <= wall and wall - startup <= 1.5 * ideal + 20 * MS
    report.check(model, label + ": " + profile.shape, ok,
                 "wall %.1f ms for %d tasks × %d × %.0f ms, %.1f ms after the last thread began "
                 "(%s: ≥ %.0f ms, ≤ %.0f ms after)"
                 % (wall / MS, tasks, rounds, wait / MS, (wall - startup) / MS, profile.shape,
                    ideal / MS, (1.5 * ideal + 20 * MS) / MS))


def check_timers(report, model, profile, command):
    """Sleep IO: every wait recorded, never early, and the model's shape."""
    wait = 100 * MS
    job = request(model, 4, rounds=2, latency=wait)
    out = run(command, job)
    if well_formed(report, model, job, out, "sleep 4×2×100ms"):
        check_never_early(report, model, job, out, "sleep")
        check_shape(report, model, profile, job, out, "sleep", wait)


def check_short_waits(report, model, profile, command):
    """Waits under a millisecond and a mix of lengths: recorded and never
    early (setTimeout alone cannot wait under 1 ms and fires early)."""
    latencies = [100_000, 300_000, 1 * MS, 2_500_000, 7 * MS, 10 * MS] * 2
    job = request(model, len(latencies), rounds=3, latency=latencies)
    out = run(command, job)
    if well_formed(report, model, job, out, "short waits"):
        check_never_early(report, model, job, out, "short waits")


def check_cpu(report, model, profile, command):
    """A burst of C costs C of thread CPU within 2 %: the CPU of a run with
    six bursts less that of a run with two (so the runtime's own one-time
    costs after t0, a JIT compiling the burst or a pool starting, cancel
    out), each the least of three runs with their start-up taken off, is
    4 × C within 2 % (C = 500 ms: a worker thread's or process's start-up
    varies by tens of ms from run to run on a busy machine); and a burst's
    span lasts at least 0.98 × C of wall."""
    cost = 500 * MS
    few, many = 2, 6
    small = request(model, few, rounds=1, latency=0, cpu=cost)
    large = request(model, many, rounds=1, latency=0, cpu=cost)
    least = {}
    for job in (small, large):
        outs = [run(command, job) for _ in range(3)]
        if not well_formed(report, model, job, outs[0], "cpu %d×500ms" % len(job["cpu_ns"])):
            return
        if any(o.reply is None for o in outs):
            report.check(model, "cpu: reply", False, "a run failed")
            return
        least[len(job["cpu_ns"])] = min(outs, key=lambda o: o.cpu_ns)
    a, b = least[few], least[many]
    want = (many - few) * cost
    ratio = (b.cpu_ns - a.cpu_ns) / want
    report.check(model, "cpu: thread CPU", 0.98 <= ratio <= 1.02,
                 "%d more bursts of %.0f ms cost %.1f ms more CPU (%.3f ×; 0.98–1.02 required)"
                 % (many - few, cost / MS, (b.cpu_ns - a.cpu_ns) / MS, ratio))
    short = [(s, e) for _, (k, s, e, _) in io_spans(b, "cpu") if e - s < 0.98 * cost]
    report.check(model, "cpu: spans", not short,
                 "every burst's span ≥ 0.98 × %.0f ms" % (cost / MS) if not short
                 else "%d bursts shorter than %.0f ms of wall" % (len(short), cost / MS))
    wall = b.wall()
    if profile.parallel_cpu:
        report.check(model, "cpu: in parallel", None,
                     "wall %.0f ms for %d × %.0f ms on %d workers (%d cores here)"
                     % (wall / MS, many, cost / MS, large["workers"], os.cpu_count()))
    else:
        report.check(model, "cpu: one at a time", wall >= 0.98 * many * cost,
                     "wall %.0f ms ≥ 0.98 × %d × %.0f ms" % (wall / MS, many, cost / MS))


def check_counters(report, model, profile, command):
    """Counters add up: atomic and locked lose nothing; racy behaves as the
    model says without and with await_inside."""
    tasks, rounds = 8, 3
    total = tasks * rounds
    cases = [("atomic", False), ("locked", False), ("racy", False), ("racy", True)]
    for mode, inside in cases:
        if mode == "atomic" and not profile.atomic:
            report.check(model, "counter atomic", None, "the model has no atomic counter")
            continue
        job = request(model, tasks, rounds=rounds, latency=2 * MS, cpu=2 * MS,
                      groups=[{"shared": mode, "await_inside": inside}])
        label = "counter %s%s" % (mode, " await" if inside else "")
        out = run(command, job)
        if not well_formed(report, model, job, out, label):
            continue
        counter = out.reply["shared"][0]
        final = counter["final"]
        if mode in ("atomic", "locked"):
            expect = "keeps"
        else:
            expect = profile.racy[1 if inside else 0]
        ok = {"keeps": final == total, "loses": final < total, "may": None}[expect]
        busy = os.getloadavg()[0] >= os.cpu_count()
        if ok is False and expect == "loses" and profile.parallel_cpu and not inside and busy:
            # Racing across workers needs two of them running at once: on
            # a machine loaded past its cores they may never overlap.
            ok = None
            expect += " when the workers run at once; the load average is past the cores"
        report.check(model, label, ok,
                     "%d of %d updates (expected: %s); lock wait %.1f ms"
                     % (final, total, expect, counter["lock_wait_ns"] / MS))


def check_arrivals(report, model, profile, command):
    """Tasks start once due and never before; dispatch follows `order`;
    nothing is handed out at or after the stop, and a task still running
    there is left unfinished."""
    gap = 100 * MS
    tasks = 5
    due = [(tasks - 1 - i) * gap for i in range(tasks)]  # task 4 first
    order = sorted(range(tasks), key=lambda i: due[i])
    job = request(model, tasks, rounds=1, latency=10 * MS, due=due, order=order)
    out = run(command, job)
    if well_formed(report, model, job, out, "arrivals"):
        lateness = [t["start"] - (out.t0 + d) for t, d in zip(out.reply["tasks"], due)]
        early = [i for i, l in enumerate(lateness) if l < 0]
        report.check(model, "arrivals: never before due", not early,
                     "started %s ms after due" % ", ".join("%.2f" % (l / MS) for l in lateness)
                     if not early else "tasks %s started before they were due" % early)
        tasks_out = out.reply["tasks"]
        if profile.dispatch == "central":
            lines = {0: order}
        else:
            lines = {}
            for i in order:
                lines.setdefault(tasks_out[i]["spans"][0][3], []).append(i)
        disorder = [line for line in lines.values()
                    if [tasks_out[i]["start"] for i in line] != sorted(tasks_out[i]["start"] for i in line)]
        where = "" if profile.dispatch == "central" else " on each of its %d threads" % len(lines)
        report.check(model, "arrivals: in order", not disorder,
                     "handed out in the job's order" + where if not disorder
                     else "tasks %s did not start in the job's order%s" % (disorder[0], where))
    stop = 250 * MS
    due = [i * gap for i in range(tasks)]
    job = request(model, tasks, rounds=2, latency=30 * MS, due=due, stop_after=stop)
    out = run(command, job)
    if well_formed(report, model, job, out, "stop_after"):
        t = out.reply["tasks"]
        # Due 0 and 100 ms: done by 60 and 160 ms; due 200 ms: still in its
        # second round at 250 ms; due 300 and 400 ms: never handed out.
        got = ["done" if x["end"] else ("unfinished" if x["start"] else "never") for x in t]
        want = ["done", "done", "unfinished", "never", "never"]
        late = [i for i, x in enumerate(t) if x["start"] >= out.t0 + stop]
        if profile.pool_in_wall:
            # Only what the stop itself decides: nothing due at or after it
            # handed out, nothing started after it.
            ok = got[3:] == want[3:] and not late
            want_text = "?, ?, ?, never, never (the pool's start-up is in wall time)"
        else:
            ok = got == want and not late
            want_text = ", ".join(want)
        report.check(model, "arrivals: stop_after", ok,
                     "tasks: %s (expected %s)%s" % (", ".join(got), want_text,
                                                    "; tasks %s started after the stop" % late if late else ""))


def check_tcp(report, model, profile, command, make_server):
    """IO over TCP to the delay server: every wait recorded, none short,
    one connection per task, and the model's shape."""
    server = make_server()
    wait = 100 * MS
    try:
        job = request(model, 4, rounds=2, latency=wait, tcp=server.addr)
        out = run(command, job)
    finally:
        served = server.stop()
    if not well_formed(report, model, job, out, "tcp 4×2×100ms"):
        return
    check_never_early(report, model, job, out, "tcp")
    check_shape(report, model, profile, job, out, "tcp", wait)
    wakes = sorted(w for t in out.reply["tasks"] for w in t["wakes"])
    if server.connections is not None:
        report.check(model, "tcp: connections", server.connections == 4,
                     "%d connections for 4 tasks (one each, kept across rounds)" % server.connections)
    report.check(model, "tcp: wakes", None,
                 "median %.0f µs from the answer to the task running%s"
                 % (wakes[len(wakes) // 2] / 1e3, "; server: %s" % served if served else ""))


CHECKS = {
    "timers": check_timers,
    "short": check_short_waits,
    "cpu": check_cpu,
    "counters": check_counters,
    "arrivals": check_arrivals,
    "tcp": check_tcp,
}


def scale(command, model, tasks, latency_ms, repeat):
    """The side-by-side size: `tasks` × one wait of latency_ms, no timeline.
    Prints wall (t0 to the last end), peak RSS of the runner (its
    getrusage) and the median overshoot, per repetition, as JSON lines."""
    for _ in range(repeat):
        job = request(model, tasks, rounds=1, latency=latency_ms * MS, timeline=False)
        out = run(command, job, timeout=3600)
        if out.reply is None:
            print(json.dumps({"error": out.stderr[-500:]}), flush=True)
            return 1
        overs = sorted(o for t in out.reply["tasks"] for o in t["overshoots"])
        print(json.dumps({
            "model": model, "tasks": tasks, "wall_ns": out.wall(),
            "process_wall_ns": out.wall_ns, "peak_rss_kb": out.peak_rss_kb,
            "cpu_ns": out.cpu_ns,
            "overshoot_p50_ns": overs[len(overs) // 2] if overs else None,
            "overshoot_max_ns": overs[-1] if overs else None,
        }), flush=True)
    return 0


# ------------------------------------------------- runners that break it

TAMPERS = {
    # how it breaks the protocol: (what it does to the job, to the reply)
    "short-sleep": "asks the runner for half of every latency",
    "less-cpu": "asks the runner for half of every CPU burst",
    "drop-task": "drops the last task's record from the reply",
    "garbage": "prints garbage instead of the reply",
}


def tamper(mode, command):
    """Runs `command` as a runner that breaks the protocol as `mode` says
    (see TAMPERS): the self-test's proof that the checks can fail."""
    job = json.loads(sys.stdin.buffer.read())
    if mode == "short-sleep":
        job["latencies"] = [[latency // 2 for latency in task] for task in job["latencies"]]
    if mode == "less-cpu":
        job["cpu_ns"] = [cpu // 2 for cpu in job["cpu_ns"]]
    proc = subprocess.run(command, input=json.dumps(job).encode(), capture_output=True)
    sys.stderr.write(proc.stderr.decode(errors="replace"))
    out = proc.stdout.decode(errors="replace")
    if mode == "drop-task":
        reply = json.loads(out.strip().splitlines()[-1])
        reply["tasks"].pop()
        out = json.dumps(reply) + "\n"
    if mode == "garbage":
        out = "Traceback (most recent call last): garbage\n"
    sys.stdout.write(out)
    return proc.returncode


def self_test(command, model):
    """Each broken runner must fail the check that names its fault."""
    profile = PROFILES[model]
    cases = [("short-sleep", check_timers), ("less-cpu", check_cpu),
             ("drop-task", check_timers), ("garbage", check_timers)]
    caught = 0
    for mode, check in cases:
        report = Report()
        print("-- a runner that %s:" % TAMPERS[mode], flush=True)
        broken = [sys.executable, os.path.abspath(__file__), "--tamper", mode, "--"] + command
        check(report, model, profile, broken)
        caught += report.failures > 0
        print("%s: %s" % (mode, "rejected" if report.failures else "NOT REJECTED"), flush=True)
    print("self-test: %d of %d broken runners rejected" % (caught, len(cases)))
    return 0 if caught == len(cases) else 1


def timed(command, stdin=None):
    """Runs command under /usr/bin/time -f %M: its stdout and the peak RSS
    (KiB) of the process and the children it waited for."""
    proc = subprocess.run(["/usr/bin/time", "-f", "%M"] + command, input=stdin,
                          capture_output=True, timeout=3600)
    lines = [line for line in proc.stderr.decode(errors="replace").splitlines() if line.strip()]
    if proc.returncode != 0 or not lines:
        raise RuntimeError("%s failed: %s" % (command[:2], proc.stderr.decode(errors="replace")[-500:]))
    return proc.stdout.decode(), int(lines[-1])


def bench(command, model, sizes, latency_ms, rounds):
    """The runner against the bare program (examples/bare/node-timers.js)
    at each size: `rounds` runs of each, alternating which goes first;
    medians of wall time (t0 to the last end; the bare program's own
    first-task-to-last-end) and of peak RSS from /usr/bin/time."""
    bare = ["node", os.path.join(ROOT, "examples/bare/node-timers.js")]
    print("load average %s" % " ".join("%.2f" % x for x in os.getloadavg()), flush=True)
    print("| tasks | runner wall s | bare wall s | wall ratio | runner peak RSS MB | bare peak RSS MB | RSS ratio |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for tasks in sizes:
        job = json.dumps(request(model, tasks, rounds=1, latency=latency_ms * MS,
                                 timeline=False)).encode()
        runner_wall, runner_rss, bare_wall, bare_rss = [], [], [], []
        for k in range(rounds):
            for side in (("runner", "bare") if k % 2 == 0 else ("bare", "runner")):
                if side == "runner":
                    out, rss = timed(command, job)
                    reply = json.loads(out.strip().splitlines()[-1])
                    runner_wall.append(max(t["end"] for t in reply["tasks"]) - reply["t0"])
                    runner_rss.append(rss)
                else:
                    out, rss = timed(bare + [str(tasks), str(latency_ms * MS)])
                    bare_wall.append(json.loads(out.strip().splitlines()[-1])["wall_ns"])
                    bare_rss.append(rss)
        rw, bw = statistics.median(runner_wall), statistics.median(bare_wall)
        rr, br = statistics.median(runner_rss), statistics.median(bare_rss)
        print("| %d | %.3f | %.3f | %.3f | %.1f | %.1f | %.3f |"
              % (tasks, rw / 1e9, bw / 1e9, rw / bw, rr / 1024, br / 1024, rr / br), flush=True)
    print("load average %s" % " ".join("%.2f" % x for x in os.getloadavg()), flush=True)
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("runner", nargs="?", choices=sorted(RUNNERS))
    parser.add_argument("models", nargs="*")
    parser.add_argument("--command", help="any runner command (a shell-quoted string)")
    parser.add_argument("--models", dest="model_list", help="the models --command offers")
    parser.add_argument("--only", help="checks to run: " + ",".join(CHECKS))
    parser.add_argument("--delay-server", default="builtin",
                        help="builtin (default) or conlab:PATH for `PATH __delay-server`")
    parser.add_argument("--scale", type=int, help="the timer benchmark: this many tasks")
    parser.add_argument("--latency-ms", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--bench", help="runner against the bare Node program at these sizes "
                        "(comma-separated task counts; --latency-ms, --repeat)")
    parser.add_argument("--self-test", action="store_true",
                        help="run the checks against broken versions of the runner: each must fail")
    # The self-test's broken runners: drive.py --tamper MODE -- COMMAND...
    if sys.argv[1:2] == ["--tamper"] and sys.argv[3:4] == ["--"] and sys.argv[2] in TAMPERS:
        return tamper(sys.argv[2], sys.argv[4:])
    args = parser.parse_args()

    if args.command:
        command = shlex.split(args.command)
        models = (args.model_list or "").split(",") if args.model_list else []
    elif args.runner:
        make, models = RUNNERS[args.runner]
        command = make()
        models = args.models or models
    else:
        parser.error("name a runner (python, node) or give --command and --models")
    unknown = [m for m in models if m not in PROFILES]
    if not models or unknown:
        parser.error("models must be among %s (got %s)" % (", ".join(PROFILES), models))
    if args.self_test:
        return max(self_test(command, m) for m in models)
    if args.bench is not None:
        sizes = [int(x) for x in args.bench.split(",")]
        return max(bench(command, m, sizes, args.latency_ms, args.repeat) for m in models)
    if args.scale is not None:
        return max(scale(command, m, args.scale, args.latency_ms, args.repeat) for m in models)

    checks = args.only.split(",") if args.only else list(CHECKS)
    if any(c not in CHECKS for c in checks):
        parser.error("checks are %s" % ", ".join(CHECKS))
    if args.delay_server == "builtin":
        make_server = DelayServer
    elif args.delay_server.startswith("conlab:"):
        path = args.delay_server[len("conlab:"):]
        make_server = lambda: ConlabDelayServer(path)  # noqa: E731
    else:
        parser.error("--delay-server is builtin or conlab:PATH")

    report = Report()
    print("load average %s; %d cores" % (" ".join("%.2f" % x for x in os.getloadavg()), os.cpu_count()))
    for model in models:
        profile = PROFILES[model]
        for name in checks:
            if name == "tcp":
                check_tcp(report, model, profile, command, make_server)
            else:
                CHECKS[name](report, model, profile, command)
    print("%d failed" % report.failures if report.failures else "all checks held")
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
