//! `conlab run` end to end: what lands on disk, how failures, timeouts,
//! skipped cells and reruns are handled. Short workloads; no timing claims
//! here (see claims.rs).

use crate::common::*;

/// Four cells (2 task counts × 2 models), 3 measured runs and a warm-up each.
fn two_by_two() -> String {
    io_experiment("two", 3, 1, "[2, 4]", "2ms", &["sequential", "async"])
}

#[test]
fn runs_csv_has_a_row_per_cell_and_repetition() {
    let dir = tempdir();
    let file = write(dir.path(), "two.toml", &two_by_two());
    let out = dir.path().join("out");
    let (code, stderr) = run_into(&file, &out, &[]);
    assert_eq!(code, 0, "{stderr}");
    let runs = csv_rows(&out.join("runs.csv"));
    assert_eq!(runs.len(), 4 * 3);
    assert!(runs.iter().all(|r| r["status"] == "ok"));
    for name in [
        "experiment.toml",
        "environment.json",
        "summary.csv",
        "summary.json",
    ] {
        assert!(out.join(name).is_file(), "{name} missing");
    }
    assert_eq!(
        std::fs::read_to_string(out.join("experiment.toml")).unwrap_or_default(),
        two_by_two()
    );
    let cells = summary(&out);
    assert_eq!(cells.len(), 4);
    for c in &cells {
        assert_eq!(c["n"], 3);
        for key in [
            "wall_mean_ms",
            "wall_median_ms",
            "wall_stddev_ms",
            "wall_min_ms",
            "wall_max_ms",
            "wall_ci95_low_ms",
            "wall_ci95_high_ms",
            "baseline_ms",
            "predicted_ms",
            "efficiency",
            "cpu_median_ms",
            "ctx_voluntary_median",
            "peak_rss_median_kb",
            "setup_median_ms",
        ] {
            assert!(c[key].is_number(), "{key} missing in {c}");
        }
    }
    let tasks4 = cells
        .iter()
        .find(|c| c["variant"] == "async" && c["tasks"] == 4)
        .unwrap_or_else(|| panic!("no async tasks=4 cell"));
    assert_eq!(tasks4["baseline_ms"].as_f64(), Some(8.0));
    assert_eq!(tasks4["predicted_ms"].as_f64(), Some(2.0));
    let summary_csv = csv_rows(&out.join("summary.csv"));
    assert_eq!(summary_csv.len(), 4);
    assert!(summary_csv[0].contains_key("efficiency"));
    let env: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("environment.json")).unwrap_or_default(),
    )
    .unwrap_or_default();
    assert!(env["usable_cores"].as_u64().unwrap_or(0) >= 1);
    assert_eq!(env["experiment_sha256"].as_str().map(str::len), Some(64));
}

#[test]
fn a_second_run_refuses_to_overwrite_without_force() {
    let dir = tempdir();
    let file = write(
        dir.path(),
        "one.toml",
        "[experiment]\nrepetitions = 1\nwarmup = 0\n[[workload]]\ntasks = 1\n[[model]]\nkind = \"sequential\"\n",
    );
    let out = dir.path().join("out");
    assert_eq!(run_into(&file, &out, &[]).0, 0);
    let before = std::fs::read_to_string(out.join("runs.csv")).unwrap_or_default();
    let (code, stderr) = run_into(&file, &out, &[]);
    assert_eq!(code, 2);
    assert!(stderr.contains("already holds results"), "{stderr}");
    assert!(stderr.contains("--force"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(out.join("runs.csv")).unwrap_or_default(),
        before
    );
    assert_eq!(run_into(&file, &out, &["--force"]).0, 0);
}

#[test]
fn a_run_killed_by_its_timeout_is_recorded_and_the_other_cells_complete() {
    let dir = tempdir();
    let file = write(
        dir.path(),
        "hang.toml",
        r#"
        [experiment]
        repetitions = 2
        warmup = 0
        timeout = "1s"

        [[workload]]
        name = "hangs"
        tasks = 1
        io_latency = "30s"

        [[workload]]
        name = "quick"
        tasks = 2
        io_latency = "1ms"

        [[model]]
        kind = "sequential"
        "#,
    );
    let out = dir.path().join("out");
    let started = std::time::Instant::now();
    let (code, stderr) = run_into(&file, &out, &[]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        started.elapsed().as_secs() < 25,
        "the hanging run was not killed"
    );
    let runs = csv_rows(&out.join("runs.csv"));
    assert_eq!(runs.len(), 4);
    let hangs: Vec<_> = runs.iter().filter(|r| r["workload"] == "hangs").collect();
    assert_eq!(hangs[0]["status"], "timed_out");
    assert!(
        hangs[0]["message"].contains("timeout of 1s"),
        "{:?}",
        hangs[0]
    );
    assert_eq!(hangs[1]["status"], "skipped");
    let quick: Vec<_> = runs.iter().filter(|r| r["workload"] == "quick").collect();
    assert!(quick.iter().all(|r| r["status"] == "ok"));
    let cells = summary(&out);
    assert_eq!(cells[0]["status"], "failed");
    assert_eq!(cells[1]["status"], "ok");
}

#[test]
fn cells_past_the_thread_limit_are_skipped_without_starting() {
    let dir = tempdir();
    let file = write(
        dir.path(),
        "many.toml",
        r#"
        [experiment]
        repetitions = 2
        warmup = 0
        [[workload]]
        name = "huge"
        tasks = [2, 1000000]
        io_latency = "1ms"
        [[model]]
        kind = "threads"
        "#,
    );
    let (code, _, warning) = validate_file(&file);
    assert_eq!(code, 0);
    assert!(
        warning.contains("will be skipped: needs 1000000 threads"),
        "{warning}"
    );
    let out = dir.path().join("out");
    let (code, stderr) = run_into(&file, &out, &[]);
    assert_eq!(code, 0, "{stderr}");
    let runs = csv_rows(&out.join("runs.csv"));
    let skipped: Vec<_> = runs.iter().filter(|r| r["status"] == "skipped").collect();
    assert_eq!(skipped.len(), 2);
    assert!(skipped[0]["message"].contains("vm.max_map_count"));
    assert_eq!(runs.iter().filter(|r| r["status"] == "ok").count(), 2);
    assert_eq!(summary(&out)[1]["status"], "skipped");
}

#[test]
fn filter_keeps_matching_cells_only() {
    let dir = tempdir();
    let file = write(dir.path(), "two.toml", &two_by_two());
    let out = dir.path().join("out");
    let (code, stderr) = run_into(&file, &out, &["--filter", "async", "-n", "1", "-w", "0"]);
    assert_eq!(code, 0, "{stderr}");
    let runs = csv_rows(&out.join("runs.csv"));
    assert_eq!(runs.len(), 2);
    assert!(runs.iter().all(|r| r["model"] == "async"));
    let (code, stderr) = run_into(&file, &dir.path().join("none"), &["--filter", "fibers"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no cell of"), "{stderr}");
}

#[test]
fn names_may_be_any_language() {
    let dir = tempdir();
    write(
        dir.path(),
        "ko.toml",
        r#"
        [experiment]
        name = "동시성 실험"
        repetitions = 1
        warmup = 0
        [[workload]]
        name = "입출력 대기"
        tasks = 2
        io_latency = "1ms"
        [[model]]
        kind = "async"
        name = "비동기 🌀"
        "#,
    );
    let output = conlab()
        .current_dir(dir.path())
        .args(["run", "ko.toml", "-q"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let out = dir.path().join("output").join("동시성 실험");
    let runs = csv_rows(&out.join("runs.csv"));
    assert_eq!(runs[0]["workload"], "입출력 대기");
    assert_eq!(runs[0]["model"], "비동기 🌀");
}

#[test]
fn latency_distributions_are_seeded_and_reproducible() {
    let dir = tempdir();
    let text = r#"
        [experiment]
        seed = 7
        repetitions = 1
        warmup = 0
        [[workload]]
        name = "jitter"
        tasks = 20
        io_latency = [{ dist = "uniform", min = "1ms", max = "3ms" }, { dist = "exponential", mean = "1ms" }, { dist = "normal", mean = "2ms", sd = "1ms" }]
        [[model]]
        kind = "async"
        "#;
    let file = write(dir.path(), "jitter.toml", text);
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    assert_eq!(run_into(&file, &a, &[]).0, 0);
    assert_eq!(run_into(&file, &b, &[]).0, 0);
    let (sa, sb) = (summary(&a), summary(&b));
    assert_eq!(sa.len(), 3);
    for (x, y) in sa.iter().zip(&sb) {
        assert_eq!(x["baseline_ms"], y["baseline_ms"]);
        assert_eq!(x["io_latency_mean_ms"], y["io_latency_mean_ms"]);
    }
    let uniform = sa[0]["io_latency_mean_ms"].as_f64().unwrap_or(0.0);
    assert!((1.0..=3.0).contains(&uniform), "{uniform}");
    let other_seed = write(
        dir.path(),
        "seed8.toml",
        &text.replace("seed = 7", "seed = 8"),
    );
    let c = dir.path().join("c");
    assert_eq!(run_into(&other_seed, &c, &[]).0, 0);
    assert_ne!(summary(&c)[0]["baseline_ms"], sa[0]["baseline_ms"]);
}

#[test]
fn validate_shows_the_matrix_and_an_estimate() {
    let dir = tempdir();
    let file = write(dir.path(), "two.toml", &two_by_two());
    let (code, stdout, _) = validate_file(&file);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("4 cells (0 skipped), 16 runs (1 warm-up + 3 measured per cell)"),
        "{stdout}"
    );
    assert!(stdout.contains("estimated duration"), "{stdout}");
    assert!(stdout.contains("io · async · tasks=4"), "{stdout}");
}

#[test]
fn models_lists_every_kind_with_its_prediction() {
    let output = conlab()
        .arg("models")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&output.stdout);
    for kind in [
        "sequential",
        "threads",
        "thread-pool",
        "async",
        "gil-threads",
        "polling",
    ] {
        assert!(stdout.contains(kind), "{kind} missing:\n{stdout}");
    }
    assert!(stdout.contains("max(max S_i, Σ P_i / C)"));
}

#[test]
fn the_run_prints_a_summary_table() {
    let dir = tempdir();
    let file = write(dir.path(), "two.toml", &two_by_two());
    let output = conlab()
        .arg("run")
        .arg(&file)
        .args(["--out"])
        .arg(dir.path().join("out"))
        .args(["-n", "1", "-w", "0"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&output.stdout);
    for column in ["cell", "median", "baseline", "speedup", "efficiency"] {
        assert!(stdout.contains(column), "{stdout}");
    }
    assert!(stdout.contains("io · sequential · tasks=2"), "{stdout}");
}
