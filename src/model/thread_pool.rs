//! `thread-pool`: W OS threads take tasks from a queue (N:M), like Python's
//! ThreadPoolExecutor. The pool is rayon's; tasks are submitted in order
//! with `spawn_fifo`, so idle workers take the oldest task first. With
//! arrivals the calling thread submits each request when it arrives.

use std::sync::Mutex;

use super::arrivals::Dispatch;
use super::error::ModelError;
use super::job::{Job, ModelRun};
use super::record::Records;
use super::task;
use super::threads::{TASK_STACK, panic_message};
use crate::measure::now_ns;

pub fn run(job: &Job, records: &Records) -> Result<ModelRun, ModelError> {
    let workers = job.workers();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(workers)
        .stack_size(TASK_STACK)
        .thread_name(|i| format!("pool-{i}"))
        .build()
        .map_err(|e| ModelError::Setup {
            what: "thread pool",
            source: std::io::Error::other(e.to_string()),
        })?;
    let ready_ns = now_ns();
    let dispatch = Dispatch::start(job, records);
    let failed: Mutex<Option<ModelError>> = Mutex::new(None);
    if job.is_open_loop() {
        // The dispatcher waits for arrivals on this thread, not a worker's.
        pool.in_place_scope_fifo(|scope| hand_out(scope, job, records, dispatch, &failed));
    } else {
        pool.scope_fifo(|scope| hand_out(scope, job, records, dispatch, &failed));
    }
    if let Some(error) = failed.into_inner().unwrap_or(None) {
        return Err(error);
    }
    Ok(ModelRun::new(ready_ns))
}

/// Submits each task to the pool when it is due, oldest first.
fn hand_out<'scope>(
    scope: &rayon::ScopeFifo<'scope>,
    job: &'scope Job,
    records: &'scope Records,
    dispatch: Dispatch,
    failed: &'scope Mutex<Option<ModelError>>,
) {
    for i in job.dispatch_order() {
        if !dispatch.wait(job, i) {
            break;
        }
        scope.spawn_fifo(move |_| {
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                task::run_blocking(job, i, &mut records.task(i))
            }));
            let error = match outcome {
                Ok(Ok(())) => None,
                Ok(Err(e)) => Some(ModelError::Io(task::io_failure(i, &e))),
                Err(payload) => Some(ModelError::TaskPanicked(panic_message(&*payload))),
            };
            if let Some(error) = error
                && let Ok(mut f) = failed.lock()
            {
                f.get_or_insert(error);
            }
        });
    }
}
