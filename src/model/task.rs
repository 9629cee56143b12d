//! The body every task runs, in a blocking and an async flavour: `rounds`
//! times, an IO wait (the deadline set when the wait begins) followed by
//! CPU work on the task's own thread. Each wait and burst goes into the
//! task's log. A zero latency means no IO at all: nothing waits, nothing is
//! logged.

use super::job::{SpanKind, TaskLog};
use crate::measure::now_ns;
use crate::workload::{cpu, io, timer::PreciseTimer};

/// Runs one task on the calling thread, blocking on each IO wait.
pub fn run_blocking(latencies: &[u64], cpu_ns: u64, log: &mut TaskLog) {
    log.start_ns = now_ns();
    for &latency in latencies {
        if latency > 0 {
            let start = now_ns();
            let deadline = start + latency;
            io::sleep_until(deadline);
            log.io(start, deadline, now_ns());
        }
        burn(cpu_ns, log);
    }
    log.end_ns = now_ns();
}

/// Runs one task on an event loop: each IO wait yields to the loop until
/// the precise timer wakes it; CPU work runs inline and holds the loop.
pub async fn run_async(latencies: &[u64], cpu_ns: u64, timer: &PreciseTimer, log: &mut TaskLog) {
    log.start_ns = now_ns();
    for &latency in latencies {
        if latency > 0 {
            let start = now_ns();
            let deadline = start + latency;
            timer.sleep_until(deadline).await;
            log.io(start, deadline, now_ns());
        }
        burn(cpu_ns, log);
    }
    log.end_ns = now_ns();
}

/// Burns `cpu_ns` of the calling thread's CPU, logging the burst.
pub fn burn(cpu_ns: u64, log: &mut TaskLog) {
    if cpu_ns > 0 {
        let start = now_ns();
        cpu::burn(cpu_ns);
        log.span(SpanKind::Cpu, start, now_ns());
    }
}
