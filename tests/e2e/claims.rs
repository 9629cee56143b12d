//! The study note's claims, measured through the real binary on small
//! workloads (tests/fixtures/claims.toml, run once and shared by every
//! test here). Margins are wide and ratio-based: these run on a noisy
//! 2-core machine.

use std::sync::OnceLock;

use crate::common::*;
use serde_json::Value;

/// The summary of one run of the claims experiment.
fn cells() -> &'static [Value] {
    static CELLS: OnceLock<Vec<Value>> = OnceLock::new();
    CELLS.get_or_init(|| {
        let _cores = serial();
        let dir = tempdir();
        let out = dir.path().join("out");
        let (code, stderr) = run_into(&fixture("claims.toml"), &out, &[]);
        assert_eq!(code, 0, "{stderr}");
        summary(&out)
    })
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

#[test]
fn sequential_waits_tasks_times_latency() {
    let sequential = median(cells(), "io", "sequential");
    // 6 tasks × 20 ms, one after another.
    assert!(
        (0.9 * 120.0..2.0 * 120.0).contains(&sequential),
        "sequential took {sequential} ms for 6 × 20 ms"
    );
}

#[test]
fn threads_pools_event_loops_and_polling_overlap_io_waits() {
    let sequential = median(cells(), "io", "sequential");
    for model in [
        "threads",
        "thread-pool workers=6",
        "async",
        "async-multi",
        "gil-threads",
        "polling poll_interval=0ms",
    ] {
        // 6 overlapped waits of 20 ms take about 20 ms, a sixth of
        // sequential's 120; a pool that ignored `workers = 6` and ran 2
        // at a time would take 60 ms (half), which this bound fails.
        let m = median(cells(), "io", model);
        assert!(
            m < 0.35 * sequential,
            "{model} took {m} ms, sequential {sequential} ms"
        );
    }
}

#[test]
fn one_blocking_call_serialises_the_event_loop() {
    let sequential = median(cells(), "io", "sequential");
    let blocking = median(cells(), "io", "async-blocking");
    assert!(
        blocking >= 0.8 * sequential,
        "async-blocking took {blocking} ms, sequential {sequential} ms"
    );
    // The loop was frozen for at least one whole 20 ms wait.
    let lag = field(cells(), "io", "async-blocking", "loop_lag_max_median_ms");
    assert!(lag >= 20.0, "worst loop lag {lag} ms");
}

#[test]
fn cpu_bound_work_gains_nothing_under_the_gil() {
    let sequential = median(cells(), "cpu", "sequential");
    let gil = median(cells(), "cpu", "gil-threads");
    if gil >= 0.8 * sequential {
        return;
    }
    // Other processes can slow one cell's runs more than another's (seen:
    // sequential 391 ms, gil-threads 283 ms at load 5 on two cores): measure
    // the two again on their own, best of three. A GIL that let the threads
    // burn in parallel would make about half the sequential time in both.
    let (sequential, gil) = cpu_best_again("kind = \"gil-threads\"");
    assert!(
        gil >= 0.8 * sequential,
        "gil-threads {gil} ms at best, sequential {sequential} ms"
    );
}

/// The best wall times (ms) of `sequential` and of `model` (a `[[model]]`
/// table's body) on the claims file's CPU-bound workload, measured again
/// on their own.
fn cpu_best_again(model: &str) -> (f64, f64) {
    let _cores = serial();
    let dir = tempdir();
    let file = write(
        dir.path(),
        "cpu.toml",
        &format!(
            "[experiment]\nname = \"cpu\"\nrepetitions = 3\nwarmup = 1\n\
             [[workload]]\nname = \"cpu\"\ntasks = 4\ncpu_cost = \"50ms\"\n\
             [[model]]\nkind = \"sequential\"\n[[model]]\n{model}\n"
        ),
    );
    let out = dir.path().join("out");
    let (code, stderr) = run_into(&file, &out, &[]);
    assert_eq!(code, 0, "{stderr}");
    let cells = summary(&out);
    let sequential = field(&cells, "cpu", "sequential", "wall_min_ms");
    let other = cells
        .iter()
        .find(|c| c["workload"] == "cpu" && c["variant"] != "sequential")
        .and_then(|c| c["wall_min_ms"].as_f64())
        .unwrap_or_else(|| panic!("no second cell in {cells:?}"));
    (sequential, other)
}

#[test]
fn cpu_bound_work_scales_with_threads_and_processes_on_two_cores() {
    if cores() < 2 {
        skip(Reason::OneCore, "only one usable core");
        return;
    }
    // Best runs: what the model can reach when the machine lets it have
    // both cores (other processes on a shared machine take them at times).
    // 4 tasks × 50 ms on two cores take about half the sequential time;
    // 0.8 leaves room for start-up and a briefly shared core.
    let sequential = field(cells(), "cpu", "sequential", "wall_min_ms");
    for (model, table) in [
        ("threads", "kind = \"threads\""),
        ("processes workers=2", "kind = \"processes\"\nworkers = 2"),
    ] {
        let m = field(cells(), "cpu", model, "wall_min_ms");
        if m < 0.8 * sequential {
            continue;
        }
        assert!(
            !two_cores_free(),
            "{model} took {m} ms at best, sequential {sequential} ms, with two cores free"
        );
        // Other processes held a core: measure once more, and skip only
        // if they hold it again (twice in a row; strict mode fails then).
        let (sequential, m) = cpu_best_again(table);
        if m >= 0.8 * sequential && !two_cores_free() {
            skip(
                Reason::CoresBusy,
                &format!(
                    "other processes held a core twice ({model} {m} ms, sequential {sequential} ms)"
                ),
            );
            continue;
        }
        assert!(
            m < 0.8 * sequential,
            "{model} took {m} ms at best, sequential {sequential} ms"
        );
    }
}

#[test]
fn busy_polling_burns_cpu_and_waiting_for_the_os_does_not() {
    let wall = median(cells(), "io", "polling poll_interval=0ms");
    let cpu = field(cells(), "io", "polling poll_interval=0ms", "cpu_median_ms");
    // A spinning thread gets only its share of a core that other
    // processes keep busy: on such a machine, say so instead of failing.
    // (Unrecorded where /proc/stat cannot be read: then it fails as ever.)
    let foreign = cells()
        .iter()
        .find(|c| c["workload"] == "io" && c["variant"] == "polling poll_interval=0ms")
        .and_then(|c| c["foreign_cpu_median_ms"].as_f64())
        .unwrap_or(0.0);
    if cpu < 0.5 * wall && foreign > wall {
        skip(
            Reason::CoresBusy,
            &format!(
                "polling burned {cpu} ms of CPU in {wall} ms while other processes used \
                 {foreign} ms"
            ),
        );
    } else {
        assert!(
            cpu >= 0.5 * wall,
            "polling burned {cpu} ms of CPU in {wall} ms"
        );
    }
    let wall = median(cells(), "io", "async");
    let cpu = field(cells(), "io", "async", "cpu_median_ms");
    assert!(
        cpu < 0.2 * wall,
        "async burned {cpu} ms of CPU in {wall} ms"
    );
}

#[test]
fn the_gil_is_handed_off_many_times_unlike_a_plain_mutex() {
    // 4 × 50 ms of contended CPU with the default 5 ms switch interval: a
    // plain mutex would hand off 3 times; the GIL about every interval.
    let handoffs = field(cells(), "cpu", "gil-threads", "lock_handoffs_median");
    assert!(handoffs >= 4.0 * 5.0, "{handoffs} hand-offs");
    let wait = field(cells(), "cpu", "gil-threads", "lock_wait_total_median_ms");
    assert!(wait > 0.0);
}
