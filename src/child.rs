//! What every stage that starts a child process needs from it alike: its
//! pipes drained on threads of their own (so a child that writes more
//! than a pipe holds never blocks on a parent that is still waiting for it
//! to exit), and a kill of its whole process group (so nothing the child
//! started outlives it or holds its pipes open). The runner's workers and
//! the Python interpreter probes are started with `process_group(0)`, so
//! each leads a group of its own.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// Reads `source` to its end on a thread of its own; the thread hands back
/// what it read (what it read before an error, if one came).
pub fn read_all(mut source: impl Read + Send + 'static) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = source.read_to_end(&mut buf);
        buf
    })
}

/// Kills the process group led by `pid` (a child started with
/// `process_group(0)`), with SIGKILL. A group already gone is no error.
pub fn kill_group(pid: u32) {
    // SAFETY: kill has no memory effects; the negative pid names the
    // process group the child leads.
    unsafe { libc::kill(-(pid as i32), libc::SIGKILL) };
}

/// How a bounded run of a short program ended.
#[derive(Debug)]
pub struct Ended {
    /// `None`: it was killed at the timeout.
    pub status: Option<ExitStatus>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// From its start to its exit (or its kill).
    pub wall: Duration,
}

/// Runs `command` (stdin empty, stdout and stderr collected) in a process
/// group of its own, and kills the group if it runs past `timeout`:
/// probes of programs a file names (or `doctor` finds) end, whatever the
/// program does, and nothing they start outlives them. Its exit is waited
/// for on a thread, so `wall` is as exact as the clock.
pub fn run_bounded(command: &mut Command, timeout: Duration) -> std::io::Result<Ended> {
    let start = Instant::now();
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()?;
    let pid = child.id();
    let out = child.stdout.take().map(read_all);
    let err = child.stderr.take().map(read_all);
    let (tx, rx) = mpsc::channel();
    let waiter = thread::spawn(move || {
        let status = child.wait().ok();
        let _ = tx.send(Instant::now());
        status
    });
    let ended = rx.recv_timeout(timeout).ok();
    // Nothing it started may outlive it (or hold its pipes open); at the
    // timeout, this ends it too.
    kill_group(pid);
    let status = waiter.join().ok().flatten().filter(|_| ended.is_some());
    let wall = ended.unwrap_or_else(Instant::now).duration_since(start);
    let stdout = out.and_then(|h| h.join().ok()).unwrap_or_default();
    let stderr = err.and_then(|h| h.join().ok()).unwrap_or_default();
    Ok(Ended {
        status,
        stdout,
        stderr,
        wall,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::process::ExitStatusExt;

    #[test]
    fn read_all_hands_back_everything_a_child_wrote() {
        // More than a pipe's buffer (64 KiB), so a reader that stopped
        // early would leave the child blocked and the test hanging.
        let mut child = match Command::new("sh")
            .args(["-c", "head -c 200000 /dev/zero"])
            .stdout(Stdio::piped())
            .spawn()
        {
            Ok(c) => c,
            Err(e) => panic!("cannot start sh: {e}"),
        };
        let out = child.stdout.take().map(read_all);
        let _ = child.wait();
        let bytes = out.and_then(|h| h.join().ok()).unwrap_or_default();
        assert_eq!(bytes.len(), 200_000);
    }

    /// Whether process `pid` has ended: gone, or a zombie not yet reaped.
    fn ended(pid: &str) -> bool {
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            // The state follows the command name in parentheses.
            Ok(stat) => stat
                .rsplit_once(") ")
                .is_some_and(|(_, rest)| rest.starts_with('Z') || rest.starts_with('X')),
            Err(_) => true,
        }
    }

    #[test]
    fn a_bounded_run_ends_at_its_timeout_or_with_its_program() {
        let quick = run_bounded(
            Command::new("sh").args(["-c", "echo out; echo err >&2"]),
            Duration::from_secs(5),
        );
        let quick = quick.unwrap_or_else(|e| panic!("{e}"));
        assert!(quick.status.is_some_and(|s| s.success()));
        assert_eq!((quick.stdout.as_slice(), quick.stderr.as_slice()), (&b"out\n"[..], &b"err\n"[..]));
        let start = Instant::now();
        let hung = run_bounded(
            Command::new("sh").args(["-c", "sleep 30 & wait"]),
            Duration::from_millis(100),
        );
        let hung = hung.unwrap_or_else(|e| panic!("{e}"));
        assert!(hung.status.is_none(), "{hung:?}");
        assert!(start.elapsed() < Duration::from_secs(10));
        assert!(hung.wall >= Duration::from_millis(100), "{hung:?}");
        let missing = run_bounded(&mut Command::new("/nonexistent/conlab"), Duration::from_secs(1));
        assert!(missing.is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound));
    }

    #[test]
    fn kill_group_kills_the_child_and_what_it_started() {
        // The shell starts a sleep in the background, says its pid and
        // waits for it: both are in the group the shell leads.
        let mut child = match Command::new("sh")
            .args(["-c", "sleep 30 & echo $!; wait"])
            .stdout(Stdio::piped())
            .process_group(0)
            .spawn()
        {
            Ok(c) => c,
            Err(e) => panic!("cannot start sh: {e}"),
        };
        let mut line = String::new();
        if let Some(out) = child.stdout.as_mut() {
            let mut byte = [0u8; 1];
            while out.read(&mut byte).is_ok_and(|n| n == 1) && byte[0] != b'\n' {
                line.push(char::from(byte[0]));
            }
        }
        let sleeper = line.trim().to_string();
        assert!(
            !sleeper.is_empty() && !ended(&sleeper),
            "no sleep {sleeper:?}"
        );
        kill_group(child.id());
        let status = match child.wait() {
            Ok(s) => s,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(status.signal(), Some(libc::SIGKILL));
        // The shell's own child got the signal too.
        let mut gone = false;
        for _ in 0..200 {
            if ended(&sleeper) {
                gone = true;
                break;
            }
            thread::sleep(std::time::Duration::from_millis(10));
        }
        assert!(
            gone,
            "the shell's sleep {sleeper} outlived the kill of its group"
        );
    }
}
