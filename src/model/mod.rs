//! The concurrency models. Each kind lives in its own file and exposes
//! `run(job, logs)`: it runs every task of the job its own way and hands
//! back the task logs. Models do the work; they do not time the run as a
//! whole (the runner's worker does, around `run`).

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
mod sequential;
mod task;
mod thread_pool;
mod threads;

pub use job::{Extras, Job, ModelError, ModelRun, Span, SpanKind, TaskLog, WaitLog};

use std::sync::Arc;

use crate::config::{IoKind, ModelKind};

/// Runs `job` with its cell's model, filling the preallocated `logs`. The
/// job comes shared so that models whose tasks outlive a borrow (tokio's)
/// need not copy it while the run is being timed.
pub fn run(job: &Arc<Job>, logs: Vec<TaskLog>) -> Result<ModelRun, ModelError> {
    match job.cell.kind {
        ModelKind::Sequential => sequential::run(job, logs),
        ModelKind::Threads => threads::run(job, logs),
        ModelKind::ThreadPool => thread_pool::run(job, logs),
        ModelKind::Async => async_loop::run(job, logs),
        ModelKind::AsyncMulti => async_multi::run(job, logs),
        ModelKind::GilThreads => gil_threads::run(job, logs),
        ModelKind::Processes => processes::run(job, logs),
        ModelKind::AsyncBlocking => async_blocking::run(job, logs),
        ModelKind::Polling => polling::run(job, logs),
        ModelKind::PythonSequential
        | ModelKind::PythonThreads
        | ModelKind::PythonThreadPool
        | ModelKind::PythonAsyncio
        | ModelKind::PythonProcesses => python::run(job, logs),
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
