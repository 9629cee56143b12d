//! CPU work: burning the calling thread's CPU until its own CPU clock
//! (`CLOCK_THREAD_CPUTIME_ID`) has advanced by the cost. Time the thread
//! spends preempted does not count, so the work is the same whatever else
//! runs on the machine; this is never a wall-clock sleep or spin.

use std::hint::black_box;

use crate::measure::thread_cpu_ns;

/// The first chunk of arithmetic, before the speed of this CPU is known.
const FIRST_CHUNK: u64 = 256;
/// The longest stretch of arithmetic between two reads of the clock. Each
/// read is a system call (the thread CPU clock has no vDSO fast path), so
/// reading after every microsecond of work would turn a third of the burn
/// into system time; reading every 20 µs keeps it to about one percent, and
/// bounds how late a stop request (the GIL's drop request) is noticed.
const MAX_CHUNK_NS: u64 = 20_000;

/// Burns `cost_ns` of the calling thread's CPU.
pub fn burn(cost_ns: u64) {
    burn_until_asked(cost_ns, || false);
}

/// Burns up to `cost_ns` of CPU, checking `stop` between chunks; returns
/// the CPU burned, which is less than `cost_ns` only if `stop` said so.
///
/// Each chunk covers half of what is left (at most [`MAX_CHUNK_NS`]), at
/// the speed measured so far, so the burn approaches its target without
/// overshooting by more than a few hundred nanoseconds.
pub fn burn_until_asked(cost_ns: u64, mut stop: impl FnMut() -> bool) -> u64 {
    if cost_ns == 0 {
        return 0;
    }
    let start = thread_cpu_ns();
    let mut state = start | 1;
    let mut iterations = 0u64;
    let mut chunk = FIRST_CHUNK;
    loop {
        for _ in 0..chunk {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
        }
        black_box(state);
        iterations += chunk;
        let used = thread_cpu_ns().saturating_sub(start);
        if used >= cost_ns || stop() {
            return used;
        }
        // Iterations per ns so far; the clock read is part of the cost.
        let speed = iterations as f64 / used.max(1) as f64;
        let target = ((cost_ns - used) / 2).min(MAX_CHUNK_NS);
        chunk = ((target as f64 * speed) as u64).max(FIRST_CHUNK / 4);
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
        // Wide margin: the last chunk is a fraction of a microsecond, but
        // the thread may be preempted between chunks.
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
