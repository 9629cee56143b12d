//! Starting a runner and collecting what it says, within bounds: the job
//! written to its stdin from a thread of its own (a large job may not fit
//! in the pipe before the runner reads), its stdout and stderr read on
//! threads of their own up to a limit each, and a deadline. The runner
//! leads a process group of its own, killed whole when it passes the
//! deadline or writes past a limit, and again once it has exited (nothing
//! it started may outlive it or hold its pipes open); it dies with the
//! process that started it (`PR_SET_PDEATHSIG`).
//!
//! Nothing here polls: the waiting thread blocks on the child's exit and
//! the caller on a channel with the deadline as its timeout, so a worker
//! running a runner spends no CPU of the measured run on watching it.
//! The bounded reads and the group kill are `crate::child`'s.

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::Instant;

use crate::child::{kill_group, read_bounded};

/// What a runner may write, and until when it may run.
#[derive(Clone, Copy, Debug)]
pub struct Bounds {
    /// The most bytes of stdout kept; writing more ends the run.
    pub stdout: usize,
    /// The most bytes of stderr kept; likewise.
    pub stderr: usize,
    /// When the runner is killed if it has not ended.
    pub deadline: Option<Instant>,
}

/// How a runner ended.
#[derive(Debug)]
pub enum End {
    Exited(ExitStatus),
    /// Killed at the deadline.
    Deadline,
    /// Killed because it wrote more than `limit` bytes on `stream`.
    TooMuch {
        stream: &'static str,
        limit: usize,
    },
    /// Waiting for it failed.
    Lost(std::io::Error),
}

/// A runner's end and what it wrote (within the bounds).
#[derive(Debug)]
pub struct Finished {
    pub end: End,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

/// Starts `argv` (a program and its arguments), writes `input` to its
/// stdin and closes it, and waits for it within `bounds`. An error only
/// when it cannot be started.
pub fn execute(argv: &[String], input: Vec<u8>, bounds: Bounds) -> std::io::Result<Finished> {
    let Some((program, args)) = argv.split_first() else {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "an empty command",
        ));
    };
    // SAFETY: getpid has no preconditions and cannot fail.
    let parent = unsafe { libc::getpid() };
    let mut command = Command::new(program);
    command
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    // SAFETY: the hook runs in the child between fork and exec; it only
    // makes async-signal-safe calls (prctl, getppid) and does not allocate.
    unsafe {
        command.pre_exec(move || die_with(parent));
    }
    // Started from the calling thread: the worker's thread count follows
    // the children of its main thread (`measure::tree_threads`).
    let mut child = command.spawn()?;
    let pid = child.id();
    let over = Arc::new(AtomicBool::new(false));
    let writer = child.stdin.take().map(|mut stdin| {
        thread::spawn(move || {
            // A runner that dies before reading says why on stderr.
            let _ = stdin.write_all(&input);
        })
    });
    let on_overflow = |flag: Arc<AtomicBool>| {
        move || {
            flag.store(true, Ordering::SeqCst);
            kill_group(pid);
        }
    };
    let out = child
        .stdout
        .take()
        .map(|s| read_bounded(s, bounds.stdout, on_overflow(over.clone())));
    let over_err = Arc::new(AtomicBool::new(false));
    let err = child
        .stderr
        .take()
        .map(|s| read_bounded(s, bounds.stderr, on_overflow(over_err.clone())));
    let (tx, rx) = mpsc::channel();
    let waiter = thread::spawn(move || {
        let _ = tx.send(child.wait());
    });
    let waited = match bounds.deadline {
        None => rx.recv().ok(),
        Some(deadline) => {
            match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(status) => Some(status),
                Err(_) => None,
            }
        }
    };
    let end = match waited {
        Some(Ok(status)) => End::Exited(status),
        Some(Err(e)) => End::Lost(e),
        None => {
            kill_group(pid);
            let _ = rx.recv();
            End::Deadline
        }
    };
    let _ = waiter.join();
    // Whatever the runner started in its group goes with it.
    kill_group(pid);
    if let Some(w) = writer {
        let _ = w.join();
    }
    let stdout = out.and_then(|h| h.join().ok()).unwrap_or_default();
    let stderr = err.and_then(|h| h.join().ok()).unwrap_or_default();
    let end = if over.load(Ordering::SeqCst) {
        End::TooMuch {
            stream: "stdout",
            limit: bounds.stdout,
        }
    } else if over_err.load(Ordering::SeqCst) {
        End::TooMuch {
            stream: "stderr",
            limit: bounds.stderr,
        }
    } else {
        end
    };
    Ok(Finished {
        end,
        stdout,
        stderr,
    })
}

/// In the runner's process, before exec: be killed when the process that
/// started it dies, and give up if it already has.
fn die_with(parent: libc::pid_t) -> std::io::Result<()> {
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
        if libc::getppid() != parent {
            return Err(std::io::Error::from_raw_os_error(libc::ESRCH));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn sh(script: &str) -> Vec<String> {
        vec!["sh".into(), "-c".into(), script.into()]
    }

    fn bounds(stdout: usize, deadline_ms: Option<u64>) -> Bounds {
        Bounds {
            stdout,
            stderr: 1 << 16,
            deadline: deadline_ms.map(|ms| Instant::now() + Duration::from_millis(ms)),
        }
    }

    #[test]
    fn a_runner_gets_its_input_and_its_output_is_kept() {
        let done = execute(
            &sh("cat; echo oops >&2"),
            b"hello".to_vec(),
            bounds(100, None),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            matches!(done.end, End::Exited(s) if s.success()),
            "{:?}",
            done.end
        );
        assert_eq!(done.stdout, b"hello");
        assert_eq!(done.stderr, b"oops\n");
    }

    #[test]
    fn a_runner_that_prints_without_end_is_killed_at_its_limit() {
        let started = Instant::now();
        let done = execute(&sh("yes"), Vec::new(), bounds(100_000, Some(20_000)))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            matches!(
                done.end,
                End::TooMuch {
                    stream: "stdout",
                    limit: 100_000
                }
            ),
            "{:?}",
            done.end
        );
        assert!(done.stdout.len() <= 100_000);
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn a_runner_that_hangs_is_killed_at_the_deadline_with_what_it_started() {
        let started = Instant::now();
        // The shell's sleep holds stdout open: the group kill ends it too.
        let done = execute(
            &sh("sleep 30 & sleep 30"),
            Vec::new(),
            bounds(100, Some(300)),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(done.end, End::Deadline), "{:?}", done.end);
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn a_missing_program_cannot_be_started() {
        let e = execute(
            &["/nonexistent/conlab-runner".to_string()],
            Vec::new(),
            bounds(1, None),
        );
        assert!(e.is_err());
        assert!(execute(&[], Vec::new(), bounds(1, None)).is_err());
    }
}
