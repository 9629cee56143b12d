//! The fields an experiment can sweep, as one type: [`Field`] knows its key
//! in experiment files, whether it belongs to a `[[workload]]` (or one of
//! its groups) or a `[[model]]`, whether it is a duration and its title on
//! a chart axis; an [`Axis`] is a field of one group (`io.rounds`) or of no
//! group (`tasks`, `workers`), and reads its value from a [`Point`], the one
//! form in which a cell (before its runs) and a cell's summary (after them)
//! both describe where in the sweeps they sit. Adding a sweepable field
//! means adding it here.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::duration::Nanos;
use super::named::named;
use crate::format::duration_text;

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

named! {
    serde,
    /// What the tasks of a group do with the group's shared counter once a
    /// round, after the IO wait (the `shared` key of a group).
    #[derive(
        Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
    )]
    pub enum SharedMode {
        /// No counter.
        #[default]
        None = "none",
        /// Read the counter, do the round's CPU work, write back what was read
        /// plus one: an update made by another task meanwhile is lost.
        Racy = "racy",
        /// The same window under the runtime's own lock: nothing is lost.
        Locked = "locked",
        /// One atomic increment, no window.
        Atomic = "atomic",
    }
}

impl SharedMode {
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

/// A sweepable field of a `[[workload]]` or a `[[model]]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    Tasks,
    IoLatency,
    CpuCost,
    Rounds,
    Shared,
    /// The arrival rate of a group with arrivals (requests per second).
    Rate,
    Workers,
    SwitchInterval,
    PollInterval,
}

impl Field {
    /// Every field, workload fields first, in the order cells and labels
    /// list them.
    pub const ALL: [Field; 9] = [
        Field::Tasks,
        Field::IoLatency,
        Field::CpuCost,
        Field::Rounds,
        Field::Shared,
        Field::Rate,
        Field::Workers,
        Field::SwitchInterval,
        Field::PollInterval,
    ];

    /// The key in experiment files (and in labels: `tasks=10`).
    pub fn key(self) -> &'static str {
        match self {
            Field::Tasks => "tasks",
            Field::IoLatency => "io_latency",
            Field::CpuCost => "cpu_cost",
            Field::Rounds => "rounds",
            Field::Shared => "shared",
            Field::Rate => "rate",
            Field::Workers => "workers",
            Field::SwitchInterval => "switch_interval",
            Field::PollInterval => "poll_interval",
        }
    }

    pub fn from_key(key: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.key() == key)
    }

    /// The fields of a `[[workload]]` (and of each of its groups), in the
    /// order of [`Field::ALL`]; the rest belong to a `[[model]]`.
    pub const WORKLOAD: &'static [Field] = Field::ALL.as_slice().split_at(6).0;

    /// Whether the field belongs to a `[[workload]]` (else to a `[[model]]`):
    /// cells that agree on every workload field run the same tasks.
    pub fn of_workload(self) -> bool {
        Field::WORKLOAD.contains(&self)
    }

    /// Whether values are words, not numbers: no line can run along them,
    /// so charts give each value its own chart or bar instead.
    pub fn is_categorical(self) -> bool {
        self == Field::Shared
    }

    /// Whether values are durations (charted in µs, ms or s).
    pub fn is_duration(self) -> bool {
        matches!(
            self,
            Field::IoLatency | Field::CpuCost | Field::SwitchInterval | Field::PollInterval
        )
    }

    /// The field's title on a chart axis; `unit` is the time unit the
    /// axis shows durations in.
    pub fn title(self, unit: &str) -> String {
        match self {
            Field::Tasks => "tasks".to_string(),
            Field::IoLatency => format!("IO wait per round, mean ({unit})"),
            Field::CpuCost => format!("CPU work per round ({unit})"),
            Field::Rounds => "rounds per task".to_string(),
            Field::Shared => "shared counter".to_string(),
            Field::Rate => "offered rate (requests/s)".to_string(),
            Field::Workers => "workers".to_string(),
            Field::SwitchInterval => format!("GIL switch interval ({unit})"),
            Field::PollInterval => format!("poll interval ({unit})"),
        }
    }
}

impl std::fmt::Display for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}

/// A swept field, named as labels, charts and results files name it:
/// `tasks`, or `io.rounds` for the field of group `io` in a workload
/// written with `[[workload.group]]` entries. Model fields have no group.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Axis {
    pub group: Option<String>,
    pub field: Field,
}

impl Axis {
    /// The axis of a field that has no group (a model's, or a workload's
    /// written without groups).
    pub fn plain(field: Field) -> Axis {
        Axis { group: None, field }
    }

    /// Reads `tasks` or `io.rounds`.
    pub fn parse(text: &str) -> Option<Axis> {
        match text.rsplit_once('.') {
            Some((group, key)) => {
                let field = Field::from_key(key)?;
                (field.of_workload() && !group.is_empty()).then(|| Axis {
                    group: Some(group.to_string()),
                    field,
                })
            }
            None => Field::from_key(text).map(Axis::plain),
        }
    }

    /// The axis's value at `point`, if the point has it (a model without
    /// workers has no `workers`; a point without the axis's group has
    /// none of its fields).
    pub fn value(&self, point: &Point) -> Option<Value> {
        let group = || match &self.group {
            Some(name) => point.groups.iter().find(|g| g.name == *name),
            None => point.groups.first(),
        };
        Some(match self.field {
            Field::Tasks => Value::Count(group()?.tasks),
            Field::IoLatency => {
                let g = group()?;
                Value::Latency {
                    text: g.io_latency.clone(),
                    mean_ms: g.io_latency_mean_ms,
                }
            }
            Field::CpuCost => Value::Duration(group()?.cpu_cost),
            Field::Rounds => Value::Count(u64::from(group()?.rounds)),
            Field::Shared => Value::Mode(group()?.shared),
            Field::Rate => Value::Rate(group()?.rate?),
            Field::Workers => Value::Count(u64::from(point.workers?)),
            Field::SwitchInterval => Value::Duration(point.switch_interval?),
            Field::PollInterval => Value::Duration(point.poll_interval?),
        })
    }

    /// The axis's title on a chart: the field's, after its group's name.
    pub fn title(&self, unit: &str) -> String {
        match &self.group {
            Some(group) => format!("{group}: {}", self.field.title(unit)),
            None => self.field.title(unit),
        }
    }
}

impl std::fmt::Display for Axis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.group {
            Some(group) => write!(f, "{group}.{}", self.field),
            None => write!(f, "{}", self.field),
        }
    }
}

/// Where a cell sits in its experiment's sweeps: every sweepable field's
/// value. Built from a cell before it runs and from its summary after.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    pub workload: String,
    /// Every group's fields, in file order (one for a workload written
    /// without groups).
    pub groups: Vec<GroupPoint>,
    pub workers: Option<u32>,
    pub switch_interval: Option<Nanos>,
    pub poll_interval: Option<Nanos>,
    /// The machine the cell ran on, in results that `conlab merge` joined
    /// from several machines: a categorical axis that every cell of one
    /// machine's folder shares, so it is no [`Field`] (files cannot sweep
    /// it, and it is never a chart's x). `None` everywhere else.
    pub machine: Option<String>,
}

/// One group's fields at a point.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupPoint {
    pub name: String,
    pub tasks: u64,
    /// The latency as written in labels: `2ms`, `exp(mean 2ms)`.
    pub io_latency: String,
    /// Its mean: the distribution's before a run, the drawn one after.
    pub io_latency_mean_ms: f64,
    pub cpu_cost: Nanos,
    pub rounds: u32,
    pub shared: SharedMode,
    /// A group with arrivals: its schedule as labels write it
    /// (`poisson 50/s, 2000 requests`), and its rate.
    pub arrival: Option<String>,
    pub rate: Option<f64>,
}

impl GroupPoint {
    /// The group's part of a workload key. A group without arrivals or a
    /// shared counter keeps the key it had before either existed, so its
    /// latencies are drawn as they always were.
    fn key(&self) -> String {
        let mut key = format!(
            "{}|{}|{}|{}",
            self.tasks, self.io_latency, self.cpu_cost, self.rounds
        );
        if self.shared.counts() {
            key.push_str(&format!("|{}", self.shared));
        }
        if let Some(arrival) = &self.arrival {
            key.push('|');
            key.push_str(arrival);
        }
        key
    }
}

impl Point {
    /// The workload point without the model: cells with the same key run
    /// the same tasks with the same latencies (and seed them alike). A
    /// workload of one group keeps the key it had before groups existed,
    /// so its latencies are drawn as they always were. Cells of different
    /// machines never share a key (the machine comes first, when there is
    /// one).
    pub fn workload_key(&self) -> String {
        let key = self.key_on_one_machine();
        match &self.machine {
            Some(machine) => format!("{machine}|{key}"),
            None => key,
        }
    }

    fn key_on_one_machine(&self) -> String {
        match self.groups.as_slice() {
            [one] => format!("{}|{}", self.workload, one.key()),
            many => {
                let groups: Vec<String> = many
                    .iter()
                    .map(|g| format!("{}:{}", g.name, g.key()))
                    .collect();
                format!("{}|{}", self.workload, groups.join(";"))
            }
        }
    }

    /// The values of `axes` at this point, in that order.
    pub fn values<'a>(&self, axes: &'a [Axis]) -> Vec<(&'a Axis, Value)> {
        axes.iter()
            .filter_map(|a| Some((a, a.value(self)?)))
            .collect()
    }
}

/// One field's value at a point.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Count(u64),
    Duration(Nanos),
    Latency {
        text: String,
        mean_ms: f64,
    },
    /// A word (a shared counter's mode); as a number, its place in the
    /// list of modes.
    Mode(SharedMode),
    /// Requests per second.
    Rate(f64),
}

impl Value {
    /// The value in a cell's label, as an experiment file writes it
    /// (`10`, `1.5ms`, `0ms`, `exp(mean 2ms)`).
    pub fn label(&self) -> String {
        match self {
            Value::Count(n) => n.to_string(),
            Value::Duration(d) => d.to_string(),
            Value::Latency { text, .. } => text.clone(),
            Value::Mode(mode) => mode.to_string(),
            Value::Rate(r) => r.to_string(),
        }
    }

    /// The value on a chart (`10`, `1.5ms`, `0`, `exp(mean 2ms)`).
    pub fn chart_text(&self) -> String {
        match self {
            Value::Duration(d) => duration_text(d.as_millis_f64()),
            other => other.label(),
        }
    }

    /// The value as a number on a chart axis, durations in ms.
    pub fn number(&self) -> f64 {
        match self {
            Value::Count(n) => *n as f64,
            Value::Duration(d) => d.as_millis_f64(),
            Value::Latency { mean_ms, .. } => *mean_ms,
            Value::Mode(mode) => *mode as usize as f64,
            Value::Rate(r) => *r,
        }
    }
}

/// The swept fields of a cell. In results files they are one text,
/// `tasks;workers`; everywhere else a list of [`Axis`]es.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Axes(pub Vec<Axis>);

impl Axes {
    pub fn contains(&self, axis: &Axis) -> bool {
        self.0.contains(axis)
    }

    /// The swept fields of the workload, in order.
    pub fn of_workload(&self) -> impl Iterator<Item = &Axis> + '_ {
        self.0.iter().filter(|a| a.field.of_workload())
    }
}

impl Serialize for Axes {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let names: Vec<String> = self.0.iter().map(Axis::to_string).collect();
        serializer.serialize_str(&names.join(";"))
    }
}

impl<'de> Deserialize<'de> for Axes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.split(';')
            .filter(|k| !k.is_empty())
            .map(|k| {
                Axis::parse(k).ok_or_else(|| {
                    serde::de::Error::custom(format!(
                        "unknown sweep axis `{k}` (known: {}, or <group>.<field> for a \
                         workload field of a group)",
                        Field::ALL.map(Field::key).join(", ")
                    ))
                })
            })
            .collect::<Result<Vec<Axis>, D::Error>>()
            .map(Axes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(name: &str, tasks: u64) -> GroupPoint {
        GroupPoint {
            name: name.to_string(),
            tasks,
            io_latency: "exp(mean 2ms)".to_string(),
            io_latency_mean_ms: 2.1,
            cpu_cost: Nanos(0),
            rounds: 3,
            shared: SharedMode::None,
            arrival: None,
            rate: None,
        }
    }

    fn point() -> Point {
        Point {
            workload: "w".to_string(),
            groups: vec![group("w", 10)],
            workers: Some(4),
            switch_interval: None,
            poll_interval: Some(Nanos(1_500_000)),
            machine: None,
        }
    }

    #[test]
    fn keys_round_trip_and_say_where_they_belong() {
        for f in Field::ALL {
            assert_eq!(Field::from_key(f.key()), Some(f));
        }
        assert_eq!(Field::from_key("io.rounds"), None);
        let workload: Vec<&str> = Field::ALL
            .into_iter()
            .filter(|f| f.of_workload())
            .map(Field::key)
            .collect();
        assert_eq!(
            workload,
            [
                "tasks",
                "io_latency",
                "cpu_cost",
                "rounds",
                "shared",
                "rate"
            ]
        );
    }

    #[test]
    fn axes_name_their_group() {
        let rounds = Axis::parse("io.rounds");
        assert_eq!(
            rounds,
            Some(Axis {
                group: Some("io".to_string()),
                field: Field::Rounds
            })
        );
        assert_eq!(rounds.map(|a| a.to_string()).as_deref(), Some("io.rounds"));
        assert_eq!(Axis::parse("tasks"), Some(Axis::plain(Field::Tasks)));
        assert_eq!(
            Axis::parse("io.workers"),
            None,
            "model fields have no group"
        );
        assert_eq!(Axis::parse(".rounds"), None);
        assert_eq!(Axis::parse("io.speed"), None);
    }

    #[test]
    fn values_read_from_a_point() {
        let p = point();
        let value = |text: &str| Axis::parse(text).and_then(|a| a.value(&p));
        let cpu = value("cpu_cost");
        assert_eq!(cpu.as_ref().map(Value::label).as_deref(), Some("0ms"));
        assert_eq!(cpu.as_ref().map(Value::chart_text).as_deref(), Some("0"));
        assert_eq!(value("poll_interval").map(|v| v.number()), Some(1.5));
        let latency = value("io_latency");
        assert_eq!(latency.as_ref().map(Value::number), Some(2.1));
        assert_eq!(
            latency.as_ref().map(Value::chart_text).as_deref(),
            Some("exp(mean 2ms)")
        );
        assert_eq!(value("switch_interval"), None);
        assert_eq!(p.workload_key(), "w|10|exp(mean 2ms)|0ms|3");
        let laptop = Point {
            machine: Some("laptop".to_string()),
            ..p
        };
        assert_eq!(laptop.workload_key(), "laptop|w|10|exp(mean 2ms)|0ms|3");
    }

    #[test]
    fn groups_are_told_apart() {
        let mut p = point();
        p.groups = vec![group("cpu", 1), group("io", 4)];
        let tasks = |text: &str| {
            Axis::parse(text)
                .and_then(|a| a.value(&p))
                .map(|v| v.label())
        };
        assert_eq!(tasks("io.tasks").as_deref(), Some("4"));
        assert_eq!(tasks("cpu.tasks").as_deref(), Some("1"));
        assert_eq!(tasks("net.tasks"), None);
        assert_eq!(
            p.workload_key(),
            "w|cpu:1|exp(mean 2ms)|0ms|3;io:4|exp(mean 2ms)|0ms|3"
        );
    }

    #[test]
    fn a_shared_counter_is_a_word_on_its_axis_and_in_the_key() {
        let mut p = point();
        let shared = || Axis::parse("shared").and_then(|a| a.value(&p));
        assert_eq!(shared().map(|v| v.label()).as_deref(), Some("none"));
        let before = p.workload_key();
        assert_eq!(
            before, "w|10|exp(mean 2ms)|0ms|3",
            "no counter, the old key"
        );
        p.groups[0].shared = SharedMode::Locked;
        let value = Axis::parse("shared").and_then(|a| a.value(&p));
        assert_eq!(value.as_ref().map(Value::label).as_deref(), Some("locked"));
        assert_eq!(value.as_ref().map(Value::number), Some(2.0));
        assert_eq!(p.workload_key(), "w|10|exp(mean 2ms)|0ms|3|locked");
        assert!(Field::Shared.is_categorical() && !Field::Tasks.is_categorical());
    }

    #[test]
    fn a_rate_is_an_axis_of_its_group_and_part_of_the_key() {
        let mut p = point();
        let mut requests = group("requests", 500);
        requests.arrival = Some("poisson 50/s, 500 requests".to_string());
        requests.rate = Some(50.0);
        p.groups = vec![group("background", 1), requests];
        let rate = Axis::parse("requests.rate").and_then(|a| a.value(&p));
        assert_eq!(rate, Some(Value::Rate(50.0)));
        assert_eq!(rate.map(|v| v.label()).as_deref(), Some("50"));
        assert_eq!(
            Axis::parse("background.rate").and_then(|a| a.value(&p)),
            None
        );
        assert_eq!(
            p.workload_key(),
            "w|background:1|exp(mean 2ms)|0ms|3;requests:500|exp(mean 2ms)|0ms|3|poisson 50/s, \
             500 requests"
        );
    }

    #[test]
    fn axes_are_text_only_in_files() {
        let axes = Axes(vec![Axis::plain(Field::Tasks), Axis::plain(Field::Workers)]);
        let json = serde_json::to_string(&axes).unwrap_or_default();
        assert_eq!(json, "\"tasks;workers\"");
        let back: Result<Axes, _> = serde_json::from_str(&json);
        assert_eq!(back.ok(), Some(axes));
        let none: Result<Axes, _> = serde_json::from_str("\"\"");
        assert_eq!(none.ok(), Some(Axes::default()));
        let grouped: Result<Axes, _> = serde_json::from_str("\"io.rounds;workers\"");
        assert_eq!(grouped.map(|a| a.0.len()).ok(), Some(2));
        let bad: Result<Axes, _> = serde_json::from_str("\"tasks;speed\"");
        assert!(bad.is_err_and(|e| e.to_string().contains("unknown sweep axis `speed`")));
    }
}
