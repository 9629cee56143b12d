//! README behaviours that had no test of their own (issue 16), end to end
//! through the binary: the row order of `runs.csv` (`--order`), what
//! `--force` leaves behind, `compare` on results that genuinely differ,
//! and an edited `[[chart]]` taking effect on `plot`.

use std::ffi::OsStr;
use std::path::Path;

use crate::common::*;

/// Two cells (2 task counts × 1 model), and 2 × 2 with two models.
fn four_cells() -> String {
    io_experiment("order", 2, 0, "[1, 2]", "2ms", &["sequential", "async"])
}

/// (cell, repetition) of each row of `runs.csv`, in file order.
fn row_order(out: &Path) -> Vec<(u32, u32)> {
    csv_rows(&out.join("runs.csv"))
        .iter()
        .map(|r| {
            let n = |k: &str| {
                r[k].parse::<u32>()
                    .unwrap_or_else(|e| panic!("{k} = {:?}: {e}", r[k]))
            };
            (n("cell"), n("repetition"))
        })
        .collect()
}

#[test]
fn runs_are_interleaved_by_default_and_grouped_with_order_grouped() {
    // Off the cores while timing tests measure.
    let _serial = serial();
    let dir = tempdir();
    let file = write(dir.path(), "order.toml", &four_cells());
    let out = dir.path().join("default");
    let (code, stderr) = run_into(&file, &out, &[]);
    assert_eq!(code, 0, "{stderr}");
    // Cells are numbered in matrix order (workload point, then model):
    // each pass runs every cell once.
    assert_eq!(
        row_order(&out),
        [
            (0, 1),
            (1, 1),
            (2, 1),
            (3, 1),
            (0, 2),
            (1, 2),
            (2, 2),
            (3, 2)
        ]
    );
    let out = dir.path().join("grouped");
    let (code, stderr) = run_into(&file, &out, &["--order", "grouped"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        row_order(&out),
        [
            (0, 1),
            (0, 2),
            (1, 1),
            (1, 2),
            (2, 1),
            (2, 2),
            (3, 1),
            (3, 2)
        ]
    );
    let out = dir.path().join("interleaved");
    let (code, stderr) = run_into(&file, &out, &["--order", "interleaved"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(row_order(&out)[..4], [(0, 1), (1, 1), (2, 1), (3, 1)]);
}

#[test]
fn force_leaves_only_the_new_runs_rows() {
    // Off the cores while timing tests measure.
    let _serial = serial();
    let dir = tempdir();
    let file = write(dir.path(), "order.toml", &four_cells());
    let out = dir.path().join("out");
    let (code, stderr) = run_into(&file, &out, &["-n", "3"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(row_order(&out).len(), 12);
    write(&out, "notes.txt", "mine");
    // A second run of one repetition, filtered to one model: only its
    // rows and cells are left, none of the first run's.
    let (code, stderr) = run_into(&file, &out, &["-n", "1", "--force", "--filter", "async"]);
    assert_eq!(code, 0, "{stderr}");
    let rows = csv_rows(&out.join("runs.csv"));
    let got: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["model"].as_str(),
                r["tasks"].as_str(),
                r["repetition"].as_str(),
            )
        })
        .collect();
    assert_eq!(got, [("async", "1", "1"), ("async", "2", "1")]);
    let cells = summary(&out);
    assert_eq!(cells.len(), 2, "{cells:?}");
    assert!(cells.iter().all(|c| c["model"] == "async"), "{cells:?}");
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt"))
            .ok()
            .as_deref(),
        Some("mine")
    );
}

/// Sets the wall times of `runs.csv` in `results`: run r (0, 1, 2) of
/// cell c takes `scale × (c + 1) × (10, 10.1, 9.9)[r]` ms, steady enough
/// that halving them is a clear difference in every cell.
fn set_walls(results: &Path, scale: f64) {
    let path = results.join("runs.csv");
    let mut reader = csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{e}"));
    let headers = reader.headers().cloned().unwrap_or_else(|e| panic!("{e}"));
    let wall = headers
        .iter()
        .position(|h| h == "wall_ms")
        .unwrap_or_else(|| panic!("no wall_ms in {headers:?}"));
    let cell = headers
        .iter()
        .position(|h| h == "cell")
        .unwrap_or_else(|| panic!("no cell in {headers:?}"));
    let rep = headers
        .iter()
        .position(|h| h == "repetition")
        .unwrap_or_else(|| panic!("no repetition in {headers:?}"));
    let mut writer =
        csv::Writer::from_path(results.join("runs.new")).unwrap_or_else(|e| panic!("{e}"));
    writer
        .write_record(&headers)
        .unwrap_or_else(|e| panic!("{e}"));
    for record in reader.records() {
        let record = record.unwrap_or_else(|e| panic!("{e}"));
        let c: f64 = record[cell].parse().unwrap_or_else(|e| panic!("{e}"));
        let r: usize = record[rep].parse().unwrap_or_else(|e| panic!("{e}"));
        let ms = scale * (c + 1.0) * [10.0, 10.1, 9.9][(r - 1) % 3];
        let mut fields: Vec<String> = record.iter().map(str::to_string).collect();
        fields[wall] = format!("{ms:.6}");
        writer
            .write_record(&fields)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    writer.flush().unwrap_or_else(|e| panic!("{e}"));
    drop(writer);
    std::fs::rename(results.join("runs.new"), &path).unwrap_or_else(|e| panic!("{e}"));
}

/// Removes cell `index` from a results folder: its rows, summary entry
/// and timeline.
fn remove_cell(results: &Path, index: u64) {
    let path = results.join("runs.csv");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
    let prefix = format!("{index},");
    let kept: String = text
        .lines()
        .filter(|l| !l.starts_with(&prefix))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&path, kept).unwrap_or_else(|e| panic!("{e}"));
    let path = results.join("summary.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
    let mut json: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    let cells = json["cells"]
        .as_array_mut()
        .unwrap_or_else(|| panic!("no cells"));
    cells.retain(|c| c["cell"] != index);
    std::fs::write(&path, json.to_string()).unwrap_or_else(|e| panic!("{e}"));
    let _ = std::fs::remove_file(results.join(format!("timelines/cell-{index}.json")));
}

/// `conlab compare A B --out OUT`: exit code, stdout and `compare.md`.
fn compare(a: &Path, b: &Path, out: &Path) -> (i32, String, String) {
    let (code, stdout, stderr) = conlab_output(&[
        OsStr::new("compare"),
        a.as_os_str(),
        b.as_os_str(),
        OsStr::new("--out"),
        out.as_os_str(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let md = std::fs::read_to_string(out.join("compare.md")).unwrap_or_else(|e| panic!("{e}"));
    (code, stdout, md)
}

fn verdict_line(md: &str) -> &str {
    md.lines()
        .find(|l| l.starts_with("B is faster in"))
        .unwrap_or_else(|| panic!("no verdict line in {md}"))
}

#[test]
fn compare_finds_halved_times_faster_swapped_slower_and_reports_a_missing_cell() {
    // Off the cores while timing tests measure.
    let _serial = serial();
    let dir = tempdir();
    let a = results_fixture(dir.path(), "a");
    let b = results_fixture(dir.path(), "b");
    set_walls(&a, 1.0);
    set_walls(&b, 0.5);
    let (_, stdout, md) = compare(&a, &b, &dir.path().join("ab"));
    assert_eq!(
        verdict_line(&md),
        "B is faster in 15 cell(s), slower in 0, not significantly different in 0; 0 cell(s) have too few runs to tell."
    );
    assert_eq!(stdout.matches("│ faster").count(), 15, "{stdout}");
    assert!(stdout.contains("0.5"), "{stdout}");
    let (_, stdout, md) = compare(&b, &a, &dir.path().join("ba"));
    assert_eq!(
        verdict_line(&md),
        "B is faster in 0 cell(s), slower in 15, not significantly different in 0; 0 cell(s) have too few runs to tell."
    );
    assert_eq!(stdout.matches("│ slower").count(), 15, "{stdout}");
    remove_cell(&b, 14);
    let (_, stdout, md) = compare(&a, &b, &dir.path().join("missing"));
    assert_eq!(
        verdict_line(&md),
        "B is faster in 14 cell(s), slower in 0, not significantly different in 0; 1 cell(s) have too few runs to tell."
    );
    let line = stdout
        .lines()
        .find(|l| l.contains("mixed · gil-threads"))
        .unwrap_or_else(|| panic!("the missing cell is not reported: {stdout}"));
    assert!(line.contains("not enough runs"), "{line}");
}

#[test]
fn an_edited_chart_entry_changes_what_plot_draws() {
    // Off the cores while timing tests measure.
    let _serial = serial();
    let dir = tempdir();
    let results = results_fixture(dir.path(), "r");
    let experiment = results.join("experiment.toml");
    let original = std::fs::read_to_string(&experiment).unwrap_or_else(|e| panic!("{e}"));
    let plot = |chart: &str| {
        std::fs::write(&experiment, format!("{original}\n{chart}"))
            .unwrap_or_else(|e| panic!("{e}"));
        let (code, _, stderr) = conlab_output(&[OsStr::new("plot"), results.as_os_str()]);
        assert_eq!(code, 0, "{stderr}");
    };
    let charts = results.join("charts");
    plot("[[chart]]\nworkload = \"io\"\ny = \"cpu\"\nwidth = 640\nheight = 480\n");
    let svg = |name: &str| charts.join(format!("{name}.svg")).is_file();
    assert!(svg("io-cpu") && !svg("io-wall") && !svg("io-speedup"));
    let size = std::fs::read(charts.join("io-cpu.png")).unwrap_or_else(|e| panic!("{e}"));
    // The PNG header's width and height (IHDR, bytes 16..24).
    assert_eq!(size[16..24], [0, 0, 2, 128, 0, 0, 1, 224]);
    plot("[[chart]]\nworkload = \"io\"\ny = \"speedup\"\n");
    assert!(svg("io-speedup"), "the edited chart was not drawn");
    assert!(!svg("io-cpu"), "the chart of the old entry is still there");
    let size = std::fs::read(charts.join("io-speedup.png")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(size[16..24], [0, 0, 4, 176, 0, 0, 3, 32]);
}
