//! The job as a runner reads it on stdin (runner protocol, version
//! [`PROTOCOL`]): plain data, never code. Every field is documented in the
//! book's chapter on the runner protocol, and `docs/src/runner-job.schema.json`
//! says the same as a JSON Schema, which a test holds this type to.

use serde::{Deserialize, Serialize};

use crate::config::IoKind;
use crate::model::Job;

/// The version of the runner protocol conlab speaks: what it writes in
/// every job and wants back in every reply.
pub const PROTOCOL: u32 = 5;

/// What a runner is asked to run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Request {
    pub protocol: u32,
    /// The runner's name for the model: `threads`, `async`, ….
    pub model: String,
    /// Pool size of the pooled models; ignored by the others.
    pub workers: u32,
    /// Each task's CPU burned per round, in ns of its thread's CPU clock.
    pub cpu_ns: Vec<u64>,
    /// Each task's IO latencies in ns, one list per task, a round each.
    pub latencies: Vec<Vec<u64>>,
    /// Record every IO wait and CPU burst.
    pub timeline: bool,
    /// The delay server's `host:port` when IO goes over TCP.
    pub tcp: Option<String>,
    /// Each task's due time in ns after `t0` (all 0 without arrivals),
    /// and the order to hand tasks out in.
    pub due: Vec<u64>,
    pub order: Vec<usize>,
    /// Whether some tasks arrive over time.
    pub open_loop: bool,
    /// Tasks stop this long after `t0` (see `crate::model::arrivals`).
    pub stop_after: Option<u64>,
    /// When the runner must stop, in ns on `CLOCK_MONOTONIC`: a runner
    /// hands out nothing more once past it and leaves its tasks unfinished
    /// at their next round, then replies. conlab kills it (and what it
    /// started) later, halfway between this and the run's timeout.
    pub deadline: Option<u64>,
    /// Each group's shared counter, in group order.
    pub groups: Vec<GroupRequest>,
    /// Each task's group: its index in `groups`.
    pub task_groups: Vec<usize>,
}

/// What one group's tasks do with its shared counter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupRequest {
    /// `none`, `racy`, `locked` or `atomic`.
    pub shared: String,
    pub await_inside: bool,
}

impl GroupRequest {
    /// A group without a shared counter.
    pub fn none() -> GroupRequest {
        GroupRequest {
            shared: "none".into(),
            await_inside: false,
        }
    }
}

impl Request {
    /// The request for `job` to run as the runner's `model`, to be done by
    /// `deadline` (ns on `CLOCK_MONOTONIC`), if it has one.
    pub fn new(job: &Job, model: &str, deadline: Option<u64>) -> std::io::Result<Request> {
        let tcp = match job.cell.io {
            IoKind::Sleep => None,
            IoKind::Tcp => Some(job.tcp_server()?.to_string()),
        };
        Ok(Request {
            protocol: PROTOCOL,
            model: model.to_string(),
            workers: job.workers() as u32,
            cpu_ns: (0..job.tasks()).map(|i| job.task(i).cpu_ns).collect(),
            latencies: (0..job.tasks())
                .map(|i| job.task(i).latencies.to_vec())
                .collect(),
            timeline: job.record_timeline,
            tcp,
            due: (0..job.tasks()).map(|i| job.due_ns(i)).collect(),
            order: job.dispatch_order(),
            open_loop: job.is_open_loop(),
            stop_after: job.stop_after_ns,
            deadline,
            groups: job
                .cell
                .groups
                .iter()
                .map(|g| GroupRequest {
                    shared: g.shared.as_str().to_string(),
                    await_inside: g.await_inside,
                })
                .collect(),
            task_groups: (0..job.tasks()).map(|i| job.task(i).group).collect(),
        })
    }

    /// The number of tasks.
    pub fn tasks(&self) -> usize {
        self.latencies.len()
    }

    /// How many of task `i`'s rounds wait on IO.
    pub fn waits_of(&self, i: usize) -> usize {
        self.latencies
            .get(i)
            .map_or(0, |l| l.iter().filter(|&&x| x > 0).count())
    }
}
