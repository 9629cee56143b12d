//! Expands an experiment's sweeps into cells: every workload × each of its
//! sweep points × every model variant, in a fixed order (workloads and
//! models in file order, the groups of a workload in file order, sweep
//! values in the order written, the last swept field varying fastest). Pure.

use serde::{Deserialize, Serialize};

use crate::config::{
    Axes, Axis, CellArrival, Experiment, Field, Group, GroupPoint, IoKind, IoLatency, ModelKind,
    ModelSpec, Nanos, Param, Point, SharedMode, Sweep, Workload,
};

/// One combination of a workload point and a model variant: the unit that
/// is run `warmup + repetitions` times and summarised.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    /// Position in the matrix, from 0.
    pub index: usize,
    pub workload: String,
    /// The `[[model]]` entry's name.
    pub model: String,
    /// The model's name plus its swept parameters: `pool workers=2`.
    pub variant: String,
    pub kind: ModelKind,
    pub io: IoKind,
    /// The workload's groups at this point, in file order: their tasks run
    /// together, group after group in task order.
    pub groups: Vec<CellGroup>,
    pub workers: Option<u32>,
    pub switch_interval: Option<Nanos>,
    pub poll_interval: Option<Nanos>,
    pub python: Option<String>,
    /// Node.js of a `node-*` cell, as its model or the experiment names it
    /// (`None`: `node` from PATH). Left out of the cell's JSON (and hash)
    /// when `None`, as for every cell of a file written before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// A `custom` cell's runner: a program and its arguments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<Vec<String>>,
    /// The fields swept in this cell's workload and model.
    pub axes: Axes,
}

/// One group of a cell: identical tasks, or with `arrival` identical
/// requests (`tasks` of them) arriving at a rate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellGroup {
    pub name: String,
    pub tasks: u64,
    pub io_latency: IoLatency,
    pub cpu_cost: Nanos,
    pub rounds: u32,
    /// The group's shared counter. Left out of the cell's JSON (and so of
    /// its hash) when there is none, so cells of files written before
    /// counters existed keep their hashes.
    #[serde(default, skip_serializing_if = "is_none")]
    pub shared: SharedMode,
    #[serde(default, skip_serializing_if = "is_false")]
    pub await_inside: bool,
    /// Absent for tasks that start together (and then not written, so a
    /// cell without arrivals is written, and hashed, as before).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arrival: Option<CellArrival>,
}

fn is_none(mode: &SharedMode) -> bool {
    !mode.counts()
}

fn is_false(flag: &bool) -> bool {
    !flag
}

impl Cell {
    /// Every task of every group.
    pub fn tasks(&self) -> u64 {
        self.groups.iter().map(|g| g.tasks).sum()
    }

    /// Every IO wait (and CPU burst) of every task: Σ tasks × rounds.
    pub fn waits(&self) -> u64 {
        self.groups
            .iter()
            .map(|g| g.tasks.saturating_mul(u64::from(g.rounds)))
            .sum()
    }

    /// Each task's group (its index in `groups`) and the range of its IO
    /// waits in the cell's latency table, in task order: tasks are
    /// numbered group after group, and each task's rounds are contiguous.
    pub fn task_layout(&self) -> impl Iterator<Item = (usize, std::ops::Range<usize>)> + '_ {
        let mut first_wait = 0usize;
        self.groups.iter().enumerate().flat_map(move |(index, g)| {
            let rounds = g.rounds as usize;
            let start = first_wait;
            first_wait = first_wait.saturating_add(rounds.saturating_mul(g.tasks as usize));
            (0..g.tasks as usize).map(move |t| {
                let from = start + t * rounds;
                (index, from..from + rounds)
            })
        })
    }

    /// Task `task`'s group and the range of its IO waits (see
    /// [`Cell::task_layout`]), found without walking the other tasks.
    pub fn locate(&self, task: usize) -> Option<(usize, std::ops::Range<usize>)> {
        let mut first_task = 0usize;
        let mut first_wait = 0usize;
        for (index, g) in self.groups.iter().enumerate() {
            let (tasks, rounds) = (g.tasks as usize, g.rounds as usize);
            if task < first_task + tasks {
                let from = first_wait + (task - first_task) * rounds;
                return Some((index, from..from + rounds));
            }
            first_task += tasks;
            first_wait += tasks * rounds;
        }
        None
    }

    /// Where this cell sits in the sweeps.
    pub fn point(&self) -> Point {
        Point {
            workload: self.workload.clone(),
            groups: self
                .groups
                .iter()
                .map(|g| GroupPoint {
                    name: g.name.clone(),
                    tasks: g.tasks,
                    io_latency: g.io_latency.to_string(),
                    io_latency_mean_ms: g.io_latency.nominal_mean().as_millis_f64(),
                    cpu_cost: g.cpu_cost,
                    rounds: g.rounds,
                    shared: g.shared,
                    arrival: g.arrival.map(|a| a.to_string()),
                    rate: g.arrival.map(|a| a.rate.per_s()),
                })
                .collect(),
            workers: self.workers,
            switch_interval: self.switch_interval,
            poll_interval: self.poll_interval,
            machine: None,
        }
    }

    /// A one-line name: `io-bound · pool workers=2 · tasks=10`.
    pub fn label(&self) -> String {
        let workload_point = labelled(&self.point(), self.axes.of_workload());
        let mut label = format!("{} · {}", self.workload, self.variant);
        if !workload_point.is_empty() {
            label.push_str(" · ");
            label.push_str(&workload_point);
        }
        label
    }

    /// The workload point without the model: cells that share it run the
    /// same tasks with the same latencies.
    pub fn workload_key(&self) -> String {
        self.point().workload_key()
    }

    /// Whether some group's tasks are requests arriving at a rate.
    pub fn is_open_loop(&self) -> bool {
        self.groups.iter().any(|g| g.arrival.is_some())
    }

    /// Task `task`'s group and its place in the group (both from 0).
    pub fn position(&self, task: usize) -> Option<(usize, usize)> {
        let mut first_task = 0usize;
        for (index, g) in self.groups.iter().enumerate() {
            let tasks = g.tasks as usize;
            if task < first_task + tasks {
                return Some((index, task - first_task));
            }
            first_task += tasks;
        }
        None
    }
}

/// `axis=value` for each of `axes` the point has, space-separated.
fn labelled<'a>(point: &Point, axes: impl Iterator<Item = &'a Axis>) -> String {
    axes.filter_map(|a| Some(format!("{a}={}", a.value(point)?.label())))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The odometer over lists of `lens` values: every combination of one
/// index per list, the last list varying fastest (the order of nested
/// loops over the lists in order).
fn product(lens: &[usize]) -> Vec<Vec<usize>> {
    let mut all = vec![Vec::new()];
    for &len in lens {
        all = all
            .into_iter()
            .flat_map(|prefix| {
                (0..len).map(move |i| {
                    let mut next = prefix.clone();
                    next.push(i);
                    next
                })
            })
            .collect();
    }
    all
}

/// The swept values of one group, in the order [`GROUP_FIELDS`] lists
/// them (a group with arrivals has one task count per rate).
fn group_lens(g: &Group) -> [usize; GROUP_FIELDS.len()] {
    let rates = g.arrival.as_ref().map_or(1, |a| a.rate.values.len());
    [
        if g.arrival.is_some() {
            1
        } else {
            g.tasks.values.len()
        },
        g.io_latency.values.len(),
        g.cpu_cost.values.len(),
        g.rounds.values.len(),
        g.shared.values.len(),
        rates,
    ]
}

/// A group's sweepable fields, in the order [`group_lens`] lists them.
const GROUP_FIELDS: &[Field] = Field::WORKLOAD;

/// One group at one point: the values at indices `i` of its fields.
fn cell_group(g: &Group, i: &[usize]) -> CellGroup {
    let arrival = match (&g.arrival, g.span()) {
        (Some(a), Some(span)) => Some(CellArrival {
            rate: a.rate.values[i[5]],
            dist: a.dist,
            span,
        }),
        _ => None,
    };
    CellGroup {
        name: g.name.clone(),
        tasks: match arrival {
            Some(a) => a.span.requests(a.rate),
            None => g.tasks.values[i[0]],
        },
        io_latency: g.io_latency.values[i[1]],
        cpu_cost: g.cpu_cost.values[i[2]],
        rounds: g.rounds.values[i[3]],
        shared: g.shared.values[i[4]],
        await_inside: g.await_inside,
        arrival,
    }
}

/// The workload's points in sweep order (each the groups at that point),
/// and the axes it sweeps.
fn workload_points(w: &Workload) -> (Vec<Vec<CellGroup>>, Vec<Axis>) {
    let mut axes = Vec::new();
    let mut lens = Vec::new();
    for g in &w.groups {
        for &f in GROUP_FIELDS {
            if g.sweeps(f) {
                axes.push(w.axis(g, f));
            }
        }
        lens.extend(group_lens(g));
    }
    let points = product(&lens)
        .into_iter()
        .map(|i| {
            w.groups
                .iter()
                .zip(i.chunks(GROUP_FIELDS.len()))
                .map(|(g, i)| cell_group(g, i))
                .collect()
        })
        .collect();
    (points, axes)
}

/// One combination of a model's swept parameters, defaults filled in.
struct ModelVariant<'a> {
    spec: &'a ModelSpec,
    workers: Option<u32>,
    switch_interval: Option<Nanos>,
    poll_interval: Option<Nanos>,
    axes: Vec<Axis>,
}

/// A model's variants in sweep order. `cores` is the default `workers`.
fn model_variants(m: &ModelSpec, cores: u32) -> Vec<ModelVariant<'_>> {
    // A parameter the kind takes but the file does not set: its default.
    let default = |p: Param| m.kind.takes(p).then(|| p.default_duration()).flatten();
    let workers = options(&m.workers, m.kind.takes(Param::Workers).then_some(cores));
    let switch = options(&m.switch_interval, default(Param::SwitchInterval));
    let poll = options(&m.poll_interval, default(Param::PollInterval));
    let axes: Vec<Axis> = Param::sweepable()
        .map(|(_, f)| f)
        .filter(|&f| m.sweeps(f))
        .map(Axis::plain)
        .collect();
    product(&[workers.len(), switch.len(), poll.len()])
        .into_iter()
        .map(|i| ModelVariant {
            spec: m,
            workers: workers[i[0]],
            switch_interval: switch[i[1]],
            poll_interval: poll[i[2]],
            axes: axes.clone(),
        })
        .collect()
}

/// Every cell of the experiment, in run order: each workload's points ×
/// every model variant. `cores` resolves the default `workers` of models
/// that have them.
pub fn expand(exp: &Experiment, cores: usize) -> Vec<Cell> {
    let cores = cores.max(1) as u32;
    let variants: Vec<ModelVariant> = exp
        .models
        .iter()
        .flat_map(|m| model_variants(m, cores))
        .collect();
    let mut cells = Vec::new();
    for w in &exp.workloads {
        let (points, workload_axes) = workload_points(w);
        for groups in &points {
            for v in &variants {
                let m = v.spec;
                let mut axes = workload_axes.clone();
                axes.extend(v.axes.iter().cloned());
                let mut cell = Cell {
                    index: cells.len(),
                    workload: w.name.clone(),
                    model: m.name.clone(),
                    variant: m.name.clone(),
                    kind: m.kind,
                    io: w.io,
                    groups: groups.clone(),
                    workers: v.workers,
                    switch_interval: v.switch_interval,
                    poll_interval: v.poll_interval,
                    python: m.python.clone().or_else(|| exp.python.clone()),
                    node: m
                        .kind
                        .takes(Param::Node)
                        .then(|| m.node.clone().or_else(|| exp.node.clone()))
                        .flatten(),
                    command: m.command.clone(),
                    axes: Axes(axes),
                };
                let model_point = labelled(&cell.point(), v.axes.iter());
                if !model_point.is_empty() {
                    cell.variant = format!("{} {model_point}", m.name);
                }
                cells.push(cell);
            }
        }
    }
    cells
}

/// `run --shard K/N`: the K-th of N shares of an experiment's cells,
/// dealt round-robin by matrix index (cell i goes to shard i mod N + 1),
/// so that every cell is in exactly one shard of the N, whatever the
/// machine each shard runs on (indices do not depend on it), and each
/// shard gets a share of every workload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// From 1 to `count`.
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// Whether the cell at `index` of the matrix is in this shard.
    pub fn contains(self, index: usize) -> bool {
        index % self.count as usize == (self.index - 1) as usize
    }
}

impl std::str::FromStr for Shard {
    type Err = String;

    /// `K/N`, 1 ≤ K ≤ N.
    fn from_str(text: &str) -> Result<Shard, String> {
        let usage = "write K/N: the K-th of N shards, from 1/N to N/N (e.g. --shard 2/4)";
        let (k, n) = text
            .split_once('/')
            .ok_or_else(|| format!("`{text}` is not a shard: {usage}"))?;
        // Digits only: `u32::from_str` would take `+1`, and a trim ` 1`.
        let number = |t: &str| {
            (!t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
                .then(|| t.parse::<u32>().ok())
                .flatten()
        };
        match (number(k), number(n)) {
            (Some(k), Some(n)) if n >= 1 && (1..=n).contains(&k) => {
                Ok(Shard { index: k, count: n })
            }
            (Some(_), Some(0)) => Err(format!(
                "`{text}`: there must be at least one shard; {usage}"
            )),
            (Some(k), Some(n)) => Err(format!(
                "`{text}`: shard {k} of {n} does not exist; {usage}"
            )),
            _ => Err(format!("`{text}` is not a shard: {usage}")),
        }
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl serde::Serialize for Shard {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_string())
    }
}

impl<'de> serde::Deserialize<'de> for Shard {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The values a model parameter takes: its sweep, or its default, or
/// nothing for kinds without it.
fn options<T: Copy>(sweep: &Option<Sweep<T>>, default: Option<T>) -> Vec<Option<T>> {
    match sweep {
        Some(s) => s.values.iter().copied().map(Some).collect(),
        None => vec![default],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{self, DEFAULT_POLL_INTERVAL, DEFAULT_SWITCH_INTERVAL};

    fn experiment(text: &str) -> Experiment {
        match config::from_text("t.toml", text, "t") {
            Ok(loaded) => loaded.experiment,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn a_group_without_a_counter_is_written_as_before_counters_existed() {
        // Cells are written into each run's job and hashed for `--resume`:
        // a group without a counter must not name one, or every earlier
        // result would stop matching its cell.
        let exp = experiment(
            r#"
            [[workload]]
            name = "plain"
            tasks = 2
            [[workload]]
            name = "racy"
            tasks = 2
            shared = "racy"
            await_inside = true
            [[workload]]
            name = "locked"
            tasks = 2
            shared = "locked"
            [[model]]
            kind = "threads"
            "#,
        );
        let groups: Vec<serde_json::Value> = expand(&exp, 2)
            .iter()
            .map(|cell| serde_json::to_value(&cell.groups[0]).unwrap_or_default())
            .collect();
        let has = |g: &serde_json::Value, key: &str| g.get(key).is_some();
        assert!(!has(&groups[0], "shared") && !has(&groups[0], "await_inside"));
        assert_eq!(groups[1]["shared"], "racy");
        assert_eq!(groups[1]["await_inside"], true);
        assert_eq!(groups[2]["shared"], "locked");
        assert!(!has(&groups[2], "await_inside"));
    }

    #[test]
    fn every_combination_in_file_order() {
        let exp = experiment(
            r#"
            [[workload]]
            name = "io"
            tasks = [1, 10]
            io_latency = ["1ms", "2ms"]
            [[workload]]
            name = "cpu"
            tasks = 4
            cpu_cost = "5ms"
            [[model]]
            kind = "sequential"
            [[model]]
            kind = "thread-pool"
            workers = [2, 8]
            "#,
        );
        let cells = expand(&exp, 2);
        let labels: Vec<String> = cells.iter().map(Cell::label).collect();
        assert_eq!(
            labels,
            [
                "io · sequential · tasks=1 io_latency=1ms",
                "io · thread-pool workers=2 · tasks=1 io_latency=1ms",
                "io · thread-pool workers=8 · tasks=1 io_latency=1ms",
                "io · sequential · tasks=1 io_latency=2ms",
                "io · thread-pool workers=2 · tasks=1 io_latency=2ms",
                "io · thread-pool workers=8 · tasks=1 io_latency=2ms",
                "io · sequential · tasks=10 io_latency=1ms",
                "io · thread-pool workers=2 · tasks=10 io_latency=1ms",
                "io · thread-pool workers=8 · tasks=10 io_latency=1ms",
                "io · sequential · tasks=10 io_latency=2ms",
                "io · thread-pool workers=2 · tasks=10 io_latency=2ms",
                "io · thread-pool workers=8 · tasks=10 io_latency=2ms",
                "cpu · sequential",
                "cpu · thread-pool workers=2",
                "cpu · thread-pool workers=8",
            ]
        );
        assert!(cells.iter().enumerate().all(|(i, c)| c.index == i));
        assert_eq!(
            cells[1].axes,
            Axes(vec![
                Axis::plain(Field::Tasks),
                Axis::plain(Field::IoLatency),
                Axis::plain(Field::Workers)
            ])
        );
    }

    #[test]
    fn a_swept_shared_counter_is_an_axis_and_stays_out_of_a_plain_cells_json() {
        let exp = experiment(
            r#"
            [[workload]]
            name = "w"
            tasks = 4
            shared = ["racy", "locked"]
            await_inside = true
            [[model]]
            kind = "async"
            "#,
        );
        let cells = expand(&exp, 2);
        let labels: Vec<String> = cells.iter().map(Cell::label).collect();
        assert_eq!(
            labels,
            ["w · async · shared=racy", "w · async · shared=locked"]
        );
        assert_eq!(cells[1].groups[0].shared, SharedMode::Locked);
        assert!(cells[1].groups[0].await_inside);
        let plain = experiment("[[workload]]\ntasks = 2\n[[model]]\nkind = \"async\"\n");
        let json = serde_json::to_string(&expand(&plain, 2)[0]).unwrap_or_default();
        assert!(
            !json.contains("shared") && !json.contains("await"),
            "{json}"
        );
        let back: Result<Cell, _> = serde_json::from_str(&json);
        assert_eq!(
            back.ok().map(|c| c.groups[0].shared),
            Some(SharedMode::None)
        );
    }

    #[test]
    fn defaults_fill_model_parameters() {
        let exp = experiment(
            r#"
            [[workload]]
            tasks = 3
            [[model]]
            kind = "thread-pool"
            [[model]]
            kind = "threads"
            "#,
        );
        let cells = expand(&exp, 6);
        assert_eq!(cells[0].workers, Some(6));
        assert_eq!(cells[0].variant, "thread-pool");
        assert_eq!(cells[1].workers, None);
        assert_eq!(
            cells[0].groups[0].io_latency,
            IoLatency::Fixed { value: Nanos(0) }
        );
    }

    /// A cell of two groups: one task of one round, then three tasks of
    /// four rounds. Tasks are numbered group after group and each task's
    /// waits are contiguous, so the 13 waits are laid out (by hand):
    /// task 0 → 0..1 (group 0), tasks 1–3 → 1..5, 5..9, 9..13 (group 1).
    #[test]
    fn tasks_and_waits_are_laid_out_group_after_group() {
        let exp = experiment(
            r#"
            [[workload]]
            name = "w"
            [[workload.group]]
            name = "cpu"
            tasks = 1
            cpu_cost = "1ms"
            rounds = 2
            [[workload.group]]
            name = "io"
            tasks = 3
            io_latency = "2ms"
            rounds = 4
            [[model]]
            kind = "threads"
            "#,
        );
        let cells = expand(&exp, 2);
        let [cell] = cells.as_slice() else {
            panic!("{} cells", cells.len())
        };
        assert_eq!(cell.tasks(), 4);
        assert_eq!(cell.waits(), 14);
        assert!(!cell.is_open_loop());
        // The first group's waits (1 task × 2 rounds) come before the
        // second's: a product, which a quotient (1 / 2) would not be.
        let expected = [(0, 0..2), (1, 2..6), (1, 6..10), (1, 10..14)];
        assert_eq!(cell.task_layout().collect::<Vec<_>>(), expected);
        for (task, slot) in expected.iter().enumerate() {
            assert_eq!(cell.locate(task).as_ref(), Some(slot), "task {task}");
        }
        assert_eq!(cell.locate(4), None);
        assert_eq!(
            (0..5).map(|t| cell.position(t)).collect::<Vec<_>>(),
            [Some((0, 0)), Some((1, 0)), Some((1, 1)), Some((1, 2)), None]
        );
    }

    /// A group of requests arriving at swept rates: one cell per rate, each
    /// with the group's `requests` as its tasks; cells that differ only in
    /// the model share their workload key, cells at different rates do not.
    #[test]
    fn arrivals_sweep_their_rate_and_keep_the_request_count() {
        let exp = experiment(
            r#"
            [[workload]]
            name = "open"
            arrival = { rate = [50, 100], dist = "uniform" }
            requests = 7
            io_latency = "1ms"
            [[model]]
            kind = "threads"
            [[model]]
            kind = "sequential"
            "#,
        );
        let cells = expand(&exp, 2);
        let got: Vec<(String, u64, bool)> = cells
            .iter()
            .map(|c| (c.label(), c.tasks(), c.is_open_loop()))
            .collect();
        assert_eq!(
            got,
            [
                ("open · threads · rate=50".to_string(), 7, true),
                ("open · sequential · rate=50".to_string(), 7, true),
                ("open · threads · rate=100".to_string(), 7, true),
                ("open · sequential · rate=100".to_string(), 7, true),
            ]
        );
        assert_eq!(cells[0].workload_key(), cells[1].workload_key());
        assert_ne!(cells[0].workload_key(), cells[2].workload_key());
        assert_eq!(cells[0].workload_key(), cells[0].point().workload_key());
        assert_eq!(cells[2].point().groups[0].rate, Some(100.0));
    }

    /// The model parameters' defaults by kind: `switch_interval` only for
    /// `gil-threads`, `poll_interval` only for `polling`, and a swept
    /// interval named in the variant.
    #[test]
    fn interval_defaults_belong_to_their_kinds() {
        let exp = experiment(
            r#"
            [[workload]]
            tasks = 1
            [[model]]
            kind = "gil-threads"
            [[model]]
            kind = "polling"
            [[model]]
            kind = "polling"
            name = "p"
            poll_interval = ["1ms", "2ms"]
            "#,
        );
        let cells = expand(&exp, 0);
        let got: Vec<(&str, Option<Nanos>, Option<Nanos>)> = cells
            .iter()
            .map(|c| (c.variant.as_str(), c.switch_interval, c.poll_interval))
            .collect();
        assert_eq!(
            got,
            [
                ("gil-threads", Some(DEFAULT_SWITCH_INTERVAL), None),
                ("polling", None, Some(DEFAULT_POLL_INTERVAL)),
                ("p poll_interval=1ms", None, Some(Nanos(1_000_000))),
                ("p poll_interval=2ms", None, Some(Nanos(2_000_000))),
            ]
        );
    }

    #[test]
    fn shards_deal_every_cell_to_exactly_one() {
        let shards: Vec<Shard> = (1..=3).map(|k| Shard { index: k, count: 3 }).collect();
        for cell in 0..20 {
            let holders = shards.iter().filter(|s| s.contains(cell)).count();
            assert_eq!(holders, 1, "cell {cell}");
        }
        assert!(shards[0].contains(0) && shards[1].contains(1) && shards[0].contains(3));
        assert_eq!("2/3".parse::<Shard>(), Ok(Shard { index: 2, count: 3 }));
        assert_eq!(Shard { index: 2, count: 3 }.to_string(), "2/3");
        for bad in ["0/3", "4/3", "1/0", "3", "a/b", "-1/2"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
        assert_eq!(
            "4/3".parse::<Shard>(),
            Err("`4/3`: shard 4 of 3 does not exist; write K/N: the K-th of N shards, from 1/N to N/N (e.g. --shard 2/4)".to_string())
        );
        assert_eq!(
            "1/0".parse::<Shard>(),
            Err("`1/0`: there must be at least one shard; write K/N: the K-th of N shards, from 1/N to N/N (e.g. --shard 2/4)".to_string())
        );
    }

    /// Issue 22: `--shard " 1/3"` and `--shard +1/3` were taken as 1/3.
    #[test]
    fn a_shard_with_a_space_or_a_sign_is_refused() {
        for bad in [" 1/3", "1/ 3", "+1/3", "1/+3", "1/3 ", "１/3"] {
            assert_eq!(
                bad.parse::<Shard>(),
                Err(format!(
                    "`{bad}` is not a shard: write K/N: the K-th of N shards, from 1/N to N/N (e.g. --shard 2/4)"
                )),
                "{bad:?}"
            );
        }
    }
}
