//! The python-* models end to end through the real binary: the note's
//! claims on a real CPython, and what happens when the interpreter is
//! missing or crashes. Tests that need `python3` are listed as skipped when
//! it is not installed (and fail in strict mode, see `support/skip.rs`). Skipped cells are not failures: a run whose only
//! problems are skipped cells exits 0. Every test holds the core lock, so
//! the timed one never shares the two cores with another.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::common::*;

fn runs_of<'a>(
    runs: &'a [std::collections::HashMap<String, String>],
    model: &str,
) -> Vec<&'a std::collections::HashMap<String, String>> {
    runs.iter().filter(|r| r["model"] == model).collect()
}

#[test]
fn python_threads_gain_nothing_on_cpu_and_overlap_io() {
    let Some((_cores, dir)) = python_test() else {
        return;
    };
    let file = write(
        dir.path(),
        "claims.toml",
        r#"
        [experiment]
        name = "python-claims"
        repetitions = 5
        warmup = 1

        [[workload]]
        name = "cpu"
        tasks = 3
        cpu_cost = "40ms"

        [[workload]]
        name = "io"
        tasks = 4
        io_latency = "40ms"

        [[model]]
        kind = "python-sequential"

        [[model]]
        kind = "python-threads"
        "#,
    );
    let out = dir.path().join("out");
    let (code, stderr) = run_into(&file, &out, &[]);
    assert_eq!(code, 0, "{stderr}");
    let cells = summary(&out);
    let seq_cpu = median(&cells, "cpu", "python-sequential");
    let threads_cpu = median(&cells, "cpu", "python-threads");
    // Under the GIL three threads compute one at a time.
    assert!(
        threads_cpu >= 0.8 * seq_cpu,
        "CPU-bound: python-threads {threads_cpu} ms, python-sequential {seq_cpu} ms"
    );
    let seq_io = median(&cells, "io", "python-sequential");
    let threads_io = median(&cells, "io", "python-threads");
    assert!(
        (0.9 * 160.0..3.0 * 160.0).contains(&seq_io),
        "python-sequential took {seq_io} ms for 4 × 40 ms"
    );
    assert!(
        threads_io < 0.5 * seq_io,
        "IO-bound: python-threads {threads_io} ms, python-sequential {seq_io} ms"
    );
    // The interpreter's own start-up is setup, and its CPU is not the run's.
    let runs = csv_rows(&out.join("runs.csv"));
    for r in runs.iter().filter(|r| r["workload"] == "io") {
        let cpu: f64 = r["cpu_ms"].parse().unwrap_or(f64::MAX);
        assert!(cpu < 30.0, "{r:?}");
        let setup: f64 = r["setup_ms"].parse().unwrap_or(0.0);
        assert!(setup > 0.0, "{r:?}");
    }
}

/// An experiment of `python-*` models alone has speedups: over
/// `python-sequential`, in summary.json, the claims, the charts and the
/// report, which says what they are over.
#[test]
fn without_sequential_speedups_are_over_python_sequential() {
    let Some((_cores, dir)) = python_test() else {
        return;
    };
    let file = write(
        dir.path(),
        "py.toml",
        r#"
        [experiment]
        name = "py"
        repetitions = 3
        warmup = 0

        [[workload]]
        name = "io"
        tasks = 4
        io_latency = "30ms"

        [[model]]
        kind = "python-sequential"

        [[model]]
        kind = "python-asyncio"

        [[claim]]
        workload = "io"
        model = "python-asyncio"
        metric = "speedup"
        at_least = 1.2

        [[chart]]
        workload = "io"
        y = "speedup"
        "#,
    );
    let out = dir.path().join("out");
    let (code, stderr) = run_into(&file, &out, &[]);
    assert!(code == 0 || code == 1, "{stderr}");
    let cells = summary(&out);
    let speedup = |variant: &str| field(&cells, "io", variant, "speedup");
    assert_eq!(speedup("python-sequential"), 1.0);
    assert!(speedup("python-asyncio") > 1.5, "{cells:?}");
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("summary.json")).unwrap_or_default(),
    )
    .unwrap_or_default();
    let point = &json["claims"][0]["points"][0];
    assert!(point["value"].as_f64().is_some_and(|v| v > 1.5), "{point}");
    let report = std::fs::read_to_string(out.join("report.md")).unwrap_or_default();
    assert!(
        report.contains("speedup: python-sequential's median / this median"),
        "{report}"
    );
    assert!(
        report.contains("![Speedup over python-sequential · io]"),
        "{report}"
    );
}

const MISSING: &str = r#"
[experiment]
name = "missing"
repetitions = 2
warmup = 0

[[workload]]
name = "io"
tasks = 2
io_latency = "1ms"

[[model]]
kind = "sequential"

[[model]]
kind = "python-threads"
python = "/nonexistent/conlab-test/python3"

[[model]]
kind = "python-asyncio"
python = "/nonexistent/conlab-test/python3"
"#;

#[test]
fn a_missing_interpreter_skips_its_cells_and_the_others_run() {
    let _cores = serial();
    let dir = tempdir();
    let file = write(dir.path(), "missing.toml", MISSING);
    let (code, stdout, warnings) = validate_file(&file);
    assert_eq!(code, 0);
    assert!(
        warnings.contains(
            "warning: cell \"io · python-threads\" will be skipped: Python interpreter \
             `/nonexistent/conlab-test/python3` not found; install CPython 3.8 or newer, \
             or name one with python = \"...\" in [experiment] or in the [[model]]"
        ),
        "{warnings}"
    );
    assert!(stdout.contains("3 cells (2 skipped)"), "{stdout}");
    let out = dir.path().join("out");
    let (code, stderr) = run_into(&file, &out, &[]);
    assert_eq!(code, 0, "skipped cells are not failures: {stderr}");
    let runs = csv_rows(&out.join("runs.csv"));
    assert_eq!(runs.len(), 6);
    assert!(
        runs_of(&runs, "sequential")
            .iter()
            .all(|r| r["status"] == "ok")
    );
    for model in ["python-threads", "python-asyncio"] {
        let rows = runs_of(&runs, model);
        assert_eq!(rows.len(), 2);
        for r in rows {
            assert_eq!(r["status"], "skipped");
            assert!(r["message"].contains("not found"), "{r:?}");
        }
    }
    let cells = summary(&out);
    assert_eq!(cells[0]["status"], "ok");
    assert_eq!(cells[1]["status"], "skipped");
}

#[test]
fn without_python3_on_path_python_cells_are_skipped() {
    let _cores = serial();
    let dir = tempdir();
    let empty = dir.path().join("empty-path");
    std::fs::create_dir(&empty).unwrap_or_else(|e| panic!("{e}"));
    let file = write(
        dir.path(),
        "default.toml",
        &MISSING.replace("python = \"/nonexistent/conlab-test/python3\"\n", ""),
    );
    let output = conlab()
        .env("PATH", &empty)
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(dir.path().join("out"))
        .arg("-q")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let runs = csv_rows(&dir.path().join("out").join("runs.csv"));
    let skipped = runs_of(&runs, "python-threads");
    assert!(
        skipped[0]["message"].starts_with("Python interpreter `python3` not found"),
        "{skipped:?}"
    );
}

/// An interpreter that passes the probe but is handed a job the real
/// runner refuses (a thread pool of no workers), so the run really crashes
/// inside Python with a traceback.
fn crashing_python(dir: &Path) -> String {
    let path = dir.join("crashing-python");
    std::fs::write(
        &path,
        "#!/bin/sh\n\
         case \"$*\" in *conlab-probe*) exec python3 \"$@\" ;; esac\n\
         sed 's/\"workers\":[0-9]*/\"workers\":0/' | exec python3 \"$@\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
        .unwrap_or_else(|e| panic!("{e}"));
    path.display().to_string()
}

#[test]
fn a_python_crash_is_recorded_as_failed_and_the_other_cells_run() {
    let Some((_cores, dir)) = python_test() else {
        return;
    };
    let file = write(
        dir.path(),
        "crash.toml",
        &format!(
            r#"
            [experiment]
            name = "crash"
            repetitions = 2
            warmup = 0

            [[workload]]
            name = "io"
            tasks = 2
            io_latency = "1ms"

            [[model]]
            kind = "python-thread-pool"
            name = "crashes"
            python = "{}"

            [[model]]
            kind = "python-sequential"
            "#,
            crashing_python(dir.path())
        ),
    );
    let out = dir.path().join("out");
    let (code, stderr) = run_into(&file, &out, &[]);
    assert_eq!(code, 1, "failed runs exit 1: {stderr}");
    let runs = csv_rows(&out.join("runs.csv"));
    let crashed = runs_of(&runs, "crashes");
    assert_eq!(crashed.len(), 2);
    for r in crashed {
        assert_eq!(r["status"], "failed");
        assert!(
            r["message"].contains("exited with status 1")
                && r["message"].contains("ValueError: max_workers must be greater than 0"),
            "{r:?}"
        );
    }
    assert!(
        runs_of(&runs, "python-sequential")
            .iter()
            .all(|r| r["status"] == "ok")
    );
}
