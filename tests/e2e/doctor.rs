//! `conlab doctor` on this machine (issue 15): it runs, names every item,
//! exits 0 whatever it finds, and `--json` is JSON a script can read. How
//! it copes without cpufreq is a unit test with a fake /sys
//! (`commands::doctor`).

use crate::common::*;

const ITEMS: [&str; 11] = [
    "governor",
    "turbo",
    "smt",
    "isolated_cpus",
    "load",
    "steal",
    "timer",
    "clock_source",
    "thread_limit",
    "open_files",
    "python",
];

#[test]
fn doctor_reports_every_item_and_exits_0() {
    let _serial = serial();
    let output = conlab()
        .arg("doctor")
        .output()
        .unwrap_or_else(|e| panic!("cannot run conlab: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.starts_with("conlab doctor: how ready this machine is for measurement.\n"),
        "{stdout}"
    );
    for item in [
        "CPU frequency governor",
        "turbo / boost",
        "SMT (hyper-threading)",
        "isolated CPUs",
        "load",
        "hypervisor steal",
        "timer overshoot",
        "clock source",
        "thread limit",
        "open-file limit",
        "Python interpreters",
    ] {
        assert!(
            stdout.lines().any(|l| l.contains(&format!("  {item}  "))),
            "{item} missing:\n{stdout}"
        );
    }
    assert!(stdout.contains(" ok, "), "{stdout}");
}

#[test]
fn doctor_json_parses_and_has_every_check() {
    let _serial = serial();
    let output = conlab()
        .args(["doctor", "--json"])
        .output()
        .unwrap_or_else(|e| panic!("cannot run conlab: {e}"));
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8_lossy(&output.stdout);
    let json: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    let checks = json["checks"]
        .as_array()
        .unwrap_or_else(|| panic!("no checks: {text}"));
    let keys: Vec<&str> = checks.iter().filter_map(|c| c["key"].as_str()).collect();
    assert_eq!(keys, ITEMS);
    for c in checks {
        assert!(
            ["ok", "improve", "note", "unknown"].contains(&c["status"].as_str().unwrap_or("")),
            "{c}"
        );
        assert!(c["state"].is_string(), "{c}");
        assert!(c["advice"].is_null() || c["advice"].is_string(), "{c}");
    }
    assert!(json["machine"].is_object(), "{text}");
    assert!(json["usable_cores"].as_u64().unwrap_or(0) >= 1, "{text}");
    // One second of /proc/stat: shares of CPU time between 0 and 1.
    let steal = json["steal_sample"]["steal_share"].as_f64().unwrap_or(-1.0);
    assert!((0.0..=1.0).contains(&steal), "{text}");
}
