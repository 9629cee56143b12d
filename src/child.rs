//! What every stage that starts a child process needs from it alike: its
//! pipes drained on threads of their own (so a child that writes more
//! than a pipe holds never blocks on a parent that is still waiting for it
//! to exit), and a kill of its whole process group (so nothing the child
//! started outlives it or holds its pipes open). The runner's workers and
//! the Python interpreter probes are started with `process_group(0)`, so
//! each leads a group of its own.

use std::io::Read;
use std::thread;

/// Reads `source` to its end on a thread of its own; the thread hands back
/// what it read (what it read before an error, if one came).
pub fn read_all(mut source: impl Read + Send + 'static) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = source.read_to_end(&mut buf);
        buf
    })
}

/// Reads `source` to its end on a thread of its own, keeping at most
/// `limit` bytes; the first time it holds more, it calls `overflow` (which
/// kills the writer) and reads on without keeping, so the writer is never
/// blocked on a full pipe. The thread hands back what it kept.
pub fn read_bounded(
    mut source: impl Read + Send + 'static,
    limit: usize,
    overflow: impl FnOnce() + Send + 'static,
) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut kept = Vec::new();
        let mut chunk = vec![0u8; 64 * 1024];
        let mut overflow = Some(overflow);
        loop {
            match source.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => {
                    let room = limit.saturating_sub(kept.len());
                    kept.extend_from_slice(&chunk[..n.min(room)]);
                    if n > room
                        && let Some(f) = overflow.take()
                    {
                        f();
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
        kept
    })
}

/// Kills the process group led by `pid` (a child started with
/// `process_group(0)`), with SIGKILL. A group already gone is no error.
pub fn kill_group(pid: u32) {
    // SAFETY: kill has no memory effects; the negative pid names the
    // process group the child leads.
    unsafe { libc::kill(-(pid as i32), libc::SIGKILL) };
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::process::{CommandExt, ExitStatusExt};
    use std::process::{Command, Stdio};

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
