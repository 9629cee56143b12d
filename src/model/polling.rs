//! `polling`: one thread submits every task's IO at once, then finds out
//! about completions only by checking, never by being woken. With `sleep`
//! IO each pending wait is a timerfd armed for its deadline (the OS
//! completes the "IO" when the timer expires); with `tcp` it is a request
//! on the task's non-blocking connection. The thread checks every pending
//! IO without blocking (a non-blocking `read`), runs the CPU work of each
//! completion it notices, submits that task's next IO, and then sleeps
//! `poll_interval` before the next pass (0: no sleep, a busy spin). Its CPU
//! time shows what polling costs; its IO overshoot shows how late
//! completions are noticed. With arrivals, each pass also starts the
//! requests that have arrived since the last: they too are noticed by
//! checking.
//!
//! A task whose group's counter is `racy` with `await_inside` yields to
//! this loop inside the counter's window, as an `await` yields to an event
//! loop: it reads the counter and does its CPU work, and the loop writes
//! the counter back, and goes on with that task, only after the pass has
//! run every other task it found ready.

use std::io;
use std::net::TcpStream;

use super::arrivals::Dispatch;
use super::error::ModelError;
use super::job::{Job, ModelRun};
use super::record::{Records, TaskRecord};
use super::shared::Window;
use super::task;
use crate::config::DEFAULT_POLL_INTERVAL;
use crate::config::IoKind;
use crate::measure::now_ns;
use crate::workload::sleep;
use crate::workload::tcp::{self, PendingReply};
use crate::workload::timerfd::TimerFd;

/// Where a task's IO completes.
enum Source {
    Timer(TimerFd),
    Tcp(TcpStream, Option<PendingReply>),
}

impl Source {
    fn open(job: &Job) -> io::Result<Source> {
        match job.cell.io {
            IoKind::Sleep => TimerFd::new().map(Source::Timer),
            IoKind::Tcp => {
                let stream = tcp::connect(job.tcp_server()?)?;
                stream.set_nonblocking(true)?;
                Ok(Source::Tcp(stream, None))
            }
        }
    }

    /// Starts an IO of `latency_ns` due at `deadline_ns`.
    fn submit(&mut self, latency_ns: u64, deadline_ns: u64) -> io::Result<()> {
        match self {
            Source::Timer(fd) => {
                fd.arm(deadline_ns.max(1));
                Ok(())
            }
            Source::Tcp(stream, pending) => {
                *pending = Some(PendingReply::send(stream, latency_ns)?);
                Ok(())
            }
        }
    }

    /// The non-blocking check: has the IO due at `deadline_ns` completed,
    /// and when (a timer at its deadline, the delay server when it sent
    /// its answer)?
    fn completed(&mut self, deadline_ns: u64) -> io::Result<Option<u64>> {
        match self {
            Source::Timer(fd) => Ok(fd.expired()?.then_some(deadline_ns)),
            Source::Tcp(stream, pending) => match pending {
                Some(reply) => reply.check(stream),
                None => Ok(None),
            },
        }
    }
}

/// One task's pending IO.
struct Pending<'r> {
    record: TaskRecord<'r>,
    task: usize,
    round: usize,
    source: Source,
    start_ns: u64,
    deadline_ns: u64,
}

/// A task that yielded to the loop inside its counter's window, in round
/// `round` (its burst having ended at `last`): the loop closes the window
/// after the pass, then goes on.
struct Yielded<'r> {
    record: TaskRecord<'r>,
    task: usize,
    round: usize,
    source: Source,
    window: Window,
    last: Option<u64>,
}

/// Where a task stands after running what it could at once.
enum Next<'r> {
    Io(Pending<'r>),
    Yielded(Yielded<'r>),
    Done,
}

impl<'r> Next<'r> {
    fn push(self, pending: &mut Vec<Pending<'r>>, yielded: &mut Vec<Yielded<'r>>) {
        match self {
            Next::Io(p) => pending.push(p),
            Next::Yielded(y) => yielded.push(y),
            Next::Done => {}
        }
    }
}

fn failed(task: usize) -> impl Fn(io::Error) -> ModelError {
    move |e| ModelError::Io(task::io_failure(task, &e))
}

pub fn run(job: &Job, records: &Records) -> Result<ModelRun, ModelError> {
    let interval = job.cell.poll_interval.unwrap_or(DEFAULT_POLL_INTERVAL).0;
    let mut sources = Vec::with_capacity(job.tasks());
    if job.cell.io == IoKind::Sleep {
        for task in 0..job.tasks() {
            sources.push(Source::open(job).map_err(failed(task))?);
        }
    }
    let ready_ns = now_ns();
    let dispatch = Dispatch::start(job, records);
    let order = job.dispatch_order();
    let mut next = 0;
    let mut pending: Vec<Pending> = Vec::with_capacity(job.tasks());
    let mut yielded: Vec<Yielded> = Vec::new();
    let mut sources = sources.into_iter();
    loop {
        // Start every task that is due (with arrivals: that has arrived by
        // this pass; without: all of them, on the first).
        while let Some(&task) = order.get(next) {
            let due = dispatch.due(job, task);
            if due >= dispatch.stop_ns() || dispatch.stopped() {
                next = order.len();
                break;
            }
            if due > now_ns() {
                break;
            }
            next += 1;
            // Connections are part of each task's work, as in every model.
            let source = match sources.next() {
                Some(source) => source,
                None => Source::open(job).map_err(failed(task))?,
            };
            submit(job, task, 0, source, records.task(task), None)
                .map_err(failed(task))?
                .push(&mut pending, &mut yielded);
        }
        if pending.is_empty() && yielded.is_empty() && next >= order.len() {
            break;
        }
        let mut i = 0;
        while i < pending.len() {
            let task = pending[i].task;
            let deadline = pending[i].deadline_ns;
            let Some(completed) = pending[i]
                .source
                .completed(deadline)
                .map_err(failed(task))?
            else {
                i += 1;
                continue;
            };
            let mut p = pending.swap_remove(i);
            let end = now_ns();
            p.record.io(p.start_ns, p.deadline_ns, completed, end);
            if p.record.stops_after(end) {
                // Past the run's stop: the task is left unfinished.
                continue;
            }
            let spec = job.task(p.task);
            let (burst, window) = job
                .shared
                .round_open(spec.group, || task::burn(spec.cpu_ns, &mut p.record));
            let last = Some(burst.unwrap_or(end));
            match window {
                Some(window) => yielded.push(Yielded {
                    record: p.record,
                    task: p.task,
                    round: p.round,
                    source: p.source,
                    window,
                    last,
                }),
                None => submit(job, p.task, p.round + 1, p.source, p.record, last)
                    .map_err(failed(task))?
                    .push(&mut pending, &mut yielded),
            }
        }
        // The tasks that yielded inside their window run again, in the
        // order they yielded, after every task this pass found ready.
        for y in std::mem::take(&mut yielded) {
            job.shared.close(y.window);
            submit(job, y.task, y.round + 1, y.source, y.record, y.last)
                .map_err(failed(y.task))?
                .push(&mut pending, &mut yielded);
        }
        // A task ready to go on is not a reason to sleep.
        if interval > 0 && (!pending.is_empty() || next < order.len()) && yielded.is_empty() {
            sleep::sleep_until(now_ns() + interval);
        }
    }
    Ok(ModelRun::new(ready_ns))
}

/// Submits `task`'s IO for `round`; rounds without IO run their CPU work
/// at once, up to one that yields inside its counter's window. Says what
/// the task waits for next, if anything (`Done`: it has finished, at
/// `last`, when it last did something, if it did).
fn submit<'r>(
    job: &Job,
    task: usize,
    mut round: usize,
    mut source: Source,
    mut record: TaskRecord<'r>,
    mut last: Option<u64>,
) -> io::Result<Next<'r>> {
    let spec = job.task(task);
    while round < spec.latencies.len() {
        let latency = spec.latencies.get(round);
        if latency > 0 {
            let start_ns = now_ns();
            let deadline_ns = start_ns + latency;
            source.submit(latency, deadline_ns)?;
            return Ok(Next::Io(Pending {
                record,
                task,
                round,
                source,
                start_ns,
                deadline_ns,
            }));
        }
        let (burst, window) = job
            .shared
            .round_open(spec.group, || task::burn(spec.cpu_ns, &mut record));
        last = burst.or(last);
        if let Some(window) = window {
            return Ok(Next::Yielded(Yielded {
                record,
                task,
                round,
                source,
                window,
                last,
            }));
        }
        round += 1;
    }
    record.ended(last.unwrap_or_else(now_ns));
    Ok(Next::Done)
}
