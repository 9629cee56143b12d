//! `async`: one thread, a cooperative event loop (N:1), like asyncio. A
//! tokio current-thread runtime; each IO wait yields to the loop until the
//! precise timerfd timer wakes the task; CPU work runs inline and holds the
//! loop, exactly as a coroutine's computation holds asyncio's.

use std::sync::Arc;

use super::job::{Extras, Job, ModelError, ModelRun, TaskLog};
use super::task;
use crate::measure::now_ns;
use crate::workload::timer::PreciseTimer;

pub fn run(job: &Job, logs: Vec<TaskLog>) -> Result<ModelRun, ModelError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .map_err(|source| ModelError::Setup {
            what: "tokio current-thread runtime",
            source,
        })?;
    run_on(&runtime, job, logs)
}

/// Runs the tasks on `runtime` with the precise timer; shared with
/// `async-multi`, which passes a multi-threaded runtime.
pub fn run_on(
    runtime: &tokio::runtime::Runtime,
    job: &Job,
    logs: Vec<TaskLog>,
) -> Result<ModelRun, ModelError> {
    let job = Arc::new(job.clone());
    runtime.block_on(async move {
        let timer = PreciseTimer::new().map_err(|source| ModelError::Setup {
            what: "timerfd",
            source,
        })?;
        let driver = tokio::spawn(timer.clone().drive());
        let ready_ns = now_ns();
        let mut handles = Vec::with_capacity(logs.len());
        for (i, mut log) in logs.into_iter().enumerate() {
            let job = job.clone();
            let timer = timer.clone();
            handles.push(tokio::spawn(async move {
                let outcome = task::run_async(&job, i, &timer, &mut log).await;
                (log, outcome.map_err(|e| task::io_failure(i, &e)))
            }));
        }
        let mut logs = Vec::with_capacity(handles.len());
        let mut failure = None;
        for handle in handles {
            match handle.await {
                Ok((log, Ok(()))) => logs.push(log),
                Ok((_, Err(message))) => {
                    failure.get_or_insert(ModelError::Io(message));
                }
                Err(e) => {
                    failure.get_or_insert(ModelError::TaskPanicked(e.to_string()));
                }
            }
        }
        driver.abort();
        if let Some(error) = failure {
            return Err(error);
        }
        Ok(ModelRun {
            wall_start_ns: None,
            ready_ns,
            logs,
            extras: Extras::default(),
        })
    })
}
