//! Per-task measurements of one run, summed up per group inside the
//! worker: each task's completion time and each IO wait's wake-up delay go
//! into a histogram per group (HdrHistogram, three significant digits), so
//! a million IO waits cost a fixed few kilobytes and no sort; maxima are
//! kept exactly. A group with arrivals also tallies its requests' latencies
//! (from each request's scheduled arrival to its completion), how many
//! completed and how many were left unfinished at the run's stop, and the
//! offered and achieved rates. Pure: the run's records in,
//! [`GroupMeasurement`]s out.

use hdrhistogram::Histogram;

use crate::model::{Job, Records};
use crate::results::{CURVE_QUANTILES, GroupMeasurement, RequestMeasurement};

/// Values with three significant digits, from 1 ns up; grows as needed.
fn histogram() -> Option<Histogram<u64>> {
    Histogram::new(3).ok()
}

/// Records `v`, growing `h` to hold it (a histogram that cannot grow
/// clamps it to the largest value it holds).
fn record(h: &mut Option<Histogram<u64>>, v: u64) {
    if let Some(h) = h
        && h.record(v).is_err()
    {
        h.saturating_record(v);
    }
}

/// One group's running tally.
struct Tally {
    tasks: u64,
    rounds: u64,
    last_end_ns: u64,
    completion: Option<Histogram<u64>>,
    completion_max: u64,
    wake: Option<Histogram<u64>>,
    wake_max: Option<u64>,
    /// A group with arrivals: its requests' latencies.
    requests: Option<Requests>,
}

/// The running tally of a group's requests.
struct Requests {
    latency: Option<Histogram<u64>>,
    latency_sum: f64,
    latency_max: u64,
    completed: u64,
    unfinished: u64,
    arrivals: (u64, u64),
    completions: (u64, u64),
}

impl Requests {
    fn new() -> Requests {
        Requests {
            latency: histogram(),
            latency_sum: 0.0,
            latency_max: 0,
            completed: 0,
            unfinished: 0,
            arrivals: (u64::MAX, 0),
            completions: (u64::MAX, 0),
        }
    }

    /// A request scheduled to arrive at `arrival_ns` that ended at
    /// `end_ns` (0: unfinished).
    fn add(&mut self, arrival_ns: u64, end_ns: u64) {
        widen(&mut self.arrivals, arrival_ns);
        if end_ns == 0 {
            self.unfinished += 1;
            return;
        }
        let latency = end_ns.saturating_sub(arrival_ns);
        self.completed += 1;
        self.latency_sum += latency as f64;
        self.latency_max = self.latency_max.max(latency);
        record(&mut self.latency, latency);
        widen(&mut self.completions, end_ns);
    }

    fn measurement(self) -> RequestMeasurement {
        let done = self.completed > 0;
        let at = |q: f64| {
            done.then(|| {
                quantile(&self.latency, q)
                    .unwrap_or(0)
                    .min(self.latency_max)
            })
        };
        RequestMeasurement {
            offered_per_s: rate(self.completed + self.unfinished, self.arrivals),
            achieved_per_s: rate(self.completed, self.completions),
            completed: self.completed,
            unfinished: self.unfinished,
            latency_mean_ns: done.then(|| self.latency_sum / self.completed as f64),
            latency_p50_ns: at(0.5),
            latency_p90_ns: at(0.9),
            latency_p99_ns: at(0.99),
            latency_p999_ns: at(0.999),
            latency_max_ns: done.then_some(self.latency_max),
            latency_curve_ns: if done {
                CURVE_QUANTILES.iter().filter_map(|&q| at(q)).collect()
            } else {
                Vec::new()
            },
        }
    }
}

/// Widens the span `(first, last)` to take in `at`.
fn widen(span: &mut (u64, u64), at: u64) {
    span.0 = span.0.min(at);
    span.1 = span.1.max(at);
}

/// `n` events spread over `span`: (n − 1) per its length in seconds.
fn rate(n: u64, (first, last): (u64, u64)) -> Option<f64> {
    (n >= 2 && last > first).then(|| (n - 1) as f64 / ((last - first) as f64 / 1e9))
}

/// The `q` quantile of `h`, if it holds anything.
fn quantile(h: &Option<Histogram<u64>>, q: f64) -> Option<u64> {
    h.as_ref()
        .filter(|h| !h.is_empty())
        .map(|h| h.value_at_quantile(q))
}

/// Each group's measurements, in the cell's group order, from the
/// `records` of a run of `job` whose wall time began at `wall_start_ns`.
pub fn by_group(job: &Job, records: &Records, wall_start_ns: u64) -> Vec<GroupMeasurement> {
    let cell = &job.cell;
    let mut tallies: Vec<Tally> = cell
        .groups
        .iter()
        .map(|g| Tally {
            tasks: 0,
            rounds: 0,
            last_end_ns: wall_start_ns,
            completion: histogram(),
            completion_max: 0,
            wake: histogram(),
            wake_max: None,
            requests: g.arrival.is_some().then(Requests::new),
        })
        .collect();
    for (task, (group, waits)) in cell.task_layout().enumerate().take(records.tasks()) {
        let Some(t) = tallies.get_mut(group) else {
            continue;
        };
        let end_ns = records.end_ns(task);
        if let Some(r) = &mut t.requests {
            r.add(records.origin_ns().saturating_add(job.due_ns(task)), end_ns);
        }
        if end_ns == 0 {
            // Unfinished at the run's stop: no completion, but its waits.
            for w in records.waits(task) {
                t.wake_max = Some(t.wake_max.map_or(w.wake_ns, |m| m.max(w.wake_ns)));
                record(&mut t.wake, w.wake_ns);
            }
            continue;
        }
        let completion = end_ns.saturating_sub(wall_start_ns);
        t.tasks += 1;
        t.rounds += waits.len() as u64;
        t.last_end_ns = t.last_end_ns.max(end_ns);
        t.completion_max = t.completion_max.max(completion);
        record(&mut t.completion, completion);
        for w in records.waits(task) {
            t.wake_max = Some(t.wake_max.map_or(w.wake_ns, |m| m.max(w.wake_ns)));
            record(&mut t.wake, w.wake_ns);
        }
    }
    tallies
        .into_iter()
        .map(|t| {
            let span_s = t.last_end_ns.saturating_sub(wall_start_ns) as f64 / 1e9;
            GroupMeasurement {
                tasks: t.tasks,
                // A histogram gives the top of a value's bucket: never
                // above the exact maximum.
                completion_p50_ns: quantile(&t.completion, 0.5)
                    .unwrap_or(0)
                    .min(t.completion_max),
                completion_p99_ns: quantile(&t.completion, 0.99)
                    .unwrap_or(0)
                    .min(t.completion_max),
                completion_max_ns: t.completion_max,
                wake_p50_ns: t
                    .wake_max
                    .and_then(|m| Some(quantile(&t.wake, 0.5)?.min(m))),
                wake_p99_ns: t
                    .wake_max
                    .and_then(|m| Some(quantile(&t.wake, 0.99)?.min(m))),
                wake_max_ns: t.wake_max,
                rounds_per_s: (span_s > 0.0 && t.tasks > 0).then(|| t.rounds as f64 / span_s),
                wake_curve_ns: match t.wake_max {
                    Some(max) => CURVE_QUANTILES
                        .iter()
                        .map(|&q| quantile(&t.wake, q).unwrap_or(0).min(max))
                        .collect(),
                    None => Vec::new(),
                },
                requests: t.requests.map(Requests::measurement),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config;
    use crate::matrix::{self, Cell};
    use crate::model::{Schedule, WaitLog};

    fn cell() -> Cell {
        let text = "[[workload]]\nname = \"w\"\n[[workload.group]]\nname = \"cpu\"\ntasks = 1\n\
                    cpu_cost = \"1ms\"\n[[workload.group]]\nname = \"io\"\ntasks = 3\n\
                    io_latency = \"1ms\"\nrounds = 2\n[[model]]\nkind = \"threads\"\n";
        match config::from_text("t.toml", text, "t") {
            Ok(l) => matrix::expand(&l.experiment, 2).remove(0),
            Err(_) => {
                // Without group tables in the reader yet: build the cell.
                let single =
                    "[[workload]]\nname = \"w\"\ntasks = 1\n[[model]]\nkind = \"threads\"\n";
                let mut cell = match config::from_text("t.toml", single, "t") {
                    Ok(l) => matrix::expand(&l.experiment, 2).remove(0),
                    Err(e) => panic!("{e}"),
                };
                let mut io = cell.groups[0].clone();
                cell.groups[0].name = "cpu".into();
                io.name = "io".into();
                io.tasks = 3;
                io.rounds = 2;
                cell.groups.push(io);
                cell
            }
        }
    }

    /// A job of `cell` whose groups are due on `arrivals`.
    fn job(cell: &Cell, arrivals: Vec<Schedule>) -> Job {
        Job {
            cell: cell.clone(),
            latencies: Vec::new().into(),
            cores: 2,
            record_timeline: false,
            tcp_server: None,
            shared: Default::default(),
            arrivals,
            stop_after_ns: None,
            timeout_ns: None,
        }
    }

    /// The records of a run of `job` whose tasks ended at `ends` (0:
    /// unfinished) and woke from their IO waits after `wakes`.
    fn records(job: &Job, tasks: &[(u64, &[u64])]) -> Records {
        let records = Records::new(job);
        for (i, (end_ns, wakes)) in tasks.iter().enumerate() {
            let mut record = records.task(i);
            record.ended(*end_ns);
            for &wake_ns in *wakes {
                record.wait(WaitLog {
                    overshoot_ns: wake_ns,
                    wake_ns,
                });
            }
        }
        records
    }

    #[test]
    fn tasks_go_to_their_groups() {
        let job = job(&cell(), Vec::new());
        let start = 1_000;
        let records = records(
            &job,
            &[
                (start + 400_000_000, &[]),
                (start + 10_000_000, &[50_000, 60_000]),
                (start + 20_000_000, &[70_000, 5_000_000]),
                (start + 30_000_000, &[80_000, 90_000]),
            ],
        );
        let groups = by_group(&job, &records, start);
        assert_eq!(groups.len(), 2);
        let (cpu, io) = (&groups[0], &groups[1]);
        assert_eq!(cpu.tasks, 1);
        assert_eq!(cpu.wake_p50_ns, None, "no IO, no wake-ups");
        assert_eq!(cpu.completion_max_ns, 400_000_000);
        assert_eq!(io.tasks, 3);
        assert_eq!(io.wake_max_ns, Some(5_000_000));
        // Three significant digits: the median of six waits is the third.
        let p50 = io.wake_p50_ns.unwrap_or(0);
        assert!((69_900..=70_100).contains(&p50), "{p50}");
        let p99 = io.wake_p99_ns.unwrap_or(0);
        assert!((4_995_000..=5_005_000).contains(&p99), "{p99}");
        let c50 = io.completion_p50_ns;
        assert!((19_980_000..=20_020_000).contains(&c50), "{c50}");
        assert_eq!(io.completion_max_ns, 30_000_000);
        // 6 rounds in the 30 ms the group took.
        let rate = io.rounds_per_s.unwrap_or(0.0);
        assert!((rate - 200.0).abs() < 1e-6, "{rate}");
    }

    #[test]
    fn requests_are_charged_from_their_scheduled_arrival_and_unfinished_ones_counted() {
        let text = "[[workload]]\nname = \"w\"\narrival = { rate = 100, dist = \"uniform\" }\n\
                    requests = 4\nio_latency = \"1ms\"\n[[model]]\nkind = \"sequential\"\n";
        let cell = match config::from_text("t.toml", text, "t") {
            Ok(l) => matrix::expand(&l.experiment, 2).remove(0),
            Err(e) => panic!("{e}"),
        };
        let start = 1_000_000;
        let ms = 1_000_000;
        // Due at 0, 10, 20 and 30 ms; served one after another, 12 ms
        // each, the last left unfinished at the stop.
        let job = job(&cell, vec![Schedule::Every { gap_ns: 1e7 }]);
        let records = records(
            &job,
            &[
                (start + 12 * ms, &[100]),
                (start + 24 * ms, &[100]),
                (start + 36 * ms, &[100]),
                (0, &[100]),
            ],
        );
        records.dispatched(start, u64::MAX);
        let groups = by_group(&job, &records, start);
        let r = groups[0].requests.clone().unwrap_or_default();
        assert_eq!((r.completed, r.unfinished), (3, 1));
        // 12, 14 and 16 ms from each scheduled arrival, not 12 ms each.
        let mean = r.latency_mean_ns.unwrap_or(0.0);
        assert!((mean - 14.0 * ms as f64).abs() < 1.0, "{mean}");
        assert_eq!(r.latency_max_ns, Some(16 * ms));
        let p50 = r.latency_p50_ns.unwrap_or(0);
        assert!((13_990_000..=14_010_000).contains(&p50), "{p50}");
        // Four arrivals 10 ms apart: 100/s; three completions 12 ms apart.
        let offered = r.offered_per_s.unwrap_or(0.0);
        assert!((offered - 100.0).abs() < 1e-6, "{offered}");
        let achieved = r.achieved_per_s.unwrap_or(0.0);
        assert!((achieved - 1000.0 / 12.0).abs() < 1e-6, "{achieved}");
        assert_eq!(r.latency_curve_ns.len(), CURVE_QUANTILES.len());
        assert_eq!(
            groups[0].tasks, 3,
            "only completed requests have a completion time"
        );
    }
}
