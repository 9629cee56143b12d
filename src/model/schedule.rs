//! When each group's tasks are due: the [`Schedule`] drawn before a run
//! and sent with its job. Plain data, at the bottom of `model/` with the
//! job itself.

use serde::{Deserialize, Serialize};

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
