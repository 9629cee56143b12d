//! The interpreters table of the reports: each interpreter the cells ran
//! in (as the file names it), what it is (implementation and version),
//! whether its threads run under a GIL (which the predictions of
//! `python-threads` and `python-thread-pool` follow), gevent's version
//! where gevent cells ran, and its start-up on an empty program beside the
//! setup time its cells measured (the runner's own start-up and imports).
//! Pure: the HTML and Markdown reports lay it out like their other tables.

use super::results_table::Table;
use crate::format::format_ms;
use crate::results::CellSummary;

/// The table, when some cell ran in an interpreter that described itself.
pub fn tables(cells: &[CellSummary]) -> Vec<Table> {
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut seen: Vec<(&str, &str)> = Vec::new();
    for f in cells.iter().filter_map(|c| c.interpreter.as_ref()) {
        let key = (f.name.as_str(), f.program.as_str());
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        let setups: Vec<f64> = cells
            .iter()
            .filter(|c| {
                c.interpreter
                    .as_ref()
                    .is_some_and(|g| (g.name.as_str(), g.program.as_str()) == key)
            })
            .filter_map(|c| c.setup_median_ms)
            .collect();
        let setup = match (
            setups.iter().copied().reduce(f64::min),
            setups.iter().copied().reduce(f64::max),
        ) {
            (Some(lo), Some(hi)) if format_ms(lo) == format_ms(hi) => format_ms(lo),
            (Some(lo), Some(hi)) => format!("{}–{}", format_ms(lo), format_ms(hi)),
            _ => "–".to_string(),
        };
        rows.push(vec![
            f.name.clone(),
            format!("{} {}", f.implementation, f.version),
            if f.gil { "yes" } else { "no" }.to_string(),
            f.gevent.clone().unwrap_or_else(|| "–".to_string()),
            f.startup_ms.map_or_else(|| "–".to_string(), format_ms),
            setup,
            f.program.clone(),
        ]);
    }
    if rows.is_empty() {
        return Vec::new();
    }
    let header = [
        "python",
        "interpreter",
        "GIL",
        "gevent",
        "start-up",
        "setup (cells' medians)",
        "program",
    ];
    vec![Table {
        title: "Interpreters".to_string(),
        note: "Each interpreter the python-* cells ran in, as it described itself when the run \
               started. GIL: whether its threads run Python code one at a time (the predictions \
               of python-threads and python-thread-pool use one core where they do, the cores \
               where they do not). start-up: the median wall time of starting it on an empty \
               program, measured when the run started; setup: the median setup time of its \
               cells (the interpreter starting, the runner's imports, before wall time starts)."
            .to_string(),
        header: header.map(str::to_string).to_vec(),
        rows,
    }]
}
