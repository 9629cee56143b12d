//! The scheduler and the run loop, driven by a fake executor.

use std::collections::HashSet;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use super::*;
use crate::config;
use crate::matrix;
use crate::results::folder::{Folder, Purpose};
use crate::results::manifest::{CellHash, StartedRun};
use crate::results::{CellStatus, Measurement};

#[test]
fn interleaved_runs_every_cell_once_per_pass() {
    let s = schedule(&[0, 1, 2], 1, 2, Order::Interleaved);
    let cells: Vec<usize> = s.iter().map(|s| s.cell).collect();
    assert_eq!(cells, [0, 1, 2, 0, 1, 2, 0, 1, 2]);
    assert_eq!(s[0].phase, Phase::Warmup(1));
    assert_eq!(s[3].phase, Phase::Measured(1));
    assert_eq!(s[8].phase, Phase::Measured(2));
}

#[test]
fn grouped_runs_each_cell_to_the_end() {
    let s = schedule(&[4, 7], 1, 2, Order::Grouped);
    let got: Vec<(usize, Phase)> = s.iter().map(|s| (s.cell, s.phase)).collect();
    assert_eq!(
        got,
        [
            (4, Phase::Warmup(1)),
            (4, Phase::Measured(1)),
            (4, Phase::Measured(2)),
            (7, Phase::Warmup(1)),
            (7, Phase::Measured(1)),
            (7, Phase::Measured(2)),
        ]
    );
}

#[test]
fn pending_leaves_out_kept_runs_and_warmups_of_complete_cells() {
    let slots = schedule(&[0, 1], 1, 2, Order::Interleaved);
    let done: HashSet<(usize, u32)> = [(0, 1), (0, 2), (1, 2)].into();
    let got: Vec<(usize, Phase)> = pending(slots, &done, 2)
        .iter()
        .map(|s| (s.cell, s.phase))
        .collect();
    assert_eq!(got, [(1, Phase::Warmup(1)), (1, Phase::Measured(1))]);
}

/// Pretends to run: the wall time is the job's prediction-free sum of
/// latencies, and any cell named "slow" times out.
struct FakeExecutor {
    calls: Vec<String>,
}

impl Executor for FakeExecutor {
    fn execute(&mut self, job: &Job, _timeout: Duration, _i: &AtomicBool) -> Outcome {
        self.calls.push(job.cell.label());
        if job.cell.workload == "slow" {
            return Outcome::TimedOut("killed after the timeout of 1s".into());
        }
        Outcome::Done(
            Box::new(Measurement {
                wall_ns: job.latencies.iter().sum(),
                ..Measurement::default()
            }),
            None,
        )
    }
}

/// The manifest's record of a run of `prepared`.
fn started(prepared: &[Prepared]) -> StartedRun {
    StartedRun {
        conlab_version: env!("CARGO_PKG_VERSION").to_string(),
        experiment_file: "t.toml".into(),
        experiment_sha256: String::new(),
        repetitions: 3,
        warmup: 1,
        filter: Vec::new(),
        shard: None,
        cells: prepared
            .iter()
            .map(|p| CellHash {
                cell: p.plan.cell.index,
                label: p.plan.cell.label(),
                sha256: String::new(),
            })
            .collect(),
    }
}

struct Silent;
impl Observer for Silent {
    fn run_started(&mut self, _: &str, _: Phase) {}
    fn run_ended(&mut self, _: &str, _: Phase, _: &Outcome) {}
    fn note(&mut self, _: &str) {}
}

#[test]
fn a_timed_out_cell_is_recorded_and_the_others_complete() {
    let exp = match config::from_text(
        "t.toml",
        "[[workload]]\nname = \"fast\"\ntasks = 2\nio_latency = \"1ms\"\n\
         [[workload]]\nname = \"slow\"\ntasks = 1\n[[model]]\nkind = \"sequential\"\n",
        "t",
    ) {
        Ok(l) => l.experiment,
        Err(e) => panic!("{e}"),
    };
    let limits = Limits::of_this_machine();
    let cells = matrix::expand(&exp, 2);
    let interpreters = crate::model::runtimes::Runtimes::probe_for(&cells);
    let prepared = prepare(&exp, cells, 2, &limits, &interpreters);
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("{e}"),
    };
    let lock = match Folder::lock(dir.path(), Purpose::Run { force: false }) {
        Ok(l) => l,
        Err(e) => panic!("{e}"),
    };
    let mut store = match Store::create(&lock, false, "", started(&prepared)) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    };
    let settings = Settings {
        repetitions: 3,
        warmup: 1,
        order: Order::Interleaved,
        timeout: Duration::from_secs(1),
        cores: 2,
        timeline_max_tasks: 64,
    };
    let mut executor = FakeExecutor { calls: Vec::new() };
    let interrupted = AtomicBool::new(false);
    let finished = Run {
        prepared: &prepared,
        settings: &settings,
        executor: &mut executor,
        store: &mut store,
        observer: &mut Silent,
        interrupted: &interrupted,
        summary: SummaryFile {
            experiment: "t".into(),
            description: String::new(),
            conlab_version: String::new(),
            cores: 2,
            cells: Vec::new(),
        },
        kept: Vec::new(),
        kept_groups: Vec::new(),
    }
    .execute();
    let finished = match finished {
        Ok(f) => f,
        Err(e) => panic!("{e}"),
    };
    // The slow cell ran once (its warm-up) and was not tried again.
    assert_eq!(
        executor
            .calls
            .iter()
            .filter(|c| c.starts_with("slow"))
            .count(),
        1
    );
    assert_eq!(
        executor
            .calls
            .iter()
            .filter(|c| c.starts_with("fast"))
            .count(),
        4
    );
    assert_eq!(finished.records.len(), 6);
    let cells = &finished.summary.cells;
    assert_eq!(cells[0].status, CellStatus::Ok);
    assert_eq!(cells[0].wall_median_ms, Some(2.0));
    assert_eq!(cells[1].status, CellStatus::Failed);
    assert_eq!(
        cells[1].message,
        "not run: warm-up 1 of this cell was killed after the timeout of 1s"
    );
    let slow: Vec<_> = finished
        .records
        .iter()
        .filter(|r| r.workload == "slow")
        .collect();
    assert_eq!(slow.len(), 3);
    assert!(slow.iter().all(|r| r.status == RunStatus::Skipped));
    assert!(slow[0].message.contains("timed out") || slow[0].message.contains("timeout"));
    let csv = std::fs::read_to_string(dir.path().join("runs.csv")).unwrap_or_default();
    assert_eq!(csv.lines().count(), 7, "{csv}");
}

#[test]
fn a_resumed_run_runs_only_what_is_missing_and_summarises_all() {
    let (_, prepared) = prepared_of(
        "[[workload]]\nname = \"w\"\ntasks = [1, 2]\nio_latency = \"1ms\"\n[[model]]\nkind = \"sequential\"\n",
    );
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("{e}"),
    };
    let lock = match Folder::lock(dir.path(), Purpose::Run { force: false }) {
        Ok(l) => l,
        Err(e) => panic!("{e}"),
    };
    let mut store = match Store::create(&lock, false, "", started(&prepared)) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    };
    let kept: Vec<RunRecord> = [(0, 1), (0, 2), (0, 3), (1, 2)]
        .iter()
        .map(|&(cell, rep)| {
            RunRecord::measured(
                &prepared[cell].plan.cell,
                rep,
                &Measurement {
                    wall_ns: 5_000_000,
                    ..Measurement::default()
                },
            )
        })
        .collect();
    let settings = Settings {
        repetitions: 3,
        warmup: 1,
        order: Order::Interleaved,
        timeout: Duration::from_secs(1),
        cores: 2,
        timeline_max_tasks: 64,
    };
    let mut executor = FakeExecutor { calls: Vec::new() };
    let finished = Run {
        prepared: &prepared,
        settings: &settings,
        executor: &mut executor,
        store: &mut store,
        observer: &mut Silent,
        interrupted: &AtomicBool::new(false),
        summary: SummaryFile {
            experiment: "t".into(),
            description: String::new(),
            conlab_version: String::new(),
            cores: 2,
            cells: Vec::new(),
        },
        kept,
        kept_groups: Vec::new(),
    }
    .execute();
    let finished = match finished {
        Ok(f) => f,
        Err(e) => panic!("{e}"),
    };
    // Cell 0 is complete: not even warmed up. Cell 1: a warm-up, runs 1, 3.
    assert_eq!(executor.calls.len(), 3);
    assert!(executor.calls.iter().all(|c| c.contains("tasks=2")));
    let mut pairs: Vec<(usize, u32)> = finished
        .records
        .iter()
        .map(|r| (r.cell, r.repetition))
        .collect();
    pairs.sort();
    assert_eq!(pairs, [(0, 1), (0, 2), (0, 3), (1, 1), (1, 2), (1, 3)]);
    assert!(finished.summary.cells.iter().all(|c| c.n == 3));
}

#[test]
fn every_model_at_a_point_gets_the_same_arrival_schedule() {
    let text = "[[workload]]\nname = \"w\"\narrival = { rate = [50, 80], dist = \"poisson\" }\n\
                requests = 30\nio_latency = \"1ms\"\n[[model]]\nkind = \"sequential\"\n\
                [[model]]\nkind = \"threads\"\n";
    let exp = match crate::config::from_text("t.toml", text, "t") {
        Ok(l) => l.experiment,
        Err(e) => panic!("{e}"),
    };
    let cells = crate::matrix::expand(&exp, 2);
    let at = |kind: crate::config::ModelKind, rate: f64| {
        let cell = cells
            .iter()
            .find(|c| c.kind == kind && c.groups[0].arrival.map(|a| a.rate.per_s()) == Some(rate))
            .unwrap_or_else(|| panic!("no {kind:?} cell at {rate}"));
        super::draw_schedules(7, cell)
    };
    use crate::config::ModelKind::{Sequential, Threads};
    assert_eq!(at(Sequential, 50.0), at(Threads, 50.0));
    assert_eq!(at(Sequential, 80.0), at(Threads, 80.0));
    assert_ne!(at(Sequential, 50.0), at(Sequential, 80.0));
    let cell = &cells[0];
    assert_eq!(
        super::draw_schedules(7, cell),
        super::draw_schedules(7, cell)
    );
    assert_ne!(
        super::draw_schedules(7, cell),
        super::draw_schedules(8, cell)
    );
    match &super::draw_schedules(7, cell)[0] {
        crate::model::Schedule::At(times) => assert_eq!(times.len(), 30),
        other => panic!("a Poisson schedule is a table, not {other:?}"),
    }
}

#[test]
fn an_open_loop_run_stops_a_margin_before_its_timeout() {
    use std::time::Duration;
    assert_eq!(
        super::stop_after(Duration::from_secs(3)),
        Duration::from_secs(2)
    );
    assert_eq!(
        super::stop_after(Duration::from_secs(20)),
        Duration::from_secs(15)
    );
    assert_eq!(
        super::stop_after(Duration::from_secs(600)),
        Duration::from_secs(540)
    );
    assert_eq!(
        super::stop_after(Duration::from_secs(1)),
        Duration::from_millis(500)
    );
}

#[test]
fn an_open_loop_cell_is_predicted_to_last_until_its_last_arrival_and_the_estimate_adds_them_up() {
    // 30 requests at 50 a second arrive over 600 ms, far longer than their
    // 30 × 1 ms of waits: the prediction is the arrivals' span.
    let text = "[experiment]\nrepetitions = 2\nwarmup = 1\n\
                [[workload]]\nname = \"w\"\narrival = { rate = 50 }\nrequests = 30\n\
                io_latency = \"1ms\"\n[[model]]\nkind = \"sequential\"\n\
                [[model]]\nkind = \"async\"\n[[model]]\nkind = \"threads\"\n";
    let exp = match config::from_text("t.toml", text, "t") {
        Ok(l) => l.experiment,
        Err(e) => panic!("{e}"),
    };
    let cells = matrix::expand(&exp, 2);
    let interpreters = crate::model::runtimes::Runtimes::probe_for(&cells);
    let mut prepared = prepare(&exp, cells, 2, &Limits::of_this_machine(), &interpreters);
    for p in &prepared {
        // 30 / 50 s in f64 is a hair under 0.6 s: 599,999,999 or 600 million.
        assert!(
            p.plan.predicted_ns.abs_diff(600_000_000) <= 1,
            "{}",
            p.plan.predicted_ns
        );
    }
    let per_cell = Duration::from_nanos(prepared[0].plan.predicted_ns) + RUN_OVERHEAD;
    assert_eq!(RUN_OVERHEAD, Duration::from_millis(10));
    // Each runnable cell: (prediction + start-up) × (warm-ups + repetitions).
    assert_eq!(estimate(&prepared, 1, 2), per_cell * 9);
    assert_eq!(estimate(&prepared, 0, 1), per_cell * 3);
    // A skipped cell does not run.
    prepared[1].plan.skip = Some("skipped".into());
    assert_eq!(estimate(&prepared, 1, 2), per_cell * 6);
}

/// The experiment of `text` (file `t.toml`) and its cells, prepared for
/// two cores on this machine.
fn prepared_of(text: &str) -> (config::Experiment, Vec<Prepared>) {
    let exp = match config::from_text("t.toml", text, "t") {
        Ok(l) => l.experiment,
        Err(e) => panic!("{e}"),
    };
    let cells = matrix::expand(&exp, 2);
    let interpreters = crate::model::runtimes::Runtimes::probe_for(&cells);
    let prepared = prepare(&exp, cells, 2, &Limits::of_this_machine(), &interpreters);
    (exp, prepared)
}

/// A unit slip (`io_latency = "20s"` meant as 20 ms) warns once per
/// workload, naming the longest cell and the key; cells within the
/// timeout, and a workload of them, say nothing.
#[test]
fn cells_predicted_past_the_timeout_are_warned_of_by_workload() {
    let (exp, prepared) = prepared_of(
        "[experiment]\ntimeout = \"30s\"\n\
         [[workload]]\nname = \"slip\"\ntasks = [1, 10]\nio_latency = \"20s\"\n\
         [[workload]]\nname = \"fine\"\ntasks = 10\nio_latency = \"20ms\"\n\
         [[model]]\nkind = \"sequential\"\n[[model]]\nkind = \"threads\"\n",
    );
    assert_eq!(
        super::longer_than_timeout(&prepared, exp.timeout.as_std()),
        [
            "warning: 1 of the 4 cells of workload \"slip\" is predicted to take longer than \
          timeout = \"30s\" (\"slip · sequential · tasks=10\": 3m 20s), so its runs will time out; \
          io_latency = \"20s\" × 10 tasks × 1 round makes it long (meant \"20ms\"?), or raise timeout"
        ]
    );
    assert!(super::longer_than_timeout(&prepared, Duration::from_secs(300)).is_empty());
}
