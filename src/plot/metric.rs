//! What a chart puts on its y axis ([`ChartY`]), read from summary rows:
//! the value, its spread, the reference lines that go with it, its unit
//! and how a single value reads. Also the sweep-axis values of a cell.

use crate::config::ChartY;
use crate::report::table::format_ms;
use crate::results::CellSummary;

use super::axis::format_number;

/// A measurement of a cell that a chart can show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Metric(pub ChartY);

impl Metric {
    /// The value, in ms for times, × for speedup, % for efficiency,
    /// a count for context switches and MB for memory.
    pub fn value(self, c: &CellSummary) -> Option<f64> {
        match self.0 {
            ChartY::Wall => c.wall_median_ms,
            ChartY::Cpu => c.cpu_median_ms,
            ChartY::Speedup => c.speedup,
            ChartY::Efficiency => c.efficiency.map(|e| e * 100.0),
            ChartY::CtxSwitches => match (c.ctx_voluntary_median, c.ctx_involuntary_median) {
                (Some(a), Some(b)) => Some(a + b),
                (a, b) => a.or(b),
            },
            ChartY::PeakRss => c.peak_rss_median_kb.map(|kb| kb / 1024.0),
        }
    }

    /// The spread drawn as error bars: min–max of the runs' wall times.
    pub fn spread(self, c: &CellSummary) -> Option<(f64, f64)> {
        match self.0 {
            ChartY::Wall => Some((c.wall_min_ms?, c.wall_max_ms?)),
            _ => None,
        }
    }

    /// Whether charts draw error bars for this metric.
    pub fn spread_shown(self) -> bool {
        self.0 == ChartY::Wall
    }

    pub fn is_time(self) -> bool {
        matches!(self.0, ChartY::Wall | ChartY::Cpu)
    }

    /// The chart title's first words.
    pub fn title(self) -> &'static str {
        match self.0 {
            ChartY::Wall => "Wall time",
            ChartY::Cpu => "CPU time",
            ChartY::Speedup => "Speedup over sequential",
            ChartY::Efficiency => "Efficiency against the prediction",
            ChartY::CtxSwitches => "Context switches",
            ChartY::PeakRss => "Peak memory",
        }
    }

    /// The y-axis title, with its unit.
    pub fn axis_title(self, unit: &str) -> String {
        match self.0 {
            ChartY::Wall => format!("wall time, median ({unit})"),
            ChartY::Cpu => format!("CPU time, user + system ({unit})"),
            ChartY::Speedup => "speedup over sequential (×)".to_string(),
            ChartY::Efficiency => "efficiency = predicted / measured (%)".to_string(),
            ChartY::CtxSwitches => "context switches, voluntary + involuntary".to_string(),
            ChartY::PeakRss => "peak resident memory (MB)".to_string(),
        }
    }

    /// A per-cell reference that depends on the workload point, and its
    /// legend label: the sequential IO-wait baseline for wall time, the
    /// CPU work asked for, for CPU time.
    pub fn baseline(self, c: &CellSummary) -> Option<f64> {
        match self.0 {
            ChartY::Wall => Some(c.baseline_ms),
            ChartY::Cpu => Some(c.tasks as f64 * c.rounds as f64 * c.cpu_cost_ms),
            _ => None,
        }
    }

    pub fn baseline_label(self) -> &'static str {
        match self.0 {
            ChartY::Cpu => "CPU work asked for (tasks × rounds × cpu_cost)",
            _ => "sequential IO-wait baseline (tasks × rounds × avg IO wait)",
        }
    }

    /// A constant reference line and its label.
    pub fn reference(self) -> Option<(f64, &'static str)> {
        match self.0 {
            ChartY::Speedup => Some((1.0, "1× = as fast as sequential")),
            ChartY::Efficiency => Some((100.0, "100 % = as fast as predicted")),
            _ => None,
        }
    }

    /// The model's predicted value of this metric, where there is one.
    pub fn predicted(self, c: &CellSummary, all: &[CellSummary]) -> Option<f64> {
        match self.0 {
            ChartY::Wall => Some(c.predicted_ms),
            ChartY::Speedup => {
                let seq = all
                    .iter()
                    .find(|s| s.kind == crate::model::ModelKind::Sequential && same_point(s, c))?;
                (c.predicted_ms > 0.0).then(|| seq.predicted_ms / c.predicted_ms)
            }
            _ => None,
        }
    }

    /// One value as a label over a bar.
    pub fn format(self, v: f64) -> String {
        match self.0 {
            ChartY::Wall | ChartY::Cpu => format_ms(v),
            ChartY::Speedup => format!("{v:.2}×"),
            ChartY::Efficiency => format!("{v:.0} %"),
            ChartY::CtxSwitches => format_number(v.round(), 0),
            ChartY::PeakRss => format!("{v:.1} MB"),
        }
    }
}

/// Whether two cells ran the same workload point.
pub fn same_point(a: &CellSummary, b: &CellSummary) -> bool {
    a.workload == b.workload
        && a.tasks == b.tasks
        && a.io_latency == b.io_latency
        && a.cpu_cost_ms == b.cpu_cost_ms
        && a.rounds == b.rounds
}

/// Whether a swept field is a duration.
pub fn is_duration_axis(axis: &str) -> bool {
    matches!(
        axis,
        "io_latency" | "cpu_cost" | "switch_interval" | "poll_interval"
    )
}

pub fn is_workload_axis(axis: &str) -> bool {
    crate::matrix::is_workload_axis(axis)
}

/// The numeric value of a swept field in a cell, durations in ms.
pub fn axis_number(c: &CellSummary, axis: &str) -> Option<f64> {
    match axis {
        "tasks" => Some(c.tasks as f64),
        "io_latency" => Some(c.io_latency_mean_ms),
        "cpu_cost" => Some(c.cpu_cost_ms),
        "rounds" => Some(c.rounds as f64),
        "workers" => c.workers.map(f64::from),
        "switch_interval" => c.switch_interval_ms,
        "poll_interval" => c.poll_interval_ms,
        _ => None,
    }
}

/// A field's title on an x axis.
pub fn axis_title(axis: &str, unit: &str) -> String {
    match axis {
        "tasks" => "tasks".to_string(),
        "io_latency" => format!("IO wait per round, mean ({unit})"),
        "cpu_cost" => format!("CPU work per round ({unit})"),
        "rounds" => "rounds per task".to_string(),
        "workers" => "workers".to_string(),
        "switch_interval" => format!("GIL switch interval ({unit})"),
        "poll_interval" => format!("poll interval ({unit})"),
        other => other.to_string(),
    }
}

/// The cell's swept fields and their values (`workers`, `2`), in the
/// order of `axes`, read from the cell's own fields.
pub fn axis_values(c: &CellSummary) -> Vec<(String, String)> {
    c.axes
        .split(';')
        .filter(|a| !a.is_empty())
        .filter_map(|a| {
            let value = match a {
                "tasks" => c.tasks.to_string(),
                "io_latency" => c.io_latency.clone(),
                "cpu_cost" => duration_text(c.cpu_cost_ms),
                "rounds" => c.rounds.to_string(),
                "workers" => c.workers?.to_string(),
                "switch_interval" => duration_text(c.switch_interval_ms?),
                "poll_interval" => duration_text(c.poll_interval_ms?),
                _ => return None,
            };
            Some((a.to_string(), value))
        })
        .collect()
}

/// The workload's swept fields of a cell, e.g. `tasks=10 io_latency=2ms`.
pub fn workload_point(c: &CellSummary) -> String {
    axis_values(c)
        .into_iter()
        .filter(|(k, _)| is_workload_axis(k))
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The workload's fixed fields, for a subtitle: `io_latency=2ms rounds=1`.
pub fn fixed_fields(c: &CellSummary) -> String {
    let axes: Vec<&str> = c.axes.split(';').collect();
    let mut parts = Vec::new();
    if !axes.contains(&"tasks") {
        parts.push(format!("tasks={}", c.tasks));
    }
    if !axes.contains(&"io_latency") {
        parts.push(format!("io_latency={}", c.io_latency));
    }
    if !axes.contains(&"cpu_cost") {
        parts.push(format!("cpu_cost={}", duration_text(c.cpu_cost_ms)));
    }
    if !axes.contains(&"rounds") {
        parts.push(format!("rounds={}", c.rounds));
    }
    if c.io != "sleep" {
        parts.push(format!("io={}", c.io));
    }
    parts.join(" ")
}

/// A duration in ms written as in experiment files: `0`, `250us`, `1.5ms`, `2s`.
pub fn duration_text(ms: f64) -> String {
    if ms == 0.0 {
        "0".to_string()
    } else if ms < 1.0 {
        format!("{}us", format_number(ms * 1000.0, 3))
    } else if ms < 1000.0 {
        format!("{}ms", format_number(ms, 3))
    } else {
        format!("{}s", format_number(ms / 1000.0, 3))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config;
    use crate::matrix;
    use crate::results::{CellPlan, summarize};

    fn cells(text: &str) -> Vec<CellSummary> {
        let exp = match config::from_text("t.toml", text, "t") {
            Ok(l) => l.experiment,
            Err(e) => panic!("{e}"),
        };
        let plans: Vec<CellPlan> = matrix::expand(&exp, 2)
            .into_iter()
            .map(|cell| CellPlan {
                cell,
                io_latency_mean_ns: 2e6,
                baseline_ns: 0,
                predicted_ns: 0,
                skip: None,
            })
            .collect();
        summarize(&plans, &[])
    }

    #[test]
    fn distribution_values_keep_their_spaces() {
        let cs = cells(
            r#"
            [[workload]]
            tasks = 2
            io_latency = ["1ms", { dist = "exponential", mean = "2ms" }]
            [[model]]
            kind = "async"
            "#,
        );
        assert_eq!(
            axis_values(&cs[1]),
            [("io_latency".to_string(), "exp(mean 2ms)".to_string())]
        );
    }

    #[test]
    fn axis_values_come_from_the_cell() {
        let cs = cells(
            r#"
            [[workload]]
            name = "io"
            tasks = [1, 10]
            io_latency = ["1ms", "2ms"]
            [[model]]
            kind = "thread-pool"
            name = "pool"
            workers = [2, 8]
            "#,
        );
        let c = &cs[3];
        assert_eq!(
            axis_values(c),
            [
                ("tasks".to_string(), "1".to_string()),
                ("io_latency".to_string(), "2ms".to_string()),
                ("workers".to_string(), "8".to_string()),
            ]
        );
        assert_eq!(workload_point(c), "tasks=1 io_latency=2ms");
        assert_eq!(fixed_fields(c), "cpu_cost=0 rounds=1");
        assert_eq!(axis_number(c, "workers"), Some(8.0));
    }
}
