//! The validated experiment: what `config::load` returns once a file has
//! passed every check. Everything downstream works from these types only.
//! Each section's defaults are its type's `Default` impl: the reader starts
//! from it, and the key tables (`conlab validate --help`, the README) show
//! what it holds.

use serde::{Deserialize, Serialize};

use super::arrival::{ArrivalSpec, RequestSpan};
use super::claim::ClaimSpec;
use super::diagnostic::{At, Problem, Written, some};
use super::duration::Nanos;
use super::field::{Axis, Field};
use super::kind::ModelKind;
use super::limits::MAX_TASKS;

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
            workloads: Vec::new(),
            models: Vec::new(),
            charts: Vec::new(),
            claims: Vec::new(),
            source_path: String::new(),
            source_text: String::new(),
        }
    }
}

impl Experiment {
    /// The workload named `name`, or the problem of a `what` (`[[chart]]`)
    /// naming one the experiment does not have.
    pub fn workload_named(&self, name: &str, what: &str) -> Result<&Workload, Problem> {
        self.workloads
            .iter()
            .find(|w| w.name == name)
            .ok_or_else(|| {
                let names: Vec<&str> = self.workloads.iter().map(|w| w.name.as_str()).collect();
                let message =
                    format!("{what} names workload \"{name}\", which the experiment does not have");
                Problem::new(
                    At::Key("workload"),
                    message,
                    format!("workloads: {}", some(&names)),
                )
            })
    }

    /// The model named `name`, or the problem of a `what` naming, at `at`,
    /// one the experiment does not have.
    pub fn model_named(&self, name: &str, what: &str, at: At) -> Result<&ModelSpec, Problem> {
        self.models.iter().find(|m| m.name == name).ok_or_else(|| {
            let names: Vec<&str> = self.models.iter().map(|m| m.name.as_str()).collect();
            let message =
                format!("{what} names model \"{name}\", which the experiment does not have");
            Problem::new(at, message, format!("models: {}", some(&names)))
        })
    }
}

/// A field that is either one value or a list of values to sweep over.
#[derive(Clone, Debug, PartialEq)]
pub struct Sweep<T> {
    pub values: Vec<T>,
}

impl<T> Sweep<T> {
    pub fn one(value: T) -> Self {
        Sweep {
            values: vec![value],
        }
    }

    pub fn is_axis(&self) -> bool {
        self.values.len() > 1
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Sweep<U> {
        Sweep {
            values: self.values.into_iter().map(f).collect(),
        }
    }
}

impl<T: Ord + Copy> Sweep<T> {
    /// The largest value (sweeps are never empty once read).
    pub fn most(&self) -> Option<T> {
        self.values.iter().copied().max()
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

    /// What `shared` and `await_inside` say together with `tasks` (or, in
    /// a group with arrivals, its requests), for the group `whose` names:
    /// a counter needs two tasks to race, and a yield inside the window
    /// needs a racy window.
    pub fn counter_problems(&self, whose: &str) -> Vec<Problem> {
        let mut out = Vec::new();
        let counter = self.shared.values.iter().find(|m| m.counts());
        let fewest = self.task_counts().into_iter().min().unwrap_or(0);
        if let Some(mode) = counter
            && fewest < 2
        {
            let (message, hint) = if self.arrival.is_some() {
                (
                    format!(
                        "shared = \"{mode}\" needs two requests or more to race for the counter, \
                         but {whose} brings {fewest}"
                    ),
                    "give it requests = 2 or more (or a duration that brings them at every rate), \
                     or remove `shared`",
                )
            } else {
                (
                    format!(
                        "shared = \"{mode}\" needs two tasks or more to race for the counter, but \
                         {whose} has tasks = {fewest}"
                    ),
                    "give it tasks = 2 or more (in every value of a sweep), or remove `shared`",
                )
            };
            out.push(Problem::new(At::Key("shared"), message, hint));
        }
        if self.await_inside && !self.shared.values.contains(&SharedMode::Racy) {
            let now = match counter {
                Some(mode) => format!("shared = \"{mode}\""),
                None => "no shared counter".to_string(),
            };
            let message = format!(
                "await_inside = true yields between a racy counter's read and write, but {whose} \
                 has {now}"
            );
            let hint =
                "add shared = \"racy\" (or a list with \"racy\" in it), or remove `await_inside`";
            out.push(Problem::new(At::Key("await_inside"), message, hint));
        }
        out
    }

    /// What the keys of a group with arrivals say together (`file` says
    /// which it writes): `arrival` with exactly one of `requests` and
    /// `duration`, and no `tasks`; then a `duration` that brings at least
    /// one request, and not too many, at every rate.
    pub fn open_loop_problems(&self, file: &dyn Written) -> Vec<Problem> {
        let mut out = Vec::new();
        let arrival = file.has("arrival");
        if file.has("tasks") && arrival {
            let message = "`tasks` and `arrival` cannot both be set in one group: its tasks either \
                           start together or arrive as requests";
            let hint = "remove `tasks` and say how many requests arrive with requests = 2000 or \
                        duration = \"10s\", or remove `arrival`";
            out.push(Problem::new(At::Key("tasks"), message, hint));
        }
        match (arrival, file.has("requests"), file.has("duration")) {
            (true, true, true) => out.push(Problem::new(
                At::Key("duration"),
                "`requests` and `duration` cannot both be set: each says how many requests arrive",
                "keep one: requests = 2000 (a count), or duration = \"10s\" (rate × duration \
                 requests)",
            )),
            (true, false, false) => out.push(Problem::new(
                At::Key("arrival"),
                "`arrival` needs `requests` or `duration`: how many requests arrive",
                "add requests = 2000, or duration = \"10s\"",
            )),
            (false, requests, duration) => {
                for (key, _) in [("requests", requests), ("duration", duration)]
                    .iter()
                    .filter(|k| k.1)
                {
                    out.push(Problem::new(
                        At::Key(key),
                        format!("`{key}` needs `arrival`: the rate its requests arrive at"),
                        "add arrival = { rate = 100, dist = \"poisson\" }, or give tasks = 10 for \
                         tasks that start together",
                    ));
                }
            }
            _ => {}
        }
        if out.is_empty() {
            out.extend(self.duration_problem());
        }
        out
    }

    /// A group's `duration` that brings no request, or too many, at one
    /// of its rates.
    fn duration_problem(&self) -> Option<Problem> {
        let (arrival, d) = (self.arrival.as_ref()?, self.duration?);
        arrival.rate.values.iter().find_map(|&rate| {
            let n = RequestSpan::Duration(d).requests(rate);
            let (message, hint) = if n == 0 {
                (
                    format!("at rate = {rate}, `duration` = \"{d}\" brings no request"),
                    "lengthen duration, or give requests = N instead".to_string(),
                )
            } else if n > MAX_TASKS {
                (
                    format!("at rate = {rate}, `duration` = \"{d}\" brings {n} requests"),
                    format!(
                        "conlab runs at most {MAX_TASKS} tasks per cell; shorten duration or lower \
                         the rate"
                    ),
                )
            } else {
                return None;
            };
            Some(Problem::new(At::Key("duration"), message, hint))
        })
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

/// How an IO wait happens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum IoKind {
    /// An OS timer: the task's thread (or event loop) sleeps until a deadline.
    #[default]
    Sleep,
    /// A request over loopback TCP to a delay server.
    Tcp,
}

impl IoKind {
    /// The names in experiment files, in declaration order.
    pub const NAMES: [&'static str; 2] = ["sleep", "tcp"];

    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    pub fn from_name(name: &str) -> Option<IoKind> {
        [IoKind::Sleep, IoKind::Tcp]
            .into_iter()
            .find(|k| k.as_str() == name)
    }
}

/// What the tasks of a group do with the group's shared counter once a
/// round, after the IO wait (the `shared` key of a group).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum SharedMode {
    /// No counter.
    #[default]
    None,
    /// Read the counter, do the round's CPU work, write back what was read
    /// plus one: an update made by another task meanwhile is lost.
    Racy,
    /// The same window under the runtime's own lock: nothing is lost.
    Locked,
    /// One atomic increment, no window.
    Atomic,
}

impl SharedMode {
    /// The names in experiment files, in declaration order.
    pub const NAMES: [&'static str; 4] = ["none", "racy", "locked", "atomic"];
    pub const ALL: [SharedMode; 4] = [
        SharedMode::None,
        SharedMode::Racy,
        SharedMode::Locked,
        SharedMode::Atomic,
    ];

    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    pub fn from_name(name: &str) -> Option<SharedMode> {
        SharedMode::ALL.into_iter().find(|m| m.as_str() == name)
    }

    /// Whether tasks update a counter at all.
    pub fn counts(self) -> bool {
        self != SharedMode::None
    }
}

impl std::fmt::Display for SharedMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
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

impl ChartSpec {
    /// Checks what the chart's keys say together against `w`, its
    /// workload, and the experiment's models (`file` says how they were
    /// written): its x is a swept axis, its group fits its y, its models
    /// exist.
    pub fn check(&self, w: &Workload, exp: &Experiment, file: &dyn Written) -> Vec<Problem> {
        let mut out = Vec::new();
        if let Some(x) = file.text("x")
            && let Some((message, hint)) = self.x_problem(&x, w, exp)
        {
            out.push(Problem::new(At::Key("x"), message, hint));
        }
        if let Some((message, hint)) = self.group_problem(w) {
            let at = At::Key(if file.has("group") { "group" } else { "y" });
            out.push(Problem::new(at, message, hint));
        }
        for (i, name) in self.models.iter().enumerate() {
            out.extend(
                exp.model_named(name, "[[chart]]", At::Item("models", i))
                    .err(),
            );
        }
        out
    }

    /// What is wrong with x, written `x`: it must be a swept axis of the
    /// workload or its models, and one a line can run along.
    fn x_problem(&self, x: &str, w: &Workload, exp: &Experiment) -> Option<(String, String)> {
        let mut swept = w.swept();
        let model_axes = Field::ALL
            .into_iter()
            .filter(|&f| exp.models.iter().any(|m| m.sweeps(f)));
        swept.extend(model_axes.map(Axis::plain));
        let shown: Vec<String> = swept.iter().map(Axis::to_string).collect();
        let not_swept = format!(
            "chart x = \"{x}\" is not swept in workload \"{}\" or its models",
            w.name
        );
        match &self.x {
            Some(a) if a.field.is_categorical() => Some((
                format!("chart x = \"{x}\" takes words, not numbers a line could run along"),
                "leave x out: each value then gets its own charts, and the lost-updates chart \
                 sets the values side by side"
                    .to_string(),
            )),
            Some(a) if w.sweeps(a) || (a.group.is_none() && swept.contains(a)) => None,
            Some(_) if shown.is_empty() => {
                let hint = "give that field a list of values; nothing is swept here yet";
                Some((not_swept, hint.to_string()))
            }
            Some(_) => {
                let hint = "give that field a list of values, or choose a swept axis";
                Some((not_swept, format!("{hint}: {}", shown.join(", "))))
            }
            None => {
                let keys: Vec<&str> = Field::ALL
                    .into_iter()
                    .filter(|f| !f.is_categorical())
                    .map(Field::key)
                    .collect();
                let message = format!("unknown chart x \"{x}\"");
                Some((message, format!("use one of: {}", keys.join(", "))))
            }
        }
    }

    /// What is wrong with the chart's `group`, if anything: a group's
    /// figure in a workload of several groups must name one of them, and
    /// only a group's figure takes a group.
    fn group_problem(&self, w: &Workload) -> Option<(String, String)> {
        let names: Vec<&str> = w.groups.iter().map(|g| g.name.as_str()).collect();
        let y = self.y.as_str();
        match (&self.group, self.y.of_group()) {
            (None, true) if names.len() > 1 => Some((
                format!(
                    "chart y = \"{y}\" is a group's figure, and workload \"{}\" has {} groups",
                    w.name,
                    names.len()
                ),
                format!(
                    "say which: group = \"{}\" (groups: {})",
                    names[0],
                    names.join(", ")
                ),
            )),
            (Some(g), true) if w.grouped && !names.contains(&g.as_str()) => Some((
                format!(
                    "[[chart]] names group \"{g}\", which workload \"{}\" does not have",
                    w.name
                ),
                format!("use one of: {}", names.join(", ")),
            )),
            (Some(g), true) if !w.grouped => Some((
                format!(
                    "[[chart]] names group \"{g}\", but workload \"{}\" has no [[workload.group]]",
                    w.name
                ),
                "remove group: a workload without groups is one group".to_string(),
            )),
            (Some(_), false) => Some((
                format!("chart y = \"{y}\" is not a group's figure, so `group` does not apply"),
                "remove group, or chart a group's figure: wake_p50, wake_p99, wake_max, \
                 completion_p50, completion_p99, rounds_per_s, latency_mean, latency_p50, \
                 latency_p99, throughput"
                    .to_string(),
            )),
            _ => None,
        }
    }
}
