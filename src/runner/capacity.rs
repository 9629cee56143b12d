//! What one run may ask of this machine. Past the thread limit a process
//! does not get an error it could handle: the kernel refuses the memory
//! maps a new thread needs and the process aborts. Past the open-file
//! limit, IO cannot be submitted. Past the memory the machine has, the run
//! is killed or swaps. So cells that would cross a limit are skipped, with
//! the reason, before they start.

use crate::matrix::Cell;
use crate::model;

/// Memory maps one Rust thread costs: its stack and guard page, and the
/// alternate signal stack and guard page std gives every thread.
pub const MAPS_PER_THREAD: u64 = 4;
/// Maps reserved for everything else in the process (code, heap, runtimes).
const MAPS_RESERVED: u64 = 2_000;

/// The machine's limits on threads in one process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub max_map_count: u64,
    pub threads_max: u64,
    pub max_user_processes: u64,
    /// The hard limit on open files, which a worker raises itself to.
    pub max_open_files: u64,
    /// Memory the machine has, and has available now, in bytes
    /// (`MemTotal`, `MemAvailable`).
    pub memory_total: u64,
    pub memory_available: u64,
}

/// What a run's worker holds per IO wait: its latency in the job (as JSON
/// text, then parsed) and the overshoot it records, with room for a copy.
const BYTES_PER_WAIT: u64 = 48;
/// The same in CPython, which gets the job as JSON too and keeps Python
/// integers in lists.
const PYTHON_BYTES_PER_WAIT: u64 = 128;
/// A task's log and state.
const BYTES_PER_TASK: u64 = 256;
/// A thread's touched stack and kernel structures.
const BYTES_PER_THREAD: u64 = 64 << 10;
/// A worker process of a pool (conlab's or Python's).
const BYTES_PER_PROCESS: u64 = 8 << 20;
/// The worker itself, and a runner's runtime (CPython, Node.js, a user's
/// program) when there is one.
const BYTES_BASE: u64 = 16 << 20;
const BYTES_PYTHON: u64 = 32 << 20;

/// About how much memory a run of `cell` needs, in bytes: an estimate
/// from its tasks, rounds, threads and processes (generous, not exact).
pub fn memory_needed(cell: &Cell) -> u64 {
    let python = cell.kind.runtime().is_some();
    let per_wait = if python {
        PYTHON_BYTES_PER_WAIT
    } else {
        BYTES_PER_WAIT
    };
    let threads = cell.kind.threads_needed(cell.tasks(), cell.workers);
    let processes = cell.kind.processes_needed(cell.workers);
    [
        cell.waits().saturating_mul(per_wait),
        cell.tasks().saturating_mul(BYTES_PER_TASK),
        threads.saturating_mul(BYTES_PER_THREAD),
        processes.saturating_mul(BYTES_PER_PROCESS),
        BYTES_BASE,
        if python { BYTES_PYTHON } else { 0 },
    ]
    .into_iter()
    .fold(0, u64::saturating_add)
}

/// `MemTotal` and `MemAvailable` from /proc/meminfo, in bytes.
fn memory() -> Option<(u64, u64)> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = text.lines().find(|l| l.starts_with(name))?;
        let kib: u64 = line[name.len()..]
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()?;
        Some(kib.saturating_mul(1024))
    };
    Some((field("MemTotal:")?, field("MemAvailable:")?))
}

fn mib(bytes: u64) -> u64 {
    bytes.div_ceil(1 << 20)
}

/// Files reserved for what every run opens besides its tasks' IO.
const FILES_RESERVED: u64 = 64;

/// The soft and hard value of a resource limit (unlimited if unknown).
fn rlimit(resource: libc::__rlimit_resource_t) -> (u64, u64) {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `lim` is a valid rlimit for getrlimit to write.
    if unsafe { libc::getrlimit(resource, &mut lim) } == 0 {
        (lim.rlim_cur, lim.rlim_max)
    } else {
        (u64::MAX, u64::MAX)
    }
}

fn read_number(path: &str) -> Option<u64> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

impl Limits {
    /// Reads the limits of this machine; unknown ones count as unlimited.
    pub fn of_this_machine() -> Limits {
        let (memory_total, memory_available) = memory().unwrap_or((u64::MAX, u64::MAX));
        Limits {
            memory_total,
            memory_available,
            max_map_count: read_number("/proc/sys/vm/max_map_count").unwrap_or(u64::MAX),
            threads_max: read_number("/proc/sys/kernel/threads-max").unwrap_or(u64::MAX),
            max_user_processes: rlimit(libc::RLIMIT_NPROC).0,
            max_open_files: rlimit(libc::RLIMIT_NOFILE).1,
        }
    }

    /// The most threads one process may start here, with a margin.
    pub fn max_threads(&self) -> u64 {
        let by_maps = self.max_map_count.saturating_sub(MAPS_RESERVED) / MAPS_PER_THREAD;
        // Other processes share threads-max and the per-user limit.
        let by_kernel = self.threads_max / 2;
        let by_user = self.max_user_processes.saturating_sub(1_000);
        by_maps.min(by_kernel).min(by_user).saturating_mul(9) / 10
    }

    /// The most files one run may keep open, with room for its own.
    pub fn max_files(&self) -> u64 {
        self.max_open_files.saturating_sub(FILES_RESERVED)
    }

    /// Why `cell` cannot run on this machine, if it cannot.
    pub fn check(&self, cell: &Cell) -> Option<String> {
        let needed = cell.kind.threads_needed(cell.tasks(), cell.workers);
        let limit = self.max_threads();
        if needed > limit {
            return Some(format!(
                "needs {needed} threads in one process; this machine allows about {limit} \
                 (vm.max_map_count = {}, kernel.threads-max = {}): past that a process aborts. \
                 Raise vm.max_map_count or use fewer tasks",
                self.max_map_count, self.threads_max
            ));
        }
        let files = cell.kind.files_needed(cell.io, cell.tasks());
        if files > self.max_files() {
            return Some(format!(
                "needs {files} open files in one process; the hard limit here is {} \
                 (ulimit -Hn). Raise it or use fewer tasks",
                self.max_open_files
            ));
        }
        let processes = cell.kind.processes_needed(cell.workers);
        if processes > model::processes::MAX_WORKERS as u64 {
            return Some(format!(
                "needs {processes} worker processes; conlab starts at most {} per run",
                model::processes::MAX_WORKERS
            ));
        }
        let memory = memory_needed(cell);
        if memory > self.memory_available {
            return Some(format!(
                "needs about {} MiB of memory for its tasks, rounds, threads and processes; \
                 this machine has {} MiB available of {} MiB (MemAvailable, MemTotal). \
                 Use fewer tasks or rounds, or a larger machine",
                mib(memory),
                mib(self.memory_available),
                mib(self.memory_total)
            ));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unlimited() -> Limits {
        Limits {
            max_map_count: u64::MAX,
            threads_max: u64::MAX,
            max_user_processes: u64::MAX,
            max_open_files: u64::MAX,
            memory_total: u64::MAX,
            memory_available: u64::MAX,
        }
    }

    fn cell(text: &str) -> Cell {
        match crate::config::from_text("t.toml", text, "t") {
            Ok(l) => crate::matrix::expand(&l.experiment, 2).remove(0),
            Err(e) => panic!("{e}"),
        }
    }

    /// Issue 8: a cell whose worker needs more memory than the machine has
    /// is skipped with the reason, as past the thread limit.
    #[test]
    fn a_cell_beyond_the_memory_available_is_skipped() {
        let big = cell("[[workload]]\ntasks = 100000\nrounds = 100\n[[model]]\nkind = \"async\"\n");
        // 10,000,000 waits × 48 bytes, 100,000 tasks × 256 bytes, the worker.
        assert_eq!(
            memory_needed(&big),
            480_000_000 + 25_600_000 + 65_536 + (16 << 20)
        );
        let small = Limits {
            memory_total: 8 << 30,
            memory_available: 256 << 20,
            ..unlimited()
        };
        assert_eq!(
            small.check(&big).as_deref(),
            Some(
                "needs about 499 MiB of memory for its tasks, rounds, threads and processes; \
                 this machine has 256 MiB available of 8192 MiB (MemAvailable, MemTotal). \
                 Use fewer tasks or rounds, or a larger machine"
            )
        );
        assert_eq!(unlimited().check(&big), None);
        let (total, available) = memory().unwrap_or((0, 0));
        assert!(total >= available && available > 0, "{total} {available}");
    }

    #[test]
    fn limit_follows_max_map_count() {
        let l = Limits {
            max_map_count: 65_530,
            threads_max: 192_730,
            max_user_processes: 96_365,
            max_open_files: 20_000,
            ..unlimited()
        };
        assert_eq!(l.max_threads(), (65_530 - 2_000) / 4 * 9 / 10);
        assert!(unlimited().max_threads() > 1_000_000);
    }
}
