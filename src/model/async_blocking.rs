//! `async-blocking`: the `async` event loop, but each IO wait is a blocking
//! call made inside the task, the pitfall the study note warns about: the
//! loop cannot switch tasks while one blocks, so everything runs one after
//! another. Beside the tasks a probe task asks to run every millisecond and
//! records how late the loop lets it run; the worst lag (`loop_lag_max`)
//! shows the loop frozen for a whole wait.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::async_loop::{CatchUnwind, Run, current_thread_runtime, start_timer};
use super::error::ModelError;
use super::job::{Extras, Job, ModelRun};
use super::record::Records;
use super::task;
use crate::measure::now_ns;
use crate::workload::timer::PreciseTimer;

/// How often the probe wants to run.
pub const PROBE_PERIOD_NS: u64 = 1_000_000;

pub fn run(job: &Arc<Job>, records: &Arc<Records>) -> Result<ModelRun, ModelError> {
    let runtime = current_thread_runtime()?;
    runtime.block_on(async move {
        // Room for the probe's sleep and the dispatcher's.
        let (timer, driver) = start_timer(2)?;
        let lag = Arc::new(Lag::default());
        lag.due.store(now_ns() + PROBE_PERIOD_NS, Ordering::Relaxed);
        let probe = tokio::spawn(probe(timer.clone(), lag.clone()));
        let ready_ns = now_ns();
        // Each task is async code that calls the blocking task body: it
        // never yields while it waits, so it holds the loop for every wait
        // (a blocking sleep, or a blocking socket).
        let run = Run::new(job, records, timer);
        run.dispatch(|run, i| {
            let shared = run.clone();
            drop(tokio::spawn(async move {
                let outcome = CatchUnwind(async {
                    task::run_blocking(&shared.ctx.job, i, &mut shared.ctx.records.task(i))
                })
                .await;
                shared.finish(i, outcome);
            }));
        })
        .await;
        let outcome = run.all_done().await;
        probe.abort();
        driver.abort();
        // The probe may still be waiting for the loop: it wanted to run at
        // `due` and has not been let run by now.
        let still_late = now_ns().saturating_sub(lag.due.load(Ordering::Relaxed));
        let worst = lag.worst.load(Ordering::Relaxed).max(still_late);
        outcome?;
        Ok(ModelRun {
            extras: Extras {
                loop_lag_max_ns: Some(worst),
                ..Extras::default()
            },
            ..ModelRun::new(ready_ns)
        })
    })
}

/// When the probe wants to run next, and the worst it was late.
#[derive(Default)]
struct Lag {
    due: AtomicU64,
    worst: AtomicU64,
}

/// Wants to run every [`PROBE_PERIOD_NS`]; records the worst lateness.
async fn probe(timer: PreciseTimer, lag: Arc<Lag>) {
    loop {
        let due = lag.due.load(Ordering::Relaxed);
        timer.sleep_until(due).await;
        let now = now_ns();
        lag.worst
            .fetch_max(now.saturating_sub(due), Ordering::Relaxed);
        lag.due.store(now + PROBE_PERIOD_NS, Ordering::Relaxed);
    }
}
