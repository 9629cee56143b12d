//! The IO latencies of a job, stored without repeating themselves: a
//! latency that is the same for many waits in a row (every `io_latency`
//! that is a fixed duration) is one `(value, count)` run, and only drawn
//! latencies are a table. A million tasks waiting 100 ms each are then a
//! few bytes in the job sent to the worker, not a table of a million
//! copies (10 MB of JSON, 8 MB in the worker).
//!
//! The order is the cell's wait layout (tasks group after group, each
//! task's rounds in order; see `Cell::task_layout`), so the runner can
//! hand in the table it drew, and a task finds its own latencies by index.

use serde::{Deserialize, Serialize};

/// A run of equal latencies shorter than this stays in a table: only long
/// runs are worth a segment of their own.
const MIN_REPEAT: usize = 16;

/// One stretch of the latencies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Segment {
    /// `count` waits of `value` ns each.
    Repeat { value: u64, count: u64 },
    /// Waits of their own latencies, in ns.
    Table(Vec<u64>),
}

impl Segment {
    fn len(&self) -> usize {
        match self {
            Segment::Repeat { count, .. } => *count as usize,
            Segment::Table(t) => t.len(),
        }
    }
}

/// Every IO latency of a job, in ns, in the cell's wait layout.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Latencies {
    segments: Vec<Segment>,
}

impl From<&[u64]> for Latencies {
    /// Compacts a table: runs of at least [`MIN_REPEAT`] equal values
    /// become one segment each.
    fn from(table: &[u64]) -> Latencies {
        let mut segments = Vec::new();
        let mut pending: Vec<u64> = Vec::new();
        let mut at = 0;
        while at < table.len() {
            let value = table[at];
            let run = table[at..].iter().take_while(|&&v| v == value).count();
            if run >= MIN_REPEAT {
                if !pending.is_empty() {
                    segments.push(Segment::Table(std::mem::take(&mut pending)));
                }
                segments.push(Segment::Repeat {
                    value,
                    count: run as u64,
                });
            } else {
                pending.extend_from_slice(&table[at..at + run]);
            }
            at += run;
        }
        if !pending.is_empty() {
            segments.push(Segment::Table(pending));
        }
        Latencies { segments }
    }
}

impl From<Vec<u64>> for Latencies {
    fn from(table: Vec<u64>) -> Latencies {
        Latencies::from(table.as_slice())
    }
}

impl Latencies {
    /// How many latencies there are.
    fn len(&self) -> usize {
        self.segments.iter().map(Segment::len).sum()
    }

    /// The latency of wait `index`, if there is one.
    pub fn get(&self, mut index: usize) -> Option<u64> {
        for segment in &self.segments {
            let len = segment.len();
            if index < len {
                return Some(match segment {
                    Segment::Repeat { value, .. } => *value,
                    Segment::Table(t) => t[index],
                });
            }
            index -= len;
        }
        None
    }

    /// Every latency, in order.
    #[cfg(test)]
    pub fn iter(&self) -> impl Iterator<Item = u64> + '_ {
        self.segments
            .iter()
            .flat_map(|s| -> Box<dyn Iterator<Item = u64> + '_> {
                match s {
                    Segment::Repeat { value, count } => {
                        Box::new(std::iter::repeat_n(*value, *count as usize))
                    }
                    Segment::Table(t) => Box::new(t.iter().copied()),
                }
            })
    }

    /// The latencies of waits `from .. from + len` (one task's rounds).
    pub fn slice(&self, from: usize, len: usize) -> TaskLatencies<'_> {
        let len = len.min(self.len().saturating_sub(from));
        TaskLatencies {
            all: self,
            from,
            len,
        }
    }
}

/// One task's latencies, one per round (see [`Latencies::slice`]).
#[derive(Clone, Copy, Debug)]
pub struct TaskLatencies<'a> {
    all: &'a Latencies,
    from: usize,
    len: usize,
}

impl<'a> TaskLatencies<'a> {
    /// No latencies at all.
    pub fn none() -> TaskLatencies<'static> {
        static EMPTY: Latencies = Latencies {
            segments: Vec::new(),
        };
        TaskLatencies {
            all: &EMPTY,
            from: 0,
            len: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    /// The latency of round `round`, 0 past the last round.
    pub fn get(&self, round: usize) -> u64 {
        if round < self.len {
            self.all.get(self.from + round).unwrap_or(0)
        } else {
            0
        }
    }

    /// Round by round.
    pub fn iter(&self) -> impl Iterator<Item = u64> + 'a {
        let this = *self;
        (0..this.len).map(move |round| this.get(round))
    }

    /// As a table (for the python runner).
    pub fn to_vec(self) -> Vec<u64> {
        self.iter().collect()
    }
}

impl PartialEq for TaskLatencies<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

impl Eq for TaskLatencies<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_latency_is_one_segment_and_reads_back_the_same() {
        let table = vec![100_000_000u64; 1_000_000];
        let l = Latencies::from(table.as_slice());
        assert_eq!(l.segments.len(), 1);
        assert_eq!(l.len(), 1_000_000);
        assert_eq!(l.get(999_999), Some(100_000_000));
        assert_eq!(l.get(1_000_000), None);
        let json = serde_json::to_string(&l).unwrap_or_default();
        assert!(json.len() < 64, "{json}");
        let back: Latencies = serde_json::from_str(&json).unwrap_or_default();
        assert_eq!(back, l);
    }

    #[test]
    fn any_table_reads_back_unchanged() {
        // Drawn values, a long run, short runs, and a run at the end.
        let mut table: Vec<u64> = (0..40).map(|i| i * 7 % 11).collect();
        table.extend(std::iter::repeat_n(5, 20));
        table.extend([1, 1, 2, 2, 2]);
        table.extend(std::iter::repeat_n(9, 16));
        let l = Latencies::from(table.as_slice());
        assert_eq!(l.iter().collect::<Vec<_>>(), table);
        assert_eq!(l.len(), table.len());
        for (i, &v) in table.iter().enumerate() {
            assert_eq!(l.get(i), Some(v), "at {i}");
        }
        let task = l.slice(55, 10);
        assert_eq!(task.to_vec(), table[55..65].to_vec());
        assert_eq!(task.get(10), 0);
        assert_eq!(l.slice(table.len() - 2, 5).len(), 2);
        assert_eq!(Latencies::from(Vec::new()).len(), 0);
        assert_eq!(TaskLatencies::none().len(), 0);
    }

    /// A run becomes a segment of its own from [`MIN_REPEAT`] (16) equal
    /// values on; shorter runs stay in the table around them.
    #[test]
    fn only_runs_of_sixteen_or_more_become_segments() {
        let segments = |table: Vec<u64>| Latencies::from(table).segments;
        assert_eq!(segments(vec![7; 15]), [Segment::Table(vec![7; 15])]);
        assert_eq!(
            segments(vec![7; 16]),
            [Segment::Repeat {
                value: 7,
                count: 16
            }]
        );
        let mut table = vec![1, 2, 2];
        table.extend([3; 20]);
        table.extend([4, 4]);
        assert_eq!(
            segments(table),
            [
                Segment::Table(vec![1, 2, 2]),
                Segment::Repeat {
                    value: 3,
                    count: 20
                },
                Segment::Table(vec![4, 4]),
            ]
        );
        assert_eq!(segments(Vec::new()), []);
    }

    /// Reading across segments: a table, a run, a table (3 + 20 + 2 waits).
    #[test]
    fn reads_cross_segment_boundaries() {
        let mut table = vec![1, 2, 2];
        table.extend([3; 20]);
        table.extend([4, 5]);
        let l = Latencies::from(table);
        assert_eq!(l.len(), 25);
        let at = |i| l.get(i);
        assert_eq!(
            [at(0), at(2), at(3), at(22), at(23), at(24), at(25)],
            [Some(1), Some(2), Some(3), Some(3), Some(4), Some(5), None]
        );
        let task = l.slice(21, 3);
        assert_eq!(task.len(), 3);
        assert_eq!(task.to_vec(), [3, 3, 4]);
        assert_eq!((task.get(0), task.get(2), task.get(3)), (3, 4, 0));
        assert_eq!(l.slice(24, 5).to_vec(), [5]);
        assert_eq!(l.slice(30, 2).len(), 0);
        let none = TaskLatencies::none();
        assert_eq!((none.len(), none.get(0), none.to_vec()), (0, 0, vec![]));
    }

    /// Two tasks' latencies are equal when their rounds are, wherever they
    /// sit in the table.
    #[test]
    fn task_latencies_compare_round_by_round() {
        let l = Latencies::from(vec![1, 2, 1, 2, 1, 3]);
        assert_eq!(l.slice(0, 2), l.slice(2, 2));
        assert_ne!(l.slice(0, 2), l.slice(1, 2));
        assert_ne!(l.slice(0, 2), l.slice(0, 3));
        assert_ne!(l.slice(2, 3), l.slice(2, 4));
        assert_eq!(l.slice(6, 1), TaskLatencies::none());
    }
}
