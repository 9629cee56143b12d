//! Reference for `threads`: the bare program it stands for. One OS thread
//! per task, `std::thread::spawn` with its defaults, each sleeping with
//! `std::thread::sleep`, then join them all:
//!
//! ```text
//! reference-threads TASKS LATENCY_NS
//! ```
//!
//! Each thread hands back how late it woke; the run prints one JSON line
//! (see `conlab::reference::Report`). Past the machine's thread limit the
//! process aborts (the benchmark does not ask for that).

use std::time::Duration;

use conlab::reference::{Args, Report, Wakes, now_ns};

fn main() {
    let args = Args::from_env(0, "reference-threads TASKS LATENCY_NS");
    let (tasks, latency) = (args.tasks, args.latency_ns);
    let start = now_ns();
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            std::thread::spawn(move || {
                let deadline = now_ns() + latency;
                std::thread::sleep(Duration::from_nanos(latency));
                now_ns().saturating_sub(deadline)
            })
        })
        .collect();
    let mut wakes = Wakes::new();
    for handle in handles {
        match handle.join() {
            Ok(delay) => wakes.record(delay),
            Err(_) => {
                eprintln!("a thread panicked");
                std::process::exit(1);
            }
        }
    }
    let end = now_ns();
    println!("{}", Report::new(tasks, start, end, &wakes).to_json());
}
