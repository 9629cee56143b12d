//! Reference for `thread-pool`: the bare program it stands for. A rayon
//! pool of W threads (default: the usable cores, as conlab's
//! `thread-pool`), the tasks submitted in order with `spawn_fifo`, each
//! sleeping with `std::thread::sleep`:
//!
//! ```text
//! reference-pool TASKS LATENCY_NS [--workers W]
//! ```
//!
//! Each task leaves how late it woke in its own slot; the run prints one
//! JSON line (see `conlab::reference::Report`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use conlab::reference::{Args, Report, Wakes, now_ns};

fn main() {
    let args = Args::from_env(0, "reference-pool TASKS LATENCY_NS [--workers W]");
    let (tasks, latency, workers) = (args.tasks, args.latency_ns, args.workers());
    let delays: Vec<AtomicU64> = (0..tasks).map(|_| AtomicU64::new(0)).collect();
    let start = now_ns();
    let pool = match rayon::ThreadPoolBuilder::new().num_threads(workers).build() {
        Ok(pool) => pool,
        Err(e) => {
            eprintln!("cannot build the pool: {e}");
            std::process::exit(1);
        }
    };
    pool.scope_fifo(|scope| {
        for slot in &delays {
            scope.spawn_fifo(move |_| {
                let deadline = now_ns() + latency;
                std::thread::sleep(Duration::from_nanos(latency));
                slot.store(now_ns().saturating_sub(deadline), Ordering::Relaxed);
            });
        }
    });
    let end = now_ns();
    let mut wakes = Wakes::new();
    for slot in &delays {
        wakes.record(slot.load(Ordering::Relaxed));
    }
    println!("{}", Report::new(tasks, start, end, &wakes).to_json());
}
