//! What machine and build an experiment ran on, captured once at the start
//! of `conlab run` into `environment.json`, with a short calibration of the
//! two primitives every model relies on: how late an OS timer wakes a
//! thread, and how exactly CPU work hits its target. What makes the machine
//! noisy (virtualisation, frequency scaling, load, …) comes from `machine`.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::machine::{Facts, Machine};
use crate::measure::{now_ns, thread_cpu_ns};
use crate::runner::Limits;
use crate::stats;
use crate::workload::{cpu, sleep};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Environment {
    pub conlab_version: String,
    pub git_commit: String,
    pub rustc_version: String,
    pub os: String,
    pub kernel: String,
    pub arch: String,
    pub cpu_model: String,
    pub logical_cpus: usize,
    /// Cores this process may use (affinity and cgroup limits applied);
    /// the C of the predictions.
    pub usable_cores: usize,
    pub memory_total_mb: u64,
    /// The most threads conlab starts in one process here.
    pub thread_limit: u64,
    /// Each Python interpreter the experiment's python-* cells name, and
    /// what it is (`CPython 3.11.7`) or why it cannot be used.
    #[serde(default)]
    pub python: Vec<(String, String)>,
    /// Each Node.js the experiment's node-* cells name, and what it is
    /// (`Node.js v20.20.2`) or why it cannot be used.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub node: Vec<(String, String)>,
    /// Each runtime's start-up in ms (an empty program: `node -e ''`,
    /// `python3 -I -c ''`, the least of three), timed once at the start.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub runtime_startup_ms: Vec<(String, f64)>,
    pub calibration: Calibration,
    /// When the experiment started (UTC, RFC 3339).
    pub date: String,
    pub command_line: String,
    pub experiment_file: String,
    pub experiment_sha256: String,
    /// Hostname, virtualisation, clock source, CPU frequency scaling, SMT,
    /// isolated CPUs, ASLR, and the load and free memory at the start;
    /// `null` where the machine does not expose them.
    #[serde(flatten)]
    pub machine: Facts,
}

/// Measured at start: the precision of the primitives on this machine now.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// Median lateness of a 1 ms blocking timer wait (timer slack 1 ns).
    pub timer_overshoot_median_us: f64,
    /// 90th percentile of the same.
    pub timer_overshoot_p90_us: f64,
    /// Median CPU burned beyond a 1 ms target, on the thread's CPU clock.
    pub cpu_burn_excess_median_us: f64,
    /// Median wall time of a 1 ms CPU burn (above 1 ms when preempted).
    pub cpu_burn_wall_median_us: f64,
}

/// Cores this process may run on.
pub fn usable_cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn first_line_with(text: &str, key: &str) -> Option<String> {
    text.lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_once(['=', ':']).map(|(_, v)| v))
        .map(|v| v.trim().trim_matches('"').to_string())
}

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// Measures timer and CPU-burn precision for a fraction of a second.
pub fn calibrate() -> Calibration {
    let _ = sleep::precise_timers();
    let mut late: Vec<f64> = (0..100)
        .map(|_| {
            let deadline = now_ns() + 1_000_000;
            sleep::sleep_until(deadline);
            now_ns().saturating_sub(deadline) as f64 / 1e3
        })
        .collect();
    late.sort_by(f64::total_cmp);
    let p90 = late.get(late.len() * 9 / 10).copied().unwrap_or(0.0);
    let mut excess = Vec::new();
    let mut wall = Vec::new();
    for _ in 0..30 {
        let (c0, w0) = (thread_cpu_ns(), now_ns());
        cpu::burn(1_000_000);
        excess.push((thread_cpu_ns() - c0).saturating_sub(1_000_000) as f64 / 1e3);
        wall.push((now_ns() - w0) as f64 / 1e3);
    }
    Calibration {
        timer_overshoot_median_us: stats::median(&late).unwrap_or(0.0),
        timer_overshoot_p90_us: p90,
        cpu_burn_excess_median_us: stats::median(&excess).unwrap_or(0.0),
        cpu_burn_wall_median_us: stats::median(&wall).unwrap_or(0.0),
    }
}

/// What `conlab run` found of the runtimes its runner cells need.
#[derive(Clone, Debug, Default)]
pub struct Runtimes {
    pub python: Vec<(String, String)>,
    pub node: Vec<(String, String)>,
    pub startup_ms: Vec<(String, f64)>,
}

/// Captures the environment of an experiment about to run.
pub fn capture(
    experiment_file: &str,
    experiment_text: &str,
    limits: &Limits,
    runtimes: Runtimes,
) -> Environment {
    // Before the calibration below, which loads the machine itself.
    let machine = Machine::live().facts();
    let cpuinfo = read("/proc/cpuinfo");
    let meminfo = read("/proc/meminfo");
    let memory_kb: u64 = first_line_with(&meminfo, "MemTotal")
        .and_then(|v| v.split_whitespace().next().and_then(|n| n.parse().ok()))
        .unwrap_or(0);
    let logical = cpuinfo
        .lines()
        .filter(|l| l.starts_with("processor"))
        .count();
    let digest = Sha256::digest(experiment_text.as_bytes());
    Environment {
        conlab_version: env!("CARGO_PKG_VERSION").to_string(),
        git_commit: env!("CONLAB_GIT_COMMIT").to_string(),
        rustc_version: env!("CONLAB_RUSTC_VERSION").to_string(),
        os: first_line_with(&read("/etc/os-release"), "PRETTY_NAME")
            .unwrap_or_else(|| std::env::consts::OS.to_string()),
        kernel: read("/proc/sys/kernel/osrelease").trim().to_string(),
        arch: std::env::consts::ARCH.to_string(),
        cpu_model: first_line_with(&cpuinfo, "model name").unwrap_or_else(|| "unknown".into()),
        logical_cpus: logical.max(1),
        usable_cores: usable_cores(),
        memory_total_mb: memory_kb / 1024,
        thread_limit: limits.max_threads(),
        python: runtimes.python,
        node: runtimes.node,
        runtime_startup_ms: runtimes.startup_ms,
        calibration: calibrate(),
        date: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
        command_line: std::env::args().collect::<Vec<_>>().join(" "),
        experiment_file: experiment_file.to_string(),
        experiment_sha256: digest.iter().map(|b| format!("{b:02x}")).collect(),
        machine,
    }
}
