//! `processes`: `workers` worker processes of this same binary
//! (`conlab __pool-worker`), like Python's `multiprocessing.Pool`. They are
//! started by the run, so their start-up counts in wall time (and shows as
//! setup). Tasks are handed out one at a time, in order, to whichever
//! worker is free, like `Pool.map(..., chunksize=1)`; each worker runs its
//! tasks one after another with blocking waits. With arrivals, dispatch
//! starts once every worker is up, and the next request goes to the first
//! free worker once it has arrived (a FIFO queue with `workers` servers). The workers are children of
//! the run's process and are waited for, so their CPU time and context
//! switches are part of the run's. Shared counters live in pages the
//! workers share with the run's process (see [`super::shared`]).
//!
//! Protocol over the worker's pipes: the parent writes the job as one JSON
//! line, the worker answers `ready`; then for each task the parent writes
//! its index on a line and the worker answers one JSON [`TaskReport`] line.
//! End of input ends the worker.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};

use serde::{Deserialize, Serialize};

use super::arrivals::Dispatch;
use super::error::ModelError;
use super::job::{Job, ModelRun};
use super::record::{Records, Span, WaitLog};
use super::shared::Shared;
use super::task;
use super::threads::panic_message;
use crate::measure::now_ns;

/// What a worker reports about one task it ran.
#[derive(Debug, Serialize, Deserialize)]
pub struct TaskReport {
    pub task: u32,
    pub end_ns: u64,
    pub waits: Vec<WaitLog>,
    pub spans: Vec<Span>,
    /// Why the task failed, if it did.
    #[serde(default)]
    pub error: Option<String>,
}

/// The most worker processes one run may start.
pub const MAX_WORKERS: u32 = 1024;

fn failure(message: String) -> ModelError {
    ModelError::Setup {
        what: "process pool",
        source: std::io::Error::other(message),
    }
}

pub fn run(job: &Job, records: &Records) -> Result<ModelRun, ModelError> {
    let workers = job.workers().min(MAX_WORKERS as usize);
    let program = std::env::current_exe().map_err(|source| ModelError::Setup {
        what: "process pool (cannot find conlab's executable)",
        source,
    })?;
    let job_line = serde_json::to_vec(job).map_err(|e| failure(e.to_string()))?;
    let mut children: Vec<Child> = Vec::with_capacity(workers);
    for _ in 0..workers {
        let mut command = Command::new(&program);
        command
            .arg("__pool-worker")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        job.shared.share_with(&mut command);
        let spawned = command.spawn();
        match spawned {
            Ok(child) => children.push(child),
            Err(e) => {
                reap(&mut children);
                return Err(failure(format!("cannot start worker process: {e}")));
            }
        }
    }
    // Closed loop: every task is due at once. Open loop: dispatch starts
    // when every worker is up (see `Hand`).
    let dispatch = Dispatch::start(job, records);
    let hand = Hand {
        job,
        records,
        order: job.dispatch_order(),
        next: AtomicUsize::new(0),
        dispatch: Mutex::new(dispatch),
        all_up: job.is_open_loop().then(|| Barrier::new(children.len())),
    };
    let ready = Mutex::new(0u64);
    let outcome: Result<(), String> = std::thread::scope(|scope| {
        let handles: Vec<_> = children
            .iter_mut()
            .enumerate()
            .map(|(w, child)| {
                let (hand, ready, job_line) = (&hand, &ready, &job_line);
                scope.spawn(move || serve_from_parent(w, child, job_line, hand, ready))
            })
            .collect();
        let mut first_error = None;
        for h in handles {
            let result = h.join().unwrap_or_else(|p| Err(panic_message(&*p)));
            if let Err(e) = result {
                first_error.get_or_insert(e);
            }
        }
        first_error.map_or(Ok(()), Err)
    });
    reap(&mut children);
    outcome.map_err(failure)?;
    let ready_ns = ready.into_inner().unwrap_or_else(|e| e.into_inner());
    Ok(ModelRun::new(ready_ns))
}

/// Closes every worker's input and waits for it, so its resource usage is
/// counted in this process's children.
fn reap(children: &mut [Child]) {
    for child in children.iter_mut() {
        drop(child.stdin.take());
    }
    for child in children.iter_mut() {
        let _ = child.wait();
    }
}

/// How tasks are handed to the workers: in the order they are due, the
/// next to whichever worker is free, once it is due.
struct Hand<'a> {
    job: &'a Job,
    records: &'a Records,
    order: Vec<usize>,
    next: AtomicUsize,
    dispatch: Mutex<Dispatch>,
    /// Open loop: the workers' threads meet here once every worker is up,
    /// and dispatch starts then.
    all_up: Option<Barrier>,
}

impl Hand<'_> {
    /// Waits for every worker to be up, and starts dispatch (open loop).
    fn all_up(&self) {
        let Some(barrier) = &self.all_up else { return };
        if barrier.wait().is_leader() {
            let d = Dispatch::at(self.job, now_ns());
            d.stamp(self.records);
            *self.dispatch.lock().unwrap_or_else(|e| e.into_inner()) = d;
        }
        barrier.wait();
    }

    /// The next task to hand out, once it is due; None when all are out or
    /// the run has passed its stop.
    fn next(&self) -> Option<usize> {
        let k = self.next.fetch_add(1, Ordering::SeqCst);
        let &i = self.order.get(k)?;
        let d = *self.dispatch.lock().unwrap_or_else(|e| e.into_inner());
        d.wait(self.job, i).then_some(i)
    }
}

/// The parent's side of one worker: send the job, wait for `ready`, then
/// hand it the next task whenever it is free and the task is due.
fn serve_from_parent(
    w: usize,
    child: &mut Child,
    job_line: &[u8],
    hand: &Hand<'_>,
    ready: &Mutex<u64>,
) -> Result<(), String> {
    let died = |child: &mut Child, what: &str| -> String {
        let mut err = String::new();
        if let Some(mut e) = child.stderr.take() {
            let _ = e.read_to_string(&mut err);
        }
        let err = err.trim();
        format!(
            "worker process {w} {what}{}",
            if err.is_empty() {
                String::new()
            } else {
                format!(": {err}")
            }
        )
    };
    let (Some(mut input), Some(output)) = (child.stdin.take(), child.stdout.take()) else {
        // The others wait for this one before they start.
        hand.all_up();
        return Err(format!("worker process {w} has no pipes"));
    };
    let mut output = BufReader::new(output);
    let mut line = String::new();
    if input
        .write_all(job_line)
        .and_then(|_| input.write_all(b"\n"))
        .and_then(|_| input.flush())
        .is_err()
    {
        // The others wait for this one before they start.
        hand.all_up();
        return Err(died(child, "did not take its job"));
    }
    if output.read_line(&mut line).map_or(true, |n| n == 0) || line.trim() != "ready" {
        // The others wait for this one before they start.
        hand.all_up();
        return Err(died(child, "did not start"));
    }
    {
        let mut r = ready.lock().unwrap_or_else(|e| e.into_inner());
        *r = (*r).max(now_ns());
    }
    hand.all_up();
    loop {
        let Some(i) = hand.next() else {
            return Ok(());
        };
        if writeln!(input, "{i}").and_then(|_| input.flush()).is_err() {
            return Err(died(child, &format!("exited before task {i}")));
        }
        line.clear();
        if output.read_line(&mut line).map_or(true, |n| n == 0) {
            return Err(died(child, &format!("exited during task {i}")));
        }
        let report: TaskReport = serde_json::from_str(&line)
            .map_err(|e| format!("worker process {w} sent a malformed report: {e}"))?;
        if let Some(error) = report.error {
            return Err(error);
        }
        let mut record = hand.records.task(i);
        record.ended(report.end_ns);
        for wait in report.waits {
            record.wait(wait);
        }
        for span in report.spans {
            record.push_span(span);
        }
    }
}

/// Entry point of `conlab __pool-worker`: the worker's side of the
/// protocol. Returns the process exit code.
pub fn serve_pool_worker() -> i32 {
    // SAFETY: PR_SET_PDEATHSIG takes a signal number; no memory effects.
    unsafe {
        libc::prctl(
            libc::PR_SET_PDEATHSIG,
            libc::SIGKILL as libc::c_ulong,
            0,
            0,
            0,
        )
    };
    let _ = crate::workload::sleep::precise_timers();
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let mut line = String::new();
    if input.read_line(&mut line).map_or(true, |n| n == 0) {
        eprintln!("no job on stdin");
        return 2;
    }
    let mut job: Job = match serde_json::from_str(&line) {
        Ok(job) => job,
        Err(e) => {
            eprintln!("malformed job: {e}");
            return 2;
        }
    };
    match Shared::from_parent(&job.cell.groups) {
        Ok(shared) => job.shared = Arc::new(shared),
        Err(e) => {
            eprintln!("cannot use the run's shared counters: {e}");
            return 2;
        }
    }
    // The slots of every task, of which this worker fills the ones it is
    // handed (a few bytes a task).
    let records = Records::new(&job);
    let mut out = std::io::stdout().lock();
    if writeln!(out, "ready").and_then(|_| out.flush()).is_err() {
        return 3;
    }
    loop {
        line.clear();
        match input.read_line(&mut line) {
            Ok(0) | Err(_) => return 0,
            Ok(_) => {}
        }
        let Ok(i) = line.trim().parse::<usize>() else {
            eprintln!("malformed task index {:?}", line.trim());
            return 2;
        };
        let outcome = task::run_blocking(&job, i, &mut records.task(i));
        let report = TaskReport {
            error: outcome.err().map(|e| task::io_failure(i, &e)),
            task: i as u32,
            end_ns: records.end_ns(i),
            waits: records.waits(i).collect(),
            spans: records.spans_of(i),
        };
        let written = serde_json::to_writer(&mut out, &report)
            .map_err(std::io::Error::other)
            .and_then(|_| out.write_all(b"\n"))
            .and_then(|_| out.flush());
        if written.is_err() {
            return 3;
        }
    }
}
