//! The python models driven directly (no worker process) in a real
//! `python3`, against a tiny delay server for `io = "tcp"`. Every test
//! passes with a note when no usable `python3` is installed.

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
    match probe(DEFAULT_INTERPRETER) {
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
            external::run(job, records, &program(interpreter_of(&job.cell)), mode)
        }
        Runs::Own(_) => panic!("{} is none of the python models", job.cell.kind),
    }
}

/// A job of `kind` on `tasks` tasks, each `rounds` × `latency` of IO.
fn job(kind: ModelKind, tasks: u64, rounds: u32, latency: u64, tcp: Option<String>) -> Job {
    let text = format!(
        "[[workload]]\ntasks = {tasks}\nrounds = {rounds}\nio_latency = \"{}ms\"\n\
         [[model]]\nkind = \"{}\"\n",
        latency / MS,
        kind.name()
    );
    let exp = match config::from_text("t.toml", &text, "t") {
        Ok(loaded) => loaded.experiment,
        Err(e) => panic!("{e}"),
    };
    let mut cell = matrix::expand(&exp, 2).remove(0);
    if tcp.is_some() {
        cell.io = IoKind::Tcp;
    }
    Job {
        cell,
        latencies: vec![latency; (tasks * rounds as u64) as usize].into(),
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
    for kind in ModelKind::ALL.into_iter().filter(|k| k.is_python()) {
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
