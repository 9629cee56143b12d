//! `report.md`: the same claims, crossovers and tables as the HTML report,
//! the warnings, and the charts as links to their PNG files (which a
//! Markdown viewer shows).

use super::ReportInput;
use super::claim_verdicts;
use super::results_table::{self, COLUMNS};

/// Escapes text for a Markdown table cell or paragraph.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '|' | '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' => {
                out.push('\\');
                out.push(ch);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(ch),
        }
    }
    out
}

/// A link target: spaces and parentheses would end it early.
fn target(path: &str) -> String {
    path.replace(' ', "%20")
        .replace('(', "%28")
        .replace(')', "%29")
}

/// A table of figures: its title, its note, numbers right-aligned.
fn table_md(out: &mut String, table: &results_table::Table) {
    let line = |cells: &[String]| {
        let cells: Vec<String> = cells.iter().map(|c| escape(c)).collect();
        format!("| {} |\n", cells.join(" | "))
    };
    out.push_str(&format!(
        "### {}\n\n{}\n\n",
        escape(&table.title),
        table.note
    ));
    out.push_str(&line(&table.header));
    out.push_str("|---|");
    out.push_str(&"---:|".repeat(table.header.len().saturating_sub(1)));
    out.push('\n');
    for row in &table.rows {
        out.push_str(&line(row));
    }
    out.push('\n');
}

/// The claims and their verdicts, then the crossovers.
fn claims_md(out: &mut String, input: &ReportInput) {
    out.push_str("## Claims\n\n");
    if input.claims.is_empty() {
        out.push_str(
            "The experiment file states no claims (\\[\\[claim\\]\\] entries; `conlab check DIR` judges them).\n\n",
        );
    } else {
        out.push_str(&format!(
            "**{}**\n\n{}\n\n",
            escape(&claim_verdicts::tally(input.claims)),
            escape(claim_verdicts::CLAIMS_NOTE)
        ));
        out.push_str(&format!("| {} |\n", claim_verdicts::COLUMNS.join(" | ")));
        out.push_str("|---:|---|---|---|---|---|\n");
        for row in claim_verdicts::rows(input.claims) {
            let cells = row.cells();
            let mut shown: Vec<String> = cells[..5].iter().map(|c| escape(c)).collect();
            shown.push(format!("**{}**", row.outcome.text()));
            out.push_str(&format!("| {} |\n", shown.join(" | ")));
        }
        out.push('\n');
    }
    out.push_str("## Crossovers\n\n");
    if input.crossovers.is_empty() {
        out.push_str(
            "None: along no swept axis does one model's median curve cross another's.\n\n",
        );
    } else {
        out.push_str(&format!("{}\n\n", escape(claim_verdicts::CROSSOVERS_NOTE)));
        for (workload, list) in claim_verdicts::by_workload(input.crossovers) {
            out.push_str(&format!("### {}\n\n", escape(workload)));
            let (certain, noise): (Vec<_>, Vec<_>) = list.into_iter().partition(|c| c.certain);
            if certain.is_empty() {
                out.push_str("None outside the noise.\n");
            }
            for c in certain {
                out.push_str(&format!("- {}\n", escape(&c.text)));
            }
            if !noise.is_empty() {
                out.push_str(&format!(
                    "- {} crossing{} within the noise (the 95 % intervals do not bound {}):\n",
                    noise.len(),
                    if noise.len() == 1 { "" } else { "s" },
                    if noise.len() == 1 { "it" } else { "them" }
                ));
                for c in noise {
                    out.push_str(&format!("  - {}\n", escape(&c.text)));
                }
            }
            out.push('\n');
        }
    }
}

pub fn render(input: &ReportInput) -> String {
    let r = input.results;
    let s = &r.summary;
    let mut out = String::new();
    out.push_str(&format!("# {}\n\n", escape(&s.experiment)));
    if !s.description.is_empty() {
        out.push_str(&format!("{}\n\n", escape(s.description.trim())));
    }
    out.push_str(&format!("_{}_\n\n", escape(&super::meta_line(r))));
    claims_md(&mut out, input);
    out.push_str("## Results\n\n");
    out.push_str(&format!("{}\n\n", escape(&super::results_note(&s.cells))));
    let rows = results_table::rows(&s.cells);
    for w in results_table::workloads(&s.cells) {
        out.push_str(&format!("### {}\n\n", escape(&w)));
        out.push_str(&format!("| {} |\n", COLUMNS[1..].join(" | ")));
        out.push_str("|---|---|");
        out.push_str(&"---:|".repeat(6));
        out.push_str("---|\n");
        for row in rows.iter().filter(|row| row.workload == w) {
            let cells: Vec<String> = row.cells()[1..].iter().map(|c| escape(c)).collect();
            out.push_str(&format!("| {} |\n", cells.join(" | ")));
        }
        out.push('\n');
    }
    for table in results_table::measurements(&s.cells)
        .into_iter()
        .chain(results_table::group_tables(&s.cells))
        .chain(super::shared::tables(&s.cells))
        .chain(super::latency::tables(&s.cells))
        .chain(super::interpreters::tables(&s.cells))
    {
        table_md(&mut out, &table);
    }
    out.push_str("## Warnings\n\n");
    let warnings = results_table::warnings(&s.cells, &r.runs);
    if warnings.is_empty() && input.chart_failures.is_empty() {
        out.push_str(
            "None: every cell ran, no cell varied by more than 10 %, and no cell ran on a busy machine.\n\n",
        );
    } else {
        out.push_str(&format!("{}\n\n", escape(results_table::WARNINGS_NOTE)));
        if warnings.iter().any(|w| w.busy_machine) {
            out.push_str(&format!("{}\n\n", escape(&results_table::noise_note())));
        }
        for w in &warnings {
            let level = w.level.text();
            out.push_str(&format!(
                "- **{level}** · {} — {}\n",
                escape(&w.label),
                escape(&w.text)
            ));
        }
        for (stem, message) in input.chart_failures {
            out.push_str(&format!(
                "- **chart missing** · {} — {}\n",
                escape(stem),
                escape(message)
            ));
        }
        out.push('\n');
    }
    out.push_str("## Charts\n\n");
    let mut last_section = "";
    let mut timelines = Vec::new();
    for c in input.charts {
        let job = &c.job;
        if job.section == "timelines" {
            timelines.push(job);
            continue;
        }
        if job.section != last_section {
            let heading = if job.section == "overview" {
                "Overview"
            } else {
                &job.section
            };
            out.push_str(&format!("### {}\n\n", escape(heading)));
            last_section = &job.section;
        }
        out.push_str(&format!(
            "![{}]({})\n\n",
            escape(&job.caption),
            target(&format!("charts/{}.png", job.stem))
        ));
    }
    if !timelines.is_empty() {
        out.push_str("### Timelines\n\nOne measured run per cell of at most 64 tasks:\n\n");
        for job in timelines {
            out.push_str(&format!(
                "- [{}]({})\n",
                escape(&job.caption),
                target(&format!("charts/{}.png", job.stem))
            ));
        }
        out.push('\n');
    }
    out.push_str("## Experiment file\n\n");
    match &r.experiment_text {
        Some(text) => {
            let fence = if text.contains("```") { "~~~~" } else { "```" };
            out.push_str(&format!("{fence}toml\n{}\n{fence}\n\n", text.trim_end()));
        }
        None => out.push_str("experiment.toml is missing from the results.\n\n"),
    }
    out.push_str("## Environment\n\n");
    match &r.environment {
        Some(env) => {
            let mut rows = Vec::new();
            super::html::flatten("", env, &mut rows);
            out.push_str("| field | value |\n|---|---|\n");
            for (k, v) in rows {
                out.push_str(&format!("| {} | {} |\n", escape(&k), escape(&v)));
            }
            out.push('\n');
        }
        None => out.push_str("environment.json is missing from the results.\n\n"),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_cells_cannot_break_the_table() {
        assert_eq!(escape("a|b_c\nd"), "a\\|b\\_c d");
    }
}
