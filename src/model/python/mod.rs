//! The `python-*` models: the same workload run by a real CPython (or
//! PyPy), so the real GIL, `time.sleep`, asyncio, gevent and
//! multiprocessing decide what happens.
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
//!   kills at the timeout, and it dies with the worker if the worker dies.

mod environments;
mod error;
pub(super) mod found;
mod interpreter;
mod interpreters;
mod reply;
mod request;
#[cfg(test)]
mod tests;

use std::io::Write;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, Output, Stdio};
use std::thread;

pub use error::PythonError;
pub use environments::{environment_python, gevent_environment};
pub use interpreter::{InterpreterFacts, Located, probe};
pub use interpreters::{Interpreters, locate_for, program_of};

use super::arrivals::Dispatch;
use super::job::{Job, ModelRun};
use super::record::Records;
use super::shared::SharedOutcome;
use error::stderr_tail;
use reply::{CounterReply, RunnerReply};
use request::Request;

/// The program every python model runs.
pub const RUNNER: &str = include_str!("runner.py");

/// Runs `job` in its cell's interpreter as the runner's `mode`, filling
/// `records`.
pub fn run(job: &Job, records: &Records, mode: &'static str) -> Result<ModelRun, PythonError> {
    let request = Request::new(job, mode).map_err(PythonError::Request)?;
    let input = serde_json::to_vec(&request).map_err(PythonError::Encode)?;
    let program = program_of(&job.cell);
    let interpreter = program.as_str();
    let output = execute(interpreter, input)?;
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
        });
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
    Ok(SharedOutcome::of(groups, &finals, &waits))
}

/// Starts the runner in `interpreter`, hands it `input` on stdin and waits
/// for it to end, collecting its stdout and stderr.
fn execute(interpreter: &str, input: Vec<u8>) -> Result<Output, PythonError> {
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
    let mut child = command.spawn().map_err(|source| PythonError::Start {
        interpreter: interpreter.to_string(),
        source,
    })?;
    // Written from a thread: a large job may not fit in the pipe before
    // the interpreter starts reading.
    let writer = child.stdin.take().map(|mut stdin| {
        thread::spawn(move || {
            // An interpreter that dies before reading shows why on stderr.
            let _ = stdin.write_all(&input);
        })
    });
    let output = child
        .wait_with_output()
        .map_err(|source| PythonError::Wait {
            interpreter: interpreter.to_string(),
            source,
        })?;
    if let Some(writer) = writer {
        let _ = writer.join();
    }
    Ok(output)
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
