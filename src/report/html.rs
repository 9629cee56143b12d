//! `report.html`: one self-contained page (inline CSS, charts as inline
//! SVG, no script and no external URL) with the description, the
//! experiment's claims and their verdicts, the crossovers, the results
//! table, the warnings, every chart, the experiment file as run and the
//! environment. Pure: results in, bytes out.

use super::ReportInput;
use super::claim_verdicts;
use super::results_table::{self, COLUMNS};
use crate::plot::Rendered;

const CSS: &str = "
:root { color-scheme: light; }
body { margin: 0; background: #fafafa; color: #222; font: 16px/1.5 system-ui, -apple-system, 'Segoe UI', 'DejaVu Sans', sans-serif; }
main { max-width: 1240px; margin: 0 auto; padding: 24px 28px 64px; background: #fff; }
h1 { font-size: 1.9em; margin: 0.2em 0 0.1em; }
h2 { font-size: 1.45em; margin-top: 2em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
h3 { font-size: 1.15em; margin-top: 1.6em; }
.meta, figcaption, .note { color: #666; font-size: 0.92em; }
nav a { margin-right: 1.2em; }
a { color: #0060a0; }
table { border-collapse: collapse; margin: 0.6em 0 1.2em; font-size: 0.92em; }
th, td { padding: 4px 10px; border-bottom: 1px solid #e6e6e6; text-align: left; vertical-align: top; }
th { border-bottom: 2px solid #bbb; background: #f4f4f4; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.bad td { color: #a03000; }
td.verdict { font-weight: 600; white-space: nowrap; }
td.holds { color: #1a6e30; }
td.fails { color: #b00020; }
td.inconclusive { color: #7a5c00; }
p.tally { font-weight: 600; }
.table-wrap { overflow-x: auto; }
ul.warnings li { margin: 0.3em 0; }
ul.warnings .level { font-weight: 600; }
figure { margin: 1.4em 0 2em; }
figure svg { display: block; width: 100%; height: auto; max-width: 1200px; border: 1px solid #eee; }
pre { background: #f5f5f5; padding: 12px 14px; overflow-x: auto; font-size: 0.88em; line-height: 1.4; }
details summary { cursor: pointer; font-weight: 600; margin: 1em 0; }
";

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

/// An SVG document as an element of the page: its opening tag replaced by
/// one with only a viewBox (so it scales), a role and a label; the XML
/// namespace, which HTML does not need, goes with it.
pub fn inline_svg(svg: &str, label: &str) -> String {
    let Some(start) = svg.find("<svg") else {
        return String::new();
    };
    let Some(len) = svg[start..].find('>') else {
        return String::new();
    };
    let tag = &svg[start..start + len];
    let view_box = tag
        .split("viewBox=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or("0 0 1200 800");
    format!(
        "<svg viewBox=\"{}\" role=\"img\" aria-label=\"{}\">{}",
        escape(view_box),
        escape(label),
        &svg[start + len + 1..]
    )
}

fn figure(out: &mut String, chart: &Rendered) {
    let job = &chart.job;
    out.push_str(&format!("<figure id=\"chart-{}\">\n", escape(&job.stem)));
    out.push_str(&inline_svg(&chart.svg, &job.caption));
    out.push_str(&format!(
        "\n<figcaption>{} · <a href=\"charts/{stem}.png\">PNG</a> · <a href=\"charts/{stem}.svg\">SVG</a></figcaption>\n</figure>\n",
        escape(&job.caption),
        stem = escape(&job.stem)
    ));
}

/// Flattens JSON into `key.sub = value` rows.
pub fn flatten(prefix: &str, value: &serde_json::Value, out: &mut Vec<(String, String)>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        serde_json::Value::String(s) => out.push((prefix.to_string(), s.clone())),
        serde_json::Value::Null => out.push((prefix.to_string(), "–".to_string())),
        other => out.push((prefix.to_string(), other.to_string())),
    }
}

/// A table of figures: its title, its note, numbers right-aligned.
fn table_html(out: &mut String, table: &results_table::Table) {
    out.push_str(&format!(
        "<h3>{}</h3>\n<p class=\"note\">{}</p>\n<div class=\"table-wrap\"><table>\n<thead><tr>",
        escape(&table.title),
        escape(&table.note)
    ));
    for h in &table.header {
        out.push_str(&format!("<th>{}</th>", escape(h)));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &table.rows {
        out.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            let class = if i > 0 { " class=\"num\"" } else { "" };
            out.push_str(&format!("<td{class}>{}</td>", escape(cell)));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table></div>\n");
}

/// The claims and their verdicts, then the crossovers.
fn claims_html(out: &mut String, input: &ReportInput) {
    out.push_str("<section id=\"claims\">\n<h2>Claims</h2>\n");
    if input.claims.is_empty() {
        out.push_str("<p>The experiment file states no claims ([[claim]] entries; <code>conlab check DIR</code> judges them).</p>\n");
    } else {
        out.push_str(&format!(
            "<p class=\"tally\">{}</p>\n<p class=\"note\">{}</p>\n<div class=\"table-wrap\"><table>\n<thead><tr>",
            escape(&claim_verdicts::tally(input.claims)),
            escape(claim_verdicts::CLAIMS_NOTE)
        ));
        for col in claim_verdicts::COLUMNS {
            out.push_str(&format!("<th>{}</th>", escape(col)));
        }
        out.push_str("</tr></thead>\n<tbody>\n");
        for row in claim_verdicts::rows(input.claims) {
            out.push_str("<tr>");
            let cells = row.cells();
            for cell in &cells[..5] {
                out.push_str(&format!("<td>{}</td>", escape(cell)));
            }
            let verdict = row.outcome.text();
            out.push_str(&format!(
                "<td class=\"verdict {verdict}\">{verdict}</td></tr>\n"
            ));
        }
        out.push_str("</tbody>\n</table></div>\n");
    }
    out.push_str("</section>\n<section id=\"crossovers\">\n<h2>Crossovers</h2>\n");
    if input.crossovers.is_empty() {
        out.push_str(
            "<p>None: along no swept axis does one model's median curve cross another's.</p>\n",
        );
    } else {
        out.push_str(&format!(
            "<p class=\"note\">{}</p>\n",
            escape(claim_verdicts::CROSSOVERS_NOTE)
        ));
        for (workload, list) in claim_verdicts::by_workload(input.crossovers) {
            out.push_str(&format!("<h3>{}</h3>\n", escape(workload)));
            let (certain, noise): (Vec<_>, Vec<_>) = list.into_iter().partition(|c| c.certain);
            if certain.is_empty() {
                out.push_str("<p>None outside the noise.</p>\n");
            } else {
                out.push_str("<ul>\n");
                for c in certain {
                    out.push_str(&format!("<li>{}</li>\n", escape(&c.text)));
                }
                out.push_str("</ul>\n");
            }
            if !noise.is_empty() {
                out.push_str(&format!(
                    "<details>\n<summary>{} crossing{} within the noise (the 95 % intervals do not bound {}): click to show</summary>\n<ul>\n",
                    noise.len(),
                    if noise.len() == 1 { "" } else { "s" },
                    if noise.len() == 1 { "it" } else { "them" }
                ));
                for c in noise {
                    out.push_str(&format!("<li>{}</li>\n", escape(&c.text)));
                }
                out.push_str("</ul>\n</details>\n");
            }
        }
    }
    out.push_str("</section>\n");
}

pub fn render(input: &ReportInput) -> String {
    let r = input.results;
    let s = &r.summary;
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str(&format!(
        "<title>conlab · {}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n",
        escape(&s.experiment)
    ));
    out.push_str(&format!("<h1>{}</h1>\n", escape(&s.experiment)));
    if !s.description.is_empty() {
        out.push_str(&format!(
            "<p class=\"description\">{}</p>\n",
            escape(s.description.trim())
        ));
    }
    out.push_str(&format!(
        "<p class=\"meta\">{}</p>\n",
        escape(&super::meta_line(r))
    ));
    out.push_str(
        "<nav><a href=\"#claims\">Claims</a><a href=\"#crossovers\">Crossovers</a><a href=\"#results\">Results</a><a href=\"#warnings\">Warnings</a><a href=\"#charts\">Charts</a><a href=\"#experiment\">Experiment file</a><a href=\"#environment\">Environment</a></nav>\n",
    );

    claims_html(&mut out, input);
    out.push_str("<section id=\"results\">\n<h2>Results</h2>\n");
    out.push_str(&format!(
        "<p class=\"note\">{}</p>\n",
        escape(&super::results_note(&s.cells))
    ));
    let rows = results_table::rows(&s.cells);
    for w in results_table::workloads(&s.cells) {
        out.push_str(&format!(
            "<h3>{}</h3>\n<div class=\"table-wrap\"><table>\n<thead><tr>",
            escape(&w)
        ));
        for col in &COLUMNS[1..] {
            out.push_str(&format!("<th>{}</th>", escape(col)));
        }
        out.push_str("</tr></thead>\n<tbody>\n");
        for row in rows.iter().filter(|row| row.workload == w) {
            let bad = row.status != "ok";
            out.push_str(if bad { "<tr class=\"bad\">" } else { "<tr>" });
            for (i, cell) in row.cells().iter().enumerate().skip(1) {
                let class = if (3..=8).contains(&i) {
                    " class=\"num\""
                } else {
                    ""
                };
                out.push_str(&format!("<td{class}>{}</td>", escape(cell)));
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody>\n</table></div>\n");
    }
    for table in results_table::measurements(&s.cells)
        .into_iter()
        .chain(results_table::group_tables(&s.cells))
        .chain(super::shared::tables(&s.cells))
        .chain(super::latency::tables(&s.cells))
        .chain(super::interpreters::tables(&s.cells))
    {
        table_html(&mut out, &table);
    }
    out.push_str("</section>\n");

    out.push_str("<section id=\"warnings\">\n<h2>Warnings</h2>\n");
    let warnings = results_table::warnings(&s.cells, &r.runs);
    if warnings.is_empty() && input.chart_failures.is_empty() {
        out.push_str("<p>None: every cell ran, no cell varied by more than 10 %, and no cell ran on a busy machine.</p>\n");
    } else {
        out.push_str(&format!(
            "<p class=\"note\">{}</p>\n",
            escape(results_table::WARNINGS_NOTE)
        ));
        if warnings.iter().any(|w| w.busy_machine) {
            out.push_str(&format!(
                "<p class=\"note\">{}</p>\n",
                escape(&results_table::noise_note())
            ));
        }
        out.push_str("<ul class=\"warnings\">\n");
        for w in &warnings {
            let level = w.level.text();
            out.push_str(&format!(
                "<li><span class=\"level\">{}</span> · {} — {}</li>\n",
                level,
                escape(&w.label),
                escape(&w.text)
            ));
        }
        for (stem, message) in input.chart_failures {
            out.push_str(&format!(
                "<li><span class=\"level\">chart missing</span> · {} — {}</li>\n",
                escape(stem),
                escape(message)
            ));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");

    out.push_str("<section id=\"charts\">\n<h2>Charts</h2>\n");
    let mut sections: Vec<&str> = Vec::new();
    for c in input.charts {
        if !sections.contains(&c.job.section.as_str()) {
            sections.push(&c.job.section);
        }
    }
    for section in sections {
        let charts: Vec<&Rendered> = input
            .charts
            .iter()
            .filter(|c| c.job.section == section)
            .collect();
        match section {
            "timelines" => {
                out.push_str(&format!(
                    "<h3>Timelines</h3>\n<details>\n<summary>{} timeline chart{} (one measured run per cell of at most 64 tasks): click to show</summary>\n",
                    charts.len(),
                    if charts.len() == 1 { "" } else { "s" }
                ));
                for c in charts {
                    figure(&mut out, c);
                }
                out.push_str("</details>\n");
            }
            "overview" => {
                out.push_str("<h3>Overview</h3>\n");
                for c in charts {
                    figure(&mut out, c);
                }
            }
            name => {
                out.push_str(&format!("<h3>{}</h3>\n", escape(name)));
                for c in charts {
                    figure(&mut out, c);
                }
            }
        }
    }
    out.push_str("</section>\n");

    out.push_str("<section id=\"experiment\">\n<h2>Experiment file</h2>\n");
    match &r.experiment_text {
        Some(text) => out.push_str(&format!("<pre><code>{}</code></pre>\n", escape(text))),
        None => out.push_str("<p>experiment.toml is missing from the results.</p>\n"),
    }
    out.push_str("</section>\n");

    out.push_str("<section id=\"environment\">\n<h2>Environment</h2>\n");
    match &r.environment {
        Some(env) => {
            let mut rows = Vec::new();
            flatten("", env, &mut rows);
            out.push_str("<div class=\"table-wrap\"><table>\n<tbody>\n");
            for (k, v) in rows {
                out.push_str(&format!(
                    "<tr><th>{}</th><td>{}</td></tr>\n",
                    escape(&k),
                    escape(&v)
                ));
            }
            out.push_str("</tbody>\n</table></div>\n");
        }
        None => out.push_str("<p>environment.json is missing from the results.</p>\n"),
    }
    out.push_str("</section>\n");
    out.push_str(&format!(
        "<footer class=\"note\"><p>Made by conlab {} from the results in this directory; <code>conlab plot DIR</code> makes it again.</p></footer>\n",
        escape(&s.conlab_version)
    ));
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn inlined_svg_has_no_namespace_url() {
        let svg = "<svg width=\"10\" height=\"5\" viewBox=\"0 0 10 5\" xmlns=\"http://www.w3.org/2000/svg\">\n<rect/>\n</svg>\n";
        let inline = inline_svg(svg, "a <chart>");
        assert!(
            inline.starts_with(
                "<svg viewBox=\"0 0 10 5\" role=\"img\" aria-label=\"a &lt;chart&gt;\">"
            )
        );
        assert!(!inline.contains("http"));
        assert!(inline.contains("<rect/>"));
    }
}
