//! How quiet the machine was (issue 15): the noise columns of `runs.csv`
//! and the summary, a run beside a core this test burns (and the warnings
//! that name it), the machine facts in `environment.json`, and results
//! written before any of this existed.

use crate::common::*;

/// Four cells (2 task counts × 2 models), 3 measured runs each.
fn short() -> String {
    io_experiment("short", 3, 0, "[1, 3]", "2ms", &["sequential", "threads"])
}

const NOISE_COLUMNS: [&str; 3] = ["steal_ms", "foreign_cpu_ms", "load_1m"];

fn header(path: &std::path::Path) -> Vec<String> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let first = text.lines().next().unwrap_or_default();
    first.split(',').map(str::to_string).collect()
}

fn number(row: &std::collections::HashMap<String, String>, key: &str) -> f64 {
    row[key]
        .parse()
        .unwrap_or_else(|e| panic!("{key} = {:?} is not a number: {e}", row[key]))
}

#[test]
fn runs_csv_ends_with_non_negative_noise_columns_and_the_summary_has_their_medians() {
    let dir = tempdir();
    let file = write(dir.path(), "short.toml", &short());
    let out = dir.path().join("out");
    let (code, stderr) = run_into(&file, &out, &[]);
    assert_eq!(code, 0, "{stderr}");
    let columns = header(&out.join("runs.csv"));
    // The shared counters' five columns (issue 11) came after them, and
    // then the interpreter's (issue 24).
    assert_eq!(columns.last().map(String::as_str), Some("python"));
    let noise_end = columns.len() - 6;
    assert_eq!(columns[noise_end - 3..noise_end], NOISE_COLUMNS);
    assert_eq!(columns[..4], ["cell", "workload", "model", "variant"]);
    let runs = csv_rows(&out.join("runs.csv"));
    assert_eq!(runs.len(), 4 * 3);
    for r in &runs {
        for key in NOISE_COLUMNS {
            assert!(number(r, key) >= 0.0, "{key} negative in {r:?}");
        }
    }
    let summary_columns = header(&out.join("summary.csv"));
    // Before the shared counters' six (issue 11) and the interpreter's
    // (issue 24).
    assert_eq!(summary_columns.last().map(String::as_str), Some("python"));
    let noise_end = summary_columns.len() - 7;
    assert_eq!(
        summary_columns[noise_end - 3..noise_end],
        ["steal_median_ms", "foreign_cpu_median_ms", "load_1m_median"]
    );
    for c in summary(&out) {
        for key in ["steal_median_ms", "foreign_cpu_median_ms", "load_1m_median"] {
            let v = c[key]
                .as_f64()
                .unwrap_or_else(|| panic!("{key} missing in {c}"));
            assert!(v >= 0.0, "{key} negative in {c}");
        }
    }
}

#[test]
fn a_core_this_test_burns_is_foreign_cpu_and_flagged_or_skipped_with_one_usable_core() {
    let _serial = serial();
    if usable_cores() < 2 {
        skip(
            Reason::OneCore,
            "only one core is usable here, so a burning core would slow the run itself instead of running beside it",
        );
        return;
    }
    let dir = tempdir();
    let file = write(
        dir.path(),
        "idle.toml",
        "[experiment]\nname = \"idle\"\nrepetitions = 3\nwarmup = 0\n\
         [[workload]]\nname = \"idle\"\ntasks = 1\nio_latency = \"300ms\"\n\
         [[model]]\nkind = \"sequential\"\n",
    );
    let out = dir.path().join("out");
    let output = {
        let _burner = Burner::start();
        std::thread::sleep(std::time::Duration::from_millis(50));
        conlab()
            .arg("run")
            .arg(&file)
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap_or_else(|e| panic!("cannot run conlab: {e}"))
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let runs = csv_rows(&out.join("runs.csv"));
    assert_eq!(runs.len(), 3);
    for r in &runs {
        let (wall, foreign) = (number(r, "wall_ms"), number(r, "foreign_cpu_ms"));
        // The burning core ran for the whole of the run: about its wall
        // time. A third leaves room for the counters' 10 ms rounding and
        // for the burner being preempted now and then.
        assert!(
            foreign >= wall / 3.0,
            "foreign CPU {foreign} ms during a {wall} ms run beside a burning core"
        );
    }
    assert!(
        stderr.contains("warning: other work on this machine disturbed 1 of 1 cells"),
        "{stderr}"
    );
    assert!(
        stderr.contains("  idle · sequential (busy machine): other processes used "),
        "{stderr}"
    );
    let report = std::fs::read_to_string(out.join("report.md")).unwrap_or_default();
    assert!(
        report.contains("- **busy machine** · idle · sequential — other processes used "),
        "{report}"
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap_or_default();
    assert!(
        html.contains(
            "<span class=\"level\">busy machine</span> · idle · sequential — other processes used "
        ),
        "{html}"
    );
}

#[test]
fn environment_json_has_every_machine_fact_or_an_explicit_null() {
    let dir = tempdir();
    let file = write(
        dir.path(),
        "one.toml",
        "[experiment]\nrepetitions = 1\nwarmup = 0\n[[workload]]\ntasks = 1\n[[model]]\nkind = \"sequential\"\n",
    );
    let out = dir.path().join("out");
    let (code, stderr) = run_into(&file, &out, &[]);
    assert_eq!(code, 0, "{stderr}");
    let text = std::fs::read_to_string(out.join("environment.json")).unwrap_or_default();
    let env: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    let Some(env) = env.as_object() else {
        panic!("environment.json is not an object: {text}")
    };
    let strings = [
        "hostname",
        "virtualization",
        "virtualization_source",
        "container",
        "clock_source",
        "cpu_governor",
        "smt",
        "isolated_cpus",
    ];
    let numbers = [
        "cpu_freq_min_mhz",
        "cpu_freq_max_mhz",
        "aslr",
        "memory_free_mb",
        "memory_available_mb",
    ];
    for key in strings {
        let v = env
            .get(key)
            .unwrap_or_else(|| panic!("{key} missing: {text}"));
        assert!(v.is_null() || v.is_string(), "{key} = {v}");
    }
    for key in numbers {
        let v = env
            .get(key)
            .unwrap_or_else(|| panic!("{key} missing: {text}"));
        assert!(v.is_null() || v.is_number(), "{key} = {v}");
    }
    let turbo = env.get("turbo").unwrap_or_else(|| panic!("turbo missing"));
    assert!(turbo.is_null() || turbo.is_boolean(), "turbo = {turbo}");
    let load = env
        .get("load_average")
        .unwrap_or_else(|| panic!("load_average missing"));
    assert!(
        load.is_null() || ["1m", "5m", "15m"].iter().all(|k| load[k].is_number()),
        "load_average = {load}"
    );
    // What was there before stays.
    for key in [
        "cpu_model",
        "usable_cores",
        "calibration",
        "experiment_sha256",
    ] {
        assert!(env.contains_key(key), "{key} missing");
    }
    // Every Linux machine exposes these.
    assert!(env["memory_available_mb"].is_number() && env["aslr"].is_number());
}

/// `tests/fixtures/results-before-noise` holds the `three-tasks` cells of a
/// seed run by conlab 0.1.0 before the noise columns existed: its
/// `runs.csv` rows, `summary.json` cells, `environment.json` and
/// `experiment.toml`, as that version wrote them.
#[test]
fn results_written_before_the_noise_columns_still_plot_and_compare() {
    let dir = tempdir();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    copy_dir(&fixture("results-before-noise"), &a);
    copy_dir(&fixture("results-before-noise"), &b);
    assert!(!header(&a.join("runs.csv")).contains(&"foreign_cpu_ms".to_string()));
    let plotted = conlab()
        .arg("plot")
        .arg(&a)
        .arg("--quiet")
        .output()
        .unwrap_or_else(|e| panic!("cannot run conlab: {e}"));
    assert_eq!(
        plotted.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&plotted.stderr)
    );
    let report = std::fs::read_to_string(a.join("report.md")).unwrap_or_default();
    assert!(report.contains("three-tasks · threads"), "{report}");
    assert!(!report.contains("**busy machine**"), "{report}");
    let compared = conlab()
        .arg("compare")
        .arg(&a)
        .arg(&b)
        .arg("--out")
        .arg(dir.path().join("cmp"))
        .output()
        .unwrap_or_else(|e| panic!("cannot run conlab: {e}"));
    let stdout = String::from_utf8_lossy(&compared.stdout);
    assert_eq!(
        compared.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&compared.stderr)
    );
    assert!(stdout.contains("no significant difference"), "{stdout}");
    assert!(!stdout.contains("; busy machine ("), "{stdout}");
}
