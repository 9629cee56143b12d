//! `sequential`: one thread runs the tasks one after another, blocking on
//! each IO wait. The note's baseline: N tasks wait N × avg(io_wait). With
//! arrivals it is a FIFO queue with one server: it takes the requests in
//! the order they arrive, each when it has arrived and the one before is
//! done.

use super::arrivals::Dispatch;
use super::error::ModelError;
use super::job::{Job, ModelRun};
use super::record::Records;
use super::task;
use crate::measure::now_ns;

pub fn run(job: &Job, records: &Records) -> Result<ModelRun, ModelError> {
    let ready_ns = now_ns();
    let dispatch = Dispatch::start(job, records);
    for i in job.dispatch_order() {
        if !dispatch.wait(job, i) {
            break;
        }
        task::run_blocking(job, i, &mut records.task(i))
            .map_err(|e| ModelError::Io(task::io_failure(i, &e)))?;
    }
    Ok(ModelRun::new(ready_ns))
}
