//! Executing one run: the [`Executor`] trait, and [`ChildExecutor`], which
//! runs each job in a fresh child process of this binary, in a process
//! group of its own, and kills the whole group at the timeout. It reads
//! the machine's CPU counters just before it starts the child and just
//! after it has reaped it (see `noise`), outside the measured window.

use std::io::Write;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use super::worker::Reply;
use crate::child::{kill_group, read_all};
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

/// How often a waiting parent checks for Ctrl-C.
const CHECK_EVERY: Duration = Duration::from_millis(50);
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

fn tail(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim();
    let mut start = text.len().saturating_sub(STDERR_TAIL);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    let tail = text[start..].replace('\n', " | ");
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
        let (Some(mut stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            kill_group(pid);
            let _ = child.wait();
            return Outcome::Failed("worker process has no pipes".to_string());
        };
        let writer = thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
        let out = read_all(stdout);
        let err = read_all(stderr);
        let stop_sampling = std::sync::Arc::new(AtomicBool::new(false));
        let sampler = sample_threads(pid, stop_sampling.clone());
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            let _ = tx.send(child.wait());
        });
        let mut killed_for = None;
        let status = loop {
            match rx.recv_timeout(CHECK_EVERY) {
                Ok(status) => break status,
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    break Err(std::io::Error::other("lost track of the worker"));
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if killed_for.is_some() {
                        continue;
                    }
                    if interrupted.load(Ordering::SeqCst) {
                        killed_for = Some(false);
                        kill_group(pid);
                    } else if started.elapsed() >= timeout {
                        killed_for = Some(true);
                        kill_group(pid);
                    }
                }
            }
        };
        stop_sampling.store(true, Ordering::Relaxed);
        let threads_max = sampler.join().unwrap_or(None);
        // The worker has been reaped (or waiting for it failed): its process
        // tree's CPU time is in RUSAGE_CHILDREN now.
        let noise = probe.finish();
        // Workers may have left grandchildren (worker processes, servers)
        // behind in the group; none may outlive the run.
        kill_group(pid);
        let _ = writer.join();
        let stdout = out.join().unwrap_or_default();
        let stderr = err.join().unwrap_or_default();
        match killed_for {
            Some(true) => {
                return Outcome::TimedOut(format!(
                    "killed after the timeout of {}",
                    humantime::format_duration(timeout)
                ));
            }
            Some(false) => return Outcome::Interrupted,
            None => {}
        }
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
        assert_eq!(message, "killed after the timeout of 300ms");
    }
}
