//! The python models driven directly (no worker process) in a real
//! `python3` (and `pypy3`, and a Python with gevent for `python-gevent`),
//! against a tiny delay server for `io = "tcp"`. Every test is skipped,
//! saying so, when the interpreter it needs is not installed.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

use super::interpreter::probe;
use super::interpreters::DEFAULT_INTERPRETER;
use super::*;
use crate::config::{self, IoKind, ModelKind, Runs};
use crate::matrix;
use crate::model::external::{self, RunnerError};
use crate::model::{Job, ModelRun, Records};

const MS: u64 = 1_000_000;

fn python3_usable() -> bool {
    match probe(DEFAULT_INTERPRETER, &[]) {
        Ok(_) => true,
        Err(e) => {
            crate::test_skip::skip(
                crate::test_skip::Reason::NoPython,
                &format!("needs python3: {e}"),
            );
            false
        }
    }
}

/// Runs `job` in the runner's mode its kind declares.
fn run_declared(job: &Job, records: &Records) -> Result<ModelRun, RunnerError> {
    match job.cell.kind.runs() {
        Runs::Runner { mode, .. } => {
            external::run(job, records, &program(&program_of(&job.cell)), mode)
        }
        Runs::Own(_) => panic!("{} is none of the python models", job.cell.kind),
    }
}

/// A Python that imports gevent, if this machine has one (see
/// `tests/support/runtimes.rs`); the test is skipped without.
fn gevent_python() -> Option<String> {
    match crate::test_runtimes::gevent_python() {
        Ok(python) => Some(python),
        Err(why) => {
            crate::test_skip::skip(crate::test_skip::Reason::NoGevent, &why);
            None
        }
    }
}

/// A job of `kind` on `tasks` tasks, each `rounds` × `latency` of IO;
/// `python-gevent` runs in a Python with gevent (where there is one).
fn job(kind: ModelKind, tasks: u64, rounds: u32, latency: u64, tcp: Option<String>) -> Job {
    let text = format!(
        "[[workload]]\ntasks = {tasks}\nrounds = {rounds}\nio_latency = \"{}ms\"\n\
         [[model]]\nkind = \"{}\"\n",
        latency / MS,
        kind.name()
    );
    let mut job = job_of(&text, latency, tcp);
    if kind.needs_module().is_some() {
        job.cell.python = crate::test_runtimes::gevent_python().ok();
    }
    job
}

/// The first cell of the experiment `text` as a job whose IO waits all
/// last `latency`.
fn job_of(text: &str, latency: u64, tcp: Option<String>) -> Job {
    let exp = match config::from_text("t.toml", text, "t") {
        Ok(loaded) => loaded.experiment,
        Err(e) => panic!("{e}"),
    };
    let mut cell = matrix::expand(&exp, 2).remove(0);
    if tcp.is_some() {
        cell.io = IoKind::Tcp;
    }
    let waits = cell.waits() as usize;
    Job {
        cell,
        latencies: vec![latency; waits].into(),
        cores: 2,
        record_timeline: true,
        tcp_server: tcp,
        shared: Default::default(),
        arrivals: Vec::new(),
        stop_after_ns: None,
        timeout_ns: None,
    }
}

/// A delay server as the protocol says: each request is 8 bytes, a latency
/// in ns as a big-endian u64; the answer, 8 bytes, comes after it and says
/// when it was sent (ns on CLOCK_MONOTONIC). Counts the connections it
/// accepted.
fn delay_server() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("bind: {e}"));
    let addr = listener
        .local_addr()
        .unwrap_or_else(|e| panic!("local_addr: {e}"))
        .to_string();
    let connections = Arc::new(AtomicUsize::new(0));
    let counted = connections.clone();
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            counted.fetch_add(1, Ordering::SeqCst);
            thread::spawn(move || {
                let mut request = [0u8; 8];
                while stream.read_exact(&mut request).is_ok() {
                    let latency = u64::from_be_bytes(request);
                    thread::sleep(Duration::from_nanos(latency));
                    let sent = crate::measure::now_ns();
                    if stream.write_all(&sent.to_be_bytes()).is_err() {
                        return;
                    }
                }
            });
        }
    });
    (addr, connections)
}

#[test]
fn tcp_io_reaches_the_delay_server_in_every_model() {
    if !python3_usable() {
        return;
    }
    let (addr, connections) = delay_server();
    let mut expected_connections = 0;
    let gevent = gevent_python().is_some();
    let kinds = ModelKind::ALL
        .into_iter()
        .filter(|k| k.is_python() && (gevent || k.needs_module().is_none()));
    for kind in kinds {
        let job = job(kind, 3, 2, 20 * MS, Some(addr.clone()));
        let records = Records::new(&job);
        let run = run_declared(&job, &records).unwrap_or_else(|e| panic!("{kind}: {e}"));
        let t0 = run.wall_start_ns.unwrap_or(0);
        expected_connections += 3;
        for task in 0..3 {
            assert_eq!(records.waits(task).count(), 2, "{kind}");
            // Each task waited its two answers, 20 ms each.
            let end = records.end_ns(task);
            assert!(end.saturating_sub(t0) >= 40 * MS, "{kind}: task {task}");
            let spans = records.spans_of(task);
            assert_eq!(spans.len(), 2, "{kind}: {spans:?}");
        }
        let wall = records.last_end_ns().unwrap_or(0) - t0;
        // Wide margin: 3 tasks × 2 rounds × 20 ms is 120 ms one at a time.
        assert!(wall < 2_000 * MS, "{kind}: {wall} ns");
    }
    // One connection per task, kept across its rounds.
    assert_eq!(connections.load(Ordering::SeqCst), expected_connections);
}

#[test]
fn tcp_waits_overlap_in_threads_and_add_up_in_sequence() {
    if !python3_usable() {
        return;
    }
    let (addr, _) = delay_server();
    let wall = |kind| {
        let job = job(kind, 4, 1, 60 * MS, Some(addr.clone()));
        let records = Records::new(&job);
        let run = run_declared(&job, &records).unwrap_or_else(|e| panic!("{kind}: {e}"));
        records.last_end_ns().unwrap_or(0) - run.wall_start_ns.unwrap_or(0)
    };
    let sequential = wall(ModelKind::PythonSequential);
    let threads = wall(ModelKind::PythonThreads);
    let asyncio = wall(ModelKind::PythonAsyncio);
    assert!(sequential >= 240 * MS, "{sequential}");
    assert!(threads < sequential / 2, "{threads} vs {sequential}");
    assert!(asyncio < sequential / 2, "{asyncio} vs {sequential}");
    // gevent's cooperative sockets overlap the waits too.
    if gevent_python().is_some() {
        let gevent = wall(ModelKind::PythonGevent);
        assert!(gevent < sequential / 2, "{gevent} vs {sequential}");
    }
}

/// The wall time of `job` run in its declared mode, from the runner's t0
/// to the last task's end, and its records.
fn timed(job: &Job) -> (u64, Records) {
    let records = Records::new(job);
    let run = run_declared(job, &records).unwrap_or_else(|e| panic!("{}: {e}", job.cell.kind));
    let wall = records.last_end_ns().unwrap_or(0) - run.wall_start_ns.unwrap_or(0);
    (wall, records)
}

/// Greenlets are the note's N:1 user threads: gevent overlaps 10 tasks'
/// timer waits as asyncio does (two rounds of 30 ms each: 60 ms, where
/// one after another takes 600 ms), and runs 4 bursts of 30 ms of CPU one
/// at a time on its one thread, never two at once (120 ms on any number of
/// cores), as a blocking call holds an event loop.
#[test]
fn gevent_overlaps_io_like_asyncio_and_serialises_cpu() {
    let Some(python) = gevent_python() else {
        return;
    };
    let in_gevent = |text: &str, latency| {
        let mut job = job_of(text, latency, None);
        job.cell.python = Some(python.clone());
        job
    };
    let io = "[[workload]]\ntasks = 10\nrounds = 2\nio_latency = \"30ms\"\n\
              [[model]]\nkind = \"python-gevent\"\n";
    let (gevent, records) = timed(&in_gevent(io, 30 * MS));
    let (asyncio, _) = timed(&job(ModelKind::PythonAsyncio, 10, 2, 30 * MS, None));
    assert!(
        (60 * MS..150 * MS).contains(&gevent),
        "gevent: {gevent} ns for 10 × 2 × 30 ms"
    );
    assert!(
        gevent < 2 * asyncio.max(60 * MS),
        "{gevent} vs asyncio {asyncio}"
    );
    for task in 0..10 {
        assert_eq!(records.waits(task).count(), 2, "task {task}");
    }
    let cpu = "[[workload]]\ntasks = 4\ncpu_cost = \"30ms\"\n\
               [[model]]\nkind = \"python-gevent\"\n";
    let (wall, records) = timed(&in_gevent(cpu, 0));
    assert!(
        wall >= 114 * MS,
        "4 × 30 ms of CPU on one thread took {wall} ns"
    );
    let mut bursts: Vec<(u64, u64)> = (0..4)
        .flat_map(|t| records.spans_of(t))
        .map(|s| (s.start_ns, s.end_ns))
        .collect();
    bursts.sort();
    assert_eq!(bursts.len(), 4, "{bursts:?}");
    assert!(
        bursts.windows(2).all(|w| w[0].1 <= w[1].0),
        "two bursts ran at once: {bursts:?}"
    );
}

/// As in asyncio, greenlets switch only where a task waits: a racy counter
/// loses no update until its window yields (`gevent.sleep(0)`), and then
/// loses some in every run; gevent's lock loses none.
#[test]
fn gevent_loses_racy_updates_only_with_a_yield_inside_the_window() {
    let Some(python) = gevent_python() else {
        return;
    };
    let lost = |shared: &str, await_inside: bool| -> Vec<u64> {
        let text = format!(
            "[[workload]]\ntasks = 4\nrounds = 6\nio_latency = \"1ms\"\ncpu_cost = \"1ms\"\n\
             shared = \"{shared}\"\nawait_inside = {await_inside}\n\
             [[model]]\nkind = \"python-gevent\"\n"
        );
        let mut job = job_of(&text, MS, None);
        job.cell.python = Some(python.clone());
        (0..5)
            .map(|_| {
                let records = Records::new(&job);
                let run = run_declared(&job, &records).unwrap_or_else(|e| panic!("{e}"));
                let outcome = run.extras.shared.unwrap_or_else(|| panic!("no counter"));
                assert_eq!(outcome.expected, 24);
                outcome.lost
            })
            .collect()
    };
    let racy = lost("racy", false);
    assert!(racy.iter().all(|&n| n == 0), "racy, no yield: {racy:?}");
    let yielding = lost("racy", true);
    assert!(
        yielding.iter().all(|&n| n >= 1),
        "racy, yield inside: {yielding:?}"
    );
    let locked = lost("locked", false);
    assert!(locked.iter().all(|&n| n == 0), "locked: {locked:?}");
}

/// Issue 24: every python kind but gevent (which has no PyPy wheel to
/// install) runs in PyPy unchanged, which the probe says is PyPy.
#[test]
fn every_python_kind_runs_in_pypy() {
    let pypy = match crate::test_runtimes::pypy() {
        Ok(pypy) => pypy,
        Err(why) => {
            crate::test_skip::skip(crate::test_skip::Reason::NoPyPy, &why);
            return;
        }
    };
    let found = probe(&pypy, &[]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(found.implementation_name(), "PyPy");
    assert_eq!(found.gil, crate::config::Gil::On);
    let kinds = ModelKind::ALL
        .into_iter()
        .filter(|k| k.is_python() && k.needs_module().is_none());
    for kind in kinds {
        let mut job = job(kind, 3, 2, 5 * MS, None);
        job.cell.python = Some(pypy.clone());
        let (wall, records) = timed(&job);
        for task in 0..3 {
            assert_eq!(records.waits(task).count(), 2, "{kind}: task {task}");
        }
        assert!(wall >= 10 * MS, "{kind}: {wall} ns");
    }
}

/// Issue 28: asyncio whose coroutines make blocking calls serialises its
/// tasks as `async-blocking` does: over a sleep and over the delay
/// server's socket, 4 tasks of 60 ms take their sum, where plain asyncio
/// overlaps them; and it is predicted and queued as `async-blocking` is.
#[test]
fn asyncio_with_blocking_calls_serialises_like_async_blocking() {
    let blocking = ModelKind::PythonAsyncioBlocking;
    assert_eq!(blocking.shape(), ModelKind::AsyncBlocking.shape());
    assert_eq!(
        crate::predict::formula(blocking),
        crate::predict::formula(ModelKind::AsyncBlocking)
    );
    assert_eq!(
        crate::queueing::capacity_formula(blocking),
        crate::queueing::capacity_formula(ModelKind::AsyncBlocking)
    );
    if !python3_usable() {
        return;
    }
    let (addr, _) = delay_server();
    for tcp in [None, Some(addr)] {
        let wall = |kind| {
            let job = job(kind, 4, 1, 60 * MS, tcp.clone());
            let records = Records::new(&job);
            let run = run_declared(&job, &records).unwrap_or_else(|e| panic!("{kind}: {e}"));
            for task in 0..4 {
                assert_eq!(records.waits(task).count(), 1, "{kind}: task {task}");
            }
            records.last_end_ns().unwrap_or(0) - run.wall_start_ns.unwrap_or(0)
        };
        let serial = wall(blocking);
        let overlapped = wall(ModelKind::PythonAsyncio);
        assert!(serial >= 240 * MS, "{tcp:?}: {serial} ns");
        assert!(
            overlapped < serial / 2,
            "{tcp:?}: {overlapped} vs {serial} ns"
        );
    }
}

#[test]
fn tcp_without_a_server_address_fails_with_the_reason() {
    let job = job(ModelKind::PythonThreads, 1, 1, MS, None);
    let mut tcp_job = job.clone();
    tcp_job.cell.io = IoKind::Tcp;
    let message = run_declared(&tcp_job, &Records::new(&tcp_job))
        .map(|_| ())
        .map_err(|e| e.to_string());
    assert!(
        message
            .as_ref()
            .is_err_and(|m| m.contains("needs the delay server's address")),
        "{message:?}"
    );
}

#[test]
fn the_runner_is_python_3_8() {
    if !python3_usable() {
        return;
    }
    let child = Command::new(DEFAULT_INTERPRETER)
        .args([
            "-I",
            "-c",
            "import ast, sys; ast.parse(sys.stdin.read(), feature_version=(3, 8))",
        ])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = child.unwrap_or_else(|e| panic!("{e}"));
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(RUNNER.as_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let output = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
