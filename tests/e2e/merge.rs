//! `run --shard K/N` and `conlab merge` end to end: three shards joined
//! are the whole run's cells, and two machines' folders joined give one
//! results folder, one report and one chart per workload with both.

use std::collections::BTreeSet;
use std::path::Path;

use crate::common::*;

const EXPERIMENT: &str = "[experiment]\nname = \"spread\"\nrepetitions = 2\nwarmup = 0\n\
    [[workload]]\nname = \"w\"\ntasks = [1, 2, 3]\nio_latency = \"2ms\"\n\
    [[model]]\nkind = \"sequential\"\n[[model]]\nkind = \"threads\"\n[[model]]\nkind = \"async\"\n\
    [[claim]]\nworkload = \"w\"\nmodel = \"threads\"\nat_most = \"1s\"\n\
    [[claim]]\nworkload = \"w\"\nmodel = \"threads\"\nat_most = \"1s\"\nwhere = { machine = \"server\" }\n";

fn merge(dirs: &[&Path], out: &Path, extra: &[&str]) -> (i32, String) {
    let output = conlab()
        .arg("merge")
        .args(dirs)
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .unwrap_or_else(|e| panic!("cannot run conlab: {e}"));
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// (cell, label) or (cell, repetition) pairs.
type Pairs<T> = BTreeSet<(T, String)>;

/// The (cell, label) pairs of a results folder's summary, and its runs'
/// (cell, repetition) pairs.
fn cells_and_runs(dir: &Path) -> (Pairs<u64>, Pairs<String>) {
    let cells = summary(dir)
        .iter()
        .map(|c| {
            (
                c["cell"].as_u64().unwrap_or(u64::MAX),
                c["label"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let runs = csv_rows(&dir.join("runs.csv"))
        .into_iter()
        .map(|r| (r["cell"].clone(), r["repetition"].clone()))
        .collect();
    (cells, runs)
}

#[test]
fn three_shards_merged_are_the_whole_run() {
    let dir = tempdir();
    let file = write(dir.path(), "spread.toml", EXPERIMENT);
    let whole = dir.path().join("whole");
    let (code, stderr) = run_into(&file, &whole, &[]);
    assert_eq!(code, 0, "{stderr}");
    let mut shards = Vec::new();
    for k in 1..=3 {
        let out = dir.path().join(format!("shard-{k}"));
        let (code, stderr) = run_into(&file, &out, &["--shard", &format!("{k}/3")]);
        assert_eq!(code, 0, "{stderr}");
        assert_eq!(summary(&out).len(), 3, "a third of 9 cells");
        shards.push(out);
    }
    let refs: Vec<&Path> = shards.iter().map(|p| p.as_path()).collect();
    let merged = dir.path().join("merged");
    let (code, stderr) = merge(&refs, &merged, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");
    assert_eq!(cells_and_runs(&merged), cells_and_runs(&whole));
    let cells = summary(&merged);
    assert!(
        cells.iter().all(|c| c.get("machine").is_none()),
        "no machine axis"
    );
    assert!(
        cells.iter().all(|c| c["speedup"].is_number()),
        "speedups across shards"
    );
    assert!(!csv_rows(&merged.join("runs.csv"))[0].contains_key("machine"));
    assert!(merged.join("charts/w-wall.svg").is_file());
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(merged.join("summary.json")).unwrap_or_default(),
    )
    .unwrap_or_default();
    assert_eq!(json["claims"][0]["outcome"], "holds");
    // No machine is called server here.
    assert_eq!(json["claims"][1]["outcome"], "inconclusive");

    // Two shards of three: the missing one is named.
    let partial = dir.path().join("partial");
    let (code, stderr) = merge(&refs[..2], &partial, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains(
            "warning: shard 3/3 of the run is missing: its cells are not in the merged results"
        ),
        "{stderr}"
    );
    // A shard resumes as the shard it was.
    let (code, stderr) = run_into(&file, &shards[0], &["--resume", "--shard", "2/3"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("it was started with --shard 1/3, not --shard 2/3"),
        "{stderr}"
    );
    let (code, stderr) = run_into(&file, &shards[0], &["--resume"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(summary(&shards[0]).len(), 3, "still the shard's cells only");
    // A shard that does not exist.
    let (code, stderr) = run_into(&file, &dir.path().join("odd"), &["--shard", "4/3"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("shard 4 of 3 does not exist"), "{stderr}");
}

#[test]
fn two_machines_merge_into_one_report_with_both() {
    let dir = tempdir();
    let file = write(dir.path(), "spread.toml", EXPERIMENT);
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for out in [&a, &b] {
        let (code, stderr) = run_into(&file, out, &[]);
        assert_eq!(code, 0, "{stderr}");
    }
    // Both ran on this host: their cells collide without names.
    let merged = dir.path().join("merged");
    let (code, stderr) = merge(&[&a, &b], &merged, &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("both hold cell \"w · sequential · tasks=1\""),
        "{stderr}"
    );
    assert!(stderr.contains("--label NAME=DIR"), "{stderr}");

    let labels = [
        format!("--label=laptop={}", a.display()),
        format!("--label=server={}", b.display()),
    ];
    let (code, stderr) = merge(&[&a, &b], &merged, &[&labels[0], &labels[1]]);
    assert_eq!(code, 0, "{stderr}");
    let cells = summary(&merged);
    assert_eq!(cells.len(), 18);
    let machines: BTreeSet<&str> = cells.iter().filter_map(|c| c["machine"].as_str()).collect();
    assert_eq!(machines, BTreeSet::from(["laptop", "server"]));
    assert_eq!(cells[9]["label"], "w · sequential · tasks=1 machine=server");
    let runs = csv_rows(&merged.join("runs.csv"));
    assert_eq!(runs.len(), 36);
    assert!(
        runs.iter()
            .all(|r| r["machine"] == "laptop" || r["machine"] == "server")
    );

    let html = std::fs::read_to_string(merged.join("report.html")).unwrap_or_default();
    assert!(html.contains("machine=laptop") && html.contains("machine=server"));
    let md = std::fs::read_to_string(merged.join("report.md")).unwrap_or_default();
    assert!(md.contains("machine=laptop") && md.contains("machine=server"));
    // One wall chart for the workload.
    let charts: Vec<String> = std::fs::read_dir(merged.join("charts"))
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    let walls: Vec<&String> = charts
        .iter()
        .filter(|n| n.starts_with("w-wall") && n.ends_with(".svg"))
        .collect();
    assert_eq!(walls, [&"w-wall.svg".to_string()], "{charts:?}");
    // A line per model and machine in it.
    let svg = std::fs::read_to_string(merged.join("charts/w-wall.svg")).unwrap_or_default();
    for line in ["threads · laptop", "threads · server"] {
        assert!(svg.contains(line), "no {line} in the wall chart");
    }
    // The claim is judged on each machine.
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(merged.join("summary.json")).unwrap_or_default(),
    )
    .unwrap_or_default();
    assert_eq!(
        json["claims"][0]["points"].as_array().map(Vec::len),
        Some(6)
    );

    // A folder of another experiment is refused, with the reason.
    let other = write(
        dir.path(),
        "other.toml",
        &EXPERIMENT.replace("\"spread\"", "\"other\""),
    );
    let c = dir.path().join("c");
    assert_eq!(run_into(&other, &c, &[]).0, 0);
    let (code, stderr) = merge(&[&a, &c], &dir.path().join("mixed"), &[]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("holds results of experiment \"spread\"")
            && stderr.contains("of experiment \"other\""),
        "{stderr}"
    );
}
