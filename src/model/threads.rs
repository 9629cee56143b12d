//! `threads`: one OS thread per task (1:1), scheduled preemptively by the
//! kernel. IO waits overlap; CPU work spreads over the cores. With arrivals
//! the main thread starts each request's thread when the request arrives.

use std::thread;

use super::arrivals::Dispatch;
use super::error::ModelError;
use super::job::{Job, ModelRun};
use super::record::{Records, TaskRecord};
use super::task;
use crate::measure::now_ns;

/// Stack for task threads: the task body needs little, and small stacks
/// let thousands of threads start quickly.
pub const TASK_STACK: usize = 128 * 1024;

pub fn run(job: &Job, records: &Records) -> Result<ModelRun, ModelError> {
    let ready_ns = thread_per_task(job, records, |i, record| task::run_blocking(job, i, record))?;
    Ok(ModelRun::new(ready_ns))
}

/// Starts one OS thread per task running `body(task, record)`, each when
/// its task is due, and joins them all; returns when the last thread was
/// started (for an open-loop job: when dispatch began).
pub fn thread_per_task<F>(job: &Job, records: &Records, body: F) -> Result<u64, ModelError>
where
    F: Fn(usize, &mut TaskRecord<'_>) -> std::io::Result<()> + Sync,
{
    let mut ready_ns = 0;
    let body = &body;
    let dispatch = Dispatch::start(job, records);
    let began_ns = now_ns();
    thread::scope(|scope| {
        let mut handles = Vec::with_capacity(records.tasks());
        for i in job.dispatch_order() {
            if !dispatch.wait(job, i) {
                break;
            }
            let spawned = thread::Builder::new()
                .stack_size(TASK_STACK)
                .spawn_scoped(scope, move || {
                    body(i, &mut records.task(i)).map_err(|e| task::io_failure(i, &e))
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
    Ok(ready_ns)
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
