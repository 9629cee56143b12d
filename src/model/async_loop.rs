//! `async`: one thread, a cooperative event loop (N:1), like asyncio. A
//! tokio current-thread runtime; each IO wait yields to the loop until the
//! precise timerfd timer wakes the task; CPU work runs inline and holds the
//! loop, exactly as a coroutine's computation holds asyncio's. With
//! arrivals a dispatcher task on the loop spawns each request when it
//! arrives.

use std::future::Future;
use std::sync::Arc;

use super::arrivals::Dispatch;
use super::job::{Job, ModelError, ModelRun, TaskLog};
use super::task;
use crate::measure::now_ns;
use crate::workload::timer::PreciseTimer;

pub fn run(job: &Arc<Job>, logs: Vec<TaskLog>) -> Result<ModelRun, ModelError> {
    run_on(&current_thread_runtime()?, job, logs)
}

/// A single-threaded tokio event loop with IO (for timerfds and sockets);
/// shared with `async-blocking`.
pub(super) fn current_thread_runtime() -> Result<tokio::runtime::Runtime, ModelError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .map_err(|source| ModelError::Setup {
            what: "tokio current-thread runtime",
            source,
        })
}

/// The precise timer, with its driver spawned on the current runtime;
/// abort the handle when the tasks are done.
pub(super) fn start_timer()
-> Result<(PreciseTimer, tokio::task::JoinHandle<std::io::Result<()>>), ModelError> {
    let timer = PreciseTimer::new().map_err(|source| ModelError::Setup {
        what: "timerfd",
        source,
    })?;
    let driver = tokio::spawn(timer.clone().drive());
    Ok((timer, driver))
}

/// Runs the tasks on `runtime` with the precise timer; shared with
/// `async-multi`, which passes a multi-threaded runtime.
pub fn run_on(
    runtime: &tokio::runtime::Runtime,
    job: &Arc<Job>,
    logs: Vec<TaskLog>,
) -> Result<ModelRun, ModelError> {
    let job = job.clone();
    runtime.block_on(async move {
        let (timer, driver) = start_timer()?;
        let ready_ns = now_ns();
        let logs = spawn_all(&job, &timer, logs, |i, mut log| {
            let (job, timer) = (job.clone(), timer.clone());
            async move {
                let outcome = task::run_async(&job, i, &timer, &mut log).await;
                (log, outcome)
            }
        })
        .await;
        driver.abort();
        let logs = logs?;
        Ok(ModelRun::new(ready_ns, logs))
    })
}

/// Spawns one task per log running `body(task, log)` on the current
/// runtime, each when it is due (the dispatcher sleeps on `timer` between
/// arrivals), and collects the logs back in task order, those never
/// spawned (past the run's stop) included; the first failure (an IO error
/// or a panic) wins.
pub(super) async fn spawn_all<F, Fut>(
    job: &Job,
    timer: &PreciseTimer,
    mut logs: Vec<TaskLog>,
    body: F,
) -> Result<Vec<TaskLog>, ModelError>
where
    F: Fn(usize, TaskLog) -> Fut,
    Fut: Future<Output = (TaskLog, std::io::Result<()>)> + Send + 'static,
{
    let dispatch = Dispatch::start(job, &mut logs);
    let mut slots: Vec<Option<TaskLog>> = logs.into_iter().map(Some).collect();
    let mut handles = Vec::with_capacity(slots.len());
    for i in job.dispatch_order() {
        let due = dispatch.due(job, i);
        if due >= dispatch.stop_ns() {
            break;
        }
        if due > now_ns() {
            timer.sleep_until(due).await;
        }
        if dispatch.stopped() {
            break;
        }
        if let Some(log) = slots.get_mut(i).and_then(Option::take) {
            handles.push((i, tokio::spawn(body(i, log))));
        }
    }
    let mut failure = None;
    for (i, handle) in handles {
        match handle.await {
            Ok((log, Ok(()))) => {
                if let Some(slot) = slots.get_mut(i) {
                    *slot = Some(log);
                }
            }
            Ok((_, Err(e))) => {
                failure.get_or_insert(ModelError::Io(task::io_failure(i, &e)));
            }
            Err(e) => {
                failure.get_or_insert(ModelError::TaskPanicked(e.to_string()));
            }
        }
    }
    failure.map_or(Ok(slots.into_iter().flatten().collect()), Err)
}
