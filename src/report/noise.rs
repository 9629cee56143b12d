//! The warning `conlab run` prints after its summary table when other work
//! on the machine disturbed cells: which cells, and how much CPU other
//! processes used or the hypervisor stole during their runs. Pure; the
//! same warnings, word for word, as the reports' (see `results_table`).

use super::results_table;
use crate::noise;
use crate::results::{CellSummary, RunRecord};

/// At most this many cells are listed; the reports list them all.
const MAX_LISTED: usize = 20;

/// The warning, or `None` when no cell was disturbed.
pub fn terminal(cells: &[CellSummary], runs: &[RunRecord]) -> Option<String> {
    let busy: Vec<results_table::Warning> = results_table::warnings(cells, runs)
        .into_iter()
        .filter(|w| w.busy_machine)
        .collect();
    if busy.is_empty() {
        return None;
    }
    let mut out = format!(
        "warning: other work on this machine disturbed {} of {} cells (other processes' CPU or the hypervisor's steal above {:.0} % of wall time and {:.0} ms):\n",
        busy.len(),
        cells.len(),
        noise::SHARE * 100.0,
        noise::FLOOR_MS
    );
    for w in busy.iter().take(MAX_LISTED) {
        out.push_str(&format!("  {} ({}): {}\n", w.label, w.level.text(), w.text));
    }
    if busy.len() > MAX_LISTED {
        out.push_str(&format!("  … and {} more\n", busy.len() - MAX_LISTED));
    }
    out.push_str(
        "  = help: run again on a quieter machine; `conlab doctor` shows what makes this one noisy. report.md and report.html list every warning",
    );
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::results_table::tests::cell;

    #[test]
    fn the_terminal_lists_the_disturbed_cells() {
        let (cells, runs) = cell(&[(50.0, Some(48.0)); 5]);
        let Some(text) = terminal(&cells, &runs) else {
            panic!("no warning")
        };
        assert_eq!(
            text,
            "warning: other work on this machine disturbed 1 of 1 cells (other processes' CPU or the hypervisor's steal above 2 % of wall time and 20 ms):\n  \
             w · sequential (busy machine): other processes used 48.0 ms of CPU per run (96 % of its 50.0 ms median wall time)\n  \
             = help: run again on a quieter machine; `conlab doctor` shows what makes this one noisy. report.md and report.html list every warning"
        );
        let (cells, runs) = cell(&[(50.0, Some(0.0)); 5]);
        assert_eq!(terminal(&cells, &runs), None);
    }
}
