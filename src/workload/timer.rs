//! A high-resolution timer for tokio. Tokio's own timer wheel has 1 ms
//! granularity and rounds sleeps up by about a millisecond, too coarse for
//! IO waits that must be precise to tens of microseconds. Here every
//! pending sleep is queued in one place, and a single timerfd, registered
//! with the event loop like any other file descriptor, is armed to the
//! earliest deadline. When it fires, the event loop wakes the driver task,
//! which wakes every sleeper whose deadline has passed. One file
//! descriptor serves any number of sleeping tasks. Like blocking waits
//! (see [`super::sleep`]), the timer first fires
//! [`EARLY_WAKE`](super::sleep::EARLY_WAKE) before the earliest deadline
//! and then at the deadline itself, so the event loop's thread is woken
//! from a short idle period, which is fast on a virtual machine.
//!
//! What a sleep costs matters when a million tasks sleep at once, so the
//! queue is built for that: a pending sleep is its deadline and its task's
//! waker (24 bytes), in a deque reserved up front, so sleeping allocates
//! nothing. Deadlines that arrive in order (each task waits the same
//! latency from "now", the common case) go to the back of the deque and
//! leave from its front, O(1) and in memory order; only deadlines earlier
//! than the last one queued go to a binary heap (whose pops, on a million
//! entries, are a cache miss per level). A sleeper is woken only once its
//! deadline has passed, so it needs no "fired" flag and no slot of its
//! own: polled again, it reads the clock. Wakers are taken out under the
//! lock in batches and woken after it is released, so that other threads
//! registering sleeps are not held up by the wake-ups.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use tokio::io::Interest;
use tokio::io::unix::AsyncFd;

use super::sleep::wake_target;
use super::timerfd::TimerFd;
use crate::measure::now_ns;

/// A pending sleep: when it is due, and whom to wake then.
#[derive(Debug)]
struct Due {
    deadline: u64,
    waker: Waker,
}

impl PartialEq for Due {
    fn eq(&self, other: &Self) -> bool {
        self.deadline == other.deadline
    }
}
impl Eq for Due {}
impl PartialOrd for Due {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Due {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.deadline.cmp(&other.deadline)
    }
}

/// How many wakers the driver takes out under the lock at a time.
const BATCH: usize = 64;

#[derive(Debug, Default)]
struct State {
    /// Sleeps whose deadlines came in order: non-decreasing from the front.
    in_order: VecDeque<Due>,
    /// Sleeps that came due earlier than the back of `in_order`.
    others: BinaryHeap<Reverse<Due>>,
    /// When the timerfd is armed to fire, if it is.
    armed: Option<u64>,
}

impl State {
    fn queue(&mut self, due: Due) {
        match self.in_order.back() {
            Some(last) if due.deadline < last.deadline => self.others.push(Reverse(due)),
            _ => self.in_order.push_back(due),
        }
    }

    /// The earliest deadline queued.
    fn earliest(&self) -> Option<u64> {
        let a = self.in_order.front().map(|d| d.deadline);
        let b = self.others.peek().map(|Reverse(d)| d.deadline);
        match (a, b) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Takes the earliest sleep out if it is due by `now`.
    fn pop_due(&mut self, now: u64) -> Option<Due> {
        let a = self.in_order.front().map(|d| d.deadline);
        let b = self.others.peek().map(|Reverse(d)| d.deadline);
        match (a, b) {
            (Some(a), b) if a <= now && b.is_none_or(|b| a <= b) => self.in_order.pop_front(),
            (_, Some(b)) if b <= now => self.others.pop().map(|Reverse(d)| d),
            _ => None,
        }
    }
}

struct Shared {
    fd: AsyncFd<TimerFd>,
    state: Mutex<State>,
}

/// A cloneable handle to the timer; create it inside a tokio runtime with
/// IO enabled and spawn [`PreciseTimer::drive`] on that runtime.
#[derive(Clone)]
pub struct PreciseTimer {
    shared: Arc<Shared>,
}

impl PreciseTimer {
    /// Creates the timerfd and registers it with the current runtime.
    pub fn new() -> io::Result<PreciseTimer> {
        PreciseTimer::with_capacity(0)
    }

    /// As [`PreciseTimer::new`], with room reserved for `sleepers` sleeps
    /// pending at once, so that sleeping never grows the queue.
    pub fn with_capacity(sleepers: usize) -> io::Result<PreciseTimer> {
        let fd = TimerFd::new()?;
        // SAFETY: the TimerFd owns its descriptor, which stays open and the
        // same for as long as the AsyncFd owns it.
        let fd = unsafe { AsyncFd::register_with_interest(fd, Interest::READABLE) }?;
        Ok(PreciseTimer {
            shared: Arc::new(Shared {
                fd,
                state: Mutex::new(State {
                    in_order: VecDeque::with_capacity(sleepers),
                    ..State::default()
                }),
            }),
        })
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the queue
        // inconsistent (every update is a single push or pop), so a
        // poisoned lock is safe to keep using.
        self.shared.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sleeps until the monotonic clock reaches `deadline_ns`.
    pub async fn sleep_until(&self, deadline_ns: u64) {
        Sleep {
            timer: self,
            deadline: deadline_ns,
            latency: 0,
        }
        .await;
    }

    /// Sleeps `latency_ns` from when it is first polled, reading the
    /// clock once then and once when it finds itself due (the moment its
    /// task runs again); ends with `(deadline, that moment)`.
    pub fn sleep_for(&self, latency_ns: u64) -> Sleep<'_> {
        Sleep {
            timer: self,
            deadline: 0,
            latency: latency_ns,
        }
    }

    /// Arms the timerfd for `deadline`, or disarms it with 0.
    fn arm(&self, deadline: u64) {
        self.shared.fd.get_ref().arm(deadline);
    }

    /// Wakes every sleeper whose deadline has passed, `BATCH` at a time
    /// (woken outside the lock, from `wakers`), and re-arms the timer for
    /// the earliest one left.
    fn fire_expired(&self, wakers: &mut Vec<Waker>) {
        loop {
            let full = {
                let mut state = self.state();
                let now = now_ns();
                while wakers.len() < BATCH {
                    let Some(due) = state.pop_due(now) else {
                        break;
                    };
                    wakers.push(due.waker);
                }
                let full = wakers.len() == BATCH;
                if !full {
                    let next = state.earliest().map(|d| wake_target(d, now_ns()));
                    if next != state.armed {
                        state.armed = next;
                        self.arm(next.unwrap_or(0));
                    }
                }
                full
            };
            for waker in wakers.drain(..) {
                waker.wake();
            }
            if !full {
                return;
            }
        }
    }

    /// Runs forever, turning timerfd expirations into task wake-ups. Spawn
    /// it on the runtime the sleepers run on, and abort it when done.
    pub async fn drive(self) -> io::Result<()> {
        let mut wakers = Vec::with_capacity(BATCH);
        loop {
            let mut guard = self.shared.fd.readable().await?;
            // Consume the expiration count. When there is none the read
            // fails with WouldBlock and try_io clears the readiness.
            let _ = guard.try_io(|fd| match fd.get_ref().expired() {
                Ok(true) => Ok(()),
                Ok(false) => Err(io::ErrorKind::WouldBlock.into()),
                Err(e) => Err(e),
            });
            self.fire_expired(&mut wakers);
        }
    }
}

/// The future returned by [`PreciseTimer::sleep_for`].
pub struct Sleep<'a> {
    timer: &'a PreciseTimer,
    /// When it is due; 0 until the first poll when `latency` is set.
    deadline: u64,
    /// For a sleep whose deadline is set by its first poll.
    latency: u64,
}

impl Future for Sleep<'_> {
    type Output = (u64, u64);

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<(u64, u64)> {
        let now = now_ns();
        if self.latency > 0 {
            self.deadline = now.saturating_add(std::mem::take(&mut self.latency));
        }
        if now >= self.deadline {
            return Poll::Ready((self.deadline, now));
        }
        // Not due yet: the first poll, or its task was woken by something
        // else. Queue its waker (again: an earlier entry only wakes the
        // task once more when it comes due, and polled then, this sleep
        // reads the clock like now).
        let mut state = self.timer.state();
        state.queue(Due {
            deadline: self.deadline,
            waker: cx.waker().clone(),
        });
        let target = wake_target(self.deadline, now).max(1);
        if state.armed.is_none_or(|armed| target < armed) {
            state.armed = Some(target);
            self.timer.arm(target);
        }
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn due(deadline: u64) -> Due {
        Due {
            deadline,
            waker: Waker::noop().clone(),
        }
    }

    #[test]
    fn the_queue_hands_out_due_sleeps_earliest_first_whatever_their_order() {
        let mut state = State::default();
        for d in [10, 20, 20, 30, 15, 5, 40, 25] {
            state.queue(due(d));
        }
        // In order so far: 10, 20, 20, 30, 40; the rest went to the heap.
        assert_eq!(state.in_order.len(), 5);
        assert_eq!(state.earliest(), Some(5));
        assert!(state.pop_due(4).is_none());
        let mut popped = Vec::new();
        while let Some(d) = state.pop_due(30) {
            popped.push(d.deadline);
        }
        assert_eq!(popped, [5, 10, 15, 20, 20, 25, 30]);
        assert_eq!(state.earliest(), Some(40));
        assert_eq!(state.pop_due(u64::MAX).map(|d| d.deadline), Some(40));
        assert_eq!(state.earliest(), None);
    }

    /// Runs a sleeper on a timer made by `timer`, on a runtime `builder`
    /// builds, for each index of `order` in turn: sleeper `i` sleeps until
    /// `deadline(start, i)`, where `start` is read once the timer's driver
    /// has been spawned. Returns each sleeper's deadline, when it was first
    /// polled (it sleeps only if that is before its deadline) and when it
    /// woke.
    fn wake_times(
        builder: &mut tokio::runtime::Builder,
        timer: fn() -> io::Result<PreciseTimer>,
        order: impl Iterator<Item = u64>,
        deadline: fn(u64, u64) -> u64,
    ) -> Vec<(u64, u64, u64)> {
        let rt = match builder.enable_io().build() {
            Ok(rt) => rt,
            Err(e) => panic!("runtime: {e}"),
        };
        rt.block_on(async {
            let timer = match timer() {
                Ok(t) => t,
                Err(e) => panic!("timerfd: {e}"),
            };
            let driver = tokio::spawn(timer.clone().drive());
            let start = now_ns();
            let mut handles = Vec::new();
            for i in order {
                let t = timer.clone();
                handles.push(tokio::spawn(async move {
                    let deadline = deadline(start, i);
                    let polled = now_ns();
                    t.sleep_until(deadline).await;
                    (deadline, polled, now_ns())
                }));
            }
            let mut woke = Vec::new();
            for h in handles {
                if let Ok(pair) = h.await {
                    woke.push(pair);
                }
            }
            driver.abort();
            woke
        })
    }

    #[test]
    fn sleepers_on_several_threads_all_wake_after_their_deadlines() {
        let woke = wake_times(
            tokio::runtime::Builder::new_multi_thread().worker_threads(2),
            || PreciseTimer::with_capacity(400),
            0..400,
            // Same latency from "now" (in order) and shuffled ones.
            |_, i| {
                let latency = if i % 2 == 0 {
                    2_000_000
                } else {
                    (i * 7919) % 3_000_000
                };
                now_ns() + latency
            },
        );
        assert_eq!(woke.len(), 400);
        for (deadline, _, at) in woke {
            assert!(at >= deadline, "woke {} ns early", deadline - at);
        }
    }

    #[test]
    fn many_sleepers_wake_in_deadline_order_after_their_deadlines() {
        let woke = wake_times(
            &mut tokio::runtime::Builder::new_current_thread(),
            PreciseTimer::new,
            (0..50).rev(),
            |start, i| start + 1_000_000 + i * 100_000,
        );
        assert_eq!(woke.len(), 50);
        // Woken in deadline order, whatever the lateness: taken by
        // deadline, the wake-up times of those that slept never go back.
        // (On a busy machine the loop can first poll a sleeper after its
        // deadline, last spawned first: that one returns at once, unslept.)
        let mut by_deadline: Vec<(u64, u64)> = woke
            .iter()
            .filter(|&&(deadline, polled, _)| polled < deadline)
            .map(|&(deadline, _, at)| (deadline, at))
            .collect();
        if by_deadline.len() < 10 {
            crate::test_skip::skip(
                crate::test_skip::Reason::CoresBusy,
                &format!("only {} of 50 sleepers slept", by_deadline.len()),
            );
        }
        by_deadline.sort_unstable();
        for pair in by_deadline.windows(2) {
            assert!(
                pair[1].1 >= pair[0].1,
                "deadline {} woke at {}, before deadline {} at {}",
                pair[1].0,
                pair[1].1,
                pair[0].0,
                pair[0].1
            );
        }
        for (deadline, _, at) in woke {
            assert!(at >= deadline, "woke {} ns early", deadline - at);
            assert!(at - deadline < 500_000_000);
        }
    }
}
