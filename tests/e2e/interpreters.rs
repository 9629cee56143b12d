//! Interpreters as a sweep axis (issue 24): `python = [...]` runs each
//! python model under each interpreter, named in labels, `runs.csv`, the
//! summaries, claims' `where` and `--filter`; what each interpreter is
//! (implementation, version, GIL, start-up) is recorded per cell and
//! shown in the report; a free-threaded interpreter's threads are
//! predicted on the cores; `python-gevent` runs where gevent is and is
//! skipped, saying how to get it, where it is not. Tests that need PyPy or
//! gevent are listed as skipped without them (and fail in strict mode:
//! `.ci/run` installs both).

use std::collections::HashMap;
use std::path::Path;

use crate::common::*;

type Row = HashMap<String, String>;

fn json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The summary cell of `variant` in workload `workload`.
fn cell<'a>(
    cells: &'a [serde_json::Value],
    workload: &str,
    variant: &str,
) -> &'a serde_json::Value {
    cells
        .iter()
        .find(|c| c["workload"] == workload && c["variant"] == variant)
        .unwrap_or_else(|| panic!("no cell {workload} · {variant} in {cells:?}"))
}

fn rows_of<'a>(rows: &'a [Row], variant: &str) -> Vec<&'a Row> {
    rows.iter().filter(|r| r["variant"] == variant).collect()
}

/// A conlab run without conlab's own gevent environments (a cache
/// directory of its own), so each test sees only what it names.
fn run_clean(file: &Path, out: &Path, cache: &Path, extra: &[&str]) -> (i32, String) {
    run_into_env(file, out, extra, &[("XDG_CACHE_HOME", cache)])
}

#[test]
fn an_interpreter_sweep_names_each_in_labels_files_claims_and_filters() {
    let Some((_cores, dir)) = python_test() else {
        return;
    };
    let pypy = match pypy() {
        Ok(pypy) => pypy,
        Err(why) => return skip(Reason::NoPyPy, &why),
    };
    let python3 = python3_path();
    let text = format!(
        r#"
        [experiment]
        name = "interpreters"
        python = ["{python3}", "{pypy}"]
        repetitions = 2
        warmup = 0

        [[workload]]
        name = "io"
        tasks = 3
        io_latency = "5ms"

        [[model]]
        kind = "python-asyncio"

        [[model]]
        kind = "threads"

        [[claim]]
        workload = "io"
        model = "python-asyncio"
        at_most = "5s"
        where = {{ python = "{pypy}" }}
        "#
    );
    let file = write(dir.path(), "interpreters.toml", &text);
    let out = dir.path().join("out");
    let (code, stderr) = run_clean(&file, &out, dir.path(), &[]);
    assert_eq!(code, 0, "{stderr}");
    let in_pypy = format!("python-asyncio python={pypy}");
    let in_cpython = format!("python-asyncio python={python3}");
    // runs.csv: the interpreter in the variant, and as the cell's own
    // column, empty for conlab's own models.
    let rows = csv_rows(&out.join("runs.csv"));
    assert_eq!(rows.len(), 6, "{rows:?}");
    for (variant, python) in [
        (in_pypy.as_str(), pypy.as_str()),
        (in_cpython.as_str(), python3.as_str()),
        ("threads", ""),
    ] {
        let mine = rows_of(&rows, variant);
        assert_eq!(mine.len(), 2, "{variant}: {rows:?}");
        for r in mine {
            assert_eq!(
                (r["status"].as_str(), r["python"].as_str()),
                ("ok", python),
                "{r:?}"
            );
        }
    }
    let header = std::fs::read_to_string(out.join("runs.csv")).unwrap_or_default();
    let header = header.lines().next().unwrap_or_default();
    assert!(
        header.starts_with("cell,workload,model,variant,kind,tasks,")
            && header.ends_with(",shared_lock_wait_ms,python"),
        "{header}"
    );
    // summary.json: the coordinate and what the interpreter is.
    let cells = summary(&out);
    let pypy_cell = cell(&cells, "io", &in_pypy);
    assert_eq!(pypy_cell["python"], pypy.as_str());
    assert_eq!(pypy_cell["axes"], "python");
    let facts = &pypy_cell["interpreter"];
    assert_eq!(facts["implementation"], "PyPy", "{facts}");
    assert_eq!(facts["gil"], true, "{facts}");
    assert!(
        facts["startup_ms"].as_f64().is_some_and(|ms| ms > 0.0),
        "{facts}"
    );
    let cpython = &cell(&cells, "io", &in_cpython)["interpreter"];
    assert_eq!(cpython["implementation"], "CPython", "{cpython}");
    let threads = cell(&cells, "io", "threads");
    assert!(threads["python"].is_null() && threads.get("interpreter").is_none());
    // summary.csv: the coordinate as the last column, the facts left out.
    let summary_csv = std::fs::read_to_string(out.join("summary.csv")).unwrap_or_default();
    let header = summary_csv.lines().next().unwrap_or_default();
    assert!(header.ends_with(",python"), "{header}");
    let environment = json(&out.join("environment.json"));
    let described: Vec<&str> = environment["interpreters"]
        .as_array()
        .map(|all| {
            all.iter()
                .filter_map(|f| f["implementation"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(described, ["CPython", "PyPy"], "{environment}");
    // The report shows them, and the claim is judged at PyPy's point only.
    let report = std::fs::read_to_string(out.join("report.md")).unwrap_or_default();
    assert!(report.contains("### Interpreters"), "{report}");
    assert!(report.contains(&format!("| {pypy} | PyPy 3.")), "{report}");
    let check = conlab()
        .args(["check"])
        .arg(&out)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let verdicts = String::from_utf8_lossy(&check.stdout);
    assert_eq!(check.status.code(), Some(0), "{verdicts}");
    assert!(
        verdicts.contains(&format!("at python={pypy}")),
        "{verdicts}"
    );
    // --filter keeps one interpreter's cells.
    let only = dir.path().join("only-pypy");
    let (code, stderr) = run_clean(
        &file,
        &only,
        dir.path(),
        &["--filter", &format!("python={pypy}")],
    );
    assert_eq!(code, 0, "{stderr}");
    let rows = csv_rows(&only.join("runs.csv"));
    assert!(
        !rows.is_empty() && rows.iter().all(|r| r["variant"] == in_pypy),
        "{rows:?}"
    );
}

/// The stand-in in `tests/fixtures/free-threaded-python` says it is a
/// CPython without a GIL (no free-threaded build is installed here) and
/// runs the work in `python3`: predictions and facts follow what it says.
#[test]
fn a_free_threaded_interpreter_is_predicted_on_the_cores() {
    let Some((_cores, dir)) = python_test() else {
        return;
    };
    let free = fixture("free-threaded-python").display().to_string();
    let python3 = python3_path();
    let text = format!(
        r#"
        [experiment]
        name = "free-threaded"
        python = ["{free}", "{python3}"]
        repetitions = 1
        warmup = 0

        [[workload]]
        name = "cpu"
        tasks = 4
        cpu_cost = "20ms"

        [[workload]]
        name = "atomic"
        tasks = 2
        shared = "atomic"

        [[model]]
        kind = "python-threads"

        [[model]]
        kind = "python-thread-pool"
        workers = 2

        [[model]]
        kind = "python-asyncio"
        "#
    );
    let file = write(dir.path(), "free.toml", &text);
    let out = dir.path().join("out");
    let (code, stderr) = run_clean(&file, &out, dir.path(), &[]);
    assert_eq!(code, 0, "{stderr}");
    let summary_json = json(&out.join("summary.json"));
    let cores = summary_json["cores"].as_f64().unwrap_or(1.0).max(1.0);
    let cells = summary(&out);
    let predicted = |variant: &str| {
        cell(&cells, "cpu", variant)["predicted_ms"]
            .as_f64()
            .unwrap_or(f64::NAN)
    };
    let near = |a: f64, b: f64| (a - b).abs() < 0.01;
    // Under a GIL, 80 ms of CPU takes 80 ms; without, it spreads over the
    // cores (a pool over its workers, up to the cores).
    for (model, with_gil, without) in [
        ("python-threads", 80.0, 80.0 / cores),
        ("python-thread-pool workers=2", 80.0, 80.0 / cores.min(2.0)),
        ("python-asyncio", 80.0, 80.0),
    ] {
        let gil = predicted(&format!("{model} python={python3}"));
        assert!(near(gil, with_gil), "{model}: {gil} ms");
        let no_gil = predicted(&format!("{model} python={free}"));
        assert!(
            near(no_gil, without),
            "{model}: {no_gil} ms on {cores} cores"
        );
    }
    let facts = &cell(&cells, "cpu", &format!("python-threads python={free}"))["interpreter"];
    assert_eq!(
        (facts["version"].as_str(), facts["gil"].as_bool()),
        (Some("3.13.1"), Some(false))
    );
    let environment = std::fs::read_to_string(out.join("environment.json")).unwrap_or_default();
    assert!(
        environment.contains("CPython 3.13.1 (free-threaded, no GIL)"),
        "{environment}"
    );
    // A counter that relies on the GIL is skipped there, saying why.
    let rows = csv_rows(&out.join("runs.csv"));
    let atomic = rows_of(&rows, &format!("python-threads python={free}"));
    let atomic: Vec<&&Row> = atomic
        .iter()
        .filter(|r| r["workload"] == "atomic")
        .collect();
    assert_eq!(atomic.len(), 1, "{rows:?}");
    assert_eq!(atomic[0]["status"], "skipped");
    assert!(
        atomic[0]["message"].contains("which runs without a GIL"),
        "{:?}",
        atomic[0]
    );
    let with_gil = rows_of(&rows, &format!("python-threads python={python3}"));
    assert!(with_gil.iter().all(|r| r["status"] == "ok"), "{with_gil:?}");
}

#[test]
fn gevent_runs_where_it_is_and_is_skipped_with_how_to_get_it_where_it_is_not() {
    let Some((_cores, dir)) = python_test() else {
        return;
    };
    let gevent = match gevent_python() {
        Ok(python) => python,
        Err(why) => return skip(Reason::NoGevent, &why),
    };
    // The stand-in runs python3 but says nothing of gevent: it lacks it.
    let without = fixture("free-threaded-python").display().to_string();
    let text = format!(
        r#"
        [experiment]
        name = "gevent"
        repetitions = 3
        warmup = 1

        [[workload]]
        name = "io"
        tasks = 10
        io_latency = "20ms"

        [[workload]]
        name = "cpu"
        tasks = 4
        cpu_cost = "30ms"

        [[model]]
        kind = "python-gevent"
        python = ["{gevent}", "{without}"]
        "#
    );
    let file = write(dir.path(), "gevent.toml", &text);
    let out = dir.path().join("out");
    let (code, stderr) = run_clean(&file, &out, dir.path(), &[]);
    assert_eq!(code, 0, "{stderr}");
    let cells = summary(&out);
    let with = format!("python-gevent python={gevent}");
    // 10 waits of 20 ms overlap (200 ms one after another); 4 bursts of
    // 30 ms of CPU run one at a time.
    let io = median(&cells, "io", &with);
    assert!((20.0..100.0).contains(&io), "io: {io} ms");
    let cpu = median(&cells, "cpu", &with);
    assert!(cpu >= 114.0, "cpu: {cpu} ms");
    let facts = &cell(&cells, "io", &with)["interpreter"];
    assert!(
        facts["gevent"].as_str().is_some_and(|v| !v.is_empty()),
        "{facts}"
    );
    let rows = csv_rows(&out.join("runs.csv"));
    let skipped = rows_of(&rows, &format!("python-gevent python={without}"));
    assert_eq!(skipped.len(), 6, "{rows:?}");
    for r in skipped {
        assert_eq!(r["status"], "skipped");
        assert!(
            r["message"].starts_with(&format!(
                "`{without}` cannot import gevent, which python-gevent needs: run `conlab \
                 install-gevent --python {without}`"
            )),
            "{r:?}"
        );
    }
}

#[test]
fn install_gevent_says_what_stops_it_before_touching_the_network() {
    let dir = tempdir();
    let nowhere = conlab()
        .env_remove("XDG_CACHE_HOME")
        .env_remove("HOME")
        .arg("install-gevent")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(nowhere.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&nowhere.stderr),
        "error: conlab has no cache directory: neither XDG_CACHE_HOME nor HOME is an absolute \
         path\n  = help: set one, e.g. XDG_CACHE_HOME=$PWD/.cache\n"
    );
    let missing = conlab()
        .env("XDG_CACHE_HOME", dir.path())
        .args([
            "install-gevent",
            "--python",
            "/nonexistent/conlab-test/python3",
        ])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(missing.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&missing.stderr),
        "error: no gevent environment from `/nonexistent/conlab-test/python3`: Python \
         interpreter `/nonexistent/conlab-test/python3` not found; install CPython 3.8 or newer, \
         or name one with python = \"...\" in [experiment] or in the [[model]]\n"
    );
    assert!(!dir.path().join("conlab").exists(), "nothing made");
}
