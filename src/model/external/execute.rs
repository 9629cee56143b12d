//! Starting a runner and collecting what it says, within bounds: the job
//! written to its stdin, its stdout and stderr kept up to a limit each,
//! and a deadline, all by [`crate::child::supervise`] on the calling
//! thread, woken by the kernel (no polling thread spends CPU of the
//! measured run watching it). The runner leads a process group of its
//! own, killed whole when it passes the deadline or writes past a limit,
//! and again once it has exited (nothing it started may outlive it or
//! hold its pipes open); it dies with the process that started it
//! (`PR_SET_PDEATHSIG`).

use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::child;
pub use crate::child::{Bounds, End, Finished};

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
    let started = Instant::now();
    // Started from the calling thread: the worker's thread count follows
    // the children of its main thread (`measure::tree_threads`).
    let mut child = command.spawn()?;
    Ok(child::supervise(
        &mut child,
        input,
        bounds,
        started,
        &|| false,
    ))
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
                    stream: child::Stream::Stdout,
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
        assert!(matches!(done.end, End::Deadline { .. }), "{:?}", done.end);
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
