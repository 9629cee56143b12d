//! Expands an experiment's sweeps into cells: every workload × each of its
//! sweep points × every model variant, in a fixed order (workloads and
//! models in file order, sweep values in the order written). Pure.

use serde::{Deserialize, Serialize};

use crate::config::{
    Axes, DEFAULT_POLL_INTERVAL, DEFAULT_SWITCH_INTERVAL, Experiment, Field, IoKind, IoLatency,
    ModelKind, ModelSpec, Nanos, Param, Point, Sweep, Workload,
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
    pub tasks: u64,
    pub io_latency: IoLatency,
    pub cpu_cost: Nanos,
    pub rounds: u32,
    pub io: IoKind,
    pub workers: Option<u32>,
    pub switch_interval: Option<Nanos>,
    pub poll_interval: Option<Nanos>,
    pub python: Option<String>,
    /// The fields swept in this cell's workload and model.
    pub axes: Axes,
}

impl Cell {
    /// Where this cell sits in the sweeps.
    pub fn point(&self) -> Point {
        Point {
            workload: self.workload.clone(),
            tasks: self.tasks,
            io_latency: self.io_latency.to_string(),
            io_latency_mean_ms: self.io_latency.nominal_mean().as_millis_f64(),
            cpu_cost: self.cpu_cost,
            rounds: self.rounds,
            workers: self.workers,
            switch_interval: self.switch_interval,
            poll_interval: self.poll_interval,
        }
    }

    /// A one-line name: `io-bound · pool workers=2 · tasks=10`.
    pub fn label(&self) -> String {
        let point = self.point();
        let workload_point = labelled(&point, self.axes.of_workload());
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
}

/// `field=value` for each of `fields` the point has, space-separated.
fn labelled(point: &Point, fields: impl Iterator<Item = Field>) -> String {
    fields
        .filter_map(|f| Some(format!("{f}={}", f.value(point)?.label())))
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

/// One combination of a workload's swept values.
struct WorkloadPoint {
    tasks: u64,
    io_latency: IoLatency,
    cpu_cost: Nanos,
    rounds: u32,
}

/// The workload's points in sweep order, and the fields it sweeps.
fn workload_points(w: &Workload) -> (Vec<WorkloadPoint>, Vec<Field>) {
    let swept = [
        (Field::Tasks, w.tasks.is_axis()),
        (Field::IoLatency, w.io_latency.is_axis()),
        (Field::CpuCost, w.cpu_cost.is_axis()),
        (Field::Rounds, w.rounds.is_axis()),
    ];
    let axes = swept.iter().filter(|(_, s)| *s).map(|(f, _)| *f).collect();
    let lens = [
        w.tasks.values.len(),
        w.io_latency.values.len(),
        w.cpu_cost.values.len(),
        w.rounds.values.len(),
    ];
    let points = product(&lens)
        .into_iter()
        .map(|i| WorkloadPoint {
            tasks: w.tasks.values[i[0]],
            io_latency: w.io_latency.values[i[1]],
            cpu_cost: w.cpu_cost.values[i[2]],
            rounds: w.rounds.values[i[3]],
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
    axes: Vec<Field>,
}

/// A model's variants in sweep order. `cores` is the default `workers`.
fn model_variants(m: &ModelSpec, cores: u32) -> Vec<ModelVariant<'_>> {
    let has_workers = m.kind.params().contains(&Param::Workers);
    let workers = options(&m.workers, has_workers.then_some(cores));
    let switch = options(
        &m.switch_interval,
        (m.kind == ModelKind::GilThreads).then_some(DEFAULT_SWITCH_INTERVAL),
    );
    let poll = options(
        &m.poll_interval,
        (m.kind == ModelKind::Polling).then_some(DEFAULT_POLL_INTERVAL),
    );
    let swept = [
        (
            Field::Workers,
            m.workers.as_ref().is_some_and(Sweep::is_axis),
        ),
        (
            Field::SwitchInterval,
            m.switch_interval.as_ref().is_some_and(Sweep::is_axis),
        ),
        (
            Field::PollInterval,
            m.poll_interval.as_ref().is_some_and(Sweep::is_axis),
        ),
    ];
    let axes: Vec<Field> = swept.iter().filter(|(_, s)| *s).map(|(f, _)| *f).collect();
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
        for p in &points {
            for v in &variants {
                let m = v.spec;
                let mut axes = workload_axes.clone();
                axes.extend(&v.axes);
                let mut cell = Cell {
                    index: cells.len(),
                    workload: w.name.clone(),
                    model: m.name.clone(),
                    variant: m.name.clone(),
                    kind: m.kind,
                    tasks: p.tasks,
                    io_latency: p.io_latency,
                    cpu_cost: p.cpu_cost,
                    rounds: p.rounds,
                    io: w.io,
                    workers: v.workers,
                    switch_interval: v.switch_interval,
                    poll_interval: v.poll_interval,
                    python: m.python.clone().or_else(|| exp.python.clone()),
                    axes: Axes(axes),
                };
                let model_point = labelled(&cell.point(), v.axes.iter().copied());
                if !model_point.is_empty() {
                    cell.variant = format!("{} {model_point}", m.name);
                }
                cells.push(cell);
            }
        }
    }
    cells
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
    use crate::config;

    fn experiment(text: &str) -> Experiment {
        match config::from_text("t.toml", text, "t") {
            Ok(loaded) => loaded.experiment,
            Err(e) => panic!("{e}"),
        }
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
            Axes(vec![Field::Tasks, Field::IoLatency, Field::Workers])
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
        assert_eq!(cells[0].io_latency, IoLatency::Fixed { value: Nanos(0) });
    }
}
