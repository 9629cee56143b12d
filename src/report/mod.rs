//! Reports made from results only: the summary table printed at the end of
//! a run ([`table`]), the `[[claim]]` verdicts and crossovers every report
//! starts with ([`claim_verdicts`]), the results table and warnings every
//! report shares ([`results_table`]), and the files: `report.html` ([`html`]), `report.md`
//! ([`markdown`]), `summary.tex` ([`latex`]), what `conlab compare`
//! prints and writes ([`compare`]), the warning about cells that ran
//! on a busy machine ([`noise`]), the shared counters' table
//! ([`shared`]) and the interpreters' ([`interpreters`]). Each is a pure
//! function to bytes.

pub mod claim_verdicts;
pub mod compare;
pub mod html;
pub mod interpreters;
pub mod latency;
pub mod latex;
pub mod markdown;
pub mod noise;
pub mod results_table;
pub mod shared;
pub mod table;

use crate::plot::Rendered;
use crate::results::Results;
use crate::results::claims::ClaimResult;
use crate::results::crossovers::Crossover;

/// What the report files are made from.
pub struct ReportInput<'a> {
    pub results: &'a Results,
    /// The charts, in report order.
    pub charts: &'a [Rendered],
    /// Charts that could not be drawn: file stem and why.
    pub chart_failures: &'a [(String, String)],
    /// The experiment's claims, judged, and the crossovers found.
    pub claims: &'a [ClaimResult],
    pub crossovers: &'a [Crossover],
}

/// How to read the results table, said once in every report.
pub fn results_note(cells: &[crate::results::summary::CellSummary]) -> String {
    let over = crate::results::summary::speedup_over(cells);
    format!(
        "median: median wall time of the measured runs. baseline: the sequential IO-wait baseline, tasks × rounds × mean IO wait. speedup: {over}'s median / this median at the same workload point (speedups are over sequential when it runs, else over python-sequential). predicted: the model's ideal wall time (conlab models). efficiency: predicted / median, 100 % is ideal."
    )
}

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
    // Results merged from several machines: each machine in a few words.
    if let Some(machines) = env
        .and_then(|e| e.get("machines"))
        .and_then(|m| m.as_object())
    {
        let each: Vec<String> = machines
            .iter()
            .map(|(name, e)| {
                let facts: Vec<String> = [("cpu_model", ""), ("usable_cores", " usable cores")]
                    .into_iter()
                    .filter_map(|(k, suffix)| match e.get(k)? {
                        serde_json::Value::String(s) => Some(format!("{s}{suffix}")),
                        serde_json::Value::Number(n) => Some(format!("{n}{suffix}")),
                        _ => None,
                    })
                    .collect();
                format!("{name} ({})", facts.join(", "))
            })
            .collect();
        parts.push(format!("machines: {}", each.join("; ")));
    }
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
            latex::render(&input.results.summary, input.claims).into_bytes(),
        ),
    ]
}
