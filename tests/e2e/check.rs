//! `[[claim]]`s end to end: `conlab run` prints them after its table and
//! puts them first in the reports and `summary.json`; `conlab check DIR`
//! judges the claims of `DIR/experiment.toml` (edited by hand, as a
//! paper's reader would) against results whose wall times the test wrote
//! itself, so every interval is known, and exits 0, 1 or 2.

use std::path::Path;

use crate::common::*;

/// A small experiment: two tasks of 5 ms IO, on one thread and on two.
const EXPERIMENT: &str = "[experiment]\nname = \"claims\"\nrepetitions = 3\nwarmup = 0\n\
    [[workload]]\nname = \"w\"\ntasks = 2\nio_latency = \"5ms\"\n\
    [[model]]\nkind = \"sequential\"\n[[model]]\nkind = \"threads\"\n";

/// Claims about it, given the wall times [`synthetic`] writes: one holds,
/// one fails and one is inconclusive.
const CLAIMS: &str = "[[claim]]\ntext = \"Two threads take half the time\"\nworkload = \"w\"\nmodel = \"threads\"\n\
    at_most = { ratio = 0.6, of = \"sequential\" }\n\
    [[claim]]\ntext = \"Threads take at least 60 ms\"\nworkload = \"w\"\nmodel = \"threads\"\nat_least = \"60ms\"\n\
    [[claim]]\ntext = \"Threads take 49.8 to 50.5 ms\"\nworkload = \"w\"\nmodel = \"threads\"\n\
    between = [\"49.8ms\", \"50.5ms\"]\n";

/// Runs the experiment (with `claims`) into `out`, not quietly; stdout.
fn run_with(dir: &Path, out: &Path, claims: &str) -> String {
    let file = write(dir, "claims.toml", &format!("{EXPERIMENT}{claims}"));
    let output = conlab()
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap_or_else(|e| panic!("cannot run conlab: {e}"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Rewrites the wall times of `runs.csv`: sequential's runs took 99, 100
/// and 101 ms, threads' 49.5, 50 and 50.5 ms. The mean of threads' is
/// 50 ms with the t-interval 50 ± 4.303 × 0.5 / √3 = 48.76…51.24 ms, and
/// the ratio of medians 0.5.
fn synthetic(out: &Path) {
    let path = out.join("runs.csv");
    let mut reader = csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{e}"));
    let headers = reader.headers().cloned().unwrap_or_default();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no {name} column"))
    };
    let (variant, repetition, wall) = (column("variant"), column("repetition"), column("wall_ms"));
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record(&headers)
        .unwrap_or_else(|e| panic!("{e}"));
    for row in reader.records() {
        let row = row.unwrap_or_else(|e| panic!("{e}"));
        let rep: usize = row[repetition].parse().unwrap_or(1);
        let base = if &row[variant] == "sequential" {
            100.0
        } else {
            50.0
        };
        let spread = if &row[variant] == "sequential" {
            1.0
        } else {
            0.5
        };
        let value = base + spread * (rep as f64 - 2.0);
        let fields: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, f)| {
                if i == wall {
                    value.to_string()
                } else {
                    f.to_string()
                }
            })
            .collect();
        writer
            .write_record(&fields)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let bytes = writer.into_inner().unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{e}"));
}

fn check(out: &Path, extra: &[&str]) -> (i32, String, String) {
    let output = conlab()
        .env("COLUMNS", "160")
        .arg("check")
        .arg(out)
        .args(extra)
        .output()
        .unwrap_or_else(|e| panic!("cannot run conlab: {e}"));
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn set_claims(out: &Path, claims: &str) {
    std::fs::write(out.join("experiment.toml"), format!("{EXPERIMENT}{claims}"))
        .unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn check_says_which_claims_hold_fail_and_stay_inconclusive_with_its_exit_code() {
    let dir = tempdir();
    let out = dir.path().join("out");
    run_with(dir.path(), &out, CLAIMS);
    synthetic(&out);
    let (code, stdout, stderr) = check(&out, &[]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(
        stdout.contains("3 claims: 1 holds, 1 fails, 1 inconclusive"),
        "{stdout}"
    );
    assert!(stdout.contains("0.5× sequential (0.48"), "{stdout}");
    assert!(stdout.contains("mean 50 ms (48.8–51.2)"), "{stdout}");
    let fails = stdout
        .lines()
        .position(|l| l.starts_with("fails: claim 2 ("))
        .unwrap_or_else(|| panic!("no failing claim 2 in:\n{stdout}"));
    assert!(
        stdout.contains("fails: claim 2 (") && stdout.contains("\"Threads take at least 60 ms\""),
        "{stdout}"
    );
    let open = stdout
        .lines()
        .position(|l| l.starts_with("inconclusive: claim 3 ("))
        .unwrap_or_else(|| panic!("no inconclusive claim 3 in:\n{stdout}"));
    assert!(fails < open, "failures first:\n{stdout}");

    // The reader removes the failing claim: nothing fails any more, and the
    // inconclusive one is still told.
    let without_failure = CLAIMS.replace(
        "[[claim]]\ntext = \"Threads take at least 60 ms\"\nworkload = \"w\"\nmodel = \"threads\"\nat_least = \"60ms\"\n",
        "",
    );
    set_claims(&out, &without_failure);
    let (code, stdout, _) = check(&out, &["--quiet"]);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.starts_with("2 claims: 1 holds, 0 fail, 1 inconclusive\n"),
        "{stdout}"
    );
    assert!(stdout.contains("inconclusive: claim 2 ("), "{stdout}");

    // A claim that names a model the experiment does not have: exit 2,
    // with the place and the fix, and no verdict.
    set_claims(
        &out,
        "[[claim]]\nworkload = \"w\"\nmodel = \"asyncio\"\nat_most = \"1s\"\n",
    );
    let (code, stdout, stderr) = check(&out, &[]);
    assert_eq!(code, 2, "{stdout}");
    assert!(
        stderr.contains(
            "error: [[claim]] names model \"asyncio\", which the experiment does not have"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("experiment.toml:15:9, at claim[0].model"),
        "{stderr}"
    );
    assert!(
        stderr.contains("= help: models: sequential, threads"),
        "{stderr}"
    );
    assert!(stdout.is_empty(), "{stdout}");
}

#[test]
fn check_without_results_or_claims() {
    let dir = tempdir();
    let (code, _, stderr) = check(dir.path(), &[]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("is not a conlab results directory"),
        "{stderr}"
    );
    let out = dir.path().join("out");
    run_with(dir.path(), &out, "");
    let (code, stdout, _) = check(&out, &[]);
    assert_eq!(code, 0);
    assert!(stdout.contains("states no claims"), "{stdout}");
    std::fs::remove_file(out.join("experiment.toml")).unwrap_or_else(|e| panic!("{e}"));
    let (code, _, stderr) = check(&out, &[]);
    assert_eq!(code, 2);
    assert!(stderr.contains("experiment.toml is missing"), "{stderr}");
}

#[test]
fn run_prints_the_claims_and_puts_them_first_in_every_report() {
    let dir = tempdir();
    let out = dir.path().join("out");
    let claims = "[[claim]]\ntext = \"Two threads overlap their waits\"\nworkload = \"w\"\nmodel = \"threads\"\n\
                  at_most = { ratio = 0.8, of = \"sequential\" }\n";
    let stdout = run_with(dir.path(), &out, claims);
    let table = stdout.find("w · threads").unwrap_or(usize::MAX);
    let listed = stdout.find("Claims (each judged on its 95 % interval):");
    assert!(listed.is_some_and(|at| at > table), "{stdout}");
    assert!(
        stdout.contains("Two threads overlap their waits"),
        "{stdout}"
    );
    assert!(stdout.contains("1 claim: "), "{stdout}");

    let json = std::fs::read_to_string(out.join("summary.json")).unwrap_or_default();
    assert!(
        json.starts_with("{\n  \"claims\": [\n"),
        "{}",
        &json[..200.min(json.len())]
    );
    let value: serde_json::Value = serde_json::from_str(&json).unwrap_or_default();
    assert_eq!(
        value["claims"][0]["text"],
        "Two threads overlap their waits"
    );
    assert!(value["crossovers"].is_array());
    assert_eq!(value["cells"].as_array().map(Vec::len), Some(2));

    let html = std::fs::read_to_string(out.join("report.html")).unwrap_or_default();
    let claims_at = html.find("<h2>Claims</h2>").unwrap_or(usize::MAX);
    let results_at = html.find("<h2>Results</h2>").unwrap_or(0);
    assert!(claims_at < results_at, "claims come first");
    assert!(html.contains("Two threads overlap their waits"));
    let md = std::fs::read_to_string(out.join("report.md")).unwrap_or_default();
    assert!(
        md.find("## Claims").unwrap_or(usize::MAX) < md.find("## Results").unwrap_or(0),
        "{md}"
    );
    let tex = std::fs::read_to_string(out.join("summary.tex")).unwrap_or_default();
    assert!(tex.contains("Two threads overlap their waits"), "{tex}");
    assert!(tex.contains("Measured (95\\,\\% interval)"), "{tex}");

    // `conlab plot` judges the claims of an edited experiment.toml again.
    set_claims(
        &out,
        "[[claim]]\ntext = \"Edited\"\nworkload = \"w\"\nmodel = \"threads\"\nat_most = \"10s\"\n",
    );
    let plotted = conlab().arg("plot").arg(&out).arg("--quiet").output();
    assert!(plotted.is_ok_and(|o| o.status.success()));
    let value: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("summary.json")).unwrap_or_default(),
    )
    .unwrap_or_default();
    assert_eq!(value["claims"][0]["text"], "Edited");
    assert_eq!(value["claims"][0]["outcome"], "holds");
}
