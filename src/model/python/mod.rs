//! The `python-*` models: the same workload run by a real CPython, so the
//! real GIL, `time.sleep`, asyncio and multiprocessing decide what happens.
//!
//! The worker process (`conlab __worker`) starts the interpreter as
//! `<interpreter> -I -c <runner.py>`, where `runner.py` is fixed code
//! compiled into conlab. The job reaches it only as JSON on stdin (a
//! `Request`); it answers with JSON on stdout (a `RunnerReply`): per task its
//! start and end, how late each IO wait ended and, for timelines, every IO
//! wait and CPU burst. Python takes those timestamps on `CLOCK_MONOTONIC`,
//! conlab's own clock.
//!
//! What counts where:
//! - wall time starts at `t0`, taken in Python right before the model
//!   starts (before its threads, pool or event loop): the interpreter's
//!   start-up is setup, outside wall time; a process pool's start-up is in;
//! - the worker waits for the interpreter, so the interpreter's CPU time and
//!   context switches (and those of the pool workers it joins) land in the
//!   worker's `RUSAGE_CHILDREN`; what the interpreter used before `t0` is
//!   reported back and subtracted, like its start-up time;
//! - the interpreter stays in the worker's process group, which the parent
//!   kills at the timeout, and it dies with the worker if the worker dies;
//!   that timeout is the deadline of its output too;
//! - what it writes is read up to a limit worked out from the job
//!   ([`reply_limit`], [`STDERR_LIMIT`]): an interpreter that writes more
//!   is killed and the run fails saying so, so the worker's memory stays
//!   that of the job.

mod error;
mod interpreter;
mod interpreters;
mod reply;
mod request;
#[cfg(test)]
mod tests;

use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, ExitStatus, Stdio};
use std::time::Instant;

pub use error::PythonError;
pub use interpreter::{Located, probe};
pub use interpreters::{Interpreters, interpreter_of, locate_for};

use super::arrivals::Dispatch;
use super::job::{Job, ModelError, ModelRun};
use super::record::Records;
use super::shared::SharedOutcome;
use crate::child::{self, Bounds, End, Kill};
use error::stderr_tail;
use reply::{CounterReply, RunnerReply};
use request::{Request, runner_model};

/// The program every python model runs.
pub const RUNNER: &str = include_str!("runner.py");

/// The most the interpreter may write on stderr: a traceback, warnings.
pub const STDERR_LIMIT: usize = 1 << 20;

/// The most the runner may write on stdout for `job`: its one-line reply,
/// which holds two numbers per IO wait, a few per task, and the spans of
/// a timeline (see `reply.rs`), with room to spare.
pub fn reply_limit(job: &Job) -> usize {
    const BASE: usize = 1 << 20;
    const PER_WAIT: usize = 64;
    const PER_TASK: usize = 256;
    const PER_SPAN: usize = 128;
    let waits = job.cell.waits() as usize;
    let tasks = job.tasks();
    let spans = if job.record_timeline {
        tasks.saturating_mul(job.spans_per_task())
    } else {
        0
    };
    BASE.saturating_add(waits.saturating_mul(PER_WAIT))
        .saturating_add(tasks.saturating_mul(PER_TASK))
        .saturating_add(spans.saturating_mul(PER_SPAN))
}

/// What the interpreter did: how it ended and what it wrote.
struct Output {
    status: ExitStatus,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

/// Runs `job` in its cell's interpreter, filling `records`.
pub fn run(job: &Job, records: &Records) -> Result<ModelRun, ModelError> {
    let model = runner_model(job.cell.kind).ok_or(ModelError::Unavailable(job.cell.kind.name()))?;
    let request = Request::new(job, model).map_err(|e| ModelError::Io(e.to_string()))?;
    let input = serde_json::to_vec(&request).map_err(PythonError::Encode)?;
    let interpreter = interpreter_of(&job.cell);
    let output = execute(interpreter, input, reply_limit(job))?;
    if !output.status.success() {
        let how = match (output.status.code(), output.status.signal()) {
            (Some(code), _) => format!("exited with status {code}"),
            (_, Some(signal)) => format!("was killed by signal {signal}"),
            _ => "ended abnormally".to_string(),
        };
        return Err(PythonError::Crashed {
            interpreter: interpreter.to_string(),
            how,
            stderr: stderr_tail(&output.stderr),
        }
        .into());
    }
    let malformed = |detail: String| PythonError::Malformed {
        interpreter: interpreter.to_string(),
        detail,
        stderr: stderr_tail(&output.stderr),
    };
    let mut reply = RunnerReply::parse(&output.stdout).map_err(malformed)?;
    let counters = std::mem::take(&mut reply.shared);
    let mut run = reply
        .into_run(records, |i| job.task(i).latencies.len())
        .map_err(malformed)?;
    // The runner dispatched from its t0: the records' start of dispatch
    // and stop.
    if let Some(t0) = run.wall_start_ns {
        Dispatch::at(job, t0).stamp(records);
    }
    run.extras.shared = shared_outcome(job, &counters).map_err(malformed)?;
    Ok(run)
}

/// What the interpreter's counters came to, checked against the cell's
/// groups.
fn shared_outcome(
    job: &Job,
    counters: &[Option<CounterReply>],
) -> Result<Option<SharedOutcome>, String> {
    let groups = &job.cell.groups;
    let mut finals = vec![0; groups.len()];
    let mut waits = vec![0; groups.len()];
    for (i, g) in groups.iter().enumerate().filter(|(_, g)| g.shared.counts()) {
        let Some(Some(c)) = counters.get(i) else {
            return Err(format!("no shared counter reported for group {}", g.name));
        };
        finals[i] = c.value;
        waits[i] = c.lock_wait_ns;
    }
    Ok(SharedOutcome::of(&job.cell, &finals, &waits))
}

/// Starts the runner in `interpreter`, hands it `input` on stdin and waits
/// for it to end, collecting its stdout (at most `limit` bytes) and
/// stderr (at most [`STDERR_LIMIT`]).
fn execute(interpreter: &str, input: Vec<u8>, limit: usize) -> Result<Output, PythonError> {
    // SAFETY: getpid has no preconditions and cannot fail.
    let worker = unsafe { libc::getpid() };
    let mut command = Command::new(interpreter);
    command
        .args(["-I", "-c", RUNNER])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // SAFETY: the hook runs in the child between fork and exec; it only
    // makes async-signal-safe calls (prctl, getppid) and does not allocate.
    unsafe {
        command.pre_exec(move || die_with(worker));
    }
    let started = Instant::now();
    let mut child = command.spawn().map_err(|source| PythonError::Start {
        interpreter: interpreter.to_string(),
        source,
    })?;
    let bounds = Bounds {
        stdout: limit,
        stderr: STDERR_LIMIT,
        // The run's timeout: the parent kills the worker's whole group,
        // this interpreter with it.
        deadline: None,
    };
    let done = child::supervise(&mut child, input, bounds, Kill::Process, started, &|| false);
    match done.end {
        End::Exited(status) => Ok(Output {
            status,
            stdout: done.stdout,
            stderr: done.stderr,
        }),
        End::TooMuch { stream, limit } => Err(PythonError::TooMuchOutput {
            interpreter: interpreter.to_string(),
            stream: stream.name(),
            limit: crate::bounded::size_text(limit as u64),
            stderr: stderr_tail(&done.stderr),
        }),
        End::Lost(source) => Err(PythonError::Wait {
            interpreter: interpreter.to_string(),
            source,
        }),
        End::Deadline { .. } | End::Stopped => Err(PythonError::Wait {
            interpreter: interpreter.to_string(),
            source: std::io::Error::other("it was stopped"),
        }),
    }
}

/// In the interpreter's process, before exec: be killed when the worker
/// dies, and give up if it already has.
fn die_with(worker: libc::pid_t) -> std::io::Result<()> {
    // SAFETY: PR_SET_PDEATHSIG takes a signal number; getppid cannot fail.
    // Both are async-signal-safe and touch no memory.
    unsafe {
        if libc::prctl(
            libc::PR_SET_PDEATHSIG,
            libc::SIGKILL as libc::c_ulong,
            0,
            0,
            0,
        ) != 0
        {
            return Err(std::io::Error::last_os_error());
        }
        if libc::getppid() != worker {
            return Err(std::io::Error::from_raw_os_error(libc::ESRCH));
        }
    }
    Ok(())
}
