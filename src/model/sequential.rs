//! `sequential`: one thread runs the tasks one after another, blocking on
//! each IO wait. The note's baseline: N tasks wait N × avg(io_wait).

use super::job::{Job, ModelError, ModelRun};
use super::record::Records;
use super::task;
use crate::measure::now_ns;

pub fn run(job: &Job, records: &Records) -> Result<ModelRun, ModelError> {
    let ready_ns = now_ns();
    for i in 0..job.tasks() {
        task::run_blocking(job, i, &mut records.task(i))
            .map_err(|e| ModelError::Io(task::io_failure(i, &e)))?;
    }
    Ok(ModelRun::new(ready_ns))
}
