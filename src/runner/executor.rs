//! Executing one run: the [`Executor`] trait, and [`ChildExecutor`], which
//! runs each job in a fresh child process of this binary, in a process
//! group of its own, and kills the whole group at the timeout — woken by
//! the kernel at the deadline (see [`crate::child::supervise`]), so a run
//! is killed within a millisecond or so of its limit, not at the next
//! tick of a poll. The worker's reply is read up to a limit worked out
//! from the job (see [`reply_limit`]), its stderr up to [`STDERR_LIMIT`]:
//! a worker that writes more is killed, and the run fails saying so. It
//! reads the machine's CPU counters just before it starts the child and
//! just after it has reaped it (see `noise`), outside the measured window.

use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use super::worker::Reply;
use crate::bounded::size_text;
use crate::child::{self, Bounds, End, kill_group};
use crate::model::Job;
use crate::noise;
use crate::results::{Measurement, Timeline};

/// How one run ended.
#[derive(Debug)]
pub enum Outcome {
    Done(Box<Measurement>, Option<Timeline>),
    Failed(String),
    TimedOut(String),
    /// The model's runner cannot run the job and said why: the cell is
    /// skipped with the reason.
    Refused(String),
    /// The user interrupted conlab while the run was going on.
    Interrupted,
}

/// Runs jobs. The real one starts child processes; tests can substitute
/// their own.
pub trait Executor {
    fn execute(&mut self, job: &Job, timeout: Duration, interrupted: &AtomicBool) -> Outcome;
}

/// Runs every job in a child process: `<this binary> __worker`.
pub struct ChildExecutor {
    program: std::path::PathBuf,
}

/// The most a worker may write on stderr (a panic's message, the end of
/// a Python traceback: a few kilobytes).
pub const STDERR_LIMIT: usize = 1 << 20;
/// The reply of a job without a timeline: a measurement of a few
/// kilobytes, and far more room than it needs.
const REPLY_BASE: usize = 1 << 20;
/// Room for each group's figures (its wake-up curve has at most a few
/// hundred points).
const REPLY_PER_GROUP: usize = 64 << 10;
/// Room for one span of a timeline (about 80 bytes of JSON).
const REPLY_PER_SPAN: usize = 128;

/// The most the worker may write on stdout for `job`: its reply, which is
/// a measurement and, for a run that records one, a timeline of at most
/// `spans_per_task` spans per task.
pub fn reply_limit(job: &Job) -> usize {
    let groups = job.cell.groups.len().saturating_mul(REPLY_PER_GROUP);
    let spans = if job.record_timeline {
        (job.cell.tasks() as usize)
            .saturating_mul(job.spans_per_task())
            .saturating_mul(REPLY_PER_SPAN)
    } else {
        0
    };
    REPLY_BASE.saturating_add(groups).saturating_add(spans)
}
/// How often the parent counts the run's threads. Sampling from the
/// parent keeps the reads of `/proc` out of the run's own CPU time.
const SAMPLE_THREADS_EVERY: Duration = Duration::from_millis(1);

/// Counts the threads of the worker's process tree until told to stop;
/// returns the most seen at once. The delay server (`__delay-server`) is
/// not the model's and is left out.
fn sample_threads(pid: u32, stop: std::sync::Arc<AtomicBool>) -> thread::JoinHandle<Option<u64>> {
    thread::spawn(move || {
        let mut most = None;
        while !stop.load(Ordering::Relaxed) {
            if let Some(n) = crate::measure::tree_threads(pid, "__delay-server") {
                most = Some(most.map_or(n, |m: u64| m.max(n)));
            }
            thread::sleep(SAMPLE_THREADS_EVERY);
        }
        most
    })
}
/// How much of a failed child's stderr goes into the failure message.
const STDERR_TAIL: usize = 600;

impl ChildExecutor {
    pub fn new() -> std::io::Result<ChildExecutor> {
        Ok(ChildExecutor::with_program(std::env::current_exe()?))
    }

    /// Runs `program __worker` instead of this binary (for tests).
    pub fn with_program(program: std::path::PathBuf) -> ChildExecutor {
        ChildExecutor { program }
    }
}

fn signal_name(signal: i32) -> &'static str {
    match signal {
        libc::SIGABRT => "SIGABRT",
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGKILL => "SIGKILL",
        libc::SIGBUS => "SIGBUS",
        libc::SIGILL => "SIGILL",
        libc::SIGTERM => "SIGTERM",
        libc::SIGFPE => "SIGFPE",
        _ => "a signal",
    }
}

/// The end of a failed child's stderr on one line, at most
/// [`STDERR_TAIL`] bytes, `: ` first; empty if there is none.
fn tail(bytes: &[u8]) -> String {
    let recent = &bytes[bytes.len().saturating_sub(4 * STDERR_TAIL)..];
    let text = String::from_utf8_lossy(recent);
    let joined = text.trim().replace('\n', " | ");
    let mut start = joined.len().saturating_sub(STDERR_TAIL);
    while !joined.is_char_boundary(start) {
        start += 1;
    }
    let tail = &joined[start..];
    if tail.is_empty() {
        String::new()
    } else {
        format!(": {tail}")
    }
}

impl Executor for ChildExecutor {
    fn execute(&mut self, job: &Job, timeout: Duration, interrupted: &AtomicBool) -> Outcome {
        let input = match serde_json::to_vec(job) {
            Ok(bytes) => bytes,
            Err(e) => return Outcome::Failed(format!("cannot encode the job: {e}")),
        };
        let probe = noise::Probe::start();
        let spawned = Command::new(&self.program)
            .arg("__worker")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(e) => {
                return Outcome::Failed(format!(
                    "cannot start a worker process ({}): {e}",
                    self.program.display()
                ));
            }
        };
        let started = Instant::now();
        let pid = child.id();
        let stop_sampling = std::sync::Arc::new(AtomicBool::new(false));
        let sampler = sample_threads(pid, stop_sampling.clone());
        let limit = reply_limit(job);
        let bounds = Bounds {
            stdout: limit,
            stderr: STDERR_LIMIT,
            deadline: Some(started + timeout),
        };
        let stop = || interrupted.load(Ordering::SeqCst);
        let finished = child::supervise(&mut child, input, bounds, started, &stop);
        stop_sampling.store(true, Ordering::Relaxed);
        let threads_max = sampler.join().unwrap_or(None);
        // The worker has been reaped (or waiting for it failed): its process
        // tree's CPU time is in RUSAGE_CHILDREN now.
        let noise = probe.finish();
        // Workers may have left grandchildren (worker processes, servers)
        // behind in the group; none may outlive the run.
        kill_group(pid);
        let (stdout, stderr) = (finished.stdout, finished.stderr);
        let status = match finished.end {
            End::Exited(status) => Ok(status),
            End::Deadline { after } => {
                return Outcome::TimedOut(format!(
                    "killed after the timeout of {} (at {:.1} ms)",
                    humantime::format_duration(timeout),
                    after.as_secs_f64() * 1e3
                ));
            }
            End::Stopped => return Outcome::Interrupted,
            End::TooMuch { stream, limit } => {
                let what = match stream {
                    child::Stream::Stdout => "its reply to this job is at most that",
                    child::Stream::Stderr => "it writes only the reason of a failure there",
                };
                return Outcome::Failed(format!(
                    "worker process was killed for writing more than {} on {} ({what}){}",
                    size_text(limit as u64),
                    stream.name(),
                    tail(&stderr)
                ));
            }
            End::Lost(e) => Err(e),
        };
        let status = match status {
            Ok(status) => status,
            Err(e) => return Outcome::Failed(format!("cannot wait for the worker: {e}")),
        };
        if let Ok(reply) = serde_json::from_slice::<Reply>(&stdout) {
            return match reply {
                Reply::Done {
                    mut measurement,
                    timeline,
                } => {
                    measurement.threads_max = threads_max;
                    measurement.noise = noise;
                    Outcome::Done(measurement, timeline)
                }
                Reply::Failed { message } => Outcome::Failed(message),
                Reply::Refused { reason } => Outcome::Refused(reason),
                Reply::TimedOut { message } => Outcome::TimedOut(message),
            };
        }
        let how = match (status.code(), status.signal()) {
            (_, Some(signal)) => format!(
                "worker process was killed by signal {signal} ({})",
                signal_name(signal)
            ),
            (Some(code), _) => format!("worker process exited with code {code}"),
            _ => "worker process ended without a reply".to_string(),
        };
        Outcome::Failed(format!("{how}{}", tail(&stderr)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config;
    use crate::matrix;
    use std::os::unix::fs::PermissionsExt;

    fn job() -> Job {
        let exp = match config::from_text(
            "t.toml",
            "[[workload]]\ntasks = 1\n[[model]]\nkind = \"sequential\"\n",
            "t",
        ) {
            Ok(l) => l.experiment,
            Err(e) => panic!("{e}"),
        };
        let cell = matrix::expand(&exp, 1).remove(0);
        Job {
            cell,
            latencies: vec![0].into(),
            cores: 1,
            record_timeline: false,
            tcp_server: None,
            shared: Default::default(),
            arrivals: Vec::new(),
            stop_after_ns: None,
            timeout_ns: None,
        }
    }

    /// A stand-in worker: a shell script with the given body.
    fn worker(dir: &std::path::Path, body: &str) -> ChildExecutor {
        let path = dir.join("worker.sh");
        let written = std::fs::write(&path, format!("#!/bin/sh\n{body}\n"))
            .and_then(|_| std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)));
        if let Err(e) = written {
            panic!("cannot write {}: {e}", path.display());
        }
        ChildExecutor::with_program(path)
    }

    fn run(body: &str, timeout: Duration) -> Outcome {
        let dir = match tempfile::tempdir() {
            Ok(d) => d,
            Err(e) => panic!("{e}"),
        };
        worker(dir.path(), body).execute(&job(), timeout, &AtomicBool::new(false))
    }

    #[test]
    fn a_crashing_worker_is_a_failed_run_with_the_signal_and_stderr() {
        let outcome = run(
            "echo 'out of luck' >&2; kill -ABRT $$",
            Duration::from_secs(10),
        );
        let Outcome::Failed(message) = outcome else {
            panic!("expected a failure, got {outcome:?}")
        };
        assert!(
            message.starts_with("worker process was killed by signal 6 (SIGABRT)"),
            "{message}"
        );
        assert!(message.contains("out of luck"), "{message}");
    }

    #[test]
    fn a_worker_exiting_without_a_reply_is_a_failed_run() {
        let outcome = run("cat > /dev/null; exit 7", Duration::from_secs(10));
        let Outcome::Failed(message) = outcome else {
            panic!("expected a failure, got {outcome:?}")
        };
        assert_eq!(message, "worker process exited with code 7");
    }

    #[test]
    fn a_hanging_worker_is_killed_at_the_timeout() {
        let started = Instant::now();
        let outcome = run("sleep 30", Duration::from_millis(300));
        assert!(started.elapsed() < Duration::from_secs(10));
        let Outcome::TimedOut(message) = outcome else {
            panic!("expected a timeout, got {outcome:?}")
        };
        let at = message
            .strip_prefix("killed after the timeout of 300ms (at ")
            .and_then(|m| m.strip_suffix(" ms)"))
            .and_then(|ms| ms.parse::<f64>().ok());
        assert!(at.is_some_and(|ms| ms >= 300.0), "{message}");
    }

    /// Issue 22: a worker's output was read into memory without limit; a
    /// worker that writes more than its reply can be is killed, and the
    /// run fails saying why.
    #[test]
    fn a_worker_that_writes_forever_is_killed_and_the_run_fails() {
        let outcome = run("echo 'it went wrong' >&2; yes", Duration::from_secs(30));
        let Outcome::Failed(message) = outcome else {
            panic!("expected a failure, got {outcome:?}")
        };
        assert_eq!(
            message,
            format!(
                "worker process was killed for writing more than {} on stdout (its reply to this \
                 job is at most that): it went wrong",
                size_text(reply_limit(&job()) as u64)
            )
        );
        let outcome = run("yes >&2", Duration::from_secs(30));
        let Outcome::Failed(message) = outcome else {
            panic!("expected a failure, got {outcome:?}")
        };
        assert!(
            message.starts_with(
                "worker process was killed for writing more than 1 MiB on stderr (it writes only \
                 the reason of a failure there): "
            ) && message.ends_with("y | y | y"),
            "{message}"
        );
        assert!(message.len() < 1000, "{} bytes", message.len());
    }
}
