//! The results table every report shares (per workload × model variant ×
//! workload point: median, baseline, speedup, predicted, efficiency) and
//! the warnings a reader must see before trusting it, among them cells
//! whose runs shared the machine with other work. Pure: each report format
//! (and the end of `conlab run`) only lays these out.

use crate::noise::{self, Disturbance};
use crate::results::{CellStatus, CellSummary, RunRecord, RunStatus};

use crate::format::format_ms;

/// A coefficient of variation above this makes a cell "noisy".
pub const NOISY_CV: f64 = 0.10;

/// One row of the results table, already formatted.
#[derive(Clone, Debug, PartialEq)]
pub struct ResultRow {
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

impl ResultRow {
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

pub fn rows(cells: &[CellSummary]) -> Vec<ResultRow> {
    cells
        .iter()
        .map(|c| ResultRow {
            workload: c.workload.clone(),
            variant: c.variant.clone(),
            point: c.workload_point(),
            median: c.wall_median_ms.map_or_else(|| "–".to_string(), format_ms),
            baseline: format_ms(c.baseline_ms),
            speedup: c
                .speedup
                .map_or_else(|| "–".to_string(), |s| format!("{s:.2}×")),
            predicted: if c.kind.predicts() {
                format_ms(c.predicted_ms)
            } else {
                "–".to_string()
            },
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
    /// Other processes or the hypervisor took CPU during the cell's runs.
    Disturbed,
}

impl Level {
    /// How reports name the level.
    pub fn text(self) -> &'static str {
        match self {
            Level::Noisy => "noisy",
            Level::Missing => "missing runs",
            Level::Disturbed => "busy machine",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Warning {
    pub level: Level,
    pub label: String,
    pub text: String,
    /// The warning names other work on the machine (foreign CPU or steal)
    /// as what disturbed the cell; `conlab run` prints these at its end.
    pub busy_machine: bool,
}

/// Said once above the warnings.
pub const WARNINGS_NOTE: &str = "A cell is noisy when the coefficient of variation of its wall times exceeds 10 %: its median is less certain; more repetitions or a quieter machine help.";

/// Said once above the warnings when some cell's runs were disturbed.
pub fn noise_note() -> String {
    format!(
        "A cell ran on a busy machine when, in the median of its runs, the CPU time other processes used (foreign CPU) or the hypervisor stole (steal) while it ran exceeded {:.0} % of its median wall time and {:.0} ms (below that, the kernel's counters in /proc/stat cannot tell it from their own rounding). A noisy cell names this as the likely cause when its medians show it, or when its slower runs each crossed that line. Such numbers may be slower or more spread than on a quiet machine; `conlab doctor` shows what makes this machine noisy.",
        noise::SHARE * 100.0,
        noise::FLOOR_MS
    )
}

fn percent(share: f64) -> String {
    format!("{:.0} %", share * 100.0)
}

/// What disturbed a cell's runs, with the figures: `other processes used
/// 98.1 ms of CPU per run (196 % of its 50.1 ms median wall time)`.
pub fn disturbance_text(d: &Disturbance) -> String {
    let mut parts = Vec::new();
    if let Some(v) = d.foreign_cpu_ms {
        parts.push(format!(
            "other processes used {} of CPU per run ({} of its {} median wall time)",
            format_ms(v),
            percent(d.share(v)),
            format_ms(d.wall_ms)
        ));
    }
    if let Some(v) = d.steal_ms {
        parts.push(format!(
            "the hypervisor stole {} of CPU per run ({} of its {} median wall time)",
            format_ms(v),
            percent(d.share(v)),
            format_ms(d.wall_ms)
        ));
    }
    parts.join("; ")
}

/// Why a noisy cell's runs spread, when its medians do not show a busy
/// machine but some of its runs ran on one and were slower than its median:
/// `runs 1, 2 of 5 ran on a busy machine (other processes used 98.1 ms,
/// 97.8 ms of CPU during them) and were slower than its median`.
fn runs_cause(c: &CellSummary, runs: &[RunRecord]) -> Option<String> {
    let median = c.wall_median_ms?;
    let mine: Vec<&RunRecord> = runs
        .iter()
        .filter(|r| r.cell == c.cell && r.status == RunStatus::Ok)
        .collect();
    let crossed = |v: Option<f64>, wall: f64| v.filter(|v| noise::disturbed(*v, wall));
    let hit: Vec<(&RunRecord, f64, Option<f64>, Option<f64>)> = mine
        .iter()
        .filter_map(|r| {
            let wall = r.wall_ms?;
            let foreign = crossed(r.foreign_cpu_ms, wall);
            let steal = crossed(r.steal_ms, wall);
            (foreign.is_some() || steal.is_some()).then_some((*r, wall, foreign, steal))
        })
        .collect();
    if hit.is_empty() {
        return None;
    }
    let mean_wall = hit.iter().map(|h| h.1).sum::<f64>() / hit.len() as f64;
    if mean_wall <= median {
        return None;
    }
    let list = |values: Vec<f64>| {
        values
            .into_iter()
            .map(format_ms)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let foreign: Vec<f64> = hit.iter().filter_map(|h| h.2).collect();
    let steal: Vec<f64> = hit.iter().filter_map(|h| h.3).collect();
    let them = if hit.len() == 1 { "it" } else { "them" };
    let mut what = Vec::new();
    if !foreign.is_empty() {
        what.push(format!(
            "other processes used {} of CPU during {them}",
            list(foreign)
        ));
    }
    if !steal.is_empty() {
        what.push(format!(
            "the hypervisor stole {} during {them}",
            list(steal)
        ));
    }
    let which: Vec<String> = hit.iter().map(|h| h.0.repetition.to_string()).collect();
    Some(format!(
        "run{} {} of {} ran on a busy machine ({}) and {} slower than its median",
        if hit.len() == 1 { "" } else { "s" },
        which.join(", "),
        mine.len(),
        what.join("; "),
        if hit.len() == 1 { "was" } else { "were" }
    ))
}

/// Noisy cells (CV above 10 %, with the likely cause when other work on
/// the machine explains it), cells whose runs ran on a busy machine, and
/// failed, partial, skipped or pending cells with their reasons, in cell
/// order. `runs` are the cells' run records (for the likely causes).
pub fn warnings(cells: &[CellSummary], runs: &[RunRecord]) -> Vec<Warning> {
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
                busy_machine: false,
            });
        }
        let disturbance = c.disturbance();
        match (c.wall_cv.filter(|cv| *cv > NOISY_CV), disturbance) {
            (Some(cv), d) => {
                let cause = match d {
                    Some(d) => Some(disturbance_text(&d)),
                    None => runs_cause(c, runs),
                };
                out.push(Warning {
                    level: Level::Noisy,
                    label: c.label.clone(),
                    text: format!(
                        "its {} runs' wall times vary by {:.0} % (coefficient of variation){}",
                        c.n,
                        cv * 100.0,
                        cause
                            .as_ref()
                            .map_or_else(String::new, |c| format!("; likely cause: {c}"))
                    ),
                    busy_machine: cause.is_some(),
                });
            }
            (None, Some(d)) => out.push(Warning {
                level: Level::Disturbed,
                label: c.label.clone(),
                text: disturbance_text(&d),
                busy_machine: true,
            }),
            (None, None) => {}
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

const EXTRAS: [Extra; 14] = [
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
        title: "foreign CPU (other processes)",
        value: |c| c.foreign_cpu_median_ms,
        format: format_ms,
    },
    Extra {
        title: "steal (hypervisor)",
        value: |c| c.steal_median_ms,
        format: format_ms,
    },
    Extra {
        title: "load (1 min) at start",
        value: |c| c.load_1m_median,
        format: |v| format!("{v:.2}"),
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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::noise::RunNoise;
    use crate::results::{CellPlan, Measurement, summarize};
    use crate::{config, matrix};

    /// One sequential cell whose runs took these (wall, foreign CPU) ms.
    pub(crate) fn cell(runs: &[(f64, Option<f64>)]) -> (Vec<CellSummary>, Vec<RunRecord>) {
        let exp = match config::from_text(
            "t.toml",
            "[[workload]]\nname = \"w\"\ntasks = 1\n[[model]]\nkind = \"sequential\"\n",
            "t",
        ) {
            Ok(l) => l.experiment,
            Err(e) => panic!("{e}"),
        };
        let cell = matrix::expand(&exp, 1).remove(0);
        let records: Vec<RunRecord> = runs
            .iter()
            .enumerate()
            .map(|(i, (wall, foreign))| {
                let m = Measurement {
                    wall_ns: (wall * 1e6) as u64,
                    noise: RunNoise {
                        steal_ns: foreign.map(|_| 0),
                        foreign_cpu_ns: foreign.map(|f| (f * 1e6) as u64),
                        load_1m: foreign.map(|_| 0.5),
                    },
                    ..Measurement::default()
                };
                RunRecord::measured(&cell, i as u32 + 1, &m)
            })
            .collect();
        let plan = CellPlan {
            group_io_latency_mean_ns: vec![0.0; cell.groups.len()],
            cell,
            io_latency_mean_ns: 0.0,
            baseline_ns: 0,
            predicted_ns: 0,
            skip: None,
            requests: Vec::new(),
        };
        (summarize(&[plan], &records, &[]), records)
    }

    #[test]
    fn a_steady_cell_on_a_busy_machine_is_named_with_its_figures() {
        let (cells, runs) = cell(&[(50.0, Some(48.0)); 5]);
        let w = warnings(&cells, &runs);
        assert_eq!(
            w,
            [Warning {
                level: Level::Disturbed,
                label: "w · sequential".to_string(),
                text: "other processes used 48.0 ms of CPU per run (96 % of its 50.0 ms median wall time)".to_string(),
                busy_machine: true,
            }]
        );
    }

    #[test]
    fn noise_within_the_counters_rounding_or_unrecorded_is_no_warning() {
        // 8 ms is 800 % of a 1 ms run, but one counter unit.
        let (cells, runs) = cell(&[(1.0, Some(8.0)); 5]);
        assert_eq!(warnings(&cells, &runs), []);
        // Results written before the noise columns existed.
        let (cells, runs) = cell(&[(50.0, None); 5]);
        assert_eq!(cells[0].foreign_cpu_median_ms, None);
        assert_eq!(warnings(&cells, &runs), []);
    }

    #[test]
    fn a_noisy_cell_gets_the_busy_machine_as_its_likely_cause() {
        let (cells, runs) = cell(&[
            (100.0, Some(0.0)),
            (100.0, Some(0.0)),
            (100.0, Some(0.0)),
            (150.0, Some(60.0)),
            (170.0, Some(70.0)),
        ]);
        let w = warnings(&cells, &runs);
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].level, Level::Noisy);
        assert!(w[0].busy_machine);
        assert!(
            w[0].text.ends_with(
                "; likely cause: runs 4, 5 of 5 ran on a busy machine (other processes used 60.0 ms, 70.0 ms of CPU during them) and were slower than its median"
            ),
            "{}",
            w[0].text
        );
        // When the medians show it, they are the cause.
        let (cells, runs) = cell(&[
            (100.0, Some(90.0)),
            (100.0, Some(90.0)),
            (130.0, Some(90.0)),
            (150.0, Some(90.0)),
        ]);
        let w = warnings(&cells, &runs);
        assert_eq!(w.len(), 1);
        assert!(
            w[0].text.ends_with(
                "; likely cause: other processes used 90.0 ms of CPU per run (78 % of its 115 ms median wall time)"
            ),
            "{}",
            w[0].text
        );
    }

    #[test]
    fn a_noisy_cell_whose_busy_runs_were_not_its_slow_ones_gets_no_cause() {
        let (cells, runs) = cell(&[
            (100.0, Some(60.0)),
            (100.0, Some(0.0)),
            (100.0, Some(0.0)),
            (150.0, Some(0.0)),
            (170.0, Some(0.0)),
        ]);
        let w = warnings(&cells, &runs);
        assert_eq!(w.len(), 1);
        assert!(!w[0].busy_machine);
        assert!(
            w[0].text.ends_with("(coefficient of variation)"),
            "{}",
            w[0].text
        );
    }
}
