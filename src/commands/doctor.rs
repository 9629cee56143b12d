//! `conlab doctor`: how ready this machine is for measurement, item by item
//! (in the spirit of `pyperf system show`): CPU frequency scaling, turbo,
//! SMT, isolated CPUs, load, hypervisor steal over a one-second sample,
//! timer overshoot, the thread and open-file limits, and the runtimes the
//! models of other runtimes could use (CPython on `PATH` and under pyenv,
//! PyPy, gevent, Node.js: `model::runtimes`), each with its version. Each item has a state and,
//! where it matters, the command that would improve it. conlab changes
//! nothing on the system; the commands are the user's to run. It always
//! exits 0: a machine that is not ready is an answer, not an error.
//!
//! Gathering ([`gather`]) reads the machine through `machine::Machine`, so
//! its `/proc` and `/sys` root can be a test's directory; judging
//! ([`checks`]) is a pure function of what was gathered.

use std::time::Duration;

use serde::Serialize;

use super::{Exit, out};
use crate::cli::DoctorArgs;
use crate::environment::{self, usable_cores};
use crate::machine::{Facts, Machine};
use crate::model::runtimes::{self, Found, Installable, RUNTIMES};
use crate::noise::{self, CpuCounters};
use crate::runner::Limits;

/// How long steal and the machine's busy share are sampled.
const SAMPLE: Duration = Duration::from_secs(1);
/// A 1-minute load average at or above this is other work competing.
const LOAD_LIMIT: f64 = 0.5;
/// So is this share of all CPU time busy while doctor itself sleeps.
const BUSY_LIMIT: f64 = 0.1;
/// A median timer lateness above this shows in millisecond-scale cells.
const TIMER_LIMIT_US: f64 = 100.0;
/// Fewer threads per process than this skips the large `threads` cells of
/// `experiments/bench/scale.toml` (10,000 tasks).
const THREADS_WANTED: u64 = 10_000;
/// Fewer open files than this skips 10,000-task cells over tcp.
const FILES_WANTED: u64 = 10_100;

/// Steal and busy time over a short sample, as shares of all CPU time.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Sample {
    pub seconds: f64,
    pub steal_share: f64,
    pub busy_share: f64,
}

impl Sample {
    /// The share of CPU time stolen and busy between two readings.
    pub fn between(before: CpuCounters, after: CpuCounters, seconds: f64) -> Option<Sample> {
        let d = after.since(before);
        let total = d.busy + d.idle + d.iowait + d.steal;
        (total > 0).then(|| Sample {
            seconds,
            steal_share: d.steal as f64 / total as f64,
            busy_share: d.busy as f64 / total as f64,
        })
    }
}

/// What the live machine said, beyond its facts.
#[derive(Clone, Debug, PartialEq)]
pub struct Live {
    pub usable_cores: usize,
    pub sample: Option<Sample>,
    /// Median and 90th percentile lateness of a 1 ms timer, in µs.
    pub timer_us: Option<(f64, f64)>,
    pub limits: Limits,
    /// Every installation of the runtimes other models run in.
    pub runtimes: Vec<Found>,
}

/// How an item stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// As good as it gets for measuring.
    Ok,
    /// Measurements would be steadier if this changed.
    Improve,
    /// Worth knowing; nothing to change.
    Note,
    /// The machine does not expose it.
    Unknown,
}

impl Status {
    fn text(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Improve => "improve",
            Status::Note => "note",
            Status::Unknown => "unknown",
        }
    }
}

/// One item of the report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Check {
    pub key: &'static str,
    pub item: &'static str,
    pub status: Status,
    pub state: String,
    /// The command (or step) that would improve it, for the user to take.
    pub advice: Option<String>,
}

fn check(
    key: &'static str,
    item: &'static str,
    status: Status,
    state: impl Into<String>,
    advice: Option<&str>,
) -> Check {
    Check {
        key,
        item,
        status,
        state: state.into(),
        advice: advice.map(str::to_string),
    }
}

const NO_CPUFREQ: &str = "not exposed: no cpufreq policy under /sys/devices/system/cpu/cpufreq (usual in VMs and containers, where the host sets the clock)";

/// Judges what was gathered, item by item. Pure.
pub fn checks(f: &Facts, live: &Live) -> Vec<Check> {
    let mut out = Vec::new();
    out.push(match f.cpu_governor.as_deref() {
        None => check("governor", "CPU frequency governor", Status::Unknown, NO_CPUFREQ, None),
        Some("performance") => check(
            "governor",
            "CPU frequency governor",
            Status::Ok,
            format!("performance{}", freq_range(f)),
            None,
        ),
        Some(other) => check(
            "governor",
            "CPU frequency governor",
            Status::Improve,
            format!("{other}{}: the clock speed follows the load, so the first runs of a cell are slower", freq_range(f)),
            Some("sudo cpupower frequency-set --governor performance"),
        ),
    });
    out.push(match f.turbo {
        None => check("turbo", "turbo / boost", Status::Unknown, "not exposed (no intel_pstate/no_turbo or cpufreq boost)", None),
        Some(false) => check("turbo", "turbo / boost", Status::Ok, "off", None),
        Some(true) => check(
            "turbo",
            "turbo / boost",
            Status::Improve,
            "on: the clock rises above base while the chip is cool and idle, then falls back",
            Some("echo 1 | sudo tee /sys/devices/system/cpu/intel_pstate/no_turbo   (Intel; elsewhere: echo 0 | sudo tee /sys/devices/system/cpu/cpufreq/boost)"),
        ),
    });
    out.push(match f.smt.as_deref() {
        None | Some("notimplemented") => check(
            "smt",
            "SMT (hyper-threading)",
            Status::Unknown,
            "not exposed (no /sys/devices/system/cpu/smt/control)",
            None,
        ),
        Some(s @ ("off" | "forceoff")) => {
            check("smt", "SMT (hyper-threading)", Status::Ok, s, None)
        }
        Some("notsupported") => check(
            "smt",
            "SMT (hyper-threading)",
            Status::Ok,
            "not supported by this CPU (or hidden by the hypervisor)",
            None,
        ),
        Some(s) => check(
            "smt",
            "SMT (hyper-threading)",
            Status::Improve,
            format!(
                "{s}: two logical CPUs share one core, so a run's threads slow each other down"
            ),
            Some("echo off | sudo tee /sys/devices/system/cpu/smt/control"),
        ),
    });
    out.push(match f.isolated_cpus.as_deref() {
        None => check("isolated_cpus", "isolated CPUs", Status::Unknown, "not exposed (no /sys/devices/system/cpu/isolated)", None),
        Some("") => check(
            "isolated_cpus",
            "isolated CPUs",
            Status::Note,
            "none: the scheduler may put any other task on the CPUs runs use",
            Some("optional: boot with isolcpus=<cpus> nohz_full=<cpus> on the kernel command line, then run `taskset -c <cpus> conlab run …` (leave a CPU for the rest of the system)"),
        ),
        Some(list) => check(
            "isolated_cpus",
            "isolated CPUs",
            Status::Ok,
            format!("{list}: run conlab on them with `taskset -c {list} conlab run …`"),
            None,
        ),
    });
    let busy = live.sample.map(|s| s.busy_share);
    let busy_text = busy.map_or_else(String::new, |b| {
        format!(
            "; the CPUs were {:.0} % busy during a 1-second sample",
            b * 100.0
        )
    });
    out.push(match f.load_average {
        None => check(
            "load",
            "load",
            Status::Unknown,
            format!("not exposed (no /proc/loadavg){busy_text}"),
            None,
        ),
        Some(l) => {
            let state = format!(
                "1-minute load average {:.2} (5 min {:.2}, 15 min {:.2}) on {} usable core{}{busy_text}",
                l.one,
                l.five,
                l.fifteen,
                live.usable_cores,
                if live.usable_cores == 1 { "" } else { "s" }
            );
            if l.one >= LOAD_LIMIT || busy.is_some_and(|b| b >= BUSY_LIMIT) {
                check(
                    "load",
                    "load",
                    Status::Improve,
                    format!("{state}: other work competes with the runs"),
                    Some("`top -o %CPU` shows what runs; wait for it to end or stop it"),
                )
            } else {
                check("load", "load", Status::Ok, state, None)
            }
        }
    });
    out.push(match live.sample {
        None => check(
            "steal",
            "hypervisor steal",
            Status::Unknown,
            "not measured: /proc/stat is unreadable or did not advance",
            None,
        ),
        Some(s) => {
            let state = format!(
                "{:.1} % of CPU time over a {:.0}-second sample",
                s.steal_share * 100.0,
                s.seconds
            );
            if s.steal_share > noise::SHARE {
                check(
                    "steal",
                    "hypervisor steal",
                    Status::Improve,
                    format!("{state}: the host runs other guests on this machine's CPUs"),
                    Some("use a machine with dedicated CPUs (bare metal, or a VM with dedicated vCPUs)"),
                )
            } else {
                check("steal", "hypervisor steal", Status::Ok, state, None)
            }
        }
    });
    out.push(match live.timer_us {
        None => check("timer", "timer overshoot", Status::Unknown, "not measured", None),
        Some((median, p90)) => {
            let state = format!(
                "a 1 ms timer wakes {median:.0} µs late (median; 90th percentile {p90:.0} µs)"
            );
            if median > TIMER_LIMIT_US {
                check(
                    "timer",
                    "timer overshoot",
                    Status::Improve,
                    format!("{state}: IO waits of a millisecond or less will show it"),
                    Some("timers are most precise on bare metal with the tsc clock source; in a VM, give it dedicated CPUs"),
                )
            } else {
                check("timer", "timer overshoot", Status::Ok, state, None)
            }
        }
    });
    out.push(match f.clock_source.as_deref() {
        None => check("clock_source", "clock source", Status::Unknown, "not exposed", None),
        Some(c @ ("tsc" | "arch_sys_counter")) => check("clock_source", "clock source", Status::Ok, c, None),
        Some(c) => check(
            "clock_source",
            "clock source",
            Status::Note,
            format!("{c}: reading the clock may cost more than with tsc"),
            Some("if /sys/devices/system/clocksource/clocksource0/available_clocksource lists tsc: echo tsc | sudo tee /sys/devices/system/clocksource/clocksource0/current_clocksource"),
        ),
    });
    let threads = live.limits.max_threads();
    out.push(if threads >= THREADS_WANTED {
        check(
            "thread_limit",
            "thread limit",
            Status::Ok,
            format!("about {threads} threads in one process (vm.max_map_count {})", shown(live.limits.max_map_count)),
            None,
        )
    } else {
        check(
            "thread_limit",
            "thread limit",
            Status::Improve,
            format!(
                "about {threads} threads in one process (vm.max_map_count {}, kernel.threads-max {}): cells that need more are skipped",
                shown(live.limits.max_map_count),
                shown(live.limits.threads_max)
            ),
            Some("sudo sysctl -w vm.max_map_count=262144 (and raise kernel.threads-max or `ulimit -u` if they are the limit)"),
        )
    });
    let files = live.limits.max_open_files;
    out.push(if files >= FILES_WANTED {
        check(
            "open_files",
            "open-file limit",
            Status::Ok,
            format!("hard limit {} (each run raises its soft limit to it)", shown(files)),
            None,
        )
    } else {
        check(
            "open_files",
            "open-file limit",
            Status::Improve,
            format!("hard limit {} (each run raises its soft limit to it): tcp cells with more tasks are skipped", shown(files)),
            Some("raise the hard limit: `nofile` in /etc/security/limits.conf, or `ulimit -Hn 65536` in a root shell before starting conlab"),
        )
    });
    out.extend(RUNTIMES.iter().map(|r| runtime_check(r, &live.runtimes)));
    out
}

/// How runtime `r` stands: its usable installations, each with its version
/// and where it is; or, with none, how to get one.
fn runtime_check(r: &Installable, found: &[Found]) -> Check {
    let mine: Vec<&Found> = found.iter().filter(|f| f.runtime == r.key).collect();
    let usable: Vec<String> = mine
        .iter()
        .filter(|f| f.usable)
        .map(|f| {
            if f.name == f.path {
                format!("{} ({})", f.what, f.path)
            } else {
                format!("{} ({}, {})", f.name, f.what, f.path)
            }
        })
        .collect();
    let unusable = mine.len() - usable.len();
    if usable.is_empty() {
        let tried = if mine.is_empty() {
            "none found".to_string()
        } else {
            let tried: Vec<String> = mine
                .iter()
                .map(|f| format!("{}: {}", f.name, f.what))
                .collect();
            format!("none usable: {}", tried.join("; "))
        };
        return Check {
            key: r.key,
            item: r.item,
            status: Status::Note,
            state: format!("{tried}: {} would be skipped", r.kinds),
            advice: Some(r.install.to_string()),
        };
    }
    let more = if unusable > 0 {
        format!("; {unusable} more cannot run (`conlab doctor --json` says why)")
    } else {
        String::new()
    };
    Check {
        key: r.key,
        item: r.item,
        status: Status::Ok,
        state: format!("{}{more}", usable.join("; ")),
        advice: None,
    }
}

fn shown(v: u64) -> String {
    if v == u64::MAX {
        "unlimited".to_string()
    } else {
        v.to_string()
    }
}

fn freq_range(f: &Facts) -> String {
    match (f.cpu_freq_min_mhz, f.cpu_freq_max_mhz) {
        (Some(lo), Some(hi)) => format!(", {lo:.0}–{hi:.0} MHz"),
        _ => String::new(),
    }
}

/// Samples steal and busy time over `duration` from `machine`'s /proc/stat.
pub fn sample(machine: &Machine, duration: Duration) -> Option<Sample> {
    let before = CpuCounters::read(machine.root())?;
    std::thread::sleep(duration);
    let after = CpuCounters::read(machine.root())?;
    Sample::between(before, after, duration.as_secs_f64())
}

/// Reads the machine and measures what cannot be read (one second of
/// steal, the timer's lateness, the interpreters).
pub fn gather(machine: &Machine) -> (Facts, Live) {
    let facts = machine.facts();
    let sample = sample(machine, SAMPLE);
    let calibration = environment::calibrate();
    let live = Live {
        usable_cores: usable_cores(),
        sample,
        timer_us: Some((
            calibration.timer_overshoot_median_us,
            calibration.timer_overshoot_p90_us,
        )),
        limits: Limits::of_this_machine(),
        runtimes: runtimes::find(),
    };
    (facts, live)
}

/// What `conlab doctor --json` prints.
#[derive(Serialize)]
struct Report<'a> {
    conlab_version: &'static str,
    usable_cores: usize,
    machine: &'a Facts,
    steal_sample: Option<Sample>,
    runtimes: &'a [Found],
    checks: &'a [Check],
    /// conlab's cache (the Go and Java runners' builds) and its size.
    cache_dir: Option<String>,
    cache_bytes: u64,
}

/// conlab's cache directory and the bytes in it.
fn cache() -> (Option<std::path::PathBuf>, u64) {
    match crate::model::build_cache::cache_dir() {
        Ok(dir) => {
            let bytes = crate::model::build_cache::size_of(&dir);
            (Some(dir), bytes)
        }
        Err(_) => (None, 0),
    }
}

/// The report for a terminal.
pub fn render(facts: &Facts, live: &Live, checks: &[Check]) -> String {
    let mut text = String::from(
        "conlab doctor: how ready this machine is for measurement.\n\
         conlab changes nothing on the system; where an item could be better, the command that would improve it follows (yours to run).\n\n",
    );
    let or_unknown = |v: &Option<String>| v.clone().unwrap_or_else(|| "unknown".to_string());
    text.push_str(&format!(
        "host {} · virtualisation {}{} · container {} · {} usable core{}\n\n",
        or_unknown(&facts.hostname),
        or_unknown(&facts.virtualization),
        facts
            .virtualization_source
            .as_ref()
            .map_or_else(String::new, |s| format!(" ({s})")),
        or_unknown(&facts.container),
        live.usable_cores,
        if live.usable_cores == 1 { "" } else { "s" }
    ));
    let item_width = checks
        .iter()
        .map(|c| c.item.chars().count())
        .max()
        .unwrap_or(0);
    for c in checks {
        text.push_str(&format!(
            "  {:<7}  {:<item_width$}  {}\n",
            c.status.text(),
            c.item,
            c.state
        ));
        if let Some(advice) = &c.advice {
            text.push_str(&format!("  {:<7}  {:<item_width$}  → {advice}\n", "", ""));
        }
    }
    let count = |s: Status| checks.iter().filter(|c| c.status == s).count();
    text.push_str(&format!(
        "\n{} ok, {} to improve, {} to note, {} not exposed by this machine.",
        count(Status::Ok),
        count(Status::Improve),
        count(Status::Note),
        count(Status::Unknown)
    ));
    text
}

pub fn run(args: &DoctorArgs) -> Exit {
    let machine = Machine::live();
    if !args.json {
        eprintln!("Sampling the machine for {} s…", SAMPLE.as_secs_f64());
    }
    let (facts, live) = gather(&machine);
    let checks = checks(&facts, &live);
    let (cache_dir, cache_bytes) = cache();
    if args.json {
        let report = Report {
            conlab_version: env!("CARGO_PKG_VERSION"),
            usable_cores: live.usable_cores,
            machine: &facts,
            steal_sample: live.sample,
            runtimes: &live.runtimes,
            checks: &checks,
            cache_dir: cache_dir.map(|d| d.display().to_string()),
            cache_bytes,
        };
        match serde_json::to_string_pretty(&report) {
            Ok(json) => out(json),
            Err(e) => eprintln!("error: cannot encode the report as JSON: {e}"),
        }
    } else {
        out(render(&facts, &live, &checks));
        match cache_dir {
            Some(dir) => out(format!(
                "conlab's cache (the Go and Java runners, built on first use): {} ({:.1} MB; \
                 delete it to rebuild them)",
                dir.display(),
                cache_bytes as f64 / 1e6
            )),
            None => out("conlab's cache: none (neither XDG_CACHE_HOME nor HOME is set)"),
        }
    }
    Exit::Ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::machine::tests::fake_machine;

    fn live(sample: Option<Sample>) -> Live {
        Live {
            usable_cores: 2,
            sample,
            timer_us: Some((20.0, 30.0)),
            limits: Limits {
                max_map_count: 65_530,
                threads_max: 192_730,
                max_user_processes: 96_365,
                max_open_files: 20_000,
                memory_total: 24 << 30,
                memory_available: 20 << 30,
            },
            runtimes: vec![Found {
                runtime: "python",
                name: "python3".to_string(),
                path: "/usr/bin/python3".to_string(),
                what: "CPython 3.11.7".to_string(),
                usable: true,
            }],
        }
    }

    fn find<'a>(checks: &'a [Check], key: &str) -> &'a Check {
        checks
            .iter()
            .find(|c| c.key == key)
            .unwrap_or_else(|| panic!("no {key} item"))
    }

    /// A VM or container: /sys/devices/system/cpu/cpufreq is missing.
    #[test]
    fn a_machine_without_cpufreq_reports_the_governor_as_not_exposed() {
        let (_dir, m) = fake_machine(&[
            ("proc/stat", "cpu  100 0 50 1000 0 0 0 5 0 0\n"),
            ("proc/loadavg", "0.05 0.10 0.20 1/80 99\n"),
            ("sys/devices/system/cpu/smt/control", "notsupported\n"),
            ("sys/devices/system/cpu/isolated", "\n"),
            (
                "sys/devices/system/clocksource/clocksource0/current_clocksource",
                "kvm-clock\n",
            ),
        ]);
        assert!(!m.root().join("sys/devices/system/cpu/cpufreq").exists());
        let facts = m.facts();
        // Counters that do not move (a fake) have no CPU time to share out.
        let s = sample(&m, Duration::from_millis(10));
        assert_eq!(s, None);
        let checks = checks(&facts, &live(s));
        let governor = find(&checks, "governor");
        assert_eq!(governor.status, Status::Unknown);
        assert_eq!(governor.state, NO_CPUFREQ);
        assert_eq!(governor.advice, None);
        assert_eq!(find(&checks, "turbo").status, Status::Unknown);
        assert_eq!(find(&checks, "smt").status, Status::Ok);
        assert_eq!(find(&checks, "isolated_cpus").status, Status::Note);
        assert_eq!(find(&checks, "load").status, Status::Ok);
        assert_eq!(find(&checks, "steal").status, Status::Unknown);
        assert_eq!(find(&checks, "clock_source").status, Status::Note);
        assert_eq!(find(&checks, "thread_limit").status, Status::Ok);
        assert_eq!(find(&checks, "python").status, Status::Ok);
        let text = render(&facts, &live(None), &checks);
        assert!(
            text.contains("  unknown  CPU frequency governor  not exposed: no cpufreq policy"),
            "{text}"
        );
        assert!(
            text.contains("host unknown · virtualisation unknown · container unknown"),
            "{text}"
        );
    }

    #[test]
    fn an_empty_root_is_all_unknown_and_no_panic() {
        let (_dir, m) = fake_machine(&[]);
        let facts = m.facts();
        let checks = checks(&facts, &live(sample(&m, Duration::from_millis(1))));
        for key in [
            "governor",
            "turbo",
            "smt",
            "isolated_cpus",
            "load",
            "steal",
            "clock_source",
        ] {
            assert_eq!(find(&checks, key).status, Status::Unknown, "{key}");
        }
    }

    #[test]
    fn a_tunable_machine_gets_the_commands_that_would_improve_it() {
        let (_dir, m) = fake_machine(&[
            (
                "sys/devices/system/cpu/cpufreq/policy0/scaling_governor",
                "powersave\n",
            ),
            (
                "sys/devices/system/cpu/cpufreq/policy0/scaling_min_freq",
                "800000\n",
            ),
            (
                "sys/devices/system/cpu/cpufreq/policy0/scaling_max_freq",
                "4000000\n",
            ),
            ("sys/devices/system/cpu/intel_pstate/no_turbo", "0\n"),
            ("sys/devices/system/cpu/smt/control", "on\n"),
            ("proc/loadavg", "1.50 1.00 0.50 3/80 99\n"),
        ]);
        let facts = m.facts();
        let mut l = live(Some(Sample {
            seconds: 1.0,
            steal_share: 0.05,
            busy_share: 0.6,
        }));
        l.timer_us = Some((250.0, 400.0));
        l.limits.max_map_count = 20_000;
        l.limits.max_open_files = 1024;
        l.runtimes.clear();
        let checks = checks(&facts, &l);
        for key in [
            "governor",
            "turbo",
            "smt",
            "load",
            "steal",
            "timer",
            "thread_limit",
            "open_files",
        ] {
            let c = find(&checks, key);
            assert_eq!(c.status, Status::Improve, "{key}: {c:?}");
            assert!(c.advice.is_some(), "{key} has no advice");
        }
        assert_eq!(
            find(&checks, "governor").state,
            "powersave, 800–4000 MHz: the clock speed follows the load, so the first runs of a cell are slower"
        );
        assert_eq!(
            find(&checks, "governor").advice.as_deref(),
            Some("sudo cpupower frequency-set --governor performance")
        );
        let python = find(&checks, "python");
        assert_eq!(python.status, Status::Note);
        assert!(python.state.starts_with("none found: the python-* cells"));
    }

    /// Each runtime is an item: what was found of it, each installation
    /// with its version and where it is, or how to get one.
    #[test]
    fn runtimes_are_listed_with_their_versions_or_how_to_get_them() {
        let (_dir, m) = fake_machine(&[]);
        let mut l = live(None);
        let found = |runtime, name: &str, path: &str, what: &str, usable| Found {
            runtime,
            name: name.to_string(),
            path: path.to_string(),
            what: what.to_string(),
            usable,
        };
        l.runtimes = vec![
            found(
                "python",
                "python3",
                "/usr/bin/python3",
                "CPython 3.11.2",
                true,
            ),
            found(
                "python",
                "/opt/py/3.13t/bin/python3",
                "/opt/py/3.13t/bin/python3",
                "CPython 3.13.1 (free-threaded, no GIL)",
                true,
            ),
            found(
                "python",
                "/opt/py/2.7/bin/python",
                "/opt/py/2.7/bin/python",
                "`/opt/py/2.7/bin/python` is Python 2.7.18; the python-* models need Python 3.8 \
                 or newer",
                false,
            ),
            found("pypy", "pypy3", "/usr/bin/pypy3", "PyPy 3.9.16", true),
            found("node", "node", "/usr/bin/node", "v20.20.0", true),
        ];
        let checks = checks(&m.facts(), &l);
        assert_eq!(
            find(&checks, "python").state,
            "python3 (CPython 3.11.2, /usr/bin/python3); CPython 3.13.1 (free-threaded, no GIL) \
             (/opt/py/3.13t/bin/python3); 1 more cannot run (`conlab doctor --json` says why)"
        );
        assert_eq!(
            find(&checks, "pypy").state,
            "pypy3 (PyPy 3.9.16, /usr/bin/pypy3)"
        );
        assert_eq!(
            find(&checks, "node").state,
            "node (v20.20.0, /usr/bin/node)"
        );
        let gevent = find(&checks, "gevent");
        assert_eq!(gevent.status, Status::Note);
        assert_eq!(
            gevent.state,
            "none found: the python-gevent cells would be skipped"
        );
        assert!(
            gevent
                .advice
                .as_deref()
                .is_some_and(|a| a.starts_with("`conlab install-gevent --python python3`")),
            "{gevent:?}"
        );
    }

    #[test]
    fn busy_cpus_during_the_sample_count_as_load_even_with_a_low_average() {
        let (_dir, m) = fake_machine(&[("proc/loadavg", "0.05 0.10 0.20 1/80 99\n")]);
        let busy = live(Some(Sample {
            seconds: 1.0,
            steal_share: 0.0,
            busy_share: 0.5,
        }));
        let load = checks(&m.facts(), &busy)
            .into_iter()
            .find(|c| c.key == "load")
            .unwrap_or_else(|| panic!("no load item"));
        assert_eq!(load.status, Status::Improve);
        assert_eq!(
            load.state,
            "1-minute load average 0.05 (5 min 0.10, 15 min 0.20) on 2 usable cores; the CPUs were 50 % busy during a 1-second sample: other work competes with the runs"
        );
    }

    #[test]
    fn steal_and_busy_are_shares_of_all_cpu_time() {
        let before = CpuCounters {
            busy: 100,
            idle: 100,
            iowait: 0,
            steal: 0,
        };
        let after = CpuCounters {
            busy: 150,
            idle: 240,
            iowait: 0,
            steal: 10,
        };
        assert_eq!(
            Sample::between(before, after, 1.0),
            Some(Sample {
                seconds: 1.0,
                steal_share: 0.05,
                busy_share: 0.25
            })
        );
        assert_eq!(Sample::between(after, after, 1.0), None);
    }
}
