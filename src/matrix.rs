//! Expands an experiment's sweeps into cells: every workload × each of its
//! sweep points × every model variant, in a fixed order (workloads and
//! models in file order, sweep values in the order written). Pure.

use serde::{Deserialize, Serialize};

use crate::config::{Experiment, IoKind, IoLatency, Nanos, Sweep};
use crate::model::ModelKind;

/// The default `switch_interval` of `gil-threads`, CPython's own 5 ms.
pub const DEFAULT_SWITCH_INTERVAL: Nanos = Nanos(5_000_000);
/// The default `poll_interval` of `polling`: a busy spin.
pub const DEFAULT_POLL_INTERVAL: Nanos = Nanos(0);

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
    /// The names of the fields swept in this cell's workload and model.
    pub axes: Vec<String>,
}

impl Cell {
    /// The values of this cell's swept fields, as `name=value` pairs.
    pub fn point(&self) -> Vec<(String, String)> {
        self.axes
            .iter()
            .map(|axis| (axis.clone(), self.axis_value(axis).unwrap_or_default()))
            .collect()
    }

    /// The value of a field by its experiment-file name.
    pub fn axis_value(&self, axis: &str) -> Option<String> {
        Some(match axis {
            "tasks" => self.tasks.to_string(),
            "io_latency" => self.io_latency.to_string(),
            "cpu_cost" => self.cpu_cost.to_string(),
            "rounds" => self.rounds.to_string(),
            "workers" => self.workers?.to_string(),
            "switch_interval" => self.switch_interval?.to_string(),
            "poll_interval" => self.poll_interval?.to_string(),
            _ => return None,
        })
    }

    /// The value of a numeric field, for chart axes (durations in seconds).
    pub fn axis_number(&self, axis: &str) -> Option<f64> {
        Some(match axis {
            "tasks" => self.tasks as f64,
            "io_latency" => self.io_latency.nominal_mean().as_secs_f64(),
            "cpu_cost" => self.cpu_cost.as_secs_f64(),
            "rounds" => self.rounds as f64,
            "workers" => self.workers? as f64,
            "switch_interval" => self.switch_interval?.as_secs_f64(),
            "poll_interval" => self.poll_interval?.as_secs_f64(),
            _ => return None,
        })
    }

    /// A one-line name: `io-bound · pool workers=2 · tasks=10`.
    pub fn label(&self) -> String {
        let workload_point: Vec<String> = self
            .point()
            .into_iter()
            .filter(|(axis, _)| is_workload_axis(axis))
            .map(|(axis, value)| format!("{axis}={value}"))
            .collect();
        let mut label = format!("{} · {}", self.workload, self.variant);
        if !workload_point.is_empty() {
            label.push_str(" · ");
            label.push_str(&workload_point.join(" "));
        }
        label
    }

    /// The workload point without the model: cells that share it run the
    /// same tasks with the same latencies.
    pub fn workload_key(&self) -> String {
        format!(
            "{}|{}|{}|{}|{}",
            self.workload, self.tasks, self.io_latency, self.cpu_cost, self.rounds
        )
    }
}

pub fn is_workload_axis(axis: &str) -> bool {
    matches!(axis, "tasks" | "io_latency" | "cpu_cost" | "rounds")
}

/// Every cell of the experiment, in run order. `cores` resolves the
/// default `workers` of models that have them.
pub fn expand(exp: &Experiment, cores: usize) -> Vec<Cell> {
    let mut cells = Vec::new();
    let cores = cores.max(1) as u32;
    for w in &exp.workloads {
        let mut workload_axes = Vec::new();
        for (axis, swept) in [
            ("tasks", w.tasks.is_axis()),
            ("io_latency", w.io_latency.is_axis()),
            ("cpu_cost", w.cpu_cost.is_axis()),
            ("rounds", w.rounds.is_axis()),
        ] {
            if swept {
                workload_axes.push(axis.to_string());
            }
        }
        for &tasks in &w.tasks.values {
            for &io_latency in &w.io_latency.values {
                for &cpu_cost in &w.cpu_cost.values {
                    for &rounds in &w.rounds.values {
                        for m in &exp.models {
                            let has_workers =
                                m.kind.params().contains(&crate::model::Param::Workers);
                            let workers = options(&m.workers, has_workers.then_some(cores));
                            let switch = options(
                                &m.switch_interval,
                                (m.kind == ModelKind::GilThreads)
                                    .then_some(DEFAULT_SWITCH_INTERVAL),
                            );
                            let poll = options(
                                &m.poll_interval,
                                (m.kind == ModelKind::Polling).then_some(DEFAULT_POLL_INTERVAL),
                            );
                            let mut axes = workload_axes.clone();
                            for (axis, sweep) in [
                                ("workers", m.workers.as_ref().map(Sweep::is_axis)),
                                (
                                    "switch_interval",
                                    m.switch_interval.as_ref().map(Sweep::is_axis),
                                ),
                                (
                                    "poll_interval",
                                    m.poll_interval.as_ref().map(Sweep::is_axis),
                                ),
                            ] {
                                if sweep == Some(true) {
                                    axes.push(axis.to_string());
                                }
                            }
                            for &workers in &workers {
                                for &switch_interval in &switch {
                                    for &poll_interval in &poll {
                                        let mut cell = Cell {
                                            index: cells.len(),
                                            workload: w.name.clone(),
                                            model: m.name.clone(),
                                            variant: m.name.clone(),
                                            kind: m.kind,
                                            tasks,
                                            io_latency,
                                            cpu_cost,
                                            rounds,
                                            io: w.io,
                                            workers,
                                            switch_interval,
                                            poll_interval,
                                            python: m.python.clone().or_else(|| exp.python.clone()),
                                            axes: axes.clone(),
                                        };
                                        let model_point: Vec<String> = cell
                                            .point()
                                            .into_iter()
                                            .filter(|(axis, _)| !is_workload_axis(axis))
                                            .map(|(axis, value)| format!("{axis}={value}"))
                                            .collect();
                                        if !model_point.is_empty() {
                                            cell.variant =
                                                format!("{} {}", m.name, model_point.join(" "));
                                        }
                                        cells.push(cell);
                                    }
                                }
                            }
                        }
                    }
                }
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
        assert_eq!(cells[1].axes, ["tasks", "io_latency", "workers"]);
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
