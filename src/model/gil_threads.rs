//! `gil-threads`: one OS thread per task, as `threads`, but a task may only
//! compute while it holds a global lock modelled on CPython's GIL (see
//! [`super::gil`]). IO waits release the lock, so IO still overlaps; CPU
//! work is serialised and switched every `switch_interval`. A shared
//! counter's window runs holding the lock, and a switch can fall inside it;
//! its `locked` mode is a real mutex beside the GIL, waited for with the
//! GIL released.

use super::error::ModelError;
use super::gil::Gil;
use super::io::BlockingIo;
use super::job::{Extras, Job, ModelRun};
use super::record::{Records, SpanKind, TaskRecord};
use super::shared::GiveWay;
use super::threads::thread_per_task;
use crate::config::DEFAULT_SWITCH_INTERVAL;
use crate::measure::now_ns;
use crate::workload::cpu;

pub fn run(job: &Job, records: &Records) -> Result<ModelRun, ModelError> {
    let interval = job.cell.switch_interval.unwrap_or(DEFAULT_SWITCH_INTERVAL);
    let gil = Gil::new(interval.0);
    let ready_ns = thread_per_task(job, records, |i, record| run_task(&gil, job, i, record))?;
    let stats = gil.stats();
    Ok(ModelRun {
        extras: Extras {
            lock_handoffs: Some(stats.handoffs),
            lock_wait_total_ns: Some(stats.wait_total_ns),
            lock_wait_max_ns: Some(stats.wait_max_ns),
            ..Extras::default()
        },
        ..ModelRun::new(ready_ns)
    })
}

/// Takes the lock, logging the wait if there was one.
fn take(gil: &Gil, me: u32, log: &mut TaskRecord<'_>) {
    let start = now_ns();
    if gil.take(me) > 0 {
        log.span(SpanKind::LockWait, start, now_ns());
    }
}

/// One task: like a Python thread, it needs the lock to run at all,
/// releases it around each IO wait, and gives it up mid-computation when
/// another thread asks for it.
fn run_task(gil: &Gil, job: &Job, i: usize, log: &mut TaskRecord<'_>) -> std::io::Result<()> {
    let me = i as u32 + 1;
    let spec = job.task(i);
    let mut io = BlockingIo::open(job)?;
    take(gil, me, log);
    for latency in spec.latencies.iter() {
        if log.must_stop() {
            gil.release(me, false);
            return Ok(());
        }
        if latency > 0 {
            gil.release(me, false);
            let start = now_ns();
            let deadline = start + latency;
            let waited = io.wait(latency, deadline);
            let io_end = now_ns();
            log.io(
                start,
                deadline,
                *waited.as_ref().unwrap_or(&deadline),
                io_end,
            );
            take(gil, me, log);
            // Running again means holding the lock again.
            log.woke_later(now_ns().saturating_sub(io_end));
            if let Err(e) = waited {
                gil.release(me, false);
                return Err(e);
            }
            if log.must_stop() {
                gil.release(me, false);
                return Ok(());
            }
        }
        let way = GilWay { gil, me };
        job.shared.round_in(spec.group, log, &way, |log| {
            compute(gil, me, spec.cpu_ns, log)
        });
    }
    gil.release(me, false);
    log.ended(now_ns());
    Ok(())
}

/// Burns `cpu_ns` holding the lock, giving it up whenever another thread
/// asks for it (so a switch can fall inside a shared counter's window).
fn compute(gil: &Gil, me: u32, cpu_ns: u64, log: &mut TaskRecord<'_>) {
    let mut left = cpu_ns;
    while left > 0 {
        let start = now_ns();
        let used = cpu::burn_until_asked(left, || gil.drop_requested());
        log.span(SpanKind::Cpu, start, now_ns());
        left = left.saturating_sub(used);
        if left > 0 && gil.drop_requested() {
            gil.release(me, true);
            take(gil, me, log);
        }
    }
}

/// How a thread under the modelled GIL gives way inside a shared counter's
/// window, as CPython does: `time.sleep(0)` and a blocking lock acquire
/// release the GIL and take it back afterwards. (A thread that blocked on
/// the counter's lock while holding the GIL would stop the lock's holder
/// from ever finishing its window.)
struct GilWay<'g> {
    gil: &'g Gil,
    me: u32,
}

impl<'r> GiveWay<TaskRecord<'r>> for GilWay<'_> {
    fn yield_now(&self, log: &mut TaskRecord<'r>) {
        self.gil.release(self.me, false);
        std::thread::yield_now();
        take(self.gil, self.me, log);
    }

    fn block<T>(&self, log: &mut TaskRecord<'r>, wait: impl FnOnce() -> T) -> T {
        self.gil.release(self.me, false);
        let out = wait();
        take(self.gil, self.me, log);
        out
    }
}
