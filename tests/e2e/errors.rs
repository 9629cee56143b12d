//! Bad input: every malformed file exits 2 before anything runs, with the
//! message a user sees.

use crate::common::*;

#[test]
fn a_typo_gets_file_line_key_and_a_suggestion() {
    let out = conlab()
        .current_dir(fixture(""))
        .args(["validate", "typo.toml"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: unknown key `io_latancy` in [[workload]]\n \
         --> typo.toml:7:1, at workload[0].io_latancy\n  |\n\
         7 | io_latancy = \"50ms\"\n  | ^^^^^^^^^^\n  = help: did you mean `io_latency`?\n\n\
         typo.toml: 1 error found; nothing was run\n\n"
    );
}

#[test]
fn run_refuses_a_bad_file_and_writes_nothing() {
    let dir = tempdir();
    let out = dir.path().join("out");
    let (code, stderr) = run_into(&fixture("typo.toml"), &out, &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("did you mean `io_latency`?"));
    assert!(!out.exists(), "nothing may be written for a bad file");
}

#[test]
fn every_bad_file_is_reported_before_anything_runs() {
    let dir = tempdir();
    let good = write(
        dir.path(),
        "good.toml",
        "[[workload]]\ntasks = 1\n[[model]]\nkind = \"sequential\"\n",
    );
    let bad = write(
        dir.path(),
        "bad.toml",
        "[[workload]]\ntasks = 0\n[[model]]\nkind = \"async\"\n",
    );
    let out = dir.path().join("out");
    let output = conlab()
        .arg("run")
        .arg(&good)
        .arg(&bad)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("`tasks` = 0 is impossible"), "{stderr}");
    assert!(stderr.contains("bad.toml:2:9"), "{stderr}");
    assert!(!out.exists());
}

#[test]
fn a_missing_file_names_its_path() {
    let output = conlab()
        .args(["validate", "no/such/file.toml"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cannot read experiment file no/such/file.toml"),
        "{stderr}"
    );
}

#[test]
fn malformed_files_of_every_kind_exit_2() {
    let dir = tempdir();
    for (text, expected) in [
        ("[experiment\n", "invalid TOML"),
        (
            "[[workload]]\ntasks = 3\nio_latency = 50\n[[model]]\nkind = \"threads\"\n",
            "needs a unit",
        ),
        (
            "[[workload]]\ntasks = \"3\"\n[[model]]\nkind = \"threads\"\n",
            "must be a whole number",
        ),
        (
            "[[workload]]\ntasks = 3\n[[model]]\nkind = \"green-threads\"\n",
            "unknown model kind",
        ),
        (
            "[[workload]]\nname = \"a\"\ntasks = 3\n[[workload]]\nname = \"a\"\ntasks = 3\n[[model]]\nkind = \"async\"\n",
            "two workloads are named",
        ),
        (
            "[[workload]]\ntasks = 3\n[[model]]\nkind = \"thread-pool\"\nworkers = -2\n",
            "`workers` = -2 is impossible",
        ),
        (
            "[experiment]\nrepetitions = 0\n[[workload]]\ntasks = 3\n[[model]]\nkind = \"async\"\n",
            "`repetitions` = 0 is impossible",
        ),
    ] {
        let file = write(dir.path(), "bad.toml", text);
        let (code, _, stderr) = validate_file(&file);
        assert_eq!(code, 2, "{text}\n{stderr}");
        assert!(
            stderr.contains(expected),
            "{text}\nexpected {expected:?} in:\n{stderr}"
        );
        assert!(stderr.contains("bad.toml:"), "{stderr}");
    }
}

#[test]
fn bad_command_line_values_exit_2() {
    let output = conlab()
        .args(["run", "x.toml", "--timeout", "5"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("invalid --timeout"));
}
