//! Runners of every runtime, end to end: `conlab runner-check` passes
//! every built-in runner mode and rejects runners tampered with
//! (`tests/fixtures/runners/tampered.py`), each by the check that names
//! its fault; `node-*` and `custom` cells run, skip or fail as the book
//! says. Tests that need Node.js or CPython skip loudly without them (and
//! fail under `CONLAB_TEST_STRICT=1`).

use std::path::{Path, PathBuf};

use crate::common::*;

/// Whether Node.js 20 or newer is on PATH; if not, the calling test is
/// recorded as skipped (and fails in strict mode).
fn node_usable() -> bool {
    let version = std::process::Command::new("node")
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    let major = version
        .as_deref()
        .and_then(|v| v.strip_prefix('v')?.split('.').next()?.parse::<u32>().ok());
    let ok = major.is_some_and(|m| m >= 20);
    if !ok {
        skip(Reason::NoNode, "no Node.js 20 or newer on PATH");
    }
    ok
}

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn text(path: &str) -> String {
    std::fs::read_to_string(repo(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// `python3 tests/fixtures/runners/tampered.py MODE python3 -I -c <runner.py>`.
fn tampered_python(mode: &str) -> Vec<String> {
    vec![
        "python3".into(),
        fixture("runners/tampered.py").display().to_string(),
        mode.into(),
        "python3".into(),
        "-I".into(),
        "-c".into(),
        text("src/model/python/runner.py"),
    ]
}

fn runner_check(args: &[&str], command: &[String]) -> (i32, String, String) {
    let output = conlab()
        .arg("runner-check")
        .args(args)
        .arg("--")
        .args(command)
        .output()
        .unwrap_or_else(|e| panic!("cannot run conlab: {e}"));
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// `conlab runner-check --kind KIND`, passed on its first or second try
/// (its timing checks tolerate a busy machine, not every busy moment).
fn check_kind_passes(kind: &str) {
    check_kind_passes_in(kind, &[]);
}

/// As [`check_kind_passes`], with more arguments (`--python PYTHON`).
fn check_kind_passes_in(kind: &str, more: &[&str]) {
    let mut last = String::new();
    for _ in 0..2 {
        let mut args: Vec<&std::ffi::OsStr> =
            vec!["runner-check".as_ref(), "--kind".as_ref(), kind.as_ref()];
        args.extend(more.iter().map(std::ffi::OsStr::new));
        let (code, stdout, _) = conlab_output(&args);
        if code == 0 {
            assert!(
                stdout
                    .lines()
                    .last()
                    .is_some_and(|l| l.starts_with("all ") && l.ends_with(" checks held")),
                "{stdout}"
            );
            assert!(!stdout.contains("FAIL"), "{stdout}");
            return;
        }
        last = stdout;
    }
    panic!("{kind} failed runner-check twice:\n{last}");
}

#[test]
fn every_built_in_python_mode_passes_runner_check() {
    let Some((_cores, _dir)) = python_test() else {
        return;
    };
    for kind in [
        "python-sequential",
        "python-threads",
        "python-thread-pool",
        "python-asyncio",
        "python-processes",
        "python-asyncio-blocking",
    ] {
        check_kind_passes(kind);
    }
}

/// python-gevent passes it in a Python with gevent (named with --python).
#[test]
fn the_gevent_mode_passes_runner_check() {
    let Some((_cores, _dir)) = python_test() else {
        return;
    };
    let gevent = match gevent_python() {
        Ok(python) => python,
        Err(why) => return skip(Reason::NoGevent, &why),
    };
    check_kind_passes_in("python-gevent", &["--python", &gevent]);
}

#[test]
fn every_built_in_node_mode_passes_runner_check() {
    if !node_usable() {
        return;
    }
    let _cores = serial();
    for kind in ["node-async", "node-workers"] {
        check_kind_passes(kind);
    }
}

/// The FAIL lines of a runner-check of `tampered.py MODE` around the
/// threads model of runner.py, on `checks`.
fn failures_of(mode: &str, checks: &str) -> Vec<String> {
    let (code, stdout, stderr) = runner_check(
        &["--model", "threads", "--only", checks],
        &tampered_python(mode),
    );
    assert_eq!(code, 1, "{mode} was not rejected:\n{stdout}\n{stderr}");
    assert!(
        stdout
            .lines()
            .last()
            .is_some_and(|l| l.ends_with("checks failed")),
        "{stdout}"
    );
    stdout
        .lines()
        .filter(|l| l.starts_with("FAIL"))
        .map(|l| l[5..].split("  ").next().unwrap_or("").trim().to_string())
        .collect()
}

#[test]
fn runner_check_rejects_a_runner_that_sleeps_too_short() {
    let Some((_cores, _dir)) = python_test() else {
        return;
    };
    let failed = failures_of("short-sleep", "timers");
    assert_eq!(
        failed,
        ["sleep: never early", "sleep: overlap"],
        "{failed:?}"
    );
}

#[test]
fn runner_check_rejects_a_runner_that_burns_too_little_cpu() {
    let Some((_cores, _dir)) = python_test() else {
        return;
    };
    // Saying so: its per-task figures give it away.
    let failed = failures_of("less-cpu", "cpu");
    assert!(failed.contains(&"cpu: per task".to_string()), "{failed:?}");
    // Lying: its processes' CPU gives it away (its timeline's bursts,
    // which last half what it claims, may too, depending on the spans).
    let failed = failures_of("lie-cpu", "cpu");
    assert!(failed.contains(&"cpu: process".to_string()), "{failed:?}");
    assert!(
        failed
            .iter()
            .all(|f| f == "cpu: process" || f == "cpu: spans"),
        "{failed:?}"
    );
}

#[test]
fn runner_check_rejects_a_runner_that_drops_a_task_or_prints_garbage() {
    let Some((_cores, _dir)) = python_test() else {
        return;
    };
    let (_, stdout, _) = runner_check(
        &["--model", "threads", "--only", "timers"],
        &tampered_python("drop-task"),
    );
    assert!(
        stdout.contains(
            "FAIL sleep 4×2×100ms: reply       the runner `python3` answered with data conlab \
             cannot read (3 task records for 4 tasks)"
        ),
        "{stdout}"
    );
    let (code, stdout, _) = runner_check(
        &["--model", "threads", "--only", "timers"],
        &tampered_python("garbage"),
    );
    assert_eq!(code, 1);
    assert!(
        stdout.contains(
            "FAIL sleep 4×2×100ms: reply       the runner `python3` answered with data conlab \
             cannot read (its last line is not a reply (expected value at line 1 column 1): \
             \"Traceback (most recent call last): garbage\")"
        ),
        "{stdout}"
    );
    assert!(stdout.ends_with("1 of 1 checks failed\n"), "{stdout}");
}

#[test]
fn runner_check_refuses_bad_arguments_before_running_anything() {
    let cases: [(&[&str], &str); 4] = [
        (
            &["runner-check"],
            "error: name the runner to check: conlab runner-check -- ./my-runner --flag (or --kind \
             KIND for a built-in one)\n",
        ),
        (
            &["runner-check", "--kind", "threads"],
            "error: \"threads\" has no built-in runner\n  = help: the built-in runner kinds are \
             python-sequential, python-threads, python-thread-pool, python-asyncio, \
             python-processes, python-asyncio-blocking, python-gevent, node-async, node-workers, go-goroutines, \
             go-pool, java-threads, java-pool, java-virtual; give your own runner as a command: \
             conlab runner-check -- ./my-runner\n",
        ),
        (
            &["runner-check", "--expect", "sideways", "--", "./r"],
            "error: unknown --expect \"sideways\"\n  = help: use one of serial, overlap, pool\n",
        ),
        (
            &["runner-check", "--only", "timers,naps", "--", "./r"],
            "error: unknown check \"naps\" in --only\n  = help: the checks are timers, short, cpu, \
             counters, arrivals, tcp\n",
        ),
    ];
    for (args, message) in cases {
        let args: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_ref()).collect();
        let (code, stdout, stderr) = conlab_output(&args);
        assert_eq!((code, stdout.as_str(), stderr.as_str()), (2, "", message));
    }
}

/// A small experiment of one workload, `models` appended.
fn experiment(name: &str, models: &str) -> String {
    format!(
        "[experiment]\nname = \"{name}\"\nrepetitions = 2\nwarmup = 0\n\n[[workload]]\nname = \
         \"io\"\ntasks = 4\nio_latency = \"20ms\"\ncpu_cost = \"2ms\"\n{models}"
    )
}

fn toml_list(words: &[String]) -> String {
    let quoted: Vec<String> = words
        .iter()
        .map(|w| serde_json::to_string(w).unwrap_or_default())
        .collect();
    format!("[{}]", quoted.join(", "))
}

#[test]
fn node_cells_run_and_their_start_up_is_measured_once() {
    if !node_usable() {
        return;
    }
    let _cores = serial();
    let dir = tempdir();
    let models = "\n[[model]]\nkind = \"node-async\"\n\n[[model]]\nkind = \"node-workers\"\nworkers = 2\n\n\
                  [[model]]\nkind = \"node-async\"\nname = \"no node\"\nnode = \"/nonexistent/conlab-test/node\"\n";
    let file = write(dir.path(), "node.toml", &experiment("node", models));
    let out = dir.path().join("out");
    let output = conlab()
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("Runtime start-up (an empty program, least of 3): node "),
        "{stderr}"
    );
    let cells = summary(&out);
    let status = |variant: &str| {
        cells
            .iter()
            .find(|c| c["variant"] == variant)
            .map(|c| (c["status"].clone(), c["message"].clone()))
            .unwrap_or_else(|| panic!("no {variant}"))
    };
    assert_eq!(status("node-async").0, "ok");
    assert_eq!(status("node-workers workers=2").0, "ok");
    let (skipped, why) = status("no node");
    assert_eq!(skipped, "skipped");
    assert!(
        why.as_str().is_some_and(|w| w.starts_with(
            "Node.js `/nonexistent/conlab-test/node` not found; install Node.js 20 or later"
        )),
        "{why}"
    );
    // Four tasks of 20 ms overlap on the loop: well under their sum.
    let wall = median(&cells, "io", "node-async");
    assert!((20.0..80.0).contains(&wall), "node-async took {wall} ms");
    let env: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("environment.json")).unwrap_or_default(),
    )
    .unwrap_or_default();
    let startup = env["runtime_startup_ms"][0].clone();
    assert_eq!(startup[0], "node", "{env}");
    assert!(startup[1].as_f64().is_some_and(|ms| ms > 1.0), "{env}");
    assert!(
        env["node"].to_string().contains("Node.js v"),
        "{}",
        env["node"]
    );
}

#[test]
fn a_custom_runner_runs_without_a_prediction_and_a_refusal_skips_its_cell() {
    let Some((_cores, dir)) = python_test() else {
        return;
    };
    let runner = repo("src/model/python/runner.py").display().to_string();
    let speaks = toml_list(&[
        "python3".into(),
        fixture("runners/tampered.py").display().to_string(),
        "as:threads".into(),
        "python3".into(),
        "-I".into(),
        runner.clone(),
    ]);
    let refuses = toml_list(&["python3".into(), "-I".into(), runner]);
    let models = format!(
        "\n[[model]]\nkind = \"custom\"\nname = \"mine\"\ncommand = {speaks}\n\n[[model]]\nkind = \
         \"custom\"\nname = \"refuses\"\ncommand = {refuses}\n\n[[model]]\nkind = \"threads\"\n"
    );
    let file = write(dir.path(), "custom.toml", &experiment("custom", &models));
    let out = dir.path().join("out");
    let output = conlab()
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let cells = summary(&out);
    let mine = cells
        .iter()
        .find(|c| c["variant"] == "mine")
        .cloned()
        .unwrap_or_default();
    assert_eq!(mine["status"], "ok", "{mine}");
    assert!(mine["efficiency"].is_null(), "{mine}");
    let refused = cells
        .iter()
        .find(|c| c["variant"] == "refuses")
        .cloned()
        .unwrap_or_default();
    assert_eq!(refused["status"], "skipped", "{refused}");
    assert_eq!(
        refused["message"],
        "this runner has no model 'custom' (it has asyncio, asyncio-blocking, gevent, \
         processes, sequential, thread-pool, threads)"
    );
    // No prediction: no efficiency, anywhere it is shown.
    let row = stdout
        .lines()
        .find(|l| l.contains("io · mine"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(
        row.trim_end()
            .trim_end_matches('│')
            .trim_end()
            .ends_with('-'),
        "{row}"
    );
}
