//! What every stage that starts a child process needs from it alike: its
//! output read within a limit and until a deadline, its input written, and
//! a kill of its whole process group (so nothing the child started
//! outlives it or holds its pipes open). The runner's workers, the Python
//! interpreter probes, the runners of every runtime and
//! `systemd-detect-virt` are started with
//! `process_group(0)`, so each leads a group of its own.
//!
//! [`supervise`] does all of it on the calling thread, woken by the
//! kernel: one `ppoll` waits on the child's exit (a pidfd), its stdout
//! and stderr, its stdin while input is left, and a timer set to the
//! deadline. So a timeout is kept to the wake-up latency of a thread (tens
//! of microseconds on an idle machine), not to a polling period; a child
//! that writes more than its limit is killed as soon as it does, and what
//! is kept of its output never exceeds the limit; and no reader thread is
//! left waiting on a pipe that a grandchild holds open. Without pidfds
//! (Linux before 5.3) the exit is checked every millisecond instead.

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::process::{Child, ExitStatus};
use std::time::{Duration, Instant};

/// What a child may write, and until when it may run.
#[derive(Clone, Copy, Debug)]
pub struct Bounds {
    /// The most bytes of stdout kept; writing more is [`End::TooMuch`].
    pub stdout: usize,
    /// The most bytes of stderr kept; likewise.
    pub stderr: usize,
    /// When the child is killed if it has not ended ([`End::Deadline`]).
    pub deadline: Option<Instant>,
}

/// Which of a child's output streams.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

impl Stream {
    pub fn name(self) -> &'static str {
        match self {
            Stream::Stdout => "stdout",
            Stream::Stderr => "stderr",
        }
    }
}

/// How a supervised child ended.
#[derive(Debug)]
pub enum End {
    /// It exited, or a signal not sent here ended it.
    Exited(ExitStatus),
    /// Killed at the deadline; `after` is how long after `started` the
    /// kill was sent.
    Deadline { after: Duration },
    /// Killed because it wrote more than `limit` bytes on `stream`.
    TooMuch { stream: Stream, limit: usize },
    /// Killed because the caller asked (`stop` said so: Ctrl-C).
    Stopped,
    /// Waiting for it failed.
    Lost(io::Error),
}

/// A supervised child's end and what it wrote (within the bounds).
#[derive(Debug)]
pub struct Finished {
    pub end: End,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

/// How often `stop` is asked while nothing else happens.
const STOP_EVERY: Duration = Duration::from_millis(50);
/// How often the exit is checked without a pidfd.
const EXIT_EVERY: Duration = Duration::from_millis(1);
/// How long conlab waits for more output after the child has exited
/// (what it wrote is in the pipe already and is read at once; only a
/// grandchild that escaped its group could keep a pipe open longer).
const DRAIN_AFTER_EXIT: Duration = Duration::from_secs(1);

/// Kills the process group led by `pid` (a child started with
/// `process_group(0)`), with SIGKILL. A group already gone is no error.
pub fn kill_group(pid: u32) {
    // SAFETY: kill has no memory effects; the negative pid names the
    // process group the child leads.
    unsafe { libc::kill(-(pid as i32), libc::SIGKILL) };
}

/// A descriptor that becomes readable when process `pid` exits; `None`
/// where the kernel has no pidfds.
fn pidfd(pid: u32) -> Option<OwnedFd> {
    // SAFETY: pidfd_open takes a pid and flags and returns a new
    // descriptor or -1; it touches no memory of ours.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid as libc::pid_t, 0) };
    if fd < 0 {
        return None;
    }
    // SAFETY: the descriptor was just returned to us and nothing else
    // owns it.
    Some(unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

fn set_nonblocking(fd: RawFd) {
    // SAFETY: fcntl on a descriptor the caller owns; no memory effects.
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        if flags >= 0 {
            libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK);
        }
    }
}

/// One output pipe being read into a bounded buffer.
struct Output {
    pipe: Option<File>,
    kept: Vec<u8>,
    limit: usize,
}

impl Output {
    fn new(pipe: Option<File>, limit: usize) -> Output {
        if let Some(p) = &pipe {
            set_nonblocking(p.as_raw_fd());
        }
        Output {
            pipe,
            kept: Vec::new(),
            limit,
        }
    }

    /// Reads what the pipe holds now. `Err(())` when that is more than
    /// the limit; the pipe is closed at its end.
    fn drain(&mut self) -> Result<(), ()> {
        let Some(pipe) = self.pipe.as_mut() else {
            return Ok(());
        };
        let mut chunk = [0u8; 64 * 1024];
        loop {
            match pipe.read(&mut chunk) {
                Ok(0) => {
                    self.pipe = None;
                    return Ok(());
                }
                Ok(n) => {
                    if self.kept.len() + n > self.limit {
                        let room = self.limit - self.kept.len();
                        self.kept.extend_from_slice(&chunk[..room]);
                        self.pipe = None;
                        return Err(());
                    }
                    self.kept.extend_from_slice(&chunk[..n]);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => {
                    self.pipe = None;
                    return Ok(());
                }
            }
        }
    }
}

/// The input still to write to the child.
struct Input {
    pipe: Option<File>,
    bytes: Vec<u8>,
    at: usize,
}

impl Input {
    fn write(&mut self) {
        let Some(pipe) = self.pipe.as_mut() else {
            return;
        };
        while self.at < self.bytes.len() {
            match pipe.write(&self.bytes[self.at..]) {
                Ok(0) => break,
                Ok(n) => self.at += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                // The child closed its stdin (or died): it reads no more.
                Err(_) => break,
            }
        }
        // All written (or never to be): closing it tells the child.
        self.pipe = None;
        self.bytes = Vec::new();
    }
}

/// Reads the outputs marked ready; the end of a child that wrote more
/// than one's limit.
fn overflow(outputs: [(bool, &mut Output, Stream); 2]) -> Option<End> {
    for (ready, output, stream) in outputs {
        if ready && output.drain().is_err() {
            return Some(End::TooMuch {
                stream,
                limit: output.limit,
            });
        }
    }
    None
}

/// `ppoll` on `fds` for at most `timeout`; the events are filled in.
fn wait_for(fds: &mut [libc::pollfd], timeout: Duration) {
    let ts = libc::timespec {
        tv_sec: timeout.as_secs().min(i64::MAX as u64) as libc::time_t,
        tv_nsec: libc::c_long::from(timeout.subsec_nanos() as i32),
    };
    // SAFETY: `fds` is a valid slice of pollfd for the length given, and
    // `ts` outlives the call; a null sigmask keeps the thread's own.
    unsafe {
        libc::ppoll(
            fds.as_mut_ptr(),
            fds.len() as libc::nfds_t,
            &ts,
            std::ptr::null(),
        );
    }
}

/// Runs `child` to its end: writes `input` to its stdin (then closes it),
/// reads its stdout and stderr within `bounds`, and kills its process group
/// (it must lead one: `process_group(0)`) at the deadline, when it writes more than its bounds, or when `stop`
/// returns true. `started` is when it was started, for
/// [`End::Deadline`]'s `after`. The child's piped streams are taken from
/// it; a stream not piped is not read.
pub fn supervise(
    child: &mut Child,
    input: Vec<u8>,
    bounds: Bounds,
    started: Instant,
    stop: &dyn Fn() -> bool,
) -> Finished {
    supervise_with(child, input, bounds, started, stop, pidfd(child.id()))
}

fn supervise_with(
    child: &mut Child,
    input: Vec<u8>,
    bounds: Bounds,
    started: Instant,
    stop: &dyn Fn() -> bool,
    exit_fd: Option<OwnedFd>,
) -> Finished {
    let pid = child.id();
    let file = |fd: OwnedFd| File::from(fd);
    let stdin = child.stdin.take().map(|p| file(p.into()));
    if let Some(p) = &stdin {
        set_nonblocking(p.as_raw_fd());
    }
    let mut input = Input {
        pipe: stdin,
        bytes: input,
        at: 0,
    };
    let mut out = Output::new(child.stdout.take().map(|p| file(p.into())), bounds.stdout);
    let mut err = Output::new(child.stderr.take().map(|p| file(p.into())), bounds.stderr);
    let finish = |end, out: Output, err: Output| Finished {
        end,
        stdout: out.kept,
        stderr: err.kept,
    };
    let killed = |child: &mut Child, end: End| {
        kill_group(pid);
        let _ = child.wait();
        end
    };
    input.write();
    let status = loop {
        let now = Instant::now();
        if let Some(deadline) = bounds.deadline
            && now >= deadline
        {
            let after = now.duration_since(started);
            // An exit the kernel has already reported counts: the child
            // ended in time even if this thread woke late.
            if let Ok(Some(status)) = child.try_wait() {
                break status;
            }
            let end = killed(child, End::Deadline { after });
            out.drain().ok();
            err.drain().ok();
            return finish(end, out, err);
        }
        if stop() {
            let end = killed(child, End::Stopped);
            return finish(end, out, err);
        }
        let mut fds = Vec::with_capacity(4);
        let mut slot = |fd: Option<RawFd>, events| {
            fd.map(|fd| {
                fds.push(libc::pollfd {
                    fd,
                    events,
                    revents: 0,
                });
                fds.len() - 1
            })
        };
        let exit_at = slot(exit_fd.as_ref().map(|f| f.as_raw_fd()), libc::POLLIN);
        let out_at = slot(out.pipe.as_ref().map(|p| p.as_raw_fd()), libc::POLLIN);
        let err_at = slot(err.pipe.as_ref().map(|p| p.as_raw_fd()), libc::POLLIN);
        let in_at = slot(input.pipe.as_ref().map(|p| p.as_raw_fd()), libc::POLLOUT);
        let mut timeout = if exit_fd.is_some() {
            STOP_EVERY
        } else {
            EXIT_EVERY
        };
        if let Some(deadline) = bounds.deadline {
            timeout = timeout.min(deadline.saturating_duration_since(now));
        }
        wait_for(&mut fds, timeout);
        let ready = |at: Option<usize>| at.is_some_and(|i| fds[i].revents != 0);
        if ready(in_at) {
            input.write();
        }
        let over = overflow([
            (ready(out_at), &mut out, Stream::Stdout),
            (ready(err_at), &mut err, Stream::Stderr),
        ]);
        if let Some(end) = over {
            let end = killed(child, end);
            return finish(end, out, err);
        }
        if exit_fd.is_none() || ready(exit_at) {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) => {}
                Err(e) => {
                    let end = killed(child, End::Lost(e));
                    return finish(end, out, err);
                }
            }
        }
    };
    // It has exited: nothing it started may outlive it (or hold its
    // pipes open); then what is left in the pipes is read.
    kill_group(pid);
    drop(input);
    // What it wrote before it exited is read whatever the time (the run
    // ended in time); only waiting for more is bounded.
    let until = Instant::now() + DRAIN_AFTER_EXIT;
    loop {
        let over = overflow([
            (true, &mut out, Stream::Stdout),
            (true, &mut err, Stream::Stderr),
        ]);
        if let Some(end) = over {
            return finish(end, out, err);
        }
        let now = Instant::now();
        if (out.pipe.is_none() && err.pipe.is_none()) || now >= until {
            break;
        }
        let mut fds: Vec<libc::pollfd> = [&out.pipe, &err.pipe]
            .iter()
            .filter_map(|p| p.as_ref().map(|p| p.as_raw_fd()))
            .map(|fd| libc::pollfd {
                fd,
                events: libc::POLLIN,
                revents: 0,
            })
            .collect();
        wait_for(&mut fds, until - now);
    }
    finish(End::Exited(status), out, err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::process::{CommandExt, ExitStatusExt};
    use std::process::{Command, Stdio};

    fn sh(script: &str) -> Child {
        match Command::new("sh")
            .args(["-c", script])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()
        {
            Ok(c) => c,
            Err(e) => panic!("cannot start sh: {e}"),
        }
    }

    const ROOMY: Bounds = Bounds {
        stdout: 1 << 20,
        stderr: 1 << 20,
        deadline: None,
    };

    fn run(script: &str, input: &[u8], bounds: Bounds) -> Finished {
        let mut child = sh(script);
        supervise(&mut child, input.to_vec(), bounds, Instant::now(), &|| {
            false
        })
    }

    #[test]
    fn everything_a_child_wrote_within_its_bounds_is_kept() {
        // More than a pipe's buffer (64 KiB) on each stream, so a reader
        // that stopped early would leave the child blocked.
        let done = run(
            "head -c 200000 /dev/zero; head -c 100000 /dev/zero >&2",
            b"",
            ROOMY,
        );
        assert!(
            matches!(done.end, End::Exited(s) if s.success()),
            "{:?}",
            done.end
        );
        assert_eq!((done.stdout.len(), done.stderr.len()), (200_000, 100_000));
    }

    #[test]
    fn input_larger_than_a_pipe_is_written_and_closed() {
        let input = vec![b'x'; 300_000];
        let done = run("cat", &input, ROOMY);
        assert!(
            matches!(done.end, End::Exited(s) if s.success()),
            "{:?}",
            done.end
        );
        assert_eq!(done.stdout, input);
    }

    /// Issue 22: a child that printed forever (`yes` as python3) was read
    /// into memory without end; it is killed at its limit, and no more
    /// than the limit is kept.
    #[test]
    fn a_child_that_writes_forever_is_killed_at_its_limit() {
        let bounds = Bounds {
            stdout: 100_000,
            ..ROOMY
        };
        let started = Instant::now();
        let done = run("yes", b"", bounds);
        assert!(
            matches!(
                done.end,
                End::TooMuch {
                    stream: Stream::Stdout,
                    limit: 100_000
                }
            ),
            "{:?}",
            done.end
        );
        assert_eq!(done.stdout.len(), 100_000);
        assert!(started.elapsed() < Duration::from_secs(10));
        let bounds = Bounds {
            stderr: 10,
            ..ROOMY
        };
        let done = run("echo 'a long complaint' >&2; sleep 30", b"", bounds);
        assert!(
            matches!(
                done.end,
                End::TooMuch {
                    stream: Stream::Stderr,
                    ..
                }
            ),
            "{:?}",
            done.end
        );
        assert_eq!(done.stderr, b"a long com");
    }

    #[test]
    fn a_child_past_its_deadline_is_killed_at_the_deadline() {
        let limit = Duration::from_millis(30);
        let started = Instant::now();
        let bounds = Bounds {
            deadline: Some(started + limit),
            ..ROOMY
        };
        let mut child = sh("sleep 30");
        let done = supervise(&mut child, Vec::new(), bounds, started, &|| false);
        let End::Deadline { after } = done.end else {
            panic!("{:?}", done.end)
        };
        // Never before the deadline; the upper side is the e2e test's.
        assert!(after >= limit, "{after:?}");
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    /// A child that wrote its output and exited just before its deadline
    /// keeps its output, even when this thread wakes after the deadline.
    #[test]
    fn output_written_before_the_exit_is_kept_past_the_deadline() {
        let started = Instant::now();
        let mut child = sh("head -c 100000 /dev/zero");
        // The child is done long before this, and the deadline is past.
        std::thread::sleep(Duration::from_millis(300));
        let bounds = Bounds {
            deadline: Some(started + Duration::from_millis(200)),
            ..ROOMY
        };
        let done = supervise(&mut child, Vec::new(), bounds, started, &|| false);
        // It could not write more than a pipe holds before being read: it
        // is blocked, so this run is past its deadline. A shorter output
        // fits the pipe and is kept.
        assert!(matches!(done.end, End::Deadline { .. }), "{:?}", done.end);
        let mut child = sh("head -c 1000 /dev/zero");
        std::thread::sleep(Duration::from_millis(300));
        let done = supervise(&mut child, Vec::new(), bounds, started, &|| false);
        assert!(
            matches!(done.end, End::Exited(s) if s.success()),
            "{:?}",
            done.end
        );
        assert_eq!(done.stdout.len(), 1000);
    }

    #[test]
    fn stop_kills_the_child() {
        let started = Instant::now();
        let mut child = sh("sleep 30");
        let done = supervise(&mut child, Vec::new(), ROOMY, started, &|| {
            started.elapsed() > Duration::from_millis(20)
        });
        assert!(matches!(done.end, End::Stopped), "{:?}", done.end);
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn without_a_pidfd_the_exit_is_still_seen() {
        let mut child = sh("echo done; exit 3");
        let done = supervise_with(
            &mut child,
            Vec::new(),
            ROOMY,
            Instant::now(),
            &|| false,
            None,
        );
        assert!(
            matches!(done.end, End::Exited(s) if s.code() == Some(3)),
            "{:?}",
            done.end
        );
        assert_eq!(done.stdout, b"done\n");
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
        let mut child = sh("sleep 30 & echo $!; wait");
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
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(
            gone,
            "the shell's sleep {sleeper} outlived the kill of its group"
        );
    }
}
