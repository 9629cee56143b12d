//! What one run may ask of this machine. Past the thread limit a process
//! does not get an error it could handle: the kernel refuses the memory
//! maps a new thread needs and the process aborts. Past the open-file
//! limit, IO cannot be submitted. So cells that would cross a limit are
//! skipped, with the reason, before they start.

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
        Limits {
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
        by_maps.min(by_kernel).min(by_user) * 9 / 10
    }

    /// The most files one run may keep open, with room for its own.
    pub fn max_files(&self) -> u64 {
        self.max_open_files.saturating_sub(FILES_RESERVED)
    }

    /// Why `cell` cannot run on this machine, if it cannot.
    pub fn check(&self, cell: &Cell) -> Option<String> {
        let needed = model::threads_needed(cell.kind, cell.tasks(), cell.workers);
        let limit = self.max_threads();
        if needed > limit {
            return Some(format!(
                "needs {needed} threads in one process; this machine allows about {limit} \
                 (vm.max_map_count = {}, kernel.threads-max = {}): past that a process aborts. \
                 Raise vm.max_map_count or use fewer tasks",
                self.max_map_count, self.threads_max
            ));
        }
        let files = model::files_needed(cell.kind, cell.io, cell.tasks());
        if files > self.max_files() {
            return Some(format!(
                "needs {files} open files in one process; the hard limit here is {} \
                 (ulimit -Hn). Raise it or use fewer tasks",
                self.max_open_files
            ));
        }
        let processes = model::processes_needed(cell.kind, cell.workers);
        if processes > model::processes::MAX_WORKERS as u64 {
            return Some(format!(
                "needs {processes} worker processes; conlab starts at most {} per run",
                model::processes::MAX_WORKERS
            ));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_follows_max_map_count() {
        let l = Limits {
            max_map_count: 65_530,
            threads_max: 192_730,
            max_user_processes: 96_365,
            max_open_files: 20_000,
        };
        assert_eq!(l.max_threads(), (65_530 - 2_000) / 4 * 9 / 10);
        let unlimited = Limits {
            max_map_count: u64::MAX,
            threads_max: u64::MAX,
            max_user_processes: u64::MAX,
            max_open_files: u64::MAX,
        };
        assert!(unlimited.max_threads() > 1_000_000);
    }
}
