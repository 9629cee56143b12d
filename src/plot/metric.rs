//! What a chart puts on its y axis ([`ChartY`]), read from summary rows:
//! the value, its spread, the reference lines that go with it, its unit
//! and how a single value reads. Also the sweep-axis values of a cell.

use crate::config::{Axis, ChartY, Field, ModelKind, SharedMode, Value};
use crate::format::{format_ms, format_number};
use crate::results::CellSummary;

use super::kit::{Dash, Entry, Symbol};
use plotters::style::RGBColor;

/// A measurement of a cell that a chart can show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Metric {
    pub y: ChartY,
    /// For a group's figure, the group's place among each cell's groups
    /// (the cells of a workload list their groups alike).
    pub group: Option<usize>,
}

impl Metric {
    /// A cell's own figure, or its first group's.
    pub fn of(y: ChartY) -> Metric {
        Metric { y, group: None }
    }

    /// The value, in ms for times, × for speedup, % for efficiency,
    /// a count for context switches and MB for memory.
    pub fn value(self, c: &CellSummary) -> Option<f64> {
        let group = || c.groups.get(self.group.unwrap_or(0));
        match self.y {
            ChartY::Threads => c.threads_max_median,
            ChartY::WakeP50 => group()?.wake_delay_p50_median_us.map(|us| us / 1000.0),
            ChartY::WakeP99 => group()?.wake_delay_p99_median_us.map(|us| us / 1000.0),
            ChartY::WakeMax => group()?.wake_delay_max_median_us.map(|us| us / 1000.0),
            ChartY::CompletionP50 => group()?.completion_p50_median_ms,
            ChartY::CompletionP99 => group()?.completion_p99_median_ms,
            ChartY::RoundsPerS => group()?.rounds_per_s_median,
            ChartY::LatencyMean => group()?.requests.as_ref()?.latency_mean_median_ms,
            ChartY::LatencyP50 => group()?.requests.as_ref()?.latency_p50_median_ms,
            ChartY::LatencyP99 => group()?.requests.as_ref()?.latency_p99_median_ms,
            ChartY::Throughput => group()?.requests.as_ref()?.achieved_per_s_median,
            ChartY::Wall => c.wall_median_ms,
            ChartY::Cpu => c.cpu_median_ms,
            ChartY::Speedup => c.speedup,
            ChartY::Efficiency => c.efficiency.map(|e| e * 100.0),
            ChartY::CtxSwitches => match (c.ctx_voluntary_median, c.ctx_involuntary_median) {
                (Some(a), Some(b)) => Some(a + b),
                (a, b) => a.or(b),
            },
            ChartY::PeakRss => c.peak_rss_median_kb.map(|kb| kb / 1024.0),
            ChartY::LostUpdates => lost_percent(c, c.updates_lost_median),
        }
    }

    /// The spread drawn as error bars: min–max of the runs' wall times.
    pub fn spread(self, c: &CellSummary) -> Option<(f64, f64)> {
        match self.y {
            ChartY::Wall => Some((c.wall_min_ms?, c.wall_max_ms?)),
            ChartY::LostUpdates => Some((
                lost_percent(c, c.updates_lost_min)?,
                lost_percent(c, c.updates_lost_max)?,
            )),
            _ => None,
        }
    }

    /// Whether charts draw error bars for this metric.
    pub fn spread_shown(self) -> bool {
        matches!(self.y, ChartY::Wall | ChartY::LostUpdates)
    }

    pub fn is_time(self) -> bool {
        matches!(
            self.y,
            ChartY::Wall
                | ChartY::Cpu
                | ChartY::WakeP50
                | ChartY::WakeP99
                | ChartY::WakeMax
                | ChartY::CompletionP50
                | ChartY::CompletionP99
                | ChartY::LatencyMean
                | ChartY::LatencyP50
                | ChartY::LatencyP99
        )
    }

    /// The chart title's first words.
    pub fn title(self) -> &'static str {
        match self.y {
            ChartY::Threads => "OS threads",
            ChartY::WakeP50 => "Wake-up delay, p50",
            ChartY::WakeP99 => "Wake-up delay, p99",
            ChartY::WakeMax => "Wake-up delay, longest",
            ChartY::CompletionP50 => "Task completion, p50",
            ChartY::CompletionP99 => "Task completion, p99",
            ChartY::RoundsPerS => "Rounds per second",
            ChartY::LatencyMean => "Request latency, mean",
            ChartY::LatencyP50 => "Request latency, p50",
            ChartY::LatencyP99 => "Request latency, p99",
            ChartY::Throughput => "Achieved throughput",
            ChartY::Wall => "Wall time",
            ChartY::Cpu => "CPU time",
            ChartY::Speedup => "Speedup",
            ChartY::Efficiency => "Efficiency against the prediction",
            ChartY::CtxSwitches => "Context switches",
            ChartY::PeakRss => "Peak memory",
            ChartY::LostUpdates => "Lost updates",
        }
    }

    /// The y-axis title, with its unit.
    pub fn axis_title(self, unit: &str) -> String {
        match self.y {
            ChartY::Threads => "OS threads, most at once (median of runs)".to_string(),
            ChartY::WakeP50 => format!("wake-up delay p50, median of runs ({unit})"),
            ChartY::WakeP99 => format!("wake-up delay p99, median of runs ({unit})"),
            ChartY::WakeMax => format!("longest wake-up delay, median of runs ({unit})"),
            ChartY::CompletionP50 => format!("task completion p50, median of runs ({unit})"),
            ChartY::CompletionP99 => format!("task completion p99, median of runs ({unit})"),
            ChartY::RoundsPerS => "rounds per second (median of runs)".to_string(),
            ChartY::LatencyMean => format!("request latency mean, median of runs ({unit})"),
            ChartY::LatencyP50 => format!("request latency p50, median of runs ({unit})"),
            ChartY::LatencyP99 => format!("request latency p99, median of runs ({unit})"),
            ChartY::Throughput => "achieved requests per second (median of runs)".to_string(),
            ChartY::Wall => format!("wall time, median ({unit})"),
            ChartY::Cpu => format!("CPU time, user + system ({unit})"),
            ChartY::Speedup => "speedup, the baseline's median / this median (×)".to_string(),
            ChartY::Efficiency => "efficiency = predicted / measured (%)".to_string(),
            ChartY::CtxSwitches => "context switches, voluntary + involuntary".to_string(),
            ChartY::PeakRss => "peak resident memory (MB)".to_string(),
            ChartY::LostUpdates => "updates lost, median (% of a run's updates)".to_string(),
        }
    }

    /// A per-cell reference that depends on the workload point, and its
    /// legend label: the sequential IO-wait baseline for wall time, the
    /// CPU work asked for, for CPU time.
    pub fn baseline(self, c: &CellSummary) -> Option<f64> {
        match self.y {
            ChartY::Wall => Some(c.baseline_ms),
            ChartY::Cpu => Some(c.cpu_asked_ms()),
            _ => None,
        }
    }

    pub fn baseline_label(self) -> &'static str {
        match self.y {
            ChartY::Cpu => "CPU work asked for (tasks × rounds × cpu_cost)",
            _ => "sequential IO-wait baseline (tasks × rounds × avg IO wait)",
        }
    }

    /// A constant reference line and its label.
    pub fn reference(self) -> Option<(f64, &'static str)> {
        match self.y {
            ChartY::Speedup => Some((1.0, "1× = as fast as sequential")),
            ChartY::Efficiency => Some((100.0, "100 % = as fast as predicted")),
            _ => None,
        }
    }

    /// The model's predicted value of this metric, where there is one.
    pub fn predicted(self, c: &CellSummary, all: &[CellSummary]) -> Option<f64> {
        match self.y {
            ChartY::Wall => c.kind.predicts().then_some(c.predicted_ms),
            ChartY::LatencyMean => {
                c.groups
                    .get(self.group.unwrap_or(0))?
                    .requests
                    .as_ref()?
                    .predicted_latency_mean_ms
            }
            ChartY::Speedup => {
                let baseline = ModelKind::speedup_baseline(all.iter().map(|s| s.kind))?;
                let seq = all
                    .iter()
                    .find(|s| s.kind == baseline && same_point(s, c))?;
                (c.predicted_ms > 0.0 && c.kind.predicts())
                    .then(|| seq.predicted_ms / c.predicted_ms)
            }
            _ => None,
        }
    }

    /// The legend entries after a chart's series: the baseline (if drawn), the
    /// metric's reference line, the predictions (if drawn, with the colour
    /// and text of their key) and how many cells were left out.
    pub fn reference_entries(
        self,
        baseline: bool,
        predictions: Option<(RGBColor, &str)>,
        left_out: usize,
    ) -> Vec<Entry> {
        let mut entries = Vec::new();
        if baseline {
            entries.push(Entry::reference(self.baseline_label()));
        }
        if let Some((_, label)) = self.reference() {
            entries.push(Entry::reference(label));
        }
        if let Some((color, label)) = predictions {
            entries.push(Entry::new(
                Symbol::Line {
                    color,
                    dash: Dash::Dotted,
                    marker: None,
                },
                label,
            ));
        }
        if left_out > 0 {
            entries.push(Entry::new(
                Symbol::Note,
                format!("{left_out} cell(s) without a measurement left out"),
            ));
        }
        entries
    }

    /// One value as a label over a bar.
    pub fn format(self, v: f64) -> String {
        match self.y {
            ChartY::Threads => format_number(v.round(), 0),
            ChartY::RoundsPerS | ChartY::Throughput => format!("{}/s", format_number(v, 0)),
            ChartY::Speedup => format!("{v:.2}×"),
            ChartY::Efficiency => format!("{v:.0} %"),
            ChartY::CtxSwitches => format_number(v.round(), 0),
            ChartY::PeakRss => format!("{v:.1} MB"),
            ChartY::LostUpdates => format!("{v:.0} %"),
            // The times of `is_time`.
            _ => format_ms(v),
        }
    }
}

/// `lost` updates of a run of `c` as a percentage of the updates it made.
fn lost_percent(c: &CellSummary, lost: Option<f64>) -> Option<f64> {
    let expected = c.updates_expected_median.filter(|e| *e > 0.0)?;
    Some(lost? / expected * 100.0)
}

/// Whether two cells ran the same workload point.
pub fn same_point(a: &CellSummary, b: &CellSummary) -> bool {
    a.point().workload_key() == b.point().workload_key()
}

/// The numeric value of a swept field in a cell, durations in ms.
pub fn axis_number(c: &CellSummary, axis: &Axis) -> Option<f64> {
    axis.value(&c.point()).map(|v| v.number())
}

/// The cell's swept fields and their values (`workers`, `2`), in the
/// order of its axes, read from the cell's own fields.
pub fn axis_values(c: &CellSummary) -> Vec<(Axis, String)> {
    c.point()
        .values(&c.axes.0)
        .into_iter()
        .map(|(a, v)| (a.clone(), v.chart_text()))
        .collect()
}

/// The workload's fixed fields, for a subtitle: `io_latency=2ms rounds=1`.
pub fn fixed_fields(c: &CellSummary) -> String {
    let point = c.point();
    // Fields of a workload written with groups are named after them.
    let grouped = point.groups.len() > 1 || point.groups.iter().any(|g| g.name != c.workload);
    let mut parts: Vec<String> = Vec::new();
    for g in &point.groups {
        for field in Field::ALL.into_iter().filter(|f| f.of_workload()) {
            let axis = Axis {
                group: grouped.then(|| g.name.clone()),
                field,
            };
            // A group without a shared counter says nothing about one.
            if !c.axes.contains(&axis)
                && let Some(v) = axis.value(&point)
                && v != Value::Mode(SharedMode::None)
            {
                parts.push(format!("{axis}={}", v.chart_text()));
            }
        }
    }
    if c.io != "sleep" {
        parts.push(format!("io={}", c.io));
    }
    parts.join(" ")
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
                group_io_latency_mean_ns: vec![2e6; cell.groups.len()],
                cell,
                io_latency_mean_ns: 2e6,
                baseline_ns: 0,
                predicted_ns: 0,
                skip: None,
                requests: Vec::new(),
                interpreter: None,
            })
            .collect();
        summarize(&plans, &[], &[])
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
            [(Axis::plain(Field::IoLatency), "exp(mean 2ms)".to_string())]
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
                (Axis::plain(Field::Tasks), "1".to_string()),
                (Axis::plain(Field::IoLatency), "2ms".to_string()),
                (Axis::plain(Field::Workers), "8".to_string()),
            ]
        );
        assert_eq!(c.workload_point(), "tasks=1 io_latency=2ms");
        assert_eq!(fixed_fields(c), "cpu_cost=0 rounds=1");
        assert_eq!(axis_number(c, &Axis::plain(Field::Workers)), Some(8.0));
    }
}
