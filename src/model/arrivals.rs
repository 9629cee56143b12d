//! Open-loop dispatch: the [`Dispatch`] every model uses to hand tasks out
//! at the times they are due. A group with arrivals has its requests'
//! arrival times drawn before the run (a
//! [`Schedule`](super::schedule::Schedule), sent with the job); a group
//! without starts all its tasks at once, as it always did. Latency runs from a request's *scheduled*
//! arrival, so a dispatcher that falls behind does not hide the delay.
//!
//! The stop: a run of an open-loop cell is given `stop_after_ns` (a margin
//! before the runner's timeout). A task that reaches a round boundary after
//! it, or a request not yet handed out, is left unfinished (its record
//! keeps no end), so the worker ends on its own and reports what completed
//! instead of being killed and losing everything.

use super::job::Job;
use super::record::Records;
use crate::measure::now_ns;
use crate::workload::sleep;

/// A run's dispatch clock: when it started, and when tasks stop.
#[derive(Clone, Copy, Debug)]
pub struct Dispatch {
    origin_ns: u64,
    stop_ns: u64,
}

impl Dispatch {
    /// Starts the clock now, and stamps the run's records with it and the
    /// stop (each task's scheduled arrival is the start plus its due time).
    pub fn start(job: &Job, records: &Records) -> Dispatch {
        let d = Dispatch::at(job, now_ns());
        d.stamp(records);
        d
    }

    /// A clock started at `origin_ns`; stamp the records with
    /// [`Dispatch::stamp`].
    pub fn at(job: &Job, origin_ns: u64) -> Dispatch {
        Dispatch {
            origin_ns,
            stop_ns: job
                .stop_after_ns
                .map_or(u64::MAX, |s| origin_ns.saturating_add(s)),
        }
    }

    /// Gives the run's records the start of dispatch and the stop.
    pub fn stamp(&self, records: &Records) {
        records.dispatched(self.origin_ns, self.stop_ns);
    }

    /// When `task` is due on the monotonic clock.
    pub fn due(&self, job: &Job, task: usize) -> u64 {
        self.origin_ns.saturating_add(job.due_ns(task))
    }

    /// Blocks until `task` is due (at once if it is). False when the run
    /// has passed its stop: the task is not to be handed out.
    pub fn wait(&self, job: &Job, task: usize) -> bool {
        let due = self.due(job, task);
        if due >= self.stop_ns {
            return false;
        }
        if due > now_ns() {
            sleep::sleep_until(due);
        }
        !self.stopped()
    }

    /// Whether the run has passed its stop.
    pub fn stopped(&self) -> bool {
        self.stop_ns != u64::MAX && now_ns() >= self.stop_ns
    }

    /// The stop on the monotonic clock (`u64::MAX`: none).
    pub fn stop_ns(&self) -> u64 {
        self.stop_ns
    }
}
