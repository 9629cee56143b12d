//! The runner protocol's conformance checks (`conlab runner-check`): jobs
//! built to show one property each, run in a runner, and its replies held
//! to what the protocol and the model's expected shape say. Each check
//! prints a line with its figures as it ends: `ok`, `FAIL` or `info` (a
//! figure shown, nothing required). A check that cannot fail is no check:
//! the tests run these against runners tampered with (sleeping half the
//! latency, burning half the CPU, dropping a task, printing garbage), and
//! each must be caught.
//!
//! The checks and thresholds are those of the protocol's chapter in the
//! book ("The checks a runner must pass"). The default run is short (a
//! few seconds); `thorough` adds the CPU check by difference of long
//! bursts, which a runner that lies about its per-task CPU cannot pass.

use std::time::{Duration, Instant};

use super::server::DelayServer;
use crate::measure::Usage;
use crate::model::external::execute::{self, Bounds};
use crate::model::external::{
    self, GroupRequest, PROTOCOL, Program, Ran, Request, RunnerError, STDERR_LIMIT,
};

const MS: u64 = 1_000_000;

/// How N equal IO waits add up in a model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// N × the wait: one task at a time.
    Serial,
    /// About one wait: every task at once.
    Overlap,
    /// ⌈N / W⌉ waits: W workers.
    Pool,
}

impl Expect {
    pub const NAMES: [&'static str; 3] = ["serial", "overlap", "pool"];

    pub fn from_name(name: &str) -> Option<Expect> {
        match name {
            "serial" => Some(Expect::Serial),
            "overlap" => Some(Expect::Overlap),
            "pool" => Some(Expect::Pool),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Expect::Serial => "serial",
            Expect::Overlap => "overlap",
            Expect::Pool => "pool",
        }
    }
}

/// What a racy counter does in a model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Racy {
    /// No update lost.
    Keeps,
    /// Some lost.
    Loses,
    /// Not checked.
    May,
}

/// What a model promises, so the checks know what to expect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Profile {
    pub expect: Expect,
    pub workers: u32,
    /// A racy counter without and with `await_inside`.
    pub racy: (Racy, Racy),
    /// Whether CPU bursts may run in parallel (on workers).
    pub parallel_cpu: bool,
    /// A pool that starts after `t0` (processes, worker threads): tasks
    /// due early may start late, so the stop is checked loosely.
    pub pool_in_wall: bool,
}

impl Profile {
    /// A runner of the user's: its shape as stated, racy counters not
    /// checked.
    pub fn custom(expect: Expect, workers: u32) -> Profile {
        Profile {
            expect,
            workers,
            racy: (Racy::May, Racy::May),
            parallel_cpu: expect != Expect::Serial,
            pool_in_wall: false,
        }
    }

    /// What a built-in runner's `mode` promises.
    pub fn builtin(mode: &str, workers: u32) -> Option<Profile> {
        use Racy::*;
        let p = |expect, racy, parallel_cpu, pool_in_wall| Profile {
            expect,
            workers,
            racy,
            parallel_cpu,
            pool_in_wall,
        };
        Some(match mode {
            // runner.py
            "sequential" => p(Expect::Serial, (Keeps, Keeps), false, false),
            "threads" => p(Expect::Overlap, (May, Loses), false, false),
            "thread-pool" => p(Expect::Pool, (May, May), false, false),
            "asyncio" => p(Expect::Overlap, (Keeps, Loses), false, false),
            "asyncio-blocking" => p(Expect::Serial, (Keeps, May), false, false),
            "processes" => p(Expect::Pool, (May, May), true, true),
            // runner.js
            "async" => p(Expect::Overlap, (Keeps, Loses), false, false),
            "workers" => p(Expect::Overlap, (Loses, Loses), true, true),
            _ => return None,
        })
    }
}

/// The checks, by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    Timers,
    Short,
    Cpu,
    Counters,
    Arrivals,
    Tcp,
}

impl Check {
    pub const ALL: [Check; 6] = [
        Check::Timers,
        Check::Short,
        Check::Cpu,
        Check::Counters,
        Check::Arrivals,
        Check::Tcp,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Check::Timers => "timers",
            Check::Short => "short",
            Check::Cpu => "cpu",
            Check::Counters => "counters",
            Check::Arrivals => "arrivals",
            Check::Tcp => "tcp",
        }
    }

    pub fn from_name(name: &str) -> Option<Check> {
        Check::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// One finding: held (`Some(true)`), failed (`Some(false)`) or only a
/// figure shown (`None`).
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub held: Option<bool>,
    pub name: String,
    pub detail: String,
}

impl Finding {
    /// `ok   timers: never early   8 waits, …`.
    pub fn line(&self) -> String {
        let mark = match self.held {
            Some(true) => "ok  ",
            Some(false) => "FAIL",
            None => "info",
        };
        format!("{mark} {:<28} {}", self.name, self.detail)
    }
}

/// A runner under check.
pub struct Conformance<'a> {
    pub program: &'a Program,
    pub mode: String,
    pub profile: Profile,
    pub thorough: bool,
    found: Vec<Finding>,
    report: &'a mut dyn FnMut(&Finding),
}

/// One run of the runner: its reply (or why there is none) and the CPU
/// it used after `t0` (its process CPU less what it reported for its
/// start-up).
struct Outcome {
    reply: Result<Ran, RunnerError>,
    cpu_after_t0_ns: i128,
}

impl Outcome {
    fn wall(&self) -> u64 {
        match &self.reply {
            Ok(r) => r
                .tasks
                .iter()
                .map(|t| t.end)
                .max()
                .unwrap_or(r.t0)
                .saturating_sub(r.t0),
            Err(_) => 0,
        }
    }
}

/// A job: `tasks` tasks of `rounds` rounds, task i waiting `latency(i)`
/// ns a round and burning `cpu` ns.
fn request(
    mode: &str,
    workers: u32,
    tasks: usize,
    rounds: usize,
    latency: impl Fn(usize) -> u64,
    cpu: u64,
) -> Request {
    Request {
        protocol: PROTOCOL,
        model: mode.to_string(),
        workers,
        cpu_ns: vec![cpu; tasks],
        latencies: (0..tasks).map(|i| vec![latency(i); rounds]).collect(),
        timeline: true,
        tcp: None,
        due: vec![0; tasks],
        order: (0..tasks).collect(),
        open_loop: false,
        stop_after: None,
        deadline: None,
        groups: vec![GroupRequest::none()],
        task_groups: vec![0; tasks],
    }
}

/// The median and largest of some values.
fn median_max(mut values: Vec<u64>) -> (u64, u64) {
    values.sort_unstable();
    let median = values.get(values.len() / 2).copied().unwrap_or(0);
    (median, values.last().copied().unwrap_or(0))
}

fn ms(ns: impl Into<f64>) -> f64 {
    ns.into() / 1e6
}

impl<'a> Conformance<'a> {
    pub fn new(
        program: &'a Program,
        mode: &str,
        profile: Profile,
        thorough: bool,
        report: &'a mut dyn FnMut(&Finding),
    ) -> Conformance<'a> {
        Conformance {
            program,
            mode: mode.to_string(),
            profile,
            thorough,
            found: Vec::new(),
            report,
        }
    }

    /// Runs `checks` and returns every finding.
    pub fn run(mut self, checks: &[Check]) -> Vec<Finding> {
        for &check in checks {
            match check {
                Check::Timers => self.timers(),
                Check::Short => self.short_waits(),
                Check::Cpu => self.cpu(),
                Check::Counters => self.counters(),
                Check::Arrivals => self.arrivals(),
                Check::Tcp => self.tcp(),
            }
        }
        self.found
    }

    fn say(&mut self, held: Option<bool>, name: &str, detail: String) {
        let finding = Finding {
            held,
            name: name.to_string(),
            detail,
        };
        (self.report)(&finding);
        self.found.push(finding);
    }

    fn job(
        &self,
        tasks: usize,
        rounds: usize,
        latency: impl Fn(usize) -> u64,
        cpu: u64,
    ) -> Request {
        request(
            &self.mode,
            self.profile.workers,
            tasks,
            rounds,
            latency,
            cpu,
        )
    }

    /// Runs `job` once, with a deadline of a minute (two when thorough).
    fn execute(&self, job: &Request) -> Outcome {
        let fail = |e: RunnerError| Outcome {
            reply: Err(e),
            cpu_after_t0_ns: 0,
        };
        let input = match serde_json::to_vec(job) {
            Ok(bytes) => bytes,
            Err(e) => return fail(RunnerError::Encode(e)),
        };
        let spans: usize = (0..job.tasks()).map(|i| 2 * job.latencies[i].len()).sum();
        let waits: usize = job.latencies.iter().map(Vec::len).sum();
        let limit = Duration::from_secs(if self.thorough { 120 } else { 60 });
        let bounds = Bounds {
            stdout: external::reply_limit(job.tasks(), waits, spans),
            stderr: STDERR_LIMIT,
            deadline: Some(Instant::now() + limit),
        };
        let before = Usage::children();
        let started = Instant::now();
        let done = match execute::execute(&self.program.argv, input, bounds) {
            Ok(done) => done,
            Err(source) => {
                return fail(RunnerError::Start {
                    runner: self.program.runner.clone(),
                    source,
                });
            }
        };
        let used = Usage::children().since(before);
        let reply = external::answer(self.program, job, done, started);
        let startup = match &reply {
            Ok(r) => r.startup_usage.map_or(0, |u| u.user_ns + u.sys_ns),
            Err(_) => 0,
        };
        Outcome {
            reply,
            cpu_after_t0_ns: i128::from(used.user_ns + used.sys_ns) - i128::from(startup),
        }
    }

    /// The reply as conlab reads it, and what a timeline must hold: one
    /// `io` span per wait and one `cpu` span per burst, each inside its
    /// task, on a thread. Whether it can be read further.
    fn reply(&mut self, job: &Request, out: &Outcome, label: &str) -> bool {
        let name = format!("{label}: reply");
        let ran = match &out.reply {
            Ok(ran) => ran,
            Err(RunnerError::Refused(reason)) => {
                self.say(Some(false), &name, format!("refused the job: {reason}"));
                return false;
            }
            Err(e) => {
                self.say(Some(false), &name, e.to_string());
                return false;
            }
        };
        let mut problems = Vec::new();
        for (i, t) in ran.tasks.iter().enumerate() {
            if !t.finished() {
                if job.stop_after.is_none() {
                    problems.push(format!("task {i} never ended"));
                }
                continue;
            }
            if !job.timeline {
                continue;
            }
            let bursts = if job.cpu_ns[i] > 0 {
                job.latencies[i].len()
            } else {
                0
            };
            let wanted = job.waits_of(i) + bursts;
            if t.spans.len() != wanted {
                problems.push(format!(
                    "task {i}: {} spans, expected {wanted}",
                    t.spans.len()
                ));
            }
            if let Some(bad) = t
                .spans
                .iter()
                .find(|&&(_, s, e, thread)| !(t.start <= s && s <= e && e <= t.end) || thread == 0)
            {
                problems.push(format!(
                    "task {i}: span {bad:?} out of its task or on no thread"
                ));
            }
        }
        if problems.is_empty() {
            let detail = format!(
                "{} tasks, times in order; runtime {}",
                ran.tasks.len(),
                ran.runtime.describe()
            );
            self.say(Some(true), &name, detail);
            true
        } else {
            let n = problems.len();
            problems.truncate(3);
            self.say(
                Some(false),
                &name,
                format!("{n} problems: {}", problems.join("; ")),
            );
            false
        }
    }

    /// Every IO wait lasted at least its latency (1 µs allowed for clocks
    /// kept as float seconds).
    fn never_early(&mut self, job: &Request, ran: &Ran, label: &str) {
        let mut short = Vec::new();
        for (i, t) in ran.tasks.iter().enumerate() {
            let io = t.spans.iter().filter(|s| s.0 == crate::model::SpanKind::Io);
            let wanted = job.latencies[i].iter().filter(|&&l| l > 0);
            for (&(_, s, e, _), &latency) in io.zip(wanted) {
                if (e - s).saturating_add(external::reply::EARLY_TOLERANCE_NS) < latency {
                    short.push((i, latency, e - s));
                }
            }
        }
        let overshoots: Vec<u64> = ran
            .tasks
            .iter()
            .flat_map(|t| t.waits.iter().map(|w| w[2].saturating_sub(w[0])))
            .collect();
        let n = overshoots.len();
        let (median, max) = median_max(overshoots);
        let name = format!("{label}: never early");
        match short.first() {
            None => self.say(
                Some(true),
                &name,
                format!(
                    "{n} waits, none short; overshoot median {:.0} µs, max {:.0} µs",
                    median as f64 / 1e3,
                    max as f64 / 1e3
                ),
            ),
            Some(&(i, latency, took)) => self.say(
                Some(false),
                &name,
                format!(
                    "{} waits short, e.g. task {i} waited {:.3} ms of {:.3} ms",
                    short.len(),
                    ms(took as f64),
                    ms(latency as f64)
                ),
            ),
        }
    }

    /// N equal waits take what the shape says: wall time (t0 to the last
    /// end) at least the ideal; and from the moment the last of its
    /// threads began its first task, at most 1.5 × the ideal + 20 ms (a
    /// pool started inside wall time is not held against the shape).
    fn shape(&mut self, job: &Request, out: &Outcome, label: &str, wait: u64) {
        let Ok(ran) = &out.reply else { return };
        let tasks = job.tasks() as u64;
        let rounds = job.latencies.first().map_or(0, Vec::len) as u64;
        let per_task = wait * rounds;
        let ideal = match self.profile.expect {
            Expect::Serial => tasks * per_task,
            Expect::Overlap => per_task,
            Expect::Pool => tasks.div_ceil(u64::from(self.profile.workers.max(1))) * per_task,
        };
        let mut first_on: Vec<(u32, u64)> = Vec::new();
        for t in &ran.tasks {
            if let Some(&(_, _, _, thread)) = t.spans.first() {
                match first_on.iter_mut().find(|(th, _)| *th == thread) {
                    Some((_, at)) => *at = (*at).min(t.start),
                    None => first_on.push((thread, t.start)),
                }
            }
        }
        let startup = first_on
            .iter()
            .map(|&(_, at)| at.saturating_sub(ran.t0))
            .max()
            .unwrap_or(0);
        let wall = out.wall();
        let most = ideal as f64 * 1.5 + 20.0 * MS as f64;
        let ok = ideal <= wall && ((wall - startup) as f64) <= most;
        self.say(
            Some(ok),
            &format!("{label}: {}", self.profile.expect.name()),
            format!(
                "wall {:.1} ms for {tasks} tasks × {rounds} × {:.0} ms, {:.1} ms after the last \
                 thread began (≥ {:.0} ms, ≤ {:.0} ms after)",
                ms(wall as f64),
                ms(wait as f64),
                ms(wall.saturating_sub(startup) as f64),
                ms(ideal as f64),
                ms(most)
            ),
        );
    }

    /// Sleep IO: every wait recorded, never early, and the model's shape.
    fn timers(&mut self) {
        let wait = 100 * MS;
        let job = self.job(4, 2, |_| wait, 0);
        let out = self.execute(&job);
        if self.reply(&job, &out, "sleep 4×2×100ms")
            && let Ok(ran) = &out.reply
        {
            self.never_early(&job, ran, "sleep");
            self.shape(&job, &out, "sleep", wait);
        }
    }

    /// Waits under a millisecond and a mix of lengths: recorded and never
    /// early.
    fn short_waits(&mut self) {
        const LATENCIES: [u64; 6] = [100_000, 300_000, MS, 2_500_000, 7 * MS, 10 * MS];
        let job = self.job(12, 3, |i| LATENCIES[i % LATENCIES.len()], 0);
        let out = self.execute(&job);
        if self.reply(&job, &out, "short waits")
            && let Ok(ran) = &out.reply
        {
            self.never_early(&job, ran, "short waits");
        }
    }

    /// A burst of C costs C of thread CPU: each task's reported CPU within
    /// 2 % of what it was asked, the runner's process CPU after `t0` at
    /// least 0.98 × what it was asked in all (so a runner cannot report
    /// CPU it did not burn), every burst's span at least 0.98 × C of wall
    /// time, and where bursts run one at a time, wall ≥ 0.98 × N × C.
    /// Thorough: also the difference of 6 and 2 bursts of 500 ms (the
    /// least of three runs each) within 0.98–1.02 of 4 × 500 ms.
    fn cpu(&mut self) {
        let cost = if self.thorough { 500 * MS } else { 100 * MS };
        let (few, many) = (2usize, 6usize);
        let large = self.job(many, 1, |_| 0, cost);
        let out = self.execute(&large);
        let label = format!("cpu {many}×{:.0}ms", ms(cost as f64));
        if !self.reply(&large, &out, &label) {
            return;
        }
        let Ok(ran) = &out.reply else { return };
        let off: Vec<(usize, u64)> = ran
            .tasks
            .iter()
            .enumerate()
            .filter(|(_, t)| t.cpu_ns.abs_diff(cost) as f64 > 0.02 * cost as f64)
            .map(|(i, t)| (i, t.cpu_ns))
            .collect();
        let reported: Vec<u64> = ran.tasks.iter().map(|t| t.cpu_ns).collect();
        let (median, _) = median_max(reported);
        self.say(
            Some(off.is_empty()),
            "cpu: per task",
            match off.first() {
                None => format!(
                    "every task burned {:.1} ms (median) of its {:.0} ms on its thread's clock, \
                     within 2 %",
                    ms(median as f64),
                    ms(cost as f64)
                ),
                Some(&(i, got)) => format!(
                    "{} tasks off by more than 2 %, e.g. task {i}: {:.1} ms of {:.0} ms",
                    off.len(),
                    ms(got as f64),
                    ms(cost as f64)
                ),
            },
        );
        let asked = (many as u64 * cost) as f64;
        let used = out.cpu_after_t0_ns as f64;
        self.say(
            Some(used >= 0.98 * asked),
            "cpu: process",
            format!(
                "the runner's processes used {:.1} ms of CPU after t0 for {many} × {:.0} ms \
                 ({:.3} ×; at least 0.98 required)",
                ms(used),
                ms(cost as f64),
                used / asked
            ),
        );
        let short = ran
            .tasks
            .iter()
            .flat_map(|t| t.spans.iter())
            .filter(|s| {
                s.0 == crate::model::SpanKind::Cpu && ((s.2 - s.1) as f64) < 0.98 * cost as f64
            })
            .count();
        self.say(
            Some(short == 0),
            "cpu: spans",
            if short == 0 {
                format!(
                    "every burst's span ≥ 0.98 × {:.0} ms of wall",
                    ms(cost as f64)
                )
            } else {
                format!(
                    "{short} bursts shorter than 0.98 × {:.0} ms of wall",
                    ms(cost as f64)
                )
            },
        );
        let wall = out.wall() as f64;
        if self.profile.parallel_cpu {
            self.say(
                None,
                "cpu: in parallel",
                format!(
                    "wall {:.0} ms for {many} × {:.0} ms on {} workers",
                    ms(wall),
                    ms(cost as f64),
                    self.profile.workers
                ),
            );
        } else {
            self.say(
                Some(wall >= 0.98 * asked),
                "cpu: one at a time",
                format!(
                    "wall {:.0} ms ≥ 0.98 × {many} × {:.0} ms",
                    ms(wall),
                    ms(cost as f64)
                ),
            );
        }
        if self.thorough {
            self.cpu_difference(few, many, cost);
        }
    }

    fn cpu_difference(&mut self, few: usize, many: usize, cost: u64) {
        let mut least = Vec::new();
        for n in [few, many] {
            let job = self.job(n, 1, |_| 0, cost);
            let mut best: Option<i128> = None;
            for _ in 0..3 {
                let out = self.execute(&job);
                if !self.reply(&job, &out, &format!("cpu {n}×{:.0}ms", ms(cost as f64))) {
                    return;
                }
                best = Some(best.map_or(out.cpu_after_t0_ns, |b| b.min(out.cpu_after_t0_ns)));
            }
            least.push(best.unwrap_or(0));
        }
        let want = ((many - few) as u64 * cost) as f64;
        let more = (least[1] - least[0]) as f64;
        let ratio = more / want;
        self.say(
            Some((0.98..=1.02).contains(&ratio)),
            "cpu: thread CPU (thorough)",
            format!(
                "{} more bursts of {:.0} ms cost {:.1} ms more CPU ({ratio:.3} ×; 0.98–1.02 \
                 required)",
                many - few,
                ms(cost as f64),
                ms(more)
            ),
        );
    }

    /// Counters add up: atomic and locked lose nothing (a runner may
    /// refuse one it has not); racy does what the model says.
    fn counters(&mut self) {
        let (tasks, rounds) = (8usize, 3usize);
        let total = (tasks * rounds) as u64;
        for (mode, inside) in [
            ("atomic", false),
            ("locked", false),
            ("racy", false),
            ("racy", true),
        ] {
            let mut job = self.job(tasks, rounds, |_| 2 * MS, 2 * MS);
            job.groups = vec![GroupRequest {
                shared: mode.to_string(),
                await_inside: inside,
            }];
            let label = format!("counter {mode}{}", if inside { " await" } else { "" });
            let out = self.execute(&job);
            if let Err(RunnerError::Refused(reason)) = &out.reply {
                let allowed = mode == "atomic";
                self.say(
                    (!allowed).then_some(false),
                    &label,
                    format!("refused: {reason}"),
                );
                continue;
            }
            if !self.reply(&job, &out, &label) {
                continue;
            }
            let Ok(ran) = &out.reply else { continue };
            let Some(Some(counter)) = ran.shared.first() else {
                continue;
            };
            let final_value = counter.value;
            let expect = match (mode, inside) {
                ("atomic" | "locked", _) => Racy::Keeps,
                (_, false) => self.profile.racy.0,
                (_, true) => self.profile.racy.1,
            };
            let mut held = match expect {
                Racy::Keeps => Some(final_value == total),
                Racy::Loses => Some(final_value < total),
                Racy::May => None,
            };
            let mut says = match expect {
                Racy::Keeps => "keeps every update".to_string(),
                Racy::Loses => "loses some".to_string(),
                Racy::May => "not checked".to_string(),
            };
            if held == Some(false)
                && expect == Racy::Loses
                && self.profile.parallel_cpu
                && !inside
                && machine_busy()
            {
                // Racing across workers needs two of them running at once:
                // on a machine loaded past its cores they may never overlap.
                held = None;
                says.push_str(" when the workers run at once; the load average is past the cores");
            }
            self.say(
                held,
                &label,
                format!(
                    "{final_value} of {total} updates (expected: {says}); lock wait {:.1} ms",
                    ms(counter.lock_wait_ns as f64)
                ),
            );
        }
    }

    /// Tasks start once due and never before, in the job's order (on each
    /// thread); nothing is handed out at or after the stop, and a task
    /// still running there is left unfinished.
    fn arrivals(&mut self) {
        let gap = 100 * MS;
        let tasks = 5usize;
        let mut job = self.job(tasks, 1, |_| 10 * MS, 0);
        job.due = (0..tasks).map(|i| (tasks - 1 - i) as u64 * gap).collect();
        let mut order: Vec<usize> = (0..tasks).collect();
        order.sort_by_key(|&i| job.due[i]);
        job.order = order.clone();
        job.open_loop = true;
        let out = self.execute(&job);
        if self.reply(&job, &out, "arrivals")
            && let Ok(ran) = &out.reply
        {
            let lateness: Vec<i128> = ran
                .tasks
                .iter()
                .zip(&job.due)
                .map(|(t, &d)| i128::from(t.start) - i128::from(ran.t0 + d))
                .collect();
            let early: Vec<usize> = (0..tasks).filter(|&i| lateness[i] < 0).collect();
            let shown: Vec<String> = lateness
                .iter()
                .map(|&l| format!("{:.2}", l as f64 / 1e6))
                .collect();
            self.say(
                Some(early.is_empty()),
                "arrivals: never before due",
                if early.is_empty() {
                    format!("started {} ms after due", shown.join(", "))
                } else {
                    format!("tasks {early:?} started before they were due")
                },
            );
            // In the job's order on each thread (a pool that hands out
            // per worker keeps the order on each of its threads).
            let mut lines: Vec<(u32, Vec<usize>)> = Vec::new();
            for &i in &order {
                let thread = ran.tasks[i].spans.first().map_or(0, |s| s.3);
                match lines.iter_mut().find(|(t, _)| *t == thread) {
                    Some((_, line)) => line.push(i),
                    None => lines.push((thread, vec![i])),
                }
            }
            let disorder = lines.iter().find(|(_, line)| {
                line.windows(2)
                    .any(|w| ran.tasks[w[0]].start > ran.tasks[w[1]].start)
            });
            self.say(
                Some(disorder.is_none()),
                "arrivals: in order",
                match disorder {
                    None => format!(
                        "handed out in the job's order on each of {} threads",
                        lines.len()
                    ),
                    Some((_, line)) => format!("tasks {line:?} did not start in the job's order"),
                },
            );
        }
        let stop = 250 * MS;
        let mut job = self.job(tasks, 2, |_| 30 * MS, 0);
        job.due = (0..tasks).map(|i| i as u64 * gap).collect();
        job.open_loop = true;
        job.stop_after = Some(stop);
        let out = self.execute(&job);
        if self.reply(&job, &out, "stop_after")
            && let Ok(ran) = &out.reply
        {
            // Due 0 and 100 ms: done by 60 and 160 ms; due 200 ms: still in
            // its second round at 250 ms; due 300 and 400 ms: never.
            let got: Vec<&str> = ran
                .tasks
                .iter()
                .map(|t| {
                    if t.finished() {
                        "done"
                    } else if t.start != 0 {
                        "unfinished"
                    } else {
                        "never"
                    }
                })
                .collect();
            let want = ["done", "done", "unfinished", "never", "never"];
            let late: Vec<usize> = (0..tasks)
                .filter(|&i| ran.tasks[i].start >= ran.t0 + stop)
                .collect();
            let (ok, want_text) = if self.profile.pool_in_wall {
                (
                    got[3..] == want[3..] && late.is_empty(),
                    "?, ?, ?, never, never (the pool's start-up is in wall time)".to_string(),
                )
            } else {
                (got == want && late.is_empty(), want.join(", "))
            };
            self.say(
                Some(ok),
                "arrivals: stop_after",
                format!(
                    "tasks: {} (expected {want_text}){}",
                    got.join(", "),
                    if late.is_empty() {
                        String::new()
                    } else {
                        format!("; tasks {late:?} started after the stop")
                    }
                ),
            );
        }
    }

    /// IO over TCP to conlab's delay server: every wait recorded, none
    /// short, and the model's shape.
    fn tcp(&mut self) {
        let server = match DelayServer::start() {
            Ok(server) => server,
            Err(e) => {
                self.say(Some(false), "tcp: delay server", e);
                return;
            }
        };
        let wait = 100 * MS;
        let mut job = self.job(4, 2, |_| wait, 0);
        job.tcp = Some(server.addr().to_string());
        let out = self.execute(&job);
        let served = server.stop();
        if self.reply(&job, &out, "tcp 4×2×100ms")
            && let Ok(ran) = &out.reply
        {
            self.never_early(&job, ran, "tcp");
            self.shape(&job, &out, "tcp", wait);
            let wakes: Vec<u64> = ran
                .tasks
                .iter()
                .flat_map(|t| t.waits.iter().map(|w| w[2].saturating_sub(w[1])))
                .collect();
            let (median, _) = median_max(wakes);
            let server_late =
                served
                    .and_then(|r| r.overshoot_median_ns)
                    .map_or(String::new(), |n| {
                        format!(
                            "; the server answered {:.0} µs late (median)",
                            n as f64 / 1e3
                        )
                    });
            self.say(
                None,
                "tcp: wakes",
                format!(
                    "median {:.0} µs from the answer to the task running{server_late}",
                    median as f64 / 1e3
                ),
            );
        }
    }
}

/// Whether the load average is at or past the usable cores.
fn machine_busy() -> bool {
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .unwrap_or(0.0);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    load >= cores as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for c in Check::ALL {
            assert_eq!(Check::from_name(c.name()), Some(c));
        }
        for e in Expect::NAMES {
            assert_eq!(Expect::from_name(e).map(Expect::name), Some(e));
        }
        assert!(Profile::builtin("async", 2).is_some());
        assert!(Profile::builtin("nope", 2).is_none());
    }

    #[test]
    fn a_finding_is_one_line() {
        let f = Finding {
            held: Some(false),
            name: "sleep: reply".into(),
            detail: "3 task records for 4 tasks".into(),
        };
        assert_eq!(
            f.line(),
            "FAIL sleep: reply                 3 task records for 4 tasks"
        );
    }
}
