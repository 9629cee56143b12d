//! The concurrency models. Each of conlab's own models lives in its own
//! file and exposes `run(job, records)`: it runs every task of the job its
//! own way, each task writing what it measured into its slots of the run's
//! [`Records`]. Kinds run by another runtime go through the one generic
//! runner path ([`external`]), started as their runtime's module says
//! ([`python`], [`node`], [`custom`]); which is which is the kind's
//! declaration (`config/kind.rs`), turned into a run by [`run`].
//! Models do the work; they do not time the run as a whole (the runner's
//! worker does, around `run`).

pub mod arrivals;
mod async_blocking;
mod async_loop;
mod async_multi;
pub mod custom;
mod error;
pub mod external;
mod gil;
mod gil_threads;
mod io;
pub mod job;
pub mod latencies;
pub mod node;
mod polling;
pub mod processes;
#[cfg(test)]
mod protocol_schemas;
pub mod python;
pub mod record;
pub mod runtimes;
pub mod schedule;
mod sequential;
pub mod shared;
mod task;
mod thread_pool;
mod threads;

pub use error::ModelError;
pub use job::{Extras, Job, ModelRun};
pub use record::{Records, Span, SpanKind, WaitLog};
pub use schedule::Schedule;
pub use shared::Shared;

use std::sync::Arc;

use crate::config::{Own, Runs, Runtime};

/// Runs `job` with its cell's model, filling the preallocated `records`.
/// Both come shared so that models whose tasks outlive a borrow (tokio's)
/// need not copy them while the run is being timed.
pub fn run(job: &Arc<Job>, records: &Arc<Records>) -> Result<ModelRun, ModelError> {
    let mut run = run_kind(job, records)?;
    // conlab's own models count in `job.shared`; runners report theirs.
    if matches!(job.cell.kind.runs(), Runs::Own(_)) {
        run.extras.shared = job.shared.outcome(&job.cell.groups);
    }
    if stopped_a_counter(job, records) {
        run.extras.shared = None;
    }
    Ok(run)
}

/// Whether the run's stop left a task of a group with a shared counter
/// unfinished (see [`arrivals`]): how many of its rounds updated the
/// counter is then unknown, and so are the updates lost, which the run
/// does not report.
pub(crate) fn stopped_a_counter(job: &Job, records: &Records) -> bool {
    (0..job.tasks())
        .any(|i| records.end_ns(i) == 0 && job.cell.groups[job.task(i).group].shared.counts())
}

/// Runs `job` as its kind's declaration says: with one of conlab's own
/// models, or in a runner of another runtime. One exhaustive match on
/// each: a model that nobody runs does not compile.
fn run_kind(job: &Arc<Job>, records: &Arc<Records>) -> Result<ModelRun, ModelError> {
    match job.cell.kind.runs() {
        Runs::Own(model) => run_own(model, job, records),
        Runs::Runner { runtime, mode } => {
            let program = match runtime {
                Runtime::Python => python::program(python::interpreter_of(&job.cell)),
                Runtime::Node => node::program(node::node_of(&job.cell)),
                Runtime::Custom => custom::program(&job.cell),
            };
            external::run(job, records, &program, mode).map_err(ModelError::from)
        }
    }
}

fn run_own(model: Own, job: &Arc<Job>, records: &Arc<Records>) -> Result<ModelRun, ModelError> {
    match model {
        Own::Sequential => sequential::run(job, records),
        Own::Threads => threads::run(job, records),
        Own::ThreadPool => thread_pool::run(job, records),
        Own::Async => async_loop::run(job, records),
        Own::AsyncMulti => async_multi::run(job, records),
        Own::GilThreads => gil_threads::run(job, records),
        Own::Processes => processes::run(job, records),
        Own::AsyncBlocking => async_blocking::run(job, records),
        Own::Polling => polling::run(job, records),
    }
}
