//! The body every task runs, in a blocking and an async flavour: `rounds`
//! times, an IO wait (the deadline set when the wait begins) followed by
//! CPU work on the task's own thread. Each wait and burst goes into the
//! task's log. A zero latency means no IO at all: nothing waits, nothing is
//! logged.

use std::io;

use super::io::{AsyncIo, BlockingIo};
use super::job::{Job, SpanKind, TaskLog};
use crate::measure::now_ns;
use crate::workload::cpu;
use crate::workload::timer::PreciseTimer;

/// Runs task `i` of `job` on the calling thread, blocking on each IO wait.
pub fn run_blocking(job: &Job, i: usize, log: &mut TaskLog) -> io::Result<()> {
    log.start_ns = now_ns();
    let mut io = BlockingIo::open(job)?;
    let spec = job.task(i);
    for latency in spec.latencies.iter() {
        if latency > 0 {
            let start = now_ns();
            let deadline = start + latency;
            let completed = io.wait(latency, deadline)?;
            log.io(start, deadline, completed, now_ns());
        }
        burn(spec.cpu_ns, log);
    }
    log.end_ns = now_ns();
    Ok(())
}

/// Runs task `i` of `job` on an event loop: each IO wait yields to the
/// loop until it completes; CPU work runs inline and holds the loop.
pub async fn run_async(
    job: &Job,
    i: usize,
    timer: &PreciseTimer,
    log: &mut TaskLog,
) -> io::Result<()> {
    log.start_ns = now_ns();
    let mut io = AsyncIo::open(job, timer).await?;
    let spec = job.task(i);
    for latency in spec.latencies.iter() {
        if latency > 0 {
            let start = now_ns();
            let deadline = start + latency;
            let completed = io.wait(latency, deadline).await?;
            log.io(start, deadline, completed, now_ns());
        }
        burn(spec.cpu_ns, log);
    }
    log.end_ns = now_ns();
    Ok(())
}

/// Burns `cpu_ns` of the calling thread's CPU, logging the burst.
pub fn burn(cpu_ns: u64, log: &mut TaskLog) {
    if cpu_ns > 0 {
        let start = now_ns();
        cpu::burn(cpu_ns);
        log.span(SpanKind::Cpu, start, now_ns());
    }
}

/// The message of a task's IO failure.
pub fn io_failure(i: usize, e: &io::Error) -> String {
    format!("task {i}: IO failed: {e}")
}
