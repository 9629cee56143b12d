//! The table `conlab run` prints on stdout when it is done: per cell, the
//! median wall time, the sequential IO baseline, the speedup over
//! `sequential` and the efficiency against the prediction.

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
    table.set_header([
        "cell",
        "median",
        "baseline",
        "speedup",
        "efficiency",
        "status",
    ]);
    for c in cells {
        let status = match c.status {
            CellStatus::Ok => String::new(),
            CellStatus::Partial => format!("{} of {} failed", c.n_failed, c.n + c.n_failed),
            CellStatus::Failed => "failed".to_string(),
            CellStatus::Skipped => "skipped".to_string(),
            CellStatus::Pending => "not run".to_string(),
        };
        let right = |text: String| TableCell::new(text).set_alignment(CellAlignment::Right);
        table.add_row(vec![
            TableCell::new(&c.label),
            right(c.wall_median_ms.map_or_else(|| "-".to_string(), format_ms)),
            right(format_ms(c.baseline_ms)),
            right(ratio(c.speedup)),
            right(
                c.efficiency
                    .map_or_else(|| "-".to_string(), |e| format!("{:.0} %", e * 100.0)),
            ),
            TableCell::new(status),
        ]);
    }
    table.to_string()
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
            right(format_ms(p.predicted_ns as f64 / 1e6)),
            TableCell::new(if p.skip.is_some() { "skipped" } else { "" }),
        ]);
    }
    table.to_string()
}
