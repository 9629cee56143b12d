//! What the Python runner writes on stdout, and how it becomes a
//! [`ModelRun`]: the runner's timestamps are on conlab's own clock
//! (`CLOCK_MONOTONIC`), so they go into the run's records unchanged.

use serde::Deserialize;

use super::request::PROTOCOL;
use crate::measure::Usage;
use crate::model::{ModelRun, Records, Span, SpanKind, WaitLog};

/// The runner's answer.
#[derive(Debug, Deserialize)]
pub struct RunnerReply {
    pub protocol: u32,
    /// Taken right before the model started (before its threads, pool or
    /// event loop): the start of wall time.
    pub t0: u64,
    /// The interpreter's CPU time and context switches up to `t0`, its
    /// waited-for children included; absent without the resource module.
    pub startup_usage: Option<Usage>,
    /// One record per task, in task order.
    pub tasks: Vec<TaskReply>,
    /// Each group's shared counter at the end, in group order (`null` for
    /// a group without one).
    #[serde(default)]
    pub shared: Vec<Option<CounterReply>>,
}

/// One group's shared counter at the end of the run.
#[derive(Debug, Deserialize)]
pub struct CounterReply {
    /// The counter's value.
    #[serde(rename = "final")]
    pub value: u64,
    /// Time tasks waited for its lock, all together.
    pub lock_wait_ns: u64,
}

/// One task's record.
#[derive(Debug, Deserialize)]
pub struct TaskReply {
    pub start: u64,
    pub end: u64,
    pub overshoots: Vec<u64>,
    /// Per IO wait: from its completion until the task ran again.
    pub wakes: Vec<u64>,
    /// `[kind, start, end, thread]`: the native thread id, or the pool
    /// worker's pid for `python-processes`.
    pub spans: Vec<(SpanKind, u64, u64, u32)>,
}

impl RunnerReply {
    /// Reads the reply: the last non-empty line of stdout (anything the
    /// interpreter's site hooks may print comes before it).
    pub fn parse(stdout: &[u8]) -> Result<RunnerReply, String> {
        let text = String::from_utf8_lossy(stdout);
        let line = text
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .ok_or("it printed nothing")?;
        let reply: RunnerReply = serde_json::from_str(line).map_err(|e| e.to_string())?;
        if reply.protocol != PROTOCOL {
            return Err(format!("protocol {}, expected {PROTOCOL}", reply.protocol));
        }
        Ok(reply)
    }

    /// Fills `records` (task by task, in order) and makes the model's
    /// run; `rounds(i)` is how many rounds task i has.
    pub fn into_run(
        self,
        records: &Records,
        rounds: impl Fn(usize) -> usize,
    ) -> Result<ModelRun, String> {
        if self.tasks.len() != records.tasks() {
            return Err(format!(
                "{} task records for {} tasks",
                self.tasks.len(),
                records.tasks()
            ));
        }
        for (i, task) in self.tasks.into_iter().enumerate() {
            // An end of 0: unfinished at the run's stop (and, if never
            // handed out, no start either).
            let unfinished = task.end == 0 && (task.start == 0 || task.start >= self.t0);
            if !unfinished && (task.end < task.start || task.start < self.t0) {
                return Err(format!("task {i} has times out of order"));
            }
            let rounds = rounds(i);
            if task.overshoots.len() > rounds || task.wakes.len() != task.overshoots.len() {
                return Err(format!(
                    "task {i} reports {} IO waits and {} wake-ups in {rounds} rounds",
                    task.overshoots.len(),
                    task.wakes.len()
                ));
            }
            let mut record = records.task(i);
            record.ended(task.end);
            for (&overshoot_ns, &wake_ns) in task.overshoots.iter().zip(&task.wakes) {
                record.wait(WaitLog {
                    overshoot_ns,
                    wake_ns,
                });
            }
            for (kind, start_ns, end_ns, thread) in task.spans {
                record.push_span(Span {
                    task: i as u32,
                    kind,
                    start_ns,
                    end_ns,
                    thread,
                });
            }
        }
        Ok(ModelRun {
            wall_start_ns: Some(self.t0),
            startup_usage: self.startup_usage,
            ..ModelRun::new(self.t0)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO_TASKS: &str = r#"{"protocol":4,"t0":1000,"startup_usage":{"user_ns":40000000,"sys_ns":1000000,"ctx_voluntary":3,"ctx_involuntary":4,"peak_rss_kb":9000},
        "tasks":[{"start":1001,"end":1500,"overshoots":[7],"wakes":[9],"spans":[["io",1001,1400,77],["cpu",1400,1500,77]]},
                 {"start":1002,"end":1600,"overshoots":[],"wakes":[],"spans":[]}]}"#;

    fn records(n: u64, trace: bool) -> Records {
        Records::new(&crate::model::job::simple_job(
            "python-threads",
            n,
            1,
            trace,
        ))
    }

    #[test]
    fn a_reply_fills_the_records_and_starts_wall_time_at_t0() {
        let stdout = format!(
            "a line from a site hook\n{}\n\n",
            TWO_TASKS.replace('\n', "")
        );
        let reply = RunnerReply::parse(stdout.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        let records = records(2, true);
        let run = reply
            .into_run(&records, |_| 1)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(run.wall_start_ns, Some(1000));
        assert_eq!(run.ready_ns, 1000);
        assert_eq!(
            records.waits(0).collect::<Vec<_>>(),
            [WaitLog {
                overshoot_ns: 7,
                wake_ns: 9
            }]
        );
        assert_eq!(records.end_ns(1), 1600);
        let spans = records.spans_of(0);
        assert_eq!(spans.len(), 2);
        assert_eq!(spans[1].kind, SpanKind::Cpu);
        assert_eq!(spans[1].thread, 77);
        assert_eq!(run.startup_usage.map(|u| u.user_ns), Some(40_000_000));
    }

    #[test]
    fn spans_are_dropped_when_no_timeline_was_asked_for() {
        let reply = RunnerReply::parse(TWO_TASKS.replace('\n', "").as_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
        let records = records(2, false);
        reply
            .into_run(&records, |_| 1)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(records.spans().is_empty());
    }

    #[test]
    fn replies_that_do_not_fit_the_job_are_refused() {
        let parse = |s: &str| RunnerReply::parse(s.replace('\n', "").as_bytes());
        assert!(parse("").is_err());
        assert!(parse("Traceback").is_err());
        for older in ["1", "2", "3"] {
            let reply = TWO_TASKS.replace("\"protocol\":4", &format!("\"protocol\":{older}"));
            assert!(parse(&reply).is_err(), "protocol {older} refused");
        }
        let wrong_count = parse(TWO_TASKS).and_then(|r| r.into_run(&records(3, false), |_| 1));
        assert_eq!(
            wrong_count.err().as_deref(),
            Some("2 task records for 3 tasks")
        );
        let too_many_waits = parse(&TWO_TASKS.replace("[7]", "[7,8]"))
            .and_then(|r| r.into_run(&records(2, false), |_| 1));
        assert!(too_many_waits.is_err());
        let before_t0 = parse(&TWO_TASKS.replace("\"start\":1001", "\"start\":999"))
            .and_then(|r| r.into_run(&records(2, false), |_| 1));
        assert!(before_t0.is_err());
        // Unfinished at the run's stop: no end, and no start if never
        // handed out; an end before a start is still refused.
        let unfinished_records = records(2, false);
        let unfinished =
            parse(&TWO_TASKS.replace("\"start\":1002,\"end\":1600", "\"start\":0,\"end\":0"))
                .and_then(|r| r.into_run(&unfinished_records, |_| 1));
        assert!(unfinished.is_ok());
        assert_eq!(unfinished_records.end_ns(1), 0);
        let backwards = parse(&TWO_TASKS.replace("\"end\":1600", "\"end\":1001"))
            .and_then(|r| r.into_run(&records(2, false), |_| 1));
        assert!(backwards.is_err());
    }
}
