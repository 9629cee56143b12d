//! `summary.tex`: the claims table as a LaTeX `booktabs` table, for papers.
//! Needs `\usepackage{booktabs}`; every text from the experiment is
//! escaped, so names with `_`, `%`, `&` or `#` compile.

use crate::results::SummaryFile;

use super::claims;

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
            '\n' | '\r' => out.push(' '),
            _ => out.push(ch),
        }
    }
    out
}

pub fn render(summary: &SummaryFile) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "% conlab {}: claims table of experiment \"{}\".\n% Needs \\usepackage{{booktabs}}. Times are medians of the measured runs.\n",
        summary.conlab_version,
        summary.experiment.replace(['\n', '\r'], " ")
    ));
    out.push_str("\\begin{table}[htbp]\n\\centering\n\\small\n");
    out.push_str("\\begin{tabular}{lllrrrrr}\n\\toprule\n");
    out.push_str("Workload & Model & Point & Median & Baseline & Speedup & Predicted & Efficiency \\\\\n\\midrule\n");
    let rows = claims::rows(&summary.cells);
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
        "\\caption{{{}: median wall time per workload and model; baseline = tasks $\\times$ rounds $\\times$ mean IO wait; speedup over sequential; efficiency = predicted / median.}}\n",
        escape(&summary.experiment)
    ));
    out.push_str(&format!(
        "\\label{{tab:conlab-{}}}\n\\end{{table}}\n",
        crate::format::slug(&summary.experiment)
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect::<String>()
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
