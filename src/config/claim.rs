//! `[[claim]]`: a statement about an experiment's results that conlab
//! checks with its 95 % interval — "three threads wait about one IO
//! latency" as `wall ≤ 0.4 × sequential`, or "processes overtake the GIL
//! between 1 and 2 tasks" as a crossover. These are the validated forms;
//! judging them against measurements is `results::claims`' job.
//! [`ClaimSpec::check`] says what a claim's keys mean together against
//! the experiment: the workload, models and group it names exist; it
//! claims something (a limit or a crossover), in the metric's terms (a
//! duration for a time, a number for speedup and efficiency, a ratio of
//! another model's value for a time); every point its `where` names is a
//! point of the sweeps; a crossover runs along a swept axis of the
//! workload, in a range that meets its values. A claim that passes can
//! always be judged (or found not measured) against results of its file.

use super::diagnostic::{At, Problem, Written, some};
use super::duration::Nanos;
use super::field::{Axis, Field, Point, Value};
use super::kind::{DEFAULT_POLL_INTERVAL, DEFAULT_SWITCH_INTERVAL, Param};
use super::schema::{Experiment, IoLatency, ModelSpec, Sweep, Workload};
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
/// number (tasks, rounds, workers) or a duration (io_latency, cpu_cost,
/// switch_interval, poll_interval).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum AxisValue {
    Number(f64),
    Duration(Nanos),
}

impl AxisValue {
    /// The value as an axis number: durations in ms, as charts have them.
    pub fn number(self) -> f64 {
        match self {
            AxisValue::Number(n) => n,
            AxisValue::Duration(d) => d.as_millis_f64(),
        }
    }

    /// Whether `value` (an axis's value at a point) is this one.
    pub fn is(self, value: &Value) -> bool {
        match (self, value) {
            (AxisValue::Number(n), Value::Count(c)) => n == *c as f64,
            (AxisValue::Duration(d), Value::Duration(e)) => d == *e,
            // A fixed latency reads as its duration in labels.
            (AxisValue::Duration(d), Value::Latency { text, .. }) => *text == d.to_string(),
            _ => false,
        }
    }
}

// The values of a `where` are whole numbers and durations, so no NaN
// breaks equality; zero is hashed as +0 so equal values hash alike.
impl Eq for AxisValue {}

impl std::hash::Hash for AxisValue {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        match self {
            AxisValue::Number(n) => (0, (n + 0.0).to_bits()).hash(state),
            AxisValue::Duration(d) => (1, d.0).hash(state),
        }
    }
}

impl std::fmt::Display for AxisValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AxisValue::Number(n) => f.write_str(&format_number(*n, 4)),
            AxisValue::Duration(d) => write!(f, "{d}"),
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

/// The model `name`, or the problem of a claim naming, at `at`, one the
/// experiment does not have.
fn model<'e>(exp: &'e Experiment, name: &str, at: At) -> Result<&'e ModelSpec, Problem> {
    exp.model_named(name, "[[claim]]", at)
}

impl ClaimSpec {
    /// Checks what the claim's keys say together against `exp` (`file`
    /// says how they were written), and fills in the group of a group
    /// metric and the text; every problem found.
    pub fn check(&mut self, exp: &Experiment, file: &dyn Written) -> Vec<Problem> {
        let mut out = Vec::new();
        let w = match exp.workload_named(&self.workload, "[[claim]]") {
            Ok(w) => w,
            Err(problem) => return vec![problem],
        };
        let with: Vec<&str> = ["at_least", "at_most"]
            .into_iter()
            .filter(|k| file.has(k))
            .collect();
        if file.has("between") && !with.is_empty() {
            let message = format!(
                "`between` cannot be given with `{}`: both set the same limits",
                with.join("` and `")
            );
            let hint = "keep `between = [low, high]`, or `at_least` and `at_most`";
            out.push(Problem::new(At::Key("between"), message, hint));
        }
        out.extend(self.group_problem(w));
        match &self.crossover {
            Some(x) => out.extend(self.crossover_problems(x, w, exp, file)),
            None => out.extend(self.limit_problem(exp, file)),
        }
        if out.is_empty() {
            out.extend(self.where_problems(w, exp));
        }
        if self.text.trim().is_empty() {
            self.text = self.default_text();
        }
        out
    }

    /// The group of a group metric: the one named, or the workload's only one.
    fn group_problem(&mut self, w: &Workload) -> Option<Problem> {
        let names: Vec<&str> = w.groups.iter().map(|g| g.name.as_str()).collect();
        let (message, hint) = match (&self.group, self.metric.of_group()) {
            (Some(_), false) => (
                format!(
                    "`group` applies to a group's metrics (completion_p50, completion_p99, \
                     wake_delay_p50, wake_delay_p99), not to {}",
                    self.metric
                ),
                "remove `group`, or choose a group's metric".to_string(),
            ),
            (Some(g), true) if !names.contains(&g.as_str()) => (
                format!("workload \"{}\" has no group \"{g}\"", w.name),
                format!("groups: {}", some(&names)),
            ),
            (None, true) if names.len() > 1 => {
                let message = format!(
                    "metric {} is a group's, and workload \"{}\" has {} groups",
                    self.metric,
                    w.name,
                    names.len()
                );
                let hint = format!("add group = \"{}\" (groups: {})", names[0], some(&names));
                return Some(Problem::new(At::Key("metric"), message, hint));
            }
            (None, true) => {
                self.group = names.first().map(|n| n.to_string());
                return None;
            }
            _ => return None,
        };
        Some(Problem::new(At::Key("group"), message, hint))
    }

    /// A claim with a limit: its model, and limits in the metric's terms.
    fn limit_problem(&self, exp: &Experiment, file: &dyn Written) -> Vec<Problem> {
        let models: Vec<&str> = exp.models.iter().map(|m| m.name.as_str()).collect();
        if !file.has("model") {
            let first = models.first().copied().unwrap_or("threads");
            let hint = format!(
                "add model = \"{first}\" (models: {}), or state a crossover = {{ of, and, axis, between }}",
                some(&models)
            );
            return vec![Problem::new(
                At::Key("model"),
                "[[claim]] is missing the key `model`",
                hint,
            )];
        }
        let claimed = match model(exp, &self.model, At::Key("model")) {
            Ok(m) => m,
            Err(problem) => return vec![problem],
        };
        let between = file.has("between");
        let given: Vec<(&'static str, &Limit)> =
            [("at_least", &self.at_least), ("at_most", &self.at_most)]
                .into_iter()
                .filter_map(|(k, l)| Some((if between { "between" } else { k }, l.as_ref()?)))
                .collect();
        if given.is_empty() {
            let hint =
                "add at_most, at_least or between (or a crossover = { of, and, axis, between })";
            return vec![Problem::new(
                At::Table,
                "[[claim]] says nothing to check",
                hint,
            )];
        }
        let metric = self.metric;
        let wrong: Vec<Problem> = given
            .iter()
            .filter_map(|&(key, limit)| {
                let (message, hint) = match limit {
                    Limit::Ratio { .. } if !metric.takes_ratios() => (
                        format!(
                            "{metric} is a ratio already (over sequential, or of the prediction), so a ratio of it is not a claim conlab checks"
                        ),
                        format!("give a number: {key} = 1.5"),
                    ),
                    Limit::Number(_) if metric.is_time() => (
                        format!("`{key}` for metric {metric} is a time and needs a unit"),
                        format!(
                            "write a duration such as {key} = \"120ms\", or a ratio: {key} = {{ ratio = 0.4, of = \"sequential\" }}"
                        ),
                    ),
                    Limit::Time(_) if !metric.is_time() => (
                        format!("`{key}` for metric {metric} is a number, not a duration"),
                        format!("write a number such as {key} = 1.5"),
                    ),
                    _ => return None,
                };
                Some(Problem::new(At::Key(key), message, hint))
            })
            .collect();
        if !wrong.is_empty() {
            return wrong;
        }
        if let [(_, lo), (_, hi)] = given.as_slice() {
            if lo.of() != hi.of() {
                let message = "`at_least` and `at_most` must both be ratios of the same model, or \
                               neither be a ratio";
                return vec![Problem::new(At::Key("at_most"), message, "")];
            }
            if lo.number() > hi.number() && !between {
                let message = "`at_least` is above `at_most`: no value can be both";
                return vec![Problem::new(At::Key("at_least"), message, "swap them")];
            }
        }
        let (Some(of), Some(&(key, _))) = (self.reference(), given.first()) else {
            return Vec::new();
        };
        let reference = match model(exp, of, At::Of(key)) {
            Ok(m) => m,
            Err(problem) => return vec![problem],
        };
        if of == self.model {
            let message = format!("a ratio of model \"{of}\" to itself is always 1");
            let hint = "name another model in `of`, e.g. of = \"sequential\"";
            return vec![Problem::new(At::Of(key), message, hint)];
        }
        // The reference must be one variant at each point the claim selects.
        for field in [Field::Workers, Field::SwitchInterval, Field::PollInterval] {
            let fixed = !self.wheres.is_empty()
                && self.wheres.iter().all(|w| {
                    w.axes
                        .iter()
                        .any(|(a, values)| a.field == field && values.len() == 1)
                });
            if reference.sweeps(field) && !claimed.sweeps(field) && !fixed {
                let message = format!(
                    "model \"{of}\" sweeps {field}, so \"a ratio of {of}\" does not say which of its variants"
                );
                let hint = format!("choose one in `where`: where = {{ {field} = … }}");
                return vec![Problem::new(At::Of(key), message, hint)];
            }
        }
        Vec::new()
    }

    /// A crossover claim: its models exist and differ, its axis is a swept
    /// axis of the workload, its range meets the axis's values.
    fn crossover_problems(
        &self,
        x: &CrossoverSpec,
        w: &Workload,
        exp: &Experiment,
        file: &dyn Written,
    ) -> Vec<Problem> {
        let mut out = Vec::new();
        for key in ["model", "at_most", "at_least", "between"] {
            if file.has(key) {
                let message = format!(
                    "a crossover claim has no `{key}`: it claims where the curves of crossover.of \
                     and crossover.and cross"
                );
                let hint = format!("remove `{key}`, or make it a [[claim]] of its own");
                out.push(Problem::new(At::Key(key), message, hint));
            }
        }
        if !self.metric.is_time() {
            let message = format!("a crossover compares times, and {} is not one", self.metric);
            let hint = "use metric = \"wall\" (the default), \"cpu\", or a group's time";
            out.push(Problem::new(At::Key("metric"), message, hint));
        }
        for (key, name) in [("of", &x.of), ("and", &x.and)] {
            out.extend(model(exp, name, At::Sub("crossover", key)).err());
        }
        if out.is_empty() && x.of == x.and {
            let message = format!("a crossover of model \"{}\" with itself", x.of);
            out.push(Problem::new(
                At::Sub("crossover", "and"),
                message,
                "name two models",
            ));
        }
        let at = |key| At::Sub("crossover", key);
        let swept: Vec<String> = w.swept().iter().map(Axis::to_string).collect();
        let Some(axis) = x.axis.as_ref().filter(|a| w.sweeps(a)) else {
            let given = file.text("crossover.axis").unwrap_or_default();
            let message = match &x.axis {
                Some(_) => format!(
                    "crossover axis \"{given}\" is not swept in workload \"{}\"",
                    w.name
                ),
                None => format!("unknown crossover axis \"{given}\""),
            };
            let hint = if swept.is_empty() {
                "give one of the workload's keys a list of values to sweep; it sweeps none"
                    .to_string()
            } else {
                format!("swept: {}", swept.join(", "))
            };
            out.push(Problem::new(at("axis"), message, hint));
            return out;
        };
        let Some((lo, hi)) = x.between else {
            return out;
        };
        let duration = matches!(lo, AxisValue::Duration(_));
        if duration != axis.field.is_duration() {
            let (message, hint) = if duration {
                (
                    format!("crossover between gives durations, and {axis} is a count"),
                    "give two numbers: between = [2, 10]",
                )
            } else {
                (
                    format!("crossover between gives numbers, and {axis} is a duration"),
                    "give two durations: between = [\"1ms\", \"10ms\"]",
                )
            };
            out.push(Problem::new(at("between"), message, hint));
            return out;
        }
        let values = workload_values(w, axis).unwrap_or_default();
        let (min, max) = values
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(v.number()), b.max(v.number()))
            });
        if hi.number() < min || lo.number() > max {
            let shown: Vec<String> = values.iter().map(AxisValue::to_string).collect();
            let message = format!(
                "crossover between [{lo}, {hi}] lies outside the values workload \"{}\" sweeps {axis} over",
                w.name
            );
            out.push(Problem::new(
                at("between"),
                message,
                format!("{axis}: {}", shown.join(", ")),
            ));
            return out;
        }
        if self
            .wheres
            .iter()
            .any(|f| f.axes.iter().any(|(a, _)| a == axis))
        {
            let message = format!("`where` names {axis}, the axis the crossover runs along");
            let hint =
                format!("remove {axis} from `where`; the crossover looks at all of its values");
            out.push(Problem::new(At::Key("where"), message, hint));
        }
        out
    }

    /// Every axis and value a `where` names is a point of the sweeps.
    fn where_problems(&self, w: &Workload, exp: &Experiment) -> Vec<Problem> {
        let models: Vec<&ModelSpec> = match &self.crossover {
            Some(x) => [&x.of, &x.and]
                .into_iter()
                .filter_map(|n| model(exp, n, At::Table).ok())
                .collect(),
            None => model(exp, &self.model, At::Table).into_iter().collect(),
        };
        let mut out = Vec::new();
        for (i, filter) in self.wheres.iter().enumerate() {
            for (axis, values) in &filter.axes {
                let key = axis.to_string();
                let at = || At::Where(i, key.clone());
                let known = if axis.field.of_workload() {
                    workload_values(w, axis).ok_or_else(|| ungrouped(w, axis))
                } else {
                    model_field_values(&models, axis.field, &key)
                };
                let known = match known {
                    Ok(known) => known,
                    Err((message, hint)) => {
                        out.push(Problem::new(at(), message, hint));
                        continue;
                    }
                };
                for value in values.iter().filter(|v| !known.contains(v)) {
                    let shown: Vec<String> = known.iter().map(AxisValue::to_string).collect();
                    let message = if axis.field.of_workload() {
                        format!(
                            "`where` {key} = {value} is not a point of workload \"{}\"",
                            w.name
                        )
                    } else {
                        let names: Vec<&str> = models.iter().map(|m| m.name.as_str()).collect();
                        format!(
                            "`where` {key} = {value} is not a value of model \"{}\"",
                            names.join("\" or \"")
                        )
                    };
                    let hint = if shown.is_empty() {
                        format!("{key} has no fixed value to choose here")
                    } else {
                        format!("its {key}: {}", shown.join(", "))
                    };
                    out.push(Problem::new(at(), message, hint));
                }
            }
        }
        out
    }
}

/// Why a `where` cannot name the workload axis `axis` of `w`.
fn ungrouped(w: &Workload, axis: &Axis) -> (String, String) {
    let key = axis.to_string();
    let groups: Vec<String> = w
        .groups
        .iter()
        .map(|g| format!("{}.{}", g.name, axis.field))
        .collect();
    let by_group = format!("name it by group: {}", groups.join(", "));
    match (&axis.group, w.grouped) {
        (None, true) => (
            format!(
                "workload \"{}\" has groups, so `{key}` needs its group",
                w.name
            ),
            by_group,
        ),
        (Some(_), true) => (
            format!("workload \"{}\" has no group named in `{key}`", w.name),
            by_group,
        ),
        (Some(_), false) => (
            format!(
                "workload \"{}\" has no groups, so `{key}` names none",
                w.name
            ),
            format!("write `{}`", axis.field),
        ),
        (None, false) => (
            format!("workload \"{}\" has no {key}", w.name),
            String::new(),
        ),
    }
}

/// The values of a model's field in `where`: those of the models that
/// have it (a crossover's other model may lack it).
fn model_field_values(
    models: &[&ModelSpec],
    field: Field,
    key: &str,
) -> Result<Vec<AxisValue>, (String, String)> {
    let takes = |m: &ModelSpec| m.kind.params().iter().any(|p| p.key() == field.key());
    let lacking = models.iter().filter(|m| !takes(m)).count();
    let mut all = Vec::new();
    let mut problem = None;
    for m in models {
        match model_values(m, field) {
            Some(v) => all.extend(v),
            None if !takes(m) && lacking < models.len() => {}
            None if takes(m) => {
                problem = Some((
                    format!(
                        "model \"{}\" does not set {key}, so it runs as many as the machine has usable cores, which the file cannot know",
                        m.name
                    ),
                    format!(
                        "give the model {key} = … to choose among, or remove {key} from `where`"
                    ),
                ));
            }
            None => {
                let takers = Param::from_key(field.key()).map(|p| p.kinds().join(", "));
                problem = Some((
                    format!("model \"{}\" has no {key}", m.name),
                    format!("{key} is a parameter of {}", takers.unwrap_or_default()),
                ));
            }
        }
    }
    problem.map_or(Ok(all), Err)
}

/// The values a workload gives the field of `axis` (every group's when
/// the axis names none and the workload has one group).
fn workload_values(w: &Workload, axis: &Axis) -> Option<Vec<AxisValue>> {
    let g = match &axis.group {
        Some(name) if w.grouped => w.groups.iter().find(|g| g.name == *name)?,
        Some(_) => return None,
        None if w.grouped => return None,
        None => w.groups.first()?,
    };
    let numbers = |v: Vec<f64>| v.into_iter().map(AxisValue::Number).collect();
    Some(match axis.field {
        Field::Tasks => numbers(g.tasks.values.iter().map(|n| *n as f64).collect()),
        Field::Rounds => numbers(g.rounds.values.iter().map(|n| f64::from(*n)).collect()),
        Field::CpuCost => g
            .cpu_cost
            .values
            .iter()
            .map(|d| AxisValue::Duration(*d))
            .collect(),
        Field::IoLatency => g
            .io_latency
            .values
            .iter()
            .filter_map(|l| match l {
                IoLatency::Fixed { value } => Some(AxisValue::Duration(*value)),
                _ => None,
            })
            .collect(),
        // A word: its place in the list of modes, as on its axis.
        Field::Shared => numbers(g.shared.values.iter().map(|m| *m as usize as f64).collect()),
        Field::Rate => numbers(
            g.arrival
                .as_ref()?
                .rate
                .values
                .iter()
                .map(|r| r.per_s())
                .collect(),
        ),
        Field::Workers | Field::SwitchInterval | Field::PollInterval => return None,
    })
}

/// The values a model gives a field of its own, when the file says them
/// (a model without `workers` takes the machine's cores, unknown here).
fn model_values(m: &ModelSpec, field: Field) -> Option<Vec<AxisValue>> {
    let durations = |s: &Option<Sweep<Nanos>>, default: Nanos| {
        let values = s.as_ref().map_or(vec![default], |s| s.values.clone());
        values.into_iter().map(AxisValue::Duration).collect()
    };
    let takes = |p: Param| m.kind.params().contains(&p);
    Some(match field {
        Field::Workers if takes(Param::Workers) => {
            let workers = &m.workers.as_ref()?.values;
            workers
                .iter()
                .map(|n| AxisValue::Number(f64::from(*n)))
                .collect()
        }
        Field::SwitchInterval if takes(Param::SwitchInterval) => {
            durations(&m.switch_interval, DEFAULT_SWITCH_INTERVAL)
        }
        Field::PollInterval if takes(Param::PollInterval) => {
            durations(&m.poll_interval, DEFAULT_POLL_INTERVAL)
        }
        _ => return None,
    })
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
