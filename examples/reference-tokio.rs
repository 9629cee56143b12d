//! Reference for `async` and `async-multi`: the bare tokio program they
//! stand for. Spawn one task per IO wait that sleeps, then await them all:
//!
//! ```text
//! reference-tokio current|multi TASKS LATENCY_NS [--workers W] [--precise]
//! ```
//!
//! `current` is tokio's current-thread runtime (`async`), `multi` its
//! multi-thread runtime with W workers (default: the usable cores, as
//! conlab's `async-multi`). The sleep is tokio's own timer,
//! `tokio::time::sleep`, the idiom itself; its wheel ticks every
//! millisecond, so each wait ends up to about 1 ms late. With `--precise`
//! the tasks sleep on conlab's timerfd timer instead (the one the `async`
//! models use), which separates what the timer costs from what the rest of
//! conlab's harness costs. Each task hands back how late it woke; the run
//! prints one JSON line (see `conlab::reference::Report`).

use std::time::Duration;

use conlab::reference::{Args, PreciseTimer, Report, Wakes, now_ns};

fn main() {
    let args = Args::from_env(
        1,
        "reference-tokio current|multi TASKS LATENCY_NS [--workers W] [--precise]",
    );
    let (tasks, latency, workers) = (args.tasks, args.latency_ns, args.workers());
    let precise = args.has("--precise");
    let flavor = args.words.first().map_or("", String::as_str);

    let start = now_ns();
    let runtime = match flavor {
        "current" => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build(),
        "multi" => tokio::runtime::Builder::new_multi_thread()
            .worker_threads(workers)
            .enable_all()
            .build(),
        other => {
            eprintln!("unknown flavor {other:?}: current or multi");
            std::process::exit(2);
        }
    };
    let runtime = match runtime {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot build the runtime: {e}");
            std::process::exit(1);
        }
    };
    let outcome = runtime.block_on(async move {
        let mut wakes = Wakes::new();
        if precise {
            let timer = PreciseTimer::new()?;
            let driver = tokio::spawn(timer.clone().drive());
            let handles: Vec<_> = (0..tasks)
                .map(|_| {
                    let timer = timer.clone();
                    tokio::spawn(async move {
                        let deadline = now_ns() + latency;
                        timer.sleep_until(deadline).await;
                        now_ns().saturating_sub(deadline)
                    })
                })
                .collect();
            for handle in handles {
                wakes.record(handle.await?);
            }
            driver.abort();
        } else {
            let handles: Vec<_> = (0..tasks)
                .map(|_| {
                    tokio::spawn(async move {
                        let deadline = now_ns() + latency;
                        tokio::time::sleep(Duration::from_nanos(latency)).await;
                        now_ns().saturating_sub(deadline)
                    })
                })
                .collect();
            for handle in handles {
                wakes.record(handle.await?);
            }
        }
        Ok::<_, std::io::Error>((now_ns(), wakes))
    });
    // Worker threads are joined before the usage is read, as in conlab.
    drop(runtime);
    match outcome {
        Ok((end, wakes)) => println!("{}", Report::new(tasks, start, end, &wakes).to_json()),
        Err(e) => {
            eprintln!("run failed: {e}");
            std::process::exit(1);
        }
    }
}
