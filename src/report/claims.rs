//! The claims table every report shares (per workload × model variant ×
//! workload point: median, baseline, speedup, predicted, efficiency) and
//! the warnings a reader must see before trusting it. Pure: each report
//! format only lays these out.

use crate::results::{CellStatus, CellSummary};

use crate::format::format_ms;

/// A coefficient of variation above this makes a cell "noisy".
pub const NOISY_CV: f64 = 0.10;

/// One row of the claims table, already formatted.
#[derive(Clone, Debug, PartialEq)]
pub struct ClaimRow {
    pub workload: String,
    pub variant: String,
    /// The workload's swept fields, e.g. `tasks=10`; empty without a sweep.
    pub point: String,
    pub median: String,
    pub baseline: String,
    pub speedup: String,
    pub predicted: String,
    pub efficiency: String,
    pub n: String,
    pub status: String,
}

/// The columns, in order, with the unit-free names reports use.
pub const COLUMNS: [&str; 10] = [
    "workload",
    "model",
    "point",
    "median",
    "baseline",
    "speedup",
    "predicted",
    "efficiency",
    "runs",
    "status",
];

impl ClaimRow {
    pub fn cells(&self) -> [&str; 10] {
        [
            &self.workload,
            &self.variant,
            &self.point,
            &self.median,
            &self.baseline,
            &self.speedup,
            &self.predicted,
            &self.efficiency,
            &self.n,
            &self.status,
        ]
    }
}

fn status_text(c: &CellSummary) -> String {
    match c.status {
        CellStatus::Ok => "ok".to_string(),
        CellStatus::Partial => format!("{} of {} failed", c.n_failed, c.n + c.n_failed),
        CellStatus::Failed => "failed".to_string(),
        CellStatus::Skipped => "skipped".to_string(),
        CellStatus::Pending => "not run".to_string(),
    }
}

pub fn rows(cells: &[CellSummary]) -> Vec<ClaimRow> {
    cells
        .iter()
        .map(|c| ClaimRow {
            workload: c.workload.clone(),
            variant: c.variant.clone(),
            point: c.workload_point(),
            median: c.wall_median_ms.map_or_else(|| "–".to_string(), format_ms),
            baseline: format_ms(c.baseline_ms),
            speedup: c
                .speedup
                .map_or_else(|| "–".to_string(), |s| format!("{s:.2}×")),
            predicted: format_ms(c.predicted_ms),
            efficiency: c
                .efficiency
                .map_or_else(|| "–".to_string(), |e| format!("{:.0} %", e * 100.0)),
            n: c.n.to_string(),
            status: status_text(c),
        })
        .collect()
}

/// How serious a warning is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// The numbers are there but noisy.
    Noisy,
    /// Some or all runs of the cell are missing.
    Missing,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Warning {
    pub level: Level,
    pub label: String,
    pub text: String,
}

/// Said once above the warnings.
pub const WARNINGS_NOTE: &str = "A cell is noisy when the coefficient of variation of its wall times exceeds 10 %: its median is less certain; more repetitions or a quieter machine help.";

/// Noisy cells (CV above 10 %) and failed, partial, skipped or pending
/// cells with their reasons, in cell order.
pub fn warnings(cells: &[CellSummary]) -> Vec<Warning> {
    let mut out = Vec::new();
    for c in cells {
        let reason = if c.message.is_empty() {
            String::new()
        } else {
            format!(": {}", c.message.trim())
        };
        let missing = match c.status {
            CellStatus::Ok => None,
            CellStatus::Partial => Some(format!(
                "{} of {} runs failed{reason}",
                c.n_failed,
                c.n + c.n_failed
            )),
            CellStatus::Failed => Some(format!("every run failed{reason}")),
            CellStatus::Skipped => Some(format!("skipped{reason}")),
            CellStatus::Pending => Some("not run (the experiment was interrupted)".to_string()),
        };
        if let Some(text) = missing {
            out.push(Warning {
                level: Level::Missing,
                label: c.label.clone(),
                text,
            });
        }
        if let Some(cv) = c.wall_cv.filter(|cv| *cv > NOISY_CV) {
            out.push(Warning {
                level: Level::Noisy,
                label: c.label.clone(),
                text: format!(
                    "its {} runs' wall times vary by {:.0} % (coefficient of variation)",
                    c.n,
                    cv * 100.0
                ),
            });
        }
    }
    out
}

/// The workloads in order of first appearance.
pub fn workloads(cells: &[CellSummary]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for c in cells {
        if !names.contains(&c.workload) {
            names.push(c.workload.clone());
        }
    }
    names
}

/// A measurement beyond wall time, shown when any cell has it.
struct Extra {
    title: &'static str,
    value: fn(&CellSummary) -> Option<f64>,
    format: fn(f64) -> String,
}

fn count(v: f64) -> String {
    format!("{v:.0}")
}

fn us(v: f64) -> String {
    format!("{v:.0} µs")
}

const EXTRAS: [Extra; 11] = [
    Extra {
        title: "CPU (user + sys)",
        value: |c| c.cpu_median_ms,
        format: format_ms,
    },
    Extra {
        title: "setup",
        value: |c| c.setup_median_ms,
        format: format_ms,
    },
    Extra {
        title: "context switches (vol. / invol.)",
        value: |c| c.ctx_voluntary_median,
        format: count,
    },
    Extra {
        title: "peak RSS",
        value: |c| c.peak_rss_median_kb,
        format: |kb| format!("{:.1} MB", kb / 1024.0),
    },
    Extra {
        title: "IO wait overshoot",
        value: |c| c.io_overshoot_median_us,
        format: us,
    },
    Extra {
        title: "delay server overshoot (tcp)",
        value: |c| c.server_overshoot_median_us,
        format: us,
    },
    Extra {
        title: "lock handoffs",
        value: |c| c.lock_handoffs_median,
        format: count,
    },
    Extra {
        title: "lock wait, total",
        value: |c| c.lock_wait_total_median_ms,
        format: format_ms,
    },
    Extra {
        title: "lock wait, longest",
        value: |c| c.lock_wait_max_ms,
        format: format_ms,
    },
    Extra {
        title: "event-loop lag, longest",
        value: |c| c.loop_lag_max_median_ms,
        format: format_ms,
    },
    Extra {
        title: "OS threads, most",
        value: |c| c.threads_max_median,
        format: count,
    },
];

/// A table of figures for a report: a title, a note on how to read it, a
/// header and rows, already formatted. Text in the first column, numbers
/// in the others.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub title: String,
    pub note: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Per workload of several groups, a table of each cell's groups: the
/// medians over its runs of each run's completion and wake-up-delay
/// percentiles, and rounds per second.
pub fn group_tables(cells: &[CellSummary]) -> Vec<Table> {
    let header: Vec<String> = [
        "cell",
        "group",
        "tasks",
        "completion p50",
        "completion p99",
        "wake-up delay p50",
        "wake-up delay p99",
        "wake-up delay, longest",
        "rounds / s",
    ]
    .map(String::from)
    .to_vec();
    let ms = |v: Option<f64>| v.map_or_else(|| "–".to_string(), format_ms);
    let micro = |v: Option<f64>| v.map_or_else(|| "–".to_string(), us);
    workloads(cells)
        .into_iter()
        .filter_map(|w| {
            let mine: Vec<&CellSummary> = cells
                .iter()
                .filter(|c| c.workload == w && c.n > 0 && c.groups.len() > 1)
                .collect();
            let rows: Vec<Vec<String>> = mine
                .iter()
                .flat_map(|c| {
                    c.groups.iter().map(|g| {
                        vec![
                            c.label.clone(),
                            g.name.clone(),
                            g.tasks.to_string(),
                            ms(g.completion_p50_median_ms),
                            ms(g.completion_p99_median_ms),
                            micro(g.wake_delay_p50_median_us),
                            micro(g.wake_delay_p99_median_us),
                            micro(g.wake_delay_max_median_us),
                            g.rounds_per_s_median
                                .map_or_else(|| "–".to_string(), |v| format!("{v:.0}")),
                        ]
                    })
                })
                .collect();
            (!rows.is_empty()).then(|| Table {
                title: format!("Groups of {w}"),
                note: "Medians over the measured runs of each run's figure. Completion: from the \
                       start of the run to the end of a task's last round. Wake-up delay: from the \
                       moment an IO wait completed until its task ran again."
                    .to_string(),
                header: header.clone(),
                rows,
            })
        })
        .collect()
}

/// The other measurements (medians over the runs; the longest lock wait
/// is the longest of all runs): a row per measured cell, with only the
/// columns some cell has; `None` when no cell has any.
pub fn measurements(cells: &[CellSummary]) -> Option<Table> {
    let shown: Vec<&Extra> = EXTRAS
        .iter()
        .filter(|e| cells.iter().any(|c| (e.value)(c).is_some()))
        .collect();
    let mut header = vec!["cell".to_string()];
    header.extend(shown.iter().map(|e| e.title.to_string()));
    let rows: Vec<Vec<String>> = cells
        .iter()
        .filter(|c| c.n > 0)
        .map(|c| {
            let mut row = vec![c.label.clone()];
            for e in &shown {
                let text = match (e.title.starts_with("context"), (e.value)(c)) {
                    (true, Some(v)) => format!(
                        "{} / {}",
                        count(v),
                        c.ctx_involuntary_median.map_or("–".to_string(), count)
                    ),
                    (false, Some(v)) => (e.format)(v),
                    (_, None) => "–".to_string(),
                };
                row.push(text);
            }
            row
        })
        .collect();
    (!rows.is_empty()).then(|| Table {
        title: "Other measurements".to_string(),
        note: "Medians over the measured runs (the longest lock wait is the longest of any run)."
            .to_string(),
        header,
        rows,
    })
}
