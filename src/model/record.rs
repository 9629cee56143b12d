//! What a run's tasks record about themselves while they run: when each
//! task ended, how late each IO wait ended and how long its task took to
//! run again, and, only for the run whose timeline is drawn, every span.
//!
//! The [`Records`] of a run are flat arrays allocated before the run
//! starts, in the cell's wait layout (tasks group after group, each task's
//! rounds in order), so recording never allocates and a task's bookkeeping
//! is a few machine words, not a log object with vectors of its own: 8
//! bytes per task for its end and 8 per IO wait for its overshoot, plus 8
//! per wait for its wake-up delay in the runs where that can differ from
//! the overshoot (tcp, a GIL, Python); a million tasks of one round cost
//! 16 MB. Tasks on many threads write their own slots, which are atomics
//! written with relaxed stores: no task reads another's, and the worker
//! reads them only after every task has been joined.
//!
//! Beside them, two numbers for the whole run rather than one per task:
//! when dispatch started (a request's scheduled arrival is that plus its
//! due time in the job's schedule) and the run's stop.

use std::ops::Range;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

use super::job::Job;
use crate::config::{IoKind, ModelKind};
use crate::measure;

thread_local! {
    /// The kernel id of this thread, read once.
    static THREAD_ID: u32 = measure::thread_id();
}

/// What one span of a task's timeline was spent on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpanKind {
    Io,
    Cpu,
    LockWait,
}

/// One interval of one task, on the thread (or worker) it ran on.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Span {
    pub task: u32,
    pub kind: SpanKind,
    pub start_ns: u64,
    pub end_ns: u64,
    /// Kernel thread id (or worker process id) it ran on.
    pub thread: u32,
}

/// One IO wait of a task.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitLog {
    /// How late the wait ended compared with its deadline (the time the
    /// task asked for, from when it began to wait).
    pub overshoot_ns: u64,
    /// From the moment the IO completed (the timer's deadline; for tcp,
    /// when the delay server sent its answer) until the task was running
    /// again: woken, scheduled and, under a GIL, holding it.
    pub wake_ns: u64,
}

/// A round that did no IO (its latency was 0) leaves its slot at this.
const NO_WAIT: u64 = u64::MAX;

/// Where one group's tasks and waits sit in the arrays.
#[derive(Clone, Copy, Debug)]
struct GroupLayout {
    /// One past its last task.
    tasks_end: usize,
    first_task: usize,
    first_wait: usize,
    rounds: usize,
}

/// Every task's record of one run (see the module header).
#[derive(Debug)]
pub struct Records {
    ends: Box<[AtomicU64]>,
    overshoots: Box<[AtomicU64]>,
    /// `None` where a wake-up delay is always the overshoot: a model's own
    /// timer completes at the deadline, so from there to running again is
    /// the overshoot itself.
    wakes: Option<Box<[AtomicU64]>>,
    /// Per task, only when the run records a timeline.
    spans: Option<Box<[Mutex<Vec<Span>>]>>,
    groups: Vec<GroupLayout>,
    /// When dispatch started, on the monotonic clock (0 until it has):
    /// each task's scheduled arrival is this plus its due time.
    origin_ns: AtomicU64,
    /// When tasks stop at their next round (`u64::MAX`: never); see
    /// the `arrivals` module.
    stop_ns: AtomicU64,
}

/// Whether a run of `kind` over `io` can end a wait at another moment than
/// the one its task runs again from: a delay server answers before its
/// deadline is read, a GIL makes the task wait for the lock, Python
/// measures both itself. Conlab's own timers complete at the deadline
/// (what the kind's declaration says).
fn wake_differs(kind: ModelKind, io: IoKind) -> bool {
    !(kind.declaration().wake_is_overshoot && io == IoKind::Sleep)
}

fn slots(n: usize, value: u64) -> Box<[AtomicU64]> {
    (0..n).map(|_| AtomicU64::new(value)).collect()
}

impl Records {
    /// Empty records for every task of `job`, allocated before the run
    /// starts; room for a timeline only when the job records one.
    pub fn new(job: &Job) -> Records {
        let mut groups = Vec::with_capacity(job.cell.groups.len());
        let (mut first_task, mut first_wait) = (0usize, 0usize);
        for g in &job.cell.groups {
            let (tasks, rounds) = (g.tasks as usize, g.rounds as usize);
            groups.push(GroupLayout {
                tasks_end: first_task + tasks,
                first_task,
                first_wait,
                rounds,
            });
            first_task += tasks;
            first_wait += tasks.saturating_mul(rounds);
        }
        let spans = job.record_timeline.then(|| {
            let room = job.spans_per_task();
            (0..first_task)
                .map(|_| Mutex::new(Vec::with_capacity(room)))
                .collect()
        });
        Records {
            ends: slots(first_task, 0),
            overshoots: slots(first_wait, NO_WAIT),
            wakes: wake_differs(job.cell.kind, job.cell.io).then(|| slots(first_wait, 0)),
            spans,
            groups,
            origin_ns: AtomicU64::new(0),
            stop_ns: AtomicU64::new(u64::MAX),
        }
    }

    /// Dispatch started at `origin_ns`, and tasks stop at `stop_ns`
    /// (`u64::MAX`: never). Set before any task runs.
    pub fn dispatched(&self, origin_ns: u64, stop_ns: u64) {
        self.origin_ns.store(origin_ns, Ordering::Relaxed);
        self.stop_ns.store(stop_ns, Ordering::Relaxed);
    }

    /// When dispatch started (0 if it never did).
    pub fn origin_ns(&self) -> u64 {
        self.origin_ns.load(Ordering::Relaxed)
    }

    /// Whether a task must stop before its next round: the run has a stop
    /// and `now_ns` (read only when it has) is past it.
    pub fn past_stop(&self, now_ns: impl FnOnce() -> u64) -> bool {
        let stop = self.stop_ns.load(Ordering::Relaxed);
        stop != u64::MAX && now_ns() >= stop
    }

    /// How many tasks there are.
    pub fn tasks(&self) -> usize {
        self.ends.len()
    }

    /// The wait slots of `task`.
    fn waits_of(&self, task: usize) -> Range<usize> {
        match self.groups.iter().find(|g| task < g.tasks_end) {
            Some(g) => {
                let from = g.first_wait + (task - g.first_task) * g.rounds;
                from..from + g.rounds
            }
            None => 0..0,
        }
    }

    /// The recorder task `task` writes with.
    pub fn task(&self, task: usize) -> TaskRecord<'_> {
        let waits = self.waits_of(task);
        TaskRecord {
            records: self,
            task: task as u32,
            first: waits.start,
            next: waits.start,
            end: waits.end,
        }
    }

    /// The recorder of `task` positioned at round `round`: its next wait
    /// goes into that round's slot. For task bodies that keep no recorder
    /// across their waits (a million async tasks in memory at once).
    pub fn task_at(&self, task: usize, round: usize) -> TaskRecord<'_> {
        let mut record = self.task(task);
        record.next = (record.first + round).min(record.end);
        record
    }

    /// When `task` ended (0 if it never did).
    pub fn end_ns(&self, task: usize) -> u64 {
        self.ends.get(task).map_or(0, |e| e.load(Ordering::Relaxed))
    }

    /// The latest end of any task.
    pub fn last_end_ns(&self) -> Option<u64> {
        self.ends.iter().map(|e| e.load(Ordering::Relaxed)).max()
    }

    /// Wait slot `index`, if it holds a wait.
    fn wait(&self, index: usize) -> Option<WaitLog> {
        let overshoot_ns = self.overshoots.get(index)?.load(Ordering::Relaxed);
        if overshoot_ns == NO_WAIT {
            return None;
        }
        let wake_ns = match &self.wakes {
            Some(w) => w.get(index).map_or(0, |w| w.load(Ordering::Relaxed)),
            None => overshoot_ns,
        };
        Some(WaitLog {
            overshoot_ns,
            wake_ns,
        })
    }

    /// The IO waits `task` did, in order.
    pub fn waits(&self, task: usize) -> impl Iterator<Item = WaitLog> + '_ {
        self.waits_of(task).filter_map(|i| self.wait(i))
    }

    /// Every IO wait of every task.
    pub fn all_waits(&self) -> impl Iterator<Item = WaitLog> + '_ {
        (0..self.overshoots.len()).filter_map(|i| self.wait(i))
    }

    /// Every span recorded, task by task (none without a timeline).
    pub fn spans(&self) -> Vec<Span> {
        self.spans
            .iter()
            .flat_map(|all| all.iter())
            .flat_map(|s| s.lock().unwrap_or_else(|e| e.into_inner()).clone())
            .collect()
    }

    /// The spans of `task`.
    pub fn spans_of(&self, task: usize) -> Vec<Span> {
        self.spans
            .as_ref()
            .and_then(|all| all.get(task))
            .map(|s| s.lock().unwrap_or_else(|e| e.into_inner()).clone())
            .unwrap_or_default()
    }
}

/// What one task writes its record with: its own slots of the run's
/// [`Records`]. Waits go into the task's slots in the order they happen.
#[derive(Debug)]
pub struct TaskRecord<'a> {
    records: &'a Records,
    task: u32,
    first: usize,
    next: usize,
    end: usize,
}

impl TaskRecord<'_> {
    /// Whether the task must stop now, before its next round (reads the
    /// clock only when the run has a stop).
    pub fn must_stop(&self) -> bool {
        self.records.past_stop(measure::now_ns)
    }

    /// Whether the task must stop, its last wait having ended at `end_ns`.
    pub fn stops_after(&self, end_ns: u64) -> bool {
        self.records.past_stop(|| end_ns)
    }

    /// The task ended at `end_ns`.
    pub fn ended(&self, end_ns: u64) {
        if let Some(e) = self.records.ends.get(self.task as usize) {
            e.store(end_ns, Ordering::Relaxed);
        }
    }

    /// Records an IO wait that began at `start_ns`, was due at
    /// `deadline_ns`, completed at `completed_ns` and ended (the task
    /// running again) at `end_ns`.
    pub fn io(&mut self, start_ns: u64, deadline_ns: u64, completed_ns: u64, end_ns: u64) {
        self.wait(WaitLog {
            overshoot_ns: end_ns.saturating_sub(deadline_ns),
            wake_ns: end_ns.saturating_sub(completed_ns),
        });
        self.span(SpanKind::Io, start_ns, end_ns);
    }

    /// Records an IO wait measured elsewhere (a pool worker, Python).
    pub fn wait(&mut self, wait: WaitLog) {
        if self.next >= self.end {
            return;
        }
        let overshoot = wait.overshoot_ns.min(NO_WAIT - 1);
        self.records.overshoots[self.next].store(overshoot, Ordering::Relaxed);
        if let Some(wakes) = &self.records.wakes {
            wakes[self.next].store(wait.wake_ns, Ordering::Relaxed);
        } else {
            debug_assert_eq!(wait.wake_ns, wait.overshoot_ns, "a model's own timer");
        }
        self.next += 1;
    }

    /// The task ran again only `extra_ns` after its last IO wait ended
    /// (it waited for a lock first): its wake-up delay includes that.
    pub fn woke_later(&mut self, extra_ns: u64) {
        if self.next > self.first
            && let Some(wakes) = &self.records.wakes
        {
            let _ = wakes[self.next - 1].fetch_update(Ordering::Relaxed, Ordering::Relaxed, |w| {
                Some(w.saturating_add(extra_ns))
            });
        }
    }

    /// Records a span of the task's timeline, if the run keeps one.
    pub fn span(&mut self, kind: SpanKind, start_ns: u64, end_ns: u64) {
        self.push_span(Span {
            task: self.task,
            kind,
            start_ns,
            end_ns,
            thread: THREAD_ID.with(|id| *id),
        });
    }

    /// Records a span measured elsewhere, on its own thread.
    pub fn push_span(&mut self, span: Span) {
        if let Some(spans) = &self.records.spans
            && let Some(mine) = spans.get(self.task as usize)
        {
            mine.lock().unwrap_or_else(|e| e.into_inner()).push(Span {
                task: self.task,
                ..span
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::job::test_job as job;

    #[test]
    fn tasks_write_their_own_slots_and_skipped_rounds_leave_none() {
        let job = job("threads", "tcp", false);
        let records = Records::new(&job);
        assert_eq!(records.tasks(), 5);
        assert!(records.spans.is_none());
        let mut t1 = records.task(1);
        t1.io(0, 100, 90, 130);
        t1.woke_later(5);
        t1.ended(1_000);
        let mut t3 = records.task(3);
        t3.io(0, 100, 100, 120);
        t3.io(0, 100, 100, 120); // past its one round: dropped
        t3.ended(2_000);
        let w1: Vec<WaitLog> = records.waits(1).collect();
        assert_eq!(
            w1,
            [WaitLog {
                overshoot_ns: 30,
                wake_ns: 45
            }]
        );
        assert_eq!(records.waits(0).count(), 0);
        assert_eq!(records.waits(3).count(), 1);
        assert_eq!(records.waits(4).count(), 0);
        assert_eq!(records.all_waits().count(), 2);
        assert_eq!(records.end_ns(3), 2_000);
        assert_eq!(records.last_end_ns(), Some(2_000));
        assert_eq!(records.end_ns(99), 0);
    }

    #[test]
    fn own_timers_keep_one_number_per_wait_and_spans_only_for_timelines() {
        let plain = Records::new(&job("async", "sleep", false));
        assert!(plain.wakes.is_none());
        assert!(plain.spans.is_none());
        let mut t = plain.task(0);
        t.io(10, 20, 20, 27);
        t.span(SpanKind::Cpu, 27, 40);
        assert_eq!(
            plain.waits(0).next(),
            Some(WaitLog {
                overshoot_ns: 7,
                wake_ns: 7
            })
        );
        assert!(plain.spans().is_empty());
        let traced = Records::new(&job("async", "sleep", true));
        let mut t = traced.task(4);
        t.io(10, 20, 20, 27);
        t.span(SpanKind::Cpu, 27, 40);
        let spans = traced.spans();
        assert_eq!(spans.len(), 2);
        assert!(spans.iter().all(|s| s.task == 4));
        assert_eq!(traced.spans_of(4).len(), 2);
        for kind in ["gil-threads", "python-threads"] {
            assert!(Records::new(&job(kind, "sleep", false)).wakes.is_some());
        }
    }
}
