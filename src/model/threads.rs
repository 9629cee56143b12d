//! `threads`: one OS thread per task (1:1), scheduled preemptively by the
//! kernel. IO waits overlap; CPU work spreads over the cores. With arrivals
//! the main thread starts each request's thread when the request arrives.

use std::thread;

use super::arrivals::Dispatch;
use super::job::{Job, ModelError, ModelRun, TaskLog};
use super::task;
use crate::measure::now_ns;

/// Stack for task threads: the task body needs little, and small stacks
/// let thousands of threads start quickly.
pub const TASK_STACK: usize = 128 * 1024;

pub fn run(job: &Job, logs: Vec<TaskLog>) -> Result<ModelRun, ModelError> {
    let (ready_ns, logs) = thread_per_task(job, logs, |i, log| task::run_blocking(job, i, log))?;
    Ok(ModelRun::new(ready_ns, logs))
}

/// Starts one OS thread per task running `body(task, log)`, each when its
/// task is due, and joins them all; returns when the last thread was
/// started (for an open-loop job: when dispatch began) and the filled logs.
pub fn thread_per_task<F>(
    job: &Job,
    mut logs: Vec<TaskLog>,
    body: F,
) -> Result<(u64, Vec<TaskLog>), ModelError>
where
    F: Fn(usize, &mut TaskLog) -> std::io::Result<()> + Sync,
{
    let mut ready_ns = 0;
    let body = &body;
    let dispatch = Dispatch::start(job, &mut logs);
    let began_ns = now_ns();
    thread::scope(|scope| {
        let mut handles = Vec::with_capacity(logs.len());
        let mut slots: Vec<Option<&mut TaskLog>> = logs.iter_mut().map(Some).collect();
        for i in job.dispatch_order() {
            if !dispatch.wait(job, i) {
                break;
            }
            let Some(log) = slots.get_mut(i).and_then(Option::take) else {
                continue;
            };
            let spawned = thread::Builder::new()
                .stack_size(TASK_STACK)
                .spawn_scoped(scope, move || {
                    body(i, log).map_err(|e| task::io_failure(i, &e))
                });
            match spawned {
                Ok(handle) => handles.push(handle),
                // The threads already started finish when the scope ends.
                Err(source) => return Err(ModelError::Thread { index: i, source }),
            }
        }
        ready_ns = if job.is_open_loop() {
            began_ns
        } else {
            now_ns()
        };
        join_all(handles)
    })?;
    Ok((ready_ns, logs))
}

/// Joins every handle, reporting the first task that panicked or failed.
pub fn join_all(
    handles: Vec<thread::ScopedJoinHandle<'_, Result<(), String>>>,
) -> Result<(), ModelError> {
    let mut first = None;
    for handle in handles {
        match handle.join() {
            Ok(Ok(())) => {}
            Ok(Err(message)) => {
                first.get_or_insert(ModelError::Io(message));
            }
            Err(payload) => {
                first.get_or_insert_with(|| ModelError::TaskPanicked(panic_message(&*payload)));
            }
        }
    }
    first.map_or(Ok(()), Err)
}

pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string())
}
