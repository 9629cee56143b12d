//! `[[claim]]`: a statement about an experiment's results that conlab
//! checks with its 95 % interval — "three threads wait about one IO
//! latency" as `wall ≤ 0.4 × sequential`, or "processes overtake the GIL
//! between 1 and 2 tasks" as a crossover. These are the validated forms;
//! judging them against measurements is `results::claims`' job, and
//! checking one against the experiment's workloads and models is
//! `config::check`'s.

use super::duration::Nanos;
use super::field::{Axis, Point, Value};
use crate::format::{duration_text, format_number};

/// What a claim measures.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Metric {
    /// Median wall time of the runs.
    #[default]
    Wall,
    /// CPU time (user + system) of the runs.
    Cpu,
    /// sequential's wall time over the model's, at the same point.
    Speedup,
    /// The model's predicted (ideal) wall time over its measured one.
    Efficiency,
    /// When the middle task of a group completed (p50 of its tasks).
    CompletionP50,
    CompletionP99,
    /// How long after an IO completed its task ran again (p50 of a run's
    /// waits in the group).
    WakeDelayP50,
    WakeDelayP99,
}

impl Metric {
    pub const ALL: [Metric; 8] = [
        Metric::Wall,
        Metric::Cpu,
        Metric::Speedup,
        Metric::Efficiency,
        Metric::CompletionP50,
        Metric::CompletionP99,
        Metric::WakeDelayP50,
        Metric::WakeDelayP99,
    ];
    /// The names in experiment files, in the order of [`Metric::ALL`].
    pub const NAMES: [&'static str; 8] = [
        "wall",
        "cpu",
        "speedup",
        "efficiency",
        "completion_p50",
        "completion_p99",
        "wake_delay_p50",
        "wake_delay_p99",
    ];

    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    pub fn from_name(name: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.as_str() == name)
    }

    /// Whether the metric is a time (limits are durations); else a plain
    /// number.
    pub fn is_time(self) -> bool {
        !matches!(self, Metric::Speedup | Metric::Efficiency)
    }

    /// Whether the metric is one group's (`groups.csv`), not the run's.
    pub fn of_group(self) -> bool {
        matches!(
            self,
            Metric::CompletionP50
                | Metric::CompletionP99
                | Metric::WakeDelayP50
                | Metric::WakeDelayP99
        )
    }

    /// Whether a claim may compare it with another model's as a ratio:
    /// speedup and efficiency are ratios already.
    pub fn takes_ratios(self) -> bool {
        self.is_time()
    }
}

impl std::fmt::Display for Metric {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One limit of a claim, as the file gives it.
#[derive(Clone, Debug, PartialEq)]
pub enum Limit {
    /// A duration: for time metrics.
    Time(Nanos),
    /// A plain number: for speedup and efficiency.
    Number(f64),
    /// A multiple of another model's value at the same point.
    Ratio { value: f64, of: String },
}

impl Limit {
    /// The limit as a number in the metric's unit: milliseconds for
    /// times, the number or the ratio itself otherwise.
    pub fn number(&self) -> f64 {
        match self {
            Limit::Time(d) => d.as_millis_f64(),
            Limit::Number(n) | Limit::Ratio { value: n, .. } => *n,
        }
    }

    /// The model the limit is a ratio of, if it is one.
    pub fn of(&self) -> Option<&str> {
        match self {
            Limit::Ratio { of, .. } => Some(of),
            _ => None,
        }
    }

    /// The limit as people read it: `120ms`, `1.5`, `0.4×`.
    fn text(&self) -> String {
        match self {
            Limit::Time(d) => duration_text(d.as_millis_f64()),
            Limit::Number(n) => format_number(*n, 4),
            Limit::Ratio { value, .. } => format!("{}×", format_number(*value, 4)),
        }
    }
}

/// One value of an axis in a `where` or a crossover's `between`: a
/// number (tasks, rounds, workers), a duration (io_latency, cpu_cost,
/// switch_interval, poll_interval) or a word (python).
#[derive(Clone, Debug, PartialEq)]
pub enum AxisValue {
    Number(f64),
    Duration(Nanos),
    /// An interpreter, as the file names it; `where` only.
    Word(String),
}

impl AxisValue {
    /// The value as an axis number: durations in ms, as charts have them;
    /// a word is none.
    pub fn number(&self) -> f64 {
        match self {
            AxisValue::Number(n) => *n,
            AxisValue::Duration(d) => d.as_millis_f64(),
            AxisValue::Word(_) => f64::NAN,
        }
    }

    /// Whether `value` (an axis's value at a point) is this one.
    pub fn is(&self, value: &Value) -> bool {
        match (self, value) {
            (AxisValue::Number(n), Value::Count(c)) => *n == *c as f64,
            (AxisValue::Duration(d), Value::Duration(e)) => d == e,
            // A fixed latency reads as its duration in labels.
            (AxisValue::Duration(d), Value::Latency { text, .. }) => *text == d.to_string(),
            (AxisValue::Word(w), Value::Word(v)) => w == v,
            _ => false,
        }
    }
}

// The numbers of a `where` are whole numbers, so no NaN breaks equality
// (a word's NaN is never compared); zero is hashed as +0 so equal values
// hash alike.
impl Eq for AxisValue {}

impl std::hash::Hash for AxisValue {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        match self {
            AxisValue::Number(n) => (0, (n + 0.0).to_bits()).hash(state),
            AxisValue::Duration(d) => (1, d.0).hash(state),
            AxisValue::Word(w) => (2, w).hash(state),
        }
    }
}

impl std::fmt::Display for AxisValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AxisValue::Number(n) => f.write_str(&format_number(*n, 4)),
            AxisValue::Duration(d) => write!(f, "{d}"),
            AxisValue::Word(w) => f.write_str(w),
        }
    }
}

/// One table of a claim's `where`: the points where each named axis has
/// one of its listed values.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PointFilter {
    pub axes: Vec<(Axis, Vec<AxisValue>)>,
    /// `machine = "laptop"`: points of these machines only, in results
    /// merged from several (none match elsewhere); any machine if empty.
    pub machines: Vec<String>,
}

impl PointFilter {
    /// Whether `point` is one this table selects. A model's field chooses
    /// among the variants of models that have it, and leaves the others
    /// (a crossover of `pool` with `workers = 2` and `async`).
    pub fn matches(&self, point: &Point) -> bool {
        let machine = self.machines.is_empty()
            || point
                .machine
                .as_ref()
                .is_some_and(|m| self.machines.contains(m));
        machine
            && self
                .axes
                .iter()
                .all(|(axis, values)| match axis.value(point) {
                    Some(v) => values.iter().any(|want| want.is(&v)),
                    None => !axis.field.of_workload(),
                })
    }
}

impl std::fmt::Display for PointFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self
            .axes
            .iter()
            .map(|(axis, values)| {
                let values: Vec<String> = values.iter().map(AxisValue::to_string).collect();
                format!("{axis}={}", values.join("|"))
            })
            .chain(
                (!self.machines.is_empty()).then(|| format!("machine={}", self.machines.join("|"))),
            )
            .collect();
        f.write_str(&parts.join(" "))
    }
}

/// `crossover = { of, and, axis, between }`: the median curves of two
/// models cross along an axis somewhere in a range.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CrossoverSpec {
    pub of: String,
    pub and: String,
    /// A workload axis; `None` only before the file is read.
    pub axis: Option<Axis>,
    /// The range, as axis numbers (durations in ms).
    pub between: Option<(AxisValue, AxisValue)>,
}

/// A `[[claim]]` entry, validated.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ClaimSpec {
    /// The sentence the claim stands for; when the file gives none, one
    /// made from what it checks.
    pub text: String,
    pub workload: String,
    /// The model (by name); empty for a crossover claim.
    pub model: String,
    pub metric: Metric,
    /// The group of a group metric.
    pub group: Option<String>,
    pub at_least: Option<Limit>,
    pub at_most: Option<Limit>,
    /// Where the claim applies; everywhere when empty, else at the points
    /// any one of the tables selects.
    pub wheres: Vec<PointFilter>,
    pub crossover: Option<CrossoverSpec>,
    /// The line of the file the `[[claim]]` starts on, for messages.
    pub line: usize,
}

impl ClaimSpec {
    /// Whether the claim applies at `point` (its `where`).
    pub fn selects(&self, point: &Point) -> bool {
        self.wheres.is_empty() || self.wheres.iter().any(|w| w.matches(point))
    }

    /// The model a ratio claim compares with.
    pub fn reference(&self) -> Option<&str> {
        self.at_least
            .as_ref()
            .or(self.at_most.as_ref())
            .and_then(Limit::of)
    }

    /// What is claimed, in symbols: `≤ 0.4× sequential`, `≥ 1.5`,
    /// `between 95ms and 110ms`, `crosses async along tasks between 1
    /// and 2`.
    pub fn claimed(&self) -> String {
        if let Some(c) = &self.crossover {
            let axis = c.axis.as_ref().map(Axis::to_string).unwrap_or_default();
            let (lo, hi) = c
                .between
                .as_ref()
                .map(|(lo, hi)| (lo.to_string(), hi.to_string()))
                .unwrap_or_default();
            return format!("crosses between {axis} = {lo} and {hi}");
        }
        let of = self
            .reference()
            .map(|of| format!(" {of}"))
            .unwrap_or_default();
        match (&self.at_least, &self.at_most) {
            (Some(lo), Some(hi)) => format!("between {} and {}{of}", lo.text(), hi.text()),
            (Some(lo), None) => format!("≥ {}{of}", lo.text()),
            (None, Some(hi)) => format!("≤ {}{of}", hi.text()),
            (None, None) => String::new(),
        }
    }

    /// The text of a claim whose file gives none: `three-tasks · threads:
    /// wall ≤ 0.4× sequential at tasks=3`.
    pub fn default_text(&self) -> String {
        let at = if self.wheres.is_empty() {
            String::new()
        } else {
            let wheres: Vec<String> = self.wheres.iter().map(|w| w.to_string()).collect();
            format!(" at {}", wheres.join(", "))
        };
        format!("{}{at}", self.checked())
    }

    /// What is checked, without where: `three-tasks · threads: wall ≤
    /// 0.4× sequential`, `cpu: wall of processes and gil-threads crosses
    /// between tasks = 1 and 2`.
    pub fn checked(&self) -> String {
        let metric = match &self.group {
            Some(g) if self.metric.of_group() => format!("{} of group {g}", self.metric),
            _ => self.metric.to_string(),
        };
        match &self.crossover {
            Some(c) => format!(
                "{}: {metric} of {} and {} {}",
                self.workload,
                c.of,
                c.and,
                self.claimed()
            ),
            None => format!(
                "{} · {}: {metric} {}",
                self.workload,
                self.model,
                self.claimed()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::field::{Field, GroupPoint};

    fn point(tasks: u64, workers: Option<u32>) -> Point {
        Point {
            workload: "w".to_string(),
            groups: vec![GroupPoint {
                name: "w".to_string(),
                tasks,
                io_latency: "1ms".to_string(),
                io_latency_mean_ms: 1.0,
                cpu_cost: Nanos(0),
                rounds: 1,
                shared: Default::default(),
                arrival: None,
                rate: None,
            }],
            workers,
            switch_interval: None,
            poll_interval: None,
            python: None,
            machine: None,
        }
    }

    #[test]
    fn names_round_trip() {
        for m in Metric::ALL {
            assert_eq!(Metric::from_name(m.as_str()), Some(m));
        }
        assert!(Metric::Wall.is_time() && !Metric::Speedup.is_time());
        assert!(Metric::WakeDelayP99.of_group() && !Metric::Cpu.of_group());
    }

    #[test]
    fn where_tables_select_points() {
        let tasks = Axis::plain(Field::Tasks);
        let workers = Axis::plain(Field::Workers);
        let latency = Axis::plain(Field::IoLatency);
        let filter = PointFilter {
            axes: vec![
                (
                    tasks,
                    vec![AxisValue::Number(10.0), AxisValue::Number(100.0)],
                ),
                (workers, vec![AxisValue::Number(2.0)]),
            ],
            machines: Vec::new(),
        };
        assert!(filter.matches(&point(10, Some(2))));
        assert!(filter.matches(&point(100, Some(2))));
        assert!(!filter.matches(&point(1, Some(2))));
        assert!(!filter.matches(&point(10, Some(8))));
        assert!(filter.matches(&point(10, None)), "a model without workers");
        let fixed = PointFilter {
            axes: vec![(latency, vec![AxisValue::Duration(Nanos(1_000_000))])],
            machines: Vec::new(),
        };
        assert!(fixed.matches(&point(1, None)));
        assert_eq!(filter.to_string(), "tasks=10|100 workers=2");
        let laptop = PointFilter {
            machines: vec!["laptop".to_string()],
            ..PointFilter::default()
        };
        assert!(!laptop.matches(&point(1, None)), "results of one machine");
        let mut on_laptop = point(1, None);
        on_laptop.machine = Some("laptop".to_string());
        assert!(laptop.matches(&on_laptop));
        assert_eq!(laptop.to_string(), "machine=laptop");
    }

    /// `where = { python = "pypy3" }` chooses among the variants of
    /// models that run in an interpreter, and leaves conlab's own.
    #[test]
    fn where_an_interpreter_selects_its_variants() {
        let filter = PointFilter {
            axes: vec![(
                Axis::plain(Field::Python),
                vec![AxisValue::Word("pypy3".to_string())],
            )],
            machines: Vec::new(),
        };
        let under = |python: Option<&str>| {
            let mut p = point(4, None);
            p.python = python.map(str::to_string);
            filter.matches(&p)
        };
        assert!(under(Some("pypy3")));
        assert!(!under(Some("python3.11")));
        assert!(under(None), "a model without an interpreter");
        assert_eq!(filter.to_string(), "python=pypy3");
        assert!(!AxisValue::Word("3".to_string()).is(&Value::Count(3)));
    }

    #[test]
    fn claims_say_what_they_claim() {
        let claim = ClaimSpec {
            workload: "three-tasks".to_string(),
            model: "threads".to_string(),
            at_most: Some(Limit::Ratio {
                value: 0.4,
                of: "sequential".to_string(),
            }),
            ..ClaimSpec::default()
        };
        assert_eq!(
            claim.default_text(),
            "three-tasks · threads: wall ≤ 0.4× sequential"
        );
        let between = ClaimSpec {
            at_least: Some(Limit::Time(Nanos(95_000_000))),
            at_most: Some(Limit::Time(Nanos(110_000_000))),
            ..claim.clone()
        };
        assert_eq!(between.claimed(), "between 95ms and 110ms");
        let speedup = ClaimSpec {
            metric: Metric::Speedup,
            at_least: Some(Limit::Number(1.5)),
            at_most: None,
            wheres: vec![PointFilter {
                axes: vec![(Axis::plain(Field::Tasks), vec![AxisValue::Number(4.0)])],
                machines: Vec::new(),
            }],
            ..claim
        };
        assert_eq!(
            speedup.default_text(),
            "three-tasks · threads: speedup ≥ 1.5 at tasks=4"
        );
    }
}
