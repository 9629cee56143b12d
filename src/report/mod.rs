//! Reports made from results only: the summary table printed at the end of
//! a run ([`table`]), the claims and warnings every report shares
//! ([`claims`]), and the files: `report.html` ([`html`]), `report.md`
//! ([`markdown`]), `summary.tex` ([`latex`]), what `conlab compare`
//! prints and writes ([`compare`]), and the warning about cells that ran
//! on a busy machine ([`noise`]). Each is a pure function to bytes.

pub mod claims;
pub mod compare;
pub mod html;
pub mod latex;
pub mod markdown;
pub mod noise;
pub mod table;

use crate::plot::Rendered;
use crate::results::Results;

/// What the report files are made from.
pub struct ReportInput<'a> {
    pub results: &'a Results,
    /// The charts, in report order.
    pub charts: &'a [Rendered],
    /// Charts that could not be drawn: file stem and why.
    pub chart_failures: &'a [(String, String)],
}

/// How to read the claims table, said once in every report.
pub const CLAIMS_NOTE: &str = "median: median wall time of the measured runs. baseline: the sequential IO-wait baseline, tasks × rounds × mean IO wait. speedup: sequential's median / this median at the same workload point. predicted: the model's ideal wall time (conlab models). efficiency: predicted / median, 100 % is ideal.";

/// A line on where and when the results were measured.
pub fn meta_line(r: &Results) -> String {
    let env = r.environment.as_ref();
    let field = |k: &str| {
        env.and_then(|e| e.get(k))
            .map(|v| match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .unwrap_or_default()
    };
    let mut parts = vec![format!("conlab {}", r.summary.conlab_version)];
    for (key, prefix) in [
        ("date", ""),
        ("cpu_model", ""),
        ("usable_cores", "usable cores: "),
        ("os", ""),
    ] {
        let v = field(key);
        if !v.is_empty() {
            parts.push(format!("{prefix}{v}"));
        }
    }
    parts.join(" · ")
}

/// `report.html`, `report.md` and `summary.tex`, by file name.
pub fn render(input: &ReportInput) -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("report.html", html::render(input).into_bytes()),
        ("report.md", markdown::render(input).into_bytes()),
        (
            "summary.tex",
            latex::render(&input.results.summary).into_bytes(),
        ),
    ]
}
