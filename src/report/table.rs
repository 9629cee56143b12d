//! The table `conlab run` prints on stdout when it is done: per cell, the
//! median wall time, the sequential IO baseline, the speedup over
//! `sequential`, the efficiency against the prediction and, when there are
//! shared counters, the updates they lost.

use comfy_table::{Cell as TableCell, CellAlignment, Table};

use crate::format::format_ms;
use crate::results::{CellStatus, CellSummary};

/// No outer border, a rule under the header, columns split by a thin line,
/// no lines between rows: compact, and still aligned when piped to a file.
pub const STYLE: &str = "     ─┼ │          ";

fn ratio(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_string(), |v| format!("{v:.2}×"))
}

/// Renders the end-of-run table.
pub fn render(cells: &[CellSummary]) -> String {
    let mut table = Table::new();
    table.load_preset(STYLE);
    // Lost updates only when some cell has a shared counter.
    let counters = cells.iter().any(|c| c.updates_expected_median.is_some());
    let mut header = vec!["cell", "median", "baseline", "speedup", "efficiency"];
    if counters {
        header.push("lost updates (runs)");
    }
    header.push("status");
    table.set_header(header);
    for c in cells {
        let status = match c.status {
            CellStatus::Ok => String::new(),
            CellStatus::Partial => format!("{} of {} failed", c.n_failed, c.n + c.n_failed),
            CellStatus::Failed => "failed".to_string(),
            CellStatus::Skipped => "skipped".to_string(),
            CellStatus::Pending => "not run".to_string(),
        };
        let right = |text: String| TableCell::new(text).set_alignment(CellAlignment::Right);
        let mut row = vec![
            TableCell::new(&c.label),
            right(c.wall_median_ms.map_or_else(|| "-".to_string(), format_ms)),
            right(format_ms(c.baseline_ms)),
            right(ratio(c.speedup)),
            right(
                c.efficiency
                    .map_or_else(|| "-".to_string(), |e| format!("{:.0} %", e * 100.0)),
            ),
        ];
        if counters {
            row.push(right(lost_text(c)));
        }
        row.push(TableCell::new(status));
        table.add_row(row);
    }
    table.to_string()
}

/// A cell's median lost updates of its counters and how many of its runs
/// lost any: `12 of 40 (5 of 5)`; `-` without counters.
fn lost_text(c: &CellSummary) -> String {
    match (
        c.updates_lost_median,
        c.updates_expected_median,
        c.runs_with_loss_share,
    ) {
        (Some(lost), Some(expected), Some(share)) => {
            let runs = (share * c.n as f64).round() as usize;
            format!("{lost:.0} of {expected:.0} ({runs} of {})", c.n)
        }
        _ => "-".to_string(),
    }
}

/// Renders the cells `validate` would run: baseline, prediction, status.
pub fn render_plan(plans: &[crate::results::CellPlan]) -> String {
    let mut table = Table::new();
    table.load_preset(STYLE);
    table.set_header(["cell", "baseline", "predicted", "note"]);
    for p in plans {
        let right = |text: String| TableCell::new(text).set_alignment(CellAlignment::Right);
        table.add_row(vec![
            TableCell::new(p.cell.label()),
            right(format_ms(p.baseline_ns as f64 / 1e6)),
            right(if p.cell.kind.predicts() {
                format_ms(p.predicted_ns as f64 / 1e6)
            } else {
                "-".to_string()
            }),
            TableCell::new(if p.skip.is_some() { "skipped" } else { "" }),
        ]);
    }
    table.to_string()
}
