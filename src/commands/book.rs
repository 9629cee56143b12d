//! The manual (`docs/`, an mdBook), the README and CONTRIBUTING.md, held
//! to the code. The tables code can say are generated here, in one place
//! (every key, the models and their predictions, their queueing formulas,
//! the chart `y` and claim `metric` vocabularies, the layer table), and a
//! test compares each with the text between its markers:
//!
//! ```text
//! <!-- generated: NAME (from …) -->
//! …
//! <!-- end: NAME -->
//! ```
//!
//! `BLESS=1 cargo test --lib book` writes them again. Other tests check
//! that every chapter of `SUMMARY.md` exists and is listed, and that every
//! relative link and image points at a file (and heading) that exists, so
//! the book needs no `mdbook` to be checked. It lives with the commands,
//! the top layer, because `conlab models` and the charts speak of the same
//! things from several layers.

use std::path::{Path, PathBuf};

use crate::config::{ChartY, Metric, ModelKind, Runtime, key_table};
use crate::plot::metric::Metric as ChartMetric;
use crate::queueing;

/// A generated table: the file it is in (relative to the repository), its
/// name in the markers, and the code that writes it.
type Generated = (&'static str, &'static str, fn() -> String);

const TABLES: &[Generated] = &[
    ("docs/src/file-format.md", "keys", key_table),
    ("docs/src/models.md", "models", models),
    ("docs/src/install.md", "model-needs", model_needs),
    ("docs/src/arrivals.md", "queueing", queueing_table),
    ("docs/src/charts.md", "chart-y", chart_y),
    ("docs/src/claims.md", "claim-metrics", claim_metrics),
    ("CONTRIBUTING.md", "layers", layers),
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `| a | b |` with `|` inside a cell escaped.
fn row(cells: &[String]) -> String {
    let cells: Vec<String> = cells.iter().map(|c| c.replace('|', "\\|")).collect();
    format!("| {} |\n", cells.join(" | "))
}

fn table(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let mut out = format!(
        "| {} |\n|{}\n",
        header.join(" | "),
        "---|".repeat(header.len())
    );
    for cells in rows {
        out.push_str(&row(&cells));
    }
    out
}

fn code(text: &str) -> String {
    format!("`{text}`")
}

/// What `conlab models` prints: each kind, its parameters, what it is and
/// its prediction.
fn models() -> String {
    table(
        &["kind", "parameters", "what it is", "prediction"],
        ModelKind::ALL.into_iter().map(|kind| {
            let params: Vec<String> = kind.params().iter().map(|p| code(p.as_str())).collect();
            vec![
                code(kind.name()),
                if params.is_empty() {
                    "—".to_string()
                } else {
                    params.join(", ")
                },
                kind.summary().to_string(),
                crate::predict::formula(kind),
            ]
        }),
    )
}

/// What each kind needs besides conlab, by what runs it: conlab's own
/// models nothing (`processes` starts conlab again), a runner's kinds
/// their runtime.
fn model_needs() -> String {
    let kinds = |keep: &dyn Fn(ModelKind) -> bool| -> String {
        let names: Vec<String> = ModelKind::ALL
            .into_iter()
            .filter(|k| keep(*k))
            .map(|k| code(k.name()))
            .collect();
        names.join(", ")
    };
    let runs_on = |runtime: Runtime| move |k: ModelKind| k.runtime() == Some(runtime);
    table(
        &["models", "need"],
        [
            vec![
                kinds(&|k| k.runtime().is_none() && k != ModelKind::Processes),
                "nothing but conlab".to_string(),
            ],
            vec![
                code(ModelKind::Processes.name()),
                "nothing but conlab: its workers are the `conlab` binary started again, \
                 wherever it was installed (`~/.cargo/bin`, a wheel's venv)"
                    .to_string(),
            ],
            vec![
                kinds(&runs_on(Runtime::Python)),
                "CPython 3.8 or newer: `python3` from `PATH`, or the one `python = \"...\"` \
                 names ([Python models](python-models.md)); `python-gevent` also needs gevent \
                 (`conlab install-gevent`); without it their cells are skipped, with the reason, \
                 and the others run"
                    .to_string(),
            ],
            vec![
                kinds(&runs_on(Runtime::Node)),
                "Node.js 20 or newer: `node` from `PATH`, or the one `node = \"...\"` names; \
                 without it their cells are skipped, with the reason"
                    .to_string(),
            ],
            vec![
                kinds(&runs_on(Runtime::Go)),
                "Go 1.18 or newer: `go` from `PATH`, or the one `go = \"...\"` names, which \
                 builds the runner once into conlab's cache ([Go and JVM models](go-and-jvm.md)); \
                 without it their cells are skipped, with the reason"
                    .to_string(),
            ],
            vec![
                kinds(&runs_on(Runtime::Java)),
                "a JDK 17 or newer (`javac` compiles the runner once): `java` from `PATH`, or the \
                 one `java = \"...\"` names; `java-virtual` needs a Java 21 runtime; without them \
                 their cells are skipped, with the reason"
                    .to_string(),
            ],
            vec![
                kinds(&runs_on(Runtime::Custom)),
                "your runner: the program its `command` names, speaking the runner protocol \
                 (`conlab runner-check` tests it)"
                    .to_string(),
            ],
            vec![
                "any model with `io = \"tcp\"`".to_string(),
                "the loopback interface, 127.0.0.1, where conlab starts its delay server"
                    .to_string(),
            ],
        ],
    )
}

/// The open-loop capacity and latency of each kind, kinds that share both
/// on one row (in the order of [`ModelKind::ALL`]).
fn queueing_table() -> String {
    let mut rows: Vec<(Vec<String>, String, String)> = Vec::new();
    for kind in ModelKind::ALL {
        let capacity = queueing::capacity_formula(kind);
        let latency = queueing::latency_formula(kind);
        match rows
            .iter_mut()
            .find(|(_, c, l)| *c == capacity && *l == latency)
        {
            Some((kinds, _, _)) => kinds.push(code(kind.name())),
            None => rows.push((vec![code(kind.name())], capacity, latency)),
        }
    }
    table(
        &["models", "capacity (requests/s)", "mean latency at rate λ"],
        rows.into_iter().map(|(kinds, capacity, latency)| {
            vec![kinds.join(", "), capacity.to_string(), latency]
        }),
    )
}

fn of_group(group: bool) -> String {
    if group { "a group" } else { "each run" }.to_string()
}

/// The values of `[[chart]] y`, with the chart's title for each.
fn chart_y() -> String {
    table(
        &["y", "what the chart shows", "a figure of"],
        ChartY::ALL.into_iter().map(|y| {
            vec![
                code(y.as_str()),
                ChartMetric::of(y).title().to_string(),
                of_group(y.of_group()),
            ]
        }),
    )
}

/// The values of a claim's `metric`, with what their limits are.
fn claim_metrics() -> String {
    table(
        &["metric", "a figure of", "limits"],
        Metric::ALL.into_iter().map(|m| {
            let limits = if m.is_time() {
                "durations, or a ratio of another model's"
            } else {
                "numbers"
            };
            vec![code(m.as_str()), of_group(m.of_group()), limits.to_string()]
        }),
    )
}

/// The layer table of `src/lib.rs`'s header, its rustdoc links as code.
fn layers() -> String {
    let lib = read(&root().join("src/lib.rs"));
    lib.lines()
        .filter_map(|l| l.strip_prefix("//! |"))
        .map(|l| format!("|{}\n", l.replace("[`", "`").replace("`]", "`")))
        .collect()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// `text` with the region `name` holding `table`, or why it cannot.
fn with_region(text: &str, name: &str, table: &str) -> Result<String, String> {
    let start = format!("<!-- generated: {name} ");
    let end = format!("<!-- end: {name} -->");
    let at = text
        .find(&start)
        .ok_or(format!("no `{start}…-->` marker"))?;
    let body = at + text[at..].find('\n').ok_or("no line after the marker")? + 1;
    let stop = body
        + text[body..]
            .find(&end)
            .ok_or(format!("no `{end}` marker"))?;
    Ok(format!(
        "{}\n{}\n\n{}",
        &text[..body],
        table.trim_end(),
        &text[stop..]
    ))
}

#[test]
fn the_generated_tables_say_what_the_code_says() {
    let bless = std::env::var_os("BLESS").is_some_and(|v| v == "1");
    let mut stale = Vec::new();
    for (file, name, generate) in TABLES {
        let path = root().join(file);
        let text = read(&path);
        let wanted = with_region(&text, name, &generate())
            .unwrap_or_else(|why| panic!("{file}, table {name}: {why}"));
        if wanted == text {
            continue;
        }
        if bless {
            std::fs::write(&path, wanted).unwrap_or_else(|e| panic!("cannot write {file}: {e}"));
        } else {
            stale.push(format!("{file} (table {name})"));
        }
    }
    assert!(
        stale.is_empty(),
        "out of date with the code: {}; `BLESS=1 cargo test --lib book` writes them again",
        stale.join(", ")
    );
}

/// Every Markdown file the links of which must hold: the README,
/// CONTRIBUTING.md and every chapter.
fn documents() -> Vec<PathBuf> {
    let mut found = vec![root().join("README.md"), root().join("CONTRIBUTING.md")];
    let mut dirs = vec![root().join("docs/src")];
    while let Some(dir) = dirs.pop() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|x| x == "md") {
                found.push(path);
            }
        }
    }
    found
}

/// The lines of `text` outside fenced code blocks.
fn outside_fences(text: &str) -> Vec<&str> {
    let mut fenced = false;
    let mut lines = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        } else if !fenced {
            lines.push(line);
        }
    }
    lines
}

/// The lines of `text` outside fenced code blocks, inline code removed.
fn prose(text: &str) -> Vec<String> {
    outside_fences(text)
        .into_iter()
        .map(|line| line.split('`').step_by(2).collect())
        .collect()
}

/// The targets of `[text](target)` and `![alt](target)` in `text`.
fn links(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in prose(text) {
        let mut rest = line.as_str();
        while let Some(at) = rest.find("](") {
            rest = &rest[at + 2..];
            if let Some(end) = rest.find(')') {
                found.push(rest[..end].to_string());
            }
        }
    }
    found
}

/// The anchors mdBook (and GitHub) give the headings of `text`.
fn anchors(text: &str) -> Vec<String> {
    outside_fences(text)
        .into_iter()
        .filter_map(|line| line.strip_prefix('#'))
        .map(|title| {
            title
                .trim_start_matches('#')
                .trim()
                .chars()
                .filter_map(|c| match c {
                    c if c.is_alphanumeric() || c == '_' || c == '-' => {
                        Some(c.to_lowercase().next().unwrap_or(c))
                    }
                    c if c.is_whitespace() => Some('-'),
                    _ => None,
                })
                .collect()
        })
        .collect()
}

#[test]
fn every_relative_link_and_image_points_at_what_exists() {
    let mut broken = Vec::new();
    for doc in documents() {
        let text = read(&doc);
        let dir = doc.parent().unwrap_or(root());
        for target in links(&text) {
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let (file, anchor) = target.split_once('#').unwrap_or((&target, ""));
            let path = if file.is_empty() {
                doc.clone()
            } else {
                dir.join(file)
            };
            let name = doc.strip_prefix(root()).unwrap_or(&doc);
            let shown = format!("{}: ({target})", name.display());
            if !path.exists() {
                broken.push(format!("{shown}: no such file"));
            } else if !anchor.is_empty()
                && path.extension().is_some_and(|x| x == "md")
                && !anchors(&read(&path)).iter().any(|a| a == anchor)
            {
                broken.push(format!("{shown}: no heading #{anchor}"));
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn every_chapter_is_in_the_summary_and_every_entry_exists() {
    let src = root().join("docs/src");
    let summary = read(&src.join("SUMMARY.md"));
    let listed = links(&summary);
    for chapter in &listed {
        assert!(
            src.join(chapter).is_file(),
            "SUMMARY.md lists {chapter}, which docs/src does not have"
        );
    }
    for doc in documents() {
        let Ok(name) = doc.strip_prefix(&src) else {
            continue;
        };
        let name = name.display().to_string();
        assert!(
            name == "SUMMARY.md" || listed.contains(&name),
            "docs/src/{name} is in no chapter of SUMMARY.md"
        );
    }
    assert!(root().join("docs/book.toml").is_file());
}

#[test]
fn links_and_anchors_are_read_as_mdbook_reads_them() {
    assert_eq!(
        links("see [a](x.md#b), ![c](charts/d.png) and `[e](f)`\n```\n[g](h)\n```\n"),
        ["x.md#b", "charts/d.png"]
    );
    assert_eq!(
        anchors("# What lands in `output/<name>/`\n## Is it quiet enough?\n```\n# no\n```\n"),
        ["what-lands-in-outputname", "is-it-quiet-enough"]
    );
    let text = "a\n<!-- generated: t (from x) -->\nold\n<!-- end: t -->\nb\n";
    assert_eq!(
        with_region(text, "t", "| new |\n"),
        Ok("a\n<!-- generated: t (from x) -->\n\n| new |\n\n<!-- end: t -->\nb\n".to_string())
    );
}

#[test]
fn the_readmes_experiment_is_valid() {
    let readme = read(&root().join("README.md"));
    let experiment = readme
        .split_once("```toml\n")
        .and_then(|(_, rest)| rest.split_once("```"))
        .map(|(text, _)| text)
        .unwrap_or_else(|| panic!("README.md shows no experiment"));
    if let Err(e) = crate::config::from_text("three-tasks.toml", experiment, "three-tasks") {
        panic!("README.md's experiment is refused:\n{}", e.refusal());
    }
}
