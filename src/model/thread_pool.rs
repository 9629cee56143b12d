//! `thread-pool`: W OS threads take tasks from a queue (N:M), like Python's
//! ThreadPoolExecutor. The pool is rayon's; tasks are submitted in order
//! with `spawn_fifo`, so idle workers take the oldest task first.

use std::sync::Mutex;

use super::job::{Job, ModelError, ModelRun};
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
    let failed: Mutex<Option<ModelError>> = Mutex::new(None);
    pool.scope_fifo(|scope| {
        for i in 0..records.tasks() {
            let failed = &failed;
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
    });
    if let Some(error) = failed.into_inner().unwrap_or(None) {
        return Err(error);
    }
    Ok(ModelRun::new(ready_ns))
}
