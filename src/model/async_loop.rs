//! `async`: one thread, a cooperative event loop (N:1), like asyncio. A
//! tokio current-thread runtime; each IO wait yields to the loop until the
//! precise timerfd timer wakes the task; CPU work runs inline and holds the
//! loop, exactly as a coroutine's computation holds asyncio's. With
//! arrivals a dispatcher on the loop spawns each request when it arrives.
//!
//! The tasks are spawned as bare as the idiom they stand for
//! (`tokio::spawn` per task): each holds one shared handle to the run (the
//! job, the records, the timer) and its number, writes its measurements
//! into its own slots of the run's records, and counts itself done; the
//! last one wakes the run. Nothing is moved in or out of a task, so a task
//! costs what tokio's task and its future cost. On the current-thread
//! runtime no join handle is kept and a task is freed the moment it ends;
//! on a multi-thread runtime (`async-multi`) the thread blocked on the
//! runtime holds the handles and drops each once its task is done, as the
//! bare program does, so that the workers do not also free the tasks.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use tokio::sync::Notify;

use super::arrivals::Dispatch;
use super::error::ModelError;
use super::job::{Job, ModelRun};
use super::record::Records;
use super::task::{self, TaskContext};
use super::threads::panic_message;
use crate::config::IoKind;
use crate::measure::now_ns;
use crate::workload::timer::PreciseTimer;

pub fn run(job: &Arc<Job>, records: &Arc<Records>) -> Result<ModelRun, ModelError> {
    run_on(&current_thread_runtime()?, job, records)
}

/// A single-threaded tokio event loop with IO (for timerfds and sockets);
/// shared with `async-blocking`.
pub(super) fn current_thread_runtime() -> Result<tokio::runtime::Runtime, ModelError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .map_err(|source| ModelError::Setup {
            what: "tokio current-thread runtime",
            source,
        })
}

/// The precise timer, with room for `sleepers` pending sleeps and its
/// driver spawned on the current runtime; abort the handle when the tasks
/// are done.
pub(super) fn start_timer(
    sleepers: usize,
) -> Result<(PreciseTimer, tokio::task::JoinHandle<std::io::Result<()>>), ModelError> {
    let timer = PreciseTimer::with_capacity(sleepers).map_err(|source| ModelError::Setup {
        what: "timerfd",
        source,
    })?;
    let driver = tokio::spawn(timer.clone().drive());
    Ok((timer, driver))
}

/// What every task of a run shares, behind one `Arc`.
pub(super) struct Run {
    pub ctx: TaskContext,
    /// Tasks not yet done.
    left: AtomicUsize,
    /// Told when the last task is done.
    all_done: Notify,
    /// The first task to fail, and how.
    failure: Mutex<Option<ModelError>>,
}

impl Run {
    pub fn new(job: &Arc<Job>, records: &Arc<Records>, timer: PreciseTimer) -> Arc<Run> {
        Arc::new(Run {
            ctx: TaskContext {
                job: job.clone(),
                records: records.clone(),
                timer,
            },
            left: AtomicUsize::new(job.tasks()),
            all_done: Notify::new(),
            failure: Mutex::new(None),
        })
    }

    /// Task `i` is done, with `outcome` (a panic's message if it panicked).
    pub fn finish(&self, i: usize, outcome: Result<std::io::Result<()>, String>) {
        let error = match outcome {
            Ok(Ok(())) => None,
            Ok(Err(e)) => Some(ModelError::Io(task::io_failure(i, &e))),
            Err(message) => Some(ModelError::TaskPanicked(message)),
        };
        if let Some(error) = error {
            self.failure
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get_or_insert(error);
        }
        if self.left.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.all_done.notify_one();
        }
    }

    /// `n` tasks were never spawned (they had not arrived by the run's
    /// stop): they count as done, unfinished.
    fn never_spawned(&self, n: usize) {
        if n > 0 && self.left.fetch_sub(n, Ordering::AcqRel) == n {
            self.all_done.notify_one();
        }
    }

    /// Spawns every task with `spawn`: all at once, or with arrivals each
    /// when it is due (sleeping on the run's timer in between), until the
    /// run's stop; those not spawned by then count as done.
    pub async fn dispatch(self: &Arc<Run>, mut spawn: impl FnMut(&Arc<Run>, usize)) {
        let job = &self.ctx.job;
        let dispatch = Dispatch::start(job, &self.ctx.records);
        if !job.is_open_loop() {
            for i in 0..job.tasks() {
                spawn(self, i);
            }
            return;
        }
        let mut spawned = 0;
        for i in job.dispatch_order() {
            let due = dispatch.due(job, i);
            if due >= dispatch.stop_ns() {
                break;
            }
            if due > now_ns() {
                self.ctx.timer.sleep_until(due).await;
            }
            if dispatch.stopped() {
                break;
            }
            spawn(self, i);
            spawned += 1;
        }
        self.never_spawned(job.tasks() - spawned);
    }

    /// Waits until every task is done; the first failure, if any.
    pub async fn all_done(&self) -> Result<(), ModelError> {
        if self.left.load(Ordering::Acquire) > 0 {
            self.all_done.notified().await;
        }
        match self
            .failure
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }
}

/// A future that turns a panic while it is polled into the panic's
/// message, so that a task that panics still counts itself done. It wraps
/// the task's body in place (no box, no second future around it).
pub(super) struct CatchUnwind<F>(pub F);

impl<F: Future> Future for CatchUnwind<F> {
    type Output = Result<F::Output, String>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: the wrapped future is pinned structurally: `CatchUnwind`
        // never moves it out or replaces it, has no `Drop` of its own, and
        // is `Unpin` only when the wrapped future is.
        let inner = unsafe { self.map_unchecked_mut(|s| &mut s.0) };
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| inner.poll(cx))) {
            Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(payload) => Poll::Ready(Err(panic_message(&*payload))),
        }
    }
}

/// Task `i` of `run` with timer IO: the body on the precise timer, then
/// the count of tasks done.
async fn timer_task(run: Arc<Run>, i: usize) {
    let body = task::run_async_timer(&run.ctx, i as u32);
    let outcome = CatchUnwind(body).await.map(Ok);
    run.finish(i, outcome);
}

/// Task `i` of `run` with tcp IO, over its own connection.
async fn tcp_task(run: Arc<Run>, i: usize) {
    let outcome = CatchUnwind(async {
        let mut record = run.ctx.records.task(i);
        task::run_async(&run.ctx.job, i, &run.ctx.timer, &mut record).await
    })
    .await;
    run.finish(i, outcome);
}

/// Spawns task `i` of `run` on the current runtime; it counts itself done
/// (see [`Run::all_done`]), so its handle may be dropped at once.
fn spawn_task(run: &Arc<Run>, i: usize) -> tokio::task::JoinHandle<()> {
    match run.ctx.job.cell.io {
        IoKind::Sleep => tokio::spawn(timer_task(run.clone(), i)),
        IoKind::Tcp => tokio::spawn(tcp_task(run.clone(), i)),
    }
}

/// Runs the tasks on `runtime` with the precise timer; shared with
/// `async-multi`, which passes a multi-threaded runtime.
pub fn run_on(
    runtime: &tokio::runtime::Runtime,
    job: &Arc<Job>,
    records: &Arc<Records>,
) -> Result<ModelRun, ModelError> {
    // On a multi-thread runtime the caller's thread, blocked here, keeps
    // each task's handle until the task is done and drops it then, as the
    // bare "spawn them all, then await them all" program does: a finished
    // task's memory is freed on this thread, not on a worker that has
    // tasks to run (and not into the allocator arena this thread spawns
    // from, under its lock). On the current-thread runtime there is no
    // other thread: handles would only cost memory.
    let keep_handles =
        runtime.handle().runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread;
    runtime.block_on(async move {
        // Room for every task's sleep and the dispatcher's.
        let (timer, driver) = start_timer(job.tasks() + 1)?;
        let run = Run::new(job, records, timer);
        let ready_ns = now_ns();
        if keep_handles {
            let mut handles = Vec::with_capacity(job.tasks());
            run.dispatch(|run, i| handles.push(spawn_task(run, i)))
                .await;
            for handle in handles {
                // A task's panic is its outcome (it catches it); a join
                // error can only be a cancellation, which never happens
                // while the runtime runs.
                let _ = handle.await;
            }
        } else {
            run.dispatch(|run, i| drop(spawn_task(run, i))).await;
        }
        let outcome = run.all_done().await;
        driver.abort();
        outcome.map(|()| ModelRun::new(ready_ns))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timer_task_fits_a_small_tokio_task() {
        // Tokio allocates a task as a header and trailer of about 96 bytes
        // around its future, rounded up to a multiple of 128 bytes: a
        // future of up to 160 bytes makes a task of 256, the size of the
        // bare `tokio::spawn(sleep(..))` task. A million tasks are then
        // 256 MB; a future of 168 bytes would make them 384 MB.
        let job = Arc::new(crate::model::job::simple_job("async", 1, 1, false));
        let records = Arc::new(Records::new(&job));
        let runtime = current_thread_runtime().unwrap_or_else(|e| panic!("{e}"));
        runtime.block_on(async {
            let (timer, driver) = start_timer(1).unwrap_or_else(|e| panic!("{e}"));
            let run = Run::new(&job, &records, timer);
            let size = std::mem::size_of_val(&timer_task(run.clone(), 0));
            assert!(size <= 160, "a timer task's future is {size} bytes");
            timer_task(run.clone(), 0).await;
            assert!(run.all_done().await.is_ok());
            driver.abort();
        });
        assert_eq!(records.waits(0).count(), 1);
    }

    #[test]
    fn a_panicking_task_is_a_failed_run_not_a_hang() {
        let job = Arc::new(crate::model::job::simple_job("async", 3, 1, false));
        let records = Arc::new(Records::new(&job));
        let runtime = current_thread_runtime().unwrap_or_else(|e| panic!("{e}"));
        let outcome = runtime.block_on(async {
            let (timer, driver) = start_timer(3).unwrap_or_else(|e| panic!("{e}"));
            let run = Run::new(&job, &records, timer);
            for i in 0..3 {
                let shared = run.clone();
                tokio::spawn(async move {
                    let outcome = CatchUnwind(async move {
                        if i == 1 {
                            panic!("task {i} broke");
                        }
                        Ok(())
                    })
                    .await;
                    shared.finish(i, outcome);
                });
            }
            let outcome = run.all_done().await;
            driver.abort();
            outcome
        });
        match outcome {
            Err(ModelError::TaskPanicked(message)) => assert_eq!(message, "task 1 broke"),
            other => panic!("{other:?}"),
        }
    }
}
