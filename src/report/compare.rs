//! How `conlab compare` shows its result: a terminal table and a Markdown
//! file, both from the per-cell comparisons of `results::compare`.

use comfy_table::{Cell as TableCell, CellAlignment, Table};

use super::markdown::escape;
use super::table::STYLE;
use crate::format::format_ms;
use crate::results::CellComparison;
use crate::results::compare::MIN_EFFECT;

fn median(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_string(), format_ms)
}

fn ratio(c: &CellComparison) -> String {
    c.ratio
        .map_or_else(|| "–".to_string(), |r| format!("{r:.3}"))
}

fn interval(c: &CellComparison) -> String {
    c.ratio_ci95
        .map_or_else(|| "–".to_string(), |(lo, hi)| format!("{lo:.3}–{hi:.3}"))
}

/// The rule, in words, for the table's readers.
pub fn rule() -> String {
    format!(
        "ratio = median wall time of B / of A (below 1: B is faster). B is faster or slower only if the 95 % interval of the ratio (Welch's t-test on log wall times) excludes 1 and the medians differ by at least {:.0} %; otherwise there is no significant difference. Fewer than 2 runs on a side: not enough runs.",
        MIN_EFFECT * 100.0
    )
}

pub fn render_table(rows: &[CellComparison]) -> String {
    let mut table = Table::new();
    table.load_preset(STYLE);
    table.set_header(["cell", "A", "B", "B / A", "95 % interval", "verdict"]);
    for c in rows {
        let right = |text: String| TableCell::new(text).set_alignment(CellAlignment::Right);
        table.add_row(vec![
            TableCell::new(&c.label),
            right(median(c.median_a_ms)),
            right(median(c.median_b_ms)),
            right(ratio(c)),
            right(interval(c)),
            TableCell::new(c.verdict.text()),
        ]);
    }
    table.to_string()
}

pub fn render_markdown(a: &str, b: &str, rows: &[CellComparison], chart: Option<&str>) -> String {
    let mut out = String::new();
    out.push_str(&format!("# Comparison: {} vs {}\n\n", escape(a), escape(b)));
    out.push_str(&format!(
        "- A: `{a}`\n- B: `{b}`\n\n{}\n\n",
        escape(&rule())
    ));
    let count = |v| rows.iter().filter(|r| r.verdict == v).count();
    use crate::results::Verdict::*;
    out.push_str(&format!(
        "B is faster in {} cell(s), slower in {}, not significantly different in {}; {} cell(s) have too few runs to tell.\n\n",
        count(Faster),
        count(Slower),
        count(NoSignificantDifference),
        count(NotEnoughRuns)
    ));
    if let Some(path) = chart {
        out.push_str(&format!("![B / A median wall time per cell]({path})\n\n"));
    }
    out.push_str("| cell | A median | B median | runs A/B | B / A | 95 % interval | verdict |\n");
    out.push_str("|---|---:|---:|---:|---:|---:|---|\n");
    for c in rows {
        out.push_str(&format!(
            "| {} | {} | {} | {}/{} | {} | {} | {} |\n",
            escape(&c.label),
            median(c.median_a_ms),
            median(c.median_b_ms),
            c.n_a,
            c.n_b,
            ratio(c),
            interval(c),
            c.verdict.text()
        ));
    }
    out
}
