//! `threads`: one OS thread per task (1:1), scheduled preemptively by the
//! kernel. IO waits overlap; CPU work spreads over the cores.

use std::thread;

use super::job::{Extras, Job, ModelError, ModelRun, TaskLog};
use super::task;
use crate::measure::now_ns;

/// Stack for task threads: the task body needs little, and small stacks
/// let thousands of threads start quickly.
pub const TASK_STACK: usize = 128 * 1024;

pub fn run(job: &Job, mut logs: Vec<TaskLog>) -> Result<ModelRun, ModelError> {
    let mut ready_ns = 0;
    let cpu_ns = job.cpu_ns();
    let outcome = thread::scope(|scope| {
        let mut handles = Vec::with_capacity(logs.len());
        for (i, log) in logs.iter_mut().enumerate() {
            let latencies = job.task_latencies(i);
            let spawned = thread::Builder::new()
                .stack_size(TASK_STACK)
                .spawn_scoped(scope, move || task::run_blocking(latencies, cpu_ns, log));
            match spawned {
                Ok(handle) => handles.push(handle),
                // The threads already started finish when the scope ends.
                Err(source) => return Err(ModelError::Thread { index: i, source }),
            }
        }
        ready_ns = now_ns();
        join_all(handles)
    });
    outcome?;
    Ok(ModelRun {
        wall_start_ns: None,
        ready_ns,
        logs,
        extras: Extras::default(),
    })
}

/// Joins every handle, reporting the first task that panicked.
pub fn join_all<T>(handles: Vec<thread::ScopedJoinHandle<'_, T>>) -> Result<(), ModelError> {
    let mut first_panic = None;
    for handle in handles {
        if let Err(payload) = handle.join() {
            first_panic.get_or_insert_with(|| panic_message(&*payload));
        }
    }
    match first_panic {
        Some(message) => Err(ModelError::TaskPanicked(message)),
        None => Ok(()),
    }
}

pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string())
}
