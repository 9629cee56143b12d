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
use crate::model::{self, Job, ModelRun, Records, Shared};
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
    /// The model's runner refused the job (runner protocol): no failure.
    Refused {
        reason: String,
    },
    /// The model's runner was stopped at the run's deadline: the run
    /// timed out, as if the worker itself had been killed at its timeout.
    TimedOut {
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
    match Shared::for_cell(&job.cell) {
        Ok(shared) => job.shared = Arc::new(shared),
        Err(e) => {
            return Reply::Failed {
                message: format!("cannot set up the shared counters: {e}"),
            };
        }
    }
    // Every task's slots, allocated before the clock starts.
    let records = Arc::new(Records::new(&job));
    let job = Arc::new(job);
    let start = Start::now();
    let outcome = model::run(&job, &records);
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
                .then(|| timeline(&job, &records, &run, start.at_ns));
            let mut measurement = measurement(&job, &records, &run, start.at_ns, usage);
            if let Some(report) = report {
                measurement.server_overshoot_median_ns = report.overshoot_median_ns;
            }
            Reply::Done {
                measurement: Box::new(measurement),
                timeline,
            }
        }
        Err(e) if e.timed_out() => Reply::TimedOut {
            message: e.to_string(),
        },
        Err(e) => match e.refusal() {
            Some(reason) => Reply::Refused {
                reason: reason.to_string(),
            },
            None => Reply::Failed {
                message: e.to_string(),
            },
        },
    }
}

/// What the worker reports of a run whose tasks filled `records`: wall
/// time from `start_ns` (or the model's own start) to the last task's end.
fn measurement(
    job: &Job,
    records: &Records,
    run: &ModelRun,
    start_ns: u64,
    usage: measure::Usage,
) -> Measurement {
    let end = records.last_end_ns().unwrap_or(start_ns);
    let wall_start = run.wall_start_ns.unwrap_or(start_ns);
    let mut overshoots: Vec<u64> = records.all_waits().map(|w| w.overshoot_ns).collect();
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
        groups: tally::by_group(job, records, wall_start),
        // The parent measures the rest of the machine around the process.
        noise: Default::default(),
    }
}

/// The run's spans relative to its start, threads renumbered from 0 in the
/// order they first did something.
fn timeline(job: &Job, records: &Records, run: &ModelRun, start_ns: u64) -> Timeline {
    let start_ns = run.wall_start_ns.unwrap_or(start_ns);
    let mut spans = records.spans();
    spans.sort_by_key(|s| (s.start_ns, s.task));
    let mut threads: HashMap<u32, u32> = HashMap::new();
    for s in &mut spans {
        let next = threads.len() as u32;
        s.thread = *threads.entry(s.thread).or_insert(next);
        s.start_ns = s.start_ns.saturating_sub(start_ns);
        s.end_ns = s.end_ns.saturating_sub(start_ns);
    }
    let end = records.last_end_ns().unwrap_or(start_ns);
    Timeline {
        cell: job.cell.index,
        label: job.cell.label(),
        wall_ns: end.saturating_sub(start_ns),
        spans,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ModelKind;
    use crate::model::WaitLog;
    use crate::model::job::{simple_job, test_job};

    /// What the tasks of the known job below did: each task's end and
    /// its waits (overshoot, wake-up), as the per-task logs held them.
    const KNOWN: [(u64, &[(u64, u64)]); 5] = [
        (1_000, &[(10, 12), (20, 25), (30, 31)]),
        // A round without IO: two waits in three rounds.
        (2_000, &[(40, 40), (50, 55)]),
        (1_500, &[(5, 6)]),
        (1_200, &[]),
        (3_000, &[(7, 70)]),
    ];

    #[test]
    fn compact_records_give_the_measurements_of_per_task_logs() {
        // Two groups: a = 2 tasks × 3 rounds, b = 3 tasks × 1 round.
        let job = test_job("threads", "tcp", false);
        let records = Records::new(&job);
        for (task, (end, waits)) in KNOWN.iter().enumerate() {
            let mut record = records.task(task);
            record.ended(*end);
            for &(overshoot_ns, wake_ns) in *waits {
                record.wait(WaitLog {
                    overshoot_ns,
                    wake_ns,
                });
            }
        }
        let run = ModelRun::new(100);
        let m = measurement(&job, &records, &run, 0, measure::Usage::default());
        // The numbers conlab reported from `Vec<TaskLog>` for this job.
        assert_eq!(m.wall_ns, 3_000);
        assert_eq!(m.setup_ns, 100);
        assert_eq!(m.io_waits, 7);
        assert_eq!(m.io_overshoot_median_ns, Some(20));
        assert_eq!(m.io_overshoot_max_ns, Some(50));
        let [a, b] = m.groups.as_slice() else {
            panic!("{:?}", m.groups)
        };
        assert_eq!(
            (a.tasks, a.completion_p50_ns, a.completion_p99_ns),
            (2, 1_000, 2_000)
        );
        assert_eq!(a.completion_max_ns, 2_000);
        assert_eq!(
            (a.wake_p50_ns, a.wake_p99_ns, a.wake_max_ns),
            (Some(31), Some(55), Some(55))
        );
        assert_eq!(a.rounds_per_s, Some(6.0 / 2e-6));
        assert_eq!(
            (b.tasks, b.completion_p50_ns, b.completion_p99_ns),
            (3, 1_500, 3_000)
        );
        assert_eq!(
            (b.wake_p50_ns, b.wake_p99_ns, b.wake_max_ns),
            (Some(6), Some(70), Some(70))
        );
        assert_eq!(b.rounds_per_s, Some(3.0 / 3e-6));
    }

    #[test]
    fn every_model_fills_every_task_record() {
        // conlab's own models that run in this process (a pool of worker
        // processes needs conlab's binary, not this test's).
        let own = ModelKind::ALL.into_iter().filter(|k| {
            matches!(k.runs(), crate::config::Runs::Own(_)) && k.processes_needed(None) == 0
        });
        for kind in own.map(ModelKind::name) {
            for timeline in [false, true] {
                // 6 tasks × 2 rounds of 1 ms.
                let job = simple_job(kind, 6, 2, timeline);
                let Reply::Done {
                    measurement: m,
                    timeline: t,
                } = run(job)
                else {
                    panic!("{kind} failed");
                };
                assert_eq!(m.io_waits, 12, "{kind}");
                assert_eq!(m.groups[0].tasks, 6, "{kind}");
                assert!(m.wall_ns >= 2_000_000, "{kind}: {}", m.wall_ns);
                // Every task ended: its completion is at least its waits.
                let first_end = m.groups[0].completion_p50_ns.min(m.wall_ns);
                assert!(first_end >= 2_000_000, "{kind}: {first_end}");
                assert!(m.io_overshoot_median_ns.is_some(), "{kind}");
                if ModelKind::from_name(kind).is_some_and(|k| k.declaration().wake_is_overshoot) {
                    // A timer completes at its deadline: waking is the overshoot.
                    assert_eq!(m.groups[0].wake_max_ns, m.io_overshoot_max_ns, "{kind}");
                }
                match t {
                    Some(t) => {
                        assert!(timeline, "{kind}");
                        let io = t.spans.iter().filter(|s| s.kind == model::SpanKind::Io);
                        assert_eq!(io.count(), 12, "{kind}");
                    }
                    None => assert!(!timeline, "{kind}"),
                }
            }
        }
    }
}
