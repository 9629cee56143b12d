//! The one path every runner takes, whatever its runtime: a program
//! (a CPython with `runner.py`, Node.js with `runner.js`, a user's own
//! command) is started with the job as JSON on stdin (the runner
//! protocol, version [`PROTOCOL`]: [`Request`]), and its reply, the last
//! line of its stdout ([`reply`]), fills the run's records. Each runtime's
//! module only says which program to start ([`Program`]).
//!
//! What counts where:
//! - wall time starts at `t0`, taken by the runner right before the model
//!   starts (before its threads, pool or event loop): the runtime's
//!   start-up is setup, outside wall time; a pool the model starts is in;
//! - the worker waits for the runner, so the runner's CPU time and context
//!   switches (and those of the processes it waits for) land in the
//!   worker's `RUSAGE_CHILDREN`; what it used before `t0` is reported back
//!   and subtracted, like its start-up time;
//! - the runner leads a process group of its own, killed whole at the
//!   run's deadline (told to the runner in the job, a margin before the
//!   parent's timeout), and it dies with the worker; what it writes is
//!   read up to a limit worked out from the job ([`reply_limit`]), so a
//!   runner that hangs or prints without end is a failed run with the
//!   reason, never a hang or an unbounded read.

mod error;
pub mod execute;
pub mod reply;
pub mod request;

use std::os::unix::process::ExitStatusExt;
use std::time::{Duration, Instant};

pub use error::{RunnerError, stderr_tail};
pub use reply::{Answer, Ran};
pub use request::{GroupRequest, PROTOCOL, Request};

use super::arrivals::Dispatch;
use super::job::{Job, ModelRun};
use super::record::Records;
use super::shared::SharedOutcome;
use crate::measure::now_ns;
use execute::{Bounds, End, Finished};
use reply::CounterReply;

/// A runner to start: the program and its arguments, and how messages
/// name it (`the Node.js runner \`node\``).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
    pub runner: String,
    pub argv: Vec<String>,
}

/// The most a runner may write on stderr: a traceback, warnings.
pub const STDERR_LIMIT: usize = 1 << 20;

/// The most a runner may write on stdout for a job of `tasks` tasks,
/// `waits` IO waits and `spans` timeline spans: its one-line reply holds
/// three numbers per wait, a few per task and four per span, with room to
/// spare (and for anything a runtime prints before it).
pub fn reply_limit(tasks: usize, waits: usize, spans: usize) -> usize {
    const BASE: usize = 1 << 20;
    const PER_WAIT: usize = 80;
    const PER_TASK: usize = 256;
    const PER_SPAN: usize = 128;
    BASE.saturating_add(waits.saturating_mul(PER_WAIT))
        .saturating_add(tasks.saturating_mul(PER_TASK))
        .saturating_add(spans.saturating_mul(PER_SPAN))
}

/// How long before the parent's timeout a runner's deadline falls: a
/// tenth of the timeout, at least 200 ms and at most 10 s (never more than
/// half of it), so the worker kills a hung runner and reports why before
/// the parent kills the worker. The runner is killed halfway between its
/// deadline and the timeout, which leaves a runner that stops at its
/// deadline the time to reply.
pub fn deadline_margin(timeout: Duration) -> Duration {
    (timeout / 10)
        .clamp(Duration::from_millis(200), Duration::from_secs(10))
        .min(timeout / 2)
}

/// Runs `job` in `program` as the runner's `mode`, filling `records`.
pub fn run(
    job: &Job,
    records: &Records,
    program: &Program,
    mode: &str,
) -> Result<ModelRun, RunnerError> {
    let started = Instant::now();
    let (deadline_ns, kill_at) = match job.timeout_ns {
        Some(timeout) => {
            let timeout = Duration::from_nanos(timeout);
            let margin = deadline_margin(timeout);
            let deadline = timeout.saturating_sub(margin);
            (
                Some(now_ns().saturating_add(deadline.as_nanos() as u64)),
                Some(started + deadline + margin / 2),
            )
        }
        None => (None, None),
    };
    let request = Request::new(job, mode, deadline_ns).map_err(RunnerError::Request)?;
    let input = serde_json::to_vec(&request).map_err(RunnerError::Encode)?;
    let spans = if job.record_timeline {
        job.tasks().saturating_mul(job.spans_per_task())
    } else {
        0
    };
    let bounds = Bounds {
        stdout: reply_limit(job.tasks(), job.cell.waits() as usize, spans),
        stderr: STDERR_LIMIT,
        deadline: kill_at,
    };
    let done =
        execute::execute(&program.argv, input, bounds).map_err(|source| RunnerError::Start {
            runner: program.runner.clone(),
            source,
        })?;
    let ran = answer(program, &request, done, started)?;
    let counters = ran.shared.clone();
    let unfinished = ran.tasks.iter().filter(|t| !t.finished()).count();
    if unfinished > 0 && !job.is_open_loop() {
        return Err(RunnerError::Unfinished {
            runner: program.runner.clone(),
            unfinished,
            tasks: ran.tasks.len(),
        });
    }
    let mut run = ran.into_run(records);
    // The runner dispatched from its t0: the records' start of dispatch
    // and stop.
    if let Some(t0) = run.wall_start_ns {
        Dispatch::at(job, t0).stamp(records);
    }
    run.extras.shared =
        shared_outcome(job, &counters).map_err(|detail| RunnerError::Malformed {
            runner: program.runner.clone(),
            detail,
            stderr: String::new(),
        })?;
    Ok(run)
}

/// What a finished runner answered, checked against `request`: a reply
/// that fits the job, or why there is none (a refusal among them).
pub fn answer(
    program: &Program,
    request: &Request,
    done: Finished,
    started: Instant,
) -> Result<Ran, RunnerError> {
    let runner = || program.runner.clone();
    let stderr = stderr_tail(&done.stderr);
    let status = match done.end {
        End::Exited(status) => status,
        End::Deadline { .. } | End::Stopped => {
            return Err(RunnerError::Deadline {
                runner: runner(),
                seconds: started.elapsed().as_secs_f64(),
                stderr,
            });
        }
        End::TooMuch { stream, limit } => {
            return Err(RunnerError::TooMuch {
                runner: runner(),
                stream: stream.name(),
                limit,
            });
        }
        End::Lost(source) => {
            return Err(RunnerError::Wait {
                runner: runner(),
                source,
            });
        }
    };
    let parsed = reply::parse(&done.stdout);
    // A refusal is an answer whatever the exit status (the protocol asks
    // for 3).
    if let Ok(Answer::Refused { reason }) = parsed {
        return Err(RunnerError::Refused(reason));
    }
    if !status.success() {
        let how = match (status.code(), status.signal()) {
            (Some(code), _) => format!("exited with status {code}"),
            (_, Some(signal)) => format!("was killed by signal {signal}"),
            _ => "ended abnormally".to_string(),
        };
        return Err(RunnerError::Crashed {
            runner: runner(),
            how,
            stderr,
        });
    }
    let malformed = |detail: String| RunnerError::Malformed {
        runner: runner(),
        detail,
        stderr: stderr.clone(),
    };
    let ran = match parsed.map_err(malformed)? {
        Answer::Ran(ran) => ran,
        Answer::Refused { reason } => return Err(RunnerError::Refused(reason)),
    };
    ran.fits(request).map_err(malformed)?;
    Ok(ran)
}

/// What the runner's counters came to, checked against the cell's groups.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_deadline_leaves_a_margin_before_the_timeout() {
        let ms = Duration::from_millis;
        assert_eq!(
            deadline_margin(Duration::from_secs(300)),
            Duration::from_secs(10)
        );
        assert_eq!(
            deadline_margin(Duration::from_secs(10)),
            Duration::from_secs(1)
        );
        assert_eq!(deadline_margin(Duration::from_secs(1)), ms(200));
        assert_eq!(deadline_margin(ms(300)), ms(150));
    }

    #[test]
    fn a_reply_limit_grows_with_the_job() {
        assert_eq!(reply_limit(0, 0, 0), 1 << 20);
        assert!(reply_limit(1_000_000, 1_000_000, 0) > 300_000_000);
        assert_eq!(reply_limit(usize::MAX, 1, 1), usize::MAX);
    }
}
