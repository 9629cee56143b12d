# conlab's CPython runner: runs one job of a python-* model and reports when
# each task started and ended, how late each IO wait ended and, if asked,
# every IO wait and CPU burst. conlab ships this file inside its binary and
# runs it as `<interpreter> -I -c <this file>`; the job arrives as JSON on
# stdin and the timings leave as JSON on stdout. Nothing from an experiment
# file is ever part of this program, only data.
#
# It must run on CPython 3.8 and later (threading.get_native_id is 3.8).
#
# Every timestamp is nanoseconds on CLOCK_MONOTONIC, the clock conlab itself
# uses, so conlab can put them straight beside its own.

import json
import os
import sys
import time

PROTOCOL = 3

# Pure-Python arithmetic steps between two reads of the thread's CPU clock:
# a few microseconds, so a burst ends close to its target while most of it
# is interpreted bytecode, not the clock's system call.
CHUNK = 200

_clock = time.clock_gettime_ns
_MONOTONIC = time.CLOCK_MONOTONIC


def now():
    return _clock(_MONOTONIC)


def burn(cost_ns):
    """Computes in pure Python until this thread's CPU clock has advanced by
    cost_ns. Time spent waiting for the GIL or preempted does not count."""
    clock = time.thread_time_ns
    end = clock() + cost_ns
    x = 1
    while True:
        for _ in range(CHUNK):
            x = (x * 1103515245 + 12345) & 0x7FFFFFFF
        if clock() >= end:
            return x


class Task:
    """What one task records about itself while it runs."""

    def __init__(self, job, index, ident):
        self.latencies = job["latencies"][index]
        self.cpu_ns = job["cpu_ns"][index]
        self.ident = ident
        self.spans = [] if job["timeline"] else None
        self.overshoots = []
        self.wakes = []
        self.start = 0
        self.end = 0
        self.stop = job.get("stop")

    def must_stop(self):
        """Past the run's stop: the task ends before its next round, left
        unfinished (no end time)."""
        return self.stop is not None and now() >= self.stop

    def io(self, start, deadline, completed, end):
        """An IO wait that began at start, was due at deadline, completed
        at completed (the deadline of a sleep; when the delay server sent
        its answer) and ended when this thread ran again at end."""
        self.overshoots.append(max(0, end - deadline))
        self.wakes.append(max(0, end - completed))
        if self.spans is not None:
            self.spans.append(("io", start, end, self.ident))

    def cpu(self):
        if self.cpu_ns > 0:
            start = now()
            burn(self.cpu_ns)
            if self.spans is not None:
                self.spans.append(("cpu", start, now(), self.ident))

    def needs_io(self):
        return any(latency > 0 for latency in self.latencies)

    def record(self):
        return {
            "start": self.start,
            "end": self.end,
            "overshoots": self.overshoots,
            "wakes": self.wakes,
            "spans": self.spans or [],
        }


def server_address(job):
    host, _, port = job["tcp"].rpartition(":")
    return host, int(port)


def connect(job):
    import socket

    sock = socket.create_connection(server_address(job))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def ask(sock, latency):
    """One request to the delay server: the latency as a big-endian u64;
    once the latency has passed it answers when it sent the answer (ns on
    CLOCK_MONOTONIC, a big-endian u64), which this returns."""
    sock.sendall(latency.to_bytes(8, "big"))
    reply = b""
    while len(reply) < 8:
        chunk = sock.recv(8 - len(reply))
        if not chunk:
            raise ConnectionError("the delay server closed the connection")
        reply += chunk
    return int.from_bytes(reply, "big")


def run_blocking(job, index, ident):
    """One task on the calling thread, blocking on each IO wait."""
    task = Task(job, index, ident)
    task.start = now()
    sock = connect(job) if job["tcp"] and task.needs_io() else None
    try:
        for latency in task.latencies:
            if task.must_stop():
                return task.record()
            if latency > 0:
                start = now()
                deadline = start + latency
                if sock is None:
                    time.sleep(latency / 1e9)
                    completed = deadline
                else:
                    completed = ask(sock, latency)
                task.io(start, deadline, completed, now())
                if task.must_stop():
                    return task.record()
            task.cpu()
    finally:
        if sock is not None:
            sock.close()
    task.end = now()
    return task.record()


async def run_async(job, index, ident):
    """One task on the event loop: each IO wait yields to the loop; CPU work
    runs inline and holds the loop."""
    import asyncio

    task = Task(job, index, ident)
    task.start = now()
    writer = None
    if job["tcp"] and task.needs_io():
        host, port = server_address(job)
        reader, writer = await asyncio.open_connection(host, port)
    try:
        for latency in task.latencies:
            if task.must_stop():
                return task.record()
            if latency > 0:
                start = now()
                deadline = start + latency
                if writer is None:
                    await asyncio.sleep(latency / 1e9)
                    completed = deadline
                else:
                    writer.write(latency.to_bytes(8, "big"))
                    await writer.drain()
                    completed = int.from_bytes(await reader.readexactly(8), "big")
                task.io(start, deadline, completed, now())
                if task.must_stop():
                    return task.record()
            task.cpu()
    finally:
        if writer is not None:
            writer.close()
            await writer.wait_closed()
    task.end = now()
    return task.record()


# Each model is a function of the job, called at t0 (after `main` has
# imported the modules it names in MODELS, so imports are setup), that
# returns the task records in task order.
#
# Dispatch: every model hands its tasks out in the job's "order", each once
# it is due (job["due"][i] ns after t0; all at t0 without arrivals), and
# hands out none due at or after the run's stop (job["stop"]): a task never
# handed out is reported unfinished, with no start and no end.


def unfinished():
    return {"start": 0, "end": 0, "overshoots": [], "wakes": [], "spans": []}


def due(job, i):
    """When task i is due, on CLOCK_MONOTONIC; None once past the stop."""
    at = job["t0"] + job["due"][i]
    stop = job.get("stop")
    if stop is not None and (at >= stop or now() >= stop):
        return None
    return at


def wait_until(at):
    """Blocks the calling thread until CLOCK_MONOTONIC reaches at."""
    while True:
        left = at - now()
        if left <= 0:
            return
        time.sleep(left / 1e9)


def dispatch(job):
    """Yields each task in the order it is due, once it is due (blocking)."""
    for i in job["order"]:
        at = due(job, i)
        if at is None:
            return
        wait_until(at)
        if due(job, i) is None:
            return
        yield i


def sequential(job):
    import threading

    ident = threading.get_native_id()
    records = [unfinished() for _ in job["latencies"]]
    for i in dispatch(job):
        records[i] = run_blocking(job, i, ident)
    return records


def threads(job):
    import threading

    records = [unfinished() for _ in job["latencies"]]
    failures = []

    def body(i):
        try:
            records[i] = run_blocking(job, i, threading.get_native_id())
        except BaseException as e:
            failures.append("task %d: %s: %s" % (i, type(e).__name__, e))

    started = []
    for i in dispatch(job):
        t = threading.Thread(target=body, args=(i,))
        t.start()
        started.append(t)
    for t in started:
        t.join()
    if failures:
        raise RuntimeError("; ".join(failures))
    return records


def thread_pool(job):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    def body(i):
        return run_blocking(job, i, threading.get_native_id())

    records = [unfinished() for _ in job["latencies"]]
    with ThreadPoolExecutor(max_workers=job["workers"]) as pool:
        futures = [(i, pool.submit(body, i)) for i in dispatch(job)]
        for i, f in futures:
            records[i] = f.result()
    return records


def asyncio_gather(job):
    import asyncio
    import threading

    ident = threading.get_native_id()
    records = [unfinished() for _ in job["latencies"]]

    async def one(i):
        records[i] = await run_async(job, i, ident)

    async def main():
        tasks = []
        for i in job["order"]:
            at = due(job, i)
            if at is None:
                break
            left = at - now()
            if left > 0:
                await asyncio.sleep(left / 1e9)
            if due(job, i) is None:
                break
            tasks.append(asyncio.ensure_future(one(i)))
        await asyncio.gather(*tasks)

    asyncio.run(main())
    return records


# The job as pool workers see it: they are forked, so they inherit it.
JOB = None


def process_task(index):
    return run_blocking(JOB, index, os.getpid())


def processes(job):
    import multiprocessing

    global JOB
    JOB = job
    # fork: the pool's workers inherit this program, which `-c` code has no
    # file to re-import from (spawn and forkserver would need one).
    pool = multiprocessing.get_context("fork").Pool(processes=job["workers"])
    try:
        if not job["open_loop"]:
            # One task at a time to whichever worker is free, in task order.
            return pool.map(process_task, range(len(job["latencies"])), chunksize=1)
        # Each request to the pool once it arrives.
        records = [unfinished() for _ in job["latencies"]]
        pending = [(i, pool.apply_async(process_task, (i,))) for i in dispatch(job)]
        for i, result in pending:
            records[i] = result.get()
        return records
    finally:
        # Closed and joined, so the workers' CPU is in this process's
        # RUSAGE_CHILDREN by the time it exits.
        pool.close()
        pool.join()


MODELS = {
    "sequential": (sequential, ("threading",)),
    "threads": (threads, ("threading",)),
    "thread-pool": (thread_pool, ("threading", "concurrent.futures")),
    "asyncio": (asyncio_gather, ("threading", "asyncio")),
    "processes": (processes, ("multiprocessing", "multiprocessing.pool")),
}


def usage():
    """CPU time and context switches so far, this process and its waited-for
    children together, or None where the resource module is missing."""
    try:
        import resource
    except ImportError:
        return None
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "user_ns": round((own.ru_utime + children.ru_utime) * 1e6) * 1000,
        "sys_ns": round((own.ru_stime + children.ru_stime) * 1e6) * 1000,
        "ctx_voluntary": own.ru_nvcsw + children.ru_nvcsw,
        "ctx_involuntary": own.ru_nivcsw + children.ru_nivcsw,
        "peak_rss_kb": max(own.ru_maxrss, children.ru_maxrss),
    }


def main():
    job = json.loads(sys.stdin.buffer.read())
    if job.get("protocol") != PROTOCOL:
        sys.exit("conlab runner: protocol %r, expected %r" % (job.get("protocol"), PROTOCOL))
    model, modules = MODELS[job["model"]]
    for name in modules:
        __import__(name)
    if job["tcp"]:
        import socket  # noqa: F401

    before = usage()
    t0 = now()
    job["t0"] = t0
    if job.get("stop_after") is not None:
        job["stop"] = t0 + job["stop_after"]
    records = model(job)
    reply = {
        "protocol": PROTOCOL,
        "t0": t0,
        "startup_usage": before,
        "tasks": records,
    }
    out = sys.stdout
    out.write(json.dumps(reply, separators=(",", ":")))
    out.write("\n")
    out.flush()
    sys.stderr.flush()
    # Every thread, pool worker and event loop has ended; skipping the
    # interpreter's finalization keeps its teardown out of the run's CPU.
    os._exit(0)


if __name__ == "__main__":
    main()
