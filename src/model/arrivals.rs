//! Open-loop dispatch: when each task of a job is due to start, and the
//! [`Dispatch`] every model uses to hand tasks out at those times. A group
//! with arrivals has its requests' arrival times drawn before the run (a
//! [`Schedule`], sent with the job); a group without starts all its tasks
//! at once, as it always did. Latency runs from a request's *scheduled*
//! arrival, so a dispatcher that falls behind does not hide the delay.
//!
//! The stop: a run of an open-loop cell is given `stop_after_ns` (a margin
//! before the runner's timeout). A task that reaches a round boundary after
//! it, or a request not yet handed out, is left unfinished (its record
//! keeps no end), so the worker ends on its own and reports what completed
//! instead of being killed and losing everything.

use serde::{Deserialize, Serialize};

use super::job::Job;
use super::record::Records;
use crate::measure::now_ns;
use crate::workload::sleep;

/// When one group's tasks are due, in ns from the start of dispatch.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Schedule {
    /// All at once, at the start: a group without arrivals.
    #[default]
    Together,
    /// Evenly spaced: request k at k × `gap_ns` (a uniform schedule needs
    /// no table).
    Every { gap_ns: f64 },
    /// Each request's time, in order (a Poisson schedule).
    At(Vec<u64>),
}

impl Schedule {
    /// When the group's request `k` (from 0) is due, in ns from the start.
    pub fn due_ns(&self, k: usize) -> u64 {
        match self {
            Schedule::Together => 0,
            Schedule::Every { gap_ns } => (gap_ns * k as f64).round() as u64,
            Schedule::At(times) => times.get(k).copied().unwrap_or(0),
        }
    }
}

impl Job {
    /// Whether some group's tasks arrive over time.
    pub fn is_open_loop(&self) -> bool {
        self.arrivals
            .iter()
            .any(|s| !matches!(s, Schedule::Together))
    }

    /// When task `task` is due, in ns from the start of dispatch.
    pub fn due_ns(&self, task: usize) -> u64 {
        match self.cell.position(task) {
            Some((group, k)) => self.arrivals.get(group).map_or(0, |s| s.due_ns(k)),
            None => 0,
        }
    }

    /// Every task, in the order they are due (tasks due together in task
    /// order): the order dispatchers hand them out.
    pub fn dispatch_order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.tasks()).collect();
        if self.is_open_loop() {
            order.sort_by_key(|&t| self.due_ns(t));
        }
        order
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_give_each_request_its_time() {
        assert_eq!(Schedule::Together.due_ns(7), 0);
        let every = Schedule::Every { gap_ns: 2.5e6 };
        assert_eq!(every.due_ns(0), 0);
        assert_eq!(every.due_ns(3), 7_500_000);
        let at = Schedule::At(vec![0, 5, 9]);
        assert_eq!(at.due_ns(2), 9);
        assert_eq!(at.due_ns(3), 0, "past the table: no wait");
    }
}
