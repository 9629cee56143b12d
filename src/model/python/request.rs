//! The job as the Python runner reads it on stdin: plain data, never code.
//! The runner (`runner.py`) reads exactly these fields.

use serde::Serialize;

use crate::config::IoKind;
use crate::model::Job;

/// The version of the stdin/stdout exchange; `runner.py` checks it.
pub const PROTOCOL: u32 = 4;

/// What `runner.py` is asked to run.
#[derive(Debug, Serialize)]
pub struct Request<'a> {
    pub protocol: u32,
    /// The runner's name for the model: `threads`, `thread-pool`, ….
    pub model: &'static str,
    /// Pool size of `thread-pool` and `processes`; ignored by the others.
    pub workers: u32,
    /// Each task's CPU burned per round, in ns of its thread's CPU clock.
    pub cpu_ns: Vec<u64>,
    /// Each task's IO latencies in ns, one list per task, a round each.
    pub latencies: Vec<Vec<u64>>,
    /// Record every IO wait and CPU burst.
    pub timeline: bool,
    /// The delay server's `host:port` when IO goes over TCP.
    pub tcp: Option<&'a str>,
    /// Each task's due time in ns after the model starts (all 0 without
    /// arrivals), and the order to hand tasks out in.
    pub due: Vec<u64>,
    pub order: Vec<usize>,
    /// Whether some tasks arrive over time.
    pub open_loop: bool,
    /// Tasks stop this long after the model starts (see
    /// `crate::model::arrivals`).
    pub stop_after: Option<u64>,
    /// Each group's shared counter, in group order.
    pub groups: Vec<GroupRequest>,
    /// Each task's group: its index in `groups`.
    pub task_groups: Vec<usize>,
}

/// What one group's tasks do with its shared counter.
#[derive(Debug, Serialize)]
pub struct GroupRequest {
    /// `none`, `racy`, `locked` or `atomic`.
    pub shared: &'static str,
    pub await_inside: bool,
}

impl<'a> Request<'a> {
    /// The request for `job` to run as the runner's `model` (its kind's
    /// declared mode).
    pub fn new(job: &'a Job, model: &'static str) -> std::io::Result<Request<'a>> {
        let tcp = match job.cell.io {
            IoKind::Sleep => None,
            IoKind::Tcp => Some(job.tcp_server()?),
        };
        Ok(Request {
            protocol: PROTOCOL,
            model,
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
            groups: job
                .cell
                .groups
                .iter()
                .map(|g| GroupRequest {
                    shared: g.shared.as_str(),
                    await_inside: g.await_inside,
                })
                .collect(),
            task_groups: (0..job.tasks()).map(|i| job.task(i).group).collect(),
        })
    }
}
