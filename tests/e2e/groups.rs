//! Workloads of several groups, end to end: the GIL convoy and a starved
//! event loop measured in each group's wake-up delays (issue 10), the OS
//! threads a run used, and the results format of a one-group file. Margins
//! are wide: a GIL convoy is milliseconds against tens of microseconds.

use serde_json::Value;

use crate::common::*;

/// One CPU-bound task (300 ms) beside one IO task doing 30 × (1 ms wait,
/// 20 µs of CPU): every IO round falls inside the CPU task's run.
const CONVOY: &str = r#"
[experiment]
name = "convoy-test"
repetitions = 3
warmup = 0

[[workload]]
name = "convoy"

[[workload.group]]
name = "cpu"
tasks = 1
cpu_cost = "300ms"

[[workload.group]]
name = "io"
tasks = 1
io_latency = "1ms"
cpu_cost = "20us"
rounds = 30

[[model]]
kind = "threads"

[[model]]
kind = "gil-threads"

[[model]]
kind = "processes"
workers = 2

[[model]]
kind = "python-threads"

[[chart]]
workload = "convoy"
y = "wake_p99"
group = "io"
"#;

/// One coroutine with 80 ms CPU bursts beside five IO-bound ones.
const STARVATION: &str = r#"
[experiment]
name = "starvation-test"
repetitions = 3
warmup = 0

[[workload]]
name = "starvation"

[[workload.group]]
name = "cpu"
tasks = 1
io_latency = "10ms"
cpu_cost = "80ms"
rounds = 3

[[workload.group]]
name = "io"
tasks = 5
io_latency = "3ms"
cpu_cost = "50us"
rounds = 60

[[model]]
kind = "async"

[[model]]
kind = "threads"
"#;

/// The summary of the `io` group of `variant`'s cell.
fn io_group<'a>(cells: &'a [Value], variant: &str) -> &'a Value {
    cells
        .iter()
        .find(|c| c["variant"] == variant)
        .and_then(|c| c["groups"].as_array())
        .and_then(|groups| groups.iter().find(|g| g["name"] == "io"))
        .unwrap_or_else(|| panic!("no io group for {variant}"))
}

fn us(group: &Value, key: &str) -> f64 {
    group[key]
        .as_f64()
        .unwrap_or_else(|| panic!("no {key} in {group}"))
}

fn run_experiment(name: &str, text: &str) -> (tempfile::TempDir, Vec<Value>) {
    let dir = tempdir();
    let file = write(dir.path(), name, text);
    let out = dir.path().join("out");
    let (code, stderr) = {
        let _cores = serial();
        run_into(&file, &out, &[])
    };
    assert_eq!(code, 0, "{stderr}");
    let cells = summary(&out);
    (dir, cells)
}

#[test]
fn the_gil_convoy_delays_the_io_task_and_real_parallelism_does_not() {
    let (dir, cells) = run_experiment("convoy.toml", CONVOY);
    let threads = us(io_group(&cells, "threads"), "wake_delay_p50_median_us");
    let gil = us(io_group(&cells, "gil-threads"), "wake_delay_p50_median_us");
    let processes = us(
        io_group(&cells, "processes workers=2"),
        "wake_delay_p50_median_us",
    );
    // Under the modelled GIL the IO thread waits for the lock after each
    // wait, up to the 5 ms switch interval.
    assert!(gil >= 1_000.0, "gil-threads p50 {gil} µs");
    assert!(
        gil >= 5.0 * threads,
        "gil-threads {gil} µs against threads {threads} µs"
    );
    assert!(processes < 1_000.0, "processes p50 {processes} µs");
    if python3_usable() {
        let python = us(
            io_group(&cells, "python-threads"),
            "wake_delay_p50_median_us",
        );
        assert!(python >= 1_000.0, "python-threads p50 {python} µs");
    }
    // Each group's wake-up delays get a chart, the group that waits gets
    // its distribution, and the [[chart]] of one group's figure is drawn.
    let out = dir.path().join("out");
    for chart in ["convoy-wake-io", "convoy-cdf-io", "convoy-wake-p99-io"] {
        for ext in ["png", "svg"] {
            let file = out.join("charts").join(format!("{chart}.{ext}"));
            assert!(file.is_file(), "no {}", file.display());
        }
    }
    // The CPU group never waits: no chart of its wake-ups.
    assert!(!out.join("charts/convoy-wake-cpu.png").exists());
    // One distribution per cell, of its first measured run, in rising order.
    for cell in &cells {
        let n = cell["cell"].as_u64().unwrap_or(u64::MAX);
        let text = std::fs::read_to_string(out.join(format!("distributions/cell-{n}.json")))
            .unwrap_or_default();
        let d: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let io = d["groups"]
            .as_array()
            .and_then(|g| g.iter().find(|g| g["name"] == "io"))
            .unwrap_or_else(|| panic!("no io group in cell {n}: {text}"));
        let wake: Vec<f64> = io["wake_ns"]
            .as_array()
            .map(|v| v.iter().filter_map(Value::as_f64).collect())
            .unwrap_or_default();
        assert!(!wake.is_empty(), "cell {n}: {text}");
        assert!(wake.windows(2).all(|w| w[0] <= w[1]), "cell {n}: {wake:?}");
    }
}

#[test]
fn a_long_burst_starves_an_event_loop_and_not_threads() {
    let (_dir, cells) = run_experiment("starvation.toml", STARVATION);
    let burst_us = 80_000.0;
    let on_loop = us(io_group(&cells, "async"), "wake_delay_p99_median_us");
    let threads = us(io_group(&cells, "threads"), "wake_delay_p99_median_us");
    assert!(on_loop >= burst_us / 2.0, "async p99 {on_loop} µs");
    assert!(threads < burst_us / 5.0, "threads p99 {threads} µs");
}

#[test]
fn an_event_loop_runs_on_one_os_thread() {
    let dir = tempdir();
    let file = write(
        dir.path(),
        "one.toml",
        "[experiment]\nrepetitions = 2\nwarmup = 0\n[[workload]]\ntasks = 20\n\
         io_latency = \"5ms\"\nrounds = 4\n[[model]]\nkind = \"async\"\n\
         [[model]]\nkind = \"threads\"\n",
    );
    let out = dir.path().join("out");
    let (code, stderr) = run_into(&file, &out, &[]);
    assert_eq!(code, 0, "{stderr}");
    let runs = csv_rows(&out.join("runs.csv"));
    for r in &runs {
        let expected = if r["model"] == "async" { "1" } else { "21" };
        assert_eq!(r["threads_max"], expected, "{r:?}");
    }
}

#[test]
fn a_one_group_file_keeps_the_runs_csv_columns_and_adds_threads_max() {
    let dir = tempdir();
    let file = write(
        dir.path(),
        "one.toml",
        "[experiment]\nrepetitions = 1\nwarmup = 0\n[[workload]]\ntasks = 2\n\
         io_latency = \"1ms\"\n[[model]]\nkind = \"async\"\n",
    );
    let out = dir.path().join("out");
    let (code, stderr) = run_into(&file, &out, &[]);
    assert_eq!(code, 0, "{stderr}");
    let text = std::fs::read_to_string(out.join("runs.csv")).unwrap_or_default();
    let header = text.lines().next().unwrap_or_default();
    // The columns of conlab 0.1, in order, then the new ones.
    let before = "cell,workload,model,variant,kind,tasks,io_latency,cpu_cost,rounds,io,\
                  workers,switch_interval,poll_interval,repetition,status,message,wall_ms,\
                  setup_ms,user_ms,sys_ms,cpu_ms,ctx_voluntary,ctx_involuntary,peak_rss_kb,\
                  io_waits,io_overshoot_median_us,io_overshoot_max_us,\
                  server_overshoot_median_us,lock_handoffs,lock_wait_total_ms,\
                  lock_wait_max_ms,loop_lag_max_ms,";
    assert!(header.starts_with(before), "{header}");
    assert!(
        header[before.len()..]
            .split(',')
            .any(|c| c == "threads_max"),
        "{header}"
    );
    let row = text.lines().nth(1).unwrap_or_default();
    assert!(row.contains(",2,1ms,0ms,1,sleep,"), "{row}");
    let groups = csv_rows(&out.join("groups.csv"));
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0]["group"], "workload-1");
    assert_eq!(groups[0]["tasks"], "2");
}
