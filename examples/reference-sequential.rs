//! Reference for `sequential`: the bare program it stands for. One thread
//! waits for each task in turn, `clock_nanosleep` until an absolute
//! deadline on `CLOCK_MONOTONIC` (the clock conlab measures with):
//!
//! ```text
//! reference-sequential TASKS LATENCY_NS
//! ```
//!
//! The run prints one JSON line (see `conlab::reference::Report`).

use conlab::reference::{Args, Report, Wakes, now_ns};

fn sleep_until(deadline_ns: u64) {
    let ts = libc::timespec {
        tv_sec: (deadline_ns / 1_000_000_000) as libc::time_t,
        tv_nsec: (deadline_ns % 1_000_000_000) as libc::c_long,
    };
    // SAFETY: `ts` is a valid timespec; with TIMER_ABSTIME the remaining
    // time is not written and may be null. EINTR: sleep again.
    while unsafe {
        libc::clock_nanosleep(
            libc::CLOCK_MONOTONIC,
            libc::TIMER_ABSTIME,
            &ts,
            std::ptr::null_mut(),
        )
    } == libc::EINTR
    {}
}

fn main() {
    let args = Args::from_env(0, "reference-sequential TASKS LATENCY_NS");
    let (tasks, latency) = (args.tasks, args.latency_ns);
    let mut wakes = Wakes::new();
    let start = now_ns();
    for _ in 0..tasks {
        let deadline = now_ns() + latency;
        sleep_until(deadline);
        wakes.record(now_ns().saturating_sub(deadline));
    }
    let end = now_ns();
    println!("{}", Report::new(tasks, start, end, &wakes).to_json());
}
