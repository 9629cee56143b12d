//! Shared counters (issue 11), through the real binary: a racy counter
//! loses no update where nothing can switch inside its window (one thread,
//! an event loop without an await in the window), loses updates on an
//! event loop as soon as the window awaits, and under preemption, a GIL
//! and processes sharing memory; a locked counter loses none anywhere. The
//! exact-zero claims are checked over many runs; the others in most runs,
//! and the parallel ones are skipped (visibly) when two cores are not free.

use std::collections::HashMap;

use crate::common::*;

type Row = HashMap<String, String>;

/// An experiment of `repetitions` runs per cell (no warm-up), with the
/// given workloads and one model per entry of `models` (the lines of its
/// table after `kind = `).
fn experiment(repetitions: u32, workloads: &str, models: &[&str]) -> String {
    let mut text = format!(
        "[experiment]\nname = \"races\"\nrepetitions = {repetitions}\nwarmup = 0\n{workloads}"
    );
    for m in models {
        text.push_str(&format!("\n[[model]]\nkind = {m}\n"));
    }
    text
}

/// A workload of 4 tasks × `rounds` rounds, each a 1 ms IO wait and
/// `cpu` of CPU work inside the counter's window.
fn workload(name: &str, shared: &str, await_inside: bool, rounds: u32, cpu: &str) -> String {
    format!(
        "\n[[workload]]\nname = \"{name}\"\ntasks = 4\nrounds = {rounds}\nio_latency = \"1ms\"\n\
         cpu_cost = \"{cpu}\"\nshared = \"{shared}\"\nawait_inside = {await_inside}\n"
    )
}

/// Runs `text` (holding the core lock) and returns the rows of runs.csv,
/// and the folder whose `out` holds the results.
fn run_in(text: &str) -> (Vec<Row>, tempfile::TempDir) {
    let _cores = serial();
    let dir = tempdir();
    let file = write(dir.path(), "races.toml", text);
    let out = dir.path().join("out");
    let (code, stderr) = run_into(&file, &out, &[]);
    assert_eq!(code, 0, "{stderr}");
    (csv_rows(&out.join("runs.csv")), dir)
}

/// Runs `text` and returns the rows of runs.csv.
fn run(text: &str) -> Vec<Row> {
    run_in(text).0
}

fn number(row: &Row, key: &str) -> u64 {
    row[key]
        .parse()
        .unwrap_or_else(|e| panic!("{key} = {:?} in {row:?}: {e}", row[key]))
}

/// The rows of one workload and model variant.
fn of<'a>(rows: &'a [Row], workload: &str, variant: &str) -> Vec<&'a Row> {
    let mine: Vec<&Row> = rows
        .iter()
        .filter(|r| r["workload"] == workload && r["variant"] == variant)
        .collect();
    assert!(!mine.is_empty(), "no runs of {workload} · {variant}");
    for r in &mine {
        assert_eq!(r["status"], "ok", "{r:?}");
    }
    mine
}

/// Each run's lost updates, after checking it counted every update.
fn lost(rows: &[&Row], expected: u64) -> Vec<u64> {
    rows.iter()
        .map(|r| {
            assert_eq!(number(r, "updates_expected"), expected, "{r:?}");
            number(r, "updates_lost")
        })
        .collect()
}

#[test]
fn one_thread_and_an_event_loop_without_an_await_in_the_window_never_lose_an_update() {
    let (rows, dir) = run_in(&experiment(
        20,
        &workload("racy", "racy", false, 6, "1ms"),
        &[
            "\"sequential\"",
            "\"async\"",
            "\"async-blocking\"",
            "\"polling\"",
        ],
    ));
    for model in ["sequential", "async", "async-blocking", "polling"] {
        let lost = lost(&of(&rows, "racy", model), 24);
        assert_eq!(lost.len(), 20);
        assert!(
            lost.iter().all(|&n| n == 0),
            "{model} lost updates: {lost:?}"
        );
    }
    // The chart and the reports say so.
    let out = dir.path().join("out");
    assert!(out.join("charts/racy-lost-updates.png").is_file());
    let svg = std::fs::read_to_string(out.join("charts/racy-lost-updates.svg"))
        .unwrap_or_else(|e| panic!("no lost-updates chart: {e}"));
    assert_eq!(svg.matches("0/20 runs").count(), 4, "{svg}");
    let report = std::fs::read_to_string(out.join("report.md")).unwrap_or_default();
    assert!(
        report.contains("| racy · polling | racy | 24 | 0 | 0–0 | 0 of 20 (0 %) | – |"),
        "{report}"
    );
}

/// Tasks woken together each read the counter before any writes it back:
/// 4 tasks lose updates in every run once the window awaits, on tokio's
/// loop and on the polling loop alike. In the same loop, the blocking
/// flavour's yield is a blocking call and loses none.
#[test]
fn an_await_inside_the_window_loses_updates_on_an_event_loop_in_every_run() {
    let rows = run(&experiment(
        20,
        &workload("await", "racy", true, 6, "1ms"),
        &["\"async\"", "\"polling\"", "\"async-blocking\""],
    ));
    for model in ["async", "polling"] {
        let lost = lost(&of(&rows, "await", model), 24);
        assert!(
            lost.iter().all(|&n| n >= 1),
            "{model} with a yield to its loop in the window: {lost:?}"
        );
    }
    let lost_blocking = lost(&of(&rows, "await", "async-blocking"), 24);
    assert!(lost_blocking.iter().all(|&n| n == 0), "{lost_blocking:?}");
}

/// How many of `lost` are losses.
fn runs_with_loss(lost: &[u64]) -> usize {
    lost.iter().filter(|&&n| n > 0).count()
}

#[test]
fn preemptive_threads_a_gil_and_processes_lose_updates_in_most_runs() {
    // 3 ms of CPU in each window, beyond the modelled GIL's 1 ms switch
    // interval; 4 tasks × 8 rounds; 10 runs.
    let rows = run(&experiment(
        10,
        &workload("racy", "racy", false, 8, "3ms"),
        &[
            "\"threads\"",
            "\"async-multi\"\nworkers = 2",
            "\"gil-threads\"\nswitch_interval = \"1ms\"",
            "\"processes\"\nworkers = 2",
        ],
    ));
    // The modelled GIL switches inside the window by its own clock, on one
    // core or two.
    let gil = lost(&of(&rows, "racy", "gil-threads switch_interval=1ms"), 32);
    assert!(runs_with_loss(&gil) > 5, "gil-threads: {gil:?}");
    for model in ["threads", "async-multi workers=2", "processes workers=2"] {
        let lost = lost(&of(&rows, "racy", model), 32);
        if runs_with_loss(&lost) <= 5 && (usable_cores() < 2 || !two_cores_free()) {
            skip(
                busy(),
                &format!(
                    "{model} lost updates in only {} of 10 runs ({lost:?}), and two cores are \
                     not free for it here",
                    runs_with_loss(&lost)
                ),
            );
            continue;
        }
        assert!(runs_with_loss(&lost) > 5, "{model}: {lost:?}");
    }
}

#[test]
fn a_locked_counter_loses_nothing_in_any_model_and_its_waits_are_recorded() {
    let models = [
        "\"sequential\"",
        "\"threads\"",
        "\"thread-pool\"\nworkers = 2",
        "\"async\"",
        "\"async-multi\"\nworkers = 2",
        "\"gil-threads\"\nswitch_interval = \"1ms\"",
        "\"processes\"\nworkers = 2",
        "\"async-blocking\"",
        "\"polling\"",
    ];
    let rows = run(&experiment(
        6,
        &workload("locked", "locked", false, 6, "2ms"),
        &models,
    ));
    assert_eq!(rows.len(), models.len() * 6);
    for r in &rows {
        assert_eq!(r["status"], "ok", "{r:?}");
        assert_eq!(number(r, "updates_expected"), 24, "{r:?}");
        assert_eq!(number(r, "updates_lost"), 0, "{r:?}");
        let wait: f64 = r["shared_lock_wait_ms"]
            .parse()
            .unwrap_or_else(|e| panic!("no lock wait in {r:?}: {e}"));
        assert!(wait >= 0.0, "{r:?}");
        assert_eq!(
            (r["shared"].as_str(), r["await_inside"].as_str()),
            ("locked", "false")
        );
    }
    // Four threads that each hold the lock for 2 ms of CPU wait for it.
    let threads: f64 = of(&rows, "locked", "threads")
        .iter()
        .map(|r| r["shared_lock_wait_ms"].parse().unwrap_or(0.0))
        .sum();
    assert!(threads > 0.0, "threads never waited for the lock");
}

#[test]
fn real_cpython_races_like_the_note_says() {
    if !python3_usable() {
        return;
    }
    let python = format!("python = \"{}\"\n", python3_path().escape_default());
    let in_python = |workloads: &[String], model: &str| {
        let text = experiment(8, &workloads.concat(), &[model]);
        run(&text.replacen("[experiment]\n", &format!("[experiment]\n{python}"), 1))
    };
    // asyncio: no loss until the window awaits; locked and atomic never.
    let rows = in_python(
        &[
            workload("racy", "racy", false, 4, "1ms"),
            workload("await", "racy", true, 4, "1ms"),
            workload("locked", "locked", false, 4, "1ms"),
            workload("atomic", "atomic", false, 4, "1ms"),
        ],
        "\"python-asyncio\"",
    );
    let racy = lost(&of(&rows, "racy", "python-asyncio"), 16);
    assert!(racy.iter().all(|&n| n == 0), "python-asyncio: {racy:?}");
    let awaiting = lost(&of(&rows, "await", "python-asyncio"), 16);
    assert!(
        awaiting.iter().all(|&n| n >= 1),
        "await inside: {awaiting:?}"
    );
    for workload in ["locked", "atomic"] {
        let none = lost(&of(&rows, workload, "python-asyncio"), 16);
        assert!(none.iter().all(|&n| n == 0), "{workload}: {none:?}");
    }
    // Threads under the real GIL: 12 ms of CPU in each window, beyond
    // CPython's 5 ms switch interval.
    let rows = in_python(
        &[
            workload("long", "racy", false, 4, "12ms"),
            workload("locked", "locked", false, 4, "2ms"),
            workload("atomic", "atomic", false, 4, "1ms"),
        ],
        "\"python-threads\"",
    );
    let threads = lost(&of(&rows, "long", "python-threads"), 16);
    assert!(runs_with_loss(&threads) > 4, "python-threads: {threads:?}");
    for workload in ["locked", "atomic"] {
        let none = lost(&of(&rows, workload, "python-threads"), 16);
        assert!(none.iter().all(|&n| n == 0), "{workload}: {none:?}");
    }
    // One thread, and a pool of two: a locked counter loses nothing.
    for (variant, model) in [
        ("python-sequential", "\"python-sequential\""),
        (
            "python-thread-pool workers=2",
            "\"python-thread-pool\"\nworkers = 2",
        ),
    ] {
        let rows = in_python(&[workload("locked", "locked", false, 4, "2ms")], model);
        let none = lost(&of(&rows, "locked", variant), 16);
        assert!(none.iter().all(|&n| n == 0), "{variant}: {none:?}");
    }
    // Processes: a racy multiprocessing.Value loses updates between pool
    // processes (on two cores, or when the kernel switches inside 12 ms of
    // CPU); locked through a multiprocessing.Lock, none; no atomic counter
    // in shared memory, so that cell is skipped, saying why.
    let rows = in_python(
        &[
            workload("long", "racy", false, 4, "12ms"),
            workload("locked", "locked", false, 4, "2ms"),
            workload("atomic", "atomic", false, 4, "1ms"),
        ],
        "\"python-processes\"\nworkers = 2",
    );
    let racy = lost(&of(&rows, "long", "python-processes workers=2"), 16);
    if runs_with_loss(&racy) <= 4 && (usable_cores() < 2 || !two_cores_free()) {
        skip(
            busy(),
            &format!(
                "python-processes lost updates in only {} of 8 runs ({racy:?}), and two cores \
                 are not free for it here",
                runs_with_loss(&racy)
            ),
        );
    } else {
        assert!(runs_with_loss(&racy) > 4, "python-processes: {racy:?}");
    }
    let locked = lost(&of(&rows, "locked", "python-processes workers=2"), 16);
    assert!(
        locked.iter().all(|&n| n == 0),
        "python-processes: {locked:?}"
    );
    let skipped: Vec<&Row> = rows.iter().filter(|r| r["workload"] == "atomic").collect();
    assert_eq!(skipped.len(), 8);
    for r in skipped {
        assert_eq!(r["status"], "skipped");
        assert!(
            r["message"].contains("not supported by python-processes"),
            "{r:?}"
        );
    }
}

#[test]
fn a_counter_of_one_task_and_await_inside_without_racy_are_errors_with_a_fix() {
    let dir = tempdir();
    for (text, message, help) in [
        (
            "[[workload]]\nname = \"w\"\ntasks = 1\nshared = \"racy\"\n[[model]]\nkind = \"threads\"\n",
            "error: shared = \"racy\" needs two tasks or more to race for the counter, but \
             workload \"w\" has tasks = 1",
            "= help: give it tasks = 2 or more",
        ),
        (
            "[[workload]]\nname = \"w\"\ntasks = 4\nshared = \"locked\"\nawait_inside = true\n\
             [[model]]\nkind = \"async\"\n",
            "error: await_inside = true yields between a racy counter's read and write, but \
             workload \"w\" has shared = \"locked\"",
            "= help: add shared = \"racy\"",
        ),
    ] {
        let file = write(dir.path(), "bad.toml", text);
        let out = dir.path().join("out");
        let (code, stderr) = run_into(&file, &out, &[]);
        assert_eq!(code, 2, "{stderr}");
        assert!(stderr.contains(message), "{stderr}");
        assert!(stderr.contains(help), "{stderr}");
        assert!(!out.exists(), "nothing runs");
    }
}

/// Why a parallel model's race was not checked: one usable core, or cores
/// held by other processes.
fn busy() -> Reason {
    if usable_cores() < 2 {
        Reason::OneCore
    } else {
        Reason::CoresBusy
    }
}
