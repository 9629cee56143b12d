//! Blocking IO waits: the calling thread sleeps on an OS timer until an
//! absolute deadline. Two things make the wake-up precise:
//!
//! - the thread's timer slack is lowered to 1 ns (`PR_SET_TIMERSLACK`,
//!   inherited by threads created afterwards), instead of the default 50 µs;
//! - a wait longer than [`EARLY_WAKE`] is two timer waits: one until
//!   `EARLY_WAKE` before the deadline, then one until the deadline. On a
//!   virtual machine a CPU idle for a millisecond or more takes 100 µs or
//!   more to wake (measured here: median 120-140 µs at 1 and 10 ms); a CPU
//!   that was idle for only 200 µs wakes in 30-40 µs. The thread is blocked
//!   in the kernel throughout; the cost is one extra wake-up per wait.
//!
//! The extra wake-up only pays while the CPUs would otherwise idle that
//! long. When many threads of the process are waiting at once, their
//! wake-ups are so close together that no CPU idles long enough to fall
//! into a slow sleep state, and doubling them only crowds the run queues
//! (measured here with 10,000 threads waiting 100 ms each: 15-25 % more
//! wall time, and waits ending later, not earlier). So a wait skips the
//! early wake-up when many other waits are in progress and, spread over
//! its own time, would wake a CPU at least every `EARLY_WAKE` on average
//! ([`early_wake_pays`]).

use std::io;
use std::sync::atomic::{AtomicU64, Ordering};

/// Lowers the calling thread's timer slack to 1 ns. Threads it creates
/// afterwards inherit the setting.
pub fn precise_timers() -> io::Result<()> {
    // SAFETY: PR_SET_TIMERSLACK takes one integer argument and has no
    // memory effects.
    let rc = unsafe { libc::prctl(libc::PR_SET_TIMERSLACK, 1 as libc::c_ulong, 0, 0, 0) };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

pub(crate) fn timespec(ns: u64) -> libc::timespec {
    libc::timespec {
        tv_sec: (ns / 1_000_000_000) as libc::time_t,
        tv_nsec: (ns % 1_000_000_000) as libc::c_long,
    }
}

/// How long before a deadline the first of a wait's two timer waits ends.
pub const EARLY_WAKE: u64 = 200_000;

/// When to wake for a deadline: `EARLY_WAKE` before it while that is
/// still ahead of `now_ns`, else the deadline itself.
pub fn wake_target(deadline_ns: u64, now_ns: u64) -> u64 {
    if deadline_ns > now_ns + EARLY_WAKE {
        deadline_ns - EARLY_WAKE
    } else {
        deadline_ns
    }
}

/// Blocking waits in progress in this process.
static WAITING: AtomicU64 = AtomicU64::new(0);

/// Waits in progress below which a wait always wakes early: a handful of
/// threads usually wait for the same moment, so their number says nothing
/// about how often the CPU wakes.
const FEW_WAITS: u64 = 64;

/// Whether a wait of `remaining_ns` should first wake [`EARLY_WAKE`] early,
/// while `others` other waits are in progress: unless there are many, and
/// their wake-ups, spread over its time, come less than `EARLY_WAKE` apart.
pub fn early_wake_pays(remaining_ns: u64, others: u64) -> bool {
    others < FEW_WAITS || others.saturating_mul(EARLY_WAKE) < remaining_ns
}

/// Blocks the calling thread until the monotonic clock reaches
/// `deadline_ns`.
pub fn sleep_until(deadline_ns: u64) {
    let now = crate::measure::now_ns();
    let others = WAITING.fetch_add(1, Ordering::Relaxed);
    let early = wake_target(deadline_ns, now);
    if early < deadline_ns && early_wake_pays(deadline_ns - now, others) {
        clock_sleep(early);
    }
    clock_sleep(deadline_ns);
    WAITING.fetch_sub(1, Ordering::Relaxed);
}

fn clock_sleep(deadline_ns: u64) {
    let ts = timespec(deadline_ns);
    loop {
        // SAFETY: `ts` is a valid timespec; with TIMER_ABSTIME the
        // remaining-time pointer is unused and may be null.
        let rc = unsafe {
            libc::clock_nanosleep(
                libc::CLOCK_MONOTONIC,
                libc::TIMER_ABSTIME,
                &ts,
                std::ptr::null_mut(),
            )
        };
        // Interrupted by a signal: sleep again until the same deadline.
        if rc != libc::EINTR {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::now_ns;

    #[test]
    fn wakes_after_the_deadline() {
        let _ = precise_timers();
        let deadline = now_ns() + 2_000_000;
        sleep_until(deadline);
        let late = now_ns() - deadline;
        // Never early; lateness is checked by benchmarks, not here.
        assert!(now_ns() >= deadline);
        assert!(late < 1_000_000_000);
    }

    /// The timer slack is what the kernel may add to every wake-up (50 µs
    /// by default); reading it back shows the setting took effect.
    #[test]
    fn precise_timers_sets_a_timer_slack_of_one_nanosecond() {
        let slack = std::thread::spawn(|| {
            // SAFETY: PR_GET_TIMERSLACK takes no argument, has no memory
            // effects and returns the calling thread's slack in ns.
            let before = unsafe { libc::prctl(libc::PR_GET_TIMERSLACK, 0, 0, 0, 0) };
            let set = precise_timers();
            // SAFETY: as above.
            let after = unsafe { libc::prctl(libc::PR_GET_TIMERSLACK, 0, 0, 0, 0) };
            (before, set.is_ok(), after)
        })
        .join();
        let Ok((before, set, after)) = slack else {
            panic!("the thread panicked")
        };
        assert!(set);
        assert_eq!(after, 1, "timer slack {after} ns (was {before} ns)");
    }

    /// A wait of more than 200 µs first wakes 200 µs early; a shorter one
    /// is a single wait until its deadline.
    #[test]
    fn long_waits_wake_early_first_and_short_ones_do_not() {
        assert_eq!(EARLY_WAKE, 200_000);
        assert_eq!(wake_target(10_000_000, 0), 9_800_000);
        assert_eq!(wake_target(5_000_000, 1_000_000), 4_800_000);
        assert_eq!(wake_target(1_200_001, 1_000_000), 1_000_001);
        assert_eq!(wake_target(1_200_000, 1_000_000), 1_200_000);
        assert_eq!(wake_target(1_100_000, 1_000_000), 1_100_000);
        assert_eq!(wake_target(500_000, 1_000_000), 500_000);
    }

    #[test]
    fn the_early_wake_is_skipped_only_among_many_close_waits() {
        // Ten waits of 1 ms (the precision benchmark): kept.
        assert!(early_wake_pays(1_000_000, 9));
        assert!(early_wake_pays(1_000, FEW_WAITS - 1));
        // 10,000 waits of 100 ms: their wake-ups are 10 µs apart.
        assert!(!early_wake_pays(100_000_000, 9_999));
        // The boundary: other wake-ups every EARLY_WAKE.
        assert!(early_wake_pays(100_000_000, 499));
        assert!(!early_wake_pays(100_000_000, 500));
        assert!(early_wake_pays(u64::MAX, u64::MAX / EARLY_WAKE - 1));
    }

    #[test]
    fn past_deadline_returns_at_once() {
        let start = now_ns();
        sleep_until(start.saturating_sub(1_000_000));
        assert!(now_ns() - start < 500_000_000);
    }
}
