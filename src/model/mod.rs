//! The concurrency models. Each kind lives in its own file and exposes
//! `run(job, logs)`: it runs every task of the job its own way and hands
//! back the task logs. Models do the work; they do not time the run as a
//! whole (the runner's worker does, around `run`).

mod async_loop;
pub mod job;
pub mod kind;
pub mod python;
mod sequential;
mod task;
mod thread_pool;
mod threads;

pub use job::{Extras, Job, ModelError, ModelRun, Span, SpanKind, TaskLog};
pub use kind::{ModelKind, Param};

/// Runs `job` with its cell's model, filling the preallocated `logs`.
pub fn run(job: &Job, logs: Vec<TaskLog>) -> Result<ModelRun, ModelError> {
    match job.cell.kind {
        ModelKind::Sequential => sequential::run(job, logs),
        ModelKind::Threads => threads::run(job, logs),
        ModelKind::ThreadPool => thread_pool::run(job, logs),
        ModelKind::Async => async_loop::run(job, logs),
        ModelKind::PythonSequential
        | ModelKind::PythonThreads
        | ModelKind::PythonThreadPool
        | ModelKind::PythonAsyncio
        | ModelKind::PythonProcesses => python::run(job, logs),
        other => Err(ModelError::Unavailable(other.name())),
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
