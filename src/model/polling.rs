//! `polling`: one thread submits every task's IO at once, then finds out
//! about completions only by checking, never by being woken. Each pending
//! IO is a timerfd armed for its deadline (the OS completes the "IO" when
//! the timer expires); the thread checks every pending IO with a
//! non-blocking `read`, runs the CPU work of each completion it notices,
//! submits that task's next IO, and then sleeps `poll_interval` before the
//! next pass (0: no sleep, a busy spin). Its CPU time shows what polling
//! costs; its IO overshoot shows how late completions are noticed.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

use super::job::{Extras, Job, ModelError, ModelRun, TaskLog};
use super::task;
use crate::matrix::DEFAULT_POLL_INTERVAL;
use crate::measure::now_ns;
use crate::workload::io as wait;

/// One task's pending IO.
struct Pending {
    task: usize,
    round: usize,
    fd: OwnedFd,
    start_ns: u64,
    deadline_ns: u64,
}

fn timerfd() -> io::Result<OwnedFd> {
    // SAFETY: timerfd_create has no memory effects; the result is checked.
    let raw = unsafe {
        libc::timerfd_create(
            libc::CLOCK_MONOTONIC,
            libc::TFD_NONBLOCK | libc::TFD_CLOEXEC,
        )
    };
    if raw < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `raw` is a new descriptor that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(raw) })
}

fn arm(fd: &OwnedFd, deadline_ns: u64) {
    let spec = libc::itimerspec {
        it_interval: wait::timespec(0),
        it_value: wait::timespec(deadline_ns.max(1)),
    };
    // SAFETY: a live timerfd and a valid itimerspec.
    unsafe {
        libc::timerfd_settime(
            fd.as_raw_fd(),
            libc::TFD_TIMER_ABSTIME,
            &spec,
            std::ptr::null_mut(),
        )
    };
}

/// The non-blocking check: has the timer expired?
fn completed(fd: &OwnedFd) -> bool {
    let mut expirations = 0u64;
    // SAFETY: reads at most 8 bytes into an 8-byte integer.
    let n = unsafe { libc::read(fd.as_raw_fd(), (&mut expirations as *mut u64).cast(), 8) };
    n == 8
}

pub fn run(job: &Job, mut logs: Vec<TaskLog>) -> Result<ModelRun, ModelError> {
    let interval = job.cell.poll_interval.unwrap_or(DEFAULT_POLL_INTERVAL).0;
    let rounds = job.rounds();
    let cpu_ns = job.cpu_ns();
    let mut fds = Vec::with_capacity(job.tasks());
    for _ in 0..job.tasks() {
        fds.push(timerfd().map_err(|source| ModelError::Setup {
            what: "timerfd for an IO",
            source,
        })?);
    }
    let ready_ns = now_ns();
    let mut pending: Vec<Pending> = Vec::with_capacity(job.tasks());
    for (task, fd) in fds.into_iter().enumerate() {
        logs[task].start_ns = now_ns();
        if let Some(p) = submit(job, task, 0, fd, cpu_ns, &mut logs[task]) {
            pending.push(p);
        }
    }
    while !pending.is_empty() {
        let mut i = 0;
        while i < pending.len() {
            if !completed(&pending[i].fd) {
                i += 1;
                continue;
            }
            let p = pending.swap_remove(i);
            let log = &mut logs[p.task];
            log.io(p.start_ns, p.deadline_ns, now_ns());
            task::burn(cpu_ns, log);
            if p.round + 1 < rounds {
                if let Some(next) = submit(job, p.task, p.round + 1, p.fd, cpu_ns, log) {
                    pending.push(next);
                }
            } else {
                log.end_ns = now_ns();
            }
        }
        if interval > 0 && !pending.is_empty() {
            wait::sleep_until(now_ns() + interval);
        }
    }
    Ok(ModelRun {
        wall_start_ns: None,
        ready_ns,
        logs,
        extras: Extras::default(),
    })
}

/// Submits `task`'s IO for `round`; rounds without IO run their CPU work
/// at once. Returns the pending IO, or None when the task has finished.
fn submit(
    job: &Job,
    task: usize,
    mut round: usize,
    fd: OwnedFd,
    cpu_ns: u64,
    log: &mut TaskLog,
) -> Option<Pending> {
    let latencies = job.task_latencies(task);
    while round < latencies.len() {
        let latency = latencies[round];
        if latency > 0 {
            let start_ns = now_ns();
            let deadline_ns = start_ns + latency;
            arm(&fd, deadline_ns);
            return Some(Pending {
                task,
                round,
                fd,
                start_ns,
                deadline_ns,
            });
        }
        task::burn(cpu_ns, log);
        round += 1;
    }
    log.end_ns = now_ns();
    None
}
