"""The GIL convoy measured in CPython directly, without conlab: one thread
computes for 400 ms of its own CPU time while another does `rounds` × (a
1 ms sleep, then 20 µs of pure-Python work), as in experiments/convoy.toml.
Prints the IO thread's wake-up delay (from each sleep's deadline until the
thread runs again) as p50, p99 and max in µs, alone and beside the CPU
thread, for each switch interval given.

    python3 experiments/reference/convoy.py [rounds] [switch interval ms...]

It is the reference conlab's python-threads and gil-threads cells are held
against (the README's "Mixed workloads" section quotes both).
"""

import sys
import threading
import time

now = time.monotonic_ns
CHUNK = 200


def burn(cost_ns):
    """Pure-Python work until this thread's CPU clock advanced cost_ns."""
    end = time.thread_time_ns() + cost_ns
    x = 1
    while True:
        for _ in range(CHUNK):
            x = (x * 1103515245 + 12345) & 0x7FFFFFFF
        if time.thread_time_ns() >= end:
            return x


def io_task(rounds, delays):
    for _ in range(rounds):
        start = now()
        deadline = start + 1_000_000
        time.sleep(0.001)
        delays.append(now() - deadline)
        burn(20_000)


def percentiles(values):
    values = sorted(values)
    pick = lambda q: values[min(len(values) - 1, int(q * len(values)))]
    return pick(0.5) / 1e3, pick(0.99) / 1e3, values[-1] / 1e3


def run(rounds, with_cpu):
    delays = []
    threads = [threading.Thread(target=io_task, args=(rounds, delays))]
    if with_cpu:
        threads.insert(0, threading.Thread(target=burn, args=(400_000_000,)))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return percentiles(delays)


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    intervals = [float(a) for a in sys.argv[2:]] or [1.0, 5.0, 20.0]
    print(f"CPython {sys.version.split()[0]}, {rounds} rounds; wake-up delay p50 / p99 / max (µs)")
    p = run(rounds, False)
    print(f"  IO thread alone:               {p[0]:8.1f} {p[1]:8.1f} {p[2]:8.1f}")
    for ms in intervals:
        sys.setswitchinterval(ms / 1000)
        p = run(rounds, True)
        print(f"  beside CPU, switch {ms:4g} ms:   {p[0]:8.1f} {p[1]:8.1f} {p[2]:8.1f}")


if __name__ == "__main__":
    main()
