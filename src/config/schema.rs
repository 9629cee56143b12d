//! The validated experiment: what `config::load` returns once a file has
//! passed every check. Everything downstream works from these types only.
//! Each section's defaults are its type's `Default` impl: the reader starts
//! from it, and the key tables (`conlab validate --help`, the README) show
//! what it holds.

use serde::{Deserialize, Serialize};

use super::arrival::{ArrivalSpec, RequestSpan};
use super::claim::ClaimSpec;
use super::duration::Nanos;
use super::field::{Axis, Field, SharedMode, Sweep};
use super::io_kind::IoKind;
use super::kind::ModelKind;

/// One experiment file, validated.
#[derive(Clone, Debug)]
pub struct Experiment {
    pub name: String,
    pub description: String,
    pub repetitions: u32,
    pub warmup: u32,
    pub seed: u64,
    pub timeout: Nanos,
    /// Interpreter for the `python-*` models unless a model names its own.
    pub python: Option<String>,
    /// Node.js for the `node-*` models unless a model names its own.
    pub node: Option<String>,
    pub workloads: Vec<Workload>,
    pub models: Vec<ModelSpec>,
    pub charts: Vec<ChartSpec>,
    /// `[[claim]]` entries, in file order.
    pub claims: Vec<ClaimSpec>,
    /// The file as it was read, kept so results can store it verbatim.
    pub source_path: String,
    pub source_text: String,
}

impl Default for Experiment {
    fn default() -> Self {
        Experiment {
            name: String::new(),
            description: String::new(),
            repetitions: 5,
            warmup: 1,
            seed: 0,
            timeout: Nanos(300_000_000_000),
            python: None,
            node: None,
            workloads: Vec::new(),
            models: Vec::new(),
            charts: Vec::new(),
            claims: Vec::new(),
            source_path: String::new(),
            source_text: String::new(),
        }
    }
}

/// What runs together in one run of a model: one or more groups of tasks,
/// and how their IO waits happen.
#[derive(Clone, Debug, Default)]
pub struct Workload {
    pub name: String,
    pub io: IoKind,
    /// The `[[workload.group]]` entries in file order; a workload written
    /// without them is one group named after the workload.
    pub groups: Vec<Group>,
    /// Whether the file wrote `[[workload.group]]` entries: their swept
    /// fields are then named `<group>.<field>`.
    pub grouped: bool,
}

/// A described set of identical tasks: how many, how long each waits, how
/// much CPU each burns, and how many times. A group with `arrival` has
/// requests arriving at a rate instead of tasks that start together: its
/// `tasks` is unused, and `requests` or `duration` says how many arrive.
#[derive(Clone, Debug)]
pub struct Group {
    pub name: String,
    pub tasks: Sweep<u64>,
    pub io_latency: Sweep<IoLatency>,
    pub cpu_cost: Sweep<Nanos>,
    pub rounds: Sweep<u32>,
    /// What the group's tasks do with the group's shared counter.
    pub shared: Sweep<SharedMode>,
    /// Whether a task yields to its runtime inside the counter's window.
    pub await_inside: bool,
    pub arrival: Option<ArrivalSpec>,
    pub requests: Option<u64>,
    pub duration: Option<Nanos>,
}

impl Default for Group {
    /// A group of one task that neither waits nor computes, once; `tasks`
    /// has no default in files (the reader asks for it).
    fn default() -> Self {
        Group {
            name: String::new(),
            tasks: Sweep::one(1),
            io_latency: Sweep::one(IoLatency::Fixed { value: Nanos::ZERO }),
            cpu_cost: Sweep::one(Nanos::ZERO),
            rounds: Sweep::one(1),
            shared: Sweep::one(SharedMode::None),
            await_inside: false,
            arrival: None,
            requests: None,
            duration: None,
        }
    }
}

impl Group {
    /// Whether the group sweeps `field` (model fields: never).
    pub fn sweeps(&self, field: Field) -> bool {
        match field {
            Field::Tasks => self.arrival.is_none() && self.tasks.is_axis(),
            Field::IoLatency => self.io_latency.is_axis(),
            Field::CpuCost => self.cpu_cost.is_axis(),
            Field::Rounds => self.rounds.is_axis(),
            Field::Shared => self.shared.is_axis(),
            Field::Rate => self.arrival.as_ref().is_some_and(|a| a.rate.is_axis()),
            Field::Workers | Field::SwitchInterval | Field::PollInterval => false,
        }
    }

    /// How many requests arrive, for a group with arrivals (a validated
    /// one has exactly one of `requests` and `duration`).
    pub fn span(&self) -> Option<RequestSpan> {
        self.arrival.as_ref()?;
        self.requests
            .map(RequestSpan::Requests)
            .or(self.duration.map(RequestSpan::Duration))
    }

    /// The tasks of each of the group's points along its task count: the
    /// values of `tasks`, or for a group with arrivals the requests at
    /// each rate (a `duration` arrives at rate × duration of them).
    pub fn task_counts(&self) -> Vec<u64> {
        match (&self.arrival, self.span()) {
            (Some(a), Some(span)) => a.rate.values.iter().map(|&r| span.requests(r)).collect(),
            _ => self.tasks.values.clone(),
        }
    }

    /// The largest task count of the group (see [`Group::task_counts`]).
    pub fn most_tasks(&self) -> u64 {
        self.task_counts().into_iter().max().unwrap_or(1)
    }
}

impl Workload {
    /// The name an axis of `group`'s `field` has in this workload:
    /// `io.rounds` in a workload with groups, `rounds` without.
    pub fn axis(&self, group: &Group, field: Field) -> Axis {
        Axis {
            group: self.grouped.then(|| group.name.clone()),
            field,
        }
    }

    /// The axes the workload sweeps, group by group, in field order.
    pub fn swept(&self) -> Vec<Axis> {
        self.groups
            .iter()
            .flat_map(|g| {
                Field::ALL
                    .into_iter()
                    .filter(|&f| g.sweeps(f))
                    .map(|f| self.axis(g, f))
            })
            .collect()
    }

    /// Whether the workload sweeps `axis`.
    pub fn sweeps(&self, axis: &Axis) -> bool {
        self.groups
            .iter()
            .any(|g| self.axis(g, axis.field) == *axis && g.sweeps(axis.field))
    }
}

/// How long one IO wait lasts: fixed, or drawn from a distribution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "dist", rename_all = "lowercase")]
pub enum IoLatency {
    Fixed { value: Nanos },
    Uniform { min: Nanos, max: Nanos },
    Exponential { mean: Nanos },
    Normal { mean: Nanos, sd: Nanos },
}

impl Default for IoLatency {
    /// No wait at all.
    fn default() -> Self {
        IoLatency::Fixed { value: Nanos::ZERO }
    }
}

impl IoLatency {
    /// The distribution's own mean (before truncation for `normal`).
    pub fn nominal_mean(&self) -> Nanos {
        match *self {
            IoLatency::Fixed { value } => value,
            // Halves first: the sum of two long durations could overflow.
            IoLatency::Uniform { min, max } => {
                Nanos(min.0 / 2 + max.0 / 2 + (min.0 % 2 + max.0 % 2) / 2)
            }
            IoLatency::Exponential { mean } | IoLatency::Normal { mean, .. } => mean,
        }
    }
}

impl std::fmt::Display for IoLatency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IoLatency::Fixed { value } => write!(f, "{value}"),
            IoLatency::Uniform { min, max } => write!(f, "uniform({min}..{max})"),
            IoLatency::Exponential { mean } => write!(f, "exp(mean {mean})"),
            IoLatency::Normal { mean, sd } => write!(f, "normal({mean}±{sd})"),
        }
    }
}

/// A `[[model]]` entry: a kind and its (possibly swept) parameters. The
/// default is a placeholder: files must name the kind.
#[derive(Clone, Debug, Default)]
pub struct ModelSpec {
    /// The label the user gave, or one derived from kind and fixed params.
    pub name: String,
    pub kind: ModelKind,
    pub workers: Option<Sweep<u32>>,
    pub switch_interval: Option<Sweep<Nanos>>,
    pub poll_interval: Option<Sweep<Nanos>>,
    pub python: Option<String>,
    pub node: Option<String>,
    /// `custom`: the runner to start, a program and its arguments.
    pub command: Option<Vec<String>>,
}

impl ModelSpec {
    /// A model's name when the file gives none: its kind and the parameters
    /// it fixes (`thread-pool workers=8`); swept ones go into each variant.
    pub fn default_name(&self) -> String {
        fn fixed<T: std::fmt::Display>(key: &str, sweep: &Option<Sweep<T>>) -> Option<String> {
            let value = sweep.as_ref().filter(|s| !s.is_axis())?.values.first()?;
            Some(format!("{key}={value}"))
        }
        std::iter::once(self.kind.name().to_string())
            .chain(fixed("workers", &self.workers))
            .chain(fixed("switch_interval", &self.switch_interval))
            .chain(fixed("poll_interval", &self.poll_interval))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Whether the model sweeps `field` (workload fields: never).
    pub(crate) fn sweeps(&self, field: Field) -> bool {
        let swept = |s: &Option<Sweep<_>>| s.as_ref().is_some_and(Sweep::is_axis);
        match field {
            Field::Workers => self.workers.as_ref().is_some_and(Sweep::is_axis),
            Field::SwitchInterval => swept(&self.switch_interval),
            Field::PollInterval => swept(&self.poll_interval),
            Field::Tasks
            | Field::IoLatency
            | Field::CpuCost
            | Field::Rounds
            | Field::Shared
            | Field::Rate => false,
        }
    }
}

/// What a chart puts on its y axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChartY {
    Wall,
    Cpu,
    Speedup,
    Efficiency,
    CtxSwitches,
    PeakRss,
    /// The most OS threads a run used.
    Threads,
    /// A group's figures (see [`ChartY::of_group`]).
    WakeP50,
    WakeP99,
    WakeMax,
    CompletionP50,
    CompletionP99,
    RoundsPerS,
    /// The share of its shared counters' updates a run lost.
    LostUpdates,
    /// A group with arrivals: its requests' latency and throughput.
    LatencyMean,
    LatencyP50,
    LatencyP99,
    Throughput,
}

impl ChartY {
    pub const ALL: [ChartY; 18] = [
        ChartY::Wall,
        ChartY::Cpu,
        ChartY::Speedup,
        ChartY::Efficiency,
        ChartY::CtxSwitches,
        ChartY::PeakRss,
        ChartY::Threads,
        ChartY::WakeP50,
        ChartY::WakeP99,
        ChartY::WakeMax,
        ChartY::CompletionP50,
        ChartY::CompletionP99,
        ChartY::RoundsPerS,
        ChartY::LostUpdates,
        ChartY::LatencyMean,
        ChartY::LatencyP50,
        ChartY::LatencyP99,
        ChartY::Throughput,
    ];
    /// The names in experiment files, in the order of [`ChartY::ALL`].
    pub const NAMES: [&'static str; 18] = [
        "wall",
        "cpu",
        "speedup",
        "efficiency",
        "ctx_switches",
        "peak_rss",
        "threads",
        "wake_p50",
        "wake_p99",
        "wake_max",
        "completion_p50",
        "completion_p99",
        "rounds_per_s",
        "lost_updates",
        "latency_mean",
        "latency_p50",
        "latency_p99",
        "throughput",
    ];

    /// Whether the figure is one group's (and a workload of several
    /// groups must say which).
    pub fn of_group(self) -> bool {
        matches!(
            self,
            ChartY::WakeP50
                | ChartY::WakeP99
                | ChartY::WakeMax
                | ChartY::CompletionP50
                | ChartY::CompletionP99
                | ChartY::RoundsPerS
                | ChartY::LatencyMean
                | ChartY::LatencyP50
                | ChartY::LatencyP99
                | ChartY::Throughput
        )
    }

    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    pub fn from_name(name: &str) -> Option<ChartY> {
        ChartY::ALL.into_iter().find(|y| y.as_str() == name)
    }
}

/// A `[[chart]]` entry.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartSpec {
    pub workload: String,
    pub y: ChartY,
    /// Which sweep axis goes on x; by default the workload's first axis.
    pub x: Option<Axis>,
    pub log_x: Option<bool>,
    pub log_y: Option<bool>,
    pub width: u32,
    pub height: u32,
    pub title: Option<String>,
    /// Draw each model's prediction as a dotted line.
    pub predictions: bool,
    /// Only these models (by name); all when empty.
    pub models: Vec<String>,
    /// The group whose figures a group metric shows.
    pub group: Option<String>,
}

pub const DEFAULT_CHART_WIDTH: u32 = 1200;
pub const DEFAULT_CHART_HEIGHT: u32 = 800;

impl Default for ChartSpec {
    fn default() -> Self {
        ChartSpec {
            workload: String::new(),
            y: ChartY::Wall,
            x: None,
            log_x: None,
            log_y: None,
            width: DEFAULT_CHART_WIDTH,
            height: DEFAULT_CHART_HEIGHT,
            title: None,
            predictions: true,
            models: Vec::new(),
            group: None,
        }
    }
}
