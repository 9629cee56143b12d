//! `summary.tex`: the claims (when the experiment states some) and the
//! results table as LaTeX `booktabs` tables, for papers.
//! Needs `\usepackage{booktabs}`; every text from the experiment is
//! escaped, so names with `_`, `%`, `&` or `#` compile.

use crate::results::SummaryFile;
use crate::results::claims::ClaimResult;

use super::{claim_verdicts, results_table};

/// Escapes text for LaTeX's text mode.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '\\' => out.push_str("\\textbackslash{}"),
            '&' | '%' | '$' | '#' | '_' | '{' | '}' => {
                out.push('\\');
                out.push(ch);
            }
            '~' => out.push_str("\\textasciitilde{}"),
            '^' => out.push_str("\\textasciicircum{}"),
            '×' => out.push_str("$\\times$"),
            '·' => out.push_str("\\textperiodcentered{}"),
            '±' => out.push_str("$\\pm$"),
            'µ' => out.push_str("$\\mu$"),
            '–' => out.push_str("--"),
            '≤' => out.push_str("$\\le$"),
            '≥' => out.push_str("$\\ge$"),
            '≈' => out.push_str("$\\approx$"),
            '…' => out.push_str("\\ldots{}"),
            '\n' | '\r' => out.push(' '),
            _ => out.push(ch),
        }
    }
    out
}

/// The claims as a small table: claim, where, measured, verdict.
fn claims_table(summary: &SummaryFile, claims: &[ClaimResult]) -> String {
    let mut out = String::new();
    out.push_str("\\begin{table}[htbp]\n\\centering\n\\small\n");
    out.push_str("\\begin{tabular}{rp{0.34\\linewidth}lp{0.34\\linewidth}l}\n\\toprule\n");
    out.push_str("\\# & Claim & At & Measured (95\\,\\% interval) & Verdict \\\\\n\\midrule\n");
    for row in claim_verdicts::rows(claims) {
        let claim = if row.claim.is_empty() {
            String::new()
        } else {
            format!("{} ({})", escape(&row.claim), escape(&row.checked))
        };
        let cells = [
            escape(&row.number),
            claim,
            escape(&row.at),
            escape(&row.measured),
            escape(row.outcome.text()),
        ];
        out.push_str(&cells.join(" & "));
        out.push_str(" \\\\\n");
    }
    out.push_str("\\bottomrule\n\\end{tabular}\n");
    out.push_str(&format!(
        "\\caption{{{}: the experiment's claims, each judged on its 95\\,\\% interval ({}).}}\n",
        escape(&summary.experiment),
        escape(&claim_verdicts::tally(claims))
    ));
    out.push_str(&format!(
        "\\label{{tab:conlab-{}-claims}}\n\\end{{table}}\n\n",
        label(&summary.experiment)
    ));
    out
}

fn label(experiment: &str) -> String {
    crate::format::slug(experiment)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect()
}

pub fn render(summary: &SummaryFile, claims: &[ClaimResult]) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "% conlab {}: results table of experiment \"{}\".\n% Needs \\usepackage{{booktabs}}. Times are medians of the measured runs.\n",
        summary.conlab_version,
        summary.experiment.replace(['\n', '\r'], " ")
    ));
    if !claims.is_empty() {
        out.push_str(&claims_table(summary, claims));
    }
    out.push_str("\\begin{table}[htbp]\n\\centering\n\\small\n");
    out.push_str("\\begin{tabular}{lllrrrrr}\n\\toprule\n");
    out.push_str("Workload & Model & Point & Median & Baseline & Speedup & Predicted & Efficiency \\\\\n\\midrule\n");
    let rows = results_table::rows(&summary.cells);
    let mut last = None;
    for row in &rows {
        if last.is_some() && last != Some(&row.workload) {
            out.push_str("\\addlinespace\n");
        }
        let workload = if last == Some(&row.workload) {
            String::new()
        } else {
            escape(&row.workload)
        };
        last = Some(&row.workload);
        let cells = [
            workload,
            escape(&row.variant),
            escape(&row.point),
            escape(&row.median),
            escape(&row.baseline),
            escape(&row.speedup),
            escape(&row.predicted),
            escape(&row.efficiency),
        ];
        out.push_str(&cells.join(" & "));
        out.push_str(" \\\\\n");
    }
    out.push_str("\\bottomrule\n\\end{tabular}\n");
    out.push_str(&format!(
        "\\caption{{{}: median wall time per workload and model; baseline = tasks $\\times$ rounds $\\times$ mean IO wait; speedup over {}; efficiency = predicted / median.}}\n",
        escape(&summary.experiment),
        escape(crate::results::summary::speedup_over(&summary.cells))
    ));
    out.push_str(&format!(
        "\\label{{tab:conlab-{}}}\n\\end{{table}}\n",
        label(&summary.experiment)
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_specials() {
        assert_eq!(
            escape("a_b & 50% #1 {x} ~^\\"),
            "a\\_b \\& 50\\% \\#1 \\{x\\} \\textasciitilde{}\\textasciicircum{}\\textbackslash{}"
        );
        assert_eq!(escape("3.00×"), "3.00$\\times$");
    }
}
