//! Experiment files end to end: groups, `init`, `schema`, and the hostile
//! inputs of issue 8 — each regression test named after its defect and
//! holding the exact text a user sees.

use std::time::{Duration, Instant};

use crate::common::*;

/// `conlab validate FILE` (or more arguments): exit code, stdout, stderr.
fn validate(args: &[&std::ffi::OsStr]) -> (i32, String, String) {
    let out = conlab()
        .arg("validate")
        .args(args)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn validate_text(text: &str) -> (i32, String, String) {
    let dir = tempdir();
    let file = write(dir.path(), "exp.toml", text);
    let shown = conlab()
        .current_dir(dir.path())
        .args(["validate", "exp.toml"])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    drop(file);
    (
        shown.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&shown.stdout).into_owned(),
        String::from_utf8_lossy(&shown.stderr).into_owned(),
    )
}

const CONVOY: &str = r#"
[[workload]]
name = "convoy"
io = "sleep"            # io stays per workload
[[workload.group]]
name = "cpu"
tasks = 1
cpu_cost = "400ms"
[[workload.group]]
name = "io"
tasks = 1
io_latency = "1ms"
cpu_cost = "20us"
rounds = [50, 200]      # any numeric field of a group is sweepable

[[model]]
kind = "threads"
[[model]]
kind = "gil-threads"
[[model]]
kind = "processes"
"#;

#[test]
fn validate_lists_the_cells_of_a_workload_with_groups() {
    let (code, stdout, stderr) = validate_text(CONVOY);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("1 workload × 3 models → 6 cells (0 skipped), 36 runs"),
        "{stdout}"
    );
    let cells: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with(" convoy · "))
        .map(|l| l.split('│').next().unwrap_or("").trim())
        .collect();
    assert_eq!(
        cells,
        [
            "convoy · threads · io.rounds=50",
            "convoy · gil-threads · io.rounds=50",
            "convoy · processes · io.rounds=50",
            "convoy · threads · io.rounds=200",
            "convoy · gil-threads · io.rounds=200",
            "convoy · processes · io.rounds=200",
        ]
    );
}

#[test]
fn init_writes_a_starter_that_validates_and_is_never_overwritten() {
    let dir = tempdir();
    let init = |dir: &std::path::Path| {
        conlab()
            .current_dir(dir)
            .arg("init")
            .output()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let first = init(dir.path());
    assert_eq!(first.status.code(), Some(0));
    // On stdout since issue 22: what the command made.
    assert_eq!(
        String::from_utf8_lossy(&first.stdout),
        "Wrote experiment.toml. Next: conlab validate experiment.toml, then conlab run experiment.toml\n"
    );
    assert!(first.stderr.is_empty());
    let (code, stdout, stderr) = validate(&[dir.path().join("experiment.toml").as_os_str()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("→ 16 cells (0 skipped), 64 runs"),
        "{stdout}"
    );
    assert!(stderr.is_empty(), "{stderr}");
    std::fs::write(dir.path().join("experiment.toml"), "mine\n").unwrap_or_else(|e| panic!("{e}"));
    let second = init(dir.path());
    assert_eq!(second.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&second.stderr),
        "error: experiment.toml already exists; conlab init never replaces a file\n  = help: \
         name another file: conlab init my-experiment.toml\n"
    );
    let kept = std::fs::read_to_string(dir.path().join("experiment.toml")).unwrap_or_default();
    assert_eq!(kept, "mine\n");
}

/// `init --python` writes the Python starter: only real CPython models,
/// the blocking-call pitfall among them, and claims; it validates.
#[test]
fn init_python_writes_a_starter_of_cpython_models_with_claims() {
    let dir = tempdir();
    let made = conlab()
        .current_dir(dir.path())
        .args(["init", "--python", "py.toml"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(made.status.code(), Some(0));
    let text = std::fs::read_to_string(dir.path().join("py.toml")).unwrap_or_default();
    let kinds: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("kind = \""))
        .filter_map(|l| l.split('"').next())
        .collect();
    assert_eq!(
        kinds,
        [
            "python-sequential",
            "python-threads",
            "python-asyncio",
            "python-asyncio-blocking",
            "python-processes"
        ]
    );
    assert_eq!(text.matches("[[claim]]").count(), 3);
    let (code, stdout, stderr) = validate(&[dir.path().join("py.toml").as_os_str()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("→ 10 cells (0 skipped), 40 runs"),
        "{stdout}"
    );
    // The Rust starter says where the Python one is.
    assert!(
        conlab_init_default_mentions_python(),
        "the default starter does not name --python"
    );
}

fn conlab_init_default_mentions_python() -> bool {
    let dir = tempdir();
    let made = conlab()
        .current_dir(dir.path())
        .arg("init")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    made.status.success()
        && std::fs::read_to_string(dir.path().join("experiment.toml"))
            .unwrap_or_default()
            .contains("conlab init --python")
}

/// `--help` ends with a start that works in any directory.
#[test]
fn help_ends_with_a_start_that_works_anywhere() {
    let out = conlab()
        .arg("--help")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    // clap wraps at the terminal's width: compare the words.
    let help = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        help.ends_with(
            "Start with: conlab init (writes experiment.toml; conlab init --python for CPython's \
             models), then conlab run experiment.toml"
        ),
        "{help}"
    );
}

/// The starter runs, quickly (its prediction is a few seconds; a minute
/// is the promise).
#[test]
fn init_then_run_takes_less_than_a_minute() {
    let _serial = serial();
    let dir = tempdir();
    let file = dir.path().join("first.toml");
    let made = conlab()
        .arg("init")
        .arg(&file)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(made.status.code(), Some(0));
    let started = Instant::now();
    let (code, stderr) = run_into(&file, &dir.path().join("out"), &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(csv_rows(&dir.path().join("out/runs.csv")).len(), 16 * 3);
}

#[test]
fn schema_prints_json_with_every_section() {
    let out = conlab()
        .arg("schema")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(0));
    let schema: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    for def in [
        "experiment",
        "workload",
        "workload.group",
        "model",
        "chart",
        "latency",
    ] {
        assert!(schema["$defs"][def].is_object(), "{def}");
    }
}

#[test]
fn validate_help_lists_every_key() {
    let out = conlab()
        .args(["validate", "--help"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let help = String::from_utf8_lossy(&out.stdout);
    for line in [
        "[[workload.group]] (or a [[workload]] without groups)",
        "  repetitions        a whole number from 1 to 100000; default: 5",
        "  poll_interval      a duration, or a list; default: \"0ms\"",
    ] {
        assert!(help.contains(line), "{line:?} not in:\n{help}");
    }
}

/// Issue 8: `python = "./evil.sh"` with a python-* model ran evil.sh
/// during `validate`.
#[test]
fn validate_runs_no_program_the_file_names() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempdir();
    let script = write(dir.path(), "evil.sh", "#!/bin/sh\ntouch executed\n");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))
        .unwrap_or_else(|e| panic!("{e}"));
    write(
        dir.path(),
        "exp.toml",
        "[experiment]\npython = \"./evil.sh\"\n[[workload]]\ntasks = 1\n\
         [[model]]\nkind = \"python-threads\"\n[[model]]\nkind = \"python-sequential\"\n\
         python = \"no-such-python3\"\n",
    );
    let out = conlab()
        .current_dir(dir.path())
        .args(["validate", "exp.toml"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(0));
    assert!(
        !dir.path().join("executed").exists(),
        "validate ran evil.sh"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(
            "  Python interpreters (validate starts none; run asks each for its version first):\n    \
             python = \"./evil.sh\" → ./evil.sh, executable\n    \
             python = \"no-such-python3\" → not found on PATH\n"
        ),
        "{stdout}"
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "warning: cell \"workload-1 · python-sequential\" will be skipped: Python interpreter \
         `no-such-python3` not found; install CPython 3.8 or newer, or name one with python = \
         \"...\" in [experiment] or in the [[model]]\n"
    );
}

/// `run` says which interpreter it runs before running it.
#[test]
fn run_names_the_interpreter_it_runs() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempdir();
    let old = write(
        dir.path(),
        "old.sh",
        "#!/bin/sh\necho conlab-probe python 2 7 18\n",
    );
    std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o755))
        .unwrap_or_else(|e| panic!("{e}"));
    write(
        dir.path(),
        "exp.toml",
        "[experiment]\npython = \"./old.sh\"\nrepetitions = 1\nwarmup = 0\n\
         [[workload]]\ntasks = 1\n[[model]]\nkind = \"python-threads\"\n",
    );
    let out = conlab()
        .current_dir(dir.path())
        .args(["run", "exp.toml", "--out", "out"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.starts_with(
            "Python interpreter (python = \"./old.sh\"): runs ./old.sh for the python-* cells\n"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("`./old.sh` is Python 2.7.18"), "{stderr}");
}

/// Issue 8: `validate /dev/zero` grew without end (issue 22: a device is
/// refused before it is opened).
#[test]
fn validate_dev_zero_is_refused_as_a_device() {
    let started = Instant::now();
    let (code, _, stderr) = validate(&["/dev/zero".as_ref()]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "error: experiment file /dev/zero is a character device, not a regular file: conlab \
         reads an experiment file only from a regular file\n  = help: write the experiment to a \
         file and name that file; is /dev/zero the file you meant?\n\n"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
}

/// Issue 8: a FIFO that no one writes to made `validate` wait forever
/// (issue 22: it is refused, not read).
#[test]
fn validate_a_fifo_is_refused_without_waiting_for_a_writer() {
    let dir = tempdir();
    let fifo = dir.path().join("exp.toml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    assert!(made, "mkfifo failed");
    let (code, _, stderr) = validate(&[fifo.as_os_str()]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        format!(
            "error: experiment file {0} is a FIFO (a pipe), not a regular file: conlab reads an \
             experiment file only from a regular file\n  = help: write the experiment to a file \
             and name that file; is {0} the file you meant?\n\n",
            fifo.display()
        )
    );
}

/// Issue 8: a `tasks` sweep of 80,000 values took over 30 s and 7 GB.
#[test]
fn a_sweep_of_80000_task_counts_fails_fast() {
    let values: Vec<String> = (1..=80_000).map(|n| n.to_string()).collect();
    let text = format!(
        "[[workload]]\ntasks = [{}]\n[[model]]\nkind = \"threads\"\n",
        values.join(", ")
    );
    let started = Instant::now();
    let (code, _, stderr) = validate_text(&text);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "error: the experiment's cells have 3200040000 task rounds (tasks × rounds) in all; \
         conlab prepares at most 100000000\n  --> exp.toml\n   = help: every model runs every \
         workload point, so a sweep of tasks adds up quickly: sweep fewer or smaller values\n\n\
         exp.toml: 1 error found; nothing was run\n\n"
    );
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

/// Issue 8: every cell's latency table was drawn up front, so a file of
/// nine lines could need gigabytes; now one point's table at a time.
#[test]
fn nine_lines_of_a_million_tasks_validate_without_gigabytes() {
    let text = "[[workload]]\ntasks = 1000000\nrounds = 10\nio_latency = { dist = \"exponential\", mean = \"1ms\" }\n\
                [[model]]\nkind = \"async\"\n[[model]]\nkind = \"sequential\"\n\
                [[model]]\nkind = \"polling\"\n";
    let (code, stdout, stderr) = validate_text(text);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("→ 3 cells"), "{stdout}");
}

/// Issue 8: `-n 4294967295` aborted on a 34 GB allocation.
#[test]
fn repetitions_on_the_command_line_have_the_file_s_cap() {
    let out = conlab()
        .args(["run", "x.toml", "-n", "4294967295"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with(
            "error: invalid value '4294967295' for '--repetitions <N>': 4294967295 is not in 1..=100000"
        ),
        "{stderr}"
    );
    let dir = tempdir();
    let file = write(
        dir.path(),
        "exp.toml",
        "[[workload]]\ntasks = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]\n[[model]]\nkind = \"threads\"\n",
    );
    let (code, stderr) = run_into(&file, &dir.path().join("out"), &["-n", "100000"]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "error: the experiment asks for 1100011 runs (11 cells × (1 warm-up + 100000 measured)); \
         conlab runs at most 1000000\n  = help: lower -n or -w, or keep fewer cells with --filter\n"
    );
    assert!(!dir.path().join("out").exists());
}

/// Issue 8: `"1+2ms"` was read as 12 ms and `"_1__0_ms"` as 10 ms.
#[test]
fn durations_with_stray_characters_are_errors() {
    let (code, _, stderr) = validate_text(
        "[[workload]]\ntasks = 1\ncpu_cost = \"1+2ms\"\nio_latency = \"_1__0_ms\"\n[[model]]\nkind = \"threads\"\n",
    );
    assert_eq!(code, 2);
    let grammar = "a duration is digits with at most one `.`, then a unit (ns, us, µs, ms, s, m, \
                   min, h) and nothing else: \"250us\", \"1.5ms\", \"2s\"";
    assert_eq!(
        stderr,
        format!(
            "error: invalid duration for `io_latency`: `_1__0_ms` contains `_`, which a duration \
             cannot contain\n --> exp.toml:4:14, at workload[0].io_latency\n  |\n\
             4 | io_latency = \"_1__0_ms\"\n  |              ^^^^^^^^^^\n  = help: {grammar}\n\n\
             error: invalid duration for `cpu_cost`: `1+2ms` contains `+`, which a duration \
             cannot contain\n --> exp.toml:3:12, at workload[0].cpu_cost\n  |\n\
             3 | cpu_cost = \"1+2ms\"\n  |            ^^^^^^^\n  = help: {grammar}\n\n\
             exp.toml: 2 errors found; nothing was run\n\n"
        )
    );
}

/// Issue 8: `cpu_cost × rounds` wrapped around in release builds (a
/// 2,000-round cell predicted shorter than 1,000 rounds).
#[test]
fn products_of_durations_and_counts_do_not_wrap_around() {
    let (code, _, stderr) = validate_text(
        "[[workload]]\nname = \"w\"\ntasks = 1\nrounds = [1000, 2000]\ncpu_cost = \"2600h\"\n\
         [[model]]\nkind = \"threads\"\n",
    );
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "error: workload \"w\" adds up to more than 584 years per cell: tasks × rounds × \
         (io_latency + cpu_cost) = 1 × 2000 × (0ms + 9360000s)\n --> exp.toml:1:1, at workload[0]\n  |\n\
         1 | [[workload]]\n  | ^^^^^^^^^^^^\n  = help: conlab counts time in nanoseconds, at most \
         584 years; lower tasks, rounds, io_latency or cpu_cost\n\nexp.toml: 1 error found; \
         nothing was run\n\n"
    );
}

/// Issue 8: `"6000h"` printed as a garbage number.
#[test]
fn six_thousand_hours_print_as_themselves() {
    let (code, stdout, stderr) = validate_text(
        "[[workload]]\nname = \"w\"\ntasks = 1\ncpu_cost = [\"6000h\", \"1ms\"]\n\
         [[model]]\nkind = \"sequential\"\n",
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains(" w · sequential · cpu_cost=21600000s "),
        "{stdout}"
    );
}

/// Issue 8: escape sequences and U+202E in names and descriptions reached
/// the terminal.
#[test]
fn escape_sequences_and_bidi_overrides_are_shown_not_obeyed() {
    let (code, stdout, _) = validate_text(
        "[experiment]\ndescription = \"\\u001b]0;owned\\u0007 \\u202Eevil\"\n\
         [[workload]]\ntasks = 1\n[[model]]\nkind = \"threads\"\n",
    );
    assert_eq!(code, 0);
    assert!(
        stdout.contains("\n  \\u{1b}]0;owned\\u{7} \\u{202e}evil\n"),
        "{stdout}"
    );
    assert!(!stdout.contains('\u{1b}') && !stdout.contains('\u{202e}'));
    let (code, _, stderr) = validate_text(
        "[[workload]]\nname = \"io\u{202e}dab\"\ntasks = 1\n[[model]]\nkind = \"threads\"\n",
    );
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "error: invalid name \"io\\u{202e}dab\"\n --> exp.toml:2:8, at workload[0].name\n  |\n\
         2 | name = \"io\\u{202e}dab\"\n  |        ^^^^^^^^^^^^^^^\n  = help: a name cannot contain \
         bidirectional text controls (U+202A–U+202E, U+2066–U+2069 and the like): they make a \
         name show in another order than it reads\n\nexp.toml: 1 error found; nothing was run\n\n"
    );
}
