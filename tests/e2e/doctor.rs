//! `conlab doctor` on this machine (issue 15): it runs, names every item,
//! exits 0 whatever it finds, and `--json` is JSON a script can read. How
//! it copes without cpufreq is a unit test with a fake /sys
//! (`commands::doctor`). The runtimes it finds (issue 24): PyPy, gevent
//! in conlab's own environment, Node.js, each with its version; and with
//! none of them, how to get each.

use crate::common::*;

const ITEMS: [&str; 14] = [
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
    "pypy",
    "gevent",
    "node",
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
        "PyPy",
        "gevent",
        "Node.js",
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

/// The `doctor --json` check `key` of a run of doctor with `envs` set.
fn doctor_checks(envs: &[(&str, &std::path::Path)]) -> Vec<serde_json::Value> {
    let mut command = conlab();
    command.args(["doctor", "--json"]);
    for (key, value) in envs {
        command.env(key, value);
    }
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run conlab: {e}"));
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8_lossy(&output.stdout);
    let json: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    json["checks"].as_array().cloned().unwrap_or_default()
}

fn check<'a>(checks: &'a [serde_json::Value], key: &str) -> &'a serde_json::Value {
    checks
        .iter()
        .find(|c| c["key"] == key)
        .unwrap_or_else(|| panic!("no check {key} in {checks:?}"))
}

/// PyPy on PATH, gevent in conlab's own environment (a cache directory of
/// the test's, whose `gevent/py-python3` is the gevent Python's venv) and
/// Node.js are each listed with their version and where they are.
#[test]
fn doctor_lists_pypy_gevent_and_node_with_their_versions() {
    let _serial = serial();
    let pypy = match pypy() {
        Ok(pypy) => pypy,
        Err(why) => return skip(Reason::NoPyPy, &why),
    };
    let gevent = match gevent_python() {
        Ok(python) => python,
        Err(why) => return skip(Reason::NoGevent, &why),
    };
    let cache = tempdir();
    let venv = std::path::Path::new(&gevent)
        .parent()
        .and_then(std::path::Path::parent)
        .filter(|root| root.join("pyvenv.cfg").is_file());
    if let Some(venv) = venv {
        let environments = cache.path().join("conlab").join("gevent");
        std::fs::create_dir_all(&environments).unwrap_or_else(|e| panic!("{e}"));
        std::os::unix::fs::symlink(venv, environments.join("py-python3"))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let checks = doctor_checks(&[("XDG_CACHE_HOME", cache.path())]);
    let pypy_check = check(&checks, "pypy");
    assert_eq!(pypy_check["status"], "ok", "{pypy_check}");
    let state = pypy_check["state"].as_str().unwrap_or_default();
    assert!(state.starts_with(&format!("{pypy} (PyPy 3.")), "{state}");
    let gevent_check = check(&checks, "gevent");
    assert_eq!(gevent_check["status"], "ok", "{gevent_check}");
    let state = gevent_check["state"].as_str().unwrap_or_default();
    assert!(state.contains("gevent 2"), "{state}");
    if venv.is_some() {
        assert!(
            state.contains("conlab/gevent/py-python3/bin/python"),
            "{state}"
        );
    }
    let node_check = check(&checks, "node");
    if node_check["status"] == "ok" {
        let state = node_check["state"].as_str().unwrap_or_default();
        assert!(state.starts_with("node (v"), "{state}");
    }
}

/// With nothing on PATH, no pyenv and no cache, each runtime is a note
/// that says which cells would be skipped and how to get it.
#[test]
fn doctor_says_how_to_get_each_runtime_it_does_not_find() {
    let _serial = serial();
    let empty = tempdir();
    let checks = doctor_checks(&[
        ("PATH", empty.path()),
        ("HOME", empty.path()),
        ("XDG_CACHE_HOME", empty.path()),
        ("PYENV_ROOT", empty.path()),
    ]);
    for (key, state, advice) in [
        (
            "python",
            "none found: the python-* cells would be skipped",
            "install CPython 3.8 or newer",
        ),
        (
            "pypy",
            "none found: python-* cells with python = \"pypy3\" would be skipped",
            "`sudo apt install pypy3`",
        ),
        (
            "gevent",
            "none found: the python-gevent cells would be skipped",
            "`conlab install-gevent --python python3`",
        ),
        (
            "node",
            "none found: the node-* cells would be skipped",
            "install Node.js",
        ),
    ] {
        let c = check(&checks, key);
        assert_eq!(
            (c["status"].as_str(), c["state"].as_str()),
            (Some("note"), Some(state)),
            "{c}"
        );
        let text = c["advice"].as_str().unwrap_or_default();
        assert!(text.starts_with(advice), "{key}: {text}");
    }
}
