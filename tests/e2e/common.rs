//! Helpers shared by the end-to-end tests: running the real binary into a
//! temporary directory and reading back what it wrote.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use assert_cmd::Command;

#[path = "../support/skip.rs"]
mod skip_support;
pub use skip_support::{Reason, skip};
#[path = "../support/runtimes.rs"]
mod runtimes_support;
#[allow(unused_imports)] // each test module uses some of them
pub use runtimes_support::{GEVENT_ENV, gevent_python, pypy};

/// The conlab binary cargo built for these tests.
pub fn conlab() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_conlab"));
    cmd.env("NO_COLOR", "1");
    cmd
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Timing tests take this lock so they never compete for the two cores.
pub fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("cannot create a temp dir: {e}"))
}

/// Writes `text` as an experiment file in `dir`.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    path
}

/// The text of an experiment `name` of one workload, `io`, whose `tasks`
/// (a TOML value: a count, or a sweep such as `[1, 2]`) each wait
/// `io_latency` once, run by each model kind of `models`: `repetitions`
/// measured runs per cell after `warmup`. The short experiment many tests
/// run, written one way.
pub fn io_experiment(
    name: &str,
    repetitions: u32,
    warmup: u32,
    tasks: &str,
    io_latency: &str,
    models: &[&str],
) -> String {
    let mut text = format!(
        "\n[experiment]\nname = \"{name}\"\nrepetitions = {repetitions}\nwarmup = {warmup}\n\n\
         [[workload]]\nname = \"io\"\ntasks = {tasks}\nio_latency = \"{io_latency}\"\n"
    );
    for kind in models {
        text.push_str(&format!("\n[[model]]\nkind = \"{kind}\"\n"));
    }
    text
}

/// Runs `conlab run FILE --out DIR -q` and returns the exit code.
pub fn run_into(file: &Path, out: &Path, extra: &[&str]) -> (i32, String) {
    run_into_env(file, out, extra, &[])
}

/// [`run_into`] with environment variables set for conlab.
pub fn run_into_env(
    file: &Path,
    out: &Path,
    extra: &[&str],
    envs: &[(&str, &Path)],
) -> (i32, String) {
    let mut command = conlab();
    for (key, value) in envs {
        command.env(key, value);
    }
    let output = command
        .arg("run")
        .arg(file)
        .arg("--out")
        .arg(out)
        .arg("--quiet")
        .args(extra)
        .output()
        .unwrap_or_else(|e| panic!("cannot run conlab: {e}"));
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The interpreter `python3` on PATH runs, named directly (a pyenv shim
/// would start a shell on every run).
pub fn python3_path() -> String {
    let output = std::process::Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .unwrap_or_else(|e| panic!("cannot run python3: {e}"));
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// The rows of a CSV file as header → value maps.
pub fn csv_rows(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let headers = reader.headers().cloned().unwrap_or_default();
    // A row that does not parse fails the test rather than vanish from it.
    reader
        .records()
        .map(|r| r.unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .map(|r| {
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// The summary rows, by variant name, for one workload.
pub fn summary(out: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(out.join("summary.json"))
        .unwrap_or_else(|e| panic!("no summary.json: {e}"));
    let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    json["cells"].as_array().cloned().unwrap_or_default()
}

/// The median wall time (ms) of the cell with this workload and variant,
/// and `tasks` if given.
pub fn median(cells: &[serde_json::Value], workload: &str, variant: &str) -> f64 {
    cells
        .iter()
        .find(|c| c["workload"] == workload && c["variant"] == variant)
        .and_then(|c| c["wall_median_ms"].as_f64())
        .unwrap_or_else(|| panic!("no median for {workload} / {variant}"))
}

pub fn field(cells: &[serde_json::Value], workload: &str, variant: &str, key: &str) -> f64 {
    cells
        .iter()
        .find(|c| c["workload"] == workload && c["variant"] == variant)
        .and_then(|c| c[key].as_f64())
        .unwrap_or_else(|| panic!("no {key} for {workload} / {variant}"))
}

/// Whether a `python3` of 3.8 or newer is on PATH; if not, the calling
/// test is recorded as skipped (and fails in strict mode: CI has Python).
pub fn python3_usable() -> bool {
    let ok = std::process::Command::new("python3")
        .args(["-c", "import sys; sys.exit(sys.version_info < (3, 8))"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        skip(Reason::NoPython, "no python3 3.8 or newer on PATH");
    }
    ok
}

/// The start of a test that runs CPython with the cores to itself: `None`
/// (the test recorded as skipped) without a usable `python3`, else the
/// core lock (see [`serial`]) and a temporary directory.
pub fn python_test() -> Option<(MutexGuard<'static, ()>, tempfile::TempDir)> {
    if !python3_usable() {
        return None;
    }
    let cores = serial();
    Some((cores, tempdir()))
}

/// The calling thread's CPU time in ns (`CLOCK_THREAD_CPUTIME_ID`).
fn thread_cpu_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid timespec for clock_gettime to write.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// Burns `ns` of the calling thread's own CPU time, as conlab's tasks do.
pub fn burn_thread_cpu(ns: u64) {
    let end = thread_cpu_ns() + ns;
    let mut x = 0u64;
    while thread_cpu_ns() < end {
        for i in 0..1_000 {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(i));
        }
    }
}

/// Whether two threads can compute at the same time right now: on a shared
/// machine other processes may hold a core for a while. Two threads each
/// burn 30 ms of their own CPU; with two free cores that takes about 30 ms.
pub fn two_cores_free() -> bool {
    (0..5).any(|_| {
        let start = std::time::Instant::now();
        std::thread::scope(|s| {
            s.spawn(|| burn_thread_cpu(30_000_000));
            s.spawn(|| burn_thread_cpu(30_000_000));
        });
        start.elapsed().as_secs_f64() < 0.040
    })
}

/// Cores this test process may use.
pub fn usable_cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Keeps one core busy from another thread of the test until dropped.
pub struct Burner {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Burner {
    pub fn start() -> Burner {
        use std::sync::atomic::{AtomicBool, Ordering};
        let stop = std::sync::Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut x = 0u64;
            while !flag.load(Ordering::Relaxed) {
                for i in 0..10_000 {
                    x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(i));
                }
            }
        });
        Burner {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Burner {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Copies the files of `from` (one level, no subdirectories) into `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("cannot create {}: {e}", to.display()));
    let entries =
        std::fs::read_dir(from).unwrap_or_else(|e| panic!("cannot read {}: {e}", from.display()));
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.is_file() {
            std::fs::copy(&path, to.join(entry.file_name()))
                .unwrap_or_else(|e| panic!("cannot copy {}: {e}", path.display()));
        }
    }
}

/// The small results folder `conlab run` wrote for
/// `tests/fixtures/tiny.toml` (15 cells, a timeline each), copied to
/// `dir/name` so that a test may change it; returns the copy.
pub fn results_fixture(dir: &Path, name: &str) -> PathBuf {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("{}: {e}", to.display()));
        let entries = std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display()));
        for entry in entries.flatten() {
            let path = entry.path();
            let target = to.join(entry.file_name());
            if path.is_dir() {
                copy(&path, &target);
            } else {
                std::fs::copy(&path, &target).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            }
        }
    }
    let to = dir.join(name);
    copy(&fixture("results-tiny"), &to);
    to
}

/// Exit code, stdout and stderr of `conlab validate FILE`.
pub fn validate_file(file: &Path) -> (i32, String, String) {
    conlab_output(&["validate".as_ref(), file.as_os_str()])
}

/// Exit code, stdout and stderr of `conlab ARGS`.
pub fn conlab_output(args: &[&std::ffi::OsStr]) -> (i32, String, String) {
    let output = conlab()
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run conlab: {e}"));
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}
