//! The shared counter of a workload's groups (`shared` and `await_inside`
//! in experiment files): one counter per group, updated once a round by
//! each of the group's tasks after its IO wait, and how many of those
//! updates were lost by the end of the run.
//!
//! Each model's task body makes one call per round, [`Shared::round`] (or
//! [`Shared::round_async`], or [`Shared::round_in`] where the runtime has
//! its own way of blocking, like `gil-threads`' modelled GIL), with the
//! round's CPU work as the closure. What happens around it is decided
//! here, for every model alike:
//!
//! - `racy`: read the counter, do the work, write back what was read plus
//!   one. The read and the write are separate relaxed atomic operations, so
//!   an update another task makes in between is really lost, and no data
//!   race (undefined behaviour) is involved. With `await_inside` the task
//!   also lets the others run between the work and the write: a
//!   `tokio::task::yield_now()` on an event loop, `sched_yield` on a
//!   thread, and on `polling`'s own loop a return to the loop, which writes
//!   back later ([`Shared::round_open`]).
//! - `locked`: the same window under the runtime's own lock: a
//!   `std::sync::Mutex` on threads, a `tokio::sync::Mutex` on an event
//!   loop, a process-shared POSIX mutex for worker processes. A lock that
//!   is taken already is waited for, and the wait is recorded.
//! - `atomic`: the work, then one `fetch_add`.
//!
//! Why it lives apart from the models: the window's rules must be the same
//! in every model for their lost updates to be comparable, and only the
//! lock and the yield differ between runtimes.
//!
//! The `processes` model keeps its counters in pages shared with its
//! worker processes ([`Mapping`]): a `memfd` mapped `MAP_SHARED` by the
//! run's process, whose descriptor the workers inherit
//! ([`Shared::share_with`], [`Shared::from_parent`]).

use std::cell::UnsafeCell;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::process::Command;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError, TryLockError};

use serde::{Deserialize, Serialize};

use crate::config::{Runs, SharedMode};
use crate::matrix::{Cell, CellGroup};
use crate::measure::now_ns;

/// The environment variable that tells a pool worker which inherited
/// descriptor holds the run's counters.
pub const SHARED_FD_ENV: &str = "CONLAB_SHARED_FD";

/// What a run's counters came to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedOutcome {
    /// Updates the tasks made: tasks × rounds of every group with a counter.
    pub expected: u64,
    /// Updates missing from the counters at the end.
    pub lost: u64,
    /// Time tasks waited for a `locked` counter's lock, all together;
    /// `None` when no group's counter is locked.
    pub lock_wait_ns: Option<u64>,
}

impl SharedOutcome {
    /// The outcome of the counters of `groups` (a cell's) ending at
    /// `finals` (one per group, in group order) after waiting
    /// `lock_waits_ns` for their locks; `None` when no group has a counter.
    pub fn of(
        groups: &[CellGroup],
        finals: &[u64],
        lock_waits_ns: &[u64],
    ) -> Option<SharedOutcome> {
        let counting = || groups.iter().enumerate().filter(|(_, g)| g.shared.counts());
        counting().next()?;
        let mut outcome = SharedOutcome::default();
        for (i, g) in counting() {
            let expected = g.tasks.saturating_mul(u64::from(g.rounds));
            let final_value = finals.get(i).copied().unwrap_or(0);
            outcome.expected = outcome.expected.saturating_add(expected);
            outcome.lost = outcome
                .lost
                .saturating_add(expected.saturating_sub(final_value));
            if g.shared == SharedMode::Locked {
                let wait = lock_waits_ns.get(i).copied().unwrap_or(0);
                outcome.lock_wait_ns = Some(outcome.lock_wait_ns.unwrap_or(0).saturating_add(wait));
            }
        }
        Some(outcome)
    }
}

/// Why a cell's counters cannot be what its file asks for on this model,
/// if they cannot (the cell is then skipped with this reason).
pub fn unsupported(cell: &Cell) -> Option<String> {
    cell.groups.iter().find_map(|g| {
        let why = cell.kind.refusal(g.shared)?;
        Some(format!(
            "shared = \"{}\" is not supported by {}: {why}",
            g.shared, cell.kind
        ))
    })
}

/// Whether `cell`'s counters are counted by conlab's own worker processes,
/// and so must live in pages they share. A runner counts its own.
fn across_processes(cell: &Cell) -> bool {
    matches!(cell.kind.runs(), Runs::Own(_)) && cell.kind.processes_needed(cell.workers) > 0
}

/// One group's counter: what its tasks do and where its value lives.
#[repr(C)]
#[derive(Default)]
struct Slot {
    value: AtomicU64,
    /// Time tasks waited for the lock, in ns, all together.
    lock_wait_ns: AtomicU64,
}

/// One group's counter in pages shared between processes, with the lock
/// the processes share.
#[repr(C)]
struct SharedSlot {
    slot: Slot,
    mutex: UnsafeCell<libc::pthread_mutex_t>,
}

/// Counters in a `memfd` mapped `MAP_SHARED`: the run's process and its
/// pool workers see the same pages.
struct Mapping {
    base: NonNull<SharedSlot>,
    count: usize,
    bytes: usize,
    fd: OwnedFd,
}

// SAFETY: the mapping is only ever read and written through its slots'
// atomics and process-shared mutexes, which are made to be used from any
// thread (and process) at once; the pointer itself is never changed.
unsafe impl Send for Mapping {}
// SAFETY: as above.
unsafe impl Sync for Mapping {}

fn os_error(what: &str) -> io::Error {
    let e = io::Error::last_os_error();
    io::Error::new(e.kind(), format!("{what}: {e}"))
}

impl Mapping {
    fn bytes_for(count: usize) -> usize {
        count.max(1) * std::mem::size_of::<SharedSlot>()
    }

    /// New counters at zero, with their mutexes, for `count` groups.
    fn create(count: usize) -> io::Result<Mapping> {
        let bytes = Mapping::bytes_for(count);
        // SAFETY: the name is a NUL-terminated string; memfd_create only
        // reads it. The descriptor it returns is owned from here on.
        let fd = unsafe { libc::memfd_create(c"conlab-shared".as_ptr(), libc::MFD_CLOEXEC) };
        if fd < 0 {
            return Err(os_error("memfd_create"));
        }
        // SAFETY: `fd` is a descriptor this function just opened.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        // SAFETY: ftruncate on a descriptor this function owns; the new
        // bytes read as zero.
        if unsafe { libc::ftruncate(fd.as_raw_fd(), bytes as libc::off_t) } != 0 {
            return Err(os_error("ftruncate of the shared counters"));
        }
        let mapping = Mapping::map(fd, count, bytes)?;
        for i in 0..count {
            mapping.init_mutex(i)?;
        }
        Ok(mapping)
    }

    /// The counters a parent created, from the descriptor it passed.
    fn attach(fd: OwnedFd, count: usize) -> io::Result<Mapping> {
        let bytes = Mapping::bytes_for(count);
        // SAFETY: all-zero bytes are a valid `stat` for fstat to overwrite.
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        // SAFETY: fstat writes into `st`, which lives for the call.
        if unsafe { libc::fstat(fd.as_raw_fd(), &mut st) } != 0 {
            return Err(os_error("fstat of the shared counters"));
        }
        if (st.st_size as u64) < bytes as u64 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "the shared counters hold {} bytes, not the {bytes} of {count} counters",
                    st.st_size
                ),
            ));
        }
        Mapping::map(fd, count, bytes)
    }

    fn map(fd: OwnedFd, count: usize, bytes: usize) -> io::Result<Mapping> {
        // SAFETY: a fresh shared mapping of `bytes` of a file at least that
        // long; nothing else in this process refers to the memory yet.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                bytes,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED,
                fd.as_raw_fd(),
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            return Err(os_error("mmap of the shared counters"));
        }
        let base = NonNull::new(ptr.cast::<SharedSlot>())
            .ok_or_else(|| io::Error::other("mmap returned a null mapping"))?;
        Ok(Mapping {
            base,
            count,
            bytes,
            fd,
        })
    }

    fn slot(&self, i: usize) -> Option<&SharedSlot> {
        // SAFETY: `i` is below `count`, so the slot lies inside the
        // mapping, which is page-aligned (so is every slot) and lives as
        // long as `self`. All-zero bytes are a valid `SharedSlot` (atomics
        // at zero; the mutex is initialised by `create` before any use).
        (i < self.count).then(|| unsafe { &*self.base.as_ptr().add(i) })
    }

    /// Makes slot `i`'s mutex one that processes share, and that a process
    /// dying while holding it does not leave locked forever.
    fn init_mutex(&self, i: usize) -> io::Result<()> {
        let Some(slot) = self.slot(i) else {
            return Ok(());
        };
        // SAFETY: the attribute object is initialised before it is set up
        // and used, and destroyed after; the mutex lies in memory this
        // process maps and no one uses before `create` returns.
        unsafe {
            let mut attr: libc::pthread_mutexattr_t = std::mem::zeroed();
            if libc::pthread_mutexattr_init(&mut attr) != 0 {
                return Err(io::Error::other("pthread_mutexattr_init failed"));
            }
            let ok = libc::pthread_mutexattr_setpshared(&mut attr, libc::PTHREAD_PROCESS_SHARED)
                == 0
                && libc::pthread_mutexattr_setrobust(&mut attr, libc::PTHREAD_MUTEX_ROBUST) == 0
                && libc::pthread_mutex_init(slot.mutex.get(), &attr) == 0;
            libc::pthread_mutexattr_destroy(&mut attr);
            if !ok {
                return Err(io::Error::other(
                    "cannot make a mutex that processes share (pthread_mutex_init)",
                ));
            }
        }
        Ok(())
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: unmaps exactly what `map` mapped; no reference into it
        // outlives `self`.
        unsafe {
            libc::munmap(self.base.as_ptr().cast(), self.bytes);
        }
    }
}

/// A held process-shared mutex, unlocked when dropped.
struct ProcessGuard<'a>(&'a UnsafeCell<libc::pthread_mutex_t>);

impl Drop for ProcessGuard<'_> {
    fn drop(&mut self) {
        // SAFETY: this guard exists only while this thread holds the mutex.
        unsafe {
            libc::pthread_mutex_unlock(self.0.get());
        }
    }
}

/// Whether a pthread lock call's result means the lock is now held. A
/// holder that died leaves the counter as it was; the lock is made usable
/// again (the run fails anyway: its worker is gone).
fn held(mutex: &UnsafeCell<libc::pthread_mutex_t>, result: libc::c_int) -> bool {
    match result {
        0 => true,
        libc::EOWNERDEAD => {
            // SAFETY: this thread holds the mutex (EOWNERDEAD hands it over).
            unsafe { libc::pthread_mutex_consistent(mutex.get()) };
            true
        }
        _ => false,
    }
}

/// A held lock of either kind.
/// Each is held for its `Drop`, which unlocks.
enum Guard<'a> {
    Thread {
        _held: MutexGuard<'a, ()>,
    },
    Process {
        _held: ProcessGuard<'a>,
    },
    /// The lock could not be taken at all (a broken process-shared mutex):
    /// the window runs unlocked, and the lost updates will show it.
    None,
}

/// Where a run's counters live.
enum Memory {
    /// In this process: threads and tasks of one process share them.
    Private(Box<[Slot]>),
    /// In pages shared with the pool's worker processes.
    Mapped(Mapping),
}

/// A racy window left open while its task yields to the loop that runs
/// it (see [`Shared::round_open`]): the value read, to write back plus one.
#[must_use = "a window left open is an update that never happens"]
#[derive(Debug)]
pub struct Window {
    group: usize,
    read: u64,
}

/// One group's settings.
#[derive(Clone, Copy, Debug, Default)]
struct Counter {
    mode: SharedMode,
    await_inside: bool,
}

/// Every group's counter of one run.
pub struct Shared {
    counters: Box<[Counter]>,
    memory: Memory,
    /// The lock of each group for threads of this process.
    locks: Box<[Mutex<()>]>,
    /// The lock of each group for tasks of an event loop.
    async_locks: Box<[tokio::sync::Mutex<()>]>,
}

impl Default for Shared {
    /// No counters: every round is its work alone.
    fn default() -> Shared {
        Shared {
            counters: Box::new([]),
            memory: Memory::Private(Box::new([])),
            locks: Box::new([]),
            async_locks: Box::new([]),
        }
    }
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mapped = matches!(self.memory, Memory::Mapped(_));
        f.debug_struct("Shared")
            .field("counters", &self.counters)
            .field("mapped", &mapped)
            .finish()
    }
}

/// How a runtime lets other tasks run inside a counter's window, and how
/// it blocks on a lock that is taken: [`Threads`] for plain threads; the
/// modelled GIL gives itself up around both. `C` is what the runtime needs
/// to do so (for the GIL: the task's log, to record its waits).
pub trait GiveWay<C> {
    /// Lets the others run (`await_inside`).
    fn yield_now(&self, context: &mut C);
    /// Runs `wait`, which blocks the thread on a lock, as the runtime runs
    /// a blocking call.
    fn block<T>(&self, context: &mut C, wait: impl FnOnce() -> T) -> T;
}

/// Plain OS threads: `sched_yield`, and blocking as it is.
pub struct Threads;

impl<C> GiveWay<C> for Threads {
    fn yield_now(&self, _: &mut C) {
        // sched_yield(2) on Linux.
        std::thread::yield_now();
    }

    fn block<T>(&self, _: &mut C, wait: impl FnOnce() -> T) -> T {
        wait()
    }
}

impl Shared {
    /// The counters of `cell`'s groups, at zero: in this process, or for a
    /// model of worker processes in pages its workers will share.
    pub fn for_cell(cell: &Cell) -> io::Result<Shared> {
        Shared::for_groups(&cell.groups, across_processes(cell))
    }

    /// The counters of `groups`, at zero: in pages shared with worker
    /// processes if `across_processes`, else in this process.
    pub fn for_groups(groups: &[CellGroup], across_processes: bool) -> io::Result<Shared> {
        let mut shared = Shared::private(groups);
        if across_processes && shared.counts() {
            shared.memory = Memory::Mapped(Mapping::create(shared.counters.len())?);
        }
        Ok(shared)
    }

    /// The counters in this process, at zero.
    fn private(groups: &[CellGroup]) -> Shared {
        let counters: Box<[Counter]> = groups
            .iter()
            .map(|g| Counter {
                mode: g.shared,
                await_inside: g.await_inside,
            })
            .collect();
        let n = counters.len();
        Shared {
            memory: Memory::Private((0..n).map(|_| Slot::default()).collect()),
            locks: (0..n).map(|_| Mutex::new(())).collect(),
            async_locks: (0..n).map(|_| tokio::sync::Mutex::new(())).collect(),
            counters,
        }
    }

    /// Whether any group has a counter.
    pub fn counts(&self) -> bool {
        self.counters.iter().any(|c| c.mode.counts())
    }

    /// Lets the pool worker `command` will start use these counters: it
    /// inherits their descriptor, named in [`SHARED_FD_ENV`]. Nothing to do
    /// for counters in this process only.
    pub fn share_with(&self, command: &mut Command) {
        use std::os::unix::process::CommandExt;
        let Memory::Mapped(mapping) = &self.memory else {
            return;
        };
        let fd: RawFd = mapping.fd.as_raw_fd();
        command.env(SHARED_FD_ENV, fd.to_string());
        // SAFETY: the hook runs in the child between fork and exec and only
        // calls fcntl, which is async-signal-safe and does not allocate.
        unsafe {
            command.pre_exec(move || {
                // Kept open across exec, in this child only.
                if libc::fcntl(fd, libc::F_SETFD, 0) != 0 {
                    return Err(io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }

    /// In a pool worker: the counters of `groups` (its run's) that the
    /// run that started it keeps, from the descriptor it inherited.
    pub fn from_parent(groups: &[CellGroup]) -> io::Result<Shared> {
        let mut shared = Shared::private(groups);
        if !shared.counts() {
            return Ok(shared);
        }
        let fd: RawFd = std::env::var(SHARED_FD_ENV)
            .ok()
            .and_then(|v| v.parse().ok())
            .filter(|fd| *fd > 2)
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::NotFound,
                    format!("the run's shared counters were not passed ({SHARED_FD_ENV})"),
                )
            })?;
        // SAFETY: the run's process passed this descriptor, open, for this
        // worker alone; nothing else in this process uses it.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        shared.memory = Memory::Mapped(Mapping::attach(fd, shared.counters.len())?);
        Ok(shared)
    }

    fn slot(&self, group: usize) -> Option<&Slot> {
        match &self.memory {
            Memory::Private(slots) => slots.get(group),
            Memory::Mapped(mapping) => mapping.slot(group).map(|s| &s.slot),
        }
    }

    /// Group `group`'s counter, if it has one.
    fn counter(&self, group: usize) -> Option<(Counter, &Slot)> {
        let counter = self.counters.get(group).filter(|c| c.mode.counts())?;
        Some((*counter, self.slot(group)?))
    }

    /// What the counters of `groups` (the ones they were made for) came to.
    pub fn outcome(&self, groups: &[CellGroup]) -> Option<SharedOutcome> {
        let n = self.counters.len();
        let read = |f: fn(&Slot) -> &AtomicU64| -> Vec<u64> {
            (0..n)
                .map(|i| self.slot(i).map_or(0, |s| f(s).load(Ordering::SeqCst)))
                .collect()
        };
        SharedOutcome::of(groups, &read(|s| &s.value), &read(|s| &s.lock_wait_ns))
    }

    /// Whether a round of `group` on an event loop must await: it may wait
    /// for the counter's lock, or yields inside its window. Any other round
    /// is the same in [`Shared::round`] as in [`Shared::round_async`].
    pub fn awaits(&self, group: usize) -> bool {
        self.counter(group).is_some_and(|(c, _)| {
            c.mode == SharedMode::Locked || (c.mode == SharedMode::Racy && c.await_inside)
        })
    }

    /// One round's update of `group`'s counter around `work`, the round's
    /// CPU work, on a plain thread.
    pub fn round<T>(&self, group: usize, work: impl FnOnce() -> T) -> T {
        self.round_in(group, &mut (), &Threads, |_| work())
    }

    /// [`Shared::round`] on a runtime that gives way as `way` says, with
    /// `context` handed to `way` and to `work`.
    pub fn round_in<C, T>(
        &self,
        group: usize,
        context: &mut C,
        way: &impl GiveWay<C>,
        work: impl FnOnce(&mut C) -> T,
    ) -> T {
        let Some((counter, slot)) = self.counter(group) else {
            return work(context);
        };
        match counter.mode {
            SharedMode::None => work(context),
            SharedMode::Racy => {
                let read = slot.value.load(Ordering::Relaxed);
                let out = work(context);
                if counter.await_inside {
                    way.yield_now(context);
                }
                slot.value.store(read.wrapping_add(1), Ordering::Relaxed);
                out
            }
            SharedMode::Locked => {
                let guard = self.lock(group, slot, context, way);
                let read = slot.value.load(Ordering::Relaxed);
                let out = work(context);
                if counter.await_inside {
                    way.yield_now(context);
                }
                slot.value.store(read.wrapping_add(1), Ordering::Relaxed);
                drop(guard);
                out
            }
            SharedMode::Atomic => {
                let out = work(context);
                slot.value.fetch_add(1, Ordering::Relaxed);
                out
            }
        }
    }

    /// Takes `group`'s lock, recording the wait if it was taken already.
    fn lock<C>(
        &self,
        group: usize,
        slot: &Slot,
        context: &mut C,
        way: &impl GiveWay<C>,
    ) -> Guard<'_> {
        let waited = |ns: u64| slot.lock_wait_ns.fetch_add(ns, Ordering::Relaxed);
        match &self.memory {
            Memory::Mapped(mapping) => {
                let Some(mutex) = mapping.slot(group).map(|s| &s.mutex) else {
                    return Guard::None;
                };
                // SAFETY: the mutex was initialised by the run's process
                // before any worker started; trylock only tries.
                if held(mutex, unsafe { libc::pthread_mutex_trylock(mutex.get()) }) {
                    return Guard::Process {
                        _held: ProcessGuard(mutex),
                    };
                }
                let (ok, ns) = way.block(context, || {
                    let start = now_ns();
                    // SAFETY: as above; blocks until this thread holds it.
                    let ok = held(mutex, unsafe { libc::pthread_mutex_lock(mutex.get()) });
                    (ok, now_ns().saturating_sub(start))
                });
                waited(ns);
                if ok {
                    Guard::Process {
                        _held: ProcessGuard(mutex),
                    }
                } else {
                    Guard::None
                }
            }
            Memory::Private(_) => {
                let Some(mutex) = self.locks.get(group) else {
                    return Guard::None;
                };
                // A poisoned lock (a task panicked holding it) still holds
                // nothing but `()`; the run fails on that panic anyway.
                match mutex.try_lock() {
                    Ok(guard) => Guard::Thread { _held: guard },
                    Err(TryLockError::Poisoned(p)) => Guard::Thread {
                        _held: p.into_inner(),
                    },
                    Err(TryLockError::WouldBlock) => {
                        let (guard, ns) = way.block(context, || {
                            let start = now_ns();
                            let guard = mutex.lock().unwrap_or_else(PoisonError::into_inner);
                            (guard, now_ns().saturating_sub(start))
                        });
                        waited(ns);
                        Guard::Thread { _held: guard }
                    }
                }
            }
        }
    }

    /// [`Shared::round`] for a loop of one thread that a task yields to by
    /// going back to it (`polling`): with `racy` and `await_inside`, reads
    /// the counter and does `work`, and leaves the write to
    /// [`Shared::close`], which the loop calls once the other tasks it had
    /// ready have run. Any other round is whole, as in [`Shared::round`]:
    /// a `locked` window stays closed (one thread that held its lock across
    /// a yield would block for good on the next task's lock, so its yield
    /// is a `sched_yield` inside the lock, which lets no task in).
    pub fn round_open<T>(&self, group: usize, work: impl FnOnce() -> T) -> (T, Option<Window>) {
        match self.counter(group) {
            Some((counter, slot)) if counter.mode == SharedMode::Racy && counter.await_inside => {
                let read = slot.value.load(Ordering::Relaxed);
                (work(), Some(Window { group, read }))
            }
            _ => (self.round(group, work), None),
        }
    }

    /// Writes back what `window` read plus one: the end of a racy window
    /// opened by [`Shared::round_open`].
    pub fn close(&self, window: Window) {
        if let Some(slot) = self.slot(window.group) {
            slot.value
                .store(window.read.wrapping_add(1), Ordering::Relaxed);
        }
    }

    /// [`Shared::round`] on an event loop: the lock is the runtime's async
    /// mutex, and `await_inside` yields to the loop.
    pub async fn round_async<T>(&self, group: usize, work: impl FnOnce() -> T) -> T {
        let Some((counter, slot)) = self.counter(group) else {
            return work();
        };
        match counter.mode {
            SharedMode::None => work(),
            SharedMode::Racy => {
                let read = slot.value.load(Ordering::Relaxed);
                let out = work();
                if counter.await_inside {
                    tokio::task::yield_now().await;
                }
                slot.value.store(read.wrapping_add(1), Ordering::Relaxed);
                out
            }
            SharedMode::Locked => {
                let Some(lock) = self.async_locks.get(group) else {
                    return work();
                };
                let guard = match lock.try_lock() {
                    Ok(guard) => guard,
                    Err(_) => {
                        let start = now_ns();
                        let guard = lock.lock().await;
                        slot.lock_wait_ns
                            .fetch_add(now_ns().saturating_sub(start), Ordering::Relaxed);
                        guard
                    }
                };
                let read = slot.value.load(Ordering::Relaxed);
                let out = work();
                if counter.await_inside {
                    tokio::task::yield_now().await;
                }
                slot.value.store(read.wrapping_add(1), Ordering::Relaxed);
                drop(guard);
                out
            }
            SharedMode::Atomic => {
                let out = work();
                slot.value.fetch_add(1, Ordering::Relaxed);
                out
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{self, IoLatency, Nanos};
    use crate::matrix;

    /// One group of `tasks` tasks × `rounds` rounds with a counter
    /// `shared`, as a cell holds it.
    fn group(shared: &str, await_inside: bool, tasks: u64, rounds: u32) -> Vec<CellGroup> {
        vec![CellGroup {
            name: "w".into(),
            tasks,
            io_latency: IoLatency::Fixed { value: Nanos(0) },
            cpu_cost: Nanos(0),
            rounds,
            shared: SharedMode::from_name(shared).unwrap_or_default(),
            await_inside,
            arrival: None,
        }]
    }

    /// The counters of [`group`] in this process.
    fn counters(groups: &[CellGroup]) -> Shared {
        Shared::for_groups(groups, false).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Every task's rounds on its own thread, each round's work a sleep
    /// of `work_us`: windows of different threads overlap.
    fn threads(shared: &Shared, tasks: usize, rounds: usize, work_us: u64) {
        std::thread::scope(|s| {
            for _ in 0..tasks {
                s.spawn(|| {
                    for _ in 0..rounds {
                        shared.round(0, || {
                            std::thread::sleep(std::time::Duration::from_micros(work_us))
                        });
                    }
                });
            }
        });
    }

    #[test]
    fn one_thread_loses_nothing_in_any_mode() {
        for mode in ["racy", "locked", "atomic"] {
            let groups = group(mode, false, 3, 4);
            let shared = counters(&groups);
            for _ in 0..12 {
                assert_eq!(shared.round(0, || 7), 7, "the work's result comes back");
            }
            let outcome = shared.outcome(&groups);
            let waited = (mode == "locked").then_some(0);
            assert_eq!(
                outcome,
                Some(SharedOutcome {
                    expected: 12,
                    lost: 0,
                    lock_wait_ns: waited
                }),
                "{mode}"
            );
        }
        let none = group("none", false, 3, 4);
        let shared = counters(&none);
        assert!(!shared.counts());
        assert_eq!(shared.outcome(&none), None);
    }

    /// A racy window that spans a sleep overlaps another thread's almost
    /// every time: 2 threads × 20 rounds lose far more than one update.
    #[test]
    fn racy_threads_lose_updates_and_locked_ones_wait_instead() {
        let racy = group("racy", false, 2, 20);
        let shared = counters(&racy);
        threads(&shared, 2, 20, 1_000);
        let lost = shared.outcome(&racy).map_or(0, |o| o.lost);
        assert!(lost >= 1, "lost {lost} of 40");
        let locked = group("locked", false, 2, 20);
        let shared = counters(&locked);
        threads(&shared, 2, 20, 1_000);
        let outcome = shared.outcome(&locked).unwrap_or_default();
        assert_eq!(outcome.lost, 0);
        assert!(outcome.lock_wait_ns.unwrap_or(0) > 0, "{outcome:?}");
    }

    #[test]
    fn processes_share_their_counters_and_lock_through_a_mapping() {
        let groups = group("locked", false, 2, 10);
        let parent = Shared::for_groups(&groups, true).unwrap_or_else(|e| panic!("{e}"));
        let Memory::Mapped(mapping) = &parent.memory else {
            panic!("processes keep their counters in a shared mapping");
        };
        // A second mapping of the same file, as a pool worker makes.
        let fd = mapping.fd.try_clone().unwrap_or_else(|e| panic!("{e}"));
        let worker = Shared {
            memory: Memory::Mapped(Mapping::attach(fd, 1).unwrap_or_else(|e| panic!("{e}"))),
            ..Shared::private(&groups)
        };
        std::thread::scope(|s| {
            s.spawn(|| threads(&parent, 1, 10, 500));
            s.spawn(|| threads(&worker, 1, 10, 500));
        });
        let outcome = parent.outcome(&groups).unwrap_or_default();
        assert_eq!(outcome.expected, 20);
        assert_eq!(outcome.lost, 0, "{outcome:?}");
        assert_eq!(worker.outcome(&groups), parent.outcome(&groups));
        let short = mapping.fd.try_clone().unwrap_or_else(|e| panic!("{e}"));
        assert!(Mapping::attach(short, 1000).is_err(), "too small for 1000");
    }

    #[test]
    fn an_event_loop_loses_updates_only_when_it_yields_inside_the_window() {
        let count = |await_inside: bool| {
            let groups = group("racy", await_inside, 4, 5);
            let shared = std::sync::Arc::new(counters(&groups));
            let runtime = tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap_or_else(|e| panic!("{e}"));
            runtime.block_on(async {
                let tasks: Vec<_> = (0..4)
                    .map(|_| {
                        let shared = shared.clone();
                        tokio::spawn(async move {
                            for _ in 0..5 {
                                shared.round_async(0, || ()).await;
                            }
                        })
                    })
                    .collect();
                for t in tasks {
                    let _ = t.await;
                }
            });
            shared.outcome(&groups).map_or(0, |o| o.lost)
        };
        assert_eq!(count(false), 0, "the loop never switches inside the window");
        // Every task reads before any writes: 3 of each round's 4 are lost.
        assert_eq!(count(true), 15);
    }

    /// A loop that yields by going back to itself: windows opened before
    /// any closes lose each other's updates; other rounds stay whole.
    #[test]
    fn windows_left_open_across_a_yield_lose_updates() {
        let open = group("racy", true, 3, 2);
        let shared = counters(&open);
        for _ in 0..2 {
            let windows: Vec<Window> = (0..3)
                .filter_map(|_| shared.round_open(0, || ()).1)
                .collect();
            assert_eq!(windows.len(), 3, "every racy round yields");
            windows.into_iter().for_each(|w| shared.close(w));
        }
        let outcome = shared.outcome(&open).unwrap_or_default();
        assert_eq!((outcome.expected, outcome.lost), (6, 4));
        // Without await_inside, under a lock and atomic, a round is whole.
        for (mode, inside) in [("racy", false), ("locked", false), ("atomic", false)] {
            let whole = group(mode, inside, 3, 2);
            let shared = counters(&whole);
            for _ in 0..6 {
                let (seven, window) = shared.round_open(0, || 7);
                assert_eq!((seven, window.is_none()), (7, true), "{mode}");
            }
            let outcome = shared.outcome(&whole).unwrap_or_default();
            assert_eq!(outcome.lost, 0, "{mode}");
        }
    }

    #[test]
    fn outcomes_add_up_over_groups() {
        let mut groups = group("racy", false, 2, 3);
        let mut locked = groups[0].clone();
        locked.name = "b".into();
        locked.shared = SharedMode::Locked;
        locked.tasks = 4;
        locked.io_latency = IoLatency::Fixed { value: Nanos(0) };
        let mut none = locked.clone();
        none.shared = SharedMode::None;
        groups.extend([locked, none]);
        let outcome = SharedOutcome::of(&groups, &[4, 12, 99], &[5, 7, 11]);
        assert_eq!(
            outcome,
            Some(SharedOutcome {
                expected: 6 + 12,
                lost: 2,
                lock_wait_ns: Some(7)
            })
        );
    }

    #[test]
    fn python_processes_have_no_atomic_counter() {
        let text = "[[workload]]\ntasks = 2\nshared = [\"racy\", \"atomic\"]\n[[model]]\n\
                    kind = \"python-processes\"\n[[model]]\nkind = \"processes\"\n";
        let cells = match config::from_text("t.toml", text, "t") {
            Ok(l) => matrix::expand(&l.experiment, 2),
            Err(e) => panic!("{e}"),
        };
        let skipped: Vec<bool> = cells.iter().map(|c| unsupported(c).is_some()).collect();
        // Points in order (racy, atomic), each with both models.
        assert_eq!(skipped, [false, false, true, false]);
        assert_eq!(
            unsupported(&cells[2]).as_deref(),
            Some(
                "shared = \"atomic\" is not supported by python-processes: CPython has no atomic \
                 increment of memory shared between processes (multiprocessing.Value's own lock \
                 makes it \"locked\"); use shared = \"locked\", or \"atomic\" with processes"
            )
        );
        // conlab's own worker processes count in shared pages; Python's
        // interpreter counts its own.
        let shared_pages: Vec<bool> = cells.iter().map(across_processes).collect();
        assert_eq!(shared_pages, [false, true, false, true]);
    }
}
