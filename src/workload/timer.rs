//! A high-resolution timer for tokio. Tokio's own timer wheel has 1 ms
//! granularity and rounds sleeps up by about a millisecond, too coarse for
//! IO waits that must be precise to tens of microseconds. Here every
//! pending sleep goes into one heap, and a single timerfd, registered with
//! the event loop like any other file descriptor, is armed to the earliest
//! deadline. When it fires, the event loop wakes the driver task, which
//! wakes every sleeper whose deadline has passed. One file descriptor
//! serves any number of sleeping tasks. Like blocking waits (see
//! [`super::sleep`]), the timer first fires [`EARLY_WAKE`](super::sleep::EARLY_WAKE) before the earliest
//! deadline and then at the deadline itself, so the event loop's thread is
//! woken from a short idle period, which is fast on a virtual machine.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use tokio::io::Interest;
use tokio::io::unix::AsyncFd;

use super::sleep::wake_target;
use super::timerfd::TimerFd;
use crate::measure::now_ns;

/// A sleeper waiting in the heap.
struct Entry {
    fired: AtomicBool,
    waker: Mutex<Option<Waker>>,
}

struct Pending {
    deadline: u64,
    seq: u64,
    entry: Arc<Entry>,
}

impl PartialEq for Pending {
    fn eq(&self, other: &Self) -> bool {
        (self.deadline, self.seq) == (other.deadline, other.seq)
    }
}
impl Eq for Pending {}
impl PartialOrd for Pending {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Pending {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.deadline, self.seq).cmp(&(other.deadline, other.seq))
    }
}

#[derive(Default)]
struct State {
    heap: BinaryHeap<Reverse<Pending>>,
    /// When the timerfd is armed to fire, if it is.
    armed: Option<u64>,
    next_seq: u64,
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
        let fd = TimerFd::new()?;
        // SAFETY: the TimerFd owns its descriptor, which stays open and the
        // same for as long as the AsyncFd owns it.
        let fd = unsafe { AsyncFd::register_with_interest(fd, Interest::READABLE) }?;
        Ok(PreciseTimer {
            shared: Arc::new(Shared {
                fd,
                state: Mutex::new(State::default()),
            }),
        })
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the heap inconsistent
        // (every update is a single push or pop), so a poisoned lock is safe
        // to keep using.
        self.shared.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sleeps until the monotonic clock reaches `deadline_ns`.
    pub fn sleep_until(&self, deadline_ns: u64) -> Sleep {
        Sleep {
            timer: self.clone(),
            deadline: deadline_ns,
            entry: None,
        }
    }

    /// Arms the timerfd for `deadline`, or disarms it with 0.
    fn arm(&self, deadline: u64) {
        self.shared.fd.get_ref().arm(deadline);
    }

    /// Wakes every sleeper whose deadline has passed and re-arms the timer
    /// for the earliest one left.
    fn fire_expired(&self) {
        let mut state = self.state();
        let now = now_ns();
        while let Some(Reverse(next)) = state.heap.peek() {
            if next.deadline > now {
                break;
            }
            if let Some(Reverse(p)) = state.heap.pop() {
                p.entry.fired.store(true, Ordering::Release);
                let waker = p
                    .entry
                    .waker
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .take();
                if let Some(w) = waker {
                    w.wake();
                }
            }
        }
        let next = state
            .heap
            .peek()
            .map(|Reverse(p)| wake_target(p.deadline, now_ns()));
        if next != state.armed {
            state.armed = next;
            self.arm(next.unwrap_or(0));
        }
    }

    /// Runs forever, turning timerfd expirations into task wake-ups. Spawn
    /// it on the runtime the sleepers run on, and abort it when done.
    pub async fn drive(self) -> io::Result<()> {
        loop {
            let mut guard = self.shared.fd.readable().await?;
            // Consume the expiration count. When there is none the read
            // fails with WouldBlock and try_io clears the readiness.
            let _ = guard.try_io(|fd| match fd.get_ref().expired() {
                Ok(true) => Ok(()),
                Ok(false) => Err(io::ErrorKind::WouldBlock.into()),
                Err(e) => Err(e),
            });
            self.fire_expired();
        }
    }
}

/// The future returned by [`PreciseTimer::sleep_until`].
pub struct Sleep {
    timer: PreciseTimer,
    deadline: u64,
    entry: Option<Arc<Entry>>,
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        if let Some(entry) = &this.entry
            && entry.fired.load(Ordering::Acquire)
        {
            return Poll::Ready(());
        }
        if now_ns() >= this.deadline {
            return Poll::Ready(());
        }
        match &this.entry {
            Some(entry) => {
                *entry.waker.lock().unwrap_or_else(|e| e.into_inner()) = Some(cx.waker().clone());
                // The driver may have fired between the check and the store.
                if entry.fired.load(Ordering::Acquire) {
                    return Poll::Ready(());
                }
            }
            None => {
                let entry = Arc::new(Entry {
                    fired: AtomicBool::new(false),
                    waker: Mutex::new(Some(cx.waker().clone())),
                });
                let mut state = this.timer.state();
                let seq = state.next_seq;
                state.next_seq += 1;
                state.heap.push(Reverse(Pending {
                    deadline: this.deadline,
                    seq,
                    entry: entry.clone(),
                }));
                let target = wake_target(this.deadline, now_ns()).max(1);
                if state.armed.is_none_or(|armed| target < armed) {
                    state.armed = Some(target);
                    this.timer.arm(target);
                }
                this.entry = Some(entry);
            }
        }
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_sleepers_wake_in_deadline_order_after_their_deadlines() {
        let rt = match tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .build()
        {
            Ok(rt) => rt,
            Err(e) => panic!("runtime: {e}"),
        };
        let woke = rt.block_on(async {
            let timer = match PreciseTimer::new() {
                Ok(t) => t,
                Err(e) => panic!("timerfd: {e}"),
            };
            let driver = tokio::spawn(timer.clone().drive());
            let start = now_ns();
            let mut handles = Vec::new();
            for i in (0..50u64).rev() {
                let t = timer.clone();
                let deadline = start + 1_000_000 + i * 100_000;
                handles.push(tokio::spawn(async move {
                    t.sleep_until(deadline).await;
                    (deadline, now_ns())
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
        });
        assert_eq!(woke.len(), 50);
        // Woken in deadline order, whatever the lateness: taken by
        // deadline, the wake-up times never go back.
        let mut by_deadline = woke.clone();
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
        for (deadline, at) in woke {
            assert!(at >= deadline, "woke {} ns early", deadline - at);
            assert!(at - deadline < 500_000_000);
        }
    }
}
