//! The only place that reads clocks and resource usage (CPU time, context
//! switches, memory, the threads of a process tree). Every timestamp in
//! conlab is nanoseconds on `CLOCK_MONOTONIC` (the clock that OS timers,
//! `clock_nanosleep` and timerfd use too), so deadlines and measurements
//! share one time base.

use serde::{Deserialize, Serialize};

fn clock(id: libc::clockid_t) -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; clock_gettime only fails
    // for unknown clock ids, and these are fixed, supported ids.
    unsafe { libc::clock_gettime(id, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// Now, in nanoseconds on the monotonic clock.
pub fn now_ns() -> u64 {
    clock(libc::CLOCK_MONOTONIC)
}

/// CPU time the calling thread has used, in nanoseconds.
pub fn thread_cpu_ns() -> u64 {
    clock(libc::CLOCK_THREAD_CPUTIME_ID)
}

/// The kernel's id of the calling thread.
pub fn thread_id() -> u32 {
    // SAFETY: gettid has no preconditions and cannot fail.
    unsafe { libc::gettid() as u32 }
}

/// Resource usage of a process (or of its waited-for children).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Usage {
    pub user_ns: u64,
    pub sys_ns: u64,
    pub ctx_voluntary: u64,
    pub ctx_involuntary: u64,
    /// Peak resident set size in KiB (a maximum, not a counter).
    pub peak_rss_kb: u64,
}

impl Usage {
    fn read(who: libc::c_int) -> Usage {
        // SAFETY: an all-zero rusage is a valid value of the plain C struct.
        let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: `ru` is valid and writable; `who` is RUSAGE_SELF or
        // RUSAGE_CHILDREN, for which getrusage cannot fail.
        unsafe { libc::getrusage(who, &mut ru) };
        let tv = |t: libc::timeval| t.tv_sec as u64 * 1_000_000_000 + t.tv_usec as u64 * 1_000;
        Usage {
            user_ns: tv(ru.ru_utime),
            sys_ns: tv(ru.ru_stime),
            ctx_voluntary: ru.ru_nvcsw as u64,
            ctx_involuntary: ru.ru_nivcsw as u64,
            peak_rss_kb: ru.ru_maxrss as u64,
        }
    }

    /// This process, all its threads included; its peak RSS is its own
    /// (see [`own_peak_rss_kb`]).
    pub fn this_process() -> Usage {
        let usage = Usage::read(libc::RUSAGE_SELF);
        Usage {
            peak_rss_kb: own_peak_rss_kb().unwrap_or(usage.peak_rss_kb),
            ..usage
        }
    }

    /// The children this process has waited for (worker processes).
    pub fn children() -> Usage {
        Usage::read(libc::RUSAGE_CHILDREN)
    }

    /// What was used between two readings; peak RSS is the later peak.
    pub fn since(self, earlier: Usage) -> Usage {
        Usage {
            user_ns: self.user_ns.saturating_sub(earlier.user_ns),
            sys_ns: self.sys_ns.saturating_sub(earlier.sys_ns),
            ctx_voluntary: self.ctx_voluntary.saturating_sub(earlier.ctx_voluntary),
            ctx_involuntary: self.ctx_involuntary.saturating_sub(earlier.ctx_involuntary),
            peak_rss_kb: self.peak_rss_kb,
        }
    }

    /// Two processes' usage together; peak RSS is the larger peak.
    pub fn plus(self, other: Usage) -> Usage {
        Usage {
            user_ns: self.user_ns + other.user_ns,
            sys_ns: self.sys_ns + other.sys_ns,
            ctx_voluntary: self.ctx_voluntary + other.ctx_voluntary,
            ctx_involuntary: self.ctx_involuntary + other.ctx_involuntary,
            peak_rss_kb: self.peak_rss_kb.max(other.peak_rss_kb),
        }
    }
}

/// The most memory this process has had resident since it was started
/// (its last exec), in KiB: `VmHWM` in `/proc/self/status`. Not
/// `ru_maxrss`, which Linux carries across exec from the process this one
/// was forked from: a worker's would never read below the peak of the
/// `conlab run` that started it (or of whatever started a reference
/// program), whatever the run itself used.
fn own_peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .strip_suffix("kB")?
        .trim()
        .parse()
        .ok()
}

/// Readings taken just before a model starts, to subtract at the end.
#[derive(Clone, Copy, Debug)]
pub struct Start {
    pub at_ns: u64,
    own: Usage,
    children: Usage,
}

impl Start {
    pub fn now() -> Start {
        let own = Usage::this_process();
        let children = Usage::children();
        Start {
            at_ns: now_ns(),
            own,
            children,
        }
    }

    /// Usage since `self` of this process and of children waited for since.
    pub fn usage(&self) -> Usage {
        let own = Usage::this_process().since(self.own);
        let children = Usage::children().since(self.children);
        if children
            == (Usage {
                peak_rss_kb: children.peak_rss_kb,
                ..Usage::default()
            })
        {
            own
        } else {
            own.plus(children)
        }
    }
}

/// The OS threads process `pid` and its descendants have right now, from
/// `/proc`, leaving out every process whose command line holds the
/// argument `skip` (and its descendants); `None` when `pid` is gone. Reads
/// `/proc/<pid>/status`, which the kernel answers without walking the
/// process's threads, so it stays cheap for a process of 10,000 threads.
pub fn tree_threads(pid: u32, skip: &str) -> Option<u64> {
    tree_threads_at(std::path::Path::new("/proc"), pid, skip, 0)
}

/// How deep a process tree [`tree_threads`] follows: a worker, an
/// interpreter, its pool's processes.
const TREE_DEPTH: u32 = 4;

fn tree_threads_at(proc: &std::path::Path, pid: u32, skip: &str, depth: u32) -> Option<u64> {
    let dir = proc.join(pid.to_string());
    let status = std::fs::read_to_string(dir.join("status")).ok()?;
    let own: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .and_then(|n| n.trim().parse().ok())?;
    if depth >= TREE_DEPTH {
        return Some(own);
    }
    // Children of the process's main thread: every model starts its
    // processes from there.
    let children = std::fs::read_to_string(dir.join("task").join(pid.to_string()).join("children"))
        .unwrap_or_default();
    let mut total = own;
    for child in children
        .split_whitespace()
        .filter_map(|c| c.parse::<u32>().ok())
    {
        let cmdline =
            std::fs::read(proc.join(child.to_string()).join("cmdline")).unwrap_or_default();
        if cmdline.split(|&b| b == 0).any(|arg| arg == skip.as_bytes()) {
            continue;
        }
        total += tree_threads_at(proc, child, skip, depth + 1).unwrap_or(0);
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clocks_move_forward() {
        let a = now_ns();
        let c = thread_cpu_ns();
        let mut x = 0u64;
        for i in 0..1_000_000u64 {
            x = x.wrapping_mul(31).wrapping_add(i);
        }
        std::hint::black_box(x);
        assert!(now_ns() > a);
        assert!(thread_cpu_ns() > c);
    }

    #[test]
    fn peak_rss_is_this_process_own() {
        let peak = own_peak_rss_kb().unwrap_or(0);
        assert!(peak > 0);
        // A process started from this one does not start at its peak: a
        // shell's own is far below a test binary's.
        let out = std::process::Command::new("sh")
            .args(["-c", "grep VmHWM /proc/self/status"])
            .output();
        let text = out.map(|o| String::from_utf8_lossy(&o.stdout).to_string());
        let child: u64 = text
            .unwrap_or_default()
            .split_whitespace()
            .nth(1)
            .and_then(|n| n.parse().ok())
            .unwrap_or(u64::MAX);
        assert!(child < peak, "child {child} kB, this process {peak} kB");
        // A peak only grows.
        assert!(Usage::this_process().peak_rss_kb >= peak);
    }

    #[test]
    fn usage_difference_never_underflows() {
        let a = Usage {
            user_ns: 5,
            ..Usage::default()
        };
        let b = Usage::default();
        assert_eq!(b.since(a).user_ns, 0);
    }

    #[test]
    fn threads_of_a_tree_are_counted_and_a_skipped_child_is_not() {
        // A shell (one thread) with two `sleep` children (one each).
        let mut shell = match std::process::Command::new("sh")
            .args(["-c", "sleep 5 & sleep 5 & wait"])
            .spawn()
        {
            Ok(child) => child,
            Err(e) => panic!("cannot start sh: {e}"),
        };
        let pid = shell.id();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(4);
        // Until both children have been forked and have become `sleep`.
        let read = || (tree_threads(pid, "--none"), tree_threads(pid, "5"));
        let mut counts = read();
        while counts != (Some(3), Some(1)) && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(10));
            counts = read();
        }
        let (all, skipping) = counts;
        let _ = shell.kill();
        let _ = shell.wait();
        assert_eq!(all, Some(3), "sh and its two sleeps");
        assert_eq!(skipping, Some(1), "sh alone");
        assert_eq!(tree_threads(u32::MAX, "x"), None);
    }
}
