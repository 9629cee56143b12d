//! `async-multi`: a multi-threaded work-stealing async runtime (N:M):
//! tokio's multi-thread scheduler with `workers` threads, running the same
//! tasks and the same precise timerfd waits as `async`.

use std::sync::Arc;

use super::async_loop::run_on;
use super::error::ModelError;
use super::job::{Job, ModelRun};
use super::record::Records;
use super::threads::TASK_STACK;

pub fn run(job: &Arc<Job>, records: &Arc<Records>) -> Result<ModelRun, ModelError> {
    let workers = job.workers();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .thread_stack_size(TASK_STACK)
        .enable_io()
        .build()
        .map_err(|source| ModelError::Setup {
            what: "tokio multi-thread runtime",
            source,
        })?;
    let run = run_on(&runtime, job, records);
    // Worker threads are joined here, before the worker reads its usage.
    drop(runtime);
    run
}
