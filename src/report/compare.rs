//! How `conlab compare` shows its result: a terminal table and a Markdown
//! file, both from the per-cell comparisons of `results::compare`. A
//! verdict says so when either side's runs ran on a busy machine.

use comfy_table::{Cell as TableCell, CellAlignment, Table};

use super::markdown::escape;
use super::table::STYLE;
use crate::format::{format_ms, format_ratio};
use crate::noise::{self, Disturbance};
use crate::results::CellComparison;
use crate::results::compare::MIN_EFFECT;

fn median(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_string(), format_ms)
}

fn ratio(c: &CellComparison) -> String {
    c.ratio
        .map_or_else(|| "–".to_string(), |r| format_ratio(r, 3))
}

fn interval(c: &CellComparison) -> String {
    c.ratio_ci95.map_or_else(
        || "–".to_string(),
        |(lo, hi)| format!("{}–{}", format_ratio(lo, 3), format_ratio(hi, 3)),
    )
}

fn df(c: &CellComparison) -> String {
    c.df.map_or_else(|| "–".to_string(), |df| format_ratio(df, 2))
}

/// `A: other processes' CPU 96 %` for a side that ran on a busy machine.
fn busy_side(side: &str, d: &Disturbance) -> String {
    let mut parts = Vec::new();
    if let Some(v) = d.foreign_cpu_ms {
        parts.push(format!("other processes' CPU {:.0} %", d.share(v) * 100.0));
    }
    if let Some(v) = d.steal_ms {
        parts.push(format!("steal {:.0} %", d.share(v) * 100.0));
    }
    format!("{side}: {}", parts.join(", "))
}

/// The verdict, and whether either side's runs ran on a busy machine:
/// `faster; busy machine (B: other processes' CPU 96 % of wall time)`.
/// Wall times of 0 ms say which side measured them.
pub fn verdict(c: &CellComparison) -> String {
    if c.verdict == crate::results::Verdict::ZeroWallTimes {
        let zero = |m: Option<f64>| m.is_some_and(|m| m <= 0.0);
        let side = match (zero(c.median_a_ms), zero(c.median_b_ms)) {
            (true, true) => "A's and B's runs",
            (true, false) => "A's runs",
            (false, true) => "B's runs",
            (false, false) => "runs on one side",
        };
        return format!(
            "cannot compare: {side} measured wall times of 0 ms (edited, or a clock that did not move)"
        );
    }
    let sides: Vec<String> = [("A", &c.busy_a), ("B", &c.busy_b)]
        .iter()
        .filter_map(|(side, d)| d.as_ref().map(|d| busy_side(side, d)))
        .collect();
    if sides.is_empty() {
        c.verdict.text().to_string()
    } else {
        format!(
            "{}; busy machine ({} of wall time)",
            c.verdict.text(),
            sides.join("; ")
        )
    }
}

/// The rule, in words, for the table's readers.
pub fn rule() -> String {
    format!(
        "ratio = median wall time of B / of A (below 1: B is faster). B is faster or slower only if the 95 % interval of the ratio (Welch's t-test on log wall times, with the fractional Welch–Satterthwaite degrees of freedom) excludes 1 and the medians differ by at least {:.0} %; otherwise there is no significant difference. Fewer than 2 runs on a side: not enough runs; fewer than 2 runs above 0 ms on a side: cannot compare. \"busy machine\": that side's runs shared the machine with other work (other processes' CPU or the hypervisor's steal above {:.0} % of wall time and {:.0} ms, medians over the runs), which can make it slower or noisier.",
        MIN_EFFECT * 100.0,
        noise::SHARE * 100.0,
        noise::FLOOR_MS
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
            TableCell::new(verdict(c)),
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
    let busy = rows
        .iter()
        .filter(|r| r.busy_a.is_some() || r.busy_b.is_some())
        .count();
    if busy > 0 {
        out.push_str(&format!(
            "{busy} cell(s) ran on a busy machine on at least one side (see their verdicts): their differences may be the other work's, not the change's.\n\n"
        ));
    }
    if let Some(path) = chart {
        out.push_str(&format!("![B / A median wall time per cell]({path})\n\n"));
    }
    out.push_str(
        "| cell | A median | B median | runs A/B | B / A | 95 % interval | df | verdict |\n",
    );
    out.push_str("|---|---:|---:|---:|---:|---:|---:|---|\n");
    for c in rows {
        out.push_str(&format!(
            "| {} | {} | {} | {}/{} | {} | {} | {} | {} |\n",
            escape(&c.label),
            median(c.median_a_ms),
            median(c.median_b_ms),
            c.n_a,
            c.n_b,
            ratio(c),
            interval(c),
            df(c),
            escape(&verdict(c))
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::Verdict;

    fn row(busy_a: Option<Disturbance>, busy_b: Option<Disturbance>) -> CellComparison {
        CellComparison {
            label: "w · threads".to_string(),
            workload: "w".to_string(),
            model: "threads".to_string(),
            n_a: 5,
            n_b: 5,
            median_a_ms: Some(100.0),
            median_b_ms: Some(80.0),
            ratio: Some(0.8),
            ratio_ci95: Some((0.75, 0.85)),
            df: Some(7.9),
            verdict: Verdict::Faster,
            busy_a,
            busy_b,
        }
    }

    #[test]
    fn a_verdict_says_which_side_ran_on_a_busy_machine() {
        assert_eq!(verdict(&row(None, None)), "faster");
        let b = Disturbance {
            wall_ms: 80.0,
            foreign_cpu_ms: Some(76.8),
            steal_ms: None,
        };
        assert_eq!(
            verdict(&row(None, Some(b))),
            "faster; busy machine (B: other processes' CPU 96 % of wall time)"
        );
        let a = Disturbance {
            wall_ms: 100.0,
            foreign_cpu_ms: Some(30.0),
            steal_ms: Some(25.0),
        };
        assert_eq!(
            verdict(&row(Some(a), Some(b))),
            "faster; busy machine (A: other processes' CPU 30 %, steal 25 %; B: other processes' CPU 96 % of wall time)"
        );
    }

    #[test]
    fn the_markdown_shows_the_degrees_of_freedom_and_counts_busy_cells() {
        let b = Disturbance {
            wall_ms: 80.0,
            foreign_cpu_ms: Some(76.8),
            steal_ms: None,
        };
        let md = render_markdown("a", "b", &[row(None, Some(b)), row(None, None)], None);
        assert!(md.contains("| 95 % interval | df | verdict |"), "{md}");
        assert!(md.contains("| 0.750–0.850 | 7.90 | faster |"), "{md}");
        assert!(
            md.contains("1 cell(s) ran on a busy machine on at least one side"),
            "{md}"
        );
    }
}
