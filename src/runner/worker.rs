//! The child side of a run: the hidden `conlab __worker` subcommand reads
//! one [`Job`] as JSON on stdin, runs it with its model, measures it, and
//! writes one [`Reply`] as JSON on stdout. Running each run in a fresh
//! process makes CPU time, context switches and peak memory that run's own,
//! and makes a crash or a hang that run's alone.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::server::DelayServer;
use super::tally;
use crate::config::IoKind;
use crate::measure::{self, Start};
use crate::model::{self, Job, ModelRun, Shared};
use crate::results::{Measurement, Timeline};
use crate::stats;
use crate::workload::sleep;

/// The worker's answer on stdout.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reply {
    Done {
        measurement: Box<Measurement>,
        timeline: Option<Timeline>,
    },
    Failed {
        message: String,
    },
}

/// Entry point of `conlab __worker`; returns the process exit code.
pub fn serve() -> i32 {
    prepare_process();
    let reply = match read_job() {
        Ok(job) => run(job),
        Err(message) => Reply::Failed { message },
    };
    let failed = matches!(reply, Reply::Failed { .. });
    let bytes = serde_json::to_vec(&reply).unwrap_or_else(|e| {
        format!("{{\"failed\":{{\"message\":\"cannot encode reply: {e}\"}}}}").into_bytes()
    });
    let mut out = std::io::stdout().lock();
    if out.write_all(&bytes).and_then(|_| out.flush()).is_err() {
        return 3;
    }
    if failed { 1 } else { 0 }
}

/// Settings every worker process wants before it runs anything.
fn prepare_process() {
    // Die with the parent: an interrupted `conlab run` leaves no orphans.
    // SAFETY: PR_SET_PDEATHSIG takes a signal number; no memory effects.
    unsafe {
        libc::prctl(
            libc::PR_SET_PDEATHSIG,
            libc::SIGKILL as libc::c_ulong,
            0,
            0,
            0,
        )
    };
    // Precise blocking waits, inherited by every thread started from here.
    let _ = sleep::precise_timers();
    // Raise the open-file limit to its hard maximum: many-task runs over
    // sockets need one descriptor per connection.
    // SAFETY: `lim` is a valid rlimit for get/setrlimit to read and write.
    unsafe {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) == 0 {
            lim.rlim_cur = lim.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        }
    }
}

fn read_job() -> Result<Job, String> {
    let mut input = Vec::new();
    std::io::stdin()
        .read_to_end(&mut input)
        .map_err(|e| format!("cannot read the job from stdin: {e}"))?;
    serde_json::from_slice(&input).map_err(|e| format!("malformed job on stdin: {e}"))
}

/// Runs the job once and measures it.
pub fn run(mut job: Job) -> Reply {
    // The delay server starts before, and stops after, the measured part,
    // and is reaped only after the run's usage is read: its CPU time is
    // not the model's.
    let server = if job.cell.io == IoKind::Tcp {
        match DelayServer::start() {
            Ok(server) => {
                job.tcp_server = Some(server.addr().to_string());
                Some(server)
            }
            Err(message) => return Reply::Failed { message },
        }
    } else {
        None
    };
    match Shared::for_job(&job) {
        Ok(shared) => job.shared = Arc::new(shared),
        Err(e) => {
            return Reply::Failed {
                message: format!("cannot set up the shared counters: {e}"),
            };
        }
    }
    let logs = job.new_logs();
    let job = Arc::new(job);
    let start = Start::now();
    let outcome = model::run(&job, logs);
    let usage = start.usage();
    let report = server.and_then(DelayServer::stop);
    match outcome {
        Ok(run) => {
            // An interpreter's start-up is setup: neither wall time nor work.
            let usage = match run.startup_usage {
                Some(startup) => usage.since(startup),
                None => usage,
            };
            let timeline = job
                .record_timeline
                .then(|| timeline(&job, &run, start.at_ns));
            let mut measurement = measurement(&job, &run, start.at_ns, usage);
            if let Some(report) = report {
                measurement.server_overshoot_median_ns = report.overshoot_median_ns;
            }
            Reply::Done {
                measurement: Box::new(measurement),
                timeline,
            }
        }
        Err(e) => Reply::Failed {
            message: e.to_string(),
        },
    }
}

fn measurement(job: &Job, run: &ModelRun, start_ns: u64, usage: measure::Usage) -> Measurement {
    let end = run.logs.iter().map(|l| l.end_ns).max().unwrap_or(start_ns);
    let wall_start = run.wall_start_ns.unwrap_or(start_ns);
    let mut overshoots: Vec<u64> = run
        .logs
        .iter()
        .flat_map(|l| l.waits.iter().map(|w| w.overshoot_ns))
        .collect();
    Measurement {
        wall_ns: end.saturating_sub(wall_start),
        setup_ns: run.ready_ns.saturating_sub(start_ns),
        usage,
        io_waits: overshoots.len() as u64,
        io_overshoot_max_ns: overshoots.iter().copied().max(),
        io_overshoot_median_ns: stats::median_u64(&mut overshoots),
        server_overshoot_median_ns: None,
        extras: run.extras.clone(),
        threads_max: None,
        groups: tally::by_group(&job.cell, &run.logs, wall_start),
        // The parent measures the rest of the machine around the process.
        noise: Default::default(),
    }
}

/// The run's spans relative to its start, threads renumbered from 0 in the
/// order they first did something.
fn timeline(job: &Job, run: &ModelRun, start_ns: u64) -> Timeline {
    let start_ns = run.wall_start_ns.unwrap_or(start_ns);
    let mut spans: Vec<_> = run
        .logs
        .iter()
        .flat_map(|l| l.spans.iter().copied())
        .collect();
    spans.sort_by_key(|s| (s.start_ns, s.task));
    let mut threads: HashMap<u32, u32> = HashMap::new();
    for s in &mut spans {
        let next = threads.len() as u32;
        s.thread = *threads.entry(s.thread).or_insert(next);
        s.start_ns = s.start_ns.saturating_sub(start_ns);
        s.end_ns = s.end_ns.saturating_sub(start_ns);
    }
    let end = run.logs.iter().map(|l| l.end_ns).max().unwrap_or(start_ns);
    Timeline {
        cell: job.cell.index,
        label: job.cell.label(),
        wall_ns: end.saturating_sub(start_ns),
        spans,
    }
}
