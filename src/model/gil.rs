//! A global interpreter lock modelled on CPython's (the "new GIL" of
//! CPython 3.2+, `Python/ceval_gil.h`), not a plain mutex. A plain mutex
//! lets the releasing thread take it straight back, so CPU-bound threads
//! would run whole, one after another; CPython behaves differently:
//!
//! - a thread that has waited `switch_interval` for the lock, with no
//!   switch happening meanwhile, sets a drop request;
//! - the holder checks for the request as it computes (CPython checks its
//!   "eval breaker" between bytecodes; here, between ~1 µs chunks of CPU
//!   work) and drops the lock;
//! - after a requested drop the old holder waits until another thread has
//!   taken the lock before it may ask for it again (forced switching);
//! - IO waits release the lock and take it back afterwards.
//!
//! The lock also counts hand-offs (the holder changing from one thread to
//! another) and how long threads waited for it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

use crate::measure::now_ns;

#[derive(Default)]
struct State {
    locked: bool,
    /// The thread (task index + 1) that took the lock last; 0 for none.
    last_holder: u32,
    /// Incremented every time the lock is taken.
    switch_number: u64,
    handoffs: u64,
    wait_total_ns: u64,
    wait_max_ns: u64,
}

/// What the lock saw during a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GilStats {
    pub handoffs: u64,
    pub wait_total_ns: u64,
    pub wait_max_ns: u64,
}

pub struct Gil {
    state: Mutex<State>,
    /// Signalled when the lock is released.
    released: Condvar,
    /// Signalled when the lock is taken (for forced switching).
    taken: Condvar,
    drop_request: AtomicBool,
    interval: Duration,
}

impl Gil {
    pub fn new(switch_interval_ns: u64) -> Gil {
        Gil {
            state: Mutex::new(State::default()),
            released: Condvar::new(),
            taken: Condvar::new(),
            drop_request: AtomicBool::new(false),
            interval: Duration::from_nanos(switch_interval_ns.max(1)),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // Every update under the lock is a few plain assignments, so a
        // poisoned mutex still holds a consistent state.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes the lock for thread `me` (task index + 1), waiting as long as
    /// needed; returns how long it waited, in ns.
    pub fn take(&self, me: u32) -> u64 {
        let start = now_ns();
        let mut st = self.state();
        let waited = st.locked;
        while st.locked {
            let switches = st.switch_number;
            let (guard, result) = self
                .released
                .wait_timeout(st, self.interval)
                .unwrap_or_else(|e| e.into_inner());
            st = guard;
            if result.timed_out() && st.locked && st.switch_number == switches {
                self.drop_request.store(true, Ordering::Release);
            }
        }
        st.locked = true;
        if st.last_holder != 0 && st.last_holder != me {
            st.handoffs += 1;
        }
        st.last_holder = me;
        st.switch_number += 1;
        self.drop_request.store(false, Ordering::Release);
        let wait = if waited { now_ns() - start } else { 0 };
        st.wait_total_ns += wait;
        st.wait_max_ns = st.wait_max_ns.max(wait);
        drop(st);
        self.taken.notify_all();
        wait
    }

    /// Whether a waiting thread asked the holder to drop the lock.
    pub fn drop_requested(&self) -> bool {
        self.drop_request.load(Ordering::Acquire)
    }

    /// Releases the lock held by `me`. With `forced` (the holder is
    /// answering a drop request), waits until another thread has taken it.
    pub fn release(&self, me: u32, forced: bool) {
        let mut st = self.state();
        st.locked = false;
        self.released.notify_one();
        if forced {
            while st.last_holder == me && !st.locked {
                st = self.taken.wait(st).unwrap_or_else(|e| e.into_inner());
            }
        }
    }

    pub fn stats(&self) -> GilStats {
        let st = self.state();
        GilStats {
            handoffs: st.handoffs,
            wait_total_ns: st.wait_total_ns,
            wait_max_ns: st.wait_max_ns,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload::cpu;

    /// Burns `total` ns of CPU while holding the lock, dropping it when
    /// asked, as a gil-threads task does.
    fn compute(gil: &Gil, me: u32, total: u64) {
        gil.take(me);
        let mut left = total;
        while left > 0 {
            let used = cpu::burn_until_asked(left, || gil.drop_requested());
            left = left.saturating_sub(used);
            if left > 0 && gil.drop_requested() {
                gil.release(me, true);
                gil.take(me);
            }
        }
        gil.release(me, false);
    }

    #[test]
    fn contended_cpu_work_switches_every_interval() {
        let gil = Gil::new(2_000_000);
        std::thread::scope(|s| {
            s.spawn(|| compute(&gil, 1, 40_000_000));
            s.spawn(|| compute(&gil, 2, 40_000_000));
        });
        let stats = gil.stats();
        // 80 ms of contended CPU with a 2 ms interval: dozens of switches
        // (a plain mutex would hand off once).
        assert!(stats.handoffs >= 8, "{stats:?}");
        assert!(stats.wait_max_ns > 0);
    }

    #[test]
    fn an_uncontended_lock_never_waits() {
        let gil = Gil::new(5_000_000);
        assert_eq!(gil.take(1), 0);
        gil.release(1, false);
        assert_eq!(gil.take(1), 0);
        gil.release(1, false);
        assert_eq!(gil.stats().handoffs, 0);
    }
}
