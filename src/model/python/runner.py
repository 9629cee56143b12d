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
# uses, so conlab can put them straight beside its own. It speaks the runner
# protocol, version 5 (the book's chapter "The runner protocol").

import json
import os
import sys
import time

PROTOCOL = 5


class Refused(Exception):
    """A job this runner cannot run: it says why in a refusal, as data, and
    conlab skips the cell with the reason."""

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
    cost_ns, and returns how far it advanced. Time spent waiting for the GIL
    or preempted does not count."""
    clock = time.thread_time_ns
    start = clock()
    end = start + cost_ns
    x = 1
    while True:
        for _ in range(CHUNK):
            x = (x * 1103515245 + 12345) & 0x7FFFFFFF
        now_cpu = clock()
        if now_cpu >= end:
            return now_cpu - start


# Shared counters (a group's `shared` and `await_inside`): each task of a
# group with a counter updates it once a round, after its IO wait, around
# the round's CPU work:
#   racy:   read the counter, do the work, write back what it read plus one
#           (with await_inside, time.sleep(0) or `await asyncio.sleep(0)`
#           between the work and the write);
#   locked: the same under the model's own lock (threading.Lock,
#           asyncio.Lock, multiprocessing.Lock), timing waits for it;
#   atomic: the work, then next() of an itertools.count. That one C call
#           runs whole under the GIL, so it is atomic in CPython with a GIL
#           (and on one event loop); a free-threaded build promises nothing,
#           so there it is refused. Processes have no such counter in shared
#           memory: conlab skips python-processes with atomic.


class Counter:
    """One round's update of a group's counter around work(), on a thread:
    read the counter, do the work, (with await_inside, let the others run,)
    write back what was read plus one; under the counter's lock for
    `locked`, whose wait is counted; `atomic`: the work, then one atomic
    increment. Subclasses say where the value lives."""

    def update(self, work):
        if self.mode == "atomic":
            work()
            self.increment()
            return
        lock = self.lock if self.mode == "locked" else None
        if lock is not None and not lock.acquire(False):
            start = now()
            lock.acquire()
            self.add_wait(now() - start)
        try:
            read = self.read()
            work()
            if self.await_inside:
                time.sleep(0)
            self.write(read + 1)
        finally:
            if lock is not None:
                lock.release()


class ThreadCounter(Counter):
    """A group's counter shared by the threads (or the event loop) of this
    interpreter."""

    def __init__(self, mode, await_inside):
        import itertools
        import threading

        if mode == "atomic":
            gil_enabled = getattr(sys, "_is_gil_enabled", lambda: True)
            if not gil_enabled():
                raise Refused(
                    "shared = \"atomic\" relies on the GIL (next() of an itertools.count "
                    "is atomic only under it), and this interpreter runs without one"
                )
        self.mode = mode
        self.await_inside = await_inside
        self.value = 0
        self.lock_wait = 0
        self.lock = threading.Lock()
        self.count = itertools.count()
        self.async_lock = None

    def read(self):
        return self.value

    def write(self, value):
        self.value = value

    def add_wait(self, ns):
        self.lock_wait += ns

    def increment(self):
        next(self.count)

    async def update_async(self, work):
        """One round's update around work(), on the event loop: as update(),
        with asyncio's lock and an await of asyncio.sleep(0) inside."""
        import asyncio

        mode = self.mode
        if mode == "atomic":
            work()
            self.increment()
            return
        lock = None
        if mode == "locked":
            if self.async_lock is None:
                # Made on the running loop (Python 3.8 and 3.9 bind a lock
                # to the loop current when it is made).
                self.async_lock = asyncio.Lock()
            lock = self.async_lock
            if lock.locked():
                start = now()
                await lock.acquire()
                self.add_wait(now() - start)
            else:
                await lock.acquire()
        try:
            read = self.value
            work()
            if self.await_inside:
                await asyncio.sleep(0)
            self.value = read + 1
        finally:
            if lock is not None:
                lock.release()

    def result(self):
        final = next(self.count) if self.mode == "atomic" else self.value
        return {"final": final, "lock_wait_ns": self.lock_wait}


class ProcessCounter(Counter):
    """A group's counter in memory the pool's processes share: a
    multiprocessing.Value without its lock, and a multiprocessing.Lock for
    `locked`. Made before the pool forks its workers, which inherit it."""

    def __init__(self, context, mode, await_inside):
        if mode == "atomic":
            raise Refused(
                "shared = \"atomic\" is not supported by python-processes: CPython has no "
                "atomic increment of memory shared between processes"
            )
        self.mode = mode
        self.await_inside = await_inside
        self.value = context.Value("Q", 0, lock=False)
        self.lock_wait = context.Value("Q", 0, lock=False)
        self.lock = context.Lock()

    def read(self):
        return self.value.value

    def write(self, value):
        self.value.value = value

    def add_wait(self, ns):
        # Called holding the lock: the workers' additions do not race.
        self.lock_wait.value += ns

    def result(self):
        return {"final": self.value.value, "lock_wait_ns": self.lock_wait.value}


def counters(job, make):
    """Each group's counter, made by make(mode, await_inside), or None for a
    group without one."""
    return [
        make(g["shared"], g["await_inside"]) if g["shared"] != "none" else None
        for g in job["groups"]
    ]


class Task:
    """What one task records about itself while it runs."""

    def __init__(self, job, index, ident, counters):
        self.latencies = job["latencies"][index]
        self.cpu_ns = job["cpu_ns"][index]
        self.counter = counters[job["task_groups"][index]]
        self.ident = ident
        self.spans = [] if job["timeline"] else None
        self.waits = []
        self.cpu_burned = 0
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
        self.waits.append((deadline, completed, end))
        if self.spans is not None:
            self.spans.append(("io", start, end, self.ident))

    def cpu(self):
        if self.cpu_ns > 0:
            start = now()
            self.cpu_burned += burn(self.cpu_ns)
            if self.spans is not None:
                self.spans.append(("cpu", start, now(), self.ident))

    def needs_io(self):
        return any(latency > 0 for latency in self.latencies)

    def record(self):
        return {
            "start": self.start,
            "end": self.end,
            "waits": self.waits,
            "cpu_ns": self.cpu_burned,
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


class BlockingIo:
    """How a task on a thread of its own waits: blocking the thread, on a
    sleep or on the delay server's socket. Its coroutines never suspend,
    so finish() runs a task with it to its end in one step."""

    def __init__(self, job):
        self.job = job
        self.sock = None

    async def open(self, task):
        if self.job["tcp"] and task.needs_io():
            self.sock = connect(self.job)

    async def wait(self, latency, deadline):
        """Waits latency ns; returns when the IO completed. A sleep never
        ends before its deadline (it sleeps again if woken early)."""
        if self.sock is None:
            wait_until(deadline)
            return deadline
        return ask(self.sock, latency)

    async def update(self, counter, work):
        counter.update(work)

    async def close(self):
        if self.sock is not None:
            self.sock.close()


class LoopIo:
    """How a task on the event loop waits: yielding to the loop until its
    sleep is over or the delay server has answered."""

    def __init__(self, job):
        import asyncio

        self.asyncio = asyncio
        self.job = job
        self.reader = None
        self.writer = None

    async def open(self, task):
        if self.job["tcp"] and task.needs_io():
            host, port = server_address(self.job)
            self.reader, self.writer = await self.asyncio.open_connection(host, port)

    async def wait(self, latency, deadline):
        """Waits latency ns; returns when the IO completed."""
        if self.writer is None:
            await self.asyncio.sleep(latency / 1e9)
            # asyncio's clock is float seconds: never end early.
            while now() < deadline:
                await self.asyncio.sleep((deadline - now()) / 1e9)
            return deadline
        self.writer.write(latency.to_bytes(8, "big"))
        await self.writer.drain()
        return int.from_bytes(await self.reader.readexactly(8), "big")

    async def update(self, counter, work):
        await counter.update_async(work)

    async def close(self):
        if self.writer is not None:
            self.writer.close()
            await self.writer.wait_closed()


async def run_task(task, io):
    """The rounds of one task, written once for both kinds of task: io
    (a BlockingIo or a LoopIo) says how it waits and how it enters a
    round's update of its group's counter."""
    counter = task.counter
    task.start = now()
    await io.open(task)
    try:
        for latency in task.latencies:
            if task.must_stop():
                return task.record()
            if latency > 0:
                start = now()
                deadline = start + latency
                completed = await io.wait(latency, deadline)
                task.io(start, deadline, completed, now())
                if task.must_stop():
                    return task.record()
            if counter is None:
                task.cpu()
            else:
                await io.update(counter, task.cpu)
    finally:
        await io.close()
    task.end = now()
    return task.record()


def finish(coroutine):
    """Runs a coroutine that never suspends to its end on the calling
    thread and returns what it returns."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value
    coroutine.close()
    raise RuntimeError("a blocking task suspended, as only a task on an event loop may")


def run_blocking(job, index, ident, counters):
    """One task on the calling thread, blocking on each IO wait."""
    return finish(run_task(Task(job, index, ident, counters), BlockingIo(job)))


async def run_async(job, index, ident, counters):
    """One task on the event loop: each IO wait yields to the loop; CPU work
    runs inline and holds the loop."""
    return await run_task(Task(job, index, ident, counters), LoopIo(job))


async def run_async_blocking(job, index, ident, counters):
    """One task on the event loop whose IO waits are blocking calls inside
    the coroutine (time.sleep, a blocking socket read): they never yield,
    so the loop runs nothing else until the task ends (the pitfall)."""
    return await run_task(Task(job, index, ident, counters), BlockingIo(job))


# Each model is a function of the job and the groups' counters, called at
# t0 (after `main` has imported the modules it names in MODELS and made the
# counters, so both are setup), that returns the task records in task order.
#
# Dispatch: every model hands its tasks out in the job's "order", each once
# it is due (job["due"][i] ns after t0; all at t0 without arrivals), and
# hands out none due at or after the run's stop (job["stop"]): a task never
# handed out is reported unfinished, with no start and no end.


def unfinished():
    return {"start": 0, "end": 0, "waits": [], "cpu_ns": 0, "spans": []}


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


def sequential(job, shared):
    import threading

    ident = threading.get_native_id()
    records = [unfinished() for _ in job["latencies"]]
    for i in dispatch(job):
        records[i] = run_blocking(job, i, ident, shared)
    return records


def threads(job, shared):
    import threading

    records = [unfinished() for _ in job["latencies"]]
    failures = []

    def body(i):
        try:
            records[i] = run_blocking(job, i, threading.get_native_id(), shared)
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


def thread_pool(job, shared):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    def body(i):
        return run_blocking(job, i, threading.get_native_id(), shared)

    records = [unfinished() for _ in job["latencies"]]
    with ThreadPoolExecutor(max_workers=job["workers"]) as pool:
        futures = [(i, pool.submit(body, i)) for i in dispatch(job)]
        for i, f in futures:
            records[i] = f.result()
    return records


def asyncio_gather(job, shared, run=run_async):
    """Every task a coroutine on one event loop, gathered; run is how one
    task runs on the loop."""
    import asyncio
    import threading

    ident = threading.get_native_id()
    records = [unfinished() for _ in job["latencies"]]

    async def one(i):
        records[i] = await run(job, i, ident, shared)

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


def asyncio_blocking(job, shared):
    return asyncio_gather(job, shared, run_async_blocking)


# The job and the groups' counters as pool workers see them: they are
# forked, so they inherit both.
JOB = None
COUNTERS = None


def process_task(index):
    return run_blocking(JOB, index, os.getpid(), COUNTERS)


def fork_context():
    import multiprocessing

    # fork: the pool's workers inherit this program, which `-c` code has no
    # file to re-import from (spawn and forkserver would need one).
    return multiprocessing.get_context("fork")


def process_counters(job):
    context = fork_context()
    return counters(job, lambda mode, inside: ProcessCounter(context, mode, inside))


def processes(job, shared):
    global JOB, COUNTERS
    JOB = job
    COUNTERS = shared
    pool = fork_context().Pool(processes=job["workers"])
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


def thread_counters(job):
    return counters(job, ThreadCounter)


# Each model: its function, the modules it imports, and how it makes the
# groups' counters.
MODELS = {
    "sequential": (sequential, ("threading",), thread_counters),
    "threads": (threads, ("threading",), thread_counters),
    "thread-pool": (thread_pool, ("threading", "concurrent.futures"), thread_counters),
    "asyncio": (asyncio_gather, ("threading", "asyncio"), thread_counters),
    "asyncio-blocking": (asyncio_blocking, ("threading", "asyncio"), thread_counters),
    "processes": (processes, ("multiprocessing", "multiprocessing.pool"), process_counters),
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


def runtime():
    """What runs this runner: protocol 5's `runtime`, with what changes a
    prediction for Python (the implementation and whether a GIL is on)."""
    import platform

    gil_enabled = getattr(sys, "_is_gil_enabled", lambda: True)
    return {
        "name": "python",
        "version": platform.python_version(),
        "implementation": sys.implementation.name,
        "gil": bool(gil_enabled()),
    }


def write_line(reply):
    out = sys.stdout
    out.write(json.dumps(reply, separators=(",", ":")))
    out.write("\n")
    out.flush()
    sys.stderr.flush()


def refuse(why):
    """A refusal, as data: conlab skips the cell with the reason."""
    write_line({"protocol": PROTOCOL, "refused": why, "runtime": runtime()})
    os._exit(3)


def main():
    job = json.loads(sys.stdin.buffer.read())
    if job.get("protocol") != PROTOCOL:
        refuse("this runner speaks runner protocol %r, and the job is protocol %r"
               % (PROTOCOL, job.get("protocol")))
    if job.get("model") not in MODELS:
        refuse("this runner has no model %r (it has %s)"
               % (job.get("model"), ", ".join(sorted(MODELS))))
    model, modules, make_counters = MODELS[job["model"]]
    for name in modules:
        __import__(name)
    if job["tcp"]:
        import socket  # noqa: F401
    try:
        shared = make_counters(job)
    except Refused as why:
        refuse(str(why))
    facts = runtime()

    before = usage()
    t0 = now()
    job["t0"] = t0
    stops = []
    if job.get("stop_after") is not None:
        stops.append(t0 + job["stop_after"])
    if job.get("deadline") is not None:
        stops.append(job["deadline"])
    if stops:
        job["stop"] = min(stops)
    records = model(job, shared)
    write_line({
        "protocol": PROTOCOL,
        "runtime": facts,
        "t0": t0,
        "startup_usage": before,
        "tasks": records,
        "shared": [c.result() if c is not None else None for c in shared],
    })
    # Every thread, pool worker and event loop has ended; skipping the
    # interpreter's finalization keeps its teardown out of the run's CPU.
    os._exit(0)


if __name__ == "__main__":
    main()
