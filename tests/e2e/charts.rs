//! Charts and reports end to end (issue 4): what `conlab run` renders,
//! what `conlab plot` renders again, and what `conlab compare` says about
//! a run compared with itself. Tiny workloads; no timing assertions.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::common::*;

const SMALL: &str = r#"
[experiment]
name = "charts"
description = "Small experiment for the chart tests."
repetitions = 2
warmup = 0

[[workload]]
name = "io sweep"
tasks = [1, 3]
io_latency = "1ms"

[[workload]]
name = "three"
tasks = 3
io_latency = "1ms"
cpu_cost = "200us"

[[model]]
kind = "sequential"

[[model]]
kind = "thread-pool"
name = "pool"
workers = [1, 2]

[[model]]
kind = "async"
"#;

const MODELS: [&str; 3] = ["sequential", "pool", "async"];

/// A run of SMALL in a temporary directory; its results are in `out/`.
fn small_run() -> tempfile::TempDir {
    let dir = tempdir();
    let file = write(dir.path(), "small.toml", SMALL);
    let (code, stderr) = run_into(&file, &dir.path().join("out"), &[]);
    assert_eq!(code, 0, "{stderr}");
    dir
}

fn files_in(dir: &Path, ext: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(ext))
        .collect();
    names.sort();
    names
}

/// Width, height and the number of distinct colours of a PNG.
fn png_facts(path: &Path) -> (u32, u32, usize) {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut reader = png::Decoder::new(std::io::BufReader::new(file))
        .read_info()
        .unwrap_or_else(|e| panic!("{} does not decode: {e}", path.display()));
    let mut buf = vec![0; reader.output_buffer_size().unwrap_or(0)];
    let info = reader
        .next_frame(&mut buf)
        .unwrap_or_else(|e| panic!("{} does not decode: {e}", path.display()));
    let bytes = &buf[..info.buffer_size()];
    let step = info.color_type.samples();
    let mut colours = std::collections::HashSet::new();
    for px in bytes.chunks(step) {
        colours.insert(px.to_vec());
        if colours.len() > 50 {
            break;
        }
    }
    (info.width, info.height, colours.len())
}

fn svg_texts(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc = roxmltree::Document::parse(&text)
        .unwrap_or_else(|e| panic!("{} is not valid XML: {e}", path.display()));
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .map(|t| t.trim().to_string())
        .collect()
}

#[test]
fn every_expected_chart_exists_in_both_formats() {
    let run = small_run();
    let out = &run.path().join("out");
    let charts = out.join("charts");
    let mut expected: Vec<String> = Vec::new();
    for w in ["io-sweep", "three"] {
        for kind in ["wall", "speedup", "efficiency", "cpu"] {
            expected.push(format!("{w}-{kind}"));
        }
    }
    expected.push("overview".to_string());
    let pngs = files_in(&charts, ".png");
    let svgs = files_in(&charts, ".svg");
    for stem in &expected {
        assert!(
            pngs.contains(&format!("{stem}.png")),
            "{stem}.png missing: {pngs:?}"
        );
        assert!(
            svgs.contains(&format!("{stem}.svg")),
            "{stem}.svg missing: {svgs:?}"
        );
    }
    // A timeline chart per recorded timeline.
    let timelines = files_in(&out.join("timelines"), ".json").len();
    assert_eq!(timelines, 2 * 4 + 4, "every cell has at most 64 tasks");
    let timeline_charts = pngs.iter().filter(|n| n.contains("-timeline-")).count();
    assert_eq!(timeline_charts, timelines, "{pngs:?}");
    assert_eq!(pngs.len(), svgs.len());
    for name in ["report.html", "report.md", "summary.tex"] {
        assert!(out.join(name).is_file(), "{name} missing");
    }
}

#[test]
fn pngs_decode_with_the_default_size_and_are_not_blank() {
    let run = small_run();
    let charts = run.path().join("out/charts");
    for name in files_in(&charts, ".png") {
        let (w, h, colours) = png_facts(&charts.join(&name));
        assert_eq!((w, h), (1200, 800), "{name}");
        assert!(colours > 5, "{name} looks blank ({colours} colours)");
    }
}

#[test]
fn svgs_parse_and_name_every_model_in_the_legend() {
    let run = small_run();
    let charts = run.path().join("out/charts");
    for name in files_in(&charts, ".svg") {
        let texts = svg_texts(&charts.join(&name));
        assert!(!texts.is_empty(), "{name} has no text");
        if name.ends_with("-wall.svg") || name.ends_with("-speedup.svg") {
            for model in MODELS {
                assert!(
                    texts.iter().any(|t| t.starts_with(model)),
                    "{name} does not name {model}: {texts:?}"
                );
            }
        }
    }
    let sweep = svg_texts(&charts.join("io-sweep-wall.svg"));
    assert!(sweep.iter().any(|t| t == "pool workers=2"), "{sweep:?}");
    assert!(sweep.iter().any(|t| t.contains("baseline")), "{sweep:?}");
}

#[test]
fn the_html_report_is_self_contained() {
    let run = small_run();
    let out = &run.path().join("out");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap_or_default();
    for banned in [
        "http://", "https://", "src=", "<script", "<link", "@import", "url(",
    ] {
        assert!(!html.contains(banned), "report.html contains {banned}");
    }
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_eq!(
        html.matches("<svg ").count(),
        files_in(&out.join("charts"), ".svg").len()
    );
    for model in MODELS {
        assert!(html.contains(model));
    }
    assert!(
        html.contains("io_latency = &quot;1ms&quot;"),
        "experiment file escaped"
    );
    assert!(html.contains("experiment_sha256"), "environment shown");
    let md = std::fs::read_to_string(out.join("report.md")).unwrap_or_default();
    assert!(md.contains("](charts/io-sweep-wall.png)"), "{md}");
    let tex = std::fs::read_to_string(out.join("summary.tex")).unwrap_or_default();
    assert!(tex.contains("\\toprule") && tex.contains("\\bottomrule"));
}

/// Copies the files a run left, so a test can render into its own copy.
fn copy_results(from: &Path, to: &Path) {
    for entry in walk(from) {
        let rel = entry.strip_prefix(from).unwrap_or(&entry);
        let dest = to.join(rel);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
        }
        std::fs::copy(&entry, &dest).unwrap_or_else(|e| panic!("{}: {e}", entry.display()));
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn svgs(dir: &Path) -> BTreeMap<String, String> {
    files_in(dir, ".svg")
        .into_iter()
        .map(|n| {
            let text = std::fs::read_to_string(dir.join(&n)).unwrap_or_default();
            (n, text)
        })
        .collect()
}

#[test]
fn plot_renders_the_same_svgs_every_time() {
    let tmp = tempdir();
    let copy = tmp.path().join("copy");
    let run = small_run();
    copy_results(&run.path().join("out"), &copy);
    let after_run = svgs(&copy.join("charts"));
    std::fs::remove_dir_all(copy.join("charts")).unwrap_or_else(|e| panic!("{e}"));
    for _ in 0..2 {
        let output = conlab()
            .arg("plot")
            .arg(&copy)
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(svgs(&copy.join("charts")), after_run);
    }
}

#[test]
fn compare_of_a_run_with_itself_finds_no_difference() {
    let run = small_run();
    let out = &run.path().join("out");
    let tmp = tempdir();
    let dest = tmp.path().join("cmp");
    let output = conlab()
        .arg("compare")
        .arg(out)
        .arg(out)
        .arg("--out")
        .arg(&dest)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("no significant difference"), "{stdout}");
    assert!(
        !stdout.contains("│ faster") && !stdout.contains("│ slower"),
        "{stdout}"
    );
    let md = std::fs::read_to_string(dest.join("compare.md")).unwrap_or_default();
    assert!(md.contains("B is faster in 0 cell(s), slower in 0"), "{md}");
    let (w, _, colours) = png_facts(&dest.join("compare.png"));
    assert_eq!(w, 1200);
    assert!(colours > 5);
    assert!(!svg_texts(&dest.join("compare.svg")).is_empty());
}

/// Rewrites every run's wall time in `dir`'s runs.csv: `factor` × 10 ms,
/// 10.1 ms every other run, so that a comparison is certain whatever the
/// machine measured (a result slowed down, for `compare --fail-on`).
fn set_walls(dir: &Path, factor: f64) {
    let path = dir.join("runs.csv");
    let mut reader = csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{e}"));
    let headers = reader.headers().unwrap_or_else(|e| panic!("{e}")).clone();
    let wall = headers
        .iter()
        .position(|h| h == "wall_ms")
        .unwrap_or_else(|| panic!("no wall_ms in {headers:?}"));
    let mut writer =
        csv::Writer::from_path(dir.join("runs.new.csv")).unwrap_or_else(|e| panic!("{e}"));
    writer
        .write_record(&headers)
        .unwrap_or_else(|e| panic!("{e}"));
    for (n, record) in reader.records().enumerate() {
        let record = record.unwrap_or_else(|e| panic!("{e}"));
        let fields: Vec<String> = record
            .iter()
            .enumerate()
            .map(|(i, f)| match f.parse::<f64>() {
                Ok(_) if i == wall => format!("{}", factor * (10.0 + 0.1 * (n % 2) as f64)),
                _ => f.to_string(),
            })
            .collect();
        writer
            .write_record(&fields)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    writer.flush().unwrap_or_else(|e| panic!("{e}"));
    std::fs::rename(dir.join("runs.new.csv"), &path).unwrap_or_else(|e| panic!("{e}"));
}

fn compare_json(a: &Path, b: &Path, dest: &Path) -> (i32, serde_json::Value, String) {
    let output = conlab()
        .arg("compare")
        .arg(a)
        .arg(b)
        .args(["--fail-on", "slower", "--json", "--out"])
        .arg(dest)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let json = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("compare --json printed no JSON ({e}): {stderr}"));
    (output.status.code().unwrap_or(-1), json, stderr)
}

/// `compare --fail-on slower` exits 1 on a result four times slower,
/// naming the cells, and 0 the other way round; `--json` prints every
/// cell's verdict.
#[test]
fn compare_fails_on_a_slower_result_and_prints_json() {
    let run = small_run();
    let fast = run.path().join("out");
    let tmp = tempdir();
    let slow = tmp.path().join("slow");
    copy_results(&fast, &slow);
    set_walls(&fast, 1.0);
    set_walls(&slow, 4.0);
    let (code, json, stderr) = compare_json(&fast, &slow, &tmp.path().join("cmp"));
    assert_eq!(code, 1, "{stderr}");
    let cells = json["cells"].as_array().cloned().unwrap_or_default();
    assert_eq!(cells.len(), 12, "{json}");
    for c in &cells {
        assert_eq!(c["verdict"], "slower", "{c}");
        assert!(
            c["ratio"].as_f64().is_some_and(|r| (r - 4.0).abs() < 1e-6),
            "{c}"
        );
    }
    assert_eq!(json["min_effect"], 0.05);
    assert!(
        stderr.contains("fails (--fail-on slower): 12 of 12 cells slower in B: "),
        "{stderr}"
    );
    let (code, json, stderr) = compare_json(&slow, &fast, &tmp.path().join("cmp2"));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        json["cells"]
            .as_array()
            .is_some_and(|c| c.iter().all(|c| c["verdict"] == "faster")),
        "{json}"
    );
}

/// `check --json` prints every claim's verdict with summary.json's field
/// names and the tally, and keeps check's exit code.
#[test]
fn check_json_prints_the_verdicts_and_keeps_the_exit_code() {
    let run = small_run();
    let tmp = tempdir();
    let copy = tmp.path().join("copy");
    copy_results(&run.path().join("out"), &copy);
    // Walls of 10 and 10.1 ms: certain verdicts on two runs.
    set_walls(&copy, 1.0);
    let file = copy.join("experiment.toml");
    let mut text = std::fs::read_to_string(&file).unwrap_or_default();
    text.push_str(
        "\n[[claim]]\ntext = \"under an hour\"\nworkload = \"three\"\nmodel = \"async\"\nat_most = \"1h\"\n\
         \n[[claim]]\ntext = \"under a microsecond\"\nworkload = \"three\"\nmodel = \"async\"\nat_most = \"1us\"\n",
    );
    std::fs::write(&file, text).unwrap_or_else(|e| panic!("{e}"));
    let output = conlab()
        .args(["check", "--json"])
        .arg(&copy)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stdout)));
    assert_eq!(
        (json["holds"].clone(), json["fails"].clone()),
        (1.into(), 1.into()),
        "{json}"
    );
    assert_eq!(json["inconclusive"], 0);
    let claims = json["claims"].as_array().cloned().unwrap_or_default();
    let outcomes: Vec<&str> = claims
        .iter()
        .filter_map(|c| c["outcome"].as_str())
        .collect();
    assert_eq!(outcomes, ["holds", "fails"]);
    assert_eq!(claims[1]["text"], "under a microsecond");
    assert!(claims[1]["points"][0]["value"].as_f64().is_some(), "{json}");
}

#[test]
fn chart_entries_replace_the_default_charts_and_set_the_size() {
    let dir = tempdir();
    let chart =
        "\n[[chart]]\nworkload = \"io\"\ny = \"cpu\"\nlog_y = true\nwidth = 640\nheight = 480\n";
    let file = write(
        dir.path(),
        "custom.toml",
        &(io_experiment("custom", 1, 0, "[1, 2]", "1ms", &["sequential", "async"]) + chart),
    );
    let out = dir.path().join("out");
    let (code, stderr) = run_into(&file, &out, &[]);
    assert_eq!(code, 0, "{stderr}");
    let charts = out.join("charts");
    assert_eq!(png_facts(&charts.join("io-cpu.png")).0, 640);
    assert_eq!(png_facts(&charts.join("io-cpu.png")).1, 480);
    assert!(!charts.join("io-wall.png").exists());
    assert!(charts.join("overview.png").exists());
}

#[test]
fn non_ascii_names_render_without_trouble() {
    let dir = tempdir();
    let file = write(
        dir.path(),
        "k.toml",
        r#"
        [experiment]
        name = "동시성 🚀"
        repetitions = 1
        warmup = 0

        [[workload]]
        name = "세 작업"
        tasks = 3
        io_latency = "1ms"

        [[model]]
        kind = "sequential"
        name = "순차"

        [[model]]
        kind = "threads"
        name = "스레드 🧵"
        "#,
    );
    let out = dir.path().join("out");
    let (code, stderr) = run_into(&file, &out, &[]);
    assert_eq!(code, 0, "{stderr}");
    let charts = out.join("charts");
    assert!(
        charts.join("세-작업-wall.png").is_file(),
        "{:?}",
        files_in(&charts, "")
    );
    let texts = svg_texts(&charts.join("세-작업-wall.svg"));
    assert!(
        texts.iter().any(|t| t == "스레드 🧵"),
        "SVG keeps the names: {texts:?}"
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap_or_default();
    assert!(html.contains("동시성 🚀"));
}

#[test]
fn plot_of_a_directory_without_results_says_so() {
    let dir = tempdir();
    let output = conlab()
        .arg("plot")
        .arg(dir.path())
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("not a conlab results directory"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&dir.path().display().to_string()),
        "{stderr}"
    );
}
