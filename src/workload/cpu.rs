//! CPU work: burning the calling thread's CPU until its own CPU clock
//! (`CLOCK_THREAD_CPUTIME_ID`) has advanced by the cost. Time the thread
//! spends preempted does not count, so the work is the same whatever else
//! runs on the machine; this is never a wall-clock sleep or spin.

use std::hint::black_box;

use crate::measure::thread_cpu_ns;

/// Arithmetic done between two reads of the thread's CPU clock: long enough
/// that most of the burn is user time, not the clock's system call, short
/// enough (about a microsecond) that the burn stops close to its target.
const CHUNK: u32 = 256;

/// Burns `cost_ns` of the calling thread's CPU.
pub fn burn(cost_ns: u64) {
    burn_until_asked(cost_ns, || false);
}

/// Burns up to `cost_ns` of CPU, checking `stop` between chunks; returns
/// the CPU burned, which is less than `cost_ns` only if `stop` said so.
pub fn burn_until_asked(cost_ns: u64, mut stop: impl FnMut() -> bool) -> u64 {
    if cost_ns == 0 {
        return 0;
    }
    let start = thread_cpu_ns();
    let mut state = start | 1;
    loop {
        for _ in 0..CHUNK {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
        }
        black_box(state);
        let used = thread_cpu_ns().saturating_sub(start);
        if used >= cost_ns || stop() {
            return used;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burns_at_least_the_cost_on_the_thread_clock() {
        let before = thread_cpu_ns();
        burn(3_000_000);
        let used = thread_cpu_ns() - before;
        assert!(used >= 3_000_000, "burned {used} ns");
        // Wide margin: one chunk is about a microsecond.
        assert!(used < 6_000_000, "burned {used} ns");
    }

    #[test]
    fn stops_when_asked() {
        let mut checks = 0;
        let used = burn_until_asked(1_000_000_000, || {
            checks += 1;
            checks > 3
        });
        assert!(used < 100_000_000, "burned {used} ns");
    }

    #[test]
    fn zero_cost_burns_nothing() {
        assert_eq!(burn_until_asked(0, || false), 0);
    }
}
