//! The shared-counter table of the reports: per workload whose groups
//! have counters, each measured cell's updates, how many were lost (median,
//! fewest and most in a run), in how many runs any was lost, and how long
//! tasks waited for `locked` counters' locks. Pure: the HTML and Markdown
//! reports lay it out like their other tables.

use super::results_table::{Table, workloads};
use crate::format::format_ms;
use crate::results::CellSummary;

/// How a cell's counters were updated: `racy`, `racy, await inside`, or
/// per group (`io: racy; cpu: locked`) when several groups have one.
pub fn counter_text(c: &CellSummary) -> String {
    let counting: Vec<String> = c
        .groups
        .iter()
        .filter(|g| g.shared.counts())
        .map(|g| {
            let mut text = g.shared.to_string();
            if g.await_inside {
                text.push_str(", await inside");
            }
            text
        })
        .collect();
    match counting.as_slice() {
        [] => "–".to_string(),
        [one] if c.groups.len() == 1 => one.clone(),
        _ => c
            .groups
            .iter()
            .filter(|g| g.shared.counts())
            .zip(&counting)
            .map(|(g, text)| format!("{}: {text}", g.name))
            .collect::<Vec<_>>()
            .join("; "),
    }
}

fn count(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_string(), |v| format!("{v:.0}"))
}

/// The share of a cell's runs that lost an update: `4 of 5 (80 %)`.
pub fn runs_text(c: &CellSummary) -> String {
    match c.runs_with_loss_share {
        Some(share) => {
            let lost = (share * c.n as f64).round() as usize;
            format!("{lost} of {} ({:.0} %)", c.n, share * 100.0)
        }
        None => "–".to_string(),
    }
}

/// A table per workload with shared counters, its measured cells in order.
pub fn tables(cells: &[CellSummary]) -> Vec<Table> {
    let header: Vec<String> = [
        "cell",
        "counter",
        "updates per run",
        "lost, median",
        "lost, fewest–most",
        "runs that lost any",
        "lock wait, median",
    ]
    .map(String::from)
    .to_vec();
    workloads(cells)
        .into_iter()
        .filter_map(|w| {
            let rows: Vec<Vec<String>> = cells
                .iter()
                .filter(|c| c.workload == w && c.n > 0 && c.updates_expected_median.is_some())
                .map(|c| {
                    let range = match (c.updates_lost_min, c.updates_lost_max) {
                        (Some(lo), Some(hi)) => format!("{lo:.0}–{hi:.0}"),
                        _ => "–".to_string(),
                    };
                    vec![
                        c.label.clone(),
                        counter_text(c),
                        count(c.updates_expected_median),
                        count(c.updates_lost_median),
                        range,
                        runs_text(c),
                        c.shared_lock_wait_median_ms
                            .map_or_else(|| "–".to_string(), format_ms),
                    ]
                })
                .collect();
            (!rows.is_empty()).then(|| Table {
                title: format!("Shared counters of {w}"),
                note: "Each task updates its group's counter once a round, after its IO wait. \
                       racy: read, CPU work, write back what was read plus one (with await \
                       inside, the task lets the others run before the write); locked: the same \
                       under the model's lock; atomic: one atomic increment. Lost: updates \
                       missing from the counter at the end of a run. Lock wait: time tasks \
                       waited for the lock, all together (medians over the measured runs)."
                    .to_string(),
                header: header.clone(),
                rows,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Extras;
    use crate::model::shared::SharedOutcome;
    use crate::results::{CellPlan, Measurement, RunRecord, summarize};
    use crate::{config, matrix};

    #[test]
    fn a_cell_that_lost_updates_in_some_runs_says_how_many_and_how_often() {
        let text = "[[workload]]\nname = \"w\"\ntasks = 4\nshared = \"racy\"\nawait_inside = \
                    true\n[[model]]\nkind = \"threads\"\n[[workload]]\nname = \"plain\"\n\
                    tasks = 2\n[[model]]\nkind = \"async\"\n";
        let exp = match config::from_text("t.toml", text, "t") {
            Ok(l) => l.experiment,
            Err(e) => panic!("{e}"),
        };
        let cells = matrix::expand(&exp, 2);
        let records: Vec<RunRecord> = [0, 3, 5, 0]
            .into_iter()
            .enumerate()
            .map(|(i, lost)| {
                let m = Measurement {
                    extras: Extras {
                        shared: Some(SharedOutcome {
                            expected: 4,
                            lost,
                            lock_wait_ns: None,
                        }),
                        ..Extras::default()
                    },
                    ..Measurement::default()
                };
                RunRecord::measured(&cells[0], i as u32 + 1, &m)
            })
            .chain([RunRecord::measured(&cells[2], 1, &Measurement::default())])
            .collect();
        let plans: Vec<CellPlan> = cells
            .into_iter()
            .map(|cell| CellPlan {
                group_io_latency_mean_ns: vec![0.0; cell.groups.len()],
                cell,
                io_latency_mean_ns: 0.0,
                baseline_ns: 0,
                predicted_ns: 0,
                requests: Vec::new(),
                interpreter: None,
                skip: None,
            })
            .collect();
        let summary = summarize(&plans, &records, &[]);
        let tables = tables(&summary);
        assert_eq!(tables.len(), 1, "the workload without a counter has none");
        assert_eq!(
            tables[0].rows,
            [[
                "w · threads",
                "racy, await inside",
                "4",
                "2",
                "0–5",
                "2 of 4 (50 %)",
                "–"
            ]]
        );
    }
}
