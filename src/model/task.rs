//! The body every task runs, in a blocking and two async flavours (timer
//! IO, and IO of any kind): `rounds` times, an IO wait (the deadline set
//! when the wait begins) followed by CPU work on the task's own thread,
//! inside the round's update of its group's shared counter, if it has one
//! (see [`super::shared`]). Each wait and burst goes into the task's
//! record. A zero latency means no IO at all: nothing waits, nothing is
//! recorded.
//!
//! The task's end is the moment its last wait or burst ended, read once:
//! the clock is read twice per wait and twice per burst, and not again
//! (but once before each round in a run with a stop).
//!
//! A task past its run's stop returns before its next round without an
//! end time, and so does one whose IO wait ends past it: unfinished.

use std::io;
use std::sync::Arc;

use super::io::{AsyncIo, BlockingIo};
use super::job::Job;
use super::record::{Records, SpanKind, TaskRecord};
use crate::measure::now_ns;
use crate::workload::cpu;
use crate::workload::timer::PreciseTimer;

/// The rounds of a task, written once for [`run_blocking`] and
/// [`run_async`], which differ only in how they wait and how they enter
/// the round's update of the group's counter. `wait(latency, deadline)`
/// is the IO wait, an expression evaluating to when the IO completed
/// (ending in `?`, and in `.await` for the async flavour); `round(work)`
/// runs `work` (the round's CPU work, returning when it ended, if it did
/// any) inside the update. Expands to the function's body: it returns
/// `Ok(())` from the function, early when the run's stop has passed.
macro_rules! rounds {
    (
        $spec:expr, $record:expr,
        wait($latency:ident, $deadline:ident) => $wait:expr,
        round($work:ident) => $round:expr $(,)?
    ) => {{
        let spec = $spec;
        let mut last = None;
        for $latency in spec.latencies.iter() {
            if $record.must_stop() {
                return Ok(());
            }
            if $latency > 0 {
                let start = now_ns();
                let $deadline = start + $latency;
                let completed = $wait;
                let end = now_ns();
                $record.io(start, $deadline, completed, end);
                last = Some(end);
                if $record.stops_after(end) {
                    return Ok(());
                }
            }
            let $work = || burn(spec.cpu_ns, $record);
            last = $round.or(last);
        }
        $record.ended(last.unwrap_or_else(now_ns));
        Ok(())
    }};
}

/// Runs task `i` of `job` on the calling thread, blocking on each IO wait.
pub fn run_blocking(job: &Job, i: usize, record: &mut TaskRecord<'_>) -> io::Result<()> {
    let mut io = BlockingIo::open(job)?;
    let spec = job.task(i);
    rounds!(
        spec, record,
        wait(latency, deadline) => io.wait(latency, deadline)?,
        round(work) => job.shared.round(spec.group, work),
    )
}

/// Runs task `i` of `job` on an event loop: each IO wait yields to the
/// loop until it completes; CPU work runs inline and holds the loop.
pub async fn run_async(
    job: &Job,
    i: usize,
    timer: &PreciseTimer,
    record: &mut TaskRecord<'_>,
) -> io::Result<()> {
    let mut io = AsyncIo::open(job, timer).await?;
    let spec = job.task(i);
    rounds!(
        spec, record,
        wait(latency, deadline) => io.wait(latency, deadline).await?,
        round(work) => job.shared.round_async(spec.group, work).await,
    )
}

/// What an async task of a run reaches through one reference: the job,
/// the run's records and the precise timer.
pub struct TaskContext {
    pub job: Arc<Job>,
    pub records: Arc<Records>,
    pub timer: PreciseTimer,
}

/// [`run_async`] for timer IO only, which cannot fail: without the
/// connection states of tcp, and keeping nothing across a wait that can
/// be looked up again after it (the round's CPU work, the wait's start),
/// the task's future is a fraction of the size, which is what a million
/// of them in memory at once need.
pub async fn run_async_timer(ctx: &TaskContext, i: u32) {
    let i = i as usize;
    let rounds = ctx.job.task(i).latencies.len() as u32;
    // When the task last did something; 0 until it has.
    let mut last = 0;
    let mut round = 0;
    while round < rounds {
        let r = round as usize;
        if ctx.records.past_stop(now_ns) {
            return;
        }
        let latency = ctx.job.task(i).latencies.get(r);
        if latency > 0 {
            // The sleep reads the clock once when it starts and once when
            // it finds itself due: the moment the task runs again.
            let (deadline, end) = ctx.timer.sleep_for(latency).await;
            ctx.records
                .task_at(i, r)
                .io(deadline - latency, deadline, deadline, end);
            last = end;
            if ctx.records.past_stop(|| end) {
                return;
            }
        }
        let group = ctx.job.task(i).group;
        let work = || burn(ctx.job.task(i).cpu_ns, &mut ctx.records.task_at(i, r));
        // A round that may wait for the counter's lock or yield inside its
        // window awaits; its future is boxed, so that the task's own stays
        // small when no counter needs it.
        let end = if ctx.job.shared.awaits(group) {
            Box::pin(ctx.job.shared.round_async(group, work)).await
        } else {
            ctx.job.shared.round(group, work)
        };
        if let Some(end) = end {
            last = end;
        }
        round += 1;
    }
    ctx.records
        .task(i)
        .ended(if last == 0 { now_ns() } else { last });
}

/// Burns `cpu_ns` of the calling thread's CPU, recording the burst;
/// returns when it ended, if there was one.
pub fn burn(cpu_ns: u64, record: &mut TaskRecord<'_>) -> Option<u64> {
    if cpu_ns == 0 {
        return None;
    }
    let start = now_ns();
    cpu::burn(cpu_ns);
    let end = now_ns();
    record.span(SpanKind::Cpu, start, end);
    Some(end)
}

/// The message of a task's IO failure.
pub fn io_failure(i: usize, e: &io::Error) -> String {
    format!("task {i}: IO failed: {e}")
}
