//! `sequential`: one thread runs the tasks one after another, blocking on
//! each IO wait. The note's baseline: N tasks wait N × avg(io_wait).

use super::job::{Job, ModelError, ModelRun, TaskLog};
use super::task;
use crate::measure::now_ns;

pub fn run(job: &Job, mut logs: Vec<TaskLog>) -> Result<ModelRun, ModelError> {
    let ready_ns = now_ns();
    for (i, log) in logs.iter_mut().enumerate() {
        task::run_blocking(job, i, log).map_err(|e| ModelError::Io(task::io_failure(i, &e)))?;
    }
    Ok(ModelRun::new(ready_ns, logs))
}
