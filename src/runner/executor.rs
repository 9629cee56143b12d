//! Executing one run: the [`Executor`] trait, and [`ChildExecutor`], which
//! runs each job in a fresh child process of this binary, in a process
//! group of its own, and kills the whole group at the timeout.

use std::io::{Read, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use super::worker::Reply;
use crate::model::Job;
use crate::results::{Measurement, Timeline};

/// How one run ended.
#[derive(Debug)]
#[allow(
    clippy::large_enum_variant,
    reason = "one per run; boxing the measurement would buy nothing"
)]
pub enum Outcome {
    Done(Measurement, Option<Timeline>),
    Failed(String),
    TimedOut(String),
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
/// How much of a failed child's stderr goes into the failure message.
const STDERR_TAIL: usize = 600;

impl ChildExecutor {
    pub fn new() -> std::io::Result<ChildExecutor> {
        Ok(ChildExecutor {
            program: std::env::current_exe()?,
        })
    }
}

fn read_all(mut source: impl Read + Send + 'static) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = source.read_to_end(&mut buf);
        buf
    })
}

fn kill_group(pid: u32) {
    // SAFETY: kill has no memory effects; a negative pid names the process
    // group the child leads (it was started with process_group(0)).
    unsafe { libc::kill(-(pid as i32), libc::SIGKILL) };
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
                    measurement,
                    timeline,
                } => Outcome::Done(measurement, timeline),
                Reply::Failed { message } => Outcome::Failed(message),
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
