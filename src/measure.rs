//! The only place that reads clocks and resource usage. Every timestamp in
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

    /// This process, all its threads included.
    pub fn this_process() -> Usage {
        Usage::read(libc::RUSAGE_SELF)
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
    fn usage_difference_never_underflows() {
        let a = Usage {
            user_ns: 5,
            ..Usage::default()
        };
        let b = Usage::default();
        assert_eq!(b.since(a).user_ns, 0);
    }
}
