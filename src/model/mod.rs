//! The concurrency models. Each kind lives in its own file and exposes
//! `run(job, records)`: it runs every task of the job its own way, each
//! task writing what it measured into its slots of the run's [`Records`].
//! Models do the work; they do not time the run as a whole (the runner's
//! worker does, around `run`).

pub mod arrivals;
mod async_blocking;
mod async_loop;
mod async_multi;
mod gil;
mod gil_threads;
mod io;
pub mod job;
pub mod latencies;
mod polling;
pub mod processes;
pub mod python;
pub mod record;
mod sequential;
pub mod shared;
mod task;
mod thread_pool;
mod threads;

pub use arrivals::Schedule;
pub use job::{Extras, Job, ModelError, ModelRun};
pub use record::{Records, Span, SpanKind, WaitLog};
pub use shared::Shared;

use std::sync::Arc;

use crate::config::{IoKind, ModelKind};

/// Runs `job` with its cell's model, filling the preallocated `records`.
/// Both come shared so that models whose tasks outlive a borrow (tokio's)
/// need not copy them while the run is being timed.
pub fn run(job: &Arc<Job>, records: &Arc<Records>) -> Result<ModelRun, ModelError> {
    let mut run = run_kind(job, records)?;
    // conlab's own models count in `job.shared`; python's report theirs.
    if !job.cell.kind.is_python() {
        run.extras.shared = job.shared.outcome(&job.cell);
    }
    if stopped_a_counter(job, records) {
        run.extras.shared = None;
    }
    Ok(run)
}

/// Whether the run's stop left a task of a group with a shared counter
/// unfinished (see [`arrivals`]): how many of its rounds updated the
/// counter is then unknown, and so are the updates lost, which the run
/// does not report.
pub(crate) fn stopped_a_counter(job: &Job, records: &Records) -> bool {
    (0..job.tasks())
        .any(|i| records.end_ns(i) == 0 && job.cell.groups[job.task(i).group].shared.counts())
}

fn run_kind(job: &Arc<Job>, records: &Arc<Records>) -> Result<ModelRun, ModelError> {
    match job.cell.kind {
        ModelKind::Sequential => sequential::run(job, records),
        ModelKind::Threads => threads::run(job, records),
        ModelKind::ThreadPool => thread_pool::run(job, records),
        ModelKind::Async => async_loop::run(job, records),
        ModelKind::AsyncMulti => async_multi::run(job, records),
        ModelKind::GilThreads => gil_threads::run(job, records),
        ModelKind::Processes => processes::run(job, records),
        ModelKind::AsyncBlocking => async_blocking::run(job, records),
        ModelKind::Polling => polling::run(job, records),
        ModelKind::PythonSequential
        | ModelKind::PythonThreads
        | ModelKind::PythonThreadPool
        | ModelKind::PythonAsyncio
        | ModelKind::PythonProcesses => python::run(job, records),
    }
}

/// Files a run of this cell keeps open at once for its tasks' IO.
pub fn files_needed(kind: ModelKind, io: IoKind, tasks: u64) -> u64 {
    match (kind, io) {
        // One timerfd per pending IO.
        (ModelKind::Polling, _) => tasks,
        // One connection per task.
        (_, IoKind::Tcp) => tasks,
        _ => 0,
    }
}

/// Worker processes a run of this cell starts.
pub fn processes_needed(kind: ModelKind, workers: Option<u32>) -> u64 {
    match kind {
        ModelKind::Processes | ModelKind::PythonProcesses => workers.unwrap_or(1) as u64,
        _ => 0,
    }
}

/// Threads a run of this cell starts in one process, besides the main one.
pub fn threads_needed(kind: ModelKind, tasks: u64, workers: Option<u32>) -> u64 {
    match kind {
        ModelKind::Threads | ModelKind::GilThreads | ModelKind::PythonThreads => tasks,
        ModelKind::ThreadPool | ModelKind::AsyncMulti | ModelKind::PythonThreadPool => {
            workers.unwrap_or(1) as u64
        }
        _ => 1,
    }
}
