//! Hostile names and hand-edited results folders (issue 8, items 6, 7,
//! 11 and 12): each defect pinned by the exact message a user sees, and a
//! few random corruptions of a results folder through the real binary.
//! The results folder is `tests/fixtures/results-tiny` (see
//! `common::results_fixture`); `src/render/fuzz.rs` corrupts it by the
//! hundred thousand in-process.

use std::ffi::OsStr;
use std::path::Path;
use std::time::Duration;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use crate::common::*;

const HELP: &str = "  = help: the file was edited or damaged; restore it from the run that wrote it, or run the experiment again\n";

fn plot(dir: &Path) -> (i32, String, String) {
    conlab_output(&[OsStr::new("plot"), dir.as_os_str(), OsStr::new("-q")])
}

fn compare(a: &Path, b: &Path, out: &Path) -> (i32, String, String) {
    conlab_output(&[
        OsStr::new("compare"),
        a.as_os_str(),
        b.as_os_str(),
        OsStr::new("--out"),
        out.as_os_str(),
    ])
}

fn edit_json(path: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut value: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    edit(&mut value);
    std::fs::write(path, value.to_string()).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// Sets field `column` of data row `row` (from 1) of `runs.csv`.
fn edit_runs(dir: &Path, row: usize, column: &str, value: &str) {
    let path = dir.join("runs.csv");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let at = lines[0]
        .split(',')
        .position(|h| h == column)
        .unwrap_or_else(|| panic!("runs.csv has no column {column}"));
    let mut fields: Vec<String> = lines[row].split(',').map(str::to_string).collect();
    fields[at] = value.to_string();
    lines[row] = fields.join(",");
    std::fs::write(&path, lines.join("\n") + "\n")
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// Regular files in `dir` whose names end in `ext`.
fn files(dir: &Path, ext: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .filter(|e| e.path().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(ext))
        .collect();
    names.sort();
    names
}

#[test]
fn a_60_hangul_character_workload_name_renders_every_chart_and_the_report() {
    let dir = tempdir();
    let workload = "입출력".repeat(20);
    let model = "스레드풀".repeat(15);
    let file = write(
        dir.path(),
        "korean.toml",
        &format!(
            r#"
            [experiment]
            name = "korean"
            repetitions = 1
            warmup = 0

            [[workload]]
            name = "{workload}"
            tasks = [1, 2]
            io_latency = "1ms"

            [[model]]
            kind = "sequential"

            [[model]]
            kind = "thread-pool"
            name = "{model}"
            workers = [1, 2]

            [[model]]
            kind = "async"
            "#
        ),
    );
    let out = dir.path().join("out");
    let (code, stderr) = run_into(&file, &out, &[]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    let charts = out.join("charts");
    let (pngs, svgs) = (files(&charts, ".png"), files(&charts, ".svg"));
    // wall, speedup, efficiency, cpu, overview, and 2 points × 4 variants
    // of timelines.
    assert_eq!((pngs.len(), svgs.len()), (13, 13), "{pngs:?}");
    for name in pngs.iter().chain(&svgs) {
        assert!(name.len() < 200, "{name}: {} bytes", name.len());
    }
    let short = "입출력".repeat(6) + "입출";
    assert!(pngs.contains(&format!("{short}-wall.png")), "{pngs:?}");
    for name in ["report.html", "report.md", "summary.tex"] {
        assert!(out.join(name).is_file(), "{name} missing");
    }
    let md = std::fs::read_to_string(out.join("report.md")).unwrap_or_default();
    assert!(!md.contains("chart missing"), "{md}");
    // Plotting again gives the same names.
    let (code, _, stderr) = plot(&out);
    assert_eq!((code, stderr.as_str()), (0, ""));
    assert_eq!(files(&charts, ".png"), pngs);
}

#[test]
fn an_unwritable_chart_fails_alone_and_the_rest_are_written() {
    let tmp = tempdir();
    let dir = results_fixture(tmp.path(), "results");
    std::fs::create_dir_all(dir.join("charts/overview.png"))
        .unwrap_or_else(|e| panic!("cannot create a folder: {e}"));
    let (code, _, stderr) = plot(&dir);
    let d = dir.display();
    assert_eq!(
        stderr,
        format!(
            "warning: chart overview could not be written: {d}/charts/overview.png is in the way: conlab did not write it ({d}/conlab-manifest.json does not list it), and never overwrites a file it did not write\n  = help: move or rename it; `conlab plot {d}` then draws the missing charts\n"
        )
    );
    assert_eq!(code, 1);
    let charts = dir.join("charts");
    let (pngs, svgs) = (files(&charts, ".png"), files(&charts, ".svg"));
    assert_eq!((pngs.len(), svgs.len()), (23, 23), "{pngs:?}");
    assert!(!svgs.contains(&"overview.svg".to_string()));
    for name in ["report.html", "report.md", "summary.tex"] {
        assert!(dir.join(name).is_file(), "{name} missing");
    }
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap_or_default();
    assert!(
        md.contains(&format!(
            "- **chart missing** · overview — could not be written: {d}/charts/overview.png is in the way: conlab did not write it ({d}/conlab-manifest.json does not list it), and never overwrites a file it did not write\n"
        )),
        "{md}"
    );
}

#[test]
fn summary_json_with_tasks_of_10_to_the_12_is_refused_naming_the_file_and_cell() {
    let tmp = tempdir();
    let dir = results_fixture(tmp.path(), "results");
    edit_json(&dir.join("summary.json"), |v| {
        v["cells"][2]["tasks"] = serde_json::json!(1_000_000_000_000u64);
    });
    let expected = format!(
        "error: {}/summary.json, cells[2] (\"io · pool workers=2 · tasks=1\"): `tasks` is 1000000000000, but conlab runs at most 1000000 tasks per cell\n{HELP}",
        dir.display()
    );
    let (code, _, stderr) = plot(&dir);
    assert_eq!((code, stderr.as_str()), (2, expected.as_str()));
    assert!(!dir.join("charts").exists(), "charts were drawn");
    let pristine = results_fixture(tmp.path(), "pristine");
    let (code, _, stderr) = compare(&pristine, &dir, &tmp.path().join("cmp"));
    assert_eq!((code, stderr.as_str()), (2, expected.as_str()));
}

#[test]
fn a_timeline_span_of_task_4000000000_is_refused_naming_the_span() {
    let tmp = tempdir();
    let dir = results_fixture(tmp.path(), "results");
    edit_json(&dir.join("timelines/cell-6.json"), |v| {
        v["spans"][1]["task"] = serde_json::json!(4_000_000_000u32);
    });
    let (code, _, stderr) = plot(&dir);
    assert_eq!(
        (code, stderr),
        (
            2,
            format!(
                "error: {}/timelines/cell-6.json, spans[1]: task 4000000000 does not exist: cell 6 (\"io · pool workers=1 · tasks=3\") has 3 tasks, numbered from 0\n{HELP}",
                dir.display()
            )
        )
    );
}

#[test]
fn a_timeline_span_on_a_thread_that_does_not_exist_is_refused() {
    let tmp = tempdir();
    let dir = results_fixture(tmp.path(), "results");
    edit_json(&dir.join("timelines/cell-6.json"), |v| {
        v["spans"][2]["thread"] = serde_json::json!(4_000_000_000u32);
    });
    let (code, _, stderr) = plot(&dir);
    assert_eq!(
        (code, stderr),
        (
            2,
            format!(
                "error: {}/timelines/cell-6.json, spans[2]: thread 4000000000 does not exist: the run's spans name 2 threads, numbered from 0\n{HELP}",
                dir.display()
            )
        )
    );
}

#[test]
fn nan_and_negative_wall_times_are_refused_naming_the_file_and_row() {
    let tmp = tempdir();
    let pristine = results_fixture(tmp.path(), "pristine");
    for (name, row, value, place) in [
        ("nan", 3, "NaN", "line 4 (cell 2, repetition 1)"),
        ("inf", 3, "inf", "line 4 (cell 2, repetition 1)"),
        ("negative", 5, "-12.5", "line 6 (cell 4, repetition 1)"),
    ] {
        let dir = results_fixture(tmp.path(), name);
        edit_runs(&dir, row, "wall_ms", value);
        let expected = format!(
            "error: {}/runs.csv, {place}: `wall_ms` is {value}; measurements are finite numbers, 0 or more\n{HELP}",
            dir.display()
        );
        let (code, _, stderr) = plot(&dir);
        assert_eq!((code, stderr.as_str()), (2, expected.as_str()), "{name}");
        // Such times once reached the verdicts of `conlab compare`.
        let (code, stdout, stderr) = compare(&pristine, &dir, &tmp.path().join("cmp"));
        assert_eq!((code, stderr.as_str()), (2, expected.as_str()), "{name}");
        assert_eq!(stdout, "", "{name}");
    }
    let dir = results_fixture(tmp.path(), "summary");
    edit_json(&dir.join("summary.json"), |v| {
        v["cells"][0]["wall_median_ms"] = serde_json::json!(-1.5);
    });
    let (code, _, stderr) = plot(&dir);
    assert_eq!(
        (code, stderr),
        (
            2,
            format!(
                "error: {}/summary.json, cells[0] (\"io · sequential · tasks=1\"): `wall_median_ms` is -1.5; measurements are finite numbers, 0 or more\n{HELP}",
                dir.display()
            )
        )
    );
}

#[test]
fn a_run_of_a_cell_that_does_not_exist_is_refused() {
    let tmp = tempdir();
    let dir = results_fixture(tmp.path(), "results");
    edit_runs(&dir, 2, "cell", "99");
    let (code, _, stderr) = plot(&dir);
    assert_eq!(
        (code, stderr),
        (
            2,
            format!(
                "error: {}/runs.csv, line 3 (cell 99, repetition 1): cell 99 is not a cell of summary.json; every run belongs to one\n{HELP}",
                dir.display()
            )
        )
    );
}

#[test]
fn a_results_folder_as_conlab_run_wrote_it_loads_and_plots() {
    let tmp = tempdir();
    let dir = results_fixture(tmp.path(), "results");
    let (code, _, stderr) = plot(&dir);
    assert_eq!((code, stderr.as_str()), (0, ""));
    assert_eq!(files(&dir.join("charts"), ".svg").len(), 24);
}

/// One random corruption of a file of the folder, made from the bytes.
#[derive(Clone, Debug)]
enum Corruption {
    Remove(usize),
    Truncate(usize, usize),
    SetByte(usize, usize, u8),
    /// The `n`-th number in the file becomes this text.
    Number(usize, usize, &'static str),
}

const FILES: [&str; 5] = [
    "summary.json",
    "runs.csv",
    "timelines/cell-9.json",
    "experiment.toml",
    "environment.json",
];

fn corruption() -> impl Strategy<Value = Corruption> {
    let file = 0..FILES.len();
    prop_oneof![
        file.clone().prop_map(Corruption::Remove),
        (file.clone(), any::<usize>()).prop_map(|(f, at)| Corruption::Truncate(f, at)),
        (file.clone(), any::<usize>(), any::<u8>())
            .prop_map(|(f, at, b)| Corruption::SetByte(f, at, b)),
        (
            file,
            any::<usize>(),
            prop::sample::select(vec![
                "-1",
                "NaN",
                "1e308",
                "1000000000000",
                "4000000000",
                "18446744073709551616",
                "0",
            ])
        )
            .prop_map(|(f, n, v)| Corruption::Number(f, n, v)),
    ]
}

/// A change to a file's bytes.
type Edit = Box<dyn Fn(Vec<u8>) -> Vec<u8>>;

fn corrupt(dir: &Path, c: &Corruption) {
    let (f, edit): (usize, Edit) = match c.clone() {
        Corruption::Remove(f) => {
            let _ = std::fs::remove_file(dir.join(FILES[f]));
            return;
        }
        Corruption::Truncate(f, at) => (
            f,
            Box::new(move |mut b: Vec<u8>| {
                let len = b.len().max(1);
                b.truncate(at % len);
                b
            }),
        ),
        Corruption::SetByte(f, at, byte) => (
            f,
            Box::new(move |mut b: Vec<u8>| {
                if !b.is_empty() {
                    let i = at % b.len();
                    b[i] = byte;
                }
                b
            }),
        ),
        Corruption::Number(f, n, value) => (
            f,
            Box::new(move |b: Vec<u8>| {
                let text = String::from_utf8_lossy(&b).into_owned();
                let starts: Vec<usize> = text
                    .char_indices()
                    .filter(|&(i, ch)| {
                        ch.is_ascii_digit()
                            && !text[..i].ends_with(|p: char| p.is_ascii_alphanumeric() || p == '.')
                    })
                    .map(|(i, _)| i)
                    .collect();
                if starts.is_empty() {
                    return b;
                }
                let start = starts[n % starts.len()];
                let end = text[start..]
                    .find(|ch: char| !(ch.is_ascii_digit() || ch == '.' || ch == 'e'))
                    .map_or(text.len(), |k| start + k);
                format!("{}{value}{}", &text[..start], &text[end..]).into_bytes()
            }),
        ),
    };
    let path = dir.join(FILES[f]);
    if let Ok(bytes) = std::fs::read(&path) {
        std::fs::write(&path, edit(bytes)).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}

/// Exit code and stderr of `conlab ARGS`, failing the case if it runs
/// longer than `limit` (a hang) or ends by a signal (an abort).
fn run_bounded(args: &[&OsStr], limit: Duration) -> Result<(i32, String), TestCaseError> {
    let output = conlab()
        .args(args)
        .timeout(limit)
        .output()
        .map_err(|e| TestCaseError::fail(format!("conlab {args:?} did not finish: {e}")))?;
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    match output.status.code() {
        Some(code) => Ok((code, stderr)),
        None => Err(TestCaseError::fail(format!(
            "conlab {args:?} was killed by a signal: {stderr}"
        ))),
    }
}

/// Issue 8, item 11, the short run through the real binary: a corrupted
/// results folder ends in charts (exit 0 or 1) or in an error (exit 2),
/// with a message, never in a panic, an abort or a hang.
#[test]
fn corrupted_results_folders_never_crash_plot_or_compare() {
    let tmp = tempdir();
    let pristine = results_fixture(tmp.path(), "pristine");
    let mut runner = TestRunner::new(Config {
        cases: 16,
        failure_persistence: None,
        max_shrink_iters: 50,
        ..Config::default()
    });
    let case = std::sync::atomic::AtomicUsize::new(0);
    let outcome = runner.run(&prop::collection::vec(corruption(), 1..=3), |corruptions| {
        let n = case.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = results_fixture(tmp.path(), &format!("case-{n}"));
        for c in &corruptions {
            corrupt(&dir, c);
        }
        let limit = Duration::from_secs(120);
        let plotted = run_bounded(
            &[OsStr::new("plot"), dir.as_os_str(), OsStr::new("-q")],
            limit,
        )?;
        let out = tmp.path().join(format!("cmp-{n}"));
        let compared = run_bounded(
            &[
                OsStr::new("compare"),
                pristine.as_os_str(),
                dir.as_os_str(),
                OsStr::new("--out"),
                out.as_os_str(),
            ],
            limit,
        )?;
        for (what, (code, stderr)) in [("plot", plotted), ("compare", compared)] {
            prop_assert!([0, 1, 2].contains(&code), "{what} exited {code}: {stderr}");
            prop_assert!(!stderr.contains("panicked"), "{what}: {stderr}");
            if code != 0 {
                prop_assert!(
                    stderr.starts_with("error: ") || stderr.starts_with("warning: "),
                    "{what} exited {code} without a message: {stderr}"
                );
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
        Ok(())
    });
    if let Err(e) = outcome {
        panic!("{e}");
    }
}
