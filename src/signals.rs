//! Process signals during `conlab run`: SIGINT (Ctrl-C), SIGTERM (`kill`,
//! a job scheduler's stop) and SIGHUP (the terminal went away) all stop a
//! run the same way. The first sets the interrupted flag: the runner kills
//! the current run's process group, keeps every measured run, and renders
//! the summaries, charts and reports before conlab exits with 128 + the
//! signal's number (130, 143, 129). A second signal ends conlab at once,
//! with the same convention. A SIGHUP or SIGINT that conlab was started
//! ignoring (`nohup`, a background job) stays ignored.
//!
//! The handler is installed with `sigaction` rather than through a crate
//! so that it knows which signal came (for the exit code), and so that on
//! SIGHUP it can point a terminal stdout and stderr at /dev/null: writing
//! to a terminal that hung up fails, and a failed `eprintln!` would panic
//! before the reports are written.

use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

/// Set by the first signal; the runner checks it between and during runs.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);
/// The first signal's number, 0 before one came.
static SIGNAL: AtomicI32 = AtomicI32::new(0);
/// Which of stdout (bit 0) and stderr (bit 1) were terminals at start.
static TERMINALS: AtomicI32 = AtomicI32::new(0);

/// The signals that stop a run.
pub const STOPPING: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

extern "C" fn on_signal(signal: libc::c_int) {
    // Only async-signal-safe calls here: atomics, open, dup2, close, _exit.
    if INTERRUPTED.swap(true, Ordering::SeqCst) {
        // SAFETY: _exit is async-signal-safe and ends the process at once.
        unsafe { libc::_exit(128 + signal) };
    }
    SIGNAL.store(signal, Ordering::SeqCst);
    if signal == libc::SIGHUP {
        let terminals = TERMINALS.load(Ordering::SeqCst);
        // SAFETY: open, dup2 and close are async-signal-safe; the path is a
        // NUL-terminated static string; fds 1 and 2 are replaced, not freed.
        unsafe {
            let null = libc::open(c"/dev/null".as_ptr(), libc::O_WRONLY);
            if null >= 0 {
                for (bit, fd) in [(1, libc::STDOUT_FILENO), (2, libc::STDERR_FILENO)] {
                    if terminals & bit != 0 {
                        libc::dup2(null, fd);
                    }
                }
                libc::close(null);
            }
        }
    }
}

/// Installs the handler for SIGINT, SIGTERM and SIGHUP and returns the
/// flag it sets.
pub fn install() -> &'static AtomicBool {
    use std::io::IsTerminal;
    let terminals = i32::from(std::io::stdout().is_terminal())
        | (i32::from(std::io::stderr().is_terminal()) << 1);
    TERMINALS.store(terminals, Ordering::SeqCst);
    for signal in STOPPING {
        // SAFETY: all-zero bytes are a valid sigaction (no flags, empty
        // mask); sigaction only reads `action` and writes `old`, both
        // valid; `on_signal` only does async-signal-safe work.
        unsafe {
            let mut old: libc::sigaction = std::mem::zeroed();
            libc::sigaction(signal, std::ptr::null(), &mut old);
            // `nohup conlab run …` (or a shell's background job) ignores
            // SIGHUP (or SIGINT) on purpose: keep it that way.
            if signal != libc::SIGTERM && old.sa_sigaction == libc::SIG_IGN {
                continue;
            }
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
            action.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(signal, &action, std::ptr::null_mut());
        }
    }
    &INTERRUPTED
}

/// The exit code of a run stopped by a signal: 128 + its number (130 for
/// Ctrl-C if none is known).
pub fn exit_code() -> i32 {
    match SIGNAL.load(Ordering::SeqCst) {
        0 => 128 + libc::SIGINT,
        signal => 128 + signal,
    }
}
